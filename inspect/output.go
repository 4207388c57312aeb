package inspect

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// Formats are the report formats Write knows.
var Formats = []string{"text", "json", "html"}

// Write writes the report in the given format.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "text":
		return r.writeText(w)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	case "html":
		return htmlReport.Execute(w, r)
	}
	return fmt.Errorf("unknown report format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// Summary returns the one-line summary of the report.
func (r *Report) Summary() string {
	ran := 0
	for _, rr := range r.Rules {
		if rr.Ran && rr.ID != "CONFIG" && rr.ID != "CONTENT" {
			ran++
		}
	}
	return fmt.Sprintf("inspection at %s: %d errors, %d warnings (%d rules, %d records, %d attachments read)",
		day(r.Date), r.Errors(), r.Warnings(), ran, r.Stats.Records, r.Stats.Attachments)
}

func (r *Report) writeText(w io.Writer) error {
	for _, f := range r.Findings {
		if _, err := fmt.Fprintln(w, f.String()); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, r.Summary())
	return err
}

// Items returns the findings of one rule.
func (r *Report) Items(id string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Rule == id {
			out = append(out, f)
		}
	}
	return out
}

var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"day": day,
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Site}} 网站检查报告 {{day .Date}}</title>
<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;line-height:1.6;color:#1a1a1a}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}.error{color:#a40000;font-weight:bold}.warning{color:#7a5200}.ok{color:#1d6b2f}
.src{font-size:.9rem;color:#444}code{font-family:monospace;word-break:break-all}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}}
</style>
</head>
<body>
<h1>{{.Site}} 网站检查报告</h1>
<p>检查日期：{{day .Date}}。错误 <span class="error">{{.Errors}}</span> 项，警告 <span class="warning">{{.Warnings}}</span> 项；检查记录 {{.Stats.Records}} 条、栏目 {{.Stats.Columns}} 个、附件 {{.Stats.Attachments}} 个。</p>
<h2>汇总</h2>
<table>
<thead><tr><th scope="col">规则</th><th scope="col">名称</th><th scope="col">级别</th><th scope="col">数量</th></tr></thead>
<tbody>
{{range .Rules}}<tr><td><a href="#{{.ID}}"><code>{{.ID}}</code></a></td><td>{{.Title}}</td><td>{{if eq .Severity "off"}}未启用{{else if not .Ran}}未运行{{else if eq .Severity "error"}}错误{{else}}警告{{end}}</td><td>{{if .Ran}}{{if .Count}}<span class="{{.Severity}}">{{.Count}}</span>{{else}}<span class="ok">0</span>{{end}}{{else}}—{{end}}</td></tr>
{{end}}</tbody>
</table>
{{range .Rules}}{{$items := $.Items .ID}}
<section id="{{.ID}}">
<h2><code>{{.ID}}</code> {{.Title}}（{{if .Ran}}{{len $items}} 项{{else}}未运行{{end}}）</h2>
<p>{{.Check}}</p>
<p class="src">依据：{{.Source}}</p>
{{if $items}}<table>
<thead><tr><th scope="col">位置</th><th scope="col">级别</th><th scope="col">问题</th></tr></thead>
<tbody>
{{range $items}}<tr><td><code>{{.Where}}</code></td><td class="{{.Severity}}">{{if eq .Severity "error"}}错误{{else}}警告{{end}}</td><td>{{.Message}}</td></tr>
{{end}}</tbody>
</table>{{end}}
</section>
{{end}}
{{if .Scheduled}}<h2>定时发布（检查日期后发布，未计入已发布信息）</h2>
<ul>{{range .Scheduled}}<li><code>{{.Path}}</code> {{day .Date}}</li>
{{end}}</ul>{{end}}
{{if .Unscanned}}<h2>未能读取文字的附件（个人信息和文字规则未覆盖，需人工检查）</h2>
<ul>{{range .Unscanned}}<li><code>{{.}}</code></li>
{{end}}</ul>{{end}}
<h2>机器无法检查的事项</h2>
<p>图片和 PDF 附件中的文字、表述是否准确、信息是否应当公开、发布日期是否与实际发布时间一致（本检查只能发现相互矛盾的日期）、互动栏目是否及时回应、网站是否可以访问，均需人工检查。</p>
</body>
</html>
`))
