package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// batchSink updates a copy of the previous index (Build's incremental
// updates; a fresh shard is written by writeFreshShard).
type batchSink struct {
	bix       bleve.Index
	path      string
	batch     *bleve.Batch
	batchSize int
}

func openBatchSink(path string, batchSize int) (*batchSink, error) {
	bix, err := bleve.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open bleve index: %w", err)
	}
	return &batchSink{bix: bix, path: path, batch: bix.NewBatch(), batchSize: batchSize}, nil
}

func (s *batchSink) index(ctx context.Context, doc *document.Document) error {
	if err := s.batch.IndexAdvanced(doc); err != nil {
		return err
	}
	return s.maybeFlush(s.batchSize)
}

func (s *batchSink) delete(id string) error {
	s.batch.Delete(id)
	return s.maybeFlush(s.batchSize)
}

func (s *batchSink) maybeFlush(size int) error {
	if s.batch.Size() == 0 || s.batch.Size() < size {
		return nil
	}
	if err := s.bix.Batch(s.batch); err != nil {
		return fmt.Errorf("index batch: %w", err)
	}
	// A fresh batch, not Reset: scorch's Batch may still be ranging over
	// the old batch's map in a goroutine when it returns (a data race
	// under -race).
	s.batch = s.bix.NewBatch()
	return nil
}

func (s *batchSink) finish(ctx context.Context) error {
	if err := s.maybeFlush(1); err != nil {
		s.bix.Close()
		return err
	}
	if err := s.bix.Close(); err != nil {
		return fmt.Errorf("close bleve index: %w", err)
	}
	return pruneSegments(s.path)
}

func (s *batchSink) abort() { s.bix.Close() }

// pruneSegments deletes the segment files of the closed bleve index at path
// that its current snapshot does not use. bleve removes them in the
// background and may not have finished when the index is closed; a stale
// segment would only waste space (and be copied by the next rebuild).
func pruneSegments(path string) error {
	bix, err := bleve.OpenUsing(path, map[string]any{"read_only": true})
	if err != nil {
		return fmt.Errorf("prune segments: %w", err)
	}
	live := map[string]bool{}
	adv, err := bix.Advanced()
	if err == nil {
		var r index.IndexReader
		if r, err = adv.Reader(); err == nil {
			if snap, ok := r.(*scorch.IndexSnapshot); ok {
				for _, ss := range snap.Segments() {
					if ps, ok := ss.Segment().(segment.PersistedSegment); ok {
						live[filepath.Base(ps.Path())] = true
					}
				}
			}
			err = r.Close()
		}
	}
	if cerr := bix.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("prune segments: %w", err)
	}
	if len(live) == 0 {
		return nil // not a scorch index this code understands; leave it alone
	}
	store := filepath.Join(path, "store")
	entries, err := os.ReadDir(store)
	if err != nil {
		return fmt.Errorf("prune segments: %w", err)
	}
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".zap") && !live[name] {
			if err := os.Remove(filepath.Join(store, name)); err != nil {
				return fmt.Errorf("prune segments: %w", err)
			}
		}
	}
	return nil
}
