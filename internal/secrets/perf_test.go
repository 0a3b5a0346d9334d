package secrets

import (
	"strings"
	"testing"
	"time"
)

// TestMaskStaysFastOnHostileText: the recorder masks bodies and values a server chose (up to
// 256 KiB), so no input may make Mask crawl. At 64 KiB the quadratic scans this replaced took
// tens of seconds (a run of "=" took 5 minutes at 256 KiB); linear ones take milliseconds.
// The bound is loose for the race detector and a busy machine.
func TestMaskStaysFastOnHostileText(t *testing.T) {
	const n = 64 << 10
	for name, s := range map[string]string{
		"json pairs":          strings.Repeat(`"token":"a",`, n/12),
		"params":              strings.Repeat("token=a&", n/8),
		"one long name":       strings.Repeat("a", n) + "=",
		"equals signs":        strings.Repeat("=", n),
		"names and equals":    strings.Repeat("a=", n/2),
		"escaped quotes":      `"` + strings.Repeat(`\"`, n/2),
		"quotes and colons":   strings.Repeat(`":`, n/2),
		"backslashes":         strings.Repeat(strings.Repeat(`\\`, 1000)+`":`, n/1002),
		"unterminated values": strings.Repeat(`"token":"`, n/9),
		"long keys":           strings.Repeat(`"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":`, n/40),
		"authorization lines": strings.Repeat("authorization: x\n", n/17),
		"jwt starts":          strings.Repeat("eyJaaaa.", n/8),
		"entra starts":        strings.Repeat("abc8Q~", n/6),
	} {
		start := time.Now()
		Mask([]byte(s))
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: Mask took %v on %d KiB", name, d, len(s)>>10)
		}
	}
}
