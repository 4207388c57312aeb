package generator

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// agencySite is site.txtar with agencies: replaced by block ("" removes
// it) and a profile for each of profiles: code → front matter lines that
// differ from a complete published profile.
func agencySite(t *testing.T, block string, profiles map[string]string) fstest.MapFS {
	t.Helper()
	fsys := siteFS(t, "site.txtar")
	site := string(fsys["content/site.yaml"].Data)
	start, end := strings.Index(site, "agencies:\n"), strings.Index(site, "topics:\n")
	if start < 0 || end < start {
		t.Fatal("site.txtar: no agencies: before topics:")
	}
	fsys["content/site.yaml"].Data = []byte(site[:start] + block + site[end:])
	names := map[string][2]string{"gov": {"测试市人民政府办公室", "MB0000001"}, "fgw": {"测试市发展和改革委员会", "MB0000002"}}
	for code, extra := range profiles {
		fields := map[string]string{"disclosure": "主动公开", "name": names[code][0], "org_code": names[code][1]}
		var lines []string
		for _, l := range strings.Split(extra, "\n") {
			if k, v, ok := strings.Cut(l, ": "); ok {
				fields[k] = v
			}
		}
		for _, k := range []string{"disclosure", "name", "org_code", "weight"} {
			if v, ok := fields[k]; ok {
				lines = append(lines, k+": "+v)
			}
		}
		src := "---\n" + strings.Join(lines, "\n") + `
date_published: 2024-01-02
address: 测试市人民路1号
hours: 工作日 9:00-17:00
phone: 028-00000000
leaders:
  - {name: 张三, post: 主任}
departments:
  - {name: 办公室}
---

主要职责。
`
		fsys["content/agencies/"+code+".md"] = &fstest.MapFile{Data: []byte(src), Mode: 0o644}
	}
	return fsys
}

// agencyProblems returns the problems about agencies: those of site.yaml's
// agencies: and office:, and those of the profiles.
func agencyProblems(c *Content) []string {
	var out []string
	for _, p := range c.Problems {
		if strings.HasPrefix(p.Field, "agencies") || p.Field == "office" || strings.HasPrefix(p.Pos.Path, "content/agencies/") {
			out = append(out, p.Error())
		}
	}
	return out
}

func TestAgencyProfileIsTheSource(t *testing.T) {
	both := map[string]string{"gov": "", "fgw": ""}
	for _, tc := range []struct {
		name     string
		block    string
		profiles map[string]string
		want     []string
		order    []string // the codes of Site.Agencies, when the load succeeds
	}{
		{name: "codes only", block: "agencies:\n  - code: gov\n  - code: fgw\n", profiles: both, order: []string{"gov", "fgw"}},
		{name: "no agencies: profiles by weight", block: "", profiles: map[string]string{"gov": "weight: 20", "fgw": "weight: 10"},
			order: []string{"fgw", "gov"}},
		{name: "a profile adds an agency after the listed ones", block: "agencies:\n  - code: gov\n", profiles: both, order: []string{"gov", "fgw"}},
		{name: "old site: same values are written twice",
			block: "agencies:\n  - code: gov\n  - code: fgw\n    name: 测试市发展和改革委员会\n    org_code: MB0000002\n", profiles: both,
			want: []string{
				"content/site.yaml:16: agencies[1].name: warning: name of fgw is in content/agencies/fgw.md now, its profile; remove it here and keep only code: (one source, no value written twice)",
				"content/site.yaml:17: agencies[1].org_code: warning: org_code of fgw is in content/agencies/fgw.md now, its profile; remove it here and keep only code: (one source, no value written twice)",
			}, order: []string{"gov", "fgw"}},
		{name: "old site without profiles keeps its names",
			block: "agencies:\n  - code: gov\n    name: 测试市人民政府办公室\n    org_code: MB0000001\n  - {code: fgw, name: 测试市发展和改革委员会, org_code: MB0000002}\n",
			order: []string{"gov", "fgw"}},
		{name: "a conflict is an error at both places",
			block: "agencies:\n  - code: gov\n  - code: fgw\n    name: 测试市发改委\n", profiles: both,
			want: []string{
				`content/agencies/fgw.md:3: name: "测试市发展和改革委员会" differs from "测试市发改委" in content/site.yaml:16; the profile is the single source, remove it there`,
				`content/site.yaml:16: agencies[1].name: "测试市发改委" differs from "测试市发展和改革委员会" in content/agencies/fgw.md:3, the agency's profile; remove it here and keep only code:`,
			}},
		{name: "a withheld profile names nothing",
			block: "agencies:\n  - code: gov\n  - code: fgw\n", profiles: map[string]string{"gov": "", "fgw": "disclosure: 不予公开\nname: 测试市发展和改革委员会WITHHELD"},
			want: []string{
				"content/site.yaml:15: agencies[1].name: required: write it in content/agencies/fgw.md, the agency's published profile (gongkai new agency -code fgw), or here",
				"content/site.yaml:15: agencies[1].org_code: required: write it in content/agencies/fgw.md, the agency's published profile (gongkai new agency -code fgw), or here",
			}},
		{name: "an unlisted withheld profile", block: "agencies:\n  - code: gov\n", profiles: map[string]string{"gov": "", "fgw": "disclosure: 依申请公开"},
			want: []string{
				`content/agencies/fgw.md:1: no agency with code "fgw": content/site.yaml agencies: does not list it, and a profile that is not published registers none; publish the profile, or add {code: fgw, name: 测试市发展和改革委员会, org_code: MB0000002} to agencies:`,
			}},
		{name: "no agency at all", block: "",
			want: []string{"content/site.yaml:1: agencies: at least one agency is required: list the codes here, or publish profiles in content/agencies/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := agencySite(t, tc.block, tc.profiles)
			if tc.block == "" && len(tc.profiles) == 0 {
				// office: names an agency; without any it is unknown too.
				fsys["content/site.yaml"].Data = []byte(strings.Replace(string(fsys["content/site.yaml"].Data), "office: gov\n", "", 1))
			}
			c, err := Load(context.Background(), fsys, buildDate)
			if err != nil {
				t.Fatal(err)
			}
			got := agencyProblems(c)
			var filtered []string
			for _, p := range got {
				// The records of an unknown agency are not the point here.
				if !strings.Contains(p, "unknown agency code") {
					filtered = append(filtered, p)
				}
			}
			if !slices.Equal(filtered, tc.want) {
				t.Errorf("problems:\n%s\nwant\n%s", strings.Join(filtered, "\n"), strings.Join(tc.want, "\n"))
			}
			if tc.order == nil {
				return
			}
			var order []string
			for _, a := range c.Site.AgencyList() {
				order = append(order, a.Code)
				want := map[string]string{"gov": "测试市人民政府办公室", "fgw": "测试市发展和改革委员会"}[a.Code]
				if a.Name != want || !strings.HasPrefix(a.OrgCode, "MB000000") {
					t.Errorf("agency %s: name %q, org code %q; want %q and MB000000…", a.Code, a.Name, a.OrgCode, want)
				}
			}
			if !slices.Equal(order, tc.order) {
				t.Errorf("agencies in order %v, want %v", order, tc.order)
			}
			if errs := c.Problems.Errors(); len(errs) > 0 {
				t.Errorf("errors: %v", errs)
			}
		})
	}
}

// TestWithheldProfileNamesNothing: the name in a withheld profile reaches no
// page: its agency has no name, and the build fails with the error above
// rather than publish the profile's words.
func TestWithheldProfileNamesNothing(t *testing.T) {
	fsys := agencySite(t, "agencies:\n  - code: gov\n  - code: fgw\n", map[string]string{"gov": "", "fgw": "disclosure: 不予公开\nname: 测试市发展和改革委员会WITHHELD"})
	c, err := Load(context.Background(), fsys, buildDate)
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Site.Agency("fgw"); a == nil || a.Name != "" {
		t.Errorf("fgw with a withheld profile = %+v, want no name", a)
	}
	if len(c.Problems.Errors()) == 0 {
		t.Error("a site whose agency has neither a name nor a published profile loads without errors")
	}
}
