package contracttests

// Finding and reading fixture files. Verify is pointed at folders of recorded traffic it has
// never seen, so the walk must survive any tree: a named pipe called x.http (opening it for
// reading blocks until a writer comes, ignoring Ctrl-C), sockets and devices, symlinks to
// folders (followed like the folder), symlink loops (an unreadable entry, never an endless
// walk), and files whose content is a credential (an error quotes at most their first line,
// masked).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// maxQuotedLine bounds, in bytes, how much of a file's first line an error may show.
const maxQuotedLine = 200

// maxFileErrorLen bounds, in bytes, the message of an error about one fixture file.
const maxFileErrorLen = 1024

// fixture is one entry found by fixtureFiles: a file to verify, or an entry that cannot be
// read at all (err set), such as a symlink loop or a folder that cannot be listed.
type fixture struct {
	path string
	err  error
}

// fixtureList is what fixtureFiles found, in order. A run may name 100,000 fixtures, and the
// list lives as long as the run: each entry is its folder's index and the place of its name
// in one buffer of names, the path joined only when the fixture is verified, so that an
// entry costs its name and 12 bytes.
type fixtureList struct {
	dirs  []string      // the folders walked, by index
	names []byte        // the names of the entries, end to end
	items []listed      // the entries, in order
	errs  map[int]error // the entries that cannot be read, by index
}

// listed is one entry of a fixtureList: names[off:off+n] is a file name in dirs[dir]
// (without its extension .http when ext is set), or, with dir -1, the path as given.
type listed struct {
	dir    int32
	off, n uint32
}

// extBit marks, in listed.n, a name stored without FixtureExt.
const extBit = 1 << 31

func (l *fixtureList) len() int { return len(l.items) }

// at returns the i-th entry.
func (l *fixtureList) at(i int) fixture {
	it := l.items[i]
	n := it.n &^ extBit
	name := string(l.names[it.off : it.off+n])
	if it.n&extBit != 0 {
		name += FixtureExt
	}
	if it.dir >= 0 {
		name = filepath.Join(l.dirs[it.dir], name)
	}
	return fixture{path: name, err: l.errs[i]}
}

// add appends the entry name of the folder dirs[dir] (dir -1: the path name as given).
func (l *fixtureList) add(dir int, name string, err error) {
	if err != nil {
		if l.errs == nil {
			l.errs = map[int]error{}
		}
		l.errs[len(l.items)] = err
	}
	var ext uint32
	if dir >= 0 && strings.HasSuffix(name, FixtureExt) {
		name, ext = strings.TrimSuffix(name, FixtureExt), extBit
	}
	l.items = append(l.items, listed{dir: int32(dir), off: uint32(len(l.names)), n: uint32(len(name)) | ext}) // bounded by maxListed
	l.names = append(l.names, name...)
}

// trim gives the list's slices their exact lengths: the list lives as long as the run, the
// room left by their growth should not.
func (l *fixtureList) trim() {
	l.names = slices.Clone(l.names)
	l.items = slices.Clone(l.items)
}

// maxListed bounds the bytes of names (and the folders) a fixtureList or a dirListing holds:
// their offsets are 32-bit, a name's length 31-bit (and an int holds it on every platform).
const maxListed = math.MaxInt32

// fixtureFiles expands paths into the fixtures to verify, without duplicates: files as
// given, folders walked in lexical order for *.http, symlinks to folders followed like the
// folders. A path that does not exist, a folder without any fixture and a cancelled context
// are errors; a path that exists but cannot be read is an entry with err set, reported with
// the results.
func fixtureFiles(ctx context.Context, paths []string) (*fixtureList, error) {
	if len(paths) == 0 {
		return nil, errors.New("verify: no files or folders given")
	}
	// Within one argument no path can come twice (each folder is walked once); across
	// arguments it can, and the paths seen are kept to drop the repeats.
	w := &walker{ctx: ctx}
	if len(paths) > 1 {
		w.seen = map[string]bool{}
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
		info, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("verify: %w", err)
		case err != nil:
			w.add(-1, p, err) // a symlink loop, a permission problem: unreadable, reported
			continue
		case !info.IsDir():
			w.add(-1, p, nil)
			continue
		}
		w.visited = map[string]bool{}
		n, err := w.walkDir(p, map[string]bool{})
		if err != nil {
			return nil, fmt.Errorf("verify: walk %s: %w", p, err)
		}
		if n == 0 {
			return nil, fmt.Errorf("verify: no fixtures (*.http) under %s", p)
		}
	}
	if w.tooMany {
		return nil, fmt.Errorf("verify: more fixtures than one run verifies (their names exceed %d bytes)", maxListed)
	}
	w.out.trim()
	return &w.out, nil
}

// walker collects the fixtures under the folders given to fixtureFiles.
type walker struct {
	ctx     context.Context
	seen    map[string]bool // cleaned paths already in out; nil when there is one argument
	visited map[string]bool // real paths of the folders walked for the current argument
	out     fixtureList
	tooMany bool // out is full (see maxListed)
}

// add lists the entry name of the folder out.dirs[dir] (dir -1: the path name as given).
func (w *walker) add(dir int, name string, err error) {
	if w.seen != nil {
		c := name
		if dir >= 0 {
			c = filepath.Join(w.out.dirs[dir], name)
		}
		if c = filepath.Clean(c); w.seen[c] {
			return
		}
		w.seen[c] = true
	}
	if len(w.out.names)+len(name) > maxListed || len(w.out.dirs) >= maxListed {
		w.tooMany = true
		return
	}
	w.out.add(dir, name, err)
}

// dirListing is a folder's entries that the walk looks at (folders, symlinks, *.http
// files), sorted by name as os.ReadDir sorts them: each entry's name is a place in one
// buffer, so that a folder of 100,000 fixtures costs little more than their names.
type dirListing struct {
	names   []byte
	entries []dirEntry
}

// dirEntry is one entry of a dirListing.
type dirEntry struct {
	off, n uint32
	typ    fs.FileMode
}

func (d *dirListing) name(e dirEntry) string { return string(d.names[e.off : e.off+e.n]) }

// readDir lists the folder at path, reading it in batches.
func readDir(path string) (*dirListing, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	// Opened only to list: Close has nothing to report about what was read.
	defer func() { _ = f.Close() }()
	d := &dirListing{}
	for {
		batch, err := f.ReadDir(1024)
		for _, e := range batch {
			name, typ := e.Name(), e.Type()
			if !typ.IsDir() && typ&fs.ModeSymlink == 0 && !strings.HasSuffix(name, FixtureExt) {
				continue // a sidecar, a doc text: never looked at
			}
			if len(d.names)+len(name) > maxListed {
				return nil, fmt.Errorf("%s: more entries than one run verifies", path)
			}
			d.entries = append(d.entries, dirEntry{off: uint32(len(d.names)), n: uint32(len(name)), typ: typ}) // bounded by maxListed
			d.names = append(d.names, name...)
		}
		if errors.Is(err, io.EOF) || (err == nil && len(batch) == 0) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(d.entries, func(a, b dirEntry) int {
		return bytes.Compare(d.names[a.off:a.off+a.n], d.names[b.off:b.off+b.n])
	})
	return d, nil
}

// walkDir walks the folder at path (which may be reached through symlinks), given the real
// paths of the folders above it, and returns how many entries it found. A folder that leads
// back to one of those above it is a symlink loop: an unreadable entry. A folder already
// walked through another path is not walked twice.
func (w *walker) walkDir(path string, above map[string]bool) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	realPath, err := filepath.EvalSymlinks(path)
	if err != nil {
		w.add(-1, path, fmt.Errorf("cannot resolve folder: %w", err))
		return 1, nil
	}
	if realPath, err = filepath.Abs(realPath); err != nil {
		w.add(-1, path, fmt.Errorf("cannot resolve folder: %w", err))
		return 1, nil
	}
	switch {
	case above[realPath]:
		w.add(-1, path, fmt.Errorf("symlink loop: %s leads back to the folder %s above it", path, realPath))
		return 1, nil
	case w.visited[realPath]:
		return 0, nil
	}
	w.visited[realPath], above[realPath] = true, true
	defer delete(above, realPath)

	listing, err := readDir(path)
	if err != nil {
		w.add(-1, path, fmt.Errorf("cannot list folder: %w", err))
		return 1, nil
	}
	dir := len(w.out.dirs)
	w.out.dirs = append(w.out.dirs, path)
	n := 0
	for _, e := range listing.entries {
		name := listing.name(e)
		isFixture := strings.HasSuffix(name, FixtureExt)
		switch t := e.typ; {
		case t.IsDir():
			m, err := w.walkDir(filepath.Join(path, name), above)
			if err != nil {
				return n, err
			}
			n += m
		case t&fs.ModeSymlink != 0:
			p := filepath.Join(path, name)
			info, err := os.Stat(p)
			switch {
			case err != nil && (isFixture || errors.Is(err, syscall.ELOOP)):
				w.add(dir, name, fmt.Errorf("cannot follow symlink: %w", err))
				n++
			case err != nil: // a dangling symlink that is no fixture: not ours
			case info.IsDir():
				m, err := w.walkDir(p, above)
				if err != nil {
					return n, err
				}
				n += m
			case isFixture:
				w.add(dir, name, nil)
				n++
			}
		case isFixture:
			// Named pipes, sockets and devices too: readCapped reports them without opening.
			w.add(dir, name, nil)
			n++
		}
	}
	return n, nil
}

// verifyFixture verifies one entry found by fixtureFiles, reading it with l.
func (v *Verifier) verifyFixture(ctx context.Context, f fixture, l *fixtureLoader) Result {
	name := strings.TrimSuffix(filepath.Base(f.path), FixtureExt)
	if f.err != nil {
		return Result{Name: name, Path: f.path, Err: &ParseError{Exchange: name, Part: "file", Err: f.err}}
	}
	ex, meta, err := l.load(f.path)
	if err != nil {
		return Result{Name: name, Path: f.path, Err: err}
	}
	// The exchange is this call's own: its request is checked as it is, not copied.
	return v.check(ctx, ex, ex.Request, meta)
}

// readCapped reads the regular file at path, at most MaxFixtureSize bytes. Anything else (a
// named pipe, a socket, a device, a folder) is an error without being opened for reading:
// opening a pipe blocks until a writer comes. The file is opened non-blocking all the same,
// and checked again once open, in case it was replaced in between.
func readCapped(path string) ([]byte, error) {
	// A loader of its own: the bytes are the caller's.
	var l fixtureLoader
	return l.read(path)
}

// regularFile returns an error naming what the file is unless it is a regular file.
func regularFile(path string, info fs.FileInfo) error {
	m := info.Mode()
	if m.IsRegular() {
		if info.Size() > MaxFixtureSize {
			return fmt.Errorf("%s is larger than %d bytes", filepath.Base(path), MaxFixtureSize)
		}
		return nil
	}
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a folder"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%s is %s, not a regular file: not read", filepath.Base(path), what)
}

// maskParseError returns err, the parse error of the file whose content is raw, with a
// message that shows at most maxQuotedLine bytes of the file's first line, masked, and no
// credential internal/secrets recognises. errors.Is and errors.As still see err's chain.
func maskParseError(raw []byte, err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return &ParseError{Exchange: pe.Exchange, Part: pe.Part, Err: &maskedError{msg: maskFileText(raw, pe.Err.Error()), err: pe.Err}}
	}
	return &maskedError{msg: maskFileText(raw, err.Error()), err: err}
}

// maskedError is an error whose message was masked; Unwrap gives the original.
type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

// maskFileText masks msg, an error message about the file whose content is raw: the file's
// first line, which net/http's parsers quote in full, is replaced by its masked, bounded
// form, then every credential in the message is masked and the message bounded.
func maskFileText(raw []byte, msg string) string {
	first, _, _ := bytes.Cut(raw, []byte("\n"))
	first = bytes.TrimSuffix(first, []byte("\r"))
	if len(first) > 0 {
		line := string(first)
		shown := quotableLine(line)
		q, qs := strconv.Quote(line), strconv.Quote(shown)
		msg = strings.ReplaceAll(msg, q[1:len(q)-1], qs[1:len(qs)-1])
		msg = strings.ReplaceAll(msg, line, shown)
	}
	msg = string(secrets.Mask([]byte(msg)))
	// Parts of the line (a method, a URI) and other lines are quoted too: each quotation
	// is held to the same bound.
	msg = quoted.ReplaceAllStringFunc(msg, func(q string) string {
		if len(q) <= maxQuotedLine+2 {
			return q
		}
		return cutUTF8(q[:len(q)-1], maxQuotedLine+1) + `"`
	})
	return cutUTF8(msg, maxFileErrorLen)
}

// quoted matches a Go-quoted string (%q) in an error message.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// quotableLine is what an error may show of a file's line: credentials masked (a header
// line naming authorization keeps at most a known scheme, the credential is redacted), at most
// maxQuotedLine bytes.
func quotableLine(line string) string {
	if name, value, ok := strings.Cut(line, ":"); ok && strings.Contains(strings.ToLower(name), "authorization") {
		line = name + ": " + secrets.RedactAuthorization(value)
	}
	return cutUTF8(string(secrets.Mask([]byte(line))), maxQuotedLine)
}

// cutUTF8 returns s cut to at most n bytes on a character boundary, marked with "…" when cut.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	s = s[:n-len(mark)]
	for len(s) > 0 {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size != 1 {
			break
		}
		s = s[:len(s)-1] // a character cut in two
	}
	return s + mark
}
