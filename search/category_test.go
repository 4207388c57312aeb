package search

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// categorized is sampleDocs with categories of the disclosure directory:
// the policies under 法规文件's children, the interpretation under 法规文件
// itself, the guide under 行政许可和政务服务/办事指南; the page has none.
func categorized() []Doc {
	docs := sampleDocs()
	cats := map[string]string{
		"/policy/cwf-2003-38.html":  "法规文件/行政规范性文件",
		"/policy/crf-2024-12.html":  "法规文件/其他文件",
		"/policy/old-1.html":        "法规文件/行政规范性文件",
		"/interpretation/jd-1.html": "法规文件",
		"/approval/tdz.html":        "行政许可和政务服务/办事指南",
	}
	for i := range docs {
		docs[i].Category = cats[docs[i].ID]
	}
	return docs
}

func categoryCounts(resp *Response) map[string]int {
	for _, f := range resp.Facets {
		if f.Name == "category" {
			out := map[string]int{}
			for _, v := range f.Values {
				out[v.Value] = v.Count
			}
			return out
		}
	}
	return nil
}

func TestCategoryFacet(t *testing.T) {
	ix := buildIndex(t, categorized())
	t.Run("first levels sum what is below them", func(t *testing.T) {
		resp := mustSearch(t, ix, ParseQuery("成都市"))
		want := map[string]int{"法规文件": 4, "行政许可和政务服务": 1}
		if diff := cmp.Diff(want, categoryCounts(resp)); diff != "" {
			t.Errorf("category counts (-want +got):\n%s", diff)
		}
		for _, f := range resp.Facets {
			if f.Name == "category" && f.Label != "类别" {
				t.Errorf("category facet label = %q, want 类别 (the theme's search_facet_category)", f.Label)
			}
		}
	})
	t.Run("a first level selects every category below it", func(t *testing.T) {
		q := ParseRequest(url.Values{"category": {"法规文件"}})
		resp := mustSearch(t, ix, q)
		got := ids(resp)
		slices.Sort(got)
		want := []string{"/interpretation/jd-1.html", "/policy/crf-2024-12.html", "/policy/cwf-2003-38.html", "/policy/old-1.html"}
		if !slices.Equal(got, want) {
			t.Errorf("category=法规文件 = %v, want %v", got, want)
		}
		wantCounts := map[string]int{"法规文件": 4, "行政许可和政务服务": 1, "法规文件/行政规范性文件": 2, "法规文件/其他文件": 1}
		if diff := cmp.Diff(wantCounts, categoryCounts(resp)); diff != "" {
			t.Errorf("category counts with category=法规文件 (-want +got):\n%s", diff)
		}
		for _, f := range resp.Filters {
			if f.Name == "category" && f.RemoveURL != "/search" {
				t.Errorf("remove URL of category=法规文件 = %q, want /search", f.RemoveURL)
			}
		}
	})
	t.Run("a leaf selects only itself", func(t *testing.T) {
		resp := mustSearch(t, ix, ParseRequest(url.Values{"q": {"征收"}, "category": {"法规文件/行政规范性文件"}}))
		got := ids(resp)
		slices.Sort(got)
		if want := []string{"/policy/cwf-2003-38.html", "/policy/old-1.html"}; !slices.Equal(got, want) {
			t.Errorf("征收 category=法规文件/行政规范性文件 = %v, want %v", got, want)
		}
	})
	t.Run("in the query text", func(t *testing.T) {
		for _, in := range []string{"类别:行政许可和政务服务 许可证", "category:行政许可和政务服务 许可证"} {
			q := ParseQuery(in)
			if q.Filters.Category != "行政许可和政务服务" {
				t.Errorf("ParseQuery(%q).Filters.Category = %q, want 行政许可和政务服务", in, q.Filters.Category)
			}
			if got := ids(mustSearch(t, ix, q)); !slices.Equal(got, []string{"/approval/tdz.html"}) {
				t.Errorf("%s = %v, want [/approval/tdz.html]", in, got)
			}
		}
	})
	t.Run("facet links carry the category", func(t *testing.T) {
		resp := mustSearch(t, ix, ParseQuery("成都市"))
		var links []string
		for _, f := range resp.Facets {
			if f.Name == "category" {
				for _, v := range f.Values {
					links = append(links, v.URL)
				}
			}
		}
		want := []string{
			"/search?category=%E6%B3%95%E8%A7%84%E6%96%87%E4%BB%B6&q=%E6%88%90%E9%83%BD%E5%B8%82",
			"/search?category=%E8%A1%8C%E6%94%BF%E8%AE%B8%E5%8F%AF%E5%92%8C%E6%94%BF%E5%8A%A1%E6%9C%8D%E5%8A%A1&q=%E6%88%90%E9%83%BD%E5%B8%82",
		}
		if diff := cmp.Diff(want, links); diff != "" {
			t.Errorf("category facet links (-want +got):\n%s", diff)
		}
	})
	t.Run("unknown category", func(t *testing.T) {
		resp := mustSearch(t, ix, ParseRequest(url.Values{"category": {"火星事务"}}))
		if resp.Total != 0 || !hasMessage(resp, MsgUnknownFilter) {
			t.Errorf("category=火星事务: Total = %d, messages %v; want 0 and %s", resp.Total, resp.Messages, MsgUnknownFilter)
		}
	})
}

// TestCategoryLeavesRankingAlone: categories are a facet only; the same
// queries find the same documents with the same scores with and without them.
func TestCategoryLeavesRankingAlone(t *testing.T) {
	plain, withCats := buildIndex(t, sampleDocs()), buildIndex(t, categorized())
	for _, in := range []string{"成都市", "征收", "土地征收管理办法", "成委发〔2003〕38号", "许可证", "开放数据"} {
		a, b := mustSearch(t, plain, ParseQuery(in)), mustSearch(t, withCats, ParseQuery(in))
		if len(a.Results) != len(b.Results) {
			t.Errorf("%s: %d results without categories, %d with", in, len(a.Results), len(b.Results))
			continue
		}
		for i := range a.Results {
			if a.Results[i].ID != b.Results[i].ID || a.Results[i].Score != b.Results[i].Score {
				t.Errorf("%s: result %d = %s (%v) without categories, %s (%v) with", in, i,
					a.Results[i].ID, a.Results[i].Score, b.Results[i].ID, b.Results[i].Score)
			}
		}
	}
}

// TestCategoryRebuild: a document whose category changed but whose text did
// not (same Hash) is reused, and still shows its new category.
func TestCategoryRebuild(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	docs := categorized()
	if _, err := Build(context.Background(), first, "", docs, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	docs[4].Category = "办事服务"
	stats, err := Build(context.Background(), second, first, docs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Reused != len(docs) {
		t.Errorf("rebuild reused %d of %d documents, want all", stats.Reused, len(docs))
	}
	ix, err := Open(second)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	resp := mustSearch(t, ix, ParseRequest(url.Values{"category": {"办事服务"}}))
	if got := ids(resp); !slices.Equal(got, []string{"/approval/tdz.html"}) {
		t.Errorf("category=办事服务 after the rebuild = %v, want [/approval/tdz.html]", got)
	}
}
