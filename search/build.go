package search

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
	"golang.org/x/sync/errgroup"
)

// Doc is one published record to index. ID is its stable key (the URL path,
// e.g. "/policy/abc-2024-00012.html").
type Doc struct {
	ID       string
	Kind     string // "policy", "interpretation", "page", "approval", "fee", "channel", "notice", "release", "report"
	Title    string
	Summary  string
	Body     string    // plain text (Markdown already stripped by the caller)
	DocNo    string    // 发文字号 e.g. "蓉府发〔2024〕12号", may be empty
	IndexNo  string    // 索引号, may be empty
	Agencies []string  // issuing agency names
	Topic    string    // "一级/二级", may be empty
	Validity string    // "有效" | "已修改" | "失效" | "废止" | "" (non-policy)
	Category string    // 公开目录 category as a path of names, "法规文件/规章"; a facet only, not searched
	Date     time.Time // publication date (Asia/Shanghai); the year facet derives from it
	Keywords []string
	// Headings are the headings of the body, which Body also holds; they
	// are indexed as a field of their own and weigh more than the body.
	Headings []string
	Hash     string // content hash from the caller; used for incremental rebuilds
}

// BuildOptions tunes Build. The zero value is ready to use.
type BuildOptions struct {
	// Logger receives progress records; nil discards them.
	Logger *slog.Logger
	// BatchSize is the number of documents of a new shard analysed at a
	// time (default 64), while the previous batch goes into the shard's
	// postings. Memory grows with it: every shard being built holds two
	// batches of analysed documents.
	BatchSize int
	// ShardSize is the number of documents per shard (default 10,000; the
	// number of shards is rounded down, so shards hold up to twice it). The
	// bleve index is split into shards by a hash of the ID; shards are built
	// in parallel, and merging a small shard needs little memory. Every
	// shard repeats the term dictionary, so more shards take more space.
	ShardSize int
	// Settings are stored with the index for the searches on it: the
	// site's synonyms, UI strings and columns.
	Settings *Settings
}

func (o BuildOptions) withDefaults() BuildOptions {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 64
	}
	if o.ShardSize <= 0 {
		o.ShardSize = 10000
	}
	return o
}

// BuildStats counts what Build did. Reused documents came unchanged from the
// previous index; Added, Updated and Deleted are relative to it (without a
// previous index every document is Added).
type BuildStats struct {
	Docs     int
	Shards   int
	Added    int
	Updated  int
	Deleted  int
	Reused   int
	Duration time.Duration
}

// ErrExists is returned by Build when the target directory already exists.
var ErrExists = errors.New("index directory already exists")

// Build writes a new index for docs into dir, which must not exist. It writes
// into a temporary directory beside dir and renames it at the end, so dir is
// either complete or absent.
//
// When prev names a previous index directory (it may be "" or missing, and an
// index of another format is ignored), documents whose ID and Hash are
// unchanged are reused: only changed and new documents are analysed and
// indexed, removed ones are deleted, and shards without changes are copied
// as they are.
func Build(ctx context.Context, dir, prev string, docs []Doc, opts BuildOptions) (stats BuildStats, err error) {
	start := time.Now()
	opts = opts.withDefaults()
	log := opts.Logger
	if dir == "" {
		return stats, errors.New("build search index: empty directory name")
	}
	if _, err := os.Lstat(dir); err == nil {
		return stats, fmt.Errorf("build search index %s: %w", dir, ErrExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return stats, fmt.Errorf("build search index: %w", err)
	}
	order, err := docOrder(docs)
	if err != nil {
		return stats, fmt.Errorf("build search index %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return stats, fmt.Errorf("build search index: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()

	p := loadPrevious(prev, len(order), opts.ShardSize, log)
	shards := p.shards
	if p.docs == nil {
		// Rounded down: 10,034 documents make one shard, not two (every
		// shard repeats the term dictionary). Beyond one, an even number:
		// shards are built two at a time on a two-core machine, and an odd
		// one out leaves a core idle (50,000 documents make 6 shards, not 5).
		shards = max(1, len(order)/opts.ShardSize)
		if shards > 1 && shards%2 == 1 {
			shards++
		}
	}

	// Fill the table and sort the work out by shard.
	work := make([]shardWork, shards)
	tab := &table{Docs: make([]docRecord, len(order))}
	reused := make([]*docRecord, len(order)) // the previous row of a reused document
	for i, di := range order {
		d := &docs[di]
		tab.Docs[i].setDoc(d)
		w := &work[shardOf(d.ID, shards)]
		w.rows = append(w.rows, i)
		if old, ok := p.docs[d.ID]; ok {
			delete(p.docs, d.ID)
			if old.Hash == d.Hash && d.Hash != "" {
				tab.Docs[i].Lens = old.Lens
				reused[i] = old
				stats.Reused++
				continue
			}
			stats.Updated++
		} else {
			stats.Added++
		}
		w.index = append(w.index, i)
	}
	for _, id := range sortedKeys(p.docs) {
		w := &work[shardOf(id, shards)]
		w.delete = append(w.delete, id)
		stats.Deleted++
	}

	// Write the text while the shards are built, as many shards at a time
	// as there are cores. (The text goes into fields of the table's rows
	// that the shards do not touch.)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return writeText(gctx, filepath.Join(tmp, textFile), docs, order, tab, reused, p.text)
	})
	sg, sctx := errgroup.WithContext(gctx)
	sg.SetLimit(runtime.GOMAXPROCS(0))
	for s := range work {
		sg.Go(func() error {
			src := ""
			if p.dir != "" {
				src = filepath.Join(p.dir, bleveDir, shardName(s))
			}
			dst := filepath.Join(tmp, bleveDir, shardName(s))
			how, err := buildShard(sctx, dst, src, &work[s], docs, order, tab, opts)
			if err != nil {
				return fmt.Errorf("shard %d: %w", s, err)
			}
			log.Debug("search index shard built", "shard", s, "how", how, "docs", len(work[s].rows),
				"indexed", len(work[s].index), "deleted", len(work[s].delete))
			return nil
		})
	}
	g.Go(sg.Wait)
	err = g.Wait()
	if cerr := p.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return stats, fmt.Errorf("build search index %s: %w", dir, err)
	}

	if err := writeTable(filepath.Join(tmp, tableFile), tab); err != nil {
		return stats, fmt.Errorf("build search index: %w", err)
	}
	if err := writeSettings(tmp, opts.Settings); err != nil {
		return stats, fmt.Errorf("build search index: %w", err)
	}
	meta := indexMeta{Format: formatName, Version: formatVersion, Docs: len(order), Shards: shards}
	if err := writeMeta(tmp, meta); err != nil {
		return stats, fmt.Errorf("build search index: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return stats, fmt.Errorf("build search index: %w", err)
	}
	stats.Docs = len(order)
	stats.Shards = shards
	stats.Duration = time.Since(start)
	log.Info("search index built", "dir", dir, "docs", stats.Docs, "shards", shards, "added", stats.Added,
		"updated", stats.Updated, "deleted", stats.Deleted, "reused", stats.Reused, "took", stats.Duration)
	return stats, nil
}

// shardWork lists what one shard must do: its rows of the table, those of
// them to (re)index, and IDs to delete.
type shardWork struct {
	rows   []int
	index  []int
	delete []string
}

func shardName(s int) string { return fmt.Sprintf("%02d", s) }

// shardOf assigns a document to a shard by a hash of its ID, so that the
// assignment does not change when other documents come and go.
func shardOf(id string, shards int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(shards))
}

// writeText writes text.bin and fills the text fields of the table's rows,
// in ID order. The text of a reused document (reused[i], a row of the
// previous table) is copied from the previous text.bin, prevText.
func writeText(ctx context.Context, path string, docs []Doc, order []int, tab *table, reused []*docRecord, prevText []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := newTextWriter(f)
	for i, di := range order {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec := &tab.Docs[i]
		if old := reused[i]; old != nil && prevText != nil {
			if err := tw.copy(prevText, old, rec); err != nil {
				return fmt.Errorf("write text: %w", err)
			}
			continue
		}
		if err := tw.add(docSegments(&docs[di]), rec); err != nil {
			return fmt.Errorf("write text: %w", err)
		}
	}
	if err := tw.flush(); err != nil {
		return fmt.Errorf("write text: %w", err)
	}
	return f.Close()
}

// setDoc fills the row's document fields (not its text or field lengths).
func (rec *docRecord) setDoc(d *Doc) {
	rec.ID, rec.Kind, rec.Title, rec.DocNo, rec.IndexNo = d.ID, d.Kind, d.Title, d.DocNo, d.IndexNo
	rec.Topic, rec.Validity, rec.Hash, rec.Agencies = d.Topic, d.Validity, d.Hash, d.Agencies
	rec.Category = d.Category
	rec.Date = 0
	if !d.Date.IsZero() {
		rec.Date = d.Date.Unix()
	}
}

// Rebuilding a shard: a shard with changes gets them as one new segment
// (and deletions) on a copy of the previous shard, unless that would leave
// it with more than maxShardSegments segments or its changes are more than
// a quarter of its documents: then it is written anew, which costs about a
// quarter of what updating costs per document and leaves no deleted
// documents behind. No shard is merged: merging a 10,000-document shard
// took 7 s of a rebuild that changed 1% of the documents.
const maxShardSegments = 8

// buildShard writes the bleve index of one shard into dst, fresh or from
// the previous shard src, and says how.
func buildShard(ctx context.Context, dst, src string, w *shardWork, docs []Doc, order []int, tab *table, opts BuildOptions) (string, error) {
	tmp := filepath.Dir(filepath.Dir(dst))
	switch {
	case len(w.rows) == 0:
		return "empty", emptyShard(dst)
	case src == "":
		return "fresh", writeFreshShard(ctx, dst, tmp, w.rows, docs, order, tab, opts.BatchSize)
	case len(w.index) == 0 && len(w.delete) == 0:
		if err := copyTree(src, dst); err != nil {
			return "", fmt.Errorf("copy previous shard: %w", err)
		}
		return "copied", nil
	}
	segs, err := filepath.Glob(filepath.Join(src, "store", "*.zap"))
	if err != nil || len(segs) == 0 || len(segs) >= maxShardSegments || 4*(len(w.index)+len(w.delete)) > len(w.rows) {
		return "rewritten", writeFreshShard(ctx, dst, tmp, w.rows, docs, order, tab, opts.BatchSize)
	}
	if err := copyTree(src, dst); err != nil {
		return "", fmt.Errorf("copy previous shard: %w", err)
	}
	// One batch: one new segment.
	sink, err := openBatchSink(dst, len(w.index)+len(w.delete))
	if err != nil {
		return "", err
	}
	for n, row := range w.index {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				sink.abort()
				return "", err
			}
		}
		d := &docs[order[row]]
		if err := sink.index(ctx, bleveDoc(d, &tab.Docs[row].Lens)); err != nil {
			sink.abort()
			return "", fmt.Errorf("index %s: %w", d.ID, err)
		}
	}
	for _, id := range w.delete {
		if err := sink.delete(id); err != nil {
			sink.abort()
			return "", err
		}
	}
	return "updated", sink.finish(ctx)
}

// emptyShard writes a shard without documents.
func emptyShard(dst string) error {
	bix, err := bleve.NewUsing(dst, newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return fmt.Errorf("create bleve index: %w", err)
	}
	return bix.Close()
}

// docOrder returns the indexes of docs sorted by ID, and rejects empty and
// duplicate IDs.
func docOrder(docs []Doc) ([]int, error) {
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(docs[a].ID, docs[b].ID) })
	for i, di := range order {
		if docs[di].ID == "" {
			return nil, fmt.Errorf("document %d has an empty ID", di)
		}
		if i > 0 && docs[order[i-1]].ID == docs[di].ID {
			return nil, fmt.Errorf("duplicate document ID %q", docs[di].ID)
		}
	}
	return order, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// newMapping returns the bleve mapping. Documents are built field by field
// (see bleveDoc), so the mapping only sets the scoring model and turns off
// everything dynamic.
func newMapping() *mapping.IndexMappingImpl {
	m := bleve.NewIndexMapping()
	m.DefaultMapping.Enabled = false
	m.DefaultMapping.Dynamic = false
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	m.ScoringModel = index.BM25Scoring
	return m
}

// bleveDoc builds the bleve document for one record. The token counts of
// its fields are written to lens when bleve analyses it.
func bleveDoc(d *Doc, lens *[numFields]uint32) *document.Document {
	doc := document.NewDocument(d.ID)
	for f, ft := range docFields(d) {
		if len(ft.texts) > 0 {
			gf := newGramField(fieldNames[f], &lens[f], ft.texts...)
			gf.skip = ft.skip
			doc.AddField(gf)
		}
	}
	return doc
}

// fieldText is what one index field of a document is made of: its texts,
// and lines of them left out (the body's headings, indexed on their own).
type fieldText struct {
	texts []string
	skip  []string
}

// docFields returns the texts of d's index fields; a field without text is
// left out of the document.
func docFields(d *Doc) [numFields]fieldText {
	var out [numFields]fieldText
	add := func(f int, skip []string, texts ...string) {
		kept := texts[:0:0]
		for _, t := range texts {
			if strings.TrimSpace(t) != "" {
				kept = append(kept, t)
			}
		}
		if len(kept) > 0 {
			out[f] = fieldText{texts: kept, skip: skip}
		}
	}
	var headings []string
	for _, h := range d.Headings {
		if h = strings.TrimSpace(h); h != "" {
			headings = append(headings, h)
		}
	}
	add(numTitle, nil, d.Title)
	add(numDocNo, nil, d.DocNo, d.IndexNo)
	add(numHeading, nil, headings...)
	add(numKeyword, nil, append(slices.Clone(d.Keywords), d.Topic)...)
	add(numSummary, nil, d.Summary)
	add(numBody, headings, d.Body)
	add(numMeta, nil, append(slices.Clone(d.Agencies), urlSlug(d.ID))...)
	return out
}

// previous is what a rebuild takes from the previous index.
type previous struct {
	dir    string
	shards int
	docs   map[string]*docRecord // by ID; nil when there is nothing to reuse
	text   []byte                // its text.bin, mapped; nil when it could not be
	unmap  func() error
}

func (p *previous) close() error {
	if p.unmap == nil {
		return nil
	}
	return p.unmap()
}

// loadPrevious reads the previous index in dir for reuse. A missing,
// unreadable or incompatible index, or one whose shards no longer fit the
// number of documents, gives nothing to reuse.
func loadPrevious(dir string, n, shardSize int, log *slog.Logger) previous {
	if dir == "" {
		return previous{}
	}
	meta, err := readMeta(dir)
	var t *table
	if err == nil {
		t, err = readTable(dir)
	}
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			log.Warn("previous search index not reused", "dir", dir, "err", err)
		}
		return previous{}
	}
	if n > 2*meta.Shards*shardSize || meta.Shards > 1 && n < meta.Shards*shardSize/4 {
		log.Info("previous search index not reused: shards no longer fit", "dir", dir, "shards", meta.Shards, "docs", n)
		return previous{}
	}
	p := previous{dir: dir, shards: meta.Shards, docs: make(map[string]*docRecord, len(t.Docs))}
	for i := range t.Docs {
		p.docs[t.Docs[i].ID] = &t.Docs[i]
	}
	if p.text, p.unmap, err = mapFile(filepath.Join(dir, textFile)); err != nil {
		// The text of reused documents is written anew.
		log.Warn("previous search index text not reused", "dir", dir, "err", err)
		p.text, p.unmap = nil, nil
	}
	return p
}

// copyTree copies the directory src to dst. Segment files (*.zap) are never
// modified by bleve once written, so they are hard-linked when possible.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return fmt.Errorf("copy %s: not a regular file", path)
		case strings.HasSuffix(path, ".zap"):
			if err := os.Link(path, target); err == nil {
				return nil
			}
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
