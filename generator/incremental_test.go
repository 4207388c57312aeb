package generator

import (
	"context"
	"testing"
	"testing/fstest"
	"time"
)

// TestFingerprint checks what the incremental build's fingerprint covers:
// a change to a record's front matter, a data file, site.yaml, an
// attachment's size, the date or the salt changes it; a change to a body
// or to an attachment's bytes (its size kept) does not, because those are
// tracked per output.
func TestFingerprint(t *testing.T) {
	date := time.Date(2024, 12, 1, 0, 0, 0, 0, China)
	base := siteFS(t, "site.txtar")
	fp := func(fsys fstest.MapFS, date time.Time, salt string) [32]byte {
		t.Helper()
		c, err := Load(context.Background(), fsys, date)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Problems.Err(); err != nil {
			t.Fatalf("content errors:\n%v", err)
		}
		g, err := c.fingerprint([]byte(salt), false)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g0 := fp(base, date, "")
	if g := fp(base, date, ""); g != g0 {
		t.Fatal("two loads of the same content give different fingerprints")
	}
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		date time.Time
		salt string
		same bool
	}{
		{"body", svcEdit(t, base, "content/policies/a.md", "第一条 为了测试", "第一条 为了再测试"), date, "", true},
		{"attachment bytes, same size", svcEdit(t, base, "content/attachments/form.csv", "甲,100", "乙,200"), date, "", true},
		{"title", svcEdit(t, base, "content/policies/a.md", "title: 测试市人民政府", "title: 测试市政府"), date, "", false},
		{"disclosure", svcEdit(t, base, "content/pages/contact.md", "disclosure: 主动公开", "disclosure: 依申请公开"), date, "", false},
		{"attachment size", svcEdit(t, base, "content/attachments/form.csv", "甲,100", "甲,1000"), date, "", false},
		{"calendar", svcEdit(t, base, "content/data/calendar.yaml", "20", "21"), date, "", false},
		{"site.yaml", svcEdit(t, base, "content/site.yaml", "base_url:", "# a comment\nbase_url:"), date, "", false},
		{"unreferenced file", svcEdit(t, base, "content/attachments/unreferenced.txt", "nobody", "no one"), date, "", false},
		{"date", base, date.AddDate(0, 0, 1), "", false},
		{"salt", base, date, "theme", false},
	} {
		if g := fp(tc.fsys, tc.date, tc.salt); (g == g0) != tc.same {
			t.Errorf("%s: fingerprint unchanged %v, want %v", tc.name, g == g0, tc.same)
		}
	}
}
