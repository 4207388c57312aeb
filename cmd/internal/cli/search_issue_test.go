package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/generator"
	"gongkai/search"
	"gongkai/themes"
)

// sampleServer builds the sample portal once per test and serves it.
func sampleServer(t *testing.T) *httptest.Server {
	t.Helper()
	return serveOut(t, buildSample(t))
}

// buildSample builds the sample portal, dated 2026-11-27, into a fresh
// folder and returns it.
func buildSample(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "public")
	var stderr bytes.Buffer
	if err := BuildSite(t.Context(), "../../..", out, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), io.Discard, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	return out
}

// serveOut serves the built site out (pages and search) until the test ends.
func serveOut(t *testing.T, out string) *httptest.Server {
	t.Helper()
	h, closer, err := SiteHandler(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closer.Close() })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestSearchLabelsFollowTheTheme: the results page and the API name every
// kind as the navigation does, and show no label key instead of text.
func TestSearchLabelsFollowTheTheme(t *testing.T) {
	srv := sampleServer(t)
	c, err := generator.Load(context.Background(), os.DirFS("../../.."), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	nav := map[string]string{} // URL → title
	for _, n := range c.Site.Nav {
		nav[n.URL] = n.Title
	}
	var resp search.Response
	getJSON(t, srv.URL+"/api/search?q="+url.QueryEscape("收费")+"&size=50", &resp)
	kinds := map[string]string{}
	for _, f := range resp.Facets {
		if f.Name == "kind" {
			for _, v := range f.Values {
				kinds[v.Value] = v.Label
			}
		}
	}
	for _, k := range generator.Kinds() {
		label, ok := kinds[k.Name]
		if title, inNav := nav[k.Section]; ok && inNav && label != title {
			t.Errorf("kind %s is labelled %q in search, %q in the navigation", k.Name, label, title)
		}
	}
	for _, r := range resp.Results {
		if r.KindLabel != kinds[r.Kind] {
			t.Errorf("%s: kind_label %q, facet label %q", r.URL, r.KindLabel, kinds[r.Kind])
		}
	}
	theme, err := generator.LoadTheme(themes.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range search.LabelKeys {
		if theme.T(k) == k {
			t.Errorf("the theme has no %s", k)
		}
	}
	for _, q := range []string{"养老补贴", "怎么投诉", "火星殖民计划", "汽车尾气年检"} {
		hr, err := http.Get(srv.URL + "/search?q=" + url.QueryEscape(q))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(hr.Body)
		hr.Body.Close()
		if i := bytes.Index(body, []byte("search_")); i >= 0 && !bytes.Contains(body[max(0, i-20):i], []byte("class")) {
			t.Errorf("/search?q=%s shows a label key: %q", q, body[max(0, i-40):min(len(body), i+40)])
		}
	}
}

// TestSearchIssueExamples runs the issue's examples through the HTTP API
// (the relevance set holds them too, with their expected records).
func TestSearchIssueExamples(t *testing.T) {
	srv := sampleServer(t)
	api := func(q string) search.Response {
		var r search.Response
		getJSON(t, srv.URL+"/api/search?size=10&q="+url.QueryEscape(q), &r)
		return r
	}
	msg := func(r search.Response, code string) *search.Message {
		for i := range r.Messages {
			if r.Messages[i].Code == code {
				return &r.Messages[i]
			}
		}
		return nil
	}
	// 怎么投诉: not a partial match; the five channels first; read as 投诉.
	r := api("怎么投诉")
	if r.Partial || len(r.Results) < 5 {
		t.Fatalf("怎么投诉: partial %v, %d results", r.Partial, len(r.Results))
	}
	for _, res := range r.Results[:5] {
		if res.Kind != "channel" {
			t.Errorf("怎么投诉: %s (%s) in the top 5", res.URL, res.Kind)
		}
	}
	if m := msg(r, search.MsgReading); m == nil || !strings.Contains(m.Text, "按“投诉”") || !strings.Contains(m.Text, "“怎么”") {
		t.Errorf("怎么投诉: reading message %+v", m)
	}
	if r.Reading == nil || r.Reading.Intent != search.IntentChannel || !slices.Equal(r.Reading.Dropped, []string{"怎么"}) {
		t.Errorf("怎么投诉: reading %+v", r.Reading)
	}
	// 汽车尾气检测多少钱: the fee first.
	if r := api("汽车尾气检测多少钱"); r.Total == 0 || r.Results[0].Kind != "fee" {
		t.Errorf("汽车尾气检测多少钱: %d results, first %+v", r.Total, r.Results)
	}
	// A date is one unit: 2019年4月3日 finds only the document with that date.
	if r := api("2019年4月3日"); r.Total != 1 {
		t.Errorf("2019年4月3日: %d results, want 1", r.Total)
	}
	// Every spelling of an order number finds the same document.
	for _, q := range []string{"国务院第711号令", "第711号令", "711号令", "国务院令第七百一十一号"} {
		if r := api(q); r.Total != 1 || r.Results[0].URL != "/policy/11519900mb1500002b-2024-00003.html" {
			t.Errorf("%s: %d results %+v", q, r.Total, r.Results)
		}
	}
	// Nothing found: other spellings, columns and the request page.
	r = api("火星殖民计划")
	if r.Total != 0 || msg(r, search.MsgApply) == nil || msg(r, search.MsgApply).Links[0].URL != "/apply/" {
		t.Errorf("火星殖民计划: %d results, messages %+v", r.Total, r.Messages)
	}
	r = api("养老服务补帖")
	if m := msg(r, search.MsgDidYouMean); m == nil || m.Links[0].Label != "养老服务补贴" {
		t.Errorf("养老服务补帖: did you mean %+v", m)
	}
	// No suggestion spans two metadata items (the stored text joins them
	// with spaces): 养老服务补帖 once offered "养老服务 养".
	if m := msg(r, search.MsgDidYouMean); m != nil {
		for _, l := range m.Links {
			if strings.Contains(l.Label, " ") {
				t.Errorf("养老服务补帖: did you mean %q, which spans two metadata items", l.Label)
			}
		}
	}
	// Snippets do not cut 70周岁.
	for _, res := range api("周岁以上老年人").Results {
		if strings.Contains(string(res.Snippet), "…0周岁") {
			t.Errorf("%s: snippet %s cuts 70周岁", res.URL, res.Snippet)
		}
	}
}
