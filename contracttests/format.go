package contracttests

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
)

// The two files of a fixture named NAME: NAME.http holds the exchange as HTTP/1.1 text, and
// NAME.json beside it, the sidecar, holds its Meta.
const (
	// FixtureExt is the extension of a fixture's exchange file.
	FixtureExt = ".http"
	// SidecarExt is the extension of a fixture's sidecar file.
	SidecarExt = ".json"
)

// FixturePaths returns the paths of the files of the fixture name in dir: dir/NAME.http and
// its sidecar dir/NAME.json.
func FixturePaths(dir, name string) (fixture, sidecar string) {
	base := filepath.Join(dir, name)
	return base + FixtureExt, base + SidecarExt
}

// Format returns the two files of ex, in the layout ParseFiles and LoadFile read:
//
//   - fixture (NAME.http): ex.RequestText, a blank line, ex.ResponseText, a line end; that
//     is RequestText + "\n\n" + ResponseText + "\n". The texts are written as they are: each
//     is the head and the body of one message, exactly as ParseExchange returns them, and
//     the body's length must be its Content-Length. The parsed ex.Request and ex.Response
//     are not read.
//   - sidecar (NAME.json): ex.Meta as JSON, indented by two spaces, HTML characters not
//     escaped ("<redacted>" reads as itself), fields in the order of the structs, ending in a
//     line end; nil when ex.Meta is nil (the fixture has no sidecar).
//
// The layout is canonical: ParseExchange accepts any run of line ends between the request and
// the response and any whitespace after the response's body, and Format writes "\n\n" and
// "\n" there. So for every exchange ex that ParseFiles returns,
// ParseFiles(ex.Name, Format(ex)) gives ex again (Path aside), and formatting a file that
// ParseExchange accepts gives the same bytes up to those two normalisations (and a sidecar
// gives its own bytes when it is laid out as FormatMeta lays it out, as every sidecar in
// testdata is).
//
// Format does not parse the texts again: an exchange built by hand (as package record builds
// its masked ones) must hold texts that ParseExchange accepts for the fixture to load. It
// fails, with a *FormatError naming the exchange and the part, when either text is empty or
// the sidecar cannot be encoded.
func Format(ex *Exchange) (fixture, sidecar []byte, err error) {
	if ex == nil {
		return nil, nil, errors.New("format: nil exchange")
	}
	fixture, err = FormatFixture(ex)
	if err != nil {
		return nil, nil, err
	}
	if ex.Meta == nil {
		return fixture, nil, nil
	}
	sidecar, err = FormatMeta(ex.Meta)
	if err != nil {
		return nil, nil, &FormatError{Exchange: ex.Name, Part: "meta", Err: err}
	}
	return fixture, sidecar, nil
}

// FormatFixture returns the exchange file (NAME.http) of ex, as Format does.
func FormatFixture(ex *Exchange) ([]byte, error) {
	if ex == nil {
		return nil, errors.New("format: nil exchange")
	}
	if ex.RequestText == "" {
		return nil, &FormatError{Exchange: ex.Name, Part: "request", Err: errors.New("RequestText is empty")}
	}
	if ex.ResponseText == "" {
		return nil, &FormatError{Exchange: ex.Name, Part: "response", Err: errors.New("ResponseText is empty")}
	}
	b := make([]byte, 0, len(ex.RequestText)+len(ex.ResponseText)+3)
	b = append(b, ex.RequestText...)
	b = append(b, "\n\n"...)
	b = append(b, ex.ResponseText...)
	b = append(b, '\n')
	return b, nil
}

// FormatMeta returns the sidecar file (NAME.json) of a fixture whose metadata is m, as Format
// does.
func FormatMeta(m *Meta) ([]byte, error) {
	if m == nil {
		return nil, errors.New("format: nil meta")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode sidecar: %w", err)
	}
	return b.Bytes(), nil
}

// FormatError reports an exchange that cannot be written as a fixture.
type FormatError struct {
	// Exchange is the exchange's name, Part "request", "response" or "meta".
	Exchange, Part string
	// Err is what is wrong.
	Err error
}

// Error names the exchange and the part.
func (e *FormatError) Error() string {
	return fmt.Sprintf("format exchange %s: %s: %v", e.Exchange, e.Part, e.Err)
}

// Unwrap returns Err.
func (e *FormatError) Unwrap() error { return e.Err }
