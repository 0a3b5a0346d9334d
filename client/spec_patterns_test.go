package client

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/partnercenter-go/productupgrades/internal/guid"
	"github.com/partnercenter-go/productupgrades/spec"
)

// The property test of issue 8: whatever the spec lets the service send in the Location
// header and the response ids, the client accepts. The patterns are read from the spec at
// test time, so a spec that widens a pattern beyond what the client reads fails here.

// anyString stands for a string property without a pattern: any text, control characters
// and non-ASCII included.
const anyString = `^[\x{0}-\x{10FFFF}]{0,40}$`

// valuesPerPattern is how many strings are generated from each pattern.
const valuesPerPattern = 2000

// patternGen generates strings matching a regular expression, from a seeded source so that
// a failure repeats.
type patternGen struct {
	r         *rand.Rand
	maxRepeat int // extra repetitions of an unbounded *, + or {n,}
}

func (g *patternGen) generate(re *syntax.Regexp) string {
	var b strings.Builder
	g.write(&b, re)
	return b.String()
}

func (g *patternGen) write(b *strings.Builder, re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && g.r.IntN(2) == 0 {
				r = unicode.SimpleFold(r)
			}
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		b.WriteRune(g.classRune(re.Rune))
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		b.WriteRune(rune(0x21 + g.r.IntN(0x5e)))
	case syntax.OpCapture:
		g.write(b, re.Sub[0])
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, g.maxRepeat
		switch re.Op {
		case syntax.OpPlus:
			lo, hi = 1, 1+g.maxRepeat
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
			if hi < 0 {
				hi = lo + g.maxRepeat
			}
		}
		for n := lo + g.r.IntN(hi-lo+1); n > 0; n-- {
			g.write(b, re.Sub[0])
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			g.write(b, s)
		}
	case syntax.OpAlternate:
		g.write(b, re.Sub[g.r.IntN(len(re.Sub))])
	default:
		panic(fmt.Sprintf("pattern generator: unsupported op %v", re.Op))
	}
}

// classRune picks a rune of a class (pairs of lo, hi). Mostly printable ASCII the class
// holds, sometimes any of its runes, so that the odd ones (a space, a control character, a
// non-ASCII letter) are tried too.
func (g *patternGen) classRune(ranges []rune) rune {
	if g.r.IntN(4) > 0 {
		var ascii []rune
		for i := 0; i+1 < len(ranges); i += 2 {
			for r := max(ranges[i], 0x21); r <= min(ranges[i+1], 0x7e); r++ {
				ascii = append(ascii, r)
			}
		}
		if len(ascii) > 0 {
			return ascii[g.r.IntN(len(ascii))]
		}
	}
	i := 2 * g.r.IntN(len(ranges)/2)
	lo, hi := ranges[i], ranges[i+1]
	if hi-lo > 0x3000 && g.r.IntN(2) == 0 {
		hi = lo + 0x3000 // keep most picks in the BMP's busy start
	}
	r := lo + g.r.Int32N(hi-lo+1)
	if !utf8.ValidRune(r) {
		return lo
	}
	return r
}

// patternValues returns n distinct-enough strings that match pattern, seeded by seed.
func patternValues(t *testing.T, pattern string, seed uint64, n int) []string {
	t.Helper()
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		t.Fatalf("pattern %q does not parse: %v", pattern, err)
	}
	re = re.Simplify()
	check := regexp.MustCompile(pattern)
	g := &patternGen{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), maxRepeat: 6}
	out := make([]string, 0, n)
	for tries := 0; len(out) < n && tries < 20*n; tries++ {
		s := g.generate(re)
		if !check.MatchString(s) {
			continue // an anchor or a boundary the generator cannot honour
		}
		out = append(out, s)
	}
	if len(out) < n {
		t.Fatalf("pattern %q: only %d of %d generated values match it", pattern, len(out), n)
	}
	return out
}

// specPattern is a pattern found in the spec, and where.
type specPattern struct {
	where   string // for example "CheckProductUpgradeStatus 200 /lineItems/*/sourceProduct/id"
	op      string // operationId
	pointer string // JSON pointer inside the body, "*" for array items; "" for a header
	header  string // header name, for a header's pattern
	pattern string
}

// responsePatterns walks every response of every operation: the headers' patterns, and the
// patterns of string properties whose names end in "id" (customerId, upgradeId, id).
func responsePatterns(t *testing.T) []specPattern {
	t.Helper()
	doc, err := spec.Load(context.Background())
	if err != nil {
		t.Fatalf("load the spec: %v", err)
	}
	var out []specPattern
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for status, rr := range op.Responses.Map() {
				if rr.Value == nil {
					continue
				}
				for name, h := range rr.Value.Headers {
					if h.Value != nil && h.Value.Schema != nil && h.Value.Schema.Value != nil && h.Value.Schema.Value.Pattern != "" {
						out = append(out, specPattern{where: fmt.Sprintf("%s %s header %s", op.OperationID, status, name),
							op: op.OperationID, header: name, pattern: h.Value.Schema.Value.Pattern})
					}
				}
				if !strings.HasPrefix(status, "2") {
					continue
				}
				for _, mt := range rr.Value.Content {
					if mt.Schema == nil {
						continue
					}
					walkIDs(mt.Schema.Value, "", "", 0, func(ptr, pattern string) {
						out = append(out, specPattern{where: fmt.Sprintf("%s %s %s", op.OperationID, status, ptr),
							op: op.OperationID, pointer: ptr, pattern: pattern})
					})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].where < out[j].where })
	// A header is read by the same code whatever the response: one test per header and pattern.
	seen := map[string]bool{}
	uniq := out[:0]
	for _, p := range out {
		key := p.op + " " + p.pointer + " " + p.pattern
		if p.header != "" {
			key = "header " + strings.ToLower(p.header) + " " + p.pattern
		}
		if !seen[key] {
			seen[key] = true
			uniq = append(uniq, p)
		}
	}
	return uniq
}

func walkIDs(s *openapi3.Schema, ptr, name string, depth int, found func(ptr, pattern string)) {
	if s == nil || depth > 8 {
		return
	}
	if strings.HasSuffix(strings.ToLower(name), "id") && (s.Type == nil || s.Type.Is("string")) {
		switch {
		case s.Pattern != "":
			found(ptr, s.Pattern)
		case len(s.Properties) == 0 && s.Items == nil && s.Format == "":
			found(ptr, anyString) // an id of any shape: any string at all
		}
	}
	for _, group := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
		for _, sub := range group {
			if sub != nil {
				walkIDs(sub.Value, ptr, name, depth+1, found)
			}
		}
	}
	for pname, p := range s.Properties {
		if p != nil {
			walkIDs(p.Value, ptr+"/"+pname, pname, depth+1, found)
		}
	}
	if s.Items != nil {
		walkIDs(s.Items.Value, ptr+"/*", name, depth+1, found)
	}
}

// bodyWith is a JSON object with value v at pointer (segments "*" are one-item arrays),
// merged into base.
func bodyWith(base map[string]any, pointer, v string) []byte {
	segs := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	var place func(into map[string]any, segs []string)
	place = func(into map[string]any, segs []string) {
		if len(segs) == 1 {
			into[segs[0]] = v
			return
		}
		if segs[1] == "*" {
			child := map[string]any{}
			into[segs[0]] = []any{child}
			place(child, segs[2:])
			return
		}
		child := map[string]any{}
		into[segs[0]] = child
		place(child, segs[1:])
	}
	place(base, segs)
	b, _ := json.Marshal(base)
	return b
}

// testCall is the state of a call.
func testCall(op string) *call {
	return &call{op: op, rid: uuid.New(), cid: uuid.New(), token: "pattern-test-token-value"}
}

// okResponse is a 200 with body.
func okResponse(body []byte) response {
	return response{status: http.StatusOK, header: http.Header{}, body: body}
}

func TestSpecPatterns_ClientAcceptsEveryValueTheSpecAllows(t *testing.T) {
	t.Parallel()
	patterns := responsePatterns(t)
	var sawLocation, sawIDs bool
	for _, p := range patterns {
		if p.header == "" {
			sawIDs = true
		}
		if strings.EqualFold(p.header, "Location") {
			sawLocation = true
		}
	}
	if !sawLocation || !sawIDs {
		t.Fatalf("the spec walk found no Location pattern (%v) or no response id pattern (%v)", sawLocation, sawIDs)
	}
	// The patterns are checked in parallel: the count is atomic and reported once all ended.
	var total atomic.Int64
	t.Cleanup(func() { t.Logf("%d patterns, %d values", len(patterns), total.Load()) })
	for i, p := range patterns {
		t.Run(p.where, func(t *testing.T) {
			t.Parallel()
			values := patternValues(t, p.pattern, uint64(i)+1, valuesPerPattern)
			accepted, refused := 0, 0
			for _, v := range values {
				if err := acceptValue(p, v); err != nil {
					if refused++; refused <= 10 {
						t.Errorf("the spec allows %q (pattern %s), the client refuses it: %v", v, p.pattern, err)
					}
					continue
				}
				accepted++
			}
			total.Add(int64(len(values)))
			t.Logf("%s: %d values generated from %s, %d accepted", p.where, len(values), p.pattern, accepted)
		})
	}
}

// acceptValue feeds one generated value to the part of the client that reads it.
func acceptValue(p specPattern, v string) error {
	switch {
	case strings.EqualFold(p.header, "Location"):
		id, err := ParseLocation(v)
		if err != nil {
			return err
		}
		if !strings.Contains(v, id) || !guid.Valid(id) {
			return fmt.Errorf("ParseLocation(%q) = %q", v, id)
		}
		return nil
	case strings.EqualFold(p.header, "MS-RequestId"), strings.EqualFold(p.header, "MS-CorrelationId"):
		h := http.Header{}
		h.Set(p.header, v)
		key := http.CanonicalHeaderKey(p.header)
		if got := headerID(h, key, uuid.New(), nil); got != v {
			return fmt.Errorf("header %s %q read as %q", p.header, v, got)
		}
		return nil
	case strings.EqualFold(p.header, "Retry-After"):
		h := http.Header{}
		h.Set(p.header, v)
		if _, ok := retryAfter(h, time.Now()); !ok && strings.Trim(v, "0123456789") == "" {
			return fmt.Errorf("Retry-After %q not read", v)
		}
		return nil // a date of the right shape but no real day falls back to the backoff
	case p.header != "":
		return nil
	}
	switch p.op {
	case "CheckProductUpgradeEligibility":
		body := bodyWith(map[string]any{"isEligible": false}, p.pointer, v)
		e, err := decodeEligibility(testCall(OpCheckProductUpgradeEligibility), okResponse(body), UpgradeRequest{CustomerID: guid.NilString, ProductFamily: "Azure"})
		if err != nil {
			return err
		}
		got := e.CustomerID
		if p.pointer == "/upgradeId" {
			got = e.UpgradeID
		}
		if want := absentIfNil(v); got != want && !(p.pointer == "/customerId" && want == "") {
			return fmt.Errorf("%s %q read as %q", p.pointer, v, got)
		}
		return nil
	case "CheckProductUpgradeStatus":
		asked := testUpgradeIDFor(v)
		body := bodyWith(map[string]any{"id": asked, "status": "InProgress"}, p.pointer, v)
		s, err := decodeStatus(testCall(OpCheckProductUpgradeStatus), okResponse(body), asked)
		if err != nil {
			return err
		}
		if p.pointer == "/id" {
			return nil
		}
		if len(s.LineItems) != 1 {
			return fmt.Errorf("%d line items", len(s.LineItems))
		}
		li := s.LineItems[0]
		got := map[string]string{"/lineItems/*/sourceProduct/id": li.SourceProduct.ID, "/lineItems/*/targetProduct/id": li.TargetProduct.ID}
		if g, ok := got[p.pointer]; ok && g != absentIfNil(v) {
			return fmt.Errorf("%s %q read as %q", p.pointer, v, g)
		}
		return nil
	}
	return nil
}

// testUpgradeIDFor is the upgrade asked for when v is the status's id: v itself when it is
// a usable id, so that the id check compares equal ids.
func testUpgradeIDFor(v string) string {
	if g, ok := guid.Normalize(v); ok && !guid.IsNil(g) {
		return v
	}
	return "42d075a4-bfe7-43e7-af6d-7c68a57edcb4"
}

// absentIfNil is what the client reads an id as: "" for a blank one or the nil GUID (the
// service has none), otherwise the id as written.
func absentIfNil(v string) string {
	if g, ok := guid.Normalize(v); (ok && guid.IsNil(g)) || strings.TrimSpace(v) == "" {
		return ""
	}
	return v
}

func TestPatternGen_IsDeterministicAndMatches(t *testing.T) {
	t.Parallel()
	const p = `^(?:[a-z]+://[^/?#\s]+/)?x[0-9A-F]{2,4}(?:\?[^#\s]*)?$`
	a := patternValues(t, p, 7, 50)
	b := patternValues(t, p, 7, 50)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("the same seed gave different values")
	}
	re := regexp.MustCompile(p)
	for _, s := range a {
		if !re.MatchString(s) {
			t.Fatalf("%q does not match %s", s, p)
		}
	}
}
