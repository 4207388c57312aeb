// Package personname masks the names of natural persons for publication,
// as the parties (当事人) of published decisions (双公示) are shown: the
// surname kept, the given name replaced by 某某 (张某某, 欧阳某某). The
// generator's checks and the inspector's PII-NAME rule both suggest the
// masked form through Mask, so an editor is told one thing.
//
// Why 某某 and not 某: the issue that introduced decisions asks for 张某某, the
// sample's decisions use it, and one fixed form says nothing about the
// length of the given name (a 某 for a one-character given name and 某某 for
// a two-character one would). Both forms are accepted as masked (IsMasked):
// court judgments published online, and some enforcement portals, write
// 张某.
package personname

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CompoundSurnames are the two-character surnames (复姓) still in use; a
// masked name keeps them whole (欧阳某某).
var CompoundSurnames = strings.Fields(`欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 南宫 西门 独孤
	百里 呼延 万俟 闻人 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 钟离 赫连 拓跋 第五 鲜于 闾丘 亓官 司空 司寇 仲孙 乐正 子车`)

// Surname returns the surname of a Chinese name: a compound surname when the
// name starts with one and is longer than it, else the first character; ""
// when the name does not start with a Han character.
func Surname(name string) string {
	name = strings.TrimSpace(name)
	for _, c := range CompoundSurnames {
		if strings.HasPrefix(name, c) && utf8.RuneCountInString(name) > 2 {
			return c
		}
	}
	r, n := utf8.DecodeRuneInString(name)
	if n == 0 || !unicode.Is(unicode.Han, r) {
		return ""
	}
	return name[:n]
}

// Mask returns name as a published decision shows it: its surname and
// 某某 (张三丰 → 张某某, 欧阳修 → 欧阳某某). A name that does not start with
// a Han character gets the example form 张某某.
func Mask(name string) string {
	s := Surname(name)
	if s == "" {
		s = "张"
	}
	return s + "某某"
}

// IsMasked reports whether name is a natural person's name masked as its
// surname and 某 or 某某: 张某, 张某某, 欧阳某某.
func IsMasked(name string) bool {
	s := Surname(name)
	if s == "" || strings.Contains(s, "某") {
		return false
	}
	rest := strings.TrimSpace(name)[len(s):]
	return rest == "某" || rest == "某某"
}
