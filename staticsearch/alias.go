package staticsearch

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"
)

// minAlias is the fewest entries a term's postings must have for the
// bigram buckets to store them once for all the terms that have the same
// (aliases): below it an alias saves little, and a query that holds the
// term but not the one it names reads one more bucket.
const minAlias = 32

// aliases returns, of the terms of terms (each with its postings) whose
// postings, of at least minAlias entries, are another term's, each but the
// first of them in byte order, with that first: the bigram buckets hold an
// alias's name and the first's name instead of its postings (encodeAlias),
// and the client reads the first's bucket. Pairs that occur only inside
// one longer word have the same postings, and a query of that word reads
// them all (at 10,000 documents, 国土空间规划 档案管理 read 19 KB of
// postings four times over). Equal postings are found by a hash of the
// entries, then compared: whatever the hash, the first term of each class
// in byte order is the one the others name. The result depends on the terms and their
// postings only, so that a patched build (patch) finds the same.
func aliases(terms func(yield func(string, *postings) bool)) map[string]string {
	type cand struct {
		h    uint64
		term string
		p    *postings
	}
	var cs []cand
	var b []byte
	// Any hash gives the same result (equal postings are compared): a
	// seed of this run's is as good as a fixed one.
	seed := maphash.MakeSeed()
	for t, p := range terms {
		if len(p.e) < minAlias {
			continue
		}
		b = b[:0]
		for _, x := range p.e {
			b = binary.LittleEndian.AppendUint64(b, x)
		}
		cs = append(cs, cand{maphash.Bytes(seed, b), t, p})
	}
	slices.SortFunc(cs, func(x, y cand) int { return cmp.Or(cmp.Compare(x.h, y.h), strings.Compare(x.term, y.term)) })
	out := map[string]string{}
	for lo := 0; lo < len(cs); {
		hi := lo + 1
		for hi < len(cs) && cs[hi].h == cs[lo].h {
			hi++
		}
		// Within a run of one hash, each term names the first before
		// it with the same entries (a collision makes two classes).
		for i := lo + 1; i < hi; i++ {
			for j := lo; j < i; j++ {
				if _, ok := out[cs[j].term]; !ok && slices.Equal(cs[i].p.e, cs[j].p.e) {
					out[cs[i].term] = cs[j].term
					break
				}
			}
		}
		lo = hi
	}
	return out
}

// aliasEncode returns encode, which writes a term's postings in a bucket,
// writing instead an alias of alias as its name, a zero (no fields) and
// the name of the term whose postings it has.
func aliasEncode(alias map[string]string, encode func(e *enc, term string, p *postings)) func(e *enc, term string, p *postings) {
	if len(alias) == 0 {
		return encode
	}
	return func(e *enc, term string, p *postings) {
		if to, ok := alias[term]; ok {
			e.str(term)
			e.uint(0)
			e.str(to)
			return
		}
		encode(e, term, p)
	}
}
