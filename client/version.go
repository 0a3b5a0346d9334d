package client

import (
	"runtime/debug"
	"strings"
)

// modulePath is this module's path, looked up in the build information.
const modulePath = "github.com/partnercenter-go/productupgrades"

// fallbackVersion is Version when the build information names no version of this module: a
// build from a work tree ("(devel)"), a dependency replaced by a directory ("(devel)"), or
// no build information.
const fallbackVersion = "0.1.0"

// Version is the version of this module, without the leading "v" (for example "0.1.0"), as
// the build information of the running program records it: the main module's version when
// this module is the main module, else the version of the dependency
// github.com/partnercenter-go/productupgrades, or of its replacement when a replace directive
// names another module version. When the build information has none (a build from a work
// tree, or a replace directive that names a directory, reports "(devel)"), it is the version
// this source was released as, 0.1.0. It is set once, when the program starts, and is
// the version sent in UserAgent; treat it as read-only.
var Version = versionFrom(debug.ReadBuildInfo())

// UserAgent is the User-Agent header the client sends; it names this module and Version.
// Clients made by New read it then; treat it as read-only.
var UserAgent = userAgent(Version)

// userAgent returns the User-Agent header for version v.
func userAgent(v string) string {
	return "productupgrades-go/" + v + " (+" + modulePath + ")"
}

// versionFrom returns this module's version as bi records it (see Version), or
// fallbackVersion.
func versionFrom(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return fallbackVersion
	}
	v := ""
	if bi.Main.Path == modulePath {
		v = bi.Main.Version
	} else {
		for _, d := range bi.Deps {
			if d == nil || d.Path != modulePath {
				continue
			}
			v = d.Version
			if d.Replace != nil {
				v = d.Replace.Version // "(devel)" when replaced by a directory
			}
			break
		}
	}
	if v == "" || v == "(devel)" {
		return fallbackVersion
	}
	return strings.TrimPrefix(v, "v")
}
