package generator

import (
	"bytes"
	"maps"
	"testing"
)

// TestFileEntryPrunes checks a file pack entry's round trip, and that the
// sums a build did not ask for are not written again: the sums of an
// older program's keys go with the first pack written after it.
func TestFileEntryPrunes(t *testing.T) {
	f := &warmFile{stamp: fileStamp{dev: 1, ino: 2, size: 5, mtime: 3, ctime: 4}, data: []byte("hello"), textOK: true,
		sums:  map[string][32]byte{"parse old": {1}, "body\x00": {2}},
		slots: map[string][2][32]byte{"body\x00feed": {{3}, {4}}}}
	decode := func(f *warmFile) *warmFile {
		w := newStateWriter("m\n", 0)
		encodeFileEntry(w, f)
		r := openState(w.finish(), "m\n")
		got := decodeFileEntry(r)
		if err := r.done(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	s := newFileStore("", "")
	g := decode(f)
	if g.stamp != f.stamp || !bytes.Equal(g.data, f.data) || !g.textOK || !maps.Equal(g.prior, f.sums) || !maps.Equal(g.slots, f.slots) || len(g.sums) != 0 {
		t.Fatalf("round trip: %+v", g)
	}
	if !s.packs.stale(g) {
		t.Error("an entry whose sums were not all asked for is not written again")
	}
	if got := g.memo("body\x00", func() [32]byte { t.Fatal("a kept sum was computed again"); return [32]byte{} }); got != [32]byte{2} {
		t.Errorf("memo gave %v", got)
	}
	if got := g.memoFor("body\x00feed", [32]byte{3}, func() [32]byte { t.Fatal("a kept slot was computed again"); return [32]byte{} }); got != [32]byte{4} {
		t.Errorf("memoFor gave %v", got)
	}
	if g.grown {
		t.Error("sums taken from the pack count as new")
	}
	h := decode(g)
	if want := map[string][32]byte{"body\x00": {2}}; !maps.Equal(h.prior, want) {
		t.Errorf("written again with %v, want only the sum asked for, %v", h.prior, want)
	}
	h.memo("body\x00", func() [32]byte { return [32]byte{} })
	if s.packs.stale(h) {
		t.Error("an entry whose every sum was asked for is written again")
	}
	h.memo("parse new", func() [32]byte { return [32]byte{9} })
	if !s.packs.stale(h) {
		t.Error("an entry with a new sum is not written again")
	}
}

// TestMappedPacks writes a pack and reads it back mapped (packStore.mapped,
// gongkai build's way) and read, and checks that both give the entry.
func TestMappedPacks(t *testing.T) {
	dir := t.TempDir()
	f := &warmFile{stamp: fileStamp{dev: 7, ino: 8, size: 3}, data: []byte("abc"), sums: map[string][32]byte{"k": {5}}}
	w := newFileStore("", "root")
	w.packs.keep("content/policies/a.md", f, false)
	if err := w.packs.write(dir, nil); err != nil {
		t.Fatal(err)
	}
	for _, mapped := range []bool{true, false} {
		s := newFileStore(dir, "root")
		s.packs.mapped = mapped
		g, ok := s.packs.prev("content/policies/a.md")
		if !ok || g.stamp != f.stamp || string(g.data) != "abc" || g.prior["k"] != [32]byte{5} {
			t.Errorf("mapped %v: got %+v, %v", mapped, g, ok)
		}
		if other, ok := newFileStore(dir, "another root").packs.prev("content/policies/a.md"); ok {
			t.Errorf("a store of another site folder read %+v", other)
		}
	}
}
