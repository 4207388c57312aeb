package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/generator"
)

// flagNames returns the flags a usage text lists.
func flagNames(usage string) []string {
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(usage, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return names
}

// TestNewEveryKind scaffolds one record of every kind into the tiny site:
// each lands in its kind's folder under a name from its index number or
// slug, decodes cleanly (no YAML, unknown-key or type errors: only blanks
// to fill in), and `new KIND -h` lists only the flags that apply to it.
func TestNewEveryKind(t *testing.T) {
	site := writeSite(t, tinySite)
	kinds := newKinds()
	if got, want := len(kinds), len(generator.KindNames()); got != want || got == 0 {
		t.Fatalf("new knows %d kinds, the generator %d", got, want)
	}
	created := map[string]string{} // file → kind
	for _, nk := range kinds {
		name := nk.k.Name
		t.Run(name, func(t *testing.T) {
			code, _, usage := run(t, "new", name, "-h")
			if code != 0 {
				t.Fatalf("new %s -h: exit %d", name, code)
			}
			want := []string{"date", "source"}
			args := []string{"new", name, "测试" + name, "-source", site, "-date", "2024-12-01"}
			if nk.agency {
				want = append(want, "agency")
				args = append(args, "-agency", "gov")
			}
			if nk.slug {
				want = append(want, "slug")
			}
			if nk.code {
				want = append(want, "code")
			}
			slices.Sort(want)
			if got := flagNames(usage); !slices.Equal(got, want) {
				t.Errorf("new %s -h lists %v, want %v\n%s", name, got, want, usage)
			}
			if nk.slug {
				if code, _, stderr := run(t, args...); code != 2 || !strings.Contains(stderr, "-slug is required") {
					t.Errorf("new %s without -slug: exit %d, want 2 asking for it\n%s", name, code, stderr)
				}
				if code, _, _ := run(t, append(args, "-slug", "Bad Slug")...); code != 2 {
					t.Errorf("new %s -slug 'Bad Slug': exit %d, want 2", name, code)
				}
				args = append(args, "-slug", "new-"+name)
			} else if nk.code {
				if code, _, stderr := run(t, args...); code != 2 || !strings.Contains(stderr, "-code is required") {
					t.Errorf("new %s without -code: exit %d, want 2 asking for it\n%s", name, code, stderr)
				}
				if code, _, _ := run(t, append(args, "-code", "Bad Code")...); code != 2 {
					t.Errorf("new %s -code 'Bad Code': exit %d, want 2", name, code)
				}
				if code, _, stderr := run(t, append(args, "-code", "x", "-slug", "x")...); code != 2 || !strings.Contains(stderr, "-slug does not apply") {
					t.Errorf("new %s -code x -slug x: exit %d, want 2 saying -slug does not apply\n%s", name, code, stderr)
				}
				args = append(args, "-code", "new-"+name)
			} else if code, _, stderr := run(t, append(args, "-slug", "x")...); code != 2 || !strings.Contains(stderr, "-slug does not apply") {
				t.Errorf("new %s -slug x: exit %d, want 2 saying it does not apply\n%s", name, code, stderr)
			}
			code, stdout, stderr := run(t, args...)
			if code != 0 {
				t.Fatalf("new %s: exit %d\n%s", name, code, stderr)
			}
			m := regexp.MustCompile(`created (\S+)`).FindStringSubmatch(stdout)
			if m == nil {
				t.Fatalf("new %s printed no file: %s", name, stdout)
			}
			rel, err := filepath.Rel(site, m[1])
			if err != nil {
				t.Fatal(err)
			}
			rel = filepath.ToSlash(rel)
			if dir := "content/" + nk.k.Dir + "/"; !strings.HasPrefix(rel, dir) {
				t.Errorf("new %s wrote %s, want a file in %s", name, rel, dir)
			}
			text, err := os.ReadFile(m[1])
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(text), "测试"+name) {
				t.Errorf("%s lacks the title", rel)
			}
			if nk.slug && !strings.Contains(string(text), `slug: "new-`+name+`"`) {
				t.Errorf("%s lacks the slug\n%s", rel, text)
			}
			if nk.code && rel != "content/"+nk.k.Dir+"/new-"+name+".md" {
				t.Errorf("new %s -code new-%s wrote %s, want the file named by the code", name, name, rel)
			}
			created[rel] = name
		})
	}
	// Every scaffold decodes: what check reports on them are blanks.
	c, err := generator.Load(t.Context(), os.DirFS(site), mustDate(t, "2024-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	for rel, name := range created {
		found := false
		for _, r := range c.Records {
			found = found || r.Path == rel
		}
		if !found {
			t.Errorf("new %s: %s is not read as a record", name, rel)
		}
	}
	for _, p := range c.Problems {
		if _, ok := created[p.Pos.Path]; !ok {
			continue
		}
		if p.Field == "yaml" || strings.Contains(p.Msg, "unknown key") || strings.Contains(p.Msg, "want a") {
			t.Errorf("a scaffold does not decode cleanly: %s", p.Error())
		}
	}
	// Two scaffolds of a kind with index numbers take the next serials.
	_, out1, _ := run(t, "new", "policy", "一", "-source", site, "-date", "2024-12-01")
	_, out2, _ := run(t, "new", "policy", "二", "-source", site, "-date", "2024-12-01")
	if out1 == out2 || !strings.Contains(out1, "index number") {
		t.Errorf("two new policies:\n%s\n%s", out1, out2)
	}
	// A slug already taken is refused.
	for _, nk := range kinds {
		if nk.slug {
			if code, _, stderr := run(t, "new", nk.k.Name, "又一个", "-source", site, "-date", "2024-12-01", "-slug", "new-"+nk.k.Name); code == 0 {
				t.Errorf("new %s with a slug already used: exit 0\n%s", nk.k.Name, stderr)
			}
		}
	}
	// `new -h` names every kind and no build flag.
	_, _, usage := run(t, "new", "-h")
	for _, name := range generator.KindNames() {
		if !strings.Contains(usage, "  "+name+" ") {
			t.Errorf("new -h does not list %s:\n%s", name, usage)
		}
	}
	for _, f := range []string{"-out", "-base-url", "-preview", "-no-precompress"} {
		if strings.Contains(usage, f) {
			t.Errorf("new -h lists the build flag %s", f)
		}
	}
}

// TestNewAgencyOldSite: on a site whose site.yaml still gives an agency its
// name and org_code, `new agency -code` writes the profile with that org
// code filled in and says what to remove from site.yaml; until it is
// removed, check warns at the site.yaml lines (the site still builds), and
// once it is, the profile alone names the agency. A second profile of the
// same code is refused, and -agency does not apply.
func TestNewAgencyOldSite(t *testing.T) {
	site := writeSite(t, tinySite)
	args := []string{"new", "agency", "测试市发展和改革委员会", "-code", "fgw", "-source", site, "-date", "2024-01-01"}
	code, stdout, stderr := run(t, args...)
	if code != 0 {
		t.Fatalf("new agency: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "Remove name: and org_code: of fgw from content/site.yaml") {
		t.Errorf("new agency on an old site does not say what to remove:\n%s", stdout)
	}
	path := filepath.Join(site, "content", "agencies", "fgw.md")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), `org_code: "MB0000002"`) || !strings.Contains(string(text), `name: "测试市发展和改革委员会"`) {
		t.Errorf("the profile lacks the name or the org code site.yaml gives:\n%s", text)
	}
	if code, _, stderr := run(t, args...); code != 1 || !strings.Contains(stderr, "exists") {
		t.Errorf("new agency -code fgw again: exit %d, want 1 (file exists)\n%s", code, stderr)
	}
	if code, _, stderr := run(t, append(args[:len(args):len(args)], "-agency", "gov")...); code != 2 || !strings.Contains(stderr, "-agency does not apply") {
		t.Errorf("new agency -agency gov: exit %d, want 2\n%s", code, stderr)
	}
	// Fill in the profile as an editor would.
	filled := strings.NewReplacer(`address: ""`, `address: 测试市人民路2号`, `hours: ""`, `hours: 工作日`, `phone: ""`, `phone: 028-22222222`,
		`  - name: ""`+"\n"+`    post: ""`, "  - name: 李四\n    post: 主任", `    duties: ""`+"\n---", "    duties: 日常运转。\n---").Replace(string(text))
	filled = strings.Replace(filled, "departments:            # 内设机构\n  - name: \"\"", "departments:            # 内设机构\n  - name: 办公室", 1)
	if err := os.WriteFile(path, []byte(filled+"主要职责。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := generator.Load(t.Context(), os.DirFS(site), mustDate(t, "2024-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Problems {
		if p.Pos.Path == "content/agencies/fgw.md" || strings.HasPrefix(p.Field, "agencies[1]") {
			got = append(got, p.Error())
		}
	}
	want := []string{
		"content/site.yaml:21: agencies[1].name: warning: name of fgw is in content/agencies/fgw.md now, its profile; remove it here and keep only code: (one source, no value written twice)",
		"content/site.yaml:22: agencies[1].org_code: warning: org_code of fgw is in content/agencies/fgw.md now, its profile; remove it here and keep only code: (one source, no value written twice)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("check of the old site with the new profile:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	sf := siteFlags{date: s}
	d, err := sf.buildDate()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
