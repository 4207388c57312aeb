package staticsearch

import (
	"bytes"
	"cmp"
	"compress/flate"
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"gongkai/internal/precompress"
	"gongkai/search"
)

// Paths in the site, relative to its root. Everything under ChunkDir is
// immutable: a name is never reused for other content, so web servers may
// cache it for a year (the site's server does, for static/). The manifest
// is the one file that changes in place.
const (
	ManifestPath = "search/index.json"
	ChunkDir     = "static/search"
)

// Format and version of the manifest; the client refuses another.
const (
	formatName    = "gongkai-static-search"
	formatVersion = 6
)

// Sizes of the partitions. Postings are hashed into buckets by term; a
// group of buckets is one pack named by the hash of its buckets' contents,
// and so is a block of documents. The manifest lists one name per pack.
// A query reads 8 bytes of a pack's header (the ends of the entry before
// and of its own), then its entry: packs may be large, and buckets many
// and small, without a query reading more.
const (
	groupSize = 2048 // buckets per pack
	blockSize = 512  // documents per pack (two entries each: see writeDocs)
	// leadRunes is how much of a body a document's card holds: snippets
	// are cut from it, so that a result costs its card, not its text.
	leadRunes = 480
	// maxUnigramCount caps the count of a character in a document, as
	// the server's count of single characters stops at 32.
	maxUnigramCount = 32
)

// Options configures Write.
type Options struct {
	// Settings are the site's search settings (synonyms, labels, kind
	// names, columns, request page), as the server index stores them.
	Settings *search.Settings
	// Labels are the further UI strings of the results page (the theme's
	// search_count, prev, next, …), by key.
	Labels map[string]string
	// SearchPath is the path of the results page ("/search", under the
	// site's base path).
	SearchPath string
	// Base is the site's base path ("/zfxxgk/"; "/" or "" at the root of
	// the host): result links are the documents' site paths under it.
	Base string
	// Precompress writes .br and .gz copies of the manifest beside it
	// (the chunks are compressed already).
	Precompress bool
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
	// State is the build's state folder (never served), where Write
	// leaves the analysis of every document (CacheDir); "" leaves none.
	// PrevState is the previous build's state folder ("" or missing for
	// none): documents whose ID and non-empty Hash its cache holds are not
	// analysed again, when the cache has the same Salt (what identifies
	// the program) and analysis version. A cache that is missing, damaged
	// or of another salt or version is ignored: every document is
	// analysed. The index is the same either way.
	State, PrevState string
	Salt             []byte
}

// Stats reports what Write did.
type Stats struct {
	Docs    int
	Files   int   // chunk files in the index
	Reused  int   // of them, linked from the previous build unchanged
	Bytes   int64 // compressed bytes of all chunk files
	Took    time.Duration
	Buckets int
	// Analysed counts the documents analysed afresh; the others' analysis
	// came from the previous build's cache.
	Analysed int
	// VocabReused reports that the did-you-mean vocabulary's packs were
	// linked from the previous build: its documents' titles, metadata
	// and IDs were the same (a body edit).
	VocabReused bool
	// Patched reports that the postings were patched: the same documents
	// in the same rows, the same word vocabulary, only changed rows
	// analysed.
	Patched bool
}

// Write writes the static index of docs into the site folder out: the
// manifest at ManifestPath and the chunks under ChunkDir. prev is the
// previous build's site folder (may be "" or missing): chunks it already
// holds under the same name are hard-linked instead of written again. Only
// the published records may be passed; the index holds their whole text.
func Write(ctx context.Context, out, prev string, docs []search.Doc, opts Options) (Stats, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	st, err := write(ctx, out, prev, docs, opts)
	if err != nil && errors.Is(err, errCache) {
		// A cache file found damaged after the analysis began: again,
		// analysing every document.
		opts.Logger.Info("static search index: analysing every document", "cache", filepath.Join(opts.PrevState, CacheDir), "reason", err)
		opts.PrevState = ""
		st, err = write(ctx, out, prev, docs, opts)
	}
	return st, err
}

func write(ctx context.Context, out, prev string, docs []search.Doc, opts Options) (Stats, error) {
	start := time.Now()
	var st Stats
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(docs[a].ID, docs[b].ID) })
	for i := 1; i < len(order); i++ {
		if docs[order[i]].ID == docs[order[i-1]].ID {
			return st, fmt.Errorf("static search index: duplicate document ID %q", docs[order[i]].ID)
		}
	}
	byID := order
	order = rowOrder(docs, byID)
	w := &writer{out: out, prev: prev, n: len(docs)}
	w.buckets = bucketCount(len(docs))
	w.ubuckets = max(64, w.buckets/4)
	a, err := openAnalysis(w, docs, order, opts)
	if err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	if a.reasonSlow != nil {
		opts.Logger.Info("static search index: analysing every document", "cache", a.prevDir, "reason", a.reasonSlow)
	}
	ix, err := a.analyze(ctx)
	if err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	ix.tie = tieRanks(docs, order, ix)

	man := manifest{Format: formatName, Version: formatVersion, Docs: len(docs), SearchPath: opts.SearchPath}
	man.Rank.K1, man.Rank.Weight, man.Rank.B = search.RankConstants()
	man.Rank.Avg, man.Rank.AvgUnits = averages(ix)
	man.Settings = effectiveSettings(opts.Settings)
	for _, q := range search.QueryWords {
		man.QueryWords = append(man.QueryWords, queryWord{q.Word, q.Drop, q.Intent, q.AtEnd})
	}
	man.IntentKinds = search.IntentKinds
	man.Base = opts.Base
	if man.Base == "" {
		man.Base = "/"
	}
	man.Labels = opts.Labels
	man.Fields = search.FieldNames()

	// Postings of bigrams and words, and of single characters.
	sets, err := a.postings(ctx, ix)
	if err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	man.Postings, man.Unigrams = sets[0], sets[1]
	a.release(ix)
	// The document table, by column, and the documents' files.
	if err := w.writeTable(&man.Table, encodeTable(ix)); err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	if man.Blocks, err = w.writeDocs(ctx, docs, order, a.knownDocs(), a.prevDocs()); err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	if err := a.finish(ix, man.Blocks); err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	// The Traditional → Simplified tables, loaded for queries that need them.
	pairs, stages := search.OpenCCTables()
	var t2s enc
	t2s.str(pairs)
	if man.OpenCC.T2S, err = w.writeChunk(t2s.b); err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	var tw enc
	tw.uint(uint64(len(stages)))
	for _, s := range stages {
		tw.str(s)
	}
	if man.OpenCC.TW2SP, err = w.writeChunk(tw.b); err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	bits, wide := t2sSources(pairs)
	if man.OpenCC.Sources, err = w.writeRaw("o", bits); err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	man.OpenCC.Wide = wide
	man.Block = blockSize
	man.Group = groupSize
	// What a search that finds nothing loads: the site's own words and
	// the script that suggests from them.
	if man.Vocab, err = a.vocab(ctx, byID); err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	if err := a.writeIndex(); err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	if man.Suggest, err = w.writeScript(suggestClient(), opts.Precompress); err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}

	b, err := json.Marshal(man)
	if err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	if err := WriteServed(filepath.Join(out, filepath.FromSlash(ManifestPath)), b, opts.Precompress); err != nil {
		return st, fmt.Errorf("static search index: %w", err)
	}
	st = Stats{Docs: len(docs), Files: int(w.files.Load()), Reused: int(w.reused.Load()), Bytes: w.bytes.Load(), Took: time.Since(start), Buckets: w.buckets, Analysed: a.Analysed, VocabReused: a.VocabReused, Patched: a.prev != nil}
	opts.Logger.Info("static search index written", "docs", st.Docs, "analysed", st.Analysed, "patched", st.Patched, "vocab_reused", st.VocabReused, "files", st.Files, "reused", st.Reused, "bytes", st.Bytes, "took", st.Took)
	return st, nil
}

// rowOrder returns the rows of the index: the documents (byID, sorted by
// ID) by their first agency, kind, year and topic, then date and ID. Rows
// of one agency and kind side by side, and within them of one year and
// topic, make the facet column compress to a fraction (7 KB at 10,000
// documents instead of 24 KB by ID). The server's last tie-break, the ID
// order among documents of the same date, is the dates chunk's (tieRanks).
func rowOrder(docs []search.Doc, byID []int) []int {
	type key struct{ agency, kind, year, topic string }
	keys := make([]key, len(docs))
	first := func(v []string) string {
		if len(v) > 0 {
			return v[0]
		}
		return ""
	}
	for _, i := range byID {
		f := search.DocFacets(&docs[i])
		keys[i] = key{first(f[1]), docs[i].Kind, first(f[3]), first(f[2])}
	}
	order := slices.Clone(byID)
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := &keys[a], &keys[b]
		return cmp.Or(strings.Compare(x.agency, y.agency), strings.Compare(x.kind, y.kind), strings.Compare(x.year, y.year),
			strings.Compare(x.topic, y.topic), docs[a].Date.Compare(docs[b].Date))
	})
	return order
}

// tieRanks returns per row the rank of its document's ID among the
// documents of the same date (as the table stores it): with the dates, the
// server's order of ties (by ID) without a column of IDs.
func tieRanks(docs []search.Doc, order []int, ix *index) []int {
	byDate := map[int64][]int{}
	for row := range ix.rows {
		byDate[ix.rows[row].date] = append(byDate[ix.rows[row].date], row)
	}
	tie := make([]int, len(order))
	for _, rows := range byDate {
		slices.SortFunc(rows, func(a, b int) int { return strings.Compare(docs[order[a]].ID, docs[order[b]].ID) })
		for k, row := range rows {
			tie[row] = k
		}
	}
	return tie
}

// bucketCount is the number of postings buckets for n documents: about
// sixteen per document, a power of two, so that a rare term seldom shares
// its bucket with a common one (a query reads whole buckets, but only 8
// bytes of a pack's header, so more of them cost nothing else; at four a
// document, a two-term query read up to 5 KB more).
func bucketCount(n int) int {
	b := 256
	for b < 16*n {
		b *= 2
	}
	return b
}

// manifest is search/index.json.
type manifest struct {
	Format     string                   `json:"format"`
	Version    int                      `json:"version"`
	Docs       int                      `json:"docs"`
	SearchPath string                   `json:"search_path"`
	Fields     [search.NumFields]string `json:"fields"`
	Rank       struct {
		K1     float64                   `json:"k1"`
		Weight [search.NumFields]float64 `json:"weight"`
		B      [search.NumFields]float64 `json:"b"`
		// Avg is each field's average length over the documents that
		// have it (1 when none does), AvgUnits the average stored text
		// length (at least 1): the norms' constants.
		Avg      [search.NumFields]float64 `json:"avg"`
		AvgUnits float64                   `json:"avg_units"`
	} `json:"rank"`
	Postings bucketSet `json:"postings"`
	Unigrams bucketSet `json:"unigrams"`
	Table    tableSet  `json:"table"`
	Block    int       `json:"block"`
	Group    int       `json:"group"`
	Blocks   []string  `json:"blocks"`
	// OpenCC names the Traditional → Simplified tables, and Sources the
	// bitmap of the characters they map (t2sSources, not deflated: the
	// client reads the bytes of a query's characters), Wide the others.
	OpenCC struct {
		T2S     string `json:"t2s"`
		TW2SP   string `json:"tw2sp"`
		Sources string `json:"sources"`
		Wide    string `json:"wide"`
	} `json:"opencc"`
	Settings    *search.Settings    `json:"settings"`
	Labels      map[string]string   `json:"labels"`
	QueryWords  []queryWord         `json:"query_words"`
	IntentKinds map[string][]string `json:"intent_kinds"`
	// Base is the base path result URLs start with ("/zfxxgk/"; "/").
	Base string `json:"base"`
	// Vocab is the documents' own words (see writeVocab), Suggest the
	// script (under ChunkDir) that suggests from them.
	Vocab   vocabSet `json:"vocab"`
	Suggest string   `json:"suggest"`
}

// writeScript writes a script, named by its content, under ChunkDir, as it
// is, with .br and .gz copies when precompress is set (like the client),
// and returns its name.
func (w *writer) writeScript(b []byte, precompress bool) (string, error) {
	name := "suggest-" + contentHash(b) + ".js"
	return name, WriteServed(filepath.Join(w.out, filepath.FromSlash(ChunkDir), name), b, precompress)
}

// tableSet names the chunks of the document table's columns. The title
// field's lengths are followed by the titles' lengths in characters.
type tableSet struct {
	Facets     string                   `json:"facets"`
	Lens       [search.NumFields]string `json:"lens"`
	TitleRunes string                   `json:"title_runes"`
	Date       string                   `json:"date"`
	Units      string                   `json:"units"`
}

// writeTable writes the table's columns as chunks and names them in set.
func (w *writer) writeTable(set *tableSet, t table) error {
	var err error
	put := func(dst *string, segs ...[]byte) {
		if err == nil {
			*dst, err = w.writeSegments(segs)
		}
	}
	put(&set.Facets, t.facets...)
	for f := range t.lens {
		put(&set.Lens[f], t.lens[f]...)
	}
	put(&set.Date, t.date)
	put(&set.Units, t.units)
	return err
}

// queryWord is search.QueryWord as the client reads it.
type queryWord struct {
	Word   string `json:"word"`
	Drop   bool   `json:"drop,omitempty"`
	Intent string `json:"intent,omitempty"`
	AtEnd  bool   `json:"atEnd,omitempty"`
}

// effectiveSettings returns the settings with the synonym groups the server
// uses spelled out (nil synonyms mean search.DefaultSynonyms).
func effectiveSettings(s *search.Settings) *search.Settings {
	out := &search.Settings{}
	if s != nil {
		out.Labels, out.KindLabels, out.Columns, out.ApplyURL, out.Synonyms = s.Labels, s.KindLabels, s.Columns, s.ApplyURL, s.Synonyms
	}
	if out.Synonyms == nil {
		out.Synonyms = search.DefaultSynonyms
	}
	return out
}

// bucketSet names the buckets of one family: Buckets of them, in groups of
// the manifest's Group, each group a pack named in Groups.
type bucketSet struct {
	Dir     string   `json:"dir"`
	Buckets int      `json:"buckets"`
	Groups  []string `json:"groups"`
}

// writer writes chunk files, reusing the previous build's.
type writer struct {
	out, prev         string
	n                 int
	buckets, ubuckets int
	files, reused     atomic.Int64
	bytes             atomic.Int64
	// distrust names the previous build's files found damaged, which
	// link does not link (set before the writes that might).
	distrust map[string]bool
}

// writeChunk writes one content-addressed chunk and returns its path under
// ChunkDir.
func (w *writer) writeChunk(raw []byte) (string, error) {
	name := "c/" + contentHash(raw) + ".bin"
	if err := w.mkdir("c"); err != nil {
		return name, err
	}
	return name, w.put(name, raw)
}

// writeSegments writes one content-addressed chunk, the concatenation of
// segs, deflated segment by segment (deflateSegments), and returns its
// path under ChunkDir. Its name is that of the same bytes in one segment.
func (w *writer) writeSegments(segs [][]byte) (string, error) {
	name := "c/" + contentHash(segs...) + ".bin"
	if err := w.mkdir("c"); err != nil {
		return name, err
	}
	return name, w.putEncoded(name, func() []byte { return deflateSegments(segs) })
}

// writeRaw writes one content-addressed file under ChunkDir/dir as it is,
// not deflated, for the client to read a few bytes of it with range
// requests (the OpenCC bitmap), and returns its path under ChunkDir.
func (w *writer) writeRaw(dir string, raw []byte) (string, error) {
	name := dir + "/" + contentHash(raw) + ".bin"
	if err := w.mkdir(dir); err != nil {
		return name, err
	}
	return name, w.putEncoded(name, func() []byte { return raw })
}

// put writes raw, deflated, at ChunkDir/name, or links the previous build's
// file of that name. The directory must exist (mkdir).
func (w *writer) put(name string, raw []byte) error {
	return w.putEncoded(name, func() []byte { return deflate(raw) })
}

// putEncoded writes what encode returns at ChunkDir/name, or links the
// previous build's file of that name without encoding. The directory must
// exist (mkdir).
func (w *writer) putEncoded(name string, encode func() []byte) error {
	dst := filepath.Join(w.out, filepath.FromSlash(ChunkDir), filepath.FromSlash(name))
	w.files.Add(1)
	if w.link(name, dst) {
		return nil
	}
	data := encode()
	w.bytes.Add(int64(len(data)))
	return os.WriteFile(dst, data, 0o644)
}

// putPack writes entries as a pack at ChunkDir/name, or links the
// previous build's file of that name. A pack is a header of little-endian
// uint32s, the count of entries and then per entry its end counted from the
// header's end, then the entries, each deflated on its own: the client
// reads the header, then an entry, with HTTP range requests. Packs keep
// the files few (a file costs more to write than its bytes) and a query's
// reads small.
func (w *writer) putPack(name string, entries [][]byte) error {
	return w.putPackKeeping(name, entries, nil, deflate)
}

// putPackKeeping is putPack where deflated, when not nil, holds per entry
// its bytes already deflated (nil for one to deflate): those of the
// previous build's pack (prevPack) for entries that did not change; the
// others are deflated with compress (deflate, or deflateSmallest for
// postings).
func (w *writer) putPackKeeping(name string, entries, deflated [][]byte, compress func([]byte) []byte) error {
	return w.putEncoded(name, func() []byte { return packBytes(entries, deflated, compress) })
}

// packBytes returns the pack of entries (see putPack), deflated with
// compress but those deflated gives.
func packBytes(entries, deflated [][]byte, compress func([]byte) []byte) []byte {
	head := 4 * (1 + len(entries))
	pack := make([]byte, head, head+64*len(entries))
	binary.LittleEndian.PutUint32(pack, uint32(len(entries)))
	for i, e := range entries {
		if deflated != nil && deflated[i] != nil {
			pack = append(pack, deflated[i]...)
		} else {
			pack = append(pack, compress(e)...)
		}
		binary.LittleEndian.PutUint32(pack[4*(i+1):], uint32(len(pack)-head))
	}
	return pack
}

// prevPack returns the entries, still deflated, of the previous build's
// pack name (under ChunkDir), nil for each entry i that changed(i) (to be
// deflated anew); nil when there is no such pack, it does not hold n
// entries or its header does not fit its size. Like link, it trusts a
// pack's name for its content: a pack is written whole under the name of
// its hash (or its entries') and never changed.
func (w *writer) prevPack(name string, n int, changed func(i int) bool) [][]byte {
	if w.prev == "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(w.prev, filepath.FromSlash(ChunkDir), filepath.FromSlash(name)))
	head := 4 * (1 + n)
	if err != nil || len(data) < head || int(binary.LittleEndian.Uint32(data)) != n {
		return nil
	}
	out := make([][]byte, n)
	start := 0
	for i := range out {
		end := int(binary.LittleEndian.Uint32(data[4*(i+1):]))
		if end <= start || head+end > len(data) {
			return nil
		}
		out[i], start = data[head+start:head+end:head+end], end
	}
	if head+start != len(data) {
		return nil
	}
	for i := range out {
		if changed(i) {
			out[i] = nil
		}
	}
	return out
}

// link links the previous build's file name to dst, if it has one. When
// dst is there already (two chunks of the same bytes, or the first try of
// Write), it is that file: the caller must not write it, as it may be a
// link to the previous build's, which a live site serves.
func (w *writer) link(name, dst string) bool {
	if w.prev == "" || w.distrust[name] {
		return false
	}
	src := filepath.Join(w.prev, filepath.FromSlash(ChunkDir), filepath.FromSlash(name))
	fi, err := os.Stat(src)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	if err := os.Link(src, dst); err != nil && !errors.Is(err, fs.ErrExist) {
		return false
	}
	w.reused.Add(1)
	w.bytes.Add(fi.Size())
	return true
}

// mkdir makes the directory dir under ChunkDir.
func (w *writer) mkdir(dir string) error {
	return os.MkdirAll(filepath.Join(w.out, filepath.FromSlash(ChunkDir), filepath.FromSlash(dir)), 0o755)
}

// WriteServed writes a file the web server sends as it is (the manifest,
// the client, the results page) and, with compress, its .br and .gz copies, which
// gongkai serve and nginx's gzip_static/brotli_static send to browsers
// that take them.
func WriteServed(name string, b []byte, compress bool) error {
	if err := writeFile(name, b); err != nil {
		return err
	}
	if !compress || !precompress.Eligible(name, len(b)) {
		return nil
	}
	br, gz, err := precompress.Encode(b)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for i, c := range [][]byte{br, gz} {
		if c != nil {
			if err := os.WriteFile(name+precompress.Suffixes[i], c, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// writeBuckets hashes the terms of m into n buckets, encodes each bucket
// (terms in byte order) and writes them in groups. group, when not nil,
// is given each group's terms, by bucket. m's postings are let go (nil)
// group by group as they are written: the caller reads them no more.
func (w *writer) writeBuckets(ctx context.Context, dir string, n int, m map[string]*postings, encode func(e *enc, term string, p *postings), group func(gi int, terms [][]string) error) (bucketSet, error) {
	set := bucketSet{Dir: dir, Buckets: n}
	terms := make([][]string, n)
	for t := range m {
		b := bucketOf(t, n)
		terms[b] = append(terms[b], t)
	}
	if err := w.mkdir(dir); err != nil {
		return set, err
	}
	// Each group is encoded, named and written at once, so that only the
	// groups being written are held encoded (at 50,000 documents all of
	// them would be some 300 MB).
	set.Groups = make([]string, (n+groupSize-1)/groupSize)
	err := w.putGroups(ctx, len(set.Groups), func(gi int) error {
		lo, hi := gi*groupSize, min(n, (gi+1)*groupSize)
		raw := make([][]byte, hi-lo)
		for b := lo; b < hi; b++ {
			slices.Sort(terms[b])
			raw[b-lo] = encodeBucket(terms[b], m, encode)
		}
		set.Groups[gi] = contentHash(raw...)
		if group != nil {
			if err := group(gi, terms[lo:hi]); err != nil {
				return err
			}
		}
		// At 50,000 documents the postings are the most of the memory:
		// the last groups are not encoded beside every group's.
		for _, ts := range terms[lo:hi] {
			for _, t := range ts {
				m[t].e = nil
			}
		}
		return w.putPackKeeping(path.Join(dir, set.Groups[gi])+".bin", raw, nil, deflateSmallest)
	})
	return set, err
}

// encodeBucket encodes a bucket: its count of terms, then each term (in
// the order given) with its postings.
func encodeBucket(terms []string, m map[string]*postings, encode func(e *enc, term string, p *postings)) []byte {
	var e enc
	e.uint(uint64(len(terms)))
	for _, t := range terms {
		encode(&e, t, m[t])
	}
	return e.b
}

// putGroups runs fn for groups 0…n-1, a few more at a time than there are
// cores: writing small files waits on the file system more than it
// computes.
func (w *writer) putGroups(ctx context.Context, n int, fn func(gi int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4 * runtime.GOMAXPROCS(0))
	for gi := range n {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return fn(gi)
		})
	}
	return g.Wait()
}

// docFile is the JSON of a document's card: what a result shows, and its
// text with the body cut to its first leadRunes characters (Lead says
// so), which snippets are cut from. The whole body, which phrases are
// checked against, is the card's and the entry after it, which holds the
// rest (empty when the card has it all). A card's JSON names its ID and
// keys (identifiers, not links, which is what tools that read the index
// for links go by) and holds its other fields as an array in order, f
// (MarshalJSON), which the client names (CARD in client.js,
// TestCardFields): each card is deflated on its own, and the fields' names
// were a tenth of it.
type docFile struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Title    string    `json:"title"`
	DocNo    string    `json:"docno,omitempty"`
	IndexNo  string    `json:"indexno,omitempty"`
	Agencies []string  `json:"agencies,omitempty"`
	Topic    string    `json:"topic,omitempty"`
	Validity string    `json:"validity,omitempty"`
	Date     string    `json:"date,omitempty"`
	DocNoKey string    `json:"docno_key,omitempty"`
	Keys     []string  `json:"keys,omitempty"`
	Text     [4]string `json:"text"`
	Lead     bool      `json:"lead,omitempty"`
	// T2S says that folding the document's text (the rest of the body
	// too) needs the OpenCC tables (needsT2S): the client loads them with
	// the card, and reads no bitmap for it.
	T2S bool `json:"t2s,omitempty"`
}

// MarshalJSON writes a card: its ID and keys by name, and its other fields
// in order in the array f, null for an empty one that the tag says to
// omit, and none after the last that is not.
func (f docFile) MarshalJSON() ([]byte, error) {
	v := reflect.ValueOf(f)
	card := cardJSON[any]{ID: f.ID, Keys: f.Keys}
	n := 0
	for i := range v.NumField() {
		x, tag := v.Field(i), v.Type().Field(i).Tag.Get("json")
		name, omit := strings.CutSuffix(tag, ",omitempty")
		if name == "id" || name == "keys" {
			continue
		}
		if omit && (x.Kind() == reflect.Bool && !x.Bool() || x.Kind() != reflect.Bool && x.Len() == 0) {
			card.F = append(card.F, nil)
			continue
		}
		card.F = append(card.F, x.Interface())
		n = len(card.F)
	}
	card.F = card.F[:n]
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(card)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// cardJSON is a card as MarshalJSON writes it.
type cardJSON[T any] struct {
	ID   string   `json:"id"`
	Keys []string `json:"keys,omitempty"`
	F    []T      `json:"f"`
}

// UnmarshalJSON reads a card that MarshalJSON wrote.
func (f *docFile) UnmarshalJSON(b []byte) error {
	var card cardJSON[json.RawMessage]
	if err := json.Unmarshal(b, &card); err != nil {
		return err
	}
	*f = docFile{ID: card.ID, Keys: card.Keys}
	v := reflect.ValueOf(f).Elem()
	k := 0
	for i := range v.NumField() {
		name, _ := strings.CutSuffix(v.Type().Field(i).Tag.Get("json"), ",omitempty")
		if name == "id" || name == "keys" {
			continue
		}
		if k < len(card.F) && string(card.F[k]) != "null" {
			if err := json.Unmarshal(card.F[k], v.Field(i).Addr().Interface()); err != nil {
				return err
			}
		}
		k++
	}
	if k < len(card.F) {
		return fmt.Errorf("a card of %d fields, want at most %d", len(card.F), k)
	}
	return nil
}

// writeDocs writes the documents in packs of blockSize rows, two entries
// a row (its card, then the rest of its body; see docFile), and
// returns the packs' names: each the hash of its bytes. known, when not
// nil, names per block the previous build's pack of the same documents
// ("" when unknown): such a pack is linked from the previous build, and
// encoded only when it is not there. prev, when not nil, names per block
// the previous build's pack of the same rows and whether a row changed:
// an encoded block takes the deflated entries of its unchanged rows from
// that pack (prevPack), and encodes only the others.
func (w *writer) writeDocs(ctx context.Context, docs []search.Doc, order []int, known []string, prev *prevDocs) ([]string, error) {
	nb := (len(order) + blockSize - 1) / blockSize
	names := make([]string, nb)
	raw := make([][]byte, 2*len(order))
	encodeRow := func(row int) error {
		d := &docs[order[row]]
		f := docFile{ID: d.ID, Kind: d.Kind, Title: d.Title, DocNo: d.DocNo, IndexNo: d.IndexNo, Agencies: d.Agencies,
			Topic: d.Topic, Validity: d.Validity, Date: search.DateText(d.Date), Keys: search.ExactKeys(d), Text: search.DocText(d)}
		f.DocNoKey, _ = search.DocNoKey(d.DocNo)
		f.T2S = needsT2S(f.Title, f.Text[0], f.Text[1], f.Text[2], f.Text[3])
		if body := f.Text[2]; utf8.RuneCountInString(body) > leadRunes {
			i := 0
			for range leadRunes {
				_, n := utf8.DecodeRuneInString(body[i:])
				i += n
			}
			f.Text[2], f.Lead = body[:i], true
			raw[2*row+1] = []byte(body[i:])
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(f); err != nil {
			return err
		}
		raw[2*row] = b.Bytes()
		return nil
	}
	if err := w.mkdir("d"); err != nil {
		return nil, err
	}
	// Each block is encoded, named and written at once, and let go: at
	// 50,000 documents all of them would be some 400 MB.
	err := w.putGroups(ctx, nb, func(bi int) error {
		if known != nil && known[bi] != "" {
			names[bi] = known[bi]
			name := "d/" + names[bi] + ".bin"
			if w.link(name, filepath.Join(w.out, filepath.FromSlash(ChunkDir), filepath.FromSlash(name))) {
				w.files.Add(1)
				return nil
			}
		}
		lo, hi := 2*bi*blockSize, 2*min(len(order), (bi+1)*blockSize)
		var deflated [][]byte
		if prev != nil && bi < len(prev.packs) && prev.packs[bi] != "" {
			deflated = w.prevPack("d/"+prev.packs[bi]+".bin", hi-lo, func(i int) bool { return prev.changed[(lo+i)/2] })
		}
		// The rows whose entries the previous pack does not give (a
		// row's two entries are both given or neither).
		for row := lo / 2; row < hi/2; row++ {
			if deflated == nil || deflated[2*row-lo] == nil {
				if err := encodeRow(row); err != nil {
					return err
				}
			}
		}
		pack := packBytes(raw[lo:hi], deflated, deflate)
		clear(raw[lo:hi])
		names[bi] = contentHash(pack)
		return w.putEncoded("d/"+names[bi]+".bin", func() []byte { return pack })
	})
	return names, err
}

// textUnits returns the length of a document's stored text in UTF-16 units,
// segment separators included.
func textUnits(segs [4]string) int {
	n := len(segs) - 1
	for _, s := range segs {
		for _, r := range s {
			n += utf16.RuneLen(r)
		}
	}
	return n
}

// Remove deletes a static index from a site folder (used when a site turns
// it off); a missing index is not an error.
func Remove(out string) error {
	err := os.RemoveAll(filepath.Join(out, filepath.FromSlash(ChunkDir)))
	if e := os.Remove(filepath.Join(out, filepath.FromSlash(ManifestPath))); e != nil && !errors.Is(e, fs.ErrNotExist) {
		err = errors.Join(err, e)
	}
	return err
}

// ReadPack returns the entries of a pack (see putPack), inflated.
func ReadPack(data []byte) ([][]byte, error) {
	if len(data) < 4 {
		return nil, errors.New("static search pack: no header")
	}
	n := int(binary.LittleEndian.Uint32(data))
	head := 4 * (1 + n)
	if n > len(data)/4 || head > len(data) {
		return nil, fmt.Errorf("static search pack: %d entries in %d bytes", n, len(data))
	}
	out := make([][]byte, n)
	start := 0
	for i := range out {
		end := int(binary.LittleEndian.Uint32(data[4*(i+1):]))
		if end < start || head+end > len(data) {
			return nil, fmt.Errorf("static search pack: entry %d ends at %d, out of %d bytes", i, end, len(data)-head)
		}
		b, err := io.ReadAll(flate.NewReader(bytes.NewReader(data[head+start : head+end])))
		if err != nil {
			return nil, fmt.Errorf("static search pack: entry %d: %w", i, err)
		}
		out[i], start = b, end
	}
	return out, nil
}

// ReadDocs returns the documents of a documents pack (see writeDocs): per
// document its card as stored (JSON) and its whole body, the card's part
// and the rest joined as the client joins them.
func ReadDocs(data []byte) (cards [][]byte, bodies []string, err error) {
	entries, err := ReadPack(data)
	if err != nil {
		return nil, nil, err
	}
	if len(entries)%2 != 0 {
		return nil, nil, fmt.Errorf("static search documents pack: %d entries, not two a document", len(entries))
	}
	for i := 0; i < len(entries); i += 2 {
		var f docFile
		if err := json.Unmarshal(entries[i], &f); err != nil {
			return nil, nil, fmt.Errorf("static search documents pack: card %d: %w", i/2, err)
		}
		cards = append(cards, entries[i])
		bodies = append(bodies, f.Text[2]+string(entries[i+1]))
	}
	return cards, bodies, nil
}
