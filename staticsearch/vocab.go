package staticsearch

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"gongkai/internal/par"
	"gongkai/search"
)

// vocabSet names the did-you-mean vocabulary's packs, which a search that
// finds nothing reads (suggest.js), as the server's did-you-mean reads its
// stored text (search/suggest.go vocabRows, vocabulary):
//   - Pairs: per character pair (two CJK characters, folded) the rows
//     whose title, keyword field or meta field holds it, each with the
//     number of those fields that do, in buckets by the pair's FNV-1a
//     hash as the postings are: the client counts the pairs of a word no
//     document holds from the few buckets of its own pairs;
//   - Rows: per block of Block rows the words suggestions are cut from, a
//     JSON array of [title, metadata items joined by spaces] per row: the
//     client reads only the blocks of the rows it chose.
type vocabSet struct {
	Pairs bucketSet `json:"pairs"`
	Rows  bucketSet `json:"rows"`
	Block int       `json:"block"`
}

// vocabBlock is the number of rows in an entry of the vocabulary's rows.
const vocabBlock = 16

// vocabVersion changes whenever writeVocab writes other packs for the same
// documents: a previous build's vocabulary is reused only when its digest
// (vocabDigest, which holds it) is this build's.
const vocabVersion = 1

// vocabDigest returns a digest of everything writeVocab reads of the
// documents, in its order (byID): per document its ID (the slug and the
// row), title, document and index numbers, agencies, topic and keywords —
// the fields of the metadata segment of search.DocText, raw rather than
// joined, so that no two different inputs give the same bytes to hash.
// A body, summary, date, kind or category edit leaves it as it was. What
// else shapes the vocabulary (search.Fold, the bucket hash) is the
// program's, which the analysis cache's salt stands for.
func vocabDigest(docs []search.Doc, byID []int) string {
	h := sha256.New()
	var b []byte
	b = binary.AppendUvarint(b, vocabVersion)
	b = binary.AppendUvarint(b, vocabBlock)
	b = binary.AppendUvarint(b, groupSize)
	b = binary.AppendUvarint(b, uint64(len(byID)))
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	list := func(v []string) {
		b = binary.AppendUvarint(b, uint64(len(v)))
		for _, s := range v {
			str(s)
		}
	}
	for _, i := range byID {
		d := &docs[i]
		str(d.ID)
		str(d.Title)
		str(d.DocNo)
		str(d.IndexNo)
		list(d.Agencies)
		str(d.Topic)
		list(d.Keywords)
		if len(b) > 32<<10 {
			h.Write(b)
			b = b[:0]
		}
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// linkVocab links the packs of set, the previous build's vocabulary, from
// the previous build's site folder, and reports whether it did: only when
// every pack is there whole (its header holds the entries set gives it and
// ends where the file does) and links; otherwise it leaves nothing behind
// and the vocabulary is written afresh, without linking the packs it found
// damaged (distrust). Like link, it trusts a whole pack's name for its
// content.
func (w *writer) linkVocab(set vocabSet) bool {
	if w.prev == "" || set.Block != vocabBlock {
		return false
	}
	type pack struct {
		name string
		size int64
	}
	var packs []pack
	seen := map[string]bool{}
	whole := true
	for _, bs := range []bucketSet{set.Pairs, set.Rows} {
		if bs.Dir != "v" || len(bs.Groups) != (bs.Buckets+groupSize-1)/groupSize {
			return false
		}
		for gi, g := range bs.Groups {
			name := path.Join(bs.Dir, g) + ".bin"
			size, ok := packIntact(filepath.Join(w.prev, filepath.FromSlash(ChunkDir), filepath.FromSlash(name)), min(groupSize, bs.Buckets-gi*groupSize))
			if !ok {
				if w.distrust == nil {
					w.distrust = map[string]bool{}
				}
				w.distrust[name], whole = true, false
			}
			if !seen[name] {
				seen[name] = true
				packs = append(packs, pack{name, size})
			}
		}
	}
	if !whole {
		return false
	}
	if err := w.mkdir("v"); err != nil {
		return false
	}
	for k, p := range packs {
		src := filepath.Join(w.prev, filepath.FromSlash(ChunkDir), filepath.FromSlash(p.name))
		if os.Link(src, filepath.Join(w.out, filepath.FromSlash(ChunkDir), filepath.FromSlash(p.name))) != nil {
			for _, q := range packs[:k] {
				os.Remove(filepath.Join(w.out, filepath.FromSlash(ChunkDir), filepath.FromSlash(q.name)))
			}
			return false
		}
	}
	for _, p := range packs {
		w.files.Add(1)
		w.reused.Add(1)
		w.bytes.Add(p.size)
	}
	return true
}

// packIntact reports whether the file name is a pack (see putPack) of n
// entries as far as its header tells (each entry's end after the one
// before, the last at the file's end), and its size. It reads the header
// only.
func packIntact(name string, n int) (int64, bool) {
	f, err := os.Open(name)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || n < 1 {
		return 0, false
	}
	head := make([]byte, 4*(1+n))
	if _, err := io.ReadFull(f, head); err != nil || int(binary.LittleEndian.Uint32(head)) != n {
		return 0, false
	}
	end := uint32(0)
	for i := 1; i <= n; i++ {
		e := binary.LittleEndian.Uint32(head[4*i:])
		if e <= end {
			return 0, false
		}
		end = e
	}
	return fi.Size(), int64(len(head))+int64(end) == fi.Size()
}

// writeVocab writes the did-you-mean vocabulary (see vocabSet).
func (w *writer) writeVocab(ctx context.Context, docs []search.Doc, order []int) (vocabSet, error) {
	set := vocabSet{Block: vocabBlock}
	// Each row's words and pairs, side by side (vocabRow); then the pairs'
	// rows, in row order.
	vr := make([]vocabRow, len(order))
	par.Runs(len(order), func(lo, hi int) {
		count := map[string]uint32{}
		seen := map[string]bool{}
		for r := lo; r < hi; r++ {
			vr[r] = vocabOf(&docs[order[r]], count, seen)
		}
	})
	// The rows' blocks are encoded while the pairs are gathered.
	rows := make([][]byte, (len(order)+vocabBlock-1)/vocabBlock)
	encoded := make(chan struct{})
	go func() {
		defer close(encoded)
		par.Each(len(rows), func(b int) {
			words := make([][2]string, 0, vocabBlock)
			for r := b * vocabBlock; r < min(len(order), (b+1)*vocabBlock); r++ {
				words = append(words, vr[r].words)
			}
			rows[b], _ = json.Marshal(words) // strings only: cannot fail
		})
	}()
	pairs := map[string][]uint32{} // row<<2 | fields holding the pair
	for r := range vr {
		for _, p := range vr[r].pairs {
			pairs[p.pair] = append(pairs[p.pair], uint32(r)<<2|p.fields)
		}
	}
	<-encoded
	nb := max(64, bucketCount(len(order))/16)
	terms := make([][]string, nb)
	for p := range pairs {
		b := bucketOf(p, nb)
		terms[b] = append(terms[b], p)
	}
	raw := make([][]byte, nb)
	for b, ts := range terms {
		slices.Sort(ts)
		var e enc
		e.uint(uint64(len(ts)))
		for _, t := range ts {
			e.str(t)
			e.uint(uint64(len(pairs[t])))
			prev := -1
			for _, x := range pairs[t] { // rows ascend
				e.uint(uint64(int(x>>2) - prev))
				e.uint(uint64(x & 3))
				prev = int(x >> 2)
			}
		}
		raw[b] = e.b
	}
	var err error
	if set.Pairs, err = w.writeEntries(ctx, "v", raw); err != nil {
		return set, err
	}
	set.Rows, err = w.writeEntries(ctx, "v", rows)
	return set, err
}

// vocabRow is what a document gives the vocabulary: its title and subject
// words, and the pairs of its title, subject words and agencies with how
// many of those three fields hold each.
type vocabRow struct {
	words [2]string
	pairs []vocabPair
}

type vocabPair struct {
	pair   string
	fields uint32
}

// vocabOf returns d's row of the vocabulary; count and seen are scratch
// maps of the caller's.
func vocabOf(d *search.Doc, count map[string]uint32, seen map[string]bool) vocabRow {
	segs := search.DocText(d)
	id := strings.TrimRight(d.ID, "/")
	slug := id[strings.LastIndexByte(id, '/')+1:]
	title := strings.ReplaceAll(segs[0], "\x1f", " ")
	row := vocabRow{words: [2]string{title, strings.ReplaceAll(segs[3], "\x1f", " ")}}
	clear(count)
	for _, f := range []string{title, strings.Join(append(slices.Clone(d.Keywords), d.Topic), "\x1f"), strings.Join(append(slices.Clone(d.Agencies), slug), "\x1f")} {
		clear(seen)
		rs := []rune(search.Fold(f))
		for k := 0; k+1 < len(rs); k++ {
			if search.IsCJK(rs[k]) && search.IsCJK(rs[k+1]) {
				p := string(rs[k : k+2])
				if !seen[p] {
					seen[p] = true
					count[p]++
				}
			}
		}
	}
	row.pairs = make([]vocabPair, 0, len(count))
	for p, n := range count {
		row.pairs = append(row.pairs, vocabPair{p, n})
	}
	return row
}

// writeEntries writes entries as packs of groupSize under dir, each named
// by its contents.
func (w *writer) writeEntries(ctx context.Context, dir string, raw [][]byte) (bucketSet, error) {
	n := len(raw)
	set := bucketSet{Dir: dir, Buckets: n}
	for lo := 0; lo < n; lo += groupSize {
		set.Groups = append(set.Groups, contentHash(raw[lo:min(n, lo+groupSize)]...))
	}
	if err := w.mkdir(dir); err != nil {
		return set, err
	}
	err := w.putGroups(ctx, len(set.Groups), func(gi int) error {
		return w.putPack(path.Join(dir, set.Groups[gi])+".bin", raw[gi*groupSize:min(n, (gi+1)*groupSize)])
	})
	return set, err
}
