package search

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Query analysis turns the terms a citizen typed into the words documents are
// searched for. Everything here is data-driven and exported, so that another
// implementation (a client-side search) can mirror it exactly and be tested
// against the same tables:
//
//   - Question and filler words (怎么, 如何, 多少钱, …, QueryWords) are
//     dropped from matching; some set the query's intent (多少钱 → fees).
//   - An unquoted term is split into words at the words of the analyser's
//     lexicon (the synonym table and QueryWords), at dates, order numbers,
//     article numbers and years, and where Chinese meets Latin letters or
//     digits: 汽车尾气检测 → 汽车 尾气 检测.
//   - Each word has its spellings (Forms): its synonyms (尾气 → 尾气, 排放),
//     numerals in both scripts (第20条 → 第20条, 第二十条), every spelling of
//     an order number (711号令 → 令第711号, 第711号令, …), dates, and the
//     Simplified vocabulary of Traditional terms (政府資訊公開 → 政府信息公开).
//     A document matches a word when it contains any of its forms.
//
// Forms are folded (Fold): matching folds the text the same way.

// Intents say what kind of record a query asks for; records of those kinds
// rank first (IntentKinds).
const (
	IntentFee      = "fee"
	IntentApproval = "approval"
	IntentChannel  = "channel"
)

// IntentKinds lists, per intent, the kinds of records that rank first, most
// relevant first: a question about cost wants fee records, then the service
// guides that state their fees.
var IntentKinds = map[string][]string{
	IntentFee:      {"fee", "approval"},
	IntentApproval: {"approval"},
	IntentChannel:  {"channel", "handling"},
}

// QueryWord is an entry of the table of words that query analysis treats
// specially.
type QueryWord struct {
	Word string
	// Drop leaves the word out of matching (a question or filler word).
	Drop bool
	// Intent is set for the query when the word occurs.
	Intent string
	// AtEnd: the word is only recognised at the end of a term (particles
	// such as 吗 would otherwise cut real words).
	AtEnd bool
}

// QueryWords are the question, filler and intent words. Longer entries win
// over shorter ones that start at the same place.
var QueryWords = []QueryWord{
	// How and where.
	{Word: "怎么", Drop: true}, {Word: "怎样", Drop: true}, {Word: "如何", Drop: true}, {Word: "怎么样", Drop: true},
	{Word: "哪里", Drop: true}, {Word: "在哪里", Drop: true}, {Word: "在哪儿", Drop: true}, {Word: "在哪", Drop: true},
	{Word: "哪儿", Drop: true}, {Word: "去哪", Drop: true}, {Word: "去哪里", Drop: true}, {Word: "哪个部门", Drop: true},
	{Word: "什么", Drop: true}, {Word: "哪些", Drop: true}, {Word: "需要什么", Drop: true}, {Word: "需要哪些", Drop: true},
	{Word: "要什么", Drop: true}, {Word: "能不能", Drop: true}, {Word: "可不可以", Drop: true}, {Word: "可以吗", Drop: true},
	{Word: "能否", Drop: true}, {Word: "是否", Drop: true}, {Word: "是不是", Drop: true}, {Word: "有没有", Drop: true},
	{Word: "请问", Drop: true}, {Word: "我想", Drop: true}, {Word: "我要", Drop: true}, {Word: "想要", Drop: true},
	{Word: "多久", Drop: true}, {Word: "几天", Drop: true}, {Word: "多长时间", Drop: true},
	{Word: "吗", Drop: true, AtEnd: true}, {Word: "呢", Drop: true, AtEnd: true}, {Word: "吧", Drop: true, AtEnd: true},
	{Word: "啊", Drop: true, AtEnd: true}, {Word: "呀", Drop: true, AtEnd: true},
	// Cost.
	{Word: "多少钱", Drop: true, Intent: IntentFee}, {Word: "要多少钱", Drop: true, Intent: IntentFee},
	{Word: "收多少钱", Drop: true, Intent: IntentFee}, {Word: "多少费用", Drop: true, Intent: IntentFee},
	{Word: "收不收费", Drop: true, Intent: IntentFee}, {Word: "怎么收费", Drop: true, Intent: IntentFee},
	{Word: "收费标准", Intent: IntentFee}, {Word: "费用", Intent: IntentFee},
	// Procedure.
	{Word: "怎么办", Drop: true, Intent: IntentApproval}, {Word: "怎么办理", Drop: true, Intent: IntentApproval},
	{Word: "如何办理", Drop: true, Intent: IntentApproval}, {Word: "怎么申请", Drop: true, Intent: IntentApproval},
	{Word: "如何申请", Drop: true, Intent: IntentApproval}, {Word: "在哪办", Drop: true, Intent: IntentApproval},
	{Word: "在哪办理", Drop: true, Intent: IntentApproval}, {Word: "去哪办", Drop: true, Intent: IntentApproval},
	{Word: "哪里办", Drop: true, Intent: IntentApproval}, {Word: "哪里办理", Drop: true, Intent: IntentApproval},
	{Word: "流程", Drop: true, Intent: IntentApproval}, {Word: "办理流程", Drop: true, Intent: IntentApproval},
	{Word: "手续", Drop: true, Intent: IntentApproval}, {Word: "办理手续", Drop: true, Intent: IntentApproval},
	{Word: "需要什么材料", Drop: true, Intent: IntentApproval}, {Word: "要什么材料", Drop: true, Intent: IntentApproval},
	{Word: "需要哪些材料", Drop: true, Intent: IntentApproval}, {Word: "什么材料", Drop: true, Intent: IntentApproval},
	{Word: "哪些材料", Drop: true, Intent: IntentApproval},
	// Complaints.
	{Word: "投诉", Intent: IntentChannel}, {Word: "举报", Intent: IntentChannel}, {Word: "信访", Intent: IntentChannel},
}

// DefaultSynonyms are the synonym groups used unless a site turns them off:
// each group's words find each other.
var DefaultSynonyms = [][]string{
	{"投诉", "举报"},
	{"补贴", "补助", "津贴"},
	{"尾气", "排放"},
	{"汽车", "机动车"},
	{"检测", "检验"},
	{"费用", "收费"},
	{"办事指南", "服务指南"},
	{"电话", "热线"},
	{"老人", "老年人"},
	{"残疾人", "残障人士"},
	{"养老金", "养老保险金"},
	{"低保", "最低生活保障"},
	{"公积金", "住房公积金"},
	{"身份证", "居民身份证"},
	{"营业执照", "执照"},
	{"网上办理", "在线办理"},
	{"政府信息公开", "政务公开"},
}

// orphanChars are single characters left between a dropped word and the end
// of a term that carry no meaning of their own (为什么 → 为).
const orphanChars = "的了是在要想去我为能可会和与及或把被给就还都也"

// Word is one unit of a query after analysis. A document matches a positive
// word when it contains any of its forms.
type Word struct {
	// Text is the word as the query wrote it.
	Text string `json:"text"`
	// Forms are the folded spellings searched for: the word itself first,
	// then its synonyms and other spellings.
	Forms []string `json:"forms"`
	// Kind says how the word was read: "" (a word), "phrase" (quoted),
	// "docno" (a document number), "date", "order" (an order number, 令),
	// "number" (第…条/款/号/届 and the like) or "year".
	Kind    string `json:"kind,omitempty"`
	Exclude bool   `json:"exclude,omitempty"`
}

// Analysis is how a query was read.
type Analysis struct {
	// Words are the positive words in query order, then the excluded ones.
	Words []Word `json:"words"`
	// Dropped are the question and filler words left out of matching.
	Dropped []string `json:"dropped,omitempty"`
	// Intent is what the query asks for, if anything (IntentFee, …).
	Intent string `json:"intent,omitempty"`
}

// Analyzer reads queries with a synonym table. It is safe for concurrent use.
type Analyzer struct {
	synonyms map[string][]string // folded word → its group, itself first
	lexicon  map[string]QueryWord
	maxLex   int // longest lexicon entry, in runes
}

// NewAnalyzer returns an analyser using the given synonym groups (typically
// DefaultSynonyms plus the site's own). Words are folded; a word in several
// groups gets the words of all of them.
func NewAnalyzer(synonyms [][]string) *Analyzer {
	a := &Analyzer{synonyms: map[string][]string{}, lexicon: map[string]QueryWord{}}
	for _, g := range synonyms {
		var folded []string
		for _, w := range g {
			if w = Fold(strings.TrimSpace(w)); w != "" && !slices.Contains(folded, w) {
				folded = append(folded, w)
			}
		}
		for _, w := range folded {
			cur := a.synonyms[w]
			if len(cur) == 0 {
				cur = []string{w}
			}
			for _, o := range folded {
				if !slices.Contains(cur, o) {
					cur = append(cur, o)
				}
			}
			a.synonyms[w] = cur
			a.addLex(QueryWord{Word: w})
		}
	}
	for _, q := range QueryWords {
		q.Word = Fold(q.Word)
		a.addLex(q)
	}
	return a
}

func (a *Analyzer) addLex(q QueryWord) {
	old, ok := a.lexicon[q.Word]
	if ok {
		// A word that is both a synonym and a query word keeps its role
		// and intent.
		q.Drop = q.Drop || old.Drop
		q.AtEnd = q.AtEnd && old.AtEnd
		q.Intent = cmpOr(q.Intent, old.Intent)
	}
	a.lexicon[q.Word] = q
	a.maxLex = max(a.maxLex, utf8.RuneCountInString(q.Word))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Synonyms returns the folded synonym group of a folded word, the word
// itself first, or nil.
func (a *Analyzer) Synonyms(w string) []string { return a.synonyms[w] }

var defaultAnalyzer = NewAnalyzer(DefaultSynonyms)

// piece is a part of a term found by segmentation.
type piece struct {
	text   string // original text
	fold   string // folded text
	kind   string
	forms  []string
	drop   bool
	lex    bool   // a lexicon word (synonym or query word)
	intent string // the intent of the lexicon word it holds
}

// Analyze reads the terms of a parsed query.
func (a *Analyzer) Analyze(terms []Term) Analysis {
	var an Analysis
	var neg []Word
	var dropped []piece
	for _, t := range terms {
		switch {
		case t.Exclude:
			neg = append(neg, Word{Text: t.Text, Forms: literalForms(t.Text), Kind: termKind(t), Exclude: true})
		case t.Phrase:
			an.Words = append(an.Words, Word{Text: t.Text, Forms: literalForms(t.Text), Kind: termKind(t)})
		default:
			if _, ok := parseDocNo(t.Text); ok {
				an.Words = append(an.Words, Word{Text: t.Text, Forms: []string{Fold(t.Text)}, Kind: "docno"})
				continue
			}
			for _, p := range a.segment(t.Text) {
				if an.Intent == "" {
					an.Intent = p.intent
				}
				if p.drop {
					dropped = append(dropped, p)
					continue
				}
				an.Words = append(an.Words, Word{Text: p.text, Forms: p.forms, Kind: p.kind})
			}
		}
	}
	if len(an.Words) == 0 && len(dropped) > 0 {
		// Only question words: search for them after all.
		for _, p := range dropped {
			an.Words = append(an.Words, Word{Text: p.text, Forms: a.forms(p.fold)})
		}
		dropped = nil
	}
	for _, p := range dropped {
		if !slices.Contains(an.Dropped, p.text) {
			an.Dropped = append(an.Dropped, p.text)
		}
	}
	an.Words = slices.CompactFunc(an.Words, func(x, y Word) bool { return slices.Equal(x.Forms, y.Forms) })
	an.Words = append(an.Words, neg...)
	return an
}

// Analyze reads terms with the default synonyms.
func Analyze(terms []Term) Analysis { return defaultAnalyzer.Analyze(terms) }

func termKind(t Term) string {
	if _, ok := parseDocNo(t.Text); ok {
		return "docno"
	}
	if t.Phrase {
		return "phrase"
	}
	return ""
}

// literalForms returns the forms of a quoted or excluded term: the term
// itself, folded, and its Simplified vocabulary when it is Traditional.
func literalForms(s string) []string {
	forms := []string{Fold(s)}
	if HasTraditional(s) {
		if f := Fold(ToSimplified(s)); f != forms[0] {
			forms = append(forms, f)
		}
	}
	return forms
}

// forms returns the forms of a plain folded word: itself and its synonyms.
func (a *Analyzer) forms(fold string) []string {
	if g := a.synonyms[fold]; len(g) > 0 {
		return slices.Clone(g)
	}
	return []string{fold}
}

// segment splits an unquoted term into pieces.
func (a *Analyzer) segment(text string) []piece {
	if HasTraditional(text) {
		if conv := Fold(ToSimplified(text)); conv != Fold(text) {
			// Traditional vocabulary (資訊 for 信息): one word with both
			// spellings.
			return []piece{{text: text, fold: Fold(text), forms: append(a.forms(Fold(text)), a.forms(conv)...)}}
		}
	}
	orig := []rune(text)
	rs := []rune(Fold(text))
	var out []piece
	pending := 0
	flush := func(end int) {
		if end > pending {
			out = append(out, a.plainPieces(orig[pending:end], rs[pending:end])...)
		}
	}
	for i := 0; i < len(rs); {
		if u, end := matchUnit(rs, i); end > i {
			flush(i)
			u.text = string(orig[i:end])
			out = append(out, u)
			i, pending = end, end
			continue
		}
		if q, end := a.lexMatch(rs, i); end > i {
			flush(i)
			p := piece{text: string(orig[i:end]), fold: q.Word, drop: q.Drop, lex: true, intent: q.Intent}
			if !p.drop {
				p.forms = a.forms(q.Word)
			}
			out = append(out, p)
			i, pending = end, end
			continue
		}
		i++
	}
	flush(len(rs))
	return a.attachOrphans(out)
}

// lexMatch returns the longest lexicon word at rs[i:] and its end.
func (a *Analyzer) lexMatch(rs []rune, i int) (QueryWord, int) {
	for n := min(a.maxLex, len(rs)-i); n > 0; n-- {
		q, ok := a.lexicon[string(rs[i:i+n])]
		if !ok || q.AtEnd && (i+n != len(rs) || i == 0) {
			continue
		}
		if n == 1 && !q.AtEnd {
			continue
		}
		return q, i + n
	}
	return QueryWord{}, i
}

// plainPieces splits text without lexicon words where Chinese meets other
// writing (12345热线 → 12345, 热线).
func (a *Analyzer) plainPieces(orig, rs []rune) []piece {
	var out []piece
	for i := 0; i < len(rs); {
		cjk := isCJK(rs[i])
		j := i
		for j < len(rs) && isCJK(rs[j]) == cjk {
			j++
		}
		text := trimWord(string(orig[i:j]))
		if hasTokens(text) {
			f := Fold(text)
			out = append(out, piece{text: text, fold: f, forms: a.forms(f)})
		}
		i = j
	}
	return out
}

// attachOrphans joins single Chinese characters that segmentation left alone
// to a neighbouring kept word (举报人 stays one word, searched as 举报人 and
// 投诉人), and drops meaningless ones next to dropped words.
func (a *Analyzer) attachOrphans(ps []piece) []piece {
	out := make([]piece, 0, len(ps))
	for i := 0; i < len(ps); i++ {
		p := ps[i]
		if p.drop || p.lex || p.kind != "" || utf8.RuneCountInString(p.fold) != 1 || !isCJK([]rune(p.fold)[0]) || len(ps) == 1 {
			out = append(out, p)
			continue
		}
		prevKept := len(out) > 0 && !out[len(out)-1].drop
		nextKept := i+1 < len(ps) && !ps[i+1].drop
		switch {
		case prevKept:
			q := &out[len(out)-1]
			q.text += p.text
			q.fold += p.fold
			q.forms = appendEach(q.forms, p.fold)
			q.lex = false
		case nextKept:
			n := ps[i+1]
			n.text = p.text + n.text
			n.fold = p.fold + n.fold
			n.forms = prependEach(p.fold, n.forms)
			n.lex = false
			ps[i+1] = n
		case strings.Contains(orphanChars, p.fold):
			p.drop = true
			out = append(out, p)
		default:
			out = append(out, p)
		}
	}
	return out
}

func appendEach(forms []string, s string) []string {
	out := make([]string, len(forms))
	for i, f := range forms {
		out[i] = f + s
	}
	return out
}

func prependEach(s string, forms []string) []string {
	out := make([]string, len(forms))
	for i, f := range forms {
		out[i] = s + f
	}
	return out
}

// Units: dates, order numbers, article numbers and years, found in folded
// runes.

// numberAt reads a number at rs[i:]: Arabic digits, or Chinese numerals. It
// returns the value, the end, and whether it was written in Chinese.
func numberAt(rs []rune, i int) (n, end int, chinese bool) {
	j := i
	for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' && j-i < 9 {
		j++
	}
	if j > i {
		if j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			return 0, i, false
		}
		v, _ := strconv.Atoi(string(rs[i:j]))
		return v, j, false
	}
	for j < len(rs) && isCNNumeral(rs[j]) {
		j++
	}
	for ; j > i; j-- {
		if v, ok := ParseChineseNumber(string(rs[i:j])); ok {
			return v, j, true
		}
	}
	return 0, i, false
}

// digitsBefore reports whether rs[i-1] is a digit, so that a unit does not
// start inside a number.
func digitBefore(rs []rune, i int) bool {
	return i > 0 && (rs[i-1] >= '0' && rs[i-1] <= '9')
}

// articleUnits are the characters that follow 第N in numbered items.
const articleUnits = "条款项章节号届次批期部篇册"

// matchUnit recognises a date, an order number, an article number or a year
// at rs[i:] and returns it with its forms.
func matchUnit(rs []rune, i int) (piece, int) {
	if digitBefore(rs, i) {
		return piece{}, i
	}
	if p, end := matchDate(rs, i); end > i {
		return p, end
	}
	at := func(j int, r rune) bool { return j < len(rs) && rs[j] == r }
	// 令第N号
	if at(i, '令') && at(i+1, '第') {
		if n, e, _ := numberAt(rs, i+2); e > i+2 && at(e, '号') {
			return orderPiece(n), e + 1
		}
	}
	if at(i, '第') {
		n, e, _ := numberAt(rs, i+1)
		if e > i+1 && e < len(rs) {
			if rs[e] == '号' && at(e+1, '令') {
				return orderPiece(n), e + 2
			}
			if strings.ContainsRune(articleUnits, rs[e]) {
				u := string(rs[e])
				return piece{kind: "number", fold: "第" + strconv.Itoa(n) + u,
					forms: []string{"第" + strconv.Itoa(n) + u, "第" + ChineseNumber(n) + u}}, e + 1
			}
		}
		return piece{}, i
	}
	// N号令
	if n, e, _ := numberAt(rs, i); e > i && at(e, '号') && at(e+1, '令') {
		return orderPiece(n), e + 2
	}
	// A year: 2019年, 二〇一九年.
	if n, e, _ := numberAt(rs, i); e == i+4 && at(e, '年') && n >= 1000 {
		y := strconv.Itoa(n)
		return piece{kind: "year", fold: y + "年", forms: []string{y + "年", ChineseDigits(y) + "年"}}, e + 1
	}
	return piece{}, i
}

// orderPiece is an order number (国务院令第711号) in every spelling.
func orderPiece(n int) piece {
	var forms []string
	for _, s := range []string{strconv.Itoa(n), ChineseNumber(n)} {
		forms = append(forms, "令第"+s+"号", "第"+s+"号令", s+"号令")
	}
	return piece{kind: "order", fold: forms[0], forms: forms}
}

// matchDate recognises 2019年4月3日, 2019年4月, 2019-04-03, 2019/4/3,
// 2019.4.3 and 二〇一九年四月三日.
func matchDate(rs []rune, i int) (piece, int) {
	y, e, _ := numberAt(rs, i)
	if e != i+4 || y < 1000 || e >= len(rs) {
		return piece{}, i
	}
	sep := rs[e]
	if sep != '年' && sep != '-' && sep != '/' && sep != '.' {
		return piece{}, i
	}
	m, e2, _ := numberAt(rs, e+1)
	if e2 == e+1 || m < 1 || m > 12 {
		return piece{}, i
	}
	ys, ms := strconv.Itoa(y), strconv.Itoa(m)
	mm := twoDigits(m)
	if sep == '年' {
		if e2 >= len(rs) || rs[e2] != '月' {
			return piece{}, i
		}
		d, e3, _ := numberAt(rs, e2+1)
		if e3 == e2+1 || e3 >= len(rs) || (rs[e3] != '日' && rs[e3] != '号') || d < 1 || d > 31 {
			return piece{kind: "date", fold: ys + "年" + ms + "月",
				forms: []string{ys + "年" + ms + "月", ys + "年" + mm + "月", ChineseDigits(ys) + "年" + ChineseNumber(m) + "月"}}, e2 + 1
		}
		return datePiece(y, m, d), e3 + 1
	}
	if e2 >= len(rs) || rs[e2] != sep {
		return piece{}, i
	}
	d, e3, _ := numberAt(rs, e2+1)
	if e3 == e2+1 || d < 1 || d > 31 {
		return piece{}, i
	}
	return datePiece(y, m, d), e3
}

func datePiece(y, m, d int) piece {
	ys, ms, ds := strconv.Itoa(y), strconv.Itoa(m), strconv.Itoa(d)
	mm, dd := twoDigits(m), twoDigits(d)
	forms := []string{
		ys + "年" + ms + "月" + ds + "日", ys + "年" + mm + "月" + dd + "日",
		ys + "-" + mm + "-" + dd, ys + "/" + ms + "/" + ds, ys + "." + ms + "." + ds,
		ChineseDigits(ys) + "年" + ChineseNumber(m) + "月" + ChineseNumber(d) + "日",
	}
	out := forms[:0]
	for _, f := range forms {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return piece{kind: "date", fold: out[0], forms: out}
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
