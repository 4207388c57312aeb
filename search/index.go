package search

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// Index is an open, read-only search index. It is safe for concurrent use.
// A server that rebuilds the index opens the new one, sends new requests to
// it and closes the old one when its requests are done (see Holder).
type Index struct {
	dir    string
	shards []*shard
	docs   []docRecord
	derived
	text  []byte // text.bin, mapped
	unmap func() error

	settings *Settings // stored with the index; nil for none

	closeOnce sync.Once
	closeErr  error
}

// shard is one open bleve index.
type shard struct {
	bix        bleve.Index
	reader     index.IndexReader // one snapshot for the life of the Index
	byInternal []int32           // bleve document number → row of the table, -1 for none
	docs       int
}

// derived holds what Open computes from the document table.
type derived struct {
	hot          []docHot
	info         []docInfo
	moreAgencies map[int32][]uint16 // agency ids after the first, for documents with several
	facets       [numFacets]facetDict
	norms        [numFields][]float32 // per field and row: BM25F weight / length normalisation
	rank         rankParams
}

// docHot is what every candidate of a search needs, kept small and in one
// array: a search may look at every document.
type docHot struct {
	facet        [numFacets]uint16 // first value's id + 1; 0 for none
	moreAgencies bool
	validity     uint8 // rank: 0 in force … 4 repealed
	date         int64
}

// docInfo is the per-document data that ranking uses.
type docInfo struct {
	foldTitle  string // folded title without white space, for exact-title ranking
	titleRunes int    // letters, digits and CJK characters in the title
	exactKeys  []string
	docNoKey   string
}

// facetIDs returns the ids of row's values of facet f.
func (ix *Index) facetIDs(row int32, f int) []uint16 {
	h := &ix.hot[row]
	if h.facet[f] == 0 {
		return nil
	}
	ids := []uint16{h.facet[f] - 1}
	if f == facetAgency && h.moreAgencies {
		ids = append(ids, ix.moreAgencies[row]...)
	}
	return ids
}

// maxFacetValues bounds the values of one facet, whose ids are uint16.
const maxFacetValues = 1<<16 - 2

// facetDict numbers the values of one facet.
type facetDict struct {
	values []string // sorted
	ids    map[string]uint16
}

func (d *facetDict) id(v string) (uint16, bool) {
	id, ok := d.ids[v]
	return id, ok
}

// Open opens the index in dir for searching.
func Open(dir string) (ix *Index, err error) {
	t, err := readTable(dir)
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", dir, err)
	}
	ix = &Index{dir: dir, docs: t.Docs}
	defer func() {
		if err != nil {
			ix.Close()
		}
	}()
	ix.text, ix.unmap, err = mapFile(filepath.Join(dir, textFile))
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", dir, err)
	}
	for i := range ix.docs {
		r := &ix.docs[i]
		if r.TextOff < 0 || r.TextOff+2*int64(r.SegEnd[numSegs-1]) > int64(len(ix.text)) {
			return nil, fmt.Errorf("open search index %s: text of %s out of range", dir, r.ID)
		}
	}
	meta, err := readMeta(dir)
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", dir, err)
	}
	if ix.settings, err = readSettings(dir); err != nil {
		return nil, fmt.Errorf("open search index %s: %w", dir, err)
	}
	row := make(map[string]int32, len(ix.docs))
	for i := range ix.docs {
		row[ix.docs[i].ID] = int32(i)
	}
	seen := 0
	for s := range meta.Shards {
		sh, err := openShard(filepath.Join(dir, bleveDir, shardName(s)), row)
		if sh != nil {
			ix.shards = append(ix.shards, sh)
		}
		if err != nil {
			return nil, fmt.Errorf("open search index %s: shard %d: %w", dir, s, err)
		}
		seen += sh.docs
	}
	if seen != len(ix.docs) {
		return nil, fmt.Errorf("open search index %s: bleve holds %d documents, the table %d", dir, seen, len(ix.docs))
	}
	ix.derive()
	return ix, nil
}

// Close releases the index. Searches must not run during or after Close.
func (ix *Index) Close() error {
	ix.closeOnce.Do(func() {
		var errs []error
		for _, sh := range ix.shards {
			if sh.reader != nil {
				errs = append(errs, sh.reader.Close())
			}
			errs = append(errs, sh.bix.Close())
		}
		if ix.unmap != nil {
			errs = append(errs, ix.unmap())
		}
		if err := errors.Join(errs...); err != nil {
			ix.closeErr = fmt.Errorf("close search index %s: %w", ix.dir, err)
		}
	})
	return ix.closeErr
}

// Len returns the number of documents in the index.
func (ix *Index) Len() int { return len(ix.docs) }

// openShard opens one shard and maps its document numbers to rows of the
// table, so that a search never reads stored IDs.
func openShard(path string, row map[string]int32) (*shard, error) {
	bix, err := bleve.OpenUsing(path, map[string]any{"read_only": true})
	if err != nil {
		return nil, err
	}
	sh := &shard{bix: bix}
	adv, err := bix.Advanced()
	if err != nil {
		return sh, err
	}
	if sh.reader, err = adv.Reader(); err != nil {
		return sh, err
	}
	it, err := sh.reader.DocIDReaderAll()
	if err != nil {
		return sh, err
	}
	defer it.Close()
	for {
		id, err := it.Next()
		if err != nil {
			return sh, err
		}
		if id == nil {
			return sh, nil
		}
		ext, err := sh.reader.ExternalID(id)
		if err != nil {
			return sh, err
		}
		r, ok := row[ext]
		if !ok {
			return sh, fmt.Errorf("bleve document %q is not in the table", ext)
		}
		n := id.Value()
		if n >= 1<<31 {
			return sh, fmt.Errorf("bleve document number %d too large", n)
		}
		for uint64(len(sh.byInternal)) <= n {
			sh.byInternal = append(sh.byInternal, -1)
		}
		sh.byInternal[n] = r
		sh.docs++
	}
}

// Facets, in display order.
const (
	facetKind = iota
	facetAgency
	facetTopic
	facetYear
	facetValidity
	facetCategory // the category of the disclosure directory (公开目录), "一级/二级"
	numFacets
)

var facetNames = [numFacets]string{"kind", "agency", "topic", "year", "validity", "category"}

// facetLabelKeys are the label keys of the facets' names.
var facetLabelKeys = [numFacets]string{"search_facet_kind", "search_facet_agency", "search_facet_topic", "search_facet_year", "search_facet_validity", "search_facet_category"}

// hierarchical reports whether facet f's values are paths ("一级/二级"), of
// which a first level selects every value below it.
func hierarchical(f int) bool { return f == facetTopic || f == facetCategory }

// validityOrder ranks validity values: in-force documents rank above
// amended, unknown, expired and repealed ones when relevance ties.
var validityOrder = map[string]int{"有效": 0, "已修改": 1, "": 2, "失效": lapsedRank, "废止": 4}

func validityRank(v string) int {
	if r, ok := validityOrder[v]; ok {
		return r
	}
	return 2
}

// facetValues returns the values of facet f for record r.
func facetValues(f int, r *docRecord) []string {
	switch f {
	case facetKind:
		return nonEmpty(r.Kind)
	case facetAgency:
		var out []string
		for _, a := range r.Agencies {
			if a = strings.TrimSpace(a); a != "" && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
		return out
	case facetTopic:
		return nonEmpty(strings.TrimSpace(r.Topic))
	case facetYear:
		if r.Date == 0 {
			return nil
		}
		return []string{strconv.Itoa(r.date().Year())}
	case facetValidity:
		return nonEmpty(r.Validity)
	case facetCategory:
		return nonEmpty(strings.TrimSpace(r.Category))
	}
	return nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// derive computes the facet dictionaries and the per-document data.
func (ix *Index) derive() {
	for f := range numFacets {
		set := map[string]bool{}
		for i := range ix.docs {
			for _, v := range facetValues(f, &ix.docs[i]) {
				set[v] = true
			}
		}
		values := sortedKeys(set)
		if len(values) > maxFacetValues {
			values = values[:maxFacetValues] // far beyond any real portal; the rest are not counted
		}
		d := facetDict{values: values, ids: make(map[string]uint16, len(values))}
		for i, v := range d.values {
			d.ids[v] = uint16(i)
		}
		ix.facets[f] = d
	}
	ix.fieldNorms(defaultRank)
	ix.info = make([]docInfo, len(ix.docs))
	ix.hot = make([]docHot, len(ix.docs))
	ix.moreAgencies = map[int32][]uint16{}
	for i := range ix.docs {
		r := &ix.docs[i]
		in := &ix.info[i]
		h := &ix.hot[i]
		in.foldTitle = squeeze(foldString(r.Title))
		in.titleRunes = tokenRunes(in.foldTitle)
		for _, k := range []string{r.IndexNo, r.ID, urlSlug(r.ID)} {
			if k = squeeze(foldString(k)); k != "" {
				in.exactKeys = append(in.exactKeys, k)
			}
		}
		if dn, ok := parseDocNo(r.DocNo); ok {
			in.docNoKey = dn.key()
		}
		h.validity = uint8(validityRank(r.Validity))
		h.date = r.Date
		for f := range numFacets {
			for k, v := range facetValues(f, r) {
				id, ok := ix.facets[f].id(v)
				if !ok {
					continue
				}
				if k == 0 {
					h.facet[f] = id + 1
				} else {
					ix.moreAgencies[int32(i)] = append(ix.moreAgencies[int32(i)], id)
					h.moreAgencies = true
				}
			}
		}
	}
}

// squeeze removes white space from s.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// docText returns the stored text of row i as UTF-16LE.
func (ix *Index) docText(i int) []byte {
	r := &ix.docs[i]
	return ix.text[r.TextOff : r.TextOff+2*int64(r.SegEnd[numSegs-1])]
}

// segBounds returns the unit range of segment s of row i.
func (ix *Index) segBounds(i, s int) (start, end int) {
	r := &ix.docs[i]
	if s > 0 {
		start = int(r.SegEnd[s-1]) + 1
	}
	return start, int(r.SegEnd[s])
}
