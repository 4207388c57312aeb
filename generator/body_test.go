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
	texts := make([]string, 2)
	bs := newBodies(newMarkdown(false, "/"), []*Record{a, b}, texts, make([][]string, 2), nil)
	const feeds = 7
	for range feeds {
		bs.need(a)
	}
	var wg sync.WaitGroup
	got := make([]string, feeds+1)
	for i := range feeds + 1 {
		wg.Go(func() {
			h, _, err := bs.get(a)
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
	if s := bs.slots[a]; s.html != "" || s.text != "" {
		t.Errorf("the HTML and text are kept after their last consumer: %q, %q", s.html, s.text)
	}
	if h := bs.headings[0]; len(h) != 1 || h[0] != "标题" {
		t.Errorf("headings of a = %q", h)
	}
	if _, _, err := bs.get(a); err == nil {
		t.Error("a consumer beyond the planned ones got no error")
	}
	if texts[0] != "标题\n正文加粗。\n" {
		t.Errorf("text of a = %q", texts[0])
	}
	if texts[1] != "" {
		t.Errorf("text of b before its page rendered = %q", texts[1])
	}
	if h, _, err := bs.get(b); err != nil || h != "<p>另一页。</p>\n" || texts[1] != "另一页。\n" {
		t.Errorf("b: %q, %v, text %q", h, err, texts[1])
	}
	if _, _, err := bs.get(&Record{Path: "content/pages/c.md"}); err == nil {
		t.Error("a record that is not published rendered")
	}
}
