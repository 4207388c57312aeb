package search

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// Doc is one published record to index. ID is its stable key (the URL path,
// e.g. "/policy/abc-2024-00012/").
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
	Date     time.Time // publication date (Asia/Shanghai); the year facet derives from it
	Keywords []string
	Hash     string // content hash from the caller; used for incremental rebuilds
}

// BuildOptions tunes Build. The zero value is ready to use.
type BuildOptions struct {
	// Logger receives progress records; nil discards them.
	Logger *slog.Logger
	// BatchSize is the number of documents handed to bleve at once
	// (default 500). Peak memory grows steeply with it.
	BatchSize int
}

func (o BuildOptions) withDefaults() BuildOptions {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	return o
}

// BuildStats counts what Build did. Reused documents came unchanged from the
// previous index; Added, Updated and Deleted are relative to it (without a
// previous index every document is Added).
type BuildStats struct {
	Docs     int
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
// indexed, and removed ones are deleted.
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

	var prevDocs map[string]*docRecord
	if prev != "" {
		prevDocs, err = reusePrevious(prev, tmp, log)
		if err != nil {
			return stats, fmt.Errorf("build search index %s: %w", dir, err)
		}
	}

	bpath := filepath.Join(tmp, bleveDir)
	var sink indexSink
	switch {
	case prevDocs != nil:
		sink, err = openBatchSink(bpath, opts.BatchSize)
	case len(order) == 0 || os.Getenv("GK_BATCH") != "":
		sink, err = newBatchSink(bpath, opts.BatchSize)
	default:
		sink, err = newBuilderSink(bpath, tmp, opts.BatchSize)
	}
	if err != nil {
		return stats, fmt.Errorf("build search index %s: %w", dir, err)
	}
	defer func() {
		if sink != nil {
			sink.abort()
		}
	}()

	tf, err := os.Create(filepath.Join(tmp, textFile))
	if err != nil {
		return stats, fmt.Errorf("build search index: %w", err)
	}
	defer tf.Close()
	tw := newTextWriter(tf)
	tab := &table{Docs: make([]docRecord, len(order))}

	for i, di := range order {
		if i%opts.BatchSize == 0 {
			if err := ctx.Err(); err != nil {
				return stats, err
			}
		}
		d := &docs[di]
		segs := docSegments(d)
		rec := &tab.Docs[i]
		*rec = docRecord{
			ID: d.ID, Kind: d.Kind, Title: d.Title, DocNo: d.DocNo, IndexNo: d.IndexNo,
			Topic: d.Topic, Validity: d.Validity, Hash: d.Hash, Agencies: d.Agencies,
		}
		if !d.Date.IsZero() {
			rec.Date = d.Date.Unix()
		}
		if err := tw.add(segs, rec); err != nil {
			return stats, fmt.Errorf("build search index: write text: %w", err)
		}
		if p, ok := prevDocs[d.ID]; ok {
			delete(prevDocs, d.ID)
			if p.Hash == d.Hash && d.Hash != "" {
				rec.Lens = p.Lens
				stats.Reused++
				continue
			}
			stats.Updated++
		} else {
			stats.Added++
		}
		if err := sink.index(ctx, bleveDoc(d.ID, segs, &rec.Lens)); err != nil {
			return stats, fmt.Errorf("build search index: %s: %w", d.ID, err)
		}
	}
	for _, id := range sortedKeys(prevDocs) {
		if err := sink.delete(id); err != nil {
			return stats, fmt.Errorf("build search index: %w", err)
		}
		stats.Deleted++
	}
	err = sink.finish(ctx)
	sink = nil
	if err != nil {
		return stats, fmt.Errorf("build search index: %w", err)
	}
	if err := tw.flush(); err != nil {
		return stats, fmt.Errorf("build search index: write text: %w", err)
	}
	if err := tf.Close(); err != nil {
		return stats, fmt.Errorf("build search index: write text: %w", err)
	}
	if err := writeTable(filepath.Join(tmp, tableFile), tab); err != nil {
		return stats, fmt.Errorf("build search index: %w", err)
	}
	if err := writeMeta(tmp, indexMeta{Format: formatName, Version: formatVersion, Docs: len(order)}); err != nil {
		return stats, fmt.Errorf("build search index: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return stats, fmt.Errorf("build search index: %w", err)
	}
	stats.Docs = len(order)
	stats.Duration = time.Since(start)
	log.Info("search index built", "dir", dir, "docs", stats.Docs, "added", stats.Added,
		"updated", stats.Updated, "deleted", stats.Deleted, "reused", stats.Reused, "took", stats.Duration)
	return stats, nil
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
func bleveDoc(id string, segs [numSegs]string, lens *[numFields]uint32) *document.Document {
	doc := document.NewDocument(id)
	doc.AddField(newGramField(fieldTitle, &lens[numTitle], segs[segTitle]))
	if segs[segSummary] != "" {
		doc.AddField(newGramField(fieldSummary, &lens[numSummary], segs[segSummary]))
	}
	doc.AddField(newGramField(fieldBody, &lens[numBody], segs[segBody]))
	doc.AddField(newGramField(fieldMeta, &lens[numMeta], strings.Split(segs[segMeta], string(segSep))...))
	return doc
}

// reusePrevious copies the bleve index of the previous index directory prev
// into tmp and returns its document records by ID. It returns nil, nil when
// prev is missing or unusable, so that Build indexes everything.
func reusePrevious(prev, tmp string, log *slog.Logger) (map[string]*docRecord, error) {
	t, err := readTable(prev)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			log.Warn("previous search index not reused", "dir", prev, "err", err)
		}
		return nil, nil
	}
	if err := copyTree(filepath.Join(prev, bleveDir), filepath.Join(tmp, bleveDir)); err != nil {
		if rerr := os.RemoveAll(filepath.Join(tmp, bleveDir)); rerr != nil {
			return nil, rerr
		}
		log.Warn("previous search index not reused", "dir", prev, "err", err)
		return nil, nil
	}
	recs := make(map[string]*docRecord, len(t.Docs))
	for i := range t.Docs {
		recs[t.Docs[i].ID] = &t.Docs[i]
	}
	return recs, nil
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
