package search

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// No dead ends: when a search finds nothing, the results page offers other
// spellings taken from the site's own titles and subject words, the columns
// whose records come closest to the query, and the page for requesting
// information (Settings.ApplyURL).

// maxSuggestions bounds the did-you-mean links.
const maxSuggestions = 3

// suggest returns queries like q in which a word that no document holds is
// replaced by the closest stretch of a title or subject word (one character
// wrong, missing or extra; two for words of five or more).
func (ix *Index) suggest(ctx context.Context, q Query, an Analysis) []string {
	type cand struct {
		word, repl string
		dist, freq int
	}
	var cands []cand
	for _, w := range an.Words {
		if w.Exclude || w.Kind != "" && w.Kind != "phrase" {
			continue
		}
		rs := []rune(Fold(w.Text))
		if len(rs) < 2 || len(rs) > 16 || ix.anyHolds(ctx, w) {
			continue
		}
		maxDist := 1
		if len(rs) >= 5 {
			maxDist = 2
		}
		found := map[string]int{} // replacement → distance
		freq := map[string]int{}
		for _, row := range ix.vocabRows(ctx, rs) {
			for _, v := range ix.vocabulary(row) {
				s, d := closestSubstring(rs, []rune(v))
				if d == 0 || d > maxDist || len(s) < 2 {
					continue
				}
				str := string(s)
				if old, ok := found[str]; !ok || d < old {
					found[str] = d
				}
				freq[str]++
			}
		}
		for s, d := range found {
			cands = append(cands, cand{word: w.Text, repl: s, dist: d, freq: freq[s]})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), -cmp.Compare(a.freq, b.freq), cmp.Compare(a.repl, b.repl))
	})
	var out []string
	text := q.String()
	for _, c := range cands {
		s := strings.Replace(text, c.word, c.repl, 1)
		if s != text && !slices.Contains(out, s) {
			out = append(out, s)
		}
		if len(out) == maxSuggestions {
			break
		}
	}
	return out
}

// anyHolds reports whether some document holds word w.
func (ix *Index) anyHolds(ctx context.Context, w Word) bool {
	c := compileWord(w)
	if !c.indexed() {
		return true // lone characters: no suggestion
	}
	acc := ix.getAccum()
	defer putAccum(acc)
	if err := ix.collectWord(ctx, c, acc); err != nil {
		return true
	}
	for _, row := range acc.rows {
		if ix.holds(int(row), c, acc) {
			return true
		}
	}
	return false
}

// vocabRows returns documents whose title or metadata hold at least half of
// the character pairs of rs, most pairs first, at most 200.
func (ix *Index) vocabRows(ctx context.Context, rs []rune) []int32 {
	var grams []string
	for i := 0; i+1 < len(rs); i++ {
		if isCJK(rs[i]) && isCJK(rs[i+1]) {
			grams = appendUnique(grams, string(rs[i:i+2]))
		}
	}
	if len(grams) == 0 {
		return nil
	}
	count := map[int32]int{}
	for _, g := range grams {
		for _, sh := range ix.shards {
			for _, f := range []int{numTitle, numKeyword, numMeta} {
				err := intersect(ctx, sh, []string{g}, fieldNames[f], func(num, _ uint64) {
					if num < uint64(len(sh.byInternal)) && sh.byInternal[num] >= 0 {
						count[sh.byInternal[num]]++
					}
				})
				if err != nil {
					return nil
				}
			}
		}
	}
	need := max(1, (len(grams)+1)/2)
	var rows []int32
	for r, n := range count {
		if n >= need {
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b int32) int { return cmp.Or(-cmp.Compare(count[a], count[b]), cmp.Compare(a, b)) })
	return rows[:min(len(rows), 200)]
}

// vocabulary returns the site's own words in row: its title and its
// metadata items (agencies, topic, subject words, …). The stored text
// joins the items with spaces (textWriter.add turns segSep into one), and
// no item holds a space of its own that a suggestion should span.
func (ix *Index) vocabulary(row int32) []string {
	r := &ix.docs[row]
	out := []string{r.Title}
	s, e := ix.segBounds(int(row), segMeta)
	t := unitText(ix.docText(int(row)))
	var cur []rune
	for i := s; i <= e; {
		if i == e {
			break
		}
		ru, w := t.runeAt(i, e)
		i += w
		if ru == segSep || ru == ' ' {
			out = append(out, string(cur))
			cur = cur[:0]
			continue
		}
		cur = append(cur, ru)
	}
	out = append(out, string(cur))
	return out
}

// closestSubstring returns the stretch of t closest to p by edit distance
// (any start, any end: Sellers' algorithm), folded, and the distance.
func closestSubstring(p, t []rune) ([]rune, int) {
	m := len(p)
	prev := make([]int, m+1)
	cur := make([]int, m+1)
	prevStart := make([]int, m+1)
	curStart := make([]int, m+1)
	for i := range prev {
		prev[i] = i
	}
	best, bestEnd, bestStart := m+1, 0, 0
	for j := 1; j <= len(t); j++ {
		tj := foldRune(t[j-1])
		cur[0], curStart[0] = 0, j
		for i := 1; i <= m; i++ {
			sub := prev[i-1]
			if p[i-1] != tj {
				sub++
			}
			v, st := sub, prevStart[i-1]
			if prev[i]+1 < v {
				v, st = prev[i]+1, prevStart[i]
			}
			if cur[i-1]+1 < v {
				v, st = cur[i-1]+1, curStart[i-1]
			}
			cur[i], curStart[i] = v, st
		}
		// Equal distances: the stretch as long as p wins (养老服务补贴, not
		// 养老服务补, for 养老服务补帖).
		if l := j - curStart[m]; cur[m] < best || cur[m] == best && abs(l-m) < abs(bestEnd-bestStart-m) {
			best, bestEnd, bestStart = cur[m], j, curStart[m]
		}
		prev, cur = cur, prev
		prevStart, curStart = curStart, prevStart
	}
	if best > m {
		return nil, best
	}
	out := make([]rune, 0, bestEnd-bestStart)
	for _, r := range t[bestStart:bestEnd] {
		out = append(out, foldRune(r))
	}
	return out, best
}

// nearestColumns returns up to three columns for a query that found
// nothing: those of the kinds its intent asks for, then those whose records
// hold the most of the query's character pairs.
func (ix *Index) nearestColumns(ctx context.Context, an Analysis, st *Settings) []Column {
	if len(st.Columns) == 0 {
		return nil
	}
	score := map[string]int{}
	for i, k := range IntentKinds[an.Intent] {
		score[k] = 1<<30 - i
	}
	var grams []string
	for _, w := range an.Words {
		if w.Exclude {
			continue
		}
		for _, f := range w.Forms {
			b, words, _ := termGrams(Fold(f))
			grams = appendUnique(grams, slices.Concat(b, words)...)
		}
	}
	if len(grams) > 0 && len(grams) <= 64 {
		count := map[int32]int{}
		for _, g := range grams {
			c := compileWord(Word{Text: g, Forms: []string{g}})
			acc := ix.getAccum()
			if err := ix.collectWord(ctx, c, acc); err == nil {
				for _, r := range acc.rows {
					count[r]++
				}
			}
			putAccum(acc)
		}
		need := max(1, (len(grams)+1)/2)
		for r, n := range count {
			if n >= need {
				score[ix.docs[r].Kind]++
			}
		}
	}
	type kc struct {
		col Column
		n   int
	}
	var cols []kc
	for _, c := range st.Columns {
		n := 0
		for _, k := range c.Kinds {
			n = max(n, score[k])
		}
		if n > 0 {
			cols = append(cols, kc{c, n})
		}
	}
	slices.SortStableFunc(cols, func(a, b kc) int { return -cmp.Compare(a.n, b.n) })
	var out []Column
	for _, c := range cols[:min(len(cols), 3)] {
		out = append(out, c.col)
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
