package precompress

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestEligible(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		want bool
	}{
		{"index.html", 1024, true},
		{"index.html", 1023, false},
		{"static/style.1a2b.css", 5000, true},
		{"static/site.js", 2000, true},
		{"sitemap.xml", 2000, true},
		{"feeds/all.rss.xml", 2000, true},
		{"feeds/all.feed.json", 2000, true},
		{"static/identity-1a2b.svg", 2000, true},
		{"PAGE.HTML", 2000, true},
		{"catalogue.csv", 50000, false},
		{"robots.txt", 5000, false},
		{"attachments/x.pdf", 50000, false},
		{"index.html.gz", 5000, false},
	} {
		if got := Eligible(tc.name, tc.size); got != tc.want {
			t.Errorf("Eligible(%q, %d) = %v, want %v", tc.name, tc.size, got, tc.want)
		}
	}
}

func TestEncodeRoundTripAndDeterministic(t *testing.T) {
	data := []byte(strings.Repeat("<p>政府信息公开 government information disclosure</p>\n", 200))
	br, gz, err := Encode(data)
	if err != nil {
		t.Fatal(err)
	}
	if br == nil || gz == nil || len(br) >= len(data) || len(gz) >= len(data) {
		t.Fatalf("Encode(%d bytes) = br %d, gz %d bytes; want both smaller", len(data), len(br), len(gz))
	}
	got, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("brotli round trip: %v, equal %v", err, bytes.Equal(got, data))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q and time %v; want neither", zr.Name, zr.ModTime)
	}
	got, err = io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("gzip round trip: %v, equal %v", err, bytes.Equal(got, data))
	}
	for range 3 {
		br2, gz2, err := Encode(data)
		if err != nil || !bytes.Equal(br, br2) || !bytes.Equal(gz, gz2) {
			t.Fatalf("Encode is not deterministic: %v", err)
		}
	}
}

func TestEncodeSkipsCopiesThatAreNotSmaller(t *testing.T) {
	// Random-looking bytes do not compress.
	data := make([]byte, 2048)
	x := uint32(1)
	for i := range data {
		x = x*1664525 + 1013904223
		data[i] = byte(x >> 24)
	}
	br, gz, err := Encode(data)
	if err != nil {
		t.Fatal(err)
	}
	if br != nil || gz != nil {
		t.Errorf("incompressible data: br %d, gz %d bytes; want no copies", len(br), len(gz))
	}
}
