package search

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on user input. Longer queries are cut (with a message) rather than
// refused, and a request never fails because of its query.
const (
	MaxQueryRunes   = 200
	MaxTerms        = 16
	maxFilterRunes  = 100
	DefaultPageSize = 10
	MaxPageSize     = 50
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortDate      = "date"
)

// Query is a parsed search request.
type Query struct {
	// Terms are the words and phrases to find. A document matches when it
	// contains every term that is not excluded and none that is.
	Terms []Term
	// Filters restrict results to one value of each facet; "" means any.
	Filters Filters
	// Sort is SortRelevance (the default) or SortDate (newest first).
	Sort string
	// Page is the 1-based page number; PageSize the results per page
	// (DefaultPageSize when 0, at most MaxPageSize).
	Page     int
	PageSize int
	// Notices are problems found while parsing, shown to the user.
	Notices []Message
}

// Term is one query term: a word, or a "quoted phrase". A term matches a
// document whose title, summary, body or metadata contains it as a substring,
// ignoring case and the difference between full-width and half-width forms.
type Term struct {
	Text    string `json:"text"`
	Phrase  bool   `json:"phrase,omitempty"`
	Exclude bool   `json:"exclude,omitempty"`
}

// Filters holds one selected value per facet.
type Filters struct {
	Kind     string `json:"kind,omitempty"`
	Agency   string `json:"agency,omitempty"`
	Topic    string `json:"topic,omitempty"`
	Year     string `json:"year,omitempty"`
	Validity string `json:"validity,omitempty"`
	Category string `json:"category,omitempty"`
}

func (f *Filters) get(i int) string {
	switch i {
	case facetKind:
		return f.Kind
	case facetAgency:
		return f.Agency
	case facetTopic:
		return f.Topic
	case facetYear:
		return f.Year
	case facetValidity:
		return f.Validity
	case facetCategory:
		return f.Category
	}
	return ""
}

func (f *Filters) set(i int, v string) {
	switch i {
	case facetKind:
		f.Kind = v
	case facetAgency:
		f.Agency = v
	case facetTopic:
		f.Topic = v
	case facetYear:
		f.Year = v
	case facetValidity:
		f.Validity = v
	case facetCategory:
		f.Category = v
	}
}

// filterKeys maps the field names accepted in query text (agency:…, 机关:…)
// to facets.
var filterKeys = map[string]int{
	"kind": facetKind, "类型": facetKind,
	"agency": facetAgency, "机关": facetAgency, "发文机关": facetAgency,
	"topic": facetTopic, "主题": facetTopic,
	"year": facetYear, "年份": facetYear,
	"validity": facetValidity, "有效性": facetValidity,
	"category": facetCategory, "类别": facetCategory,
}

// Message is a note for the user, such as "query too long" or "no results",
// with links that fix it.
type Message struct {
	Code  string `json:"code"`
	Text  string `json:"text"`
	Links []Link `json:"links,omitempty"`

	args []any // for Text, which the search fills in from the site's labels
}

// Link is a labelled URL.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Message codes.
const (
	MsgQueryTooLong  = "query_too_long"
	MsgTooManyTerms  = "too_many_terms"
	MsgIgnoredTerm   = "ignored_term"
	MsgUnknownFilter = "unknown_filter"
	MsgNoResults     = "no_results"
	MsgPartial       = "partial_match"
	MsgPageRange     = "page_out_of_range"
	MsgReading       = "query_reading"
	MsgDidYouMean    = "did_you_mean"
	MsgColumns       = "nearest_columns"
	MsgApply         = "apply"
)

// ParseQuery parses the text of a search box. The syntax is forgiving:
//
//	word                 documents containing word (any substring, in any field)
//	"a phrase"           documents containing the phrase; “ ” and 「 」 work too
//	-word, -"a phrase"   documents not containing it
//	agency:name          a filter; also kind:, topic:, year:, validity:, category:
//	                     and 机关:, 发文机关:, 类型:, 主题:, 年份:, 有效性:, 类别:
//
// Anything malformed (an unclosed quote, a lone -, an empty filter) is read
// as plain text. Text longer than MaxQueryRunes is cut, and terms beyond
// MaxTerms are dropped, each with a notice. ParseQuery never fails.
func ParseQuery(raw string) Query {
	var q Query
	raw = strings.ToValidUTF8(raw, " ")
	if utf8.RuneCountInString(raw) > MaxQueryRunes {
		raw = string([]rune(raw)[:MaxQueryRunes])
		q.Notices = append(q.Notices, Message{Code: MsgQueryTooLong, args: []any{MaxQueryRunes}})
	}
	rs := []rune(raw)
	for i, r := range rs {
		if r == segSep || unicode.IsControl(r) {
			rs[i] = ' '
		}
	}
	var ignored []string
	add := func(t Term) {
		if t.Phrase {
			t.Text = normalizePhrase(strings.Map(func(r rune) rune {
				if _, isQuote := quoteClose(r); isQuote || r == '”' || r == '」' || r == '』' {
					return ' '
				}
				return r
			}, t.Text))
		} else {
			t.Text = trimWord(t.Text)
		}
		if t.Text == "" {
			return
		}
		if !hasTokens(t.Text) {
			ignored = append(ignored, t.Text)
			return
		}
		for _, o := range q.Terms {
			if o == t {
				return
			}
		}
		q.Terms = append(q.Terms, t)
	}
	for i := 0; i < len(rs); {
		if isSpace(rs[i]) {
			i++
			continue
		}
		exclude := false
		if (rs[i] == '-' || rs[i] == '－') && i+1 < len(rs) && !isSpace(rs[i+1]) {
			exclude = true
			i++
		}
		if closeQ, ok := quoteClose(rs[i]); ok {
			if j := indexRune(rs, i+1, closeQ); j > i {
				add(Term{Text: string(rs[i+1 : j]), Phrase: true, Exclude: exclude})
				i = j + 1
				continue
			}
			i++ // an unclosed quote is ignored
			continue
		}
		j := i
		for j < len(rs) && !isSpace(rs[j]) {
			if _, ok := quoteClose(rs[j]); ok && j > i {
				break
			}
			j++
		}
		word := rs[i:j]
		i = j
		if !exclude {
			if f, val, next, ok := parseFilter(word, rs, i); ok {
				q.Filters.set(f, val)
				i = next
				continue
			}
		}
		add(Term{Text: string(word), Exclude: exclude})
	}
	if len(q.Terms) > MaxTerms {
		q.Terms = q.Terms[:MaxTerms]
		q.Notices = append(q.Notices, Message{Code: MsgTooManyTerms, args: []any{MaxTerms}})
	}
	if len(ignored) > 0 {
		q.Notices = append(q.Notices, Message{Code: MsgIgnoredTerm, args: []any{strings.Join(ignored, " ")}})
	}
	return q
}

// quoteClose returns the closing quote for an opening quote rune.
func quoteClose(r rune) (rune, bool) {
	switch r {
	case '"', '＂':
		return r, true
	case '“':
		return '”', true
	case '「':
		return '」', true
	case '『':
		return '』', true
	}
	return 0, false
}

func indexRune(rs []rune, from int, r rune) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r || r == '"' && rs[i] == '＂' || r == '＂' && rs[i] == '"' {
			return i
		}
	}
	return -1
}

// parseFilter reads word as key:value. A value may be quoted, in which case
// it may hold spaces and ends at the closing quote in rs; next is where
// parsing continues.
func parseFilter(word, rs []rune, i int) (facet int, value string, next int, ok bool) {
	k := -1
	for j, r := range word {
		if r == ':' || r == '：' {
			k = j
			break
		}
	}
	if k <= 0 {
		return 0, "", 0, false
	}
	facet, ok = filterKeys[strings.ToLower(string(word[:k]))]
	if !ok {
		return 0, "", 0, false
	}
	val := word[k+1:]
	next = i
	if len(val) == 0 && i < len(rs) {
		// key:"quoted value"
		if closeQ, isQ := quoteClose(rs[i]); isQ {
			if j := indexRune(rs, i+1, closeQ); j > i {
				val = rs[i+1 : j]
				next = j + 1
			}
		}
	}
	v := strings.TrimSpace(string(val))
	if v == "" || utf8.RuneCountInString(v) > maxFilterRunes {
		return 0, "", 0, false
	}
	return facet, v, next, true
}

// trimPunct are stripped from both ends of a word: a query typed as
// "税收，" means 税收.
const trimPunct = ",.;:!?'\"`，。、；：！？《》「」『』“”‘’…·"

func trimWord(s string) string {
	return strings.TrimRight(strings.TrimLeft(s, trimPunct+"-－ "), trimPunct+" ")
}

// normalizePhrase removes white space between CJK characters (Chinese text
// has none) and collapses the rest to single spaces.
func normalizePhrase(s string) string {
	rs := []rune(strings.TrimSpace(s))
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		if !isSpace(rs[i]) {
			b.WriteRune(rs[i])
			continue
		}
		j := i
		for j < len(rs) && isSpace(rs[j]) {
			j++
		}
		if !(i > 0 && isCJK(foldRune(rs[i-1])) && j < len(rs) && isCJK(foldRune(rs[j]))) {
			b.WriteByte(' ')
		}
		i = j - 1
	}
	return b.String()
}

// hasTokens reports whether s holds anything indexable: a letter, a digit or
// a CJK character.
func hasTokens(s string) bool {
	for _, r := range s {
		if classOf(foldRune(r)) != classSep {
			return true
		}
	}
	return false
}

// String formats the terms of q as query text that ParseQuery reads back to
// the same terms. Filters are not included: they travel as URL parameters.
func (q Query) String() string {
	var b strings.Builder
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		if t.Exclude {
			b.WriteByte('-')
		}
		if t.Phrase {
			b.WriteByte('"')
			b.WriteString(t.Text)
			b.WriteByte('"')
		} else {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// ParseRequest reads a query from URL parameters: q, the filters (agency,
// topic, kind, year, validity, category), sort, page and size. Unparseable values
// fall back to defaults.
func ParseRequest(v url.Values) Query {
	q := ParseQuery(v.Get("q"))
	for f := range numFacets {
		if val := strings.TrimSpace(strings.ToValidUTF8(v.Get(facetNames[f]), "")); val != "" {
			if utf8.RuneCountInString(val) > maxFilterRunes {
				val = string([]rune(val)[:maxFilterRunes])
			}
			q.Filters.set(f, val)
		}
	}
	if v.Get("sort") == SortDate {
		q.Sort = SortDate
	}
	if p, err := strconv.Atoi(v.Get("page")); err == nil && p > 0 {
		q.Page = p
	}
	if n, err := strconv.Atoi(v.Get("size")); err == nil && n > 0 {
		q.PageSize = n
	}
	return q.normalized()
}

// normalized applies defaults and limits.
func (q Query) normalized() Query {
	if q.Sort != SortDate {
		q.Sort = SortRelevance
	}
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PageSize <= 0 {
		q.PageSize = DefaultPageSize
	}
	if q.PageSize > MaxPageSize {
		q.PageSize = MaxPageSize
	}
	return q
}

// values encodes q as URL parameters.
func (q Query) values() url.Values {
	v := url.Values{}
	if s := q.String(); s != "" {
		v.Set("q", s)
	}
	for f := range numFacets {
		if val := q.Filters.get(f); val != "" {
			v.Set(facetNames[f], val)
		}
	}
	if q.Sort == SortDate {
		v.Set("sort", SortDate)
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.PageSize != 0 && q.PageSize != DefaultPageSize {
		v.Set("size", strconv.Itoa(q.PageSize))
	}
	return v
}

// URL returns base with q's parameters, e.g. "/search?q=税收&year=2024".
func (q Query) URL(base string) string {
	if e := q.values().Encode(); e != "" {
		return base + "?" + e
	}
	return base
}
