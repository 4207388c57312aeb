package browsertest

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/generator"
)

var contentOnce struct {
	sync.Once
	c   *generator.Content
	err error
}

// content returns the sample portal's content as the generator reads it:
// the oracle for what the pages must show (navigation, titles, attachments).
func content(t testing.TB) *generator.Content {
	t.Helper()
	contentOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		contentOnce.c, contentOnce.err = generator.Load(ctx, os.DirFS(theSite.source), buildDate)
	})
	if contentOnce.err != nil {
		t.Fatalf("load content: %v", contentOnce.err)
	}
	return contentOnce.c
}

// samplePhrase returns a Chinese phrase a citizen would type: the first
// keyword of a sample policy that also appears in its title.
func samplePhrase(t testing.TB) string {
	t.Helper()
	for _, r := range content(t).ByKind("policy") {
		h := r.H()
		for _, k := range h.Keywords {
			if len([]rune(k)) >= 2 && strings.Contains(h.Title, k) {
				return k
			}
		}
	}
	t.Fatal("no sample policy has a keyword in its title")
	return ""
}

// policyPage returns the published policy whose page shows attachments, or
// the newest policy when none has any.
func policyPage(t testing.TB) *generator.Record {
	t.Helper()
	ps := content(t).ByKind("policy")
	if len(ps) == 0 {
		t.Fatal("the sample portal has no policy")
	}
	for _, r := range ps {
		if len(r.H().Attached) > 0 {
			return r
		}
	}
	return ps[0]
}

// policiesByStatus returns the first policy of each validity status, in
// the order 有效, 已修改, 失效, 废止.
func policiesByStatus(t testing.TB) []*generator.Record {
	t.Helper()
	var out []*generator.Record
	for _, st := range []string{"有效", "已修改", "失效", "废止"} {
		for _, r := range content(t).ByKind("policy") {
			if r.ValidityStatus() == st {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// policyWithInterpretation returns the site path of the first published
// policy that has an interpretation and a 落款 (a date as its last line).
func policyWithInterpretation(t testing.TB) string {
	t.Helper()
	for _, r := range content(t).ByKind("policy") {
		p, ok := r.Entry.(*generator.Policy)
		if !ok || len(p.Interps) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(r.Body)), "\n")
		if last := strings.TrimSpace(lines[len(lines)-1]); strings.HasSuffix(last, "日") && strings.Contains(last, "年") {
			return r.URL
		}
	}
	t.Fatal("no sample policy has both an interpretation and a 落款")
	return ""
}
