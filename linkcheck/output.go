package linkcheck

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Formats lists the output formats Write accepts.
var Formats = []string{"text", "json", "junit", "markdown", "csv", "html"}

// Write writes rep to w in format, one of Formats.
func Write(w io.Writer, rep *Report, format string) error {
	var err error
	switch format {
	case "text":
		err = writeText(w, rep)
	case "json":
		err = writeJSON(w, rep)
	case "junit":
		err = writeJUnit(w, rep)
	case "markdown", "md":
		err = writeMarkdown(w, rep)
	case "csv":
		err = writeCSV(w, rep)
	case "html":
		err = writeHTML(w, rep)
	default:
		return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return fmt.Errorf("write %s report: %w", format, err)
	}
	return nil
}

// pageGroup is the findings of one page.
type pageGroup struct {
	Page string
	// Aliases are the page's other addresses (Report.Aliases).
	Aliases  []string
	Home     bool
	Errors   int
	Warnings int
	Findings []Finding
}

// groups returns the findings by page, the home page first, then pages in
// order.
func groups(rep *Report) []pageGroup {
	var gs []pageGroup
	for _, f := range rep.Findings {
		if len(gs) == 0 || gs[len(gs)-1].Page != f.Page {
			gs = append(gs, pageGroup{Page: f.Page, Aliases: rep.Aliases[f.Page], Home: f.Page == rep.Home})
		}
		g := &gs[len(gs)-1]
		g.Findings = append(g.Findings, f)
		if f.Severity == Error {
			g.Errors++
		} else {
			g.Warnings++
		}
	}
	slices.SortStableFunc(gs, func(a, b pageGroup) int {
		if a.Home != b.Home {
			if a.Home {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Page, b.Page)
	})
	return gs
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func (g pageGroup) counts() string {
	s := plural(g.Errors, "error")
	if g.Warnings > 0 {
		s += ", " + plural(g.Warnings, "warning")
	}
	return s
}

// also names a page's other addresses, or "".
func (g pageGroup) also() string {
	if len(g.Aliases) == 0 {
		return ""
	}
	return " (also " + strings.Join(g.Aliases, ", ") + ")"
}

// since says since when a finding has been reported, when a history
// knows it.
func since(f Finding) string {
	switch {
	case f.FirstSeen == "":
		return ""
	case f.Runs <= 1:
		return "new on " + f.FirstSeen
	default:
		return fmt.Sprintf("since %s (%d runs)", f.FirstSeen, f.Runs)
	}
}

func writeText(w io.Writer, rep *Report) error {
	ew := &errWriter{w: w}
	ew.printf("linkcheck %s (%s)", rep.Target, rep.Mode)
	if rep.BaseURL != "" {
		ew.printf(", base URL %s", rep.BaseURL)
	}
	if rep.Date != "" {
		ew.printf(", %s", rep.Date)
	}
	ew.printf("\n%s, %s to %s checked, %d skipped",
		plural(rep.Stats.Pages, "page"), plural(rep.Stats.Links, "link"), plural(rep.Stats.Targets, "target"), rep.Stats.Skipped)
	if rep.Stats.Requests > 0 || rep.Stats.Cached > 0 {
		ew.printf(", %s, %d from cache", plural(rep.Stats.Requests, "HTTP request"), rep.Stats.Cached)
	}
	ew.printf("\n%s (broken links, 不可用链接), %s\n", plural(rep.Stats.Errors, "error"), plural(rep.Stats.Warnings, "warning"))
	if len(rep.Aliases) > 0 {
		ew.printf("%s reached under more than one address, each checked once\n", plural(len(rep.Aliases), "page"))
	}
	for _, g := range groups(rep) {
		if g.Home {
			ew.printf("\n*** Home page (首页) %s%s: %s; broken links on the home page: %d ***\n", g.Page, g.also(), g.counts(), g.Errors)
		} else {
			ew.printf("\n%s%s: %s\n", g.Page, g.also(), g.counts())
		}
		for _, f := range g.Findings {
			ew.printf("  %-7s %-12s %s", f.Severity, f.Kind, orDash(f.Target))
			if f.Line > 0 {
				ew.printf("  line %d", f.Line)
			}
			if f.Source != "" {
				ew.printf(", %s", f.Source)
			}
			ew.printf(": %s", f.Detail)
			if s := since(f); s != "" {
				ew.printf(" [%s]", s)
			}
			ew.printf("\n")
			if len(f.Redirects) > 0 {
				ew.printf("          chain: %s\n", strings.Join(f.Redirects, " -> "))
			}
		}
	}
	if ch := rep.Since; ch != nil {
		ew.printf("\nSince %s: %d new, %d fixed, %d still reported\n", ch.Previous, len(ch.New), len(ch.Fixed), len(rep.Findings)-len(ch.New))
		for _, f := range ch.New {
			ew.printf("  new    %-7s %-12s %s -> %s\n", f.Severity, f.Kind, f.Page, orDash(f.Target))
		}
		for _, f := range ch.Fixed {
			ew.printf("  fixed  %-7s %-12s %s -> %s", f.Severity, f.Kind, f.Page, orDash(f.Target))
			if f.FirstSeen != "" {
				ew.printf(" [reported %s to %s, %s]", f.FirstSeen, ch.previousDate(), plural(f.Runs, "run"))
			}
			ew.printf("\n")
		}
	}
	return ew.err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errWriter keeps the first write error so printing code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func writeJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

// writeCSV writes one row per finding. The file starts with a UTF-8 byte
// order mark, which spreadsheet programs (Excel, WPS) need to read Chinese
// text as UTF-8 rather than GBK.
func writeCSV(w io.Writer, rep *Report) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"severity", "kind", "page", "target", "line", "source", "status", "detail", "redirects", "first_seen", "runs", "page_also"})
	for _, f := range rep.Findings {
		line, status, runs := "", "", ""
		if f.Line > 0 {
			line = strconv.Itoa(f.Line)
		}
		if f.Status > 0 {
			status = strconv.Itoa(f.Status)
		}
		if f.Runs > 0 {
			runs = strconv.Itoa(f.Runs)
		}
		_ = cw.Write([]string{string(f.Severity), string(f.Kind), f.Page, f.Target, line, f.Source, status, f.Detail,
			strings.Join(f.Redirects, " -> "), f.FirstSeen, runs, strings.Join(rep.Aliases[f.Page], " ")})
	}
	cw.Flush()
	return cw.Error()
}

func writeMarkdown(w io.Writer, rep *Report) error {
	ew := &errWriter{w: w}
	ew.printf("# Link check report\n\n")
	ew.printf("| | |\n|---|---|\n")
	ew.printf("| Target | %s (%s) |\n", mdCell(rep.Target), rep.Mode)
	if rep.BaseURL != "" {
		ew.printf("| Base URL | %s |\n", mdCell(rep.BaseURL))
	}
	ew.printf("| Pages | %d |\n| Links | %d |\n| Targets | %d |\n| Skipped | %d |\n", rep.Stats.Pages, rep.Stats.Links, rep.Stats.Targets, rep.Stats.Skipped)
	ew.printf("| Errors (broken links) | %d |\n| Warnings | %d |\n", rep.Stats.Errors, rep.Stats.Warnings)
	if rep.Date != "" {
		ew.printf("| Date | %s |\n", rep.Date)
	}
	hist := rep.Date != ""
	for _, g := range groups(rep) {
		if g.Home {
			ew.printf("\n## Home page `%s`: %s\n\n", g.Page, g.counts())
		} else {
			ew.printf("\n## `%s`: %s\n\n", g.Page, g.counts())
		}
		if len(g.Aliases) > 0 {
			ew.printf("Also reached as")
			for i, a := range g.Aliases {
				if i > 0 {
					ew.printf(",")
				}
				ew.printf(" %s", mdCell(a))
			}
			ew.printf(".\n\n")
		}
		if hist {
			ew.printf("| Severity | Kind | Target | Line | Source | Detail | Since |\n|---|---|---|---|---|---|---|\n")
		} else {
			ew.printf("| Severity | Kind | Target | Line | Source | Detail |\n|---|---|---|---|---|---|\n")
		}
		for _, f := range g.Findings {
			line := ""
			if f.Line > 0 {
				line = strconv.Itoa(f.Line)
			}
			detail := f.Detail
			if len(f.Redirects) > 0 {
				detail += " (" + strings.Join(f.Redirects, " → ") + ")"
			}
			ew.printf("| %s | %s | %s | %s | %s | %s |", f.Severity, f.Kind, mdCell(f.Target), line, mdCell(f.Source), mdCell(detail))
			if hist {
				ew.printf(" %s |", since(f))
			}
			ew.printf("\n")
		}
	}
	if ch := rep.Since; ch != nil {
		ew.printf("\n## Since %s: %d new, %d fixed, %d still reported\n\n", mdCell(ch.Previous), len(ch.New), len(ch.Fixed), len(rep.Findings)-len(ch.New))
		ew.printf("| Change | Severity | Kind | Page | Target | Reported |\n|---|---|---|---|---|---|\n")
		for _, f := range ch.New {
			ew.printf("| new | %s | %s | %s | %s |  |\n", f.Severity, f.Kind, mdCell(f.Page), mdCell(f.Target))
		}
		for _, f := range ch.Fixed {
			ew.printf("| fixed | %s | %s | %s | %s | %s |\n", f.Severity, f.Kind, mdCell(f.Page), mdCell(f.Target), ch.FixedSpan(f))
		}
	}
	return ew.err
}

// mdCell makes s safe inside a Markdown table cell: a code span, where
// HTML is inert, with pipes escaped as GitHub tables require.
func mdCell(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("|", `\|`, "\n", " ", "`", "'").Replace(s)
	return "`" + s + "`"
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Type    string `xml:"type,attr"`
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes one test suite per page with findings and one test
// case per finding; errors fail, warnings pass with their text in
// system-out. A clean site gets a single passing case.
func writeJUnit(w io.Writer, rep *Report) error {
	out := junitSuites{Name: "linkcheck " + rep.Target}
	for _, g := range groups(rep) {
		s := junitSuite{Name: g.Page}
		for _, f := range g.Findings {
			c := junitCase{Classname: g.Page, Name: string(f.Kind) + " " + orDash(f.Target)}
			text := fmt.Sprintf("%s %s %s", f.Severity, f.Kind, orDash(f.Target))
			if f.Line > 0 {
				text += fmt.Sprintf(" (line %d, %s)", f.Line, f.Source)
			}
			text += ": " + f.Detail
			if s := since(f); s != "" {
				text += " [" + s + "]"
			}
			if len(f.Redirects) > 0 {
				text += "\nchain: " + strings.Join(f.Redirects, " -> ")
			}
			if f.Severity == Error {
				c.Failure = &junitFailure{Type: string(f.Kind), Message: f.Detail, Text: text}
				s.Failures++
			} else {
				c.SystemOut = text
			}
			s.Cases = append(s.Cases, c)
		}
		s.Tests = len(s.Cases)
		out.Suites = append(out.Suites, s)
	}
	if len(out.Suites) == 0 {
		out.Suites = []junitSuite{{Name: "linkcheck", Tests: 1, Cases: []junitCase{{
			Classname: "linkcheck",
			Name:      fmt.Sprintf("%s, %s: no broken links", plural(rep.Stats.Pages, "page"), plural(rep.Stats.Links, "link")),
		}}}}
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// htmlReport is a single self-contained page: inline CSS, no script, no
// image, no font, nothing fetched, so it can be attached to a record.
var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"join":  strings.Join,
	"since": since,
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>链接检查报告 Link check report: {{.Rep.Target}}</title>
<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;line-height:1.5;color:#1a1a1a;background:#fff}
h1{font-size:1.6rem;border-bottom:3px solid #b71c1c;padding-bottom:.4rem}
h2{font-size:1.2rem;margin-top:2rem}
h2.home{background:#fdecea;border-left:6px solid #b71c1c;padding:.4rem .6rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;white-space:nowrap}
td code,.chain{overflow-wrap:anywhere}
td.sev,td.kind{white-space:nowrap}
.summary td:first-child{width:14rem;font-weight:bold}
.error td.sev{color:#fff;background:#b71c1c;font-weight:bold}
.warning td.sev{background:#fff3cd}
.chain{color:#555;font-size:.85rem}
code{font-family:"Noto Sans Mono CJK SC",monospace}
.ok{color:#1b5e20;font-weight:bold}
</style>
</head>
<body>
<h1>链接检查报告 / Link check report</h1>
<table class="summary">
<tr><td>检查对象 Target</td><td><code>{{.Rep.Target}}</code> ({{.Rep.Mode}})</td></tr>
{{- if .Rep.BaseURL}}
<tr><td>网站地址 Base URL</td><td><code>{{.Rep.BaseURL}}</code></td></tr>
{{- end}}
<tr><td>页面 Pages</td><td>{{.Rep.Stats.Pages}}</td></tr>
<tr><td>链接 Links</td><td>{{.Rep.Stats.Links}} ({{.Rep.Stats.Targets}} targets, {{.Rep.Stats.Skipped}} skipped)</td></tr>
<tr><td>不可用链接 Errors</td><td>{{.Rep.Stats.Errors}}</td></tr>
<tr><td>警告 Warnings</td><td>{{.Rep.Stats.Warnings}}</td></tr>
{{- if .Rep.Date}}
<tr><td>检查日期 Date</td><td>{{.Rep.Date}}</td></tr>
{{- end}}
</table>
{{- if not .Groups}}
<p class="ok">未发现不可用链接。No broken links found.</p>
{{- end}}
{{- range .Groups}}
{{- if .Home}}
<h2 class="home" id="home">首页 Home page <code>{{.Page}}</code>: 不可用链接 {{.Errors}} 个 ({{.Counts}})</h2>
{{- else}}
<h2><code>{{.Page}}</code>: {{.Counts}}</h2>
{{- end}}
{{- with .Aliases}}
<p>其他地址 Also reached as:{{range $i, $a := .}}{{if $i}},{{end}} <code>{{$a}}</code>{{end}}</p>
{{- end}}
<table>
<tr><th>级别 Severity</th><th>类型 Kind</th><th>链接 Target</th><th>行 Line</th><th>位置 Source</th><th>说明 Detail</th>{{if $.Hist}}<th>发现时间 Since</th>{{end}}</tr>
{{- range .Findings}}
<tr class="{{.Severity}}"><td class="sev">{{.Severity}}</td><td class="kind">{{.Kind}}</td><td><code>{{.Target}}</code></td><td>{{if .Line}}{{.Line}}{{end}}</td><td>{{.Source}}</td><td>{{.Detail}}{{if .Redirects}}<div class="chain">{{join .Redirects " → "}}</div>{{end}}</td>{{if $.Hist}}<td>{{since .}}</td>{{end}}</tr>
{{- end}}
</table>
{{- end}}
{{- with .Rep.Since}}
<h2>与上次检查比较 Since {{.Previous}}: 新增 {{len .New}} new, 已修复 {{len .Fixed}} fixed, 仍存在 {{$.Still}} still reported</h2>
<table>
<tr><th>变化 Change</th><th>级别 Severity</th><th>类型 Kind</th><th>页面 Page</th><th>链接 Target</th><th>报告期间 Reported</th></tr>
{{- range .New}}
<tr class="{{.Severity}}"><td>新增 new</td><td class="sev">{{.Severity}}</td><td>{{.Kind}}</td><td><code>{{.Page}}</code></td><td><code>{{.Target}}</code></td><td></td></tr>
{{- end}}
{{- range .Fixed}}
<tr><td>已修复 fixed</td><td>{{.Severity}}</td><td>{{.Kind}}</td><td><code>{{.Page}}</code></td><td><code>{{.Target}}</code></td><td>{{$.Rep.Since.FixedSpan .}}</td></tr>
{{- end}}
</table>
{{- end}}
</body>
</html>
`))

type htmlGroup struct {
	pageGroup
	Counts string
}

func writeHTML(w io.Writer, rep *Report) error {
	var gs []htmlGroup
	for _, g := range groups(rep) {
		gs = append(gs, htmlGroup{g, g.counts()})
	}
	still := 0
	if rep.Since != nil {
		still = len(rep.Findings) - len(rep.Since.New)
	}
	return htmlReport.Execute(w, struct {
		Rep    *Report
		Groups []htmlGroup
		Hist   bool
		Still  int
	}{rep, gs, rep.Date != "", still})
}
