package search

import (
	"cmp"
	"context"
	"html/template"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// Response is the outcome of a search, with everything a results page needs:
// URLs are ready to use and highlighted text is already escaped.
type Response struct {
	// Query is the query text for the search box; Terms are its parsed terms.
	Query string `json:"query"`
	Terms []Term `json:"terms"`
	// Filters are the active filters, each with the URL that removes it.
	Filters []ActiveFilter `json:"filters"`
	// Sort is the order used; Sorts offers the orders with their URLs.
	Sort  string       `json:"sort"`
	Sorts []SortOption `json:"sorts"`
	// Total counts every matching document; Took is the search time.
	Total  int           `json:"total"`
	Took   time.Duration `json:"-"`
	TookMS float64       `json:"took_ms"`
	// Page is the current 1-based page of Pages; PageSize results per page.
	Page      int        `json:"page"`
	Pages     int        `json:"pages"`
	PageSize  int        `json:"page_size"`
	PrevURL   string     `json:"prev_url,omitempty"`
	NextURL   string     `json:"next_url,omitempty"`
	PageLinks []PageLink `json:"page_links,omitempty"`
	Results   []Result   `json:"results"`
	// Facets count the matches per value of each facet.
	Facets []Facet `json:"facets"`
	// Messages explain problems and empty results, with links that help.
	Messages []Message `json:"messages,omitempty"`
	// Partial reports that no document contained every word, and the
	// results are documents that contain some of them instead (each
	// Result.Matched says which).
	Partial bool `json:"partial,omitempty"`
	// Reading is how the query was read: its words with their forms, the
	// words dropped, the intent.
	Reading *Analysis `json:"reading,omitempty"`
	// URL is this page's own URL; ClearURL is the same search without filters.
	URL      string `json:"url"`
	ClearURL string `json:"clear_url,omitempty"`
}

// Result is one matching document.
type Result struct {
	ID        string        `json:"id"`
	URL       string        `json:"url"`
	Title     string        `json:"title"`
	TitleHTML template.HTML `json:"title_html"` // escaped, hits in <mark>
	Kind      string        `json:"kind"`
	KindLabel string        `json:"kind_label"`
	DocNo     string        `json:"doc_no,omitempty"`
	IndexNo   string        `json:"index_no,omitempty"`
	Agencies  []string      `json:"agencies,omitempty"`
	Topic     string        `json:"topic,omitempty"`
	Validity  string        `json:"validity,omitempty"`
	Date      time.Time     `json:"-"`
	DateText  string        `json:"date,omitempty"` // 2006-01-02 in Shanghai time
	Snippet   template.HTML `json:"snippet"`        // escaped, hits in <mark>
	Score     float64       `json:"score"`
	// Matched lists the words of the query a partial match holds.
	Matched []string `json:"matched,omitempty"`
	// Note is shown with the result (see HandlerOptions.Notes).
	Note *Note `json:"note,omitempty"`
}

// Facet lists the values of one facet with their counts. A value's count is
// the number of results the search would have with that value selected
// instead of the current one, so choosing it never gives surprises.
type Facet struct {
	Name   string       `json:"name"`
	Label  string       `json:"label"`
	Values []FacetValue `json:"values"`
	// More counts values with results that are not listed.
	More int `json:"more,omitempty"`
}

// FacetValue is one value of a facet. URL toggles it: it selects the value,
// or removes the filter when the value is active.
type FacetValue struct {
	Value  string `json:"value"`
	Label  string `json:"label"`
	Count  int    `json:"count"`
	Active bool   `json:"active,omitempty"`
	URL    string `json:"url"`
}

// ActiveFilter is a selected filter with the URL that removes it.
type ActiveFilter struct {
	Name       string `json:"name"`
	Label      string `json:"label"`
	Value      string `json:"value"`
	ValueLabel string `json:"value_label"`
	RemoveURL  string `json:"remove_url"`
}

// SortOption is one sort order with its URL.
type SortOption struct {
	Value  string `json:"value"`
	Label  string `json:"label"`
	URL    string `json:"url"`
	Active bool   `json:"active,omitempty"`
}

// PageLink is a link to one results page.
type PageLink struct {
	Page    int    `json:"page"`
	URL     string `json:"url"`
	Current bool   `json:"current,omitempty"`
}

// SearchOptions adjusts how a response is presented.
type SearchOptions struct {
	// BasePath is the path URLs in the response point to (default "/search").
	BasePath string
	// FacetLimit caps the values listed per facet (default 20; negative
	// lists all).
	FacetLimit int
	// Settings are the site's synonyms, labels and columns; nil uses those
	// stored with the index, or the defaults (DefaultSynonyms, label keys
	// shown as they are).
	Settings *Settings
}

// Search runs q with the default options.
func (ix *Index) Search(ctx context.Context, q Query) (*Response, error) {
	return ix.SearchWith(ctx, q, SearchOptions{})
}

// hit is one matching document, with its sort keys.
type hit struct {
	row      int32
	tier     uint8 // 0 exact title or number, 1 all words in title, 2 whole phrase, 3 words apart
	intent   uint8 // rank of the record's kind for the query's intent; 0 first
	matched  uint8 // words found, for partial matches
	cover    uint8 // how much of the title the query makes up, 0–16, in tier 1
	validity uint8 // 0 in force … 4 repealed
	score    float64
	skey     int64 // score rounded, so that near-equal scores tie
	date     int64
	words    uint32 // which words (or fragments) a partial match holds
}

// SearchWith runs q. Input problems (unknown filter values, pages past the
// end) give messages, never errors; errors come only from the index or ctx.
func (ix *Index) SearchWith(ctx context.Context, q Query, opts SearchOptions) (*Response, error) {
	start := time.Now()
	q = q.normalized()
	if opts.BasePath == "" {
		opts.BasePath = "/search"
	}
	if opts.FacetLimit == 0 {
		opts.FacetLimit = 20
	}
	st := cmp.Or(opts.Settings, ix.settings, defaultSettings)
	an := st.Analyzer().Analyze(q.Terms)
	resp := &Response{
		Query: q.String(), Terms: q.Terms, Sort: q.Sort, Page: q.Page, PageSize: q.PageSize,
		Results: []Result{}, Facets: []Facet{},
	}
	for _, n := range q.Notices {
		n.Text = st.label("search_msg_"+n.Code, n.args...)
		resp.Messages = append(resp.Messages, n)
	}
	if len(an.Words) > 0 {
		resp.Reading = &an
	}
	u := urls{base: opts.BasePath, q: q}
	resp.URL = u.with(nil)

	// Filters: an unknown value gives no results and says so.
	var filt [numFacets]map[uint16]bool
	unknown := false
	for f := range numFacets {
		v := q.Filters.get(f)
		if v == "" {
			continue
		}
		ids := ix.filterIDs(f, v)
		if len(ids) == 0 {
			unknown = true
			resp.Messages = append(resp.Messages, Message{Code: MsgUnknownFilter,
				Text:  st.label("search_msg_unknown_filter", st.label(facetLabelKeys[f]), v),
				Links: []Link{{Label: st.label("search_remove_value", v), URL: u.with(func(q *Query) { q.Filters.set(f, "") })}}})
		}
		filt[f] = ids
	}
	resp.Filters = ix.activeFilters(q, u, st)
	if hasFilters(q.Filters) {
		resp.ClearURL = u.with(func(q *Query) { q.Filters = Filters{} })
	}
	resp.Sorts = []SortOption{
		{Value: SortRelevance, Label: st.label("search_sort_relevance"), URL: u.with(func(q *Query) { q.Sort = SortRelevance }), Active: q.Sort == SortRelevance},
		{Value: SortDate, Label: st.label("search_sort_date"), URL: u.with(func(q *Query) { q.Sort = SortDate }), Active: q.Sort == SortDate},
	}
	if msg, ok := readingMessage(an, q, st); ok {
		resp.Messages = append(resp.Messages, msg)
	}
	if unknown {
		resp.Took = time.Since(start)
		resp.TookMS = ms(resp.Took)
		return resp, nil
	}

	m, err := ix.collect(ctx, an, filt)
	if err != nil {
		return nil, err
	}
	resp.Partial = m.relaxed && len(m.hits) > 0
	if len(m.pos) == 0 && q.Sort == SortRelevance {
		// Without words there is no relevance: list newest first.
		resp.Sort = SortDate
		for i := range resp.Sorts {
			resp.Sorts[i].Active = resp.Sorts[i].Value == SortDate
		}
	}

	hits := m.hits
	resp.Total = len(hits)
	resp.Pages = (len(hits) + q.PageSize - 1) / q.PageSize
	switch {
	case resp.Pages == 0:
		resp.Page = 1
	case resp.Page > resp.Pages:
		resp.Messages = append(resp.Messages, Message{Code: MsgPageRange, Text: st.label("search_msg_page_range", resp.Pages)})
		resp.Page = resp.Pages
	}
	first := (resp.Page - 1) * q.PageSize
	last := min(first+q.PageSize, len(hits))
	hits = topHits(hits, last, hitOrder(resp.Sort))
	hl := m.highlighter()
	for _, h := range hits[first:last] {
		resp.Results = append(resp.Results, ix.result(h, hl, m, st))
	}
	u.q.Page = resp.Page
	resp.URL = u.with(nil)
	ix.pageLinks(resp, u)
	resp.Facets = ix.facetList(q, u, m, opts.FacetLimit, st)
	if resp.Total == 0 {
		resp.Messages = append(resp.Messages, ix.noResults(ctx, q, an, u, st)...)
	} else if resp.Partial {
		resp.Messages = append(resp.Messages, Message{Code: MsgPartial, Text: st.label("search_msg_partial", st.quoted(m.matchedWords(), "search_read_sep"))})
		if dm, ok := ix.didYouMean(ctx, q, an, u, st); ok {
			resp.Messages = append(resp.Messages, dm)
		}
	}
	resp.Took = time.Since(start)
	resp.TookMS = ms(resp.Took)
	return resp, nil
}

// readingMessage explains how the query was read, when that differs from
// its terms: words dropped, synonyms and other spellings added, a term split
// into words, an intent.
func readingMessage(an Analysis, q Query, st *Settings) (Message, bool) {
	changed := len(an.Dropped) > 0 || an.Intent != ""
	var parts []string
	pos := 0
	for _, w := range an.Words {
		if w.Exclude {
			continue
		}
		pos++
		shown := []string{w.Text}
		for _, f := range w.Forms[1:] {
			if f != Fold(w.Text) {
				shown = append(shown, f)
			}
		}
		if len(shown) > 1 {
			changed = true
		}
		parts = append(parts, st.quoted(shown, "search_read_or"))
	}
	var typed int
	for _, t := range q.Terms {
		if !t.Exclude {
			typed++
		}
	}
	if pos != typed {
		changed = true
	}
	if !changed || pos == 0 {
		return Message{}, false
	}
	text := st.label("search_read_as", strings.Join(parts, st.label("search_read_sep")))
	if len(an.Dropped) > 0 {
		text += st.label("search_read_dropped", st.quoted(an.Dropped, "search_read_sep"))
	}
	if kinds := IntentKinds[an.Intent]; len(kinds) > 0 {
		names := make([]string, len(kinds))
		for i, k := range kinds {
			names[i] = st.kindLabel(k)
		}
		text += st.label("search_intent", strings.Join(names, st.label("search_read_sep")))
	}
	return Message{Code: MsgReading, Text: text}, true
}

// collect finds the documents holding every positive word and none of the
// excluded ones, scores them and counts facets. Words the index holds are
// looked up in it; when no word is in the index (lone characters) every
// document's text is scanned, and without words every document is listed.
// When nothing holds every word, it falls back to partial matches
// (m.relaxed).
func (ix *Index) collect(ctx context.Context, an Analysis, filt [numFacets]map[uint16]bool) (*matcher, error) {
	m := &matcher{ix: ix, filt: filt, intent: an.Intent}
	for _, w := range an.Words {
		c := compileWord(w)
		if len(c.alts) == 0 {
			continue
		}
		if w.Exclude {
			m.neg = append(m.neg, c)
		} else {
			m.pos = append(m.pos, c)
		}
	}
	m.prepare()
	defer m.release()
	for _, w := range m.neg {
		if !w.indexed() {
			m.negAcc = append(m.negAcc, nil)
			continue
		}
		acc := ix.getAccum()
		m.negAcc = append(m.negAcc, acc)
		if err := ix.collectWord(ctx, w, acc); err != nil {
			return nil, err
		}
	}
	m.acc = make([]*accum, len(m.pos))
	lead := -1
	for i, w := range m.pos {
		if !w.indexed() {
			continue
		}
		m.acc[i] = ix.getAccum()
		if err := ix.collectWord(ctx, w, m.acc[i]); err != nil {
			return nil, err
		}
		m.idf[i] = idf(len(m.acc[i].rows), len(ix.docs))
		if lead < 0 || len(m.acc[i].rows) < len(m.acc[lead].rows) {
			lead = i
		}
	}
	if lead < 0 {
		// No words, or only lone characters, which the index does not hold:
		// look at every document.
		m.scanOnly = len(m.pos) > 0
		m.avgLen = ix.avgTextLen()
		for row := range ix.docs {
			if row&1023 == 1023 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			m.consider(int32(row), 0, 0)
		}
		return m, nil
	}
	for n, row := range m.acc[lead].rows {
		if n&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		all := true
		for _, a := range m.acc {
			if a != nil && !a.has(row) {
				all = false
				break
			}
		}
		if all {
			m.consider(row, m.score(row), 0)
		}
	}
	if m.verified > 0 || slices.ContainsFunc(m.pos, func(w *cword) bool { return w.Kind == "phrase" || w.Kind == "docno" }) {
		return m, nil
	}
	if err := m.relax(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// score is the BM25F score of row over the words the index holds.
func (m *matcher) score(row int32) float64 {
	s := 0.0
	for i, a := range m.acc {
		if a != nil && a.has(row) {
			s += m.idf[i] * m.ix.rank.saturate(float64(a.tf[row]))
		}
	}
	return s
}

// relax looks for partial matches when nothing holds every word. Each word
// is a unit, except that a word no document holds as a whole counts by its
// character pairs (会计考试 by 会计, 计考, 考试): documents holding at least
// half of the units (two thirds for a query of one word) are partial
// matches, ranked by how many they hold.
func (m *matcher) relax(ctx context.Context) error {
	ix := m.ix
	var uacc []*accum
	for i, w := range m.pos {
		a := m.acc[i]
		var grams []string
		if a != nil && !slices.ContainsFunc(a.rows, func(r int32) bool { return ix.holds(int(r), w, a) }) || len(m.pos) == 1 {
			grams = slices.Concat(w.alts[0].bigrams, w.alts[0].words)
		}
		if len(grams) < 2 {
			m.units = append(m.units, relaxUnit{w: w, word: i})
			m.uidf = append(m.uidf, m.idf[i])
			uacc = append(uacc, a)
			continue
		}
		for _, g := range grams {
			u := compileWord(Word{Text: g, Forms: []string{g}})
			b := ix.getAccum()
			m.extra = append(m.extra, b)
			if err := ix.collectWord(ctx, u, b); err != nil {
				return err
			}
			m.units = append(m.units, relaxUnit{w: u, word: i, pair: true})
			m.uidf = append(m.uidf, idf(len(b.rows), len(ix.docs)))
			uacc = append(uacc, b)
		}
	}
	if len(m.units) < 2 || len(m.units) > 32 {
		return nil
	}
	m.need = (len(m.units) + 1) / 2
	if len(m.pos) == 1 {
		m.need = len(m.units) - len(m.units)/3
	}
	seen := map[int32]bool{}
	m.relaxed = true
	for _, a := range uacc {
		if a == nil {
			continue
		}
		for _, row := range a.rows {
			if seen[row] {
				continue
			}
			seen[row] = true
			var mask uint32
			n := 0
			score := 0.0
			for i, b := range uacc {
				var ok bool
				switch {
				case b == nil:
					ok = ix.holds(int(row), m.units[i].w, nil)
				case !b.has(row):
				default:
					ok = ix.holds(int(row), m.units[i].w, b)
				}
				if ok {
					mask |= 1 << i
					n++
					if b != nil {
						score += m.uidf[i] * ix.rank.saturate(float64(b.tf[row]))
					}
				}
			}
			if n >= m.need {
				m.consider(row, score, mask)
			}
		}
	}
	if len(m.hits) == 0 {
		// Partial matches only count when they are shown.
		m.relaxed = false
		for f := range m.counts {
			clear(m.counts[f])
		}
	}
	return nil
}

// relaxUnit is what partial matching counts: a word, or a character pair
// of a word that no document holds whole.
type relaxUnit struct {
	w    *cword
	word int  // the query word it comes from
	pair bool // a pair of word's characters
}

// matchedWords lists the words (or stretches of a word) that the shown
// partial matches hold, in query order.
func (m *matcher) matchedWords() []string {
	var union uint32
	for _, h := range m.hits {
		union |= h.words
	}
	return m.wordsOf(union)
}

// wordsOf lists the words of a partial match's mask; the pairs of one word
// are joined back into the stretches they cover (汽车尾气 from 汽车, 车尾,
// 尾气).
func (m *matcher) wordsOf(mask uint32) []string {
	var out []string
	var cur []rune
	last := -2
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = nil
		}
	}
	for i, u := range m.units {
		if mask&(1<<i) == 0 {
			continue
		}
		if !u.pair {
			flush()
			out = append(out, u.w.Text)
			last = -2
			continue
		}
		rs := []rune(u.w.Text)
		if i == last+1 && m.units[last].word == u.word && len(cur) > 0 && len(rs) == 2 {
			cur = append(cur, rs[1])
		} else {
			flush()
			cur = rs
		}
		last = i
	}
	flush()
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func hasFilters(f Filters) bool { return f != Filters{} }

// filterIDs returns the ids of the facet values that filter value v selects:
// the value itself, and for topics and categories every value below it
// ("一级" selects "一级/二级").
func (ix *Index) filterIDs(f int, v string) map[uint16]bool {
	d := &ix.facets[f]
	ids := map[uint16]bool{}
	if id, ok := d.id(v); ok {
		ids[id] = true
	}
	if hierarchical(f) {
		for i, val := range d.values {
			if strings.HasPrefix(val, v+"/") {
				ids[uint16(i)] = true
			}
		}
	}
	return ids
}

// matcher decides, document by document, whether a candidate matches and
// counts facets.
type matcher struct {
	ix       *Index
	pos, neg []*cword // what documents must and must not hold
	acc      []*accum // per positive word, its candidates; nil when not indexed
	idf      [MaxTerms * 4]float64
	negAcc   []*accum
	filt     [numFacets]map[uint16]bool
	intent   string
	relaxed  bool
	scanOnly bool    // no word is in the index: count them in the text
	avgLen   float64 // average text length, for scanOnly scores

	// Partial matches: the units counted and how many a document must
	// hold.
	units []relaxUnit
	uidf  []float64
	need  int
	extra []*accum

	active     []int    // facets with a filter
	adjacent   *pattern // the query as one phrase, when that differs from its words
	whole      string   // the words joined and folded, for exact titles
	coverRunes int      // characters the words cover, for title coverage
	hits       []hit
	counts     [numFacets][]int
	verified   int // candidates that hold every word, whatever the filters
}

func (m *matcher) release() {
	for _, a := range slices.Concat(m.acc, m.negAcc, m.extra) {
		if a != nil {
			putAccum(a)
		}
	}
	m.acc, m.negAcc, m.extra = nil, nil, nil
}

func (m *matcher) prepare() {
	for f := range numFacets {
		m.counts[f] = make([]int, len(m.ix.facets[f].values))
		if m.filt[f] != nil {
			m.active = append(m.active, f)
		}
	}
	if len(m.pos) > MaxTerms*4 {
		m.pos = m.pos[:MaxTerms*4]
	}
	// The query as one phrase: the words side by side, with a space only
	// between two Latin or digit ends.
	var b strings.Builder
	for i, w := range m.pos {
		f := Fold(w.Text)
		if i > 0 && !endsCJK(Fold(m.pos[i-1].Text)) && !startsCJK(f) {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	if len(m.pos) > 1 {
		p := newPattern(b.String())
		m.adjacent = &p
	}
	m.whole = squeeze(b.String())
	for _, w := range m.pos {
		m.coverRunes += tokenRunes(w.folded)
	}
}

// tokenRunes counts the letters, digits and CJK characters of s.
func tokenRunes(s string) int {
	n := 0
	for _, r := range s {
		if classOf(r) != classSep {
			n++
		}
	}
	return n
}

// consider checks one candidate row. words is the set of words a partial
// match holds (0 otherwise).
func (m *matcher) consider(row int32, score float64, words uint32) {
	ix := m.ix
	h := &ix.hot[row]
	failed, fails := -1, 0
	for _, f := range m.active {
		ok := false
		for _, id := range ix.facetIDs(row, f) {
			if m.filt[f][id] {
				ok = true
				break
			}
		}
		if !ok {
			if fails++; fails > 1 {
				return
			}
			failed = f
		}
	}
	switch {
	case m.scanOnly:
		var ok bool
		if score, ok = m.scanScore(int(row)); !ok {
			return
		}
	case !m.relaxed:
		for i, w := range m.pos {
			if !ix.holds(int(row), w, m.acc[i]) {
				return
			}
		}
	}
	m.verified++
	for i, w := range m.neg {
		if (m.negAcc[i] == nil || m.negAcc[i].has(row)) && ix.holds(int(row), w, m.negAcc[i]) {
			return
		}
	}
	for f := range numFacets {
		if fails != 0 && f != failed {
			continue
		}
		if v := h.facet[f]; v != 0 {
			m.counts[f][v-1]++
		}
		if f == facetAgency && h.moreAgencies {
			for _, id := range ix.moreAgencies[row] {
				m.counts[f][id]++
			}
		}
	}
	if fails == 0 {
		tier, cover := m.tier(int(row))
		m.hits = append(m.hits, hit{row: row, score: score, skey: scoreKey(score), tier: tier, cover: cover,
			validity: h.validity, date: h.date, intent: m.intentRank(int(row)), words: words,
			matched: uint8(bits.OnesCount32(words))})
	}
}

// intentRank ranks a record's kind for the query's intent: the kinds the
// intent asks for first, in IntentKinds order.
func (m *matcher) intentRank(row int) uint8 {
	if m.intent == "" {
		return 0
	}
	kinds := IntentKinds[m.intent]
	if i := slices.Index(kinds, m.ix.docs[row].Kind); i >= 0 {
		return uint8(i)
	}
	return uint8(len(kinds))
}

// holds reports whether row holds word w: a form the index matched exactly,
// or a form found in the text.
func (ix *Index) holds(row int, w *cword, acc *accum) bool {
	if acc != nil && acc.exact[row] {
		return true
	}
	for _, t := range w.alts {
		if ix.contains(row, t) {
			return true
		}
	}
	return false
}

// tier ranks a match: exact title or document number first, then matches
// with every word in the title, then matches containing the query as one
// phrase, then the rest. cover says how much of the title the words make up
// (0–16), for matches in the title.
func (m *matcher) tier(row int) (tier, cover uint8) {
	if len(m.pos) == 0 || m.relaxed {
		return 3, 0
	}
	in := &m.ix.info[row]
	if m.whole == in.foldTitle {
		return 0, 16
	}
	for _, w := range m.pos {
		for _, t := range w.alts {
			if t.dn != nil && in.docNoKey != "" && t.dn.key() == in.docNoKey {
				return 0, 0
			}
		}
	}
	if len(m.pos) == 1 && slices.Contains(in.exactKeys, m.whole) {
		return 0, 0
	}
	inTitle := true
	for i, w := range m.pos {
		// The title field's postings rule most documents out without
		// looking at the title.
		if a := m.acc[i]; a != nil && !a.title[row] ||
			!slices.ContainsFunc(w.alts, func(t *cterm) bool { return strings.Contains(in.foldTitle, t.squeezed) }) {
			inTitle = false
			break
		}
	}
	if inTitle {
		if n := in.titleRunes; n > 0 {
			cover = uint8(min(16, 16*m.coverRunes/n))
		}
		return 1, cover
	}
	if m.adjacent != nil {
		r := &m.ix.docs[row]
		if s, _ := m.adjacent.find(m.ix.docText(row), r.FoldMask, 0, int(r.SegEnd[numSegs-1])); s < 0 {
			return 3, 0
		}
	}
	return 2, 0
}

// scanScore counts the words in the text of row and scores it like BM25
// does; ok is false when a word is missing.
func (m *matcher) scanScore(row int) (score float64, ok bool) {
	const k1, b, maxCount = 1.2, 0.75, 32
	r := &m.ix.docs[row]
	txt := unitText(m.ix.docText(row))
	end := int(r.SegEnd[numSegs-1])
	norm := k1 * (1 - b + b*float64(end)/m.avgLen)
	for _, w := range m.pos {
		n := 0
		for _, t := range w.alts {
			for pos := 0; pos < end && n < maxCount; n++ {
				s, e := t.pat.find(txt, r.FoldMask, pos, end)
				if s < 0 {
					break
				}
				pos = max(e, s+1)
			}
		}
		if n == 0 {
			return 0, false
		}
		score += float64(n) * (k1 + 1) / (float64(n) + norm)
	}
	return score, true
}

// avgTextLen returns the average length of the stored texts in units.
func (ix *Index) avgTextLen() float64 {
	if len(ix.docs) == 0 {
		return 1
	}
	sum := 0
	for i := range ix.docs {
		sum += int(ix.docs[i].SegEnd[numSegs-1])
	}
	return max(1, float64(sum)/float64(len(ix.docs)))
}

// contains reports whether row contains form t (verified in its text).
func (ix *Index) contains(row int, t *cterm) bool {
	r := &ix.docs[row]
	txt := unitText(ix.docText(row))
	end := int(r.SegEnd[numSegs-1])
	if t.dn != nil {
		s, _ := findDocNo(*t.dn, &t.code, txt, r.FoldMask, 0, end)
		return s >= 0
	}
	s, _ := t.pat.find(txt, r.FoldMask, 0, end)
	return s >= 0
}

// hitOrder returns the comparison for a sort order. By relevance: exact
// titles and numbers first; then the kinds the query's intent asks for; then
// the tier; partial matches holding more of the query first; within a tier,
// documents no longer in force (expired, repealed) after the others; in the
// title tier, titles the query makes up more of first; then the score; on a
// tie in force before amended before the rest, newer before older. By date:
// newest first, then by relevance.
func hitOrder(order string) func(a, b hit) int {
	relevance := func(a, b hit) int {
		return cmp.Or(cmp.Compare(min(a.tier, 1), min(b.tier, 1)), cmp.Compare(a.intent, b.intent),
			cmp.Compare(a.tier, b.tier), -cmp.Compare(a.matched, b.matched),
			cmp.Compare(lapsed(a), lapsed(b)), -cmp.Compare(a.cover, b.cover),
			-cmp.Compare(a.skey, b.skey), cmp.Compare(a.validity, b.validity), -cmp.Compare(a.date, b.date),
			cmp.Compare(a.row, b.row))
	}
	if order == SortDate {
		return func(a, b hit) int {
			return cmp.Or(-cmp.Compare(a.date, b.date), relevance(a, b))
		}
	}
	return relevance
}

// lapsed is 1 for documents that are no longer in force (expired or
// repealed), which rank below the others of their tier.
func lapsed(h hit) int {
	if h.validity >= lapsedRank {
		return 1
	}
	return 0
}

// lapsedRank is the validity rank of 失效 (see validityOrder), from which on
// documents are no longer in force.
const lapsedRank = 3

// topHits returns the first k hits in order, sorted, reusing hits. A bounded
// heap keeps the cost at n log k when k is small, as it is for early pages.
func topHits(hits []hit, k int, order func(a, b hit) int) []hit {
	if k >= len(hits)/4 {
		slices.SortFunc(hits, order)
		return hits[:min(k, len(hits))]
	}
	// hits[:k] is a heap with the worst of the best k at the root.
	worse := func(i, j int) bool { return order(hits[i], hits[j]) > 0 }
	down := func(i, n int) {
		for {
			c := 2*i + 1
			if c >= n {
				return
			}
			if c+1 < n && worse(c+1, c) {
				c++
			}
			if !worse(c, i) {
				return
			}
			hits[i], hits[c] = hits[c], hits[i]
			i = c
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i, k)
	}
	for i := k; i < len(hits); i++ {
		if k > 0 && order(hits[i], hits[0]) < 0 {
			hits[0], hits[i] = hits[i], hits[0]
			down(0, k)
		}
	}
	top := hits[:k]
	slices.SortFunc(top, order)
	return top
}

// scoreKey rounds a score to seven significant digits, so that scores that
// differ only by float noise tie and the order below them decides.
func scoreKey(s float64) int64 {
	if s <= 0 {
		return 0
	}
	return int64(math.Round(s * 1e7))
}

func startsCJK(s string) bool {
	for _, r := range s {
		return isCJK(r)
	}
	return false
}

func endsCJK(s string) bool {
	rs := []rune(s)
	return len(rs) > 0 && isCJK(rs[len(rs)-1])
}

// result builds the Result for a hit.
func (ix *Index) result(h hit, hl *highlighter, m *matcher, st *Settings) Result {
	r := &ix.docs[h.row]
	res := Result{
		ID: r.ID, URL: r.ID, Title: r.Title, Kind: r.Kind, KindLabel: st.kindLabel(r.Kind),
		DocNo: r.DocNo, IndexNo: r.IndexNo, Agencies: r.Agencies, Topic: r.Topic,
		Validity: r.Validity, Score: h.score,
	}
	if r.Date != 0 {
		res.Date = r.date()
		res.DateText = res.Date.Format("2006-01-02")
	}
	if m.relaxed {
		res.Matched = m.wordsOf(h.words)
		// Highlight what this document holds: whole words, and the
		// stretches of words it holds in part, rather than scattered pairs.
		hl = &highlighter{}
		for i, u := range m.units {
			if h.words&(1<<i) != 0 && !u.pair {
				hl.add(u.w)
			}
		}
		for _, f := range res.Matched {
			if rs := []rune(f); len(rs) >= 2 {
				p := newPattern(Fold(f))
				hl.pats = append(hl.pats, &p)
			}
		}
	}
	txt := unitText(ix.docText(int(h.row)))
	ts, te := ix.segBounds(int(h.row), segTitle)
	res.TitleHTML = hl.render(txt, r.FoldMask, ts, te, false)
	res.Snippet = ix.snippet(int(h.row), hl)
	return res
}

// urls builds links that change one aspect of the current query. Every
// change except paging returns to page 1.
type urls struct {
	base string
	q    Query
}

func (u urls) with(change func(q *Query)) string {
	q := u.q
	q.Notices = nil
	if change != nil {
		q.Page = 1
		change(&q)
	}
	return q.URL(u.base)
}

func (u urls) page(n int) string {
	q := u.q
	q.Page = n
	return q.URL(u.base)
}

func (ix *Index) activeFilters(q Query, u urls, st *Settings) []ActiveFilter {
	out := []ActiveFilter{}
	for f := range numFacets {
		v := q.Filters.get(f)
		if v == "" {
			continue
		}
		out = append(out, ActiveFilter{
			Name: facetNames[f], Label: st.label(facetLabelKeys[f]), Value: v, ValueLabel: ix.facetValueLabel(f, v, st),
			RemoveURL: u.with(func(q *Query) { q.Filters.set(f, "") }),
		})
	}
	return out
}

func (ix *Index) facetValueLabel(f int, v string, st *Settings) string {
	switch f {
	case facetKind:
		return st.kindLabel(v)
	case facetYear:
		return st.label("search_year_value", v)
	}
	return v
}

// pageLinks fills the pagination of resp: previous, next, and a window of
// page numbers around the current page.
func (ix *Index) pageLinks(resp *Response, u urls) {
	if resp.Pages <= 1 {
		return
	}
	if resp.Page > 1 {
		resp.PrevURL = u.page(resp.Page - 1)
	}
	if resp.Page < resp.Pages {
		resp.NextURL = u.page(resp.Page + 1)
	}
	lo := max(1, resp.Page-4)
	hi := min(resp.Pages, lo+9)
	lo = max(1, hi-9)
	for p := lo; p <= hi; p++ {
		resp.PageLinks = append(resp.PageLinks, PageLink{Page: p, URL: u.page(p), Current: p == resp.Page})
	}
}

// facetList builds the facets of the response from the counts of m.
func (ix *Index) facetList(q Query, u urls, m *matcher, limit int, st *Settings) []Facet {
	out := []Facet{}
	for f := range numFacets {
		d := &ix.facets[f]
		active := q.Filters.get(f)
		type vc = valueCount
		var vals []vc
		if hierarchical(f) {
			vals = topicValues(d.values, m.counts[f], active)
		} else {
			for id, n := range m.counts[f] {
				if n > 0 || d.values[id] == active {
					vals = append(vals, vc{d.values[id], n})
				}
			}
		}
		if active != "" && !slices.ContainsFunc(vals, func(x vc) bool { return x.v == active }) {
			vals = append(vals, vc{active, 0})
		}
		if len(vals) == 0 {
			continue
		}
		switch f {
		case facetYear:
			slices.SortFunc(vals, func(a, b vc) int { return -cmp.Compare(a.v, b.v) })
		case facetValidity:
			slices.SortFunc(vals, func(a, b vc) int {
				return cmp.Or(cmp.Compare(validityRank(a.v), validityRank(b.v)), cmp.Compare(a.v, b.v))
			})
		default:
			slices.SortFunc(vals, func(a, b vc) int { return cmp.Or(-cmp.Compare(a.n, b.n), cmp.Compare(a.v, b.v)) })
		}
		fc := Facet{Name: facetNames[f], Label: st.label(facetLabelKeys[f]), Values: []FacetValue{}}
		for i, x := range vals {
			isActive := x.v == active
			if limit >= 0 && i >= limit && !isActive {
				fc.More++
				continue
			}
			next := x.v
			if isActive {
				next = ""
			}
			fc.Values = append(fc.Values, FacetValue{
				Value: x.v, Label: ix.facetValueLabel(f, x.v, st), Count: x.n, Active: isActive,
				URL: u.with(func(q *Query) { q.Filters.set(f, next) }),
			})
		}
		out = append(out, fc)
	}
	return out
}

type valueCount struct {
	v string
	n int
}

// topicValues lists topics (or categories) two levels deep: first-level
// values with the sum of the values below them, and, when a value is
// selected, the values below its first level.
func topicValues(values []string, counts []int, active string) []valueCount {
	type vc = valueCount
	level1 := func(v string) string {
		if i := strings.IndexByte(v, '/'); i >= 0 {
			return v[:i]
		}
		return v
	}
	sums := map[string]int{}
	for id, n := range counts {
		if n > 0 {
			sums[level1(values[id])] += n
		}
	}
	var out []vc
	for _, k := range sortedKeys(sums) {
		out = append(out, vc{k, sums[k]})
	}
	if active == "" {
		return out
	}
	top := level1(active)
	for id, n := range counts {
		if v := values[id]; n > 0 && v != top && level1(v) == top {
			out = append(out, vc{v, n})
		}
	}
	return out
}

// noResults explains an empty result and offers ways out: removing each
// filter, all filters, or words; other spellings found in the site's own
// titles and subject words (did you mean); the columns nearest the query;
// and the page for requesting information that is not published.
func (ix *Index) noResults(ctx context.Context, q Query, an Analysis, u urls, st *Settings) []Message {
	msg := Message{Code: MsgNoResults, Text: st.label("search_msg_no_results")}
	if hasFilters(q.Filters) {
		msg.Text = st.label("search_msg_no_results_filters")
		n := 0
		for f := range numFacets {
			if v := q.Filters.get(f); v != "" {
				n++
				msg.Links = append(msg.Links, Link{Label: st.label("search_remove_value", ix.facetValueLabel(f, v, st)),
					URL: u.with(func(q *Query) { q.Filters.set(f, "") })})
			}
		}
		if n > 1 {
			msg.Links = append(msg.Links, Link{Label: st.label("search_remove_all_filters"),
				URL: u.with(func(q *Query) { q.Filters = Filters{} })})
		}
	} else if len(q.Terms) > 1 {
		msg.Text = st.label("search_msg_no_results_terms")
	}
	out := []Message{msg}
	if len(q.Terms) == 0 {
		return out
	}
	if dm, ok := ix.didYouMean(ctx, q, an, u, st); ok {
		out = append(out, dm)
	}
	if cols := ix.nearestColumns(ctx, an, st); len(cols) > 0 {
		cm := Message{Code: MsgColumns, Text: st.label("search_nearest_columns")}
		for _, c := range cols {
			cm.Links = append(cm.Links, Link{Label: c.Label, URL: c.URL})
		}
		out = append(out, cm)
	}
	if st.ApplyURL != "" {
		out = append(out, Message{Code: MsgApply, Text: st.label("search_apply"),
			Links: []Link{{Label: st.label("search_apply_link"), URL: st.ApplyURL}}})
	}
	return out
}

// didYouMean offers other spellings of the query from the site's own words.
func (ix *Index) didYouMean(ctx context.Context, q Query, an Analysis, u urls, st *Settings) (Message, bool) {
	sug := ix.suggest(ctx, q, an)
	if len(sug) == 0 {
		return Message{}, false
	}
	dm := Message{Code: MsgDidYouMean, Text: st.label("search_did_you_mean")}
	for _, s := range sug {
		sq := Query{Terms: ParseQuery(s).Terms, Filters: q.Filters, Sort: q.Sort, PageSize: q.PageSize}
		dm.Links = append(dm.Links, Link{Label: s, URL: sq.URL(u.base)})
	}
	return dm, true
}
