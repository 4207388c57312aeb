package search

import (
	"math"
	"testing"
)

// TestLengthCode checks the one-byte field lengths: exact below 32,
// rounded down to five significant bits above, monotonic, within 1/16 of
// the length up to 2^19-1, and every larger length in 255.
func TestLengthCode(t *testing.T) {
	for _, c := range []struct {
		l    uint32
		code uint8
		back uint32
	}{{0, 0, 0}, {31, 31, 31}, {32, 32, 32}, {33, 32, 32}, {34, 33, 34}, {63, 47, 62}, {64, 48, 64},
		{1000, 111, 992}, {1500, 119, 1472}, {2502, 131, 2432}, {1<<19 - 1, 255, 1<<19 - 1<<14}, {math.MaxUint32, 255, 1<<19 - 1<<14}} {
		if got := LengthCode(c.l); got != c.code {
			t.Errorf("LengthCode(%d) = %d, want %d", c.l, got, c.code)
		}
		if got := CodeLength(LengthCode(c.l)); got != c.back {
			t.Errorf("CodeLength(LengthCode(%d)) = %d, want %d", c.l, got, c.back)
		}
	}
	prev := uint8(0)
	for l := uint32(0); l < 1<<19; l++ {
		c := LengthCode(l)
		if c < prev {
			t.Fatalf("LengthCode(%d) = %d < LengthCode(%d) = %d", l, c, l-1, prev)
		}
		prev = c
		if b := CodeLength(c); b > l || float64(l-b) > float64(l)/16 {
			t.Fatalf("CodeLength(LengthCode(%d)) = %d", l, b)
		}
	}
}
