package cli

import (
	"testing"

	"gongkai/generator"
)

// TestGCPercent pins the collector's pace: a large site always collects
// often (its memory budget), a one-build process of a smaller site seldom
// unless its load parsed more than a tenth of the records anew, and a
// long-lived process at Go's default.
func TestGCPercent(t *testing.T) {
	large := generator.LargeSite + 1
	for _, c := range []struct {
		records, cached int
		oneBuild        bool
		want            int
	}{
		{-1, -1, true, 300},    // gongkai build, before the listing
		{10000, -1, true, 300}, // listed, not loaded
		{10000, 9999, true, 300},
		{10000, 9000, true, 300},
		{10000, 8999, true, 100}, // more than a tenth parsed anew
		{10000, 0, true, 100},    // first build, -full, program change
		{large, -1, true, 50},
		{large, large, true, 50},
		{-1, -1, false, 50}, // the preview's first build
		{10000, -1, false, 100},
		{10000, 10000, false, 100},
		{large, large, false, 50},
		{0, 0, true, 300}, // an empty site
	} {
		if got := gcPercent(c.records, c.cached, c.oneBuild); got != c.want {
			t.Errorf("gcPercent(%d, %d, %t) = %d, want %d", c.records, c.cached, c.oneBuild, got, c.want)
		}
	}
}
