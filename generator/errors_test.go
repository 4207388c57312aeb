package generator

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestErrorFormat(t *testing.T) {
	c, err := Load(context.Background(), siteFS(t, "errors.txtar"), buildDate)
	if err != nil {
		t.Fatal(err)
	}
	var x []string
	other := map[string][]string{}
	for _, p := range c.Problems {
		if p.Pos.Path == "content/policies/x.md" {
			x = append(x, p.Error())
		} else {
			other[p.Pos.Path] = append(other[p.Pos.Path], p.Error())
		}
	}
	want := []string{
		`content/policies/x.md:7: doc_no: write the year in 〔〕 brackets: "测府发〔2024〕1号" (got "测府发[2024]1号")`,
		`content/policies/x.md:9: date_published: 2024-03-01 is before date_written 2024-03-10`,
		`content/policies/x.md:10: topic: unknown topic "环保"; topics are declared in content/site.yaml as 一级 or 一级/二级`,
		`content/policies/x.md:11: validity.decided_by: required for 废止: the deciding document (index number or document number)`,
		`content/policies/x.md:14: tittle: unknown key (did you mean "title"?)`,
	}
	if diff := cmp.Diff(want, x); diff != "" {
		t.Errorf("problems of x.md (-want +got):\n%s", diff)
	}
	y := other["content/policies/y.md"]
	if len(y) != 1 || !strings.HasPrefix(y[0], "content/policies/y.md:") || !strings.Contains(y[0], ": yaml: syntax error: ") {
		t.Errorf("y.md problems = %q, want one YAML syntax error with its line", y)
	}
	z := strings.Join(other["content/policies/z.md"], "\n")
	if !strings.Contains(z, "content/policies/z.md:1: disclosure: required: one of 主动公开, 依申请公开, 不予公开, 涉密") {
		t.Errorf("z.md problems lack the missing disclosure mode:\n%s", z)
	}
	if _, err := Render(context.Background(), c, Options{Out: t.TempDir(), Theme: theme(t)}); err == nil {
		t.Error("Render of content with errors succeeded, want the content errors")
	}
	if err := c.Problems.Err(); err == nil {
		t.Error("Problems.Err() = nil, want the errors")
	}
}

func TestErrorsAreSorted(t *testing.T) {
	c, err := Load(context.Background(), siteFS(t, "errors.txtar"), buildDate)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(c.Problems); i++ {
		a, b := c.Problems[i-1].Pos, c.Problems[i].Pos
		if a.Path > b.Path || (a.Path == b.Path && a.Line > b.Line) {
			t.Errorf("problem %d (%v) sorts after %d (%v)", i-1, a, i, b)
		}
	}
}

// TestUnknownValidityNoPanic: a policy whose validity status is not one of
// the statuses (an editor's typo) is reported with its line; planning the
// site to check the body links, which groups the policies by status, does
// not fail on it (it panicked once).
func TestUnknownValidityNoPanic(t *testing.T) {
	fsys := svcEdit(t, siteFS(t, "site.txtar"), "content/policies/a.md", "  status: 已修改", "  status: 已修改了")
	// A body with a link: the load plans the site only to check links.
	fsys = svcEdit(t, fsys, "content/policies/b.md", "修改正文。", "修改正文，见[政策文件](/policy/)。")
	c, err := Load(context.Background(), fsys, buildDate)
	if err != nil {
		t.Fatal(err)
	}
	perr := c.Problems.Err()
	if perr == nil || !strings.Contains(perr.Error(), "content/policies/a.md:13:") || !strings.Contains(perr.Error(), "已修改了") {
		t.Fatalf("want the status reported at content/policies/a.md:13, got %v", perr)
	}
}
