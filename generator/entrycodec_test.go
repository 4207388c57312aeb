package generator

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"testing"
	"time"
)

// TestEntryCodecSamplePortal decodes the front matter of every record of
// the sample portal (content/, every kind) and checks that the parse
// cache's encoding carries each entry whole (the cache keeps only such
// entries), that encoding is deterministic (maps in key order), and that
// an encoding cut short or damaged is refused or decodes without a panic.
func TestEntryCodecSamplePortal(t *testing.T) {
	c, err := Load(context.Background(), os.DirFS(".."), time.Date(2026, 12, 3, 0, 0, 0, 0, China))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, r := range c.Records {
		data, err := os.ReadFile("../" + r.Path)
		if err != nil {
			t.Fatal(err)
		}
		src, err := splitFrontMatter(r.Path, data)
		if err != nil {
			t.Fatal(err)
		}
		var probs Problems
		e := r.Kind.New()
		if _, ok := decodeStrict(r.Path, src.front, src.frontAt, e, &probs); !ok || len(probs) > 0 {
			continue // a sample with a planted problem
		}
		enc, ok := encodeEntry(e)
		if !ok {
			t.Errorf("%s: not encoded", r.Path)
			continue
		}
		back := r.Kind.New()
		if !decodeEntry(enc, back) || !reflect.DeepEqual(back, e) {
			t.Errorf("%s: the entry did not survive its encoding:\n%#v\n%#v", r.Path, e, back)
			continue
		}
		for range 3 {
			if again, _ := encodeEntry(back); !bytes.Equal(again, enc) {
				t.Fatalf("%s: encoded differently the second time", r.Path)
			}
		}
		kinds[r.Kind.Name]++
		// Cut short at every length, and one bit flipped at a time:
		// refused, or decoded, never a panic.
		for n := range len(enc) {
			if decodeEntry(enc[:n], r.Kind.New()) {
				t.Errorf("%s: a prefix of %d of %d bytes decoded whole", r.Path, n, len(enc))
			}
		}
		for i := 0; i < len(enc); i += 7 {
			bad := bytes.Clone(enc)
			bad[i] ^= 0x41
			decodeEntry(bad, r.Kind.New())
		}
	}
	for _, k := range Kinds() {
		if kinds[k.Name] == 0 {
			t.Errorf("no record of kind %s in the sample portal was encoded", k.Name)
		}
	}
}

// TestEntryCodecValues: values of every kind the encoding carries, nil and
// empty kept apart, and the kinds it refuses.
func TestEntryCodecValues(t *testing.T) {
	type inner struct {
		S      string
		M      map[string][]int
		hidden int
	}
	type all struct {
		B     bool
		I     int
		I8    int8
		U16   uint16
		F     float64
		S     string
		Bytes []byte
		Nil   []string
		Empty []string
		Arr   [2]int8
		P     *inner
		PNil  *inner
		Map   map[string]inner
		MNil  map[int]bool
		In    []inner
	}
	v := &all{B: true, I: -300, I8: -5, U16: 65535, F: 2.5, S: "云泽市", Bytes: []byte{0, 1},
		Empty: []string{}, Arr: [2]int8{1, -1}, P: &inner{S: "x", M: map[string][]int{"b": {1}, "a": nil}, hidden: 7},
		Map: map[string]inner{"二": {S: "2"}, "一": {S: "1"}}, In: []inner{{S: "y"}}}
	var enc entryEncoder
	if err := enc.value(reflect.ValueOf(v).Elem()); err != nil {
		t.Fatal(err)
	}
	back := &all{}
	d := entryDecoder{stateReader{b: enc.buf}}
	d.value(reflect.ValueOf(back).Elem())
	// An unexported field is not carried (the parse cache then finds the
	// entry changed and does not keep it).
	if back.P == nil || back.P.hidden != 0 {
		t.Fatalf("decoded %+v", back.P)
	}
	v.P.hidden = 0
	if d.err != nil || len(d.b) != 0 || !reflect.DeepEqual(back, v) {
		t.Errorf("decoded %+v (%v), want %+v", back, d.err, v)
	}
	for _, bad := range []any{&struct{ A any }{A: 1}, &struct{ F func() }{}, &struct{ C chan int }{}} {
		var enc entryEncoder
		if err := enc.value(reflect.ValueOf(bad).Elem()); err == nil {
			t.Errorf("%T was encoded", bad)
		}
	}
}
