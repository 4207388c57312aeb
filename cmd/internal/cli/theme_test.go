package cli

import (
	"os"
	"path/filepath"
	"testing"

	"gongkai/generator"
)

// TestLoadThemeWarm checks that a live preview's builds take the theme
// kept in their generator.Warm while the site's theme files are the
// same, load it again when one changes, and that a build without a Warm
// always loads it.
func TestLoadThemeWarm(t *testing.T) {
	src := t.TempDir()
	i18n := filepath.Join(src, "theme", "i18n", "zh-CN.yaml")
	if err := os.MkdirAll(filepath.Dir(i18n), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(i18n, []byte("search: "+s+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	load := func(sf siteFlags) *generator.Theme {
		t.Helper()
		th, err := loadThemeWarm(sf)
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	write("搜一搜")
	sf := siteFlags{source: src, warm: generator.NewWarm()}
	first := load(sf)
	if got := first.T("search"); got != "搜一搜" {
		t.Fatalf("T(search) = %q", got)
	}
	if again := load(sf); again != first {
		t.Error("the theme was loaded again though no theme file changed")
	}
	write("搜二搜")
	changed := load(sf)
	if changed == first || changed.T("search") != "搜二搜" {
		t.Errorf("after an edit of the theme: the same theme %t, T(search) = %q", changed == first, changed.T("search"))
	}
	if cold := load(siteFlags{source: src}); cold == changed || cold.T("search") != "搜二搜" {
		t.Errorf("without a Warm: the kept theme %t, T(search) = %q", cold == changed, cold.T("search"))
	}
}
