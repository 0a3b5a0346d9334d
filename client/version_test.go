package client_test

import (
	"context"
	"net/http"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
)

const thisModule = "github.com/partnercenter-go/productupgrades"

func TestVersion_FromBuildInfo(t *testing.T) {
	t.Parallel()
	dep := func(path, version string, replace *debug.Module) *debug.Module {
		return &debug.Module{Path: path, Version: version, Replace: replace}
	}
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build information", nil, false, client.FallbackVersion},
		{"nil with ok", nil, true, client.FallbackVersion},
		{"main module, tagged", &debug.BuildInfo{Main: debug.Module{Path: thisModule, Version: "v0.2.0"}}, true, "0.2.0"},
		{"main module, pseudo-version", &debug.BuildInfo{Main: debug.Module{Path: thisModule, Version: "v0.2.1-0.20261127081100-825f878a1b2c+dirty"}}, true,
			"0.2.1-0.20261127081100-825f878a1b2c+dirty"},
		{"main module, work tree", &debug.BuildInfo{Main: debug.Module{Path: thisModule, Version: "(devel)"}}, true, client.FallbackVersion},
		{"main module, no version", &debug.BuildInfo{Main: debug.Module{Path: thisModule}}, true, client.FallbackVersion},
		{"dependency", &debug.BuildInfo{Main: debug.Module{Path: "example.com/billing", Version: "(devel)"},
			Deps: []*debug.Module{dep("golang.org/x/oauth2", "v0.36.0", nil), nil, dep(thisModule, "v0.3.1", nil)}}, true, "0.3.1"},
		{"dependency replaced by a version", &debug.BuildInfo{Main: debug.Module{Path: "example.com/billing"},
			Deps: []*debug.Module{dep(thisModule, "v0.3.1", dep("example.com/fork/productupgrades", "v0.3.2-fix", nil))}}, true, "0.3.2-fix"},
		{"dependency replaced by a directory", &debug.BuildInfo{Main: debug.Module{Path: "example.com/billing"},
			Deps: []*debug.Module{dep(thisModule, "v0.3.1", dep("../productupgrades", "(devel)", nil))}}, true, client.FallbackVersion},
		{"dependency replaced by a directory, old toolchain", &debug.BuildInfo{Main: debug.Module{Path: "example.com/billing"},
			Deps: []*debug.Module{dep(thisModule, "v0.3.1", dep("../productupgrades", "", nil))}}, true, client.FallbackVersion},
		{"dependency, work tree", &debug.BuildInfo{Main: debug.Module{Path: "example.com/billing"},
			Deps: []*debug.Module{dep(thisModule, "(devel)", nil)}}, true, client.FallbackVersion},
		{"not in the build", &debug.BuildInfo{Main: debug.Module{Path: "example.com/billing", Version: "v1.0.0"},
			Deps: []*debug.Module{dep(thisModule+"/v2", "v2.0.0", nil)}}, true, client.FallbackVersion},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, client.VersionFrom(tc.bi, tc.ok))
		})
	}
}

func TestVersion_IsThisBinarysAndTheUserAgentsValue(t *testing.T) {
	t.Parallel()
	assert.Equal(t, client.VersionFrom(debug.ReadBuildInfo()), client.Version)
	assert.NotEmpty(t, client.Version)
	assert.NotContains(t, client.Version, "(devel)")
	assert.Equal(t, client.UserAgentFor(client.Version), client.UserAgent)
	assert.Equal(t, "productupgrades-go/"+client.Version+" (+github.com/partnercenter-go/productupgrades)", client.UserAgent)

	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, `{"customerId":"`+testCustomerID+`","isEligible":true,"productFamily":"Azure"}`)
	})
	c := newClient(t, srv.URL)
	_, err := c.CheckEligibility(context.Background(), testRequest())
	require.NoError(t, err)
	assert.Equal(t, client.UserAgent, srv.Requests()[0].Header.Get("User-Agent"))
}
