package search

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		terms   []Term
		filters Filters
		notices []string
	}{
		{"empty", "", nil, Filters{}, nil},
		{"words", " 土地  征收\t补偿 ", []Term{{Text: "土地"}, {Text: "征收"}, {Text: "补偿"}}, Filters{}, nil},
		{"phrase", `"土地征收" 补偿`, []Term{{Text: "土地征收", Phrase: true}, {Text: "补偿"}}, Filters{}, nil},
		{"Chinese quotes", "“土地 征收”「补偿 标准」", []Term{{Text: "土地征收", Phrase: true}, {Text: "补偿标准", Phrase: true}}, Filters{}, nil},
		{"phrase keeps Latin spaces", `"open   government"`, []Term{{Text: "open government", Phrase: true}}, Filters{}, nil},
		{"exclusions", `税收 -营业税 -"增值 税"`, []Term{{Text: "税收"}, {Text: "营业税", Exclude: true}, {Text: "增值税", Phrase: true, Exclude: true}}, Filters{}, nil},
		{"full-width minus", "税收 －营业税", []Term{{Text: "税收"}, {Text: "营业税", Exclude: true}}, Filters{}, nil},
		{"lone minus is ignored", "税收 - 减免", []Term{{Text: "税收"}, {Text: "减免"}}, Filters{}, nil},
		{"unclosed quote is plain text", `"土地 征收`, []Term{{Text: "土地"}, {Text: "征收"}}, Filters{}, nil},
		{"quote inside a word splits it", `税收"减免"`, []Term{{Text: "税收"}, {Text: "减免", Phrase: true}}, Filters{}, nil},
		{"punctuation around words is dropped", "税收，减免。", []Term{{Text: "税收，减免"}}, Filters{}, nil},
		{"filters", "agency:成都市人民政府 year:2024 kind:policy topic:城乡建设 validity:有效 税收",
			[]Term{{Text: "税收"}}, Filters{Agency: "成都市人民政府", Year: "2024", Kind: "policy", Topic: "城乡建设", Validity: "有效"}, nil},
		{"Chinese filter names and full-width colon", "发文机关：成都市人民政府 年份:2024", nil, Filters{Agency: "成都市人民政府", Year: "2024"}, nil},
		{"quoted filter value", `agency:"成都市 人民政府" 税`, []Term{{Text: "税"}}, Filters{Agency: "成都市 人民政府"}, nil},
		{"unknown field is a word", "foo:bar", []Term{{Text: "foo:bar"}}, Filters{}, nil},
		{"empty filter is plain text", "agency: 税收", []Term{{Text: "agency"}, {Text: "税收"}}, Filters{}, nil},
		{"excluded filter is a word", "-year:2024", []Term{{Text: "year:2024", Exclude: true}}, Filters{}, nil},
		{"duplicates dropped", "税 税 税", []Term{{Text: "税"}}, Filters{}, nil},
		{"symbols only are ignored", "税收 ★★ 《》", []Term{{Text: "税收"}}, Filters{}, []string{MsgIgnoredTerm}},
		{"control characters are spaces", "税收\x00减免\x1f补贴", []Term{{Text: "税收"}, {Text: "减免"}, {Text: "补贴"}}, Filters{}, nil},
		{"invalid UTF-8", "税收\xff减免", []Term{{Text: "税收"}, {Text: "减免"}}, Filters{}, nil},
		{"too long", strings.Repeat("税", MaxQueryRunes+5), []Term{{Text: strings.Repeat("税", MaxQueryRunes)}}, Filters{}, []string{MsgQueryTooLong}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := ParseQuery(tt.in)
			if diff := cmp.Diff(tt.terms, q.Terms, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ParseQuery(%q).Terms (-want +got):\n%s", tt.in, diff)
			}
			if q.Filters != tt.filters {
				t.Errorf("ParseQuery(%q).Filters = %+v, want %+v", tt.in, q.Filters, tt.filters)
			}
			var codes []string
			for _, n := range q.Notices {
				codes = append(codes, n.Code)
			}
			if diff := cmp.Diff(tt.notices, codes, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ParseQuery(%q) notices (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestTooManyTerms(t *testing.T) {
	var words []string
	for i := range MaxTerms + 4 {
		words = append(words, "税"+strconv.Itoa(i))
	}
	q := ParseQuery(strings.Join(words, " "))
	if len(q.Terms) != MaxTerms || len(q.Notices) != 1 || q.Notices[0].Code != MsgTooManyTerms {
		t.Errorf("ParseQuery(%d words) = %d terms, notices %v; want %d and %s", len(words), len(q.Terms), q.Notices, MaxTerms, MsgTooManyTerms)
	}
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  Query
	}{
		{"defaults", "q=%E7%A8%8E", Query{Terms: []Term{{Text: "税"}}, Sort: SortRelevance, Page: 1, PageSize: DefaultPageSize}},
		{"everything", "q=%E7%A8%8E&agency=A&topic=T&kind=policy&year=2024&validity=%E6%9C%89%E6%95%88&sort=date&page=3&size=20",
			Query{Terms: []Term{{Text: "税"}}, Filters: Filters{Agency: "A", Topic: "T", Kind: "policy", Year: "2024", Validity: "有效"},
				Sort: SortDate, Page: 3, PageSize: 20}},
		{"bad values fall back", "sort=best&page=-2&size=abc", Query{Sort: SortRelevance, Page: 1, PageSize: DefaultPageSize}},
		{"page size capped", "size=1000", Query{Sort: SortRelevance, Page: 1, PageSize: MaxPageSize}},
		{"URL parameter wins over q filter", "q=year:2023&year=2024", Query{Filters: Filters{Year: "2024"}, Sort: SortRelevance, Page: 1, PageSize: DefaultPageSize}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ParseRequest(v), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ParseRequest(%s) (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestQueryURL(t *testing.T) {
	q := ParseQuery(`税收 "减免 政策" -营业税 agency:成都市人民政府`)
	q.Sort = SortDate
	q.Page = 2
	got := q.URL("/search")
	v, err := url.ParseQuery(strings.TrimPrefix(got, "/search?"))
	if err != nil {
		t.Fatal(err)
	}
	if back := ParseRequest(v); !cmp.Equal(back.Terms, q.Terms) || back.Filters != q.Filters || back.Sort != q.Sort || back.Page != 2 {
		t.Errorf("ParseRequest(%s) = %+v, want the query back: %+v", got, back, q)
	}
}

func TestParseDocNo(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"成委发〔2003〕38号", "成委发[2003]38号", true},
		{"成委发[2003]38号", "成委发[2003]38号", true},
		{"成委发［2003］38号", "成委发[2003]38号", true},
		{"成委发(2003)38号", "成委发[2003]38号", true},
		{"成委发（2003）38号", "成委发[2003]38号", true},
		{"成委发【2003】38号", "成委发[2003]38号", true},
		{"成委发2003年38号", "成委发[2003]38号", true},
		{"成委发〔2003〕第038号", "成委发[2003]38号", true},
		{"成委发 〔2003〕 38 号", "成委发[2003]38号", true},
		{"国办秘函〔2019〕19号", "国办秘函[2019]19号", true},
		{"成委发〔2003〕38", "成委发[2003]38号", true},
		{"成委发〔03〕38号", "", false},
		{"成委发〔2003〕号", "", false},
		{"〔2003〕38号", "", false},
		{"成委发", "", false},
		{"成委发(2003年38号", "", false},
		{"成委发〔2003〕38号文", "", false},
	}
	for _, tt := range tests {
		d, ok := parseDocNo(tt.in)
		got := ""
		if ok {
			got = d.key()
		}
		if ok != tt.wantOK || got != tt.want {
			t.Errorf("parseDocNo(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

// FuzzParseQuery checks that any input parses without panicking into a
// bounded query that formats back to itself.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "税收", `"土地 征收" -营业税 agency:"成都市 人民政府"`, "成委发〔2003〕38号",
		"year:2024 -", `"""`, "“「『", "－－税", strings.Repeat("税 ", 300), "\xff\x00:", "kind:", `agency:""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := ParseQuery(s)
		if len(q.Terms) > MaxTerms {
			t.Fatalf("ParseQuery(%q) has %d terms", s, len(q.Terms))
		}
		for _, term := range q.Terms {
			if term.Text == "" || !utf8.ValidString(term.Text) || !hasTokens(term.Text) {
				t.Fatalf("ParseQuery(%q) has bad term %q", s, term.Text)
			}
			if utf8.RuneCountInString(term.Text) > MaxQueryRunes {
				t.Fatalf("ParseQuery(%q) has over-long term", s)
			}
		}
		again := ParseQuery(q.String())
		if !cmp.Equal(q.Terms, again.Terms, cmpopts.EquateEmpty()) {
			t.Fatalf("ParseQuery(%q).String() = %q, which parses to %+v, want %+v", s, q.String(), again.Terms, q.Terms)
		}
		for _, w := range Analyze(q.Terms).Words { // must not panic either
			if len(w.Forms) == 0 {
				t.Fatalf("Analyze(%q) has word %q without forms", s, w.Text)
			}
			compileWord(w)
		}
	})
}

// FuzzParseDocNo checks that document numbers parse without panicking and
// that the canonical form parses to itself.
func FuzzParseDocNo(f *testing.F) {
	for _, s := range []string{"成委发〔2003〕38号", "成委发2003年第38号", "a(1234)5", "〔〕", "成(2003"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseDocNo(s)
		if !ok {
			return
		}
		d2, ok := parseDocNo(d.key())
		if !ok || d2 != d {
			t.Fatalf("parseDocNo(%q) = %+v, whose key %q parses to %+v, %v", s, d, d.key(), d2, ok)
		}
	})
}

// FuzzSearch runs arbitrary query parameters against a small index: no
// input may make Search fail or panic, and paging must stay in range.
func FuzzSearch(f *testing.F) {
	ix := buildIndex(f, sampleDocs())
	for _, s := range []string{"q=土地", "q=成委发〔2003〕38号&page=3", "q=-征收&kind=policy", "q=\"a b\"&year=1999&sort=date",
		"topic=城乡建设&size=1&page=9", "q=%ff%00", "q=" + strings.Repeat("税 ", 120)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q := ParseRequest(v)
		resp, err := ix.Search(t.Context(), q)
		if err != nil {
			t.Fatalf("Search(%q): %v", raw, err)
		}
		if resp.Page < 1 || resp.Pages > 0 && resp.Page > resp.Pages || len(resp.Results) > resp.PageSize || resp.Total < len(resp.Results) {
			t.Fatalf("Search(%q): page %d of %d, %d results of %d", raw, resp.Page, resp.Pages, len(resp.Results), resp.Total)
		}
	})
}
