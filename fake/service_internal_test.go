package fake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// Upgrades are kept in slabs of slabSize: past the first slab, every upgrade keeps its
// state, Upgrades lists them in the order they were made, and the status of the first and
// the last is still theirs.
func TestManyUpgradesKeepTheirState(t *testing.T) {
	t.Parallel()
	s := testHandler(t, WithPollsUntilComplete(0))
	const n = 2*slabSize + 3
	var ids []string
	for i := 0; i < n; i++ {
		req := rawRequest(strings.NewReader(createBody(i)), "Bearer t")
		w := httptest.NewRecorder()
		s.serve(w, req)
		if w.Code != http.StatusAccepted {
			t.Fatalf("create %d: %d %s", i, w.Code, w.Body)
		}
		ids = append(ids, strings.TrimPrefix(w.Header().Get("Location"), "productUpgrades/"))
	}
	ups := s.Upgrades()
	if len(ups) != n {
		t.Fatalf("%d upgrades, want %d", len(ups), n)
	}
	for i, u := range ups {
		if u.ID != ids[i] || u.CustomerID != testkit.GUID(uint64(i)) || u.ProductFamily != "Azure" || u.Status != StatusInProgress {
			t.Fatalf("upgrade %d: %+v, want id %s of customer %s", i, u, ids[i], testkit.GUID(uint64(i)))
		}
	}
	for _, i := range []int{0, n - 1} {
		req := rawRequest(strings.NewReader(createBody(i)), "Bearer t")
		req.URL.Path = "/v1/productupgrades/" + ids[i] + "/status"
		w := httptest.NewRecorder()
		s.serve(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"status":"Completed"`) || !strings.Contains(w.Body.String(), ids[i]) {
			t.Errorf("status of upgrade %d: %d %s", i, w.Code, w.Body)
		}
	}
	if u := s.Upgrades()[0]; u.Status != StatusCompleted || u.StatusChecks != 1 {
		t.Errorf("first upgrade after its status check: %+v", u)
	}
}
