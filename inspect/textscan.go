package inspect

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// textScanner runs the text rules (personal data, wording, dangling
// references) over the published texts of one record.
type textScanner struct {
	site  *Site
	words *wordList
	names map[string]bool
	c     *collector
}

// scan checks text, whose first line is line firstLine of path.
func (ts *textScanner) scan(path string, firstLine int, text string) {
	ts.scanAt(path, text, func(off int) string {
		return strconv.Itoa(firstLine + strings.Count(text[:off], "\n"))
	})
}

// scanAt checks text, placing a finding at byte offset off with loc.
func (ts *textScanner) scanAt(path, text string, loc func(off int) string) {
	c := ts.c
	piiOn := c.on("PII-ID") || c.on("PII-MOBILE") || c.on("PII-BANKCARD")
	if piiOn {
		for _, m := range findPersonalData(text) {
			if reason, ok := ts.site.Config.Allow[m.Value]; ok && reason != "" {
				continue
			}
			c.add(Finding{Rule: m.Rule, Path: path, Loc: loc(m.Start),
				Message: m.What + " " + m.Shown + " is personal data; remove or mask it, or allow-list the exact value with a reason in inspection.allow"})
		}
	}
	for _, h := range ts.words.find(text) {
		e := h.e
		var msg string
		switch e.rule {
		case "WORD-TYPO":
			msg = strconv.Quote(e.wrong) + " → " + strconv.Quote(e.right)
		case "WORD-SENSITIVE":
			msg = strconv.Quote(e.wrong) + " is on the site's list of words never to publish"
		case "WORD-FORM":
			msg = strconv.Quote(e.wrong) + " → " + strconv.Quote(e.right) + " (规范表述)"
		}
		c.add(Finding{Rule: e.rule, Path: path, Loc: loc(h.start), Message: msg})
	}
	if c.on("REF-COLUMN") {
		for _, ref := range findColumnRefs(text, ts.site.Name) {
			if !ts.resolves(ref.name) {
				c.add(Finding{Rule: "REF-COLUMN", Path: path, Loc: loc(ref.start),
					Message: "refers to the column " + strconv.Quote(ref.name) + " of this site, which does not exist"})
			}
		}
	}
}

// resolves reports whether a column name used in text names a part of this
// site. A path such as 政民互动—意见征集 resolves when every part does.
func (ts *textScanner) resolves(name string) bool {
	if ts.names[name] {
		return true
	}
	parts := strings.FieldsFunc(name, func(r rune) bool { return strings.ContainsRune(pathSeparators, r) })
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if !ts.names[strings.TrimSpace(p)] {
			return false
		}
	}
	return true
}

const pathSeparators = "—-－–>＞/／·・|｜"

type columnRef struct {
	name  string
	start int
}

// qualifiers say that the column named next belongs to this site.
var qualifiers = []string{"本平台", "本网站", "本门户", "本网", "本站"}

var (
	quotedRefRE   = regexp.MustCompile(`[“"‘'「『《]([^”"’'」』》\n]{1,40})[”"’'」』》]\s*(?:栏目|专栏|频道|板块|版块|子栏目)`)
	unquotedRefRE = regexp.MustCompile(`(本平台|本网站|本门户|本网|本站)(?:的)?(\p{Han}{2,10}?)(?:栏目|专栏|频道|板块|版块)`)
	genericNames  = map[string]bool{"相关": true, "有关": true, "对应": true, "专门": true, "指定": true, "各": true, "其他": true, "相应": true, "首页相关": true}
)

// findColumnRefs finds references to a column of this site by name: a
// quoted name followed by 栏目 (or 专栏, 频道, 板块) and preceded, within
// a few characters, by 本平台/本网站/本站 or the site's own name; or
// 本平台XX栏目 without quotes.
func findColumnRefs(text, siteName string) []columnRef {
	if !strings.Contains(text, "栏目") && !strings.Contains(text, "专栏") && !strings.Contains(text, "频道") &&
		!strings.Contains(text, "板块") && !strings.Contains(text, "版块") {
		return nil
	}
	var out []columnRef
	for _, m := range quotedRefRE.FindAllStringSubmatchIndex(text, -1) {
		// Look at the few runes before the opening quote: room for a
		// qualifier and a verb, or for the site's own name.
		window := 12 + utf8.RuneCountInString(siteName)
		before := text[max(0, m[0]-4*window):m[0]]
		if n := utf8.RuneCountInString(before); n > window {
			_, after, _ := cutRunes(before, n-window)
			before = after
		}
		// …within the same sentence.
		if i := strings.LastIndexAny(before, "\n。；！？"); i >= 0 {
			before = before[i:]
		}
		ours := siteName != "" && strings.Contains(before, siteName)
		for _, q := range qualifiers {
			if strings.Contains(before, q) {
				ours = true
			}
		}
		if !ours {
			continue
		}
		out = append(out, columnRef{name: strings.TrimSpace(text[m[2]:m[3]]), start: m[0]})
	}
	for _, m := range unquotedRefRE.FindAllStringSubmatchIndex(text, -1) {
		name := text[m[4]:m[5]]
		// Without quotes only a bare name counts: 本站公布的信息可在政策文件栏目
		// is a sentence, not a name.
		if genericNames[name] || strings.ContainsAny(name, "的在可请及和等与或中上下内里有是为将已于从向到") {
			continue
		}
		out = append(out, columnRef{name: name, start: m[0]})
	}
	return out
}

// cutRunes splits s after n runes.
func cutRunes(s string, n int) (string, string, bool) {
	i := 0
	for k := range s {
		if i == n {
			return s[:k], s[k:], true
		}
		i++
	}
	return s, "", false
}
