package generator

import "testing"

func TestMainText(t *testing.T) {
	page := []byte(`<html><nav>导航</nav><main id="main"><h1>年度报告</h1><table><caption>表三</caption>` +
		`<tr><th>4.无正当理由大量反复申请</th><td>2</td></tr></table><p>政策<a href="/x">文件</a>&amp;解读</p>` +
		`<script>var x = "脚本";</script><svg><text>受理</text></svg></main><footer>页脚</footer></html>`)
	got := mainText(page)
	want := "\n年度报告\n\n\n表三\n\n\n4.无正当理由大量反复申请\n\n2\n\n\n\n政策文件&解读\n\n受理\n"
	if got != want {
		t.Errorf("mainText = %q, want %q", got, want)
	}
}
