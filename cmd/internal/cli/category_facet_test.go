package cli

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gongkai/generator"
	"gongkai/search"
)

// TestSearchCategoryFacet: search's 类别 facet follows the disclosure
// directory of the sample portal. Selecting a first-level category finds
// exactly the published records whose primary category (the catalogue's) is
// in it; the facet is named by the theme's i18n, the results page links
// its values without JavaScript, and the static client counts the same.
func TestSearchCategoryFacet(t *testing.T) {
	out := buildSample(t)
	srv := serveOut(t, out)
	c, err := generator.Load(t.Context(), os.DirFS("../../.."), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{} // first-level category path → records
	under := map[string]string{}
	for _, r := range c.Published {
		cat := c.Primary(r)
		if cat == nil {
			continue
		}
		root := cat
		for root.Parent != nil {
			root = root.Parent
		}
		want[root.Path()]++
		under[r.URL] = cat.Path()
	}
	if len(want) < 10 {
		t.Fatalf("the sample's records fall into %d first-level categories, want at least 10: %v", len(want), want)
	}

	var queries []url.Values
	for path, n := range want {
		v := url.Values{"category": {path}, "size": {"50"}}
		queries = append(queries, v)
		var resp search.Response
		getJSON(t, srv.URL+"/api/search?"+v.Encode(), &resp)
		if resp.Total != n {
			t.Errorf("category=%s: %d results, want %d", path, resp.Total, n)
		}
		for _, res := range resp.Results {
			if p := under[res.URL]; p != path && !strings.HasPrefix(p, path+"/") {
				t.Errorf("category=%s found %s, whose category is %q", path, res.URL, p)
			}
		}
		f := facet(resp.Facets, "category")
		if f == nil {
			t.Errorf("category=%s: no category facet in %v", path, resp.Facets)
			continue
		}
		if f.Label != "类别" {
			t.Errorf("category facet label = %q, want 类别 (themes/default/i18n search_facet_category)", f.Label)
		}
		for _, fv := range f.Values {
			if fv.Value == path && (!fv.Active || fv.Count != n) {
				t.Errorf("category=%s: its facet value is %+v, want active with count %d", path, fv, n)
			}
		}
	}
	// The same with words, as the results page shows it.
	queries = append(queries, url.Values{"q": {"办法"}, "category": {"法规文件"}}, url.Values{"q": {"公告"}})

	t.Run("results page", func(t *testing.T) {
		v := url.Values{"category": {"法规文件"}}
		resp, err := http.Get(srv.URL + "/search?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		page := string(b)
		var api search.Response
		getJSON(t, srv.URL+"/api/search?"+v.Encode(), &api)
		f := facet(api.Facets, "category")
		if f == nil || len(f.Values) < 2 {
			t.Fatalf("category=法规文件: category facet %+v, want the first levels and the children of 法规文件", f)
		}
		if !strings.Contains(page, ">类别</h2>") {
			t.Errorf("results page of category=法规文件 has no 类别 facet heading")
		}
		for _, fv := range f.Values {
			u := strings.Replace(fv.URL, "/api/search", "/search", 1)
			if link := `<a href="` + html.EscapeString(u) + `"`; !strings.Contains(page, link) {
				t.Errorf("results page lacks the no-JS link %s for %s", link, fv.Value)
			}
		}
	})

	t.Run("static client", func(t *testing.T) {
		static := runStatic(t, out, "", queries)
		for i, v := range queries {
			var api search.Response
			getJSON(t, srv.URL+"/api/search?"+v.Encode(), &api)
			var got struct {
				Total  int            `json:"total"`
				Facets []search.Facet `json:"facets"`
			}
			if err := json.Unmarshal(static[i].raw, &got); err != nil {
				t.Fatal(err)
			}
			if got.Total != api.Total && !static[i].Approximate {
				t.Errorf("%s: static total %d, service %d", v.Encode(), got.Total, api.Total)
			}
			if diff := cmp.Diff(counts(facet(api.Facets, "category")), counts(facet(got.Facets, "category"))); diff != "" {
				t.Errorf("%s: category facet (-service +static):\n%s", v.Encode(), diff)
			}
		}
	})
}

func facet(fs []search.Facet, name string) *search.Facet {
	for i := range fs {
		if fs[i].Name == name {
			return &fs[i]
		}
	}
	return nil
}

func counts(f *search.Facet) map[string]int {
	if f == nil {
		return nil
	}
	out := map[string]int{}
	for _, v := range f.Values {
		out[v.Value] = v.Count
	}
	return out
}
