package generator

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// golden compares got with testdata/golden/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", name, diff)
	}
}

func TestFlowChartGolden(t *testing.T) {
	steps := []FlowStep{
		{Title: "受理", Lines: []string{"办理人员：综合受理窗口", "办理时限：即办"}, Detail: "核对申请材料是否齐全、符合法定形式"},
		{Title: "审查（含现场核查、专家评审和公示等需要较长名称的环节）", Lines: []string{"办理人员：审批科", "办理时限：3 个工作日"}},
		{Title: "决定 & <送达>", Lines: []string{"办理人员：分管负责人", "办理时限：1 个工作日"}},
	}
	got := FlowChart("flow", "建筑工程施工许可办理流程图", "申请人提出申请", "办结", steps)
	golden(t, "flowchart.html", []byte(got+"\n"))

	d, err := goquery.NewDocumentFromReader(strings.NewReader(string(got)))
	if err != nil {
		t.Fatal(err)
	}
	svg := d.Find("svg")
	for attr, want := range map[string]string{"role": "img", "aria-labelledby": "flow-title", "aria-describedby": "flow-steps", "width": "320"} {
		if got := svg.AttrOr(attr, ""); got != want {
			t.Errorf("svg %s = %q, want %q", attr, got, want)
		}
	}
	if got := d.Find("title#flow-title").Text(); got != "建筑工程施工许可办理流程图" {
		t.Errorf("title = %q", got)
	}
	if got := d.Find("ol#flow-steps > li").Length(); got != len(steps) {
		t.Errorf("text alternative has %d items, want %d", got, len(steps))
	}
	if !strings.Contains(string(got), "决定 &amp; &lt;送达&gt;") {
		t.Error("step titles are not escaped")
	}
	// The long title wraps inside its box: no line of text is wider than
	// the box's inner width (304 - 2×12 units).
	d.Find("svg text").Each(func(_ int, s *goquery.Selection) {
		size := 13
		if s.AttrOr("font-size", "") == "15" {
			size = 15
		}
		if w := textWidth(s.Text(), size); w > 280 {
			t.Errorf("text %q is %d units wide, more than 280", s.Text(), w)
		}
	})
	if strings.Contains(string(got), "style=") {
		t.Error("the SVG uses a style attribute, which the content security policy forbids")
	}
}

func TestBarChart(t *testing.T) {
	got := BarChart("c", "第三季度按领域受理情况", "by-field", []string{"受理量", "按期办结量"}, []BarRow{
		{Label: "城乡建设", Values: []int{300, 290}},
		{Label: "市场监管", Values: []int{150, 0}},
	})
	golden(t, "barchart.html", []byte(got+"\n"))
	d, err := goquery.NewDocumentFromReader(strings.NewReader(string(got)))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Find("svg").AttrOr("aria-describedby", ""); got != "by-field" {
		t.Errorf("aria-describedby = %q", got)
	}
	// Legend (2) + bars with a value above zero (3).
	if got := d.Find("svg rect").Length(); got != 5 {
		t.Errorf("rects = %d, want 5", got)
	}
	widths := d.Find("svg > g > rect").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("width", "") })
	if diff := cmp.Diff([]string{"14", "14", "248", "239", "124"}, widths); diff != "" {
		t.Errorf("bar widths (-want +got):\n%s", diff)
	}
}

func TestWrapText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		width int
		want  []string
	}{
		{"fits", "受理", 100, []string{"受理"}},
		{"chinese breaks anywhere", "一二三四五六七", 40, []string{"一二三四", "五六七"}},
		{"latin word kept whole", "审查 ABCDEFG", 60, []string{"审查", "ABCDEFG"}},
		{"long latin word split", "ABCDEFGHIJKLMNOPQRST", 60, []string{"ABCDEFGHIJ", "KLMNOPQRST"}},
		{"spaces collapse", "  a   b  ", 100, []string{"a b"}},
		{"empty", "", 100, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := wrapText(tc.in, tc.width, 10); !cmp.Equal(got, tc.want) {
				t.Errorf("wrapText(%q, %d, 10) = %q, want %q", tc.in, tc.width, got, tc.want)
			}
		})
	}
}

func FuzzWrapText(f *testing.F) {
	for _, s := range []string{"受理", "审查 ABCDEFG", "  a   b  ", "《中华人民共和国行政许可法》第三十条"} {
		f.Add(s, 100)
	}
	f.Fuzz(func(t *testing.T, s string, width int) {
		if width < 20 || width > 2000 {
			return
		}
		for _, l := range wrapText(s, width, 10) {
			if l == "" {
				t.Errorf("wrapText(%q, %d) has an empty line", s, width)
			}
			// A line may overflow only when it is a single character.
			if textWidth(l, 10) > width+1 && len([]rune(l)) > 1 {
				t.Errorf("wrapText(%q, %d): line %q is %d wide", s, width, l, textWidth(l, 10))
			}
		}
	})
}

func BenchmarkFlowChart(b *testing.B) {
	steps := make([]FlowStep, 8)
	for i := range steps {
		steps[i] = FlowStep{Title: "审查（含现场核查和专家评审）", Lines: []string{"办理人员：市住房和城乡建设局行政审批科经办人", "办理时限：3 个工作日"}, Detail: "对申请材料的实质内容进行审查"}
	}
	for b.Loop() {
		FlowChart("flow", "建筑工程施工许可办理流程图", "申请人提出申请", "办结", steps)
	}
}

// BenchmarkServicesBuild loads and renders the service-disclosure test site.
func BenchmarkServicesBuild(b *testing.B) {
	fsys := siteFS(b, "services.txtar")
	th := theme(b)
	for b.Loop() {
		c, err := Load(context.Background(), fsys, svcDate)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Render(context.Background(), c, Options{Out: b.TempDir(), Theme: th}); err != nil {
			b.Fatal(err)
		}
	}
}
