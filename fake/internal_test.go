package fake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The benchmark's baseline, the handler without spec validation, still refuses what the
// generated server cannot bind and what has no bearer token: the comparison is fair.
func TestHandlerWithoutValidation(t *testing.T) {
	t.Parallel()
	cfg := config{polls: DefaultPollsUntilComplete, failures: map[string]failure{}, ineligible: map[string]string{}, noValidate: true}
	s, err := newHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure"}`
	for _, tc := range []struct {
		name         string
		auth, rid    string
		status, code int
	}{
		{"valid", "Bearer t", newGUID().String(), http.StatusAccepted, 0},
		{"no token", "", newGUID().String(), http.StatusUnauthorized, CodeTokenMissing},
		{"request id not a GUID", "Bearer t", "nope", http.StatusBadRequest, CodeInvalidRequestInput},
	} {
		req := httptest.NewRequest(http.MethodPost, "/v1/productUpgrades", strings.NewReader(body))
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("MS-RequestId", tc.rid)
		req.Header.Set("MS-CorrelationId", newGUID().String())
		w := httptest.NewRecorder()
		s.serve(w, req)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, w.Code, tc.status, w.Body)
			continue
		}
		if tc.code != 0 {
			var e struct{ Code int }
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code != tc.code {
				t.Errorf("%s: body %s, want code %d", tc.name, w.Body, tc.code)
			}
		}
	}
}

func TestParseGUID(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{
		"4c721420-72ad-4708-a0a7-371a2f7b0969": true,
		"4C721420-72AD-4708-A0A7-371A2F7B0969": true,
		"4c721420-72ad-4708-a0a7-371a2f7b096":  false,
		"4c721420_72ad-4708-a0a7-371a2f7b0969": false,
		"4c721420-72ad-4708-a0a7-371a2f7b096g": false,
		"":                                     false,
	} {
		g, err := parseGUID(in)
		if (err == nil) != ok {
			t.Errorf("parseGUID(%q): err %v, want ok %v", in, err, ok)
		}
		if ok && g.String() != strings.ToLower(in) {
			t.Errorf("parseGUID(%q) = %s", in, g)
		}
	}
	if g := newGUID(); g.Version() != 4 {
		t.Errorf("newGUID: version %d", g.Version())
	}
}
