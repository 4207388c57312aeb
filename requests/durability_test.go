package requests

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentSubmissions sends 200 applications at once from 200
// browsers: every response is a receipt, and the stored rows are exactly
// the receipts issued, with distinct case numbers and codes.
func TestConcurrentSubmissions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b, envOptions{})
		const n = 200
		forms := make([]url.Values, n)
		browsers := make([]*browser, n)
		for i := range forms {
			browsers[i] = e.browser()
			forms[i] = validApplication()
			forms[i].Set("token", browsers[i].token("/apply/"))
		}
		codes := make([]string, n)
		cases := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/apply/", strings.NewReader(forms[i].Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				p := browsers[i].do(req)
				if p.Code != 200 {
					t.Errorf("submission %d: %d %s", i, p.Code, p.Raw)
					return
				}
				var r ReceiptView
				p.data(&r)
				codes[i], cases[i] = r.Code, r.CaseNo
			})
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range n {
			if codes[i] == "" || seen[codes[i]] || seen[cases[i]] {
				t.Errorf("receipt %d: code %q case %q (empty or repeated)", i, codes[i], cases[i])
			}
			seen[codes[i]], seen[cases[i]] = true, true
		}
		a, _ := e.counts()
		if a != n {
			t.Errorf("%d rows stored, %d receipts issued", a, n)
		}
		cal, _ := e.snap.Cal()
		for _, code := range codes[:10] {
			raw, _ := parseCode(code)
			if _, err := e.store.Lookup(context.Background(), cal, raw); err != nil {
				t.Errorf("lookup %s: %v", code, err)
			}
		}
	})
}
