package contracttests

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// fixtureLoader reads fixtures for Verify as LoadFile does (the same checks, the same
// errors), into a buffer it reuses from one file to the next, and decodes only what Verify
// uses of the sidecar. Each of Verify's workers has its own.
type fixtureLoader struct {
	buf []byte
}

// load reads the fixture at path and what Verify uses of its sidecar (nil when it has none).
func (l *fixtureLoader) load(path string) (*Exchange, *verifyMeta, error) {
	name := strings.TrimSuffix(filepath.Base(path), FixtureExt)
	raw, err := l.read(path)
	if err != nil {
		return nil, nil, &ParseError{Exchange: name, Part: "file", Err: err}
	}
	// ParseExchange copies what it keeps: raw can be read over for the next file.
	ex, err := ParseExchange(name, raw)
	if err != nil {
		return nil, nil, maskParseError(raw, err)
	}
	ex.Path = path
	_, metaPath := FixturePaths(filepath.Dir(path), name)
	metaRaw, err := l.read(metaPath)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return ex, nil, nil
	case err != nil:
		return nil, nil, &ParseError{Exchange: name, Part: "meta", Err: err}
	}
	meta, err := decodeVerifyMeta(metaRaw)
	if err != nil {
		return nil, nil, &ParseError{Exchange: name, Part: "meta", Err: fmt.Errorf("%s: %w", filepath.Base(metaPath), err)}
	}
	return ex, meta, nil
}

// read is readCapped into l's buffer: the bytes are valid until the next read.
func (l *fixtureLoader) read(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regularFile(path, info); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	// Opened only to read: once the bytes are read, Close has nothing to report about them.
	defer func() { _ = f.Close() }()
	opened, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := regularFile(path, opened); err != nil {
		return nil, err
	}
	if !os.SameFile(info, opened) {
		return nil, fmt.Errorf("%s changed while it was being opened", filepath.Base(path))
	}
	// The size and one byte more: a read that gives exactly the size the file has is the
	// whole file (a regular file reads short only at its end), without a read to see the
	// end. A file that reads longer than its size (one growing, or in a file system that
	// does not know sizes) is read to its end, up to the cap.
	size := int(opened.Size())
	want := size + 1
	if cap(l.buf) < want {
		l.buf = make([]byte, max(want, 4096))
	}
	b := l.buf[:want]
	n := 0
	for {
		m, err := f.Read(b[n:])
		n += m
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if n == size && m > 0 {
			break
		}
		if n == len(b) {
			if len(b) > MaxFixtureSize {
				break
			}
			b = append(b, make([]byte, min(len(b), MaxFixtureSize+1-len(b)))...)
			l.buf = b[:0]
		}
	}
	if n > MaxFixtureSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", filepath.Base(path), MaxFixtureSize)
	}
	return b[:n], nil
}
