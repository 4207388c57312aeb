package requests

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"
)

// View is one page of the service for Render to put in the site's layout.
// Page names the fragment template ("apply", "receipt", "status",
// "comment", "comment-done", "message"); TitleKey is the UI string of the
// page title, with TitleArg filling its %s.
type View struct {
	Page     string
	TitleKey string
	TitleArg string
	Status   int
	Data     any
}

// ServiceOptions configure a Service.
type ServiceOptions struct {
	Store  *Store
	Sealer *Sealer
	// Site returns the current build's snapshot; it may change after a build.
	Site func() (*Snapshot, error)
	// Render writes v as a complete page in the site's layout.
	Render func(w io.Writer, r *http.Request, v *View) error
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time
	// Limits per address and hour; zero takes the settings' values.
	SubmissionsPerHour, LookupsPerHour int
	// TrustedProxies may set X-Forwarded-For and X-Forwarded-Proto.
	TrustedProxies []string
	Logger         *slog.Logger
}

// Service serves the forms: /apply/, /apply/status and
// /notice/{id}/comment.
type Service struct {
	o       ServiceOptions
	mux     *http.ServeMux
	submit  *limiter
	lookup  *limiter
	trusted []netip.Prefix
	cop     *http.CrossOriginProtection
	log     *slog.Logger
}

// Patterns are the routes the service owns, for the site's mux.
var Patterns = []string{"/apply/", "/notice/{id}/comment"}

// Body limits: a full application in Chinese is under 20 KB encoded.
const (
	maxFormBody   = 64 << 10
	maxLookupBody = 4 << 10
)

const cookieName = "gk_form"

// NewService returns the service.
func NewService(o ServiceOptions) (*Service, error) {
	if o.Store == nil || o.Sealer == nil || o.Site == nil || o.Render == nil {
		return nil, errors.New("requests service: Store, Sealer, Site and Render are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SubmissionsPerHour <= 0 {
		o.SubmissionsPerHour = DefaultSubmissionsPerHour
	}
	if o.LookupsPerHour <= 0 {
		o.LookupsPerHour = DefaultLookupsPerHour
	}
	s := &Service{o: o, mux: http.NewServeMux(), submit: newLimiter(o.SubmissionsPerHour), lookup: newLimiter(o.LookupsPerHour),
		cop: http.NewCrossOriginProtection(), log: o.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, p := range o.TrustedProxies {
		pfx, err := parsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", p, err)
		}
		s.trusted = append(s.trusted, pfx)
	}
	s.mux.HandleFunc("/apply/{$}", s.handle(s.apply))
	s.mux.HandleFunc("/apply/status", s.handle(s.status))
	s.mux.HandleFunc("/notice/{id}/comment", s.handle(s.comment))
	s.mux.HandleFunc("/apply/", s.handle(func(w http.ResponseWriter, r *http.Request, snap *Snapshot) error {
		return s.message(w, r, http.StatusNotFound, "req_msg_not_found", "")
	}))
	return s, nil
}

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// handle adapts a handler: every response is private and uncached, and a
// failure is logged and answered with a page, never a bare 500.
func (s *Service) handle(fn func(w http.ResponseWriter, r *http.Request, snap *Snapshot) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, HEAD, POST")
			s.message(w, r, http.StatusMethodNotAllowed, "req_msg_method", "")
			return
		}
		snap, err := s.o.Site()
		if err != nil {
			s.log.Error("requests: no site snapshot", "err", err)
			s.message(w, r, http.StatusServiceUnavailable, "req_msg_unavailable", "")
			return
		}
		if err := fn(w, r, snap); err != nil {
			s.log.Error("requests", "path", r.URL.Path, "err", err)
			s.message(w, r, http.StatusServiceUnavailable, "req_msg_unavailable", "")
		}
	}
}

func (s *Service) render(w http.ResponseWriter, r *http.Request, v *View) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(v.Status)
	if r.Method == http.MethodHead {
		return nil
	}
	if err := s.o.Render(w, r, v); err != nil {
		s.log.Error("requests: render", "page", v.Page, "err", err)
	}
	return nil
}

// Message is a page with one message and a link onwards.
type Message struct {
	Key  string // UI string
	Arg  string
	Back string // where to go from here
}

func (s *Service) message(w http.ResponseWriter, r *http.Request, status int, key, arg string) error {
	back := "/apply/"
	if id := r.PathValue("id"); id != "" {
		back = "/notice/" + url.PathEscape(id) + ".html"
	}
	return s.render(w, r, &View{Page: "message", TitleKey: key + "_title", Status: status, Data: &Message{Key: key, Arg: arg, Back: back}})
}

// guard runs the checks every POST passes before its form is read: a
// same-origin browser request, within the address's rate limit, a form body
// of bounded size that parses. It returns false when it has answered.
func (s *Service) guard(w http.ResponseWriter, r *http.Request, lim *limiter, maxBody int64) bool {
	if err := s.cop.Check(r); err != nil {
		s.message(w, r, http.StatusForbidden, "req_msg_cross_origin", "")
		return false
	}
	if ok, wait := lim.allow(clientPrefix(r, s.trusted), s.o.Now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.message(w, r, http.StatusTooManyRequests, "req_msg_rate_limited", "")
		return false
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		s.message(w, r, http.StatusUnsupportedMediaType, "req_msg_bad_form", "")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.message(w, r, http.StatusRequestEntityTooLarge, "req_msg_too_large", "")
		} else {
			s.message(w, r, http.StatusBadRequest, "req_msg_bad_form", "")
		}
		return false
	}
	return true
}

// formCookie returns the browser's form cookie, setting a new one when it
// has none.
func (s *Service) formCookie(w http.ResponseWriter, r *http.Request) []byte {
	if c, err := r.Cookie(cookieName); err == nil {
		if b, ok := decodeCookie(c.Value); ok {
			return b
		}
	}
	b := randomBytes(cookieSize)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: encodeCookie(b), Path: "/", MaxAge: int(tokenTTL.Seconds()),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
	return b
}

func (s *Service) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return r.Header.Get("X-Forwarded-Proto") == "https" && s.fromTrustedProxy(r)
}

func (s *Service) fromTrustedProxy(r *http.Request) bool {
	p := clientPrefix(&http.Request{RemoteAddr: r.RemoteAddr}, nil)
	for _, t := range s.trusted {
		if t.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

func (s *Service) postedCookie(r *http.Request) []byte {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	b, _ := decodeCookie(c.Value)
	return b
}

// ApplyForm is the data of the application form.
type ApplyForm struct {
	Token          string
	Values         map[string]string
	Errors         []FieldError
	ErrorFor       map[string]*FieldError
	Agencies       []Option
	ApplicantTypes []Option
	IDTypes        []Option
	Formats        []Option
	Deliveries     []Option
	MaxLen         map[string]int
	Honeypot       string
	// For templates: the applicant's text fields in order, the fields that
	// must be filled, and the choices of the radio groups.
	ApplicantFields []string
	ChoiceFields    []string
	Choices         map[string][]Option
	Required        map[string]bool
}

var requiredFields = map[string]bool{"applicant_type": true, "name": true, "id_type": true, "id_number": true, "phone": true,
	"agency": true, "description": true, "format": true, "delivery": true, "comment": true}

func (s *Service) applyForm(w http.ResponseWriter, r *http.Request, snap *Snapshot, values map[string]string, errs []FieldError) *ApplyForm {
	f := &ApplyForm{Token: s.o.Sealer.issueToken(s.formCookie(w, r), "apply", s.o.Now()), Values: values, Errors: errs,
		ErrorFor: map[string]*FieldError{}, Agencies: snap.Agencies, ApplicantTypes: ApplicantTypes, IDTypes: IDTypes,
		Formats: Formats, Deliveries: Deliveries, MaxLen: maxLen, Honeypot: honeypot,
		ApplicantFields: []string{"name", "id_type", "id_number", "contact_person", "phone", "email", "address", "postcode"},
		ChoiceFields:    []string{"format", "delivery"}, Choices: map[string][]Option{"format": Formats, "delivery": Deliveries},
		Required: requiredFields}
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	for i, e := range errs {
		f.ErrorFor[e.Field] = &errs[i]
	}
	return f
}

// echo returns the submitted values for showing the form again, made safe
// to display.
func echo(form url.Values, fields []string) map[string]string {
	out := map[string]string{}
	for _, f := range fields {
		if v := form.Get(f); v != "" {
			out[f] = sanitizeEcho(v)
		}
	}
	return out
}

// ReceiptView is the data of the receipt page.
type ReceiptView struct {
	Receipt
	AgencyName string
	CodeBits   int
}

func (s *Service) apply(w http.ResponseWriter, r *http.Request, snap *Snapshot) error {
	if r.Method != http.MethodPost {
		return s.render(w, r, &View{Page: "apply", TitleKey: "req_title_apply", Status: http.StatusOK, Data: s.applyForm(w, r, snap, nil, nil)})
	}
	if !s.guard(w, r, s.submit, maxFormBody) {
		return nil
	}
	nonce, err := s.o.Sealer.checkToken(r.PostForm.Get("token"), s.postedCookie(r), "apply", s.o.Now())
	if err != nil || len(r.PostForm["token"]) != 1 {
		s.log.Info("requests: form token refused", "err", err)
		return s.message(w, r, http.StatusForbidden, "req_msg_expired", "")
	}
	a, errs := validateApplication(r.PostForm, snap.Agencies)
	if len(errs) > 0 {
		return s.render(w, r, &View{Page: "apply", TitleKey: "req_title_apply_errors", Status: http.StatusUnprocessableEntity,
			Data: s.applyForm(w, r, snap, echo(r.PostForm, appFields), errs)})
	}
	cal, err := snap.Cal()
	if err != nil {
		return err
	}
	code := s.o.Sealer.trackingCode(nonce)
	raw, _ := parseCode(code)
	rc, err := s.o.Store.submitApplication(r.Context(), cal, a, submissionKey("apply", nonce), raw, s.o.Now())
	if err != nil {
		return err
	}
	rc.Code = code
	s.log.Info("requests: application received", "case", rc.CaseNo, "replayed", rc.Replayed)
	return s.render(w, r, &View{Page: "receipt", TitleKey: "req_title_receipt", Status: http.StatusOK,
		Data: &ReceiptView{Receipt: rc, AgencyName: snap.AgencyName(rc.Agency), CodeBits: CodeBits}})
}

// StatusView is the data of the status page: the lookup form and, after a
// lookup, what was found.
type StatusView struct {
	Code     string
	ErrorKey string // set when the code is malformed or unknown
	Found    *StatusInfo
}

// StatusInfo is a case's stage and dates, and nothing about the applicant.
type StatusInfo struct {
	CaseNo          string
	AgencyName      string
	Stage           string
	Received        time.Time
	Deadline        time.Time
	DeadlineSure    bool
	CorrectionUntil time.Time
	ExtendedDays    int
	ReplyType       string
	ReplyName       string
	Replied         time.Time
	Closed          time.Time
	Overdue         bool
	Steps           []StepInfo
}

// StepInfo is one step as the status page lists it.
type StepInfo struct {
	Kind     string
	On       time.Time
	Until    time.Time
	Days     int
	Deadline time.Time
}

func (s *Service) status(w http.ResponseWriter, r *http.Request, snap *Snapshot) error {
	if r.Method != http.MethodPost {
		return s.render(w, r, &View{Page: "status", TitleKey: "req_title_status", Status: http.StatusOK, Data: &StatusView{}})
	}
	if !s.guard(w, r, s.lookup, maxLookupBody) {
		return nil
	}
	typed := sanitizeEcho(r.PostForm.Get("code"))
	raw, ok := parseCode(r.PostForm.Get("code"))
	if !ok {
		return s.render(w, r, &View{Page: "status", TitleKey: "req_title_status", Status: http.StatusUnprocessableEntity,
			Data: &StatusView{Code: typed, ErrorKey: "req_err_code"}})
	}
	cal, err := snap.Cal()
	if err != nil {
		return err
	}
	st, err := s.o.Store.Lookup(r.Context(), cal, raw)
	if errors.Is(err, ErrNotFound) {
		return s.render(w, r, &View{Page: "status", TitleKey: "req_title_status", Status: http.StatusNotFound,
			Data: &StatusView{Code: typed, ErrorKey: "req_err_code_unknown"}})
	}
	if err != nil {
		return err
	}
	info := &StatusInfo{CaseNo: st.CaseNo, AgencyName: snap.AgencyName(st.Agency), Stage: st.State.Stage,
		Received: st.State.Received, Deadline: st.State.Deadline, DeadlineSure: st.State.DeadlineSure,
		CorrectionUntil: st.State.CorrectionUntil, ExtendedDays: st.State.ExtendedDays, ReplyType: st.State.ReplyType,
		ReplyName: ReplyTypeName(st.State.ReplyType), Replied: st.State.Replied, Closed: st.State.Closed,
		Overdue: st.State.Overdue(s.o.Now())}
	for _, step := range st.State.Steps {
		info.Steps = append(info.Steps, StepInfo{Kind: step.Kind, On: step.On, Until: step.Until, Days: step.Days, Deadline: step.Deadline})
	}
	return s.render(w, r, &View{Page: "status", TitleKey: "req_title_status", Status: http.StatusOK,
		Data: &StatusView{Code: encodeCode(raw), Found: info}})
}

// CommentForm is the data of a notice's comment form.
type CommentForm struct {
	Notice   NoticeInfo
	State    string // "open", "upcoming" or "closed" at the time of the request
	Token    string
	Values   map[string]string
	Errors   []FieldError
	ErrorFor map[string]*FieldError
	MaxLen   map[string]int
	Honeypot string
	// OptionalFields are the commenter's optional fields, for templates.
	OptionalFields []string
}

// CommentDone is the data of the page confirming a comment.
type CommentDone struct {
	Notice  NoticeInfo
	Receipt CommentReceipt
}

func (s *Service) comment(w http.ResponseWriter, r *http.Request, snap *Snapshot) error {
	n, ok := snap.Notice(r.PathValue("id"))
	if !ok {
		return s.message(w, r, http.StatusNotFound, "req_msg_no_notice", "")
	}
	now := s.o.Now()
	state := "open"
	if opens, _ := n.Window(); Day(now).Before(opens) {
		state = "upcoming"
	} else if !n.OpenAt(now) {
		state = "closed"
	}
	form := func(status int, values map[string]string, errs []FieldError) error {
		f := &CommentForm{Notice: n, State: state, Values: values, Errors: errs, ErrorFor: map[string]*FieldError{},
			MaxLen: maxLen, Honeypot: honeypot, OptionalFields: []string{"commenter", "contact"}}
		if f.Values == nil {
			f.Values = map[string]string{}
		}
		for i, e := range errs {
			f.ErrorFor[e.Field] = &errs[i]
		}
		if state == "open" {
			f.Token = s.o.Sealer.issueToken(s.formCookie(w, r), "comment:"+n.ID, now)
		}
		title := "req_title_comment"
		if len(errs) > 0 {
			title = "req_title_comment_errors"
		}
		return s.render(w, r, &View{Page: "comment", TitleKey: title, TitleArg: n.Title, Status: status, Data: f})
	}
	if r.Method != http.MethodPost {
		return form(http.StatusOK, nil, nil)
	}
	if !s.guard(w, r, s.submit, maxFormBody) {
		return nil
	}
	if state != "open" {
		// The window is computed now, not at build time: a form loaded
		// before the window closed is refused after it.
		return form(http.StatusForbidden, nil, nil)
	}
	nonce, err := s.o.Sealer.checkToken(r.PostForm.Get("token"), s.postedCookie(r), "comment:"+n.ID, now)
	if err != nil || len(r.PostForm["token"]) != 1 {
		return s.message(w, r, http.StatusForbidden, "req_msg_expired", "")
	}
	c, errs := validateComment(r.PostForm)
	if len(errs) > 0 {
		return form(http.StatusUnprocessableEntity, echo(r.PostForm, commentFields), errs)
	}
	c.Notice = n.ID
	rc, err := s.o.Store.submitComment(r.Context(), c, submissionKey("comment:"+n.ID, nonce), now)
	if err != nil {
		return err
	}
	s.log.Info("requests: comment received", "id", rc.ID, "notice", n.ID, "replayed", rc.Replayed)
	return s.render(w, r, &View{Page: "comment-done", TitleKey: "req_title_comment_done", TitleArg: n.Title, Status: http.StatusOK,
		Data: &CommentDone{Notice: n, Receipt: rc}})
}
