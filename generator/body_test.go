package generator

import (
	"strings"
	"sync"
	"testing"
)

func TestBodiesRenderOnce(t *testing.T) {
	k := &Kind{Name: "page"}
	a := &Record{Kind: k, Path: "content/pages/a.md", Body: []byte("# 标题\n\n正文**加粗**。\n"), Entry: &PlainPage{}}
	b := &Record{Kind: k, Path: "content/pages/b.md", Body: []byte("另一页。\n"), Entry: &PlainPage{}}
	bs := newBodies(newMarkdown(false, "/"), []*Record{a, b}, true)
	const feeds = 7
	for range feeds {
		bs.need(a)
	}
	var wg sync.WaitGroup
	got := make([]string, feeds+1)
	for i := range feeds + 1 {
		wg.Go(func() {
			h, err := bs.html(a)
			if err != nil {
				t.Error(err)
			}
			got[i] = h
		})
	}
	wg.Wait()
	for i, h := range got {
		if !strings.Contains(h, "<strong>加粗</strong>") {
			t.Errorf("consumer %d got %q", i, h)
		}
	}
	if s := bs.slots[a]; s.html != "" {
		t.Errorf("the HTML is kept after its last consumer: %q", s.html)
	}
	if _, err := bs.html(a); err == nil {
		t.Error("a consumer beyond the planned ones got no error")
	}
	if bs.texts[0] != "标题\n正文加粗。\n" {
		t.Errorf("text of a = %q", bs.texts[0])
	}
	if bs.texts[1] != "" {
		t.Errorf("text of b before its page rendered = %q", bs.texts[1])
	}
	if h, err := bs.html(b); err != nil || h != "<p>另一页。</p>\n" || bs.texts[1] != "另一页。\n" {
		t.Errorf("b: %q, %v, text %q", h, err, bs.texts[1])
	}
	if _, err := bs.html(&Record{Path: "content/pages/c.md"}); err == nil {
		t.Error("a record that is not published rendered")
	}
}
