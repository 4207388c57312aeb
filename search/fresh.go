package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"golang.org/x/sync/errgroup"
)

// writeFreshShard writes the bleve index of a new shard holding the rows
// of the table, in order, into dst. The rows are analysed on every core and
// inverted in memory, and the shard is written as one segment (segment.go).
// bleve's offline builder writes the rest of the index around it: the
// mapping (index_meta.json) and the scorch root (store/root.bolt), which
// names one segment file; the builder is given a placeholder document,
// whose segment is then replaced by the shard's. tmp is where the builder
// works.
func writeFreshShard(ctx context.Context, dst, tmp string, rows []int, docs []Doc, order []int, tab *table, batchSize int) error {
	inv, err := invertShard(ctx, rows, docs, order, tab, batchSize)
	if err != nil {
		return err
	}
	ids := make([]string, len(rows))
	for i, row := range rows {
		ids[i] = docs[order[row]].ID
	}
	// The segment first, in the work folder.
	seg := filepath.Join(tmp, filepath.Base(dst)+".zap")
	if err := writeSegment(seg, ids, inv); err != nil {
		return err
	}
	defer os.Remove(seg)

	b, err := bleve.NewBuilder(dst, docMapping{newMapping()}, map[string]any{"buildPathPrefix": tmp})
	if err != nil {
		return fmt.Errorf("open bleve builder: %w", err)
	}
	const placeholder = "placeholder"
	if err := b.Index(placeholder, document.NewDocument(placeholder)); err != nil {
		b.Close()
		return fmt.Errorf("write bleve index: %w", err)
	}
	if err := b.Close(); err != nil {
		return fmt.Errorf("write bleve index: %w", err)
	}
	store := filepath.Join(dst, "store")
	segs, err := filepath.Glob(filepath.Join(store, "*.zap"))
	if err != nil || len(segs) != 1 {
		return fmt.Errorf("write bleve index: the builder wrote %d segments, want 1 (%v)", len(segs), err)
	}
	return os.Rename(seg, segs[0])
}

// invertShard analyses the rows' documents and collects their postings.
// The token counts of the fields go into the table. Documents are analysed
// batchSize at a time, on every core, while the previous batch is added to
// the postings.
func invertShard(ctx context.Context, rows []int, docs []Doc, order []int, tab *table, batchSize int) (*shardInverter, error) {
	inv := newShardInverter()
	workers := runtime.GOMAXPROCS(0)
	free := make(chan []docAnalysis, 2)
	full := make(chan []docAnalysis, 1)
	for range 2 {
		free <- make([]docAnalysis, batchSize)
	}
	g, gctx := errgroup.WithContext(ctx)
	// The inverter adds the batches in order.
	g.Go(func() error {
		for batch := range full {
			for i := range batch {
				inv.add(&batch[i])
			}
			free <- batch
		}
		return nil
	})
	g.Go(func() error {
		defer close(full)
		for start := 0; start < len(rows); start += batchSize {
			part := rows[start:min(start+batchSize, len(rows))]
			var batch []docAnalysis
			select {
			case batch = <-free:
			case <-gctx.Done():
				return gctx.Err()
			}
			batch = batch[:len(part)]
			ag, _ := errgroup.WithContext(gctx)
			ag.SetLimit(workers)
			per := (len(part) + workers - 1) / workers
			for lo := 0; lo < len(part); lo += per {
				ag.Go(func() error {
					for i := lo; i < min(lo+per, len(part)); i++ {
						row := part[i]
						batch[i].analyze(&docs[order[row]])
						tab.Docs[row].Lens = batch[i].lens()
					}
					return nil
				})
			}
			ag.Wait()
			if err := gctx.Err(); err != nil {
				return err
			}
			full <- batch
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	inv.finish()
	return inv, nil
}

// docMapping maps the documents Build prepares: it adds their fields as they
// are. Everything else comes from the plain mapping.
type docMapping struct {
	*mapping.IndexMappingImpl
}

func (m docMapping) MapDocument(doc *document.Document, data any) error {
	src, ok := data.(*document.Document)
	if !ok {
		return fmt.Errorf("map document %s: unexpected %T", doc.ID(), data)
	}
	for _, f := range src.Fields {
		doc.AddField(f)
	}
	return nil
}
