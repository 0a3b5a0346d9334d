// Package excerpt renders values and texts from requests and responses for messages: cut to
// a bounded length on a character boundary, quoted, or named by their JSON type. Package
// spec's violations and package contracttests' reports and replays use it, so that a value
// reads the same wherever a check quotes it.
package excerpt

import (
	"fmt"
	"unicode/utf8"
)

// Mark ends a text that Cut shortened.
const Mark = "…"

// Cut returns s cut to at most n bytes on a character boundary, followed by Mark when it
// was cut. A negative n counts as 0.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n, 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + Mark
}

// Quote renders a value for a message: "nothing" for nil, a string Go-quoted, anything
// else as %v, each cut to 120 bytes.
func Quote(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("%q", Cut(x, 120))
	default:
		return Cut(fmt.Sprintf("%v", x), 120)
	}
}

// JSONType names the JSON type of a value as encoding/json decodes it into an any: "null",
// "a string", "a boolean", "a number", "an array", "an object"; any other value by its Go
// type.
func JSONType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, int, int64, uint64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
