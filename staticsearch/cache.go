package staticsearch

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"gongkai/search"
)

// The analysis cache keeps what analyze made of every document, so that the
// next build analyses only the documents whose ID or Hash changed. It is
// bookkeeping in the build's state folder, never served.
const (
	// CacheFile is the analysis cache's name in the state folder.
	CacheFile = "static-search-analysis.bin"
	// analysisVersion changes whenever what analyze produces for one
	// document changes (postings' layout, lengths, unigram counts): a
	// cache of another version is ignored.
	analysisVersion = 1
	cacheMagic      = "gongkai-static-search-analysis\n"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// cached is what the previous build's cache gives: per row of this build,
// whether its analysis was reused, and the reused rows' postings (with this
// build's rows) and lengths.
type cached struct {
	reused      []bool
	lens        [][search.NumFields]uint32
	units       []int
	grams, unis map[string]*postings
}

// writeCache writes ix's analysis with the documents' IDs and hashes to
// dir/CacheFile (through a temporary file renamed into place). salt is
// stored with it; a later build reuses it only with the same salt.
func writeCache(dir string, salt []byte, docs []search.Doc, order []int, ix *index) error {
	var e enc
	e.b = append(e.b, cacheMagic...)
	e.uint(analysisVersion)
	e.str(string(salt))
	e.uint(uint64(len(order)))
	for row, di := range order {
		d := &docs[di]
		e.str(d.ID)
		e.str(d.Hash)
		for _, l := range ix.rows[row].lens {
			e.uint(uint64(l))
		}
		e.uint(uint64(ix.rows[row].units))
	}
	for _, m := range []map[string]*postings{ix.grams, ix.unis} {
		e.uint(uint64(len(m)))
		// Terms in order, so that the same documents give the same file.
		for _, t := range slices.Sorted(maps.Keys(m)) {
			p := m[t]
			e.str(t)
			e.uint(uint64(len(p.e)))
			prev := uint64(0)
			for _, x := range p.e { // sorted: rows ascend
				e.uint(x>>32 - prev)
				e.uint(x & 0xffffffff)
				prev = x >> 32
			}
		}
	}
	e.b = binary.LittleEndian.AppendUint32(e.b, crc32.Checksum(e.b, castagnoli))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("analysis cache: %w", err)
	}
	name := filepath.Join(dir, CacheFile)
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, e.b, 0o644); err != nil {
		return fmt.Errorf("analysis cache: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("analysis cache: %w", err)
	}
	return nil
}

// errCache marks a cache that cannot be used; the caller then analyses
// every document.
var errCache = errors.New("unusable analysis cache")

// readCache reads dir/CacheFile and keeps the analysis of the documents of
// this build (docs in row order) whose ID and non-empty Hash it holds.
func readCache(dir string, salt []byte, docs []search.Doc, order []int) (*cached, error) {
	data, err := os.ReadFile(filepath.Join(dir, CacheFile))
	if err != nil {
		return nil, err
	}
	if len(data) < len(cacheMagic)+4 {
		return nil, fmt.Errorf("%w: %d bytes", errCache, len(data))
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, fmt.Errorf("%w: checksum", errCache)
	}
	if !bytes.HasPrefix(body, []byte(cacheMagic)) {
		return nil, fmt.Errorf("%w: not an analysis cache", errCache)
	}
	d := dec{b: body[len(cacheMagic):]}
	if v := d.uint(); v != analysisVersion {
		return nil, fmt.Errorf("%w: version %d", errCache, v)
	}
	if s := d.str(); s != string(salt) || d.err {
		return nil, fmt.Errorf("%w: another program or settings", errCache)
	}
	rowOf := make(map[string]int, len(order))
	for row, di := range order {
		rowOf[docs[di].ID] = row
	}
	c := &cached{reused: make([]bool, len(order)), lens: make([][search.NumFields]uint32, len(order)), units: make([]int, len(order)),
		grams: map[string]*postings{}, unis: map[string]*postings{}}
	nOld := d.uint()
	if nOld > uint64(len(d.b)) {
		return nil, fmt.Errorf("%w: %d rows", errCache, nOld)
	}
	// newRow maps the previous build's rows to this build's, -1 for a
	// document that is gone or changed.
	newRow := make([]int, nOld)
	for old := range newRow {
		id, hash := d.str(), d.str()
		var lens [search.NumFields]uint32
		for f := range lens {
			lens[f] = uint32(d.uint())
		}
		units := int(d.uint())
		newRow[old] = -1
		if row, ok := rowOf[id]; ok && hash != "" && hash == docs[order[row]].Hash && !c.reused[row] {
			newRow[old] = row
			c.reused[row] = true
			c.lens[row], c.units[row] = lens, units
		}
	}
	for _, m := range []map[string]*postings{c.grams, c.unis} {
		nt := d.uint()
		for range nt {
			if d.err {
				break
			}
			t := d.str()
			ne := d.uint()
			if ne > uint64(len(d.b)) {
				return nil, fmt.Errorf("%w: %d entries", errCache, ne)
			}
			var p *postings
			old := uint64(0)
			for range ne {
				old += d.uint()
				x := d.uint()
				if old >= nOld || x > 0xffffffff {
					d.err = true
					break
				}
				if row := newRow[old]; row >= 0 {
					if p == nil {
						if p = m[t]; p == nil {
							p = &postings{}
							m[t] = p
						}
					}
					p.e = append(p.e, uint64(row)<<32|x)
				}
			}
		}
	}
	if d.err || len(d.b) != 0 {
		return nil, fmt.Errorf("%w: damaged", errCache)
	}
	return c, nil
}

// dec reads what enc wrote; err is set, and zeros returned, past the end
// or on a malformed varint.
type dec struct {
	b   []byte
	err bool
}

func (d *dec) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) str() string {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.err = true
		d.b = nil
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
