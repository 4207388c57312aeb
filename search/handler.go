package search

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// HandlerOptions configures NewHandler.
type HandlerOptions struct {
	// Index returns the index to search and a function to call when the
	// request is done with it. It is called once per request, so a server
	// can switch to a rebuilt index without restarting (see Holder). A nil
	// index makes the service answer 503.
	Index func() (ix *Index, release func())
	// RenderHTML writes the results page for GET /search. When nil, a
	// minimal built-in page is used.
	RenderHTML func(w io.Writer, r *http.Request, resp *Response) error
	// SiteName and BaseURL (absolute, without a trailing slash, e.g.
	// "https://www.example.gov.cn") describe the site in /opensearch.xml.
	SiteName string
	BaseURL  string
	// Prefix is the path the site is served under, without a trailing
	// slash ("/zfxxgk"; empty at the root of the host). The handler itself
	// answers on PathSearch and PathAPI (strip the prefix in front of it);
	// every URL in its responses carries the prefix: result links (document
	// IDs are site paths), paging, sorting and facet links.
	Prefix string
	// Notes returns the note shown with the result of document id, or nil
	// (an interpretation whose document was repealed says so).
	Notes func(id string) *Note
	// Logger receives server errors; nil discards them.
	Logger *slog.Logger
	// Timeout bounds one search (default 5 seconds).
	Timeout time.Duration
	// FacetLimit caps the values listed per facet (default 20).
	FacetLimit int
	// UnavailableText is the message of a 503 answer (the theme's
	// search_unavailable); empty uses a built-in Chinese one.
	UnavailableText string
}

// Paths served by NewHandler.
const (
	PathSearch     = "/search"
	PathAPI        = "/api/search"
	PathOpenSearch = "/opensearch.xml"
)

// errUnavailable is returned when there is no index to search.
var errUnavailable = errors.New("search index not available")

// NewHandler returns the search service: GET /search renders an HTML results
// page, GET /api/search returns the same response as JSON, and GET
// /opensearch.xml describes the search for browsers. It works without
// JavaScript and never answers a malformed query with an error status.
func NewHandler(opts HandlerOptions) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	h := &handler{opts: opts}
	mux := http.NewServeMux()
	mux.Handle("GET "+PathSearch, h.adapt(h.serveHTML))
	mux.Handle("GET "+PathAPI, h.adapt(h.serveJSON))
	mux.Handle("GET "+PathOpenSearch, h.adapt(h.serveOpenSearch))
	return mux
}

type handler struct {
	opts HandlerOptions
}

// adapt turns a handler that returns an error into an http.Handler: input
// never produces errors, so an error here is the server's (503 when the index
// is missing or the search timed out, 500 otherwise).
func (h *handler) adapt(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		err := fn(w, r)
		if err == nil {
			return
		}
		code := http.StatusInternalServerError
		switch {
		case errors.Is(err, errUnavailable), errors.Is(err, context.DeadlineExceeded):
			code = http.StatusServiceUnavailable
		case errors.Is(err, context.Canceled):
			return // the client went away
		}
		if code == http.StatusInternalServerError {
			h.opts.Logger.Error("search request failed", "path", r.URL.Path, "err", err)
		}
		msg := cmp.Or(h.opts.UnavailableText, "检索服务暂时不可用，请稍后再试。")
		if strings.HasPrefix(r.URL.Path, PathAPI) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(code)
			json.NewEncoder(w).Encode(map[string]string{"error": msg})
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(code)
		fmt.Fprintf(w, "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>检索</title><p>%s</p></html>\n",
			template.HTMLEscapeString(msg))
	})
}

// search runs the request's query against the current index.
func (h *handler) search(r *http.Request, base string) (*Response, error) {
	if h.opts.Index == nil {
		return nil, errUnavailable
	}
	ix, release := h.opts.Index()
	if release != nil {
		defer release()
	}
	if ix == nil {
		return nil, errUnavailable
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.Timeout)
	defer cancel()
	resp, err := ix.SearchWith(ctx, ParseRequest(r.URL.Query()), SearchOptions{BasePath: h.opts.Prefix + base, FacetLimit: h.opts.FacetLimit})
	if resp != nil {
		for i := range resp.Results {
			res := &resp.Results[i]
			if u := res.URL; strings.HasPrefix(u, "/") {
				res.URL = h.opts.Prefix + u
			}
			if h.opts.Notes != nil {
				res.Note = h.opts.Notes(res.ID)
			}
		}
	}
	return resp, err
}

// Note is a notice shown with a search result, with links (URLs ready to
// use).
type Note struct {
	Text  string     `json:"text"`
	Links []NoteLink `json:"links,omitempty"`
}

// NoteLink is one link of a Note.
type NoteLink struct {
	Label string `json:"label"` // what the link is, e.g. 替代文件
	Title string `json:"title"`
	URL   string `json:"url"`
}

func (h *handler) serveHTML(w http.ResponseWriter, r *http.Request) error {
	resp, err := h.search(r, PathSearch)
	if err != nil {
		return err
	}
	render := h.opts.RenderHTML
	if render == nil {
		render = renderBuiltin
	}
	var buf bytes.Buffer
	if err := render(&buf, r, resp); err != nil {
		return fmt.Errorf("render search page: %w", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, err = w.Write(buf.Bytes())
	return err
}

func (h *handler) serveJSON(w http.ResponseWriter, r *http.Request) error {
	resp, err := h.search(r, PathAPI)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // served as JSON with nosniff: keep & and <mark> readable
	if err := enc.Encode(resp); err != nil {
		return fmt.Errorf("encode search response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, err = w.Write(buf.Bytes())
	return err
}

func (h *handler) serveOpenSearch(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/opensearchdescription+xml; charset=utf-8")
	_, err := w.Write(OpenSearchXML(h.opts.SiteName, h.opts.BaseURL))
	return err
}

// OpenSearchXML returns the OpenSearch description document of the site's
// search, served at /opensearch.xml. baseURL is the site's absolute URL,
// base path included ("https://www.example.gov.cn/zfxxgk"). The Url
// elements carry no method attribute: OpenSearch 1.1 has none (GET is
// implied).
func OpenSearchXML(siteName, baseURL string) []byte {
	baseURL = strings.TrimRight(baseURL, "/")
	if siteName == "" {
		siteName = "政府信息公开"
	}
	short := siteName
	if utf8.RuneCountInString(short) > 16 { // the limit the specification sets
		short = string([]rune(short)[:16])
	}
	type link struct {
		Type     string `xml:"type,attr"`
		Rel      string `xml:"rel,attr,omitempty"`
		Template string `xml:"template,attr"`
	}
	doc := struct {
		XMLName       xml.Name `xml:"http://a9.com/-/spec/opensearch/1.1/ OpenSearchDescription"`
		ShortName     string   `xml:"ShortName"`
		Description   string   `xml:"Description"`
		InputEncoding string   `xml:"InputEncoding"`
		Language      string   `xml:"Language"`
		URLs          []link   `xml:"Url"`
	}{
		ShortName:     short,
		Description:   siteName + "信息检索",
		InputEncoding: "UTF-8",
		Language:      "zh-CN",
		URLs: []link{
			{Type: "text/html", Template: baseURL + PathSearch + "?q={searchTerms}&page={startPage?}"},
			{Type: "application/json", Template: baseURL + PathAPI + "?q={searchTerms}&page={startPage?}"},
			{Type: "application/opensearchdescription+xml", Rel: "self", Template: baseURL + PathOpenSearch},
		},
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // the document is static in shape; marshalling cannot fail
	}
	return append([]byte(xml.Header), append(b, '\n')...)
}

// renderBuiltin renders the minimal built-in results page.
func renderBuiltin(w io.Writer, _ *http.Request, resp *Response) error {
	return builtinPage.Execute(w, resp)
}

var builtinPage = template.Must(template.New("search").Parse(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Query}}{{.Query}} - {{end}}信息检索</title>
<link rel="search" type="application/opensearchdescription+xml" href="/opensearch.xml" title="信息检索">
<style>
body{font:16px/1.6 sans-serif;max-width:60rem;margin:0 auto;padding:1rem}
mark{background:#ff0;color:inherit}.meta{color:#555;font-size:.9em}
nav ul,aside ul{list-style:none;padding:0}nav li{display:inline;margin-right:.5em}
.layout{display:flex;gap:2rem}aside{min-width:12rem}main{flex:1}
</style>
</head>
<body>
<form role="search" action="/search" method="get">
<label for="q">检索</label>
<input id="q" name="q" type="search" value="{{.Query}}" maxlength="200">
{{range .Filters}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}
{{if eq .Sort "date"}}<input type="hidden" name="sort" value="date">{{end}}
<button type="submit">搜索</button>
</form>
{{range .Messages}}<p class="message" role="status">{{.Text}}{{range .Links}} <a href="{{.URL}}">{{.Label}}</a>{{end}}</p>{{end}}
{{if .Filters}}<p>筛选：{{range .Filters}}{{.Label}}：{{.ValueLabel}} <a href="{{.RemoveURL}}" aria-label="去掉{{.ValueLabel}}">×</a> {{end}}</p>{{end}}
<div class="layout">
<main>
<p>共 {{.Total}} 条结果{{if .Pages}}，第 {{.Page}}/{{.Pages}} 页{{end}}
{{range .Sorts}} {{if .Active}}<strong>{{.Label}}</strong>{{else}}<a href="{{.URL}}">{{.Label}}</a>{{end}}{{end}}</p>
<ol class="results">
{{range .Results}}<li>
<h2><a href="{{.URL}}">{{.TitleHTML}}</a></h2>
<p class="meta">{{.KindLabel}}{{if .DocNo}} · {{.DocNo}}{{end}}{{range .Agencies}} · {{.}}{{end}}{{if .DateText}} · <time datetime="{{.DateText}}">{{.DateText}}</time>{{end}}{{if .Validity}} · {{.Validity}}{{end}}</p>
<p>{{.Snippet}}</p>
</li>
{{end}}</ol>
{{if .PageLinks}}<nav aria-label="分页"><ul>
{{if .PrevURL}}<li><a href="{{.PrevURL}}" rel="prev">上一页</a></li>{{end}}
{{range .PageLinks}}<li>{{if .Current}}<strong aria-current="page">{{.Page}}</strong>{{else}}<a href="{{.URL}}">{{.Page}}</a>{{end}}</li>{{end}}
{{if .NextURL}}<li><a href="{{.NextURL}}" rel="next">下一页</a></li>{{end}}
</ul></nav>{{end}}
</main>
<aside>
{{range .Facets}}<section><h3>{{.Label}}</h3><ul>
{{range .Values}}<li>{{if .Active}}<strong>{{.Label}}</strong> ({{.Count}}) <a href="{{.URL}}">×</a>{{else}}<a href="{{.URL}}">{{.Label}}</a> ({{.Count}}){{end}}</li>
{{end}}</ul>{{if .More}}<p>另有 {{.More}} 项</p>{{end}}</section>
{{end}}
</aside>
</div>
</body>
</html>
`))
