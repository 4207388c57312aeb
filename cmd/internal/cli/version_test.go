package cli

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionLine: the module version and VCS stamp of the binary, as
// `go build` records them in a git checkout (debug.ReadBuildInfo).
func TestVersionLine(t *testing.T) {
	stamped := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "gongkai", Version: "v0.0.0-20261202034735-901969029e6f"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "901969029e6f07cd2475db10e471f2fec2bb26e7"},
			{Key: "vcs.time", Value: "2026-12-02T03:47:35Z"}, {Key: "vcs.modified", Value: "false"}}}
	for _, tc := range []struct {
		name, linked string
		bi           *debug.BuildInfo
		want         string
	}{
		{"stamped", "dev", stamped, "gongkai v0.0.0-20261202034735-901969029e6f revision 901969029e6f 2026-12-02T03:47:35Z go1.26.0"},
		{"release set at link time", "v1.2.0", stamped, "gongkai v1.2.0 revision 901969029e6f 2026-12-02T03:47:35Z go1.26.0"},
		{"modified", "dev", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}},
			"gongkai (devel) revision abc+modified go1.26.0"},
		{"no VCS", "dev", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}},
			"gongkai (devel) revision unknown (built without VCS information) go1.26.0"},
		{"no build information", "dev", nil, "gongkai dev (no build information)"},
	} {
		if got := versionLine(tc.linked, tc.bi); got != tc.want {
			t.Errorf("%s: versionLine = %q, want %q", tc.name, got, tc.want)
		}
	}
	// The test binary has build information: its Go version shows.
	code, stdout, _ := run(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "gongkai ") || !strings.HasSuffix(strings.TrimSpace(stdout), runtime.Version()) {
		t.Errorf("gongkai version: exit %d, %q; want a line ending in %s", code, stdout, runtime.Version())
	}
}
