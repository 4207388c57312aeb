package requests

import (
	"net/http"
	"strings"
	"testing"
)

// BenchmarkSubmit measures applications stored per second through real
// HTTP on 127.0.0.1, from parallel clients, each with its own form token
// (one GET and one POST per application; the GETs are outside the timer).
// Run: go test -run '^$' -bench Submit -benchtime 2000x ./requests
func BenchmarkSubmit(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			e := newEnv(b, be, envOptions{})
			forms := make(chan *http.Request, b.N)
			br := e.browser()
			for range b.N {
				v := validApplication()
				v.Set("token", br.token("/apply/"))
				req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/apply/", strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				forms <- req
			}
			close(forms)
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := br.c.Do(<-forms)
					if err != nil || resp.StatusCode != 200 {
						b.Errorf("submit: %v %v", err, resp.Status)
						return
					}
					resp.Body.Close()
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submissions/s")
		})
	}
}
