package generator

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// buildFeedSite loads fsys as of date and renders it into a fresh folder, with
// prev as the previous live output (may be empty).
func buildFeedSite(t testing.TB, fsys fstest.MapFS, date time.Time, prev string) string {
	t.Helper()
	out, _, _ := renderSite(t, fsys, date, prev)
	return out
}

func TestReleasePage(t *testing.T) {
	out := buildFeedSite(t, siteFS(t, "feeds.txtar"), buildDate, "")
	d := readDoc(t, out, "release/mb0000003-2024-00801.html")
	meta := d.Find(".metadata dl").Text()
	for _, want := range []string{
		"MB0000003/2024-00801", "测试市财政局、测试市发展和改革委员会", "2024-03-06 15:30", "市财政局三楼会议室",
		"林晓梅（新闻发言人、副局长，测试市财政局）", "市政府新闻办副主任 陈静",
	} {
		if !strings.Contains(meta, want) {
			t.Errorf("release metadata lacks %q:\n%s", want, meta)
		}
	}
	if got, _ := d.Find(".metadata time").Attr("datetime"); got != "2024-03-06T15:30+08:00" {
		t.Errorf("time datetime = %q, want 2024-03-06T15:30+08:00", got)
	}
	if got, _ := d.Find(`meta[name="PubDate"]`).Attr("content"); got != "2024-03-06 15:30" {
		t.Errorf("PubDate = %q, want 2024-03-06 15:30", got)
	}
	if got := d.Find(`section.transcript .body table td`).First().Text(); got != "审核时限" {
		t.Errorf("transcript table cell = %q, want 审核时限", got)
	}
	var docs []string
	d.Find(`section[aria-labelledby="rdoc-h"] a`).Each(func(_ int, s *goquery.Selection) {
		docs = append(docs, s.AttrOr("href", ""))
	})
	if diff := cmp.Diff([]string{"/policy/mb0000001-2023-00001.html", "/policy/mb0000002-2024-00001.html"}, docs); diff != "" {
		t.Errorf("related documents (-want +got):\n%s", diff)
	}
	if got := d.Find(`section[aria-labelledby="rint-h"] a`).AttrOr("href", ""); got != "/interpretation/mb0000001-2023-00002.html" {
		t.Errorf("related interpretation = %q", got)
	}
	var media []string
	d.Find(`section[aria-labelledby="media-h"] li`).Each(func(_ int, s *goquery.Selection) {
		media = append(media, s.Find("a").AttrOr("href", "")+" "+s.Find(".meta").Text())
	})
	if diff := cmp.Diff([]string{"/releases/media/slides.pdf （PDF，21 B）", "/releases/media/photo.png （PNG，40 B）"}, media); diff != "" {
		t.Errorf("media (-want +got):\n%s", diff)
	}
	for _, f := range []string{"releases/media/slides.pdf", "releases/media/photo.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("media file %s was not copied", f)
		}
	}

	// Lists: all, by agency (a release of two agencies is in both) and by year.
	lists := []struct {
		file string
		want []string
	}{
		{"release/index.html", []string{"/release/mb0000001-2024-00801.html", "/release/mb0000003-2024-00801.html", "/release/mb0000002-2023-00801.html"}},
		{"release/agency/fgw/index.html", []string{"/release/mb0000003-2024-00801.html", "/release/mb0000002-2023-00801.html"}},
		{"release/agency/czj/index.html", []string{"/release/mb0000003-2024-00801.html"}},
		{"release/year/2023/index.html", []string{"/release/mb0000002-2023-00801.html"}},
		{"release/year/2024/index.html", []string{"/release/mb0000001-2024-00801.html", "/release/mb0000003-2024-00801.html"}},
	}
	for _, l := range lists {
		var got []string
		readDoc(t, out, l.file).Find("ul.items li > a").Each(func(_ int, s *goquery.Selection) {
			got = append(got, s.AttrOr("href", ""))
		})
		if diff := cmp.Diff(l.want, got); diff != "" {
			t.Errorf("%s items (-want +got):\n%s", l.file, diff)
		}
	}
	cat, err := os.ReadFile(filepath.Join(out, "catalogue.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cat), "MB0000003/2024-00801") || !strings.Contains(string(cat), "新闻发布") {
		t.Error("catalogue.csv lacks the release with its kind 新闻发布")
	}
}

// TestReleaseErrors checks each required element of a release and its
// references, with the exact position of every problem.
func TestReleaseErrors(t *testing.T) {
	const good = `---
disclosure: 主动公开
index_no: MB0000002/2024-00802
title: 发布会
summary: 概述。
agencies: [fgw]
date_published: 2024-04-01 10:00
place: 发布厅
spokesperson:
  name: 周立新
  post: 新闻发言人
  agency: fgw
documents: [MB0000001/2023-00001]
---

实录。
`
	tests := []struct {
		name       string
		old, repl  string
		wantErrors []string
	}{
		{"valid", "", "", nil},
		{"date without time", "2024-04-01 10:00", "2024-04-01",
			[]string{`content/releases/bad.md:7: date_published: a release needs its time as YYYY-MM-DD HH:MM (发布时间), got "2024-04-01"`}},
		{"no place", "place: 发布厅\n", "",
			[]string{`content/releases/bad.md:1: place: required (地点)`}},
		{"no spokesperson", "spokesperson:\n  name: 周立新\n  post: 新闻发言人\n  agency: fgw\n", "",
			[]string{`content/releases/bad.md:1: spokesperson: required (发布人): name, post and agency`}},
		{"spokesperson without post, unknown agency", "  post: 新闻发言人\n  agency: fgw\n", "  agency: xyz\n",
			[]string{
				`content/releases/bad.md:9: spokesperson.post: required (发布人职务)`,
				`content/releases/bad.md:11: spokesperson.agency: unknown agency code "xyz" (declared in content/site.yaml)`,
			}},
		{"document does not exist", "MB0000001/2023-00001]", "MB0000001/2023-00099]",
			[]string{`content/releases/bad.md:13: documents[0]: no policy record with index number or slug "MB0000001/2023-00099"`}},
		{"document is withheld", "MB0000001/2023-00001]", "MB0000001/2024-00009]",
			[]string{`content/releases/bad.md:13: documents[0]: refers to "MB0000001/2024-00009", which is not proactively disclosed`}},
		{"interpretation of the wrong kind", "documents: [MB0000001/2023-00001]", "interpretations: [MB0000001/2023-00001]",
			[]string{`content/releases/bad.md:13: interpretations[0]: no interpretation record with index number or slug "MB0000001/2023-00001"`}},
		{"empty transcript", "实录。\n", "",
			[]string{`content/releases/bad.md:15: the transcript (实录) is required as the Markdown body below the front matter`}},
		{"no index number", "index_no: MB0000002/2024-00802\n", "slug: bad\n",
			[]string{`content/releases/bad.md:1: index_no: required (索引号)`}},
		{"media file missing", "documents:", "media:\n  - {name: 照片, file: releases/media/none.jpg}\ndocuments:",
			[]string{`content/releases/bad.md:14: media[0].file: file content/releases/media/none.jpg does not exist`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := siteFS(t, "feeds.txtar")
			src := good
			if tt.old != "" {
				if !strings.Contains(src, tt.old) {
					t.Fatalf("case edits %q, which the release does not contain", tt.old)
				}
				src = strings.Replace(src, tt.old, tt.repl, 1)
			}
			fsys["content/releases/bad.md"] = &fstest.MapFile{Data: []byte(src)}
			c, err := Load(context.Background(), fsys, buildDate)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range c.Problems.Errors() {
				got = append(got, p.Error())
			}
			if diff := cmp.Diff(tt.wantErrors, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReleaseScaffold(t *testing.T) {
	k := (&Content{Kinds: Kinds()}).Kind("release")
	if k == nil {
		t.Fatal("no release kind in Kinds()")
	}
	text, err := Scaffold(k, ScaffoldData{Title: "新的发布会", IndexNo: "MB0000002/2024-00803", Agency: "fgw", Date: "2024-04-02"})
	if err != nil {
		t.Fatal(err)
	}
	fsys := siteFS(t, "feeds.txtar")
	// The scaffold leaves the place and the spokesperson blank for the editor.
	filled := strings.NewReplacer(`place: ""`, "place: 发布厅", `name: ""`, "name: 周立新", `post: ""`, "post: 新闻发言人",
		`summary: ""`, "summary: 概述。").Replace(string(text))
	fsys["content/releases/new.md"] = &fstest.MapFile{Data: []byte(filled)}
	c, err := Load(context.Background(), fsys, buildDate)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Problems.Err(); err != nil {
		t.Errorf("filled-in scaffold has errors:\n%v\n%s", err, filled)
	}
}
