package requests

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func (e *env) counts() (int, int) {
	e.t.Helper()
	a, c, err := e.store.Counts(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return a, c
}

func TestOversizedBody(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b, envOptions{})
		br := e.browser()
		v := validApplication()
		v.Set("token", br.token("/apply/"))
		v.Set("description", strings.Repeat("申", maxFormBody))
		if p := br.post("/apply/", v); p.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized application: %d, want 413", p.Code)
		}
		// Within the body limit but over the field limit: a message, not a 413.
		v.Set("description", strings.Repeat("申", maxLen["description"]+1))
		p := br.post("/apply/", v)
		var f ApplyForm
		p.data(&f)
		if p.Code != http.StatusUnprocessableEntity || errKey(f.ErrorFor, "description") != "req_err_too_long" || f.ErrorFor["description"].Arg != 2000 {
			t.Errorf("over-long description: %d %+v", p.Code, f.ErrorFor)
		}
		if p := br.post("/apply/status", url.Values{"code": {strings.Repeat("A", maxLookupBody)}}); p.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized lookup: %d, want 413", p.Code)
		}
		if a, _ := e.counts(); a != 0 {
			t.Errorf("%d applications stored", a)
		}
	})
}

func TestFormTokens(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b, envOptions{})
		br := e.browser()
		good := br.token("/apply/")
		other := e.browser()
		otherToken := other.token("/apply/")
		forged := []byte(good)
		forged[10] ^= 1
		cases := []struct {
			name  string
			b     *browser
			token []string
			hdr   map[string]string
		}{
			{"missing token", br, nil, nil},
			{"empty token", br, []string{""}, nil},
			{"forged token", br, []string{string(forged)}, nil},
			{"garbage token", br, []string{"<script>alert(1)</script>"}, nil},
			{"another browser's token", br, []string{otherToken}, nil},
			{"no cookie", e.browser(), []string{good}, nil},
			{"two tokens", br, []string{good, good}, nil},
			{"cross-site request", br, []string{good}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
			{"foreign origin", br, []string{good}, map[string]string{"Origin": "https://evil.example"}},
		}
		for _, c := range cases {
			v := validApplication()
			if c.token != nil {
				v["token"] = c.token
			}
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/apply/", strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, h := range c.hdr {
				req.Header.Set(k, h)
			}
			if p := c.b.do(req); p.Code != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", c.name, p.Code)
			}
		}
		// An expired token: the form was loaded seven hours ago.
		old := br.token("/apply/")
		e.clock.Set(e.clock.Now().Add(7 * time.Hour))
		v := validApplication()
		v.Set("token", old)
		if p := br.post("/apply/", v); p.Code != http.StatusForbidden {
			t.Errorf("expired token: %d, want 403", p.Code)
		}
		// A comment token does not submit an application.
		ct := br.token("/notice/open-notice/comment")
		e.clock.Set(time.Date(2026, 9, 30, 10, 0, 0, 0, China))
		v.Set("token", ct)
		if p := br.post("/apply/", v); p.Code != http.StatusForbidden {
			t.Errorf("comment token on the application form: %d, want 403", p.Code)
		}
		if a, c := e.counts(); a != 0 || c != 0 {
			t.Errorf("stored %d applications and %d comments from refused forms", a, c)
		}
		// The good token still works.
		v.Set("token", good)
		receiptOf(t, br.post("/apply/", v))
	})
}

// TestReplay sends the same form again, in sequence and concurrently: one
// application is stored and every response is its receipt.
func TestReplay(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b, envOptions{})
		br := e.browser()
		v := validApplication()
		v.Set("token", br.token("/apply/"))
		first := receiptOf(t, br.post("/apply/", v))
		again := receiptOf(t, br.post("/apply/", v))
		if again.Code != first.Code || again.CaseNo != first.CaseNo || !again.Replayed {
			t.Errorf("replay got %s %s (replayed %v), want the first receipt %s %s", again.CaseNo, again.Code, again.Replayed, first.CaseNo, first.Code)
		}
		// Changed contents under a used token change nothing.
		v.Set("name", "王五")
		if r := receiptOf(t, br.post("/apply/", v)); r.CaseNo != first.CaseNo {
			t.Errorf("replay with other contents stored case %s", r.CaseNo)
		}
		// Twenty copies of a new form at once.
		v = validApplication()
		v.Set("token", br.token("/apply/"))
		var wg sync.WaitGroup
		codes := make([]string, 20)
		for i := range codes {
			wg.Go(func() { codes[i] = receiptOf(t, br.post("/apply/", v)).Code })
		}
		wg.Wait()
		for _, c := range codes {
			if c != codes[0] {
				t.Errorf("concurrent replays got different codes %s and %s", c, codes[0])
			}
		}
		if a, _ := e.counts(); a != 2 {
			t.Errorf("%d applications stored, want 2", a)
		}
		c, _ := e.store.Case(context.Background(), first.CaseNo, true)
		if c.Personal.Name != "张三" {
			t.Errorf("the replay changed the stored name to %q", c.Personal.Name)
		}
	})
}

func TestBadCharacters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b, envOptions{})
		br := e.browser()
		cases := []struct {
			field, value, key string
		}{
			{"name", "张\xff三", "req_err_encoding"},
			{"name", "\xe5\xbc", "req_err_encoding"},
			{"name", "张三\x00", "req_err_control"},
			{"name", "张三\x1b[31m", "req_err_control"},
			{"name", "张三\u202egnp.exe", "req_err_control"},
			{"name", "张三\nX", "req_err_control"},
			{"phone", "138\t00138000", "req_err_control"},
			{"description", "文件\x07名称", "req_err_control"},
			{"description", "文件\ufeff名称", "req_err_control"},
			{"description", "\ufffd\ufffd\ufffd\ufffd", "req_err_control"},
			{"address", "\x7f", "req_err_control"},
			{"agency", "fgw\x00", "req_err_control"},
			{"agency", "nosuch", "req_err_choice"},
			{"id_number", "110105194912310021", "req_err_resident_id"},
			{"email", "a@b", "req_err_email"},
			{"website", "http://spam.example", "req_err_honeypot"},
		}
		for _, c := range cases {
			v := validApplication()
			v.Set(c.field, c.value)
			p := br.submit(v)
			var f ApplyForm
			p.data(&f)
			if p.Code != http.StatusUnprocessableEntity || errKey(f.ErrorFor, c.field) != c.key {
				t.Errorf("%s=%q: %d %+v, want 422 with %s", c.field, c.value, p.Code, f.ErrorFor, c.key)
			}
			for k, s := range f.Values {
				if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\x1b\u202e") {
					t.Errorf("%s=%q: the form echoes %s=%q", c.field, c.value, k, s)
				}
			}
		}
		if a, _ := e.counts(); a != 0 {
			t.Errorf("%d applications stored from invalid forms", a)
		}
		// Line breaks and tabs are fine in the description.
		v := validApplication()
		v.Set("description", "第一行\r\n第二行\t（附表）")
		rc := receiptOf(t, br.submit(v))
		c, _ := e.store.Case(context.Background(), rc.CaseNo, true)
		if c.Description != "第一行\n第二行\t（附表）" {
			t.Errorf("description stored as %q", c.Description)
		}
	})
}

func TestRequestShapes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b, envOptions{})
		br := e.browser()
		v := validApplication()
		v.Set("token", br.token("/apply/"))
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/apply/", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		if p := br.do(req); p.Code != http.StatusUnsupportedMediaType {
			t.Errorf("multipart: %d, want 415", p.Code)
		}
		req, _ = http.NewRequest(http.MethodPut, e.srv.URL+"/apply/", strings.NewReader(v.Encode()))
		if p := br.do(req); p.Code != http.StatusMethodNotAllowed {
			t.Errorf("PUT: %d, want 405", p.Code)
		}
		req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/apply/", strings.NewReader("a=%zz&b"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if p := br.do(req); p.Code != http.StatusBadRequest {
			t.Errorf("malformed body: %d, want 400", p.Code)
		}
		if p := br.get("/apply/../../etc/passwd"); p.Code >= 500 {
			t.Errorf("odd path: %d", p.Code)
		}
		if p := br.get("/apply/nothing"); p.Code != http.StatusNotFound {
			t.Errorf("unknown page: %d, want 404", p.Code)
		}
		p := br.get("/apply/")
		if p.Code != 200 {
			t.Fatalf("GET /apply/ = %d", p.Code)
		}
	})
}

// TestComments covers the notice comment form: open, closed at request
// time, not yet open, unknown notice; comments are stored sealed.
func TestComments(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b, envOptions{})
		br := e.browser()
		tok := br.token("/notice/open-notice/comment")
		p := br.post("/notice/open-notice/comment", url.Values{"token": {tok}, "comment": {"建议延长免费停车时间。"}, "commenter": {"赵六"}, "contact": {"13900000000"}})
		if p.Code != 200 || p.View.Page != "comment-done" {
			t.Fatalf("comment: %d %s", p.Code, p.Raw)
		}
		// The form was loaded while the window was open; it closes (31
		// October) before the form is sent.
		tok = br.token("/notice/open-notice/comment")
		e.clock.Set(time.Date(2026, 11, 1, 0, 0, 1, 0, China))
		p = br.post("/notice/open-notice/comment", url.Values{"token": {tok}, "comment": {"迟到的意见"}})
		var f CommentForm
		p.data(&f)
		if p.Code != http.StatusForbidden || f.State != "closed" || f.Token != "" {
			t.Errorf("comment after the window closed: %d state %q", p.Code, f.State)
		}
		p = br.get("/notice/old-notice/comment")
		p.data(&f)
		if p.Code != 200 || f.State != "closed" || f.Token != "" {
			t.Errorf("closed notice form: %d %+v", p.Code, f)
		}
		e.clock.Set(time.Date(2026, 9, 19, 23, 0, 0, 0, China))
		p = br.get("/notice/open-notice/comment")
		p.data(&f)
		if f.State != "upcoming" || f.Token != "" {
			t.Errorf("before the window: %+v", f)
		}
		if p := br.get("/notice/nosuch/comment"); p.Code != http.StatusNotFound {
			t.Errorf("unknown notice: %d", p.Code)
		}
		if _, c := e.counts(); c != 1 {
			t.Errorf("%d comments stored, want 1", c)
		}
		cs, err := e.store.Comments(context.Background(), "open-notice")
		if err != nil || len(cs) != 1 || cs[0].Comment.Name != "赵六" || cs[0].Comment.Text != "建议延长免费停车时间。" {
			t.Errorf("stored comments %+v, %v", cs, err)
		}
	})
}

// TestRateLimit sends more forms and lookups from one address than allowed.
func TestRateLimit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b, envOptions{submissionsPerHour: 3, lookupsPerHour: 5})
		br := e.browser()
		for i := range 3 {
			receiptOf(t, br.submit(validApplication()))
			_ = i
		}
		p := br.submit(validApplication())
		if p.Code != http.StatusTooManyRequests {
			t.Fatalf("4th submission in an hour: %d, want 429", p.Code)
		}
		// A forged X-Forwarded-For from an untrusted peer changes nothing.
		v := validApplication()
		v.Set("token", br.token("/apply/"))
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/apply/", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		if p := br.do(req); p.Code != http.StatusTooManyRequests {
			t.Errorf("with X-Forwarded-For: %d, want 429", p.Code)
		}
		for i := range 6 {
			p := br.post("/apply/status", url.Values{"code": {"0000000000000000000000000" + fmt.Sprint(i)}})
			if want := map[bool]int{true: http.StatusNotFound, false: http.StatusTooManyRequests}[i < 5]; p.Code != want {
				t.Errorf("lookup %d: %d, want %d", i+1, p.Code, want)
			}
		}
		// An hour later the address may send again.
		e.clock.Set(e.clock.Now().Add(61 * time.Minute))
		receiptOf(t, br.submit(validApplication()))
		if a, _ := e.counts(); a != 4 {
			t.Errorf("%d applications stored, want 4", a)
		}
	})
}

// TestRandomPosts sends 10,000 random forms: no response is a 5xx, and
// nothing is stored that failed validation — the stored rows are exactly
// the distinct receipts issued, each of which validates again.
func TestRandomPosts(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b, envOptions{})
		rng := rand.New(rand.NewPCG(14, 29))
		browsers := []*browser{e.browser(), e.browser(), e.browser(), e.browser()}
		tokens := make([]string, len(browsers))
		for i, br := range browsers {
			tokens[i] = br.token("/apply/")
		}
		receipts := map[string]bool{}
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		work := make(chan url.Values)
		for w := range browsers {
			wg.Go(func() {
				br := browsers[w]
				for v := range work {
					if v.Get("token") == "fresh" {
						v.Set("token", br.token("/apply/"))
					} else if v.Get("token") == "mine" {
						v.Set("token", tokens[w])
					}
					p := br.post("/apply/", v)
					mu.Lock()
					statuses[p.Code]++
					if p.Code == 200 {
						var r ReceiptView
						p.data(&r)
						receipts[r.CaseNo] = true
					}
					mu.Unlock()
				}
			})
		}
		for range n {
			work <- randomForm(rng)
		}
		close(work)
		wg.Wait()
		t.Logf("%d posts: statuses %v, %d receipts", n, statuses, len(receipts))
		for code := range statuses {
			if code >= 500 {
				t.Errorf("%d responses with status %d", statuses[code], code)
			}
		}
		if statuses[200] == 0 || statuses[422] == 0 || statuses[403] == 0 {
			t.Errorf("the generator missed a class of forms: %v", statuses)
		}
		a, _ := e.counts()
		if a != len(receipts) {
			t.Errorf("%d applications stored, %d distinct receipts issued", a, len(receipts))
		}
		cases, err := e.store.List(context.Background(), Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			full, err := e.store.Case(context.Background(), c.CaseNo, true)
			if err != nil {
				t.Fatal(err)
			}
			if !receipts[c.CaseNo] {
				t.Errorf("case %s stored without a receipt", c.CaseNo)
			}
			form := url.Values{"applicant_type": {full.ApplicantType}, "name": {full.Personal.Name}, "id_type": {full.Personal.IDType},
				"id_number": {full.Personal.IDNumber}, "contact_person": {full.Personal.ContactPerson}, "phone": {full.Personal.Phone},
				"email": {full.Personal.Email}, "address": {full.Personal.Address}, "postcode": {full.Personal.Postcode},
				"agency": {full.Agency}, "description": {full.Description}, "format": {full.Format}, "delivery": {full.Delivery}}
			if _, errs := validateApplication(form, e.snap.Agencies); len(errs) > 0 {
				t.Errorf("stored case %s does not validate: %v", c.CaseNo, errs)
			}
		}
	})
}

// randomForm mixes valid values, hostile strings and random bytes, with
// fresh, reused, forged or missing tokens.
func randomForm(rng *rand.Rand) url.Values {
	v := validApplication()
	hostile := []string{"", " ", "\x00", "\xff\xfe", "\u202e", "<script>alert(1)</script>", "' OR 1=1 --", "=cmd|' /C calc'!A0",
		strings.Repeat("长", 3000), "\r\n", "%00", "../../etc/passwd", "🙂", "\ufeff", "a@b", "fgw", "natural", "uscc", "post"}
	clean := rng.IntN(8) == 0 // some forms are left valid
	for _, f := range append(appFields, honeypot, "extra") {
		if clean {
			break
		}
		switch rng.IntN(12) {
		case 0:
			v.Del(f)
		case 1:
			v.Set(f, hostile[rng.IntN(len(hostile))])
		case 2:
			b := make([]byte, rng.IntN(40))
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			v.Set(f, string(b))
		case 3:
			v.Add(f, "second")
		}
	}
	switch rng.IntN(10) {
	case 0:
		v.Del("token")
	case 1:
		v.Set("token", "forged-"+fmt.Sprint(rng.Int()))
	case 2, 3:
		v.Set("token", "mine") // reused: valid once, then replays
	default:
		v.Set("token", "fresh")
	}
	return v
}

func FuzzValidateApplication(f *testing.F) {
	f.Add("natural", "张三", "resident_id", "11010519491231002X", "13800138000", "fgw", "文件名称", "electronic", "email", "a@example.com")
	f.Add("business", "\xff", "uscc", "91350100M000100Y43", "+86 (0899) 6200", "czj", "\u202e", "paper", "post", "")
	agencies := []Option{{"fgw", "发改委"}, {"czj", "财政局"}}
	f.Fuzz(func(t *testing.T, typ, name, idType, id, phone, agency, desc, format, delivery, email string) {
		v := url.Values{"applicant_type": {typ}, "name": {name}, "id_type": {idType}, "id_number": {id}, "phone": {phone},
			"agency": {agency}, "description": {desc}, "format": {format}, "delivery": {delivery}, "email": {email}}
		a, errs := validateApplication(v, agencies)
		if len(errs) > 0 {
			return
		}
		for _, s := range []string{a.Personal.Name, a.Personal.IDNumber, a.Personal.Phone, a.Description, a.Personal.Email} {
			if !utf8.ValidString(s) {
				t.Fatalf("accepted invalid UTF-8 %q", s)
			}
			for _, r := range s {
				if unsafeRune(r) && r != '\n' && r != '\t' {
					t.Fatalf("accepted %q", s)
				}
			}
		}
		if !hasOption(agencies, a.Agency) || !hasOption(ApplicantTypes, a.ApplicantType) {
			t.Fatalf("accepted agency %q type %q", a.Agency, a.ApplicantType)
		}
	})
}

func FuzzParseCode(f *testing.F) {
	f.Add("0ABCD-EFGHJ-KMNPQ-RSTVW-XYZ012")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		b, ok := parseCode(s)
		if !ok {
			return
		}
		again, ok := parseCode(encodeCode(b))
		if !ok || string(again) != string(b) {
			t.Fatalf("parseCode(%q) does not round-trip", s)
		}
	})
}

func errKey(m map[string]*FieldError, field string) string {
	if e := m[field]; e != nil {
		return e.Key
	}
	return ""
}
