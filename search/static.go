package search

import (
	"strconv"
	"sync"
	"time"
)

// This file exports what another implementation of the search needs to
// index documents exactly as Build does and to mirror ranking: the static
// index of package staticsearch, whose JavaScript client searches public/
// without the service. Everything here calls the functions Build and
// SearchWith use, so the two cannot drift apart.

// NumFields is the number of index fields; FieldNames names them in order
// (title, docno, heading, keyword, summary, body, meta).
const NumFields = numFields

// FieldBody is the number of the body's field (DocNoTails's terms are
// listed under it).
const FieldBody = numBody

// FieldNames returns the names of the index fields, in field order.
func FieldNames() [NumFields]string { return fieldNames }

// RankConstants returns the BM25F constants of ranking: the saturation k1,
// and per field its weight and length normalisation b.
func RankConstants() (k1 float64, weight, b [NumFields]float64) {
	return defaultRank.k1, defaultRank.weight, defaultRank.b
}

// LengthCode returns a field length as the byte ranking uses (see
// lengthCode), and CodeLength the length a code stands for: the static
// index stores the codes, and its client turns them into norms as
// fieldNorms does.
func LengthCode(l uint32) uint8 { return lengthCode(l) }

// CodeLength returns the length a LengthCode stands for.
func CodeLength(c uint8) uint32 { return codeLength(c) }

// AnalyzeDoc analyses d exactly as Build indexes it: for each field it calls
// emit with every distinct token (CJK bigram, or Latin or digit word) and its
// frequency, and it returns the number of tokens per field (the lengths
// BM25F normalises by). emit's term is only valid during the call.
func AnalyzeDoc(d *Doc, emit func(field int, term []byte, freq int)) [NumFields]uint32 {
	var lens [NumFields]uint32
	doc := bleveDoc(d, &lens)
	for _, f := range doc.Fields {
		gf, ok := f.(*gramField)
		if !ok {
			continue
		}
		field := -1
		for i, n := range fieldNames {
			if n == gf.name {
				field = i
			}
		}
		gf.Analyze()
		for _, tf := range gf.freqs {
			emit(field, tf.Term, tf.Frequency())
		}
	}
	return lens
}

// SegSep separates the title, summary, body and metadata in a document's
// stored text, and the metadata items; queries never contain it.
const SegSep = segSep

// DocText returns the text the index stores for d, which phrases are checked
// against and snippets are cut from: title, summary, body and metadata (the
// items joined by SegSep), in that order.
func DocText(d *Doc) [4]string { return docSegments(d) }

// DocNoKey returns the canonical spelling of a document number in any
// spelling (成委发〔2003〕38号 and 成委发2003年38号 give 成委发[2003]38号), and
// whether s is one.
func DocNoKey(s string) (string, bool) {
	dn, ok := parseDocNo(s)
	if !ok {
		return "", false
	}
	return dn.key(), true
}

// ExactKeys returns the folded keys that rank a document first when a
// one-word query equals one of them: its index number, ID and URL slug.
func ExactKeys(d *Doc) []string {
	var out []string
	for _, k := range []string{d.IndexNo, d.ID, urlSlug(d.ID)} {
		if k = squeeze(foldString(k)); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// TitleRunes counts the letters, digits and CJK characters of d's folded
// title, which title coverage in ranking is measured against.
func TitleRunes(d *Doc) int { return tokenRunes(squeeze(foldString(d.Title))) }

// IsCJK reports whether r is written without spaces between words (Han,
// kana, Hangul) and so is indexed as overlapping bigrams.
func IsCJK(r rune) bool { return isCJK(r) }

// FacetNames names the facets in display order: kind, agency, topic, year,
// validity, category.
func FacetNames() []string { return facetNames[:] }

// DocFacets returns d's values of each facet, in FacetNames order, as the
// index counts them (the year in China Standard Time).
func DocFacets(d *Doc) [][]string {
	rec := docRecord{Kind: d.Kind, Agencies: d.Agencies, Topic: d.Topic, Validity: d.Validity, Category: d.Category}
	if !d.Date.IsZero() {
		rec.Date = d.Date.Unix()
	}
	out := make([][]string, numFacets)
	for f := range numFacets {
		out[f] = facetValues(f, &rec)
	}
	return out
}

// DateText returns d's publication date as results show it (YYYY-MM-DD in
// China Standard Time), or "".
func DateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return time.Unix(t.Unix(), 0).In(shanghai).Format("2006-01-02")
}

// ValidityRank ranks a validity value as ties in ranking are broken: in
// force (0) before amended, unknown, expired and repealed (4).
func ValidityRank(v string) int { return validityRank(v) }

// OpenCCTables returns the Traditional → Simplified tables that Fold and
// ToSimplified use: pairs of runes (a character and its Simplified form,
// chains not yet followed) and the stages of the tw2sp conversion (lines of
// "from\tto").
func OpenCCTables() (pairs string, stages []string) { return t2sChars, tw2spStages[:] }

// QueryLimits returns the limits on user input: runes of a query, terms,
// runes of a filter value, the default and the largest page size.
func QueryLimits() (queryRunes, terms, filterRunes, pageSize, maxPageSize int) {
	return MaxQueryRunes, MaxTerms, maxFilterRunes, DefaultPageSize, MaxPageSize
}

// AnalysisOf parses and analyses raw with the synonym groups and returns
// the query and its reading, as SearchWith does before matching.
func AnalysisOf(raw string, synonyms [][]string) (Query, Analysis) {
	q := ParseQuery(raw)
	st := &Settings{Synonyms: synonyms}
	return q, st.Analyzer().Analyze(q.Terms)
}

// NoticeArgs returns the arguments of a parsing notice, for another
// implementation to check that it fills the label the same way.
func (m Message) NoticeArgs() []string {
	out := make([]string, len(m.args))
	for i, a := range m.args {
		switch v := a.(type) {
		case int:
			out[i] = strconv.Itoa(v)
		case string:
			out[i] = v
		}
	}
	return out
}

// SqueezeFold returns s folded and without white space, as ranking compares
// titles with the query.
func SqueezeFold(s string) string { return squeeze(foldString(s)) }

// DocNoTails returns, each once, the year and serial number of every
// document number that the stored text of d (DocText) may hold, as
// "[year]number": 成环发〔2019〕42号 anywhere in it gives "[2019]42". They are
// the parts after an agency code, read wherever a letter or CJK character
// ends (parseDocNoTail), so the list holds the year and number of every
// spelling a document-number query finds in the text (findDocNo), and
// more (a date such as 2019年3月 gives "[2019]3"). A static index lists the
// documents under them: its client reads the text only of documents that
// hold the query's year and number.
func DocNoTails(d *Doc) []string {
	segs := docSegments(d)
	n := len(segs) - 1
	for _, s := range segs {
		n += len(s) // at least the units it takes
	}
	t, _, _ := appendText(make(unitText, 0, 2*n), segs)
	var out []string
	seen := map[[2]int]bool{}
	end := t.len()
	starts := tailStarts()
	for i := 1; i < end; i++ {
		// A tail starts with white space, or a rune that folds to an
		// opening bracket or a digit (parseDocNoTail); most text is
		// ideographs and letters, passed over without folding.
		if u := t.unit(i); starts[u/64]>>(u%64)&1 == 0 {
			continue
		}
		// It follows an agency code's last rune: a letter or CJK
		// character.
		r, _ := t.runeBefore(i, 0)
		if f := foldRune(r); !isCJK(f) && classOf(f) != classLetter {
			continue
		}
		year, num, e := parseDocNoTail(t, i, end)
		if e < 0 || seen[[2]int{year, num}] {
			continue
		}
		seen[[2]int{year, num}] = true
		out = append(out, DocNoTail(year, num))
	}
	return out
}

// tailStarts marks the UTF-16 units a document number's tail can start
// with (parseDocNoTail): white space, and the runes that fold to an opening
// bracket or a digit. Half of a rune beyond the BMP is never one: such
// runes fold to neither.
var tailStarts = sync.OnceValue(func() *[1 << 16 / 64]uint64 {
	var m [1 << 16 / 64]uint64
	for u := rune(0); u < 1<<16; u++ {
		if u >= 0xd800 && u < 0xe000 {
			continue
		}
		if f := foldRune(u); isSpace(u) || f >= '0' && f <= '9' || f == '[' || f == '(' {
			m[u/64] |= 1 << (u % 64)
		}
	}
	return &m
})

// DocNoTail is the term of DocNoTails for a year and serial number.
func DocNoTail(year, num int) string {
	return "[" + strconv.Itoa(year) + "]" + strconv.Itoa(num)
}
