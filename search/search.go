package search

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
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
	// Partial reports that no document contained every term, and the results
	// are documents that contain most of the query's characters instead.
	Partial bool `json:"partial,omitempty"`
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
}

// kindLabels names the kinds of records for display.
var kindLabels = map[string]string{
	"policy":         "政策文件",
	"interpretation": "政策解读",
	"page":           "页面",
	"approval":       "办事指南",
	"fee":            "收费项目",
	"channel":        "投诉举报渠道",
	"handling":       "办理情况",
	"notice":         "公示公告",
	"release":        "新闻发布",
	"report":         "年度报告",
}

func kindLabel(k string) string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return k
}

// Search runs q with the default options.
func (ix *Index) Search(ctx context.Context, q Query) (*Response, error) {
	return ix.SearchWith(ctx, q, SearchOptions{})
}

// hit is one matching document, with its sort keys.
type hit struct {
	row      int32
	tier     uint8 // 0 exact title or number, 1 all terms in title, 2 whole phrase, 3 terms apart
	cover    uint8 // how much of the title the query makes up, 0–4, in tier 1
	validity uint8 // 0 in force … 4 repealed
	score    float64
	skey     int64 // score rounded, so that near-equal scores tie
	date     int64
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
	resp := &Response{
		Query: q.String(), Terms: q.Terms, Sort: q.Sort, Page: q.Page, PageSize: q.PageSize,
		Messages: slices.Clone(q.Notices), Results: []Result{}, Facets: []Facet{},
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
				Text:  fmt.Sprintf("没有%s为“%s”的信息。", facetLabels[f], v),
				Links: []Link{{Label: "去掉“" + v + "”", URL: u.with(func(q *Query) { q.Filters.set(f, "") })}}})
		}
		filt[f] = ids
	}
	resp.Filters = ix.activeFilters(q, u)
	if hasFilters(q.Filters) {
		resp.ClearURL = u.with(func(q *Query) { q.Filters = Filters{} })
	}
	resp.Sorts = []SortOption{
		{Value: SortRelevance, Label: "按相关度", URL: u.with(func(q *Query) { q.Sort = SortRelevance }), Active: q.Sort == SortRelevance},
		{Value: SortDate, Label: "按日期", URL: u.with(func(q *Query) { q.Sort = SortDate }), Active: q.Sort == SortDate},
	}
	if unknown {
		resp.Took = time.Since(start)
		resp.TookMS = ms(resp.Took)
		return resp, nil
	}

	m, err := ix.collect(ctx, q, filt)
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
		resp.Messages = append(resp.Messages, Message{Code: MsgPageRange,
			Text: fmt.Sprintf("共%d页，已显示最后一页。", resp.Pages)})
		resp.Page = resp.Pages
	}
	first := (resp.Page - 1) * q.PageSize
	last := min(first+q.PageSize, len(hits))
	hits = topHits(hits, last, hitOrder(resp.Sort))
	hl := m.highlighter()
	for _, h := range hits[first:last] {
		resp.Results = append(resp.Results, ix.result(h, hl))
	}
	u.q.Page = resp.Page
	resp.URL = u.with(nil)
	ix.pageLinks(resp, u)
	resp.Facets = ix.facetList(q, u, m, opts.FacetLimit)
	if resp.Total == 0 {
		resp.Messages = append(resp.Messages, ix.noResults(q, u))
	} else if resp.Partial {
		resp.Messages = append(resp.Messages, Message{Code: MsgPartial,
			Text: "没有同时包含全部检索词的信息，以下是包含其中大部分文字的结果。"})
	}
	resp.Took = time.Since(start)
	resp.TookMS = ms(resp.Took)
	return resp, nil
}

// collect finds the documents matching q's terms and counts facets: from the
// index when a term has a bigram or word, from the text when the terms are
// lone characters, every document when there are no terms. When nothing
// matches every term, it falls back to partial matches (m.relaxed).
func (ix *Index) collect(ctx context.Context, q Query, filt [numFacets]map[uint16]bool) (*matcher, error) {
	typed, pos, neg := compileTerms(q.Terms)
	ctx = context.WithValue(ctx, search.GetScoringModelCallbackKey,
		search.GetScoringModelCallbackFn(func() string { return index.BM25Scoring }))
	excluded, err := ix.exclusionSets(ctx, neg)
	if err != nil {
		return nil, err
	}
	m := &matcher{ix: ix, typed: typed, pos: pos, neg: neg, excluded: excluded, filt: filt}
	m.prepare()
	aq := andQuery(pos)
	if aq == nil {
		// No words, or only lone characters, which the index does not hold:
		// look at every document.
		m.scanOnly = len(pos) > 0
		m.avgLen = ix.avgTextLen()
		for row := range ix.docs {
			if row&1023 == 1023 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			m.consider(int32(row), 0)
		}
		return m, nil
	}
	if err := ix.run(ctx, aq, m.consider); err != nil {
		return nil, err
	}
	if m.verified > 0 || slices.ContainsFunc(typed, func(t *cterm) bool { return t.Phrase || t.dn != nil }) {
		return m, nil
	}
	rq := relaxedQuery(pos)
	if rq == nil {
		return m, nil
	}
	m.relaxed = true
	if err := ix.run(ctx, rq, m.consider); err != nil {
		return nil, err
	}
	if len(m.hits) == 0 {
		// Partial matches only count when they are shown.
		m.relaxed = false
		for f := range m.counts {
			clear(m.counts[f])
		}
	}
	return m, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func hasFilters(f Filters) bool { return f != Filters{} }

// bm25Stats returns the statistics BM25 needs for a shard: its document
// count, and the total tokens per field scaled to it (bleve divides them by
// the count for the average length). bleve's own estimate of a field's
// average length is its number of distinct terms per document, far from the
// real one.
func (ix *Index) bm25Stats(sh *shard) *search.BM25Stats {
	st := &search.BM25Stats{DocCount: float64(sh.docs), FieldCardinality: map[string]int{}}
	for f := range numFields {
		n := ix.bm25[f]
		if len(ix.docs) > 0 {
			n = int(float64(n) * float64(sh.docs) / float64(len(ix.docs)))
		}
		st.FieldCardinality[fieldNames[f]] = n
	}
	return st
}

// run executes a bleve query on every shard and calls fn for every match.
func (ix *Index) run(ctx context.Context, q query.Query, fn func(row int32, score float64)) error {
	for _, sh := range ix.shards {
		if err := ix.runShard(ctx, sh, q, fn); err != nil {
			return err
		}
	}
	return nil
}

func (ix *Index) runShard(ctx context.Context, sh *shard, q query.Query, fn func(row int32, score float64)) error {
	ctx = context.WithValue(ctx, search.BM25StatsKey, ix.bm25Stats(sh))
	s, err := q.Searcher(ctx, sh.reader, sh.bix.Mapping(), search.SearcherOptions{})
	if err != nil {
		return fmt.Errorf("search %s: %w", ix.dir, err)
	}
	defer s.Close()
	sctx := &search.SearchContext{
		DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0),
		IndexReader:       sh.reader,
	}
	for n := 0; ; n++ {
		if n&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		dm, err := s.Next(sctx)
		if err != nil {
			return fmt.Errorf("search %s: %w", ix.dir, err)
		}
		if dm == nil {
			return nil
		}
		if num := dm.IndexInternalID.Value(); num < uint64(len(sh.byInternal)) {
			if row := sh.byInternal[num]; row >= 0 {
				fn(row, dm.Score)
			}
		}
		sctx.DocumentMatchPool.Put(dm)
	}
}

// exclusionSets returns, per excluded term, the rows that may contain it; nil
// for a term the index cannot find, which every row may contain.
func (ix *Index) exclusionSets(ctx context.Context, neg []*cterm) ([]map[int32]bool, error) {
	sets := make([]map[int32]bool, len(neg))
	for i, t := range neg {
		if !t.indexed() {
			continue
		}
		set := map[int32]bool{}
		if err := ix.run(ctx, t.query(), func(row int32, _ float64) { set[row] = true }); err != nil {
			return nil, err
		}
		sets[i] = set
	}
	return sets, nil
}

// filterIDs returns the ids of the facet values that filter value v selects:
// the value itself, and for topics every sub-topic ("一级" selects
// "一级/二级").
func (ix *Index) filterIDs(f int, v string) map[uint16]bool {
	d := &ix.facets[f]
	ids := map[uint16]bool{}
	if id, ok := d.id(v); ok {
		ids[id] = true
	}
	if f == facetTopic {
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
	typed    []*cterm // positive terms as typed
	pos, neg []*cterm // what documents must and must not match
	excluded []map[int32]bool
	filt     [numFacets]map[uint16]bool
	relaxed  bool
	scanOnly bool    // every term is a lone character: count it in the text
	avgLen   float64 // average text length, for scanOnly scores

	active     []int    // facets with a filter
	adjacent   *pattern // the query as one phrase, when that differs from its terms
	whole      string   // the typed terms joined and folded, for exact titles
	coverRunes int      // characters the terms cover, for title coverage
	hits       []hit
	counts     [numFacets][]int
	verified   int // candidates that contain every term, whatever the filters
}

func (m *matcher) prepare() {
	for f := range numFacets {
		m.counts[f] = make([]int, len(m.ix.facets[f].values))
		if m.filt[f] != nil {
			m.active = append(m.active, f)
		}
	}
	// The query as one phrase: the typed terms side by side, with a space
	// only between two Latin or digit ends.
	var b strings.Builder
	for i, t := range m.typed {
		if i > 0 && !endsCJK(m.typed[i-1].folded) && !startsCJK(t.folded) {
			b.WriteByte(' ')
		}
		b.WriteString(t.folded)
	}
	if len(m.typed) > 1 || len(m.typed) == 1 && m.typed[0].parts != nil {
		p := newPattern(b.String())
		m.adjacent = &p
	}
	m.whole = squeeze(b.String())
	for _, t := range m.pos {
		m.coverRunes += tokenRunes(t.squeezed)
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

// consider checks one candidate row.
func (m *matcher) consider(row int32, score float64) {
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
		for _, t := range m.pos {
			if !t.exact && !ix.contains(int(row), t) {
				return
			}
		}
	}
	m.verified++
	for i, t := range m.neg {
		if (m.excluded[i] == nil || m.excluded[i][row]) && (t.exact || ix.contains(int(row), t)) {
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
			validity: h.validity, date: h.date})
	}
}

// tier ranks a match: exact title or document number first, then matches
// with every term in the title, then matches containing the query as one
// phrase, then the rest. cover says how much of the title the terms make up
// (0–4), for matches in the title.
func (m *matcher) tier(row int) (tier, cover uint8) {
	if len(m.typed) == 0 || m.relaxed {
		return 3, 0
	}
	in := &m.ix.info[row]
	if m.whole == in.foldTitle {
		return 0, 4
	}
	for _, t := range m.typed {
		if t.dn != nil && in.docNoKey != "" && t.dn.key() == in.docNoKey {
			return 0, 0
		}
	}
	if len(m.typed) == 1 && slices.Contains(in.exactKeys, m.whole) {
		return 0, 0
	}
	inTitle := true
	for _, t := range m.pos {
		if !strings.Contains(in.foldTitle, t.squeezed) {
			inTitle = false
			break
		}
	}
	if inTitle {
		if n := in.titleRunes; n > 0 {
			cover = uint8(min(4, 4*m.coverRunes/n))
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

// scanScore counts the terms in the text of row and scores it like BM25
// does; ok is false when a term is missing.
func (m *matcher) scanScore(row int) (score float64, ok bool) {
	const k1, b, maxCount = 1.2, 0.75, 32
	r := &m.ix.docs[row]
	txt := unitText(m.ix.docText(row))
	end := int(r.SegEnd[numSegs-1])
	norm := k1 * (1 - b + b*float64(end)/m.avgLen)
	for _, t := range m.pos {
		n := 0
		for pos := 0; pos < end && n < maxCount; n++ {
			s, e := t.pat.find(txt, r.FoldMask, pos, end)
			if s < 0 {
				break
			}
			pos = max(e, s+1)
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

// contains reports whether row contains term t (verified in its text).
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

// hitOrder returns the comparison for a sort order. By relevance: the tier;
// within it, documents no longer in force (expired, repealed) after the
// others; in the title tier, titles the query makes up more of first; then
// the score; on a tie in force before amended before the rest, newer before
// older. By date: newest first, then by relevance.
func hitOrder(order string) func(a, b hit) int {
	relevance := func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.tier, b.tier), cmp.Compare(lapsed(a), lapsed(b)), -cmp.Compare(a.cover, b.cover),
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
	if int(h.validity) >= validityOrder["失效"] {
		return 1
	}
	return 0
}

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
func (ix *Index) result(h hit, hl *highlighter) Result {
	r := &ix.docs[h.row]
	res := Result{
		ID: r.ID, URL: r.ID, Title: r.Title, Kind: r.Kind, KindLabel: kindLabel(r.Kind),
		DocNo: r.DocNo, IndexNo: r.IndexNo, Agencies: r.Agencies, Topic: r.Topic,
		Validity: r.Validity, Score: h.score,
	}
	if r.Date != 0 {
		res.Date = r.date()
		res.DateText = res.Date.Format("2006-01-02")
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

func (ix *Index) activeFilters(q Query, u urls) []ActiveFilter {
	out := []ActiveFilter{}
	for f := range numFacets {
		v := q.Filters.get(f)
		if v == "" {
			continue
		}
		out = append(out, ActiveFilter{
			Name: facetNames[f], Label: facetLabels[f], Value: v, ValueLabel: facetValueLabel(f, v),
			RemoveURL: u.with(func(q *Query) { q.Filters.set(f, "") }),
		})
	}
	return out
}

func facetValueLabel(f int, v string) string {
	switch f {
	case facetKind:
		return kindLabel(v)
	case facetYear:
		return v + "年"
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
func (ix *Index) facetList(q Query, u urls, m *matcher, limit int) []Facet {
	out := []Facet{}
	for f := range numFacets {
		d := &ix.facets[f]
		active := q.Filters.get(f)
		type vc = valueCount
		var vals []vc
		if f == facetTopic {
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
		fc := Facet{Name: facetNames[f], Label: facetLabels[f], Values: []FacetValue{}}
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
				Value: x.v, Label: facetValueLabel(f, x.v), Count: x.n, Active: isActive,
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

// topicValues lists topics two levels deep: first-level topics with the sum
// of their sub-topics, and, when a topic is selected, the sub-topics of its
// first level.
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
// filter, all filters, or the excluded terms.
func (ix *Index) noResults(q Query, u urls) Message {
	msg := Message{Code: MsgNoResults, Text: "没有找到相关信息。"}
	if hasFilters(q.Filters) {
		msg.Text = "没有找到相关信息，可以去掉筛选条件再试。"
		n := 0
		for f := range numFacets {
			if v := q.Filters.get(f); v != "" {
				n++
				msg.Links = append(msg.Links, Link{Label: "去掉“" + facetValueLabel(f, v) + "”",
					URL: u.with(func(q *Query) { q.Filters.set(f, "") })})
			}
		}
		if n > 1 {
			msg.Links = append(msg.Links, Link{Label: "去掉全部筛选条件",
				URL: u.with(func(q *Query) { q.Filters = Filters{} })})
		}
	} else if len(q.Terms) > 1 {
		msg.Text = "没有找到相关信息，可以减少检索词再试。"
	}
	return msg
}
