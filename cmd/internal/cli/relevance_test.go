package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// relevanceSet holds the queries over the sample portal with the records
// that must come back for each; its header documents the format.
const relevanceSet = "../../../search/testdata/relevance.yaml"

// relevanceWindow is the number of top results a wanted record must be in;
// mrrWindow the results over which the reciprocal rank of the first wanted
// record is taken (0 when none is in them).
const (
	relevanceWindow = 5
	mrrWindow       = 10
)

// relevanceQuery is one entry of the relevance set.
type relevanceQuery struct {
	Q       string            `yaml:"q"`
	Filters map[string]string `yaml:"filters"`
	Want    []string          `yaml:"want"`
	First   string            `yaml:"first"`
	Absent  []string          `yaml:"absent"`
	Why     string            `yaml:"why"`
}

// relevanceFilters are the filter parameters of /search and /api/search.
var relevanceFilters = []string{"agency", "topic", "kind", "year", "validity"}

// name labels the query in test output: its text and filters.
func (rq relevanceQuery) name() string {
	var b strings.Builder
	b.WriteString(rq.Q)
	for _, k := range relevanceFilters {
		if v := rq.Filters[k]; v != "" {
			fmt.Fprintf(&b, " %s=%s", k, v)
		}
	}
	return strings.TrimSpace(b.String())
}

// values returns the query as /api/search parameters, asking for one page
// of the MRR window.
func (rq relevanceQuery) values() url.Values {
	v := url.Values{"q": {rq.Q}, "size": {fmt.Sprint(mrrWindow)}}
	for k, val := range rq.Filters {
		v.Set(k, val)
	}
	return v
}

// loadRelevanceSet reads the relevance set and rejects malformed entries, so
// that a typo cannot pass as a miss or silently drop an expectation.
func loadRelevanceSet(t *testing.T) []relevanceQuery {
	t.Helper()
	b, err := os.ReadFile(relevanceSet)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var set []relevanceQuery
	if err := dec.Decode(&set); err != nil {
		t.Fatalf("%s: %v", relevanceSet, err)
	}
	if len(set) < 150 {
		t.Fatalf("%s holds %d queries, want at least 150", relevanceSet, len(set))
	}
	seen := map[string]bool{}
	for i, rq := range set {
		where := fmt.Sprintf("%s: query %d (%s)", relevanceSet, i+1, rq.name())
		switch {
		case len(rq.Want) == 0:
			t.Errorf("%s: no want", where)
		case rq.Why == "":
			t.Errorf("%s: no why", where)
		case rq.First != "" && !slices.Contains(rq.Want, rq.First):
			t.Errorf("%s: first %s is not in want", where, rq.First)
		case len(rq.Want) > relevanceWindow:
			t.Errorf("%s: %d wanted records cannot all fit in the top %d", where, len(rq.Want), relevanceWindow)
		}
		for k := range rq.Filters {
			if !slices.Contains(relevanceFilters, k) {
				t.Errorf("%s: unknown filter %q, want one of %v", where, k, relevanceFilters)
			}
		}
		for _, u := range rq.Absent {
			if slices.Contains(rq.Want, u) {
				t.Errorf("%s: %s is both wanted and absent", where, u)
			}
		}
		if key := rq.name(); seen[key] {
			t.Errorf("%s: duplicate query", where)
		} else {
			seen[key] = true
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return set
}

// apiQuery runs a search with any parameters through the real HTTP API;
// apiSearch does the same for a bare query text.
func apiQuery(t *testing.T, srv *httptest.Server, v url.Values) apiResponse {
	t.Helper()
	u := srv.URL + "/api/search?" + v.Encode()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", u, resp.StatusCode)
	}
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return r
}

// TestRelevance builds the repository's sample portal, runs every query of
// the relevance set through /api/search and measures recall@5 over all
// (query, wanted record) pairs, the mean reciprocal rank of the first wanted
// record (MRR, over the top 10) and how often the expected record is first.
// It fails below 100% on recall or first, or when an excluded record shows
// up.
func TestRelevance(t *testing.T) {
	set := loadRelevanceSet(t)

	out := buildSample(t)
	// Every URL in the set must be a published record, or a typo would read
	// as a search miss.
	for i, rq := range set {
		for _, u := range slices.Concat(rq.Want, rq.Absent) {
			if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(outputPath(u)))); err != nil {
				t.Errorf("%s: query %d (%s): %s is not a page of the sample portal", relevanceSet, i+1, rq.name(), u)
			}
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	srv := serveOut(t, out)

	var pairs, found, firsts, firstOK, leaks int
	var rr float64
	for i, rq := range set {
		t.Run(fmt.Sprintf("%02d_%s", i+1, rq.name()), func(t *testing.T) {
			r := apiQuery(t, srv, rq.values())
			for j, res := range r.Results {
				if slices.Contains(rq.Want, res.URL) {
					rr += 1 / float64(j+1)
					break
				}
			}
			top := r.Results[:min(relevanceWindow, len(r.Results))]
			urls := make([]string, len(top))
			for j, res := range top {
				urls[j] = res.URL
			}
			var missing, leaked []string
			for _, u := range rq.Want {
				pairs++
				if slices.Contains(urls, u) {
					found++
				} else {
					missing = append(missing, u)
				}
			}
			for _, u := range rq.Absent {
				if slices.Contains(urls, u) {
					leaks++
					leaked = append(leaked, u)
				}
			}
			firstWrong := false
			if rq.First != "" {
				firsts++
				if len(urls) > 0 && urls[0] == rq.First {
					firstOK++
				} else {
					firstWrong = true
				}
			}
			if len(missing) == 0 && len(leaked) == 0 && !firstWrong {
				return
			}
			var b strings.Builder
			fmt.Fprintf(&b, "%s\n  why: %s\n", rq.name(), rq.Why)
			if len(missing) > 0 {
				fmt.Fprintf(&b, "  missing from the top %d: %s\n", relevanceWindow, strings.Join(missing, " "))
			}
			if len(leaked) > 0 {
				fmt.Fprintf(&b, "  excluded but in the top %d: %s\n", relevanceWindow, strings.Join(leaked, " "))
			}
			if firstWrong {
				fmt.Fprintf(&b, "  first: want %s\n", rq.First)
			}
			fmt.Fprintf(&b, "  got %d results, top %d:\n", r.Total, len(top))
			for j, res := range top {
				fmt.Fprintf(&b, "    %d. %s %s\n", j+1, res.URL, res.Title)
			}
			for _, m := range r.Messages {
				fmt.Fprintf(&b, "  message %s: %s\n", m.Code, m.Text)
			}
			t.Error(b.String())
		})
	}

	recall := 100 * float64(found) / float64(max(pairs, 1))
	firstRate := 100 * float64(firstOK) / float64(max(firsts, 1))
	t.Logf("%d queries: recall@%d = %d/%d = %.1f%%; MRR@%d = %.3f; first = %d/%d = %.1f%%; excluded records shown = %d",
		len(set), relevanceWindow, found, pairs, recall, mrrWindow, rr/float64(len(set)), firstOK, firsts, firstRate, leaks)
	if found < pairs {
		t.Errorf("recall@%d = %.1f%% (%d of %d wanted records missing), want 100%%", relevanceWindow, recall, pairs-found, pairs)
	}
	if firstOK < firsts {
		t.Errorf("first = %.1f%% (%d of %d queries rank another record first), want 100%%", firstRate, firsts-firstOK, firsts)
	}
	if leaks > 0 {
		t.Errorf("%d excluded records shown in the top %d", leaks, relevanceWindow)
	}
}

// outputPath is the file that serves the site path u.
func outputPath(u string) string {
	if strings.HasSuffix(u, "/") {
		return u + "index.html"
	}
	return u
}
