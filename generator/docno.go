package generator

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Document numbers (发文字号) come in the forms the law and the national
// standard for official documents (GB/T 9704-2012) write them:
//
//   - 机关代字〔年份〕序号: 云府发〔2024〕12号, 云府规〔2025〕3号. The year in
//     hexagonal brackets 〔〕, the number without leading zeros (不编虚位).
//   - 令 (decrees, the number of a 规章 or 行政法规): 云泽市人民政府令第12号,
//     国务院令第711号, and the ministries' yearly form 交通运输部令2019年第1号.
//   - none: 无, for a document issued without a number (a kind decides
//     whether it allows one).

// DocNoForm is the form of a document number.
type DocNoForm uint8

// Document number forms. A kind says which it accepts as a set: DocNoAgency|DocNoDecree.
const (
	DocNoNone   DocNoForm = 1 << iota // 无
	DocNoAgency                       // 机关代字〔年〕号
	DocNoDecree                       // 令
)

// DocNoNoneText is how front matter writes "no document number".
const DocNoNoneText = "无"

// String names the form as editors know it.
func (f DocNoForm) String() string {
	var parts []string
	if f&DocNoAgency != 0 {
		parts = append(parts, "机关代字〔年〕号 such as 云府发〔2024〕12号")
	}
	if f&DocNoDecree != 0 {
		parts = append(parts, "令 such as 云泽市人民政府令第12号")
	}
	if f&DocNoNone != 0 {
		parts = append(parts, DocNoNoneText)
	}
	return strings.Join(parts, " or ")
}

// DocNo is a parsed document number.
type DocNo struct {
	Form DocNoForm
	// Issuer is the 机关代字 (云府发) of the agency form, or the organ that
	// issues a decree (云泽市人民政府, 国务院).
	Issuer string
	// Year is the year of the agency form or of a yearly decree; 0 when the
	// number has none.
	Year   int
	Number int
}

// String writes the number in its canonical form.
func (d DocNo) String() string {
	switch d.Form {
	case DocNoAgency:
		return d.Issuer + "〔" + strconv.Itoa(d.Year) + "〕" + strconv.Itoa(d.Number) + "号"
	case DocNoDecree:
		if d.Year != 0 {
			return d.Issuer + "令" + strconv.Itoa(d.Year) + "年第" + strconv.Itoa(d.Number) + "号"
		}
		return d.Issuer + "令第" + strconv.Itoa(d.Number) + "号"
	case DocNoNone:
		return DocNoNoneText
	}
	return ""
}

// DocNoError explains why a document number was not accepted; Fix, when
// set, is the number as it should be written.
type DocNoError struct {
	Input string
	Msg   string
	Fix   string
}

func (e *DocNoError) Error() string {
	if e.Fix != "" {
		return fmt.Sprintf("%s: %q (got %q)", e.Msg, e.Fix, e.Input)
	}
	return e.Msg
}

var (
	// agencyNoRE is the exact agency form: 机关代字〔年〕号.
	agencyNoRE = regexp.MustCompile(`^(\p{Han}[\p{Han}A-Za-z]*)〔(\d{4})〕(\d+)号$`)
	// agencyNoLooseRE is the agency form with other brackets or none: [2024],
	// （2024）, 【2024】, 2024年.
	agencyNoLooseRE = regexp.MustCompile(`^(\p{Han}[\p{Han}A-Za-z]*?)\s*[\[［(（【〔]?\s*(\d{4})\s*[\]］)）】〕年]?\s*第?\s*(\d+)\s*号$`)
	// decreeNoRE is the exact decree form: 机关令第N号 or 机关令YYYY年第N号.
	decreeNoRE = regexp.MustCompile(`^(\p{Han}{2,})令(?:(\d{4})年)?第(\d+)号$`)
	// decreeNoLooseRE is the decree form with brackets, spaces or the
	// number before 令: 令（第12号）, 令 第12号, 第12号令.
	decreeNoLooseRE = regexp.MustCompile(`^(\p{Han}{2,}?)\s*(?:令\s*[\[［(（【〔]?\s*(?:(\d{4})\s*年)?\s*第\s*(\d+)\s*号\s*[\]］)）】〕]?|[\[［(（【〔]?\s*第\s*(\d+)\s*号\s*[\]］)）】〕]?\s*令)$`)
)

// ParseDocNo reads a document number in any of the forms in allow. The
// error explains what is wrong and, when the intent is clear, gives the
// number as it should be written.
func ParseDocNo(s string, allow DocNoForm) (DocNo, error) {
	in := s
	s = strings.TrimSpace(s)
	fail := func(msg, fix string) (DocNo, error) { return DocNo{}, &DocNoError{Input: in, Msg: msg, Fix: fix} }
	if s == "" || s == DocNoNoneText {
		if allow&DocNoNone == 0 {
			return fail("a document number is required here; want "+(allow&^DocNoNone).String(), "")
		}
		return DocNo{Form: DocNoNone}, nil
	}
	switch s {
	case "无文号", "暂无", "没有", "—", "-", "/", "／", "——":
		if allow&DocNoNone != 0 {
			return fail("write 无 for a document without a number", DocNoNoneText)
		}
		return fail("a document number is required here; want "+(allow&^DocNoNone).String(), "")
	}
	folded := foldDigits(s)
	if m := decreeNoRE.FindStringSubmatch(s); m != nil {
		d := DocNo{Form: DocNoDecree, Issuer: m[1], Year: atoi(m[2]), Number: atoi(m[3])}
		return checkDocNo(in, d, m[2], m[3], allow)
	}
	if m := agencyNoRE.FindStringSubmatch(s); m != nil && !strings.HasSuffix(m[1], "令") {
		return checkDocNo(in, DocNo{Form: DocNoAgency, Issuer: m[1], Year: atoi(m[2]), Number: atoi(m[3])}, m[2], m[3], allow)
	}
	if m := decreeNoLooseRE.FindStringSubmatch(folded); m != nil {
		num := m[3]
		if num == "" {
			num = m[4]
		}
		d := DocNo{Form: DocNoDecree, Issuer: strings.TrimSuffix(m[1], "令"), Year: atoi(m[2]), Number: atoi(num)}
		if _, err := checkDocNo(in, d, m[2], num, allow); err != nil {
			return DocNo{}, err
		}
		return fail("write a 令 number as 机关令第N号", d.String())
	}
	if m := agencyNoLooseRE.FindStringSubmatch(folded); m != nil && !strings.HasSuffix(m[1], "令") {
		d := DocNo{Form: DocNoAgency, Issuer: m[1], Year: atoi(m[2]), Number: atoi(m[3])}
		if _, err := checkDocNo(in, d, m[2], m[3], allow); err != nil {
			return DocNo{}, err
		}
		return fail("write the year in 〔〕 brackets", d.String())
	}
	return fail("want "+allow.String()+", got "+strconv.Quote(in), "")
}

// checkDocNo applies the rules that hold for every form: the form is
// allowed, the year (when the number has one) is plausible and the number
// has no leading zeros. year and digits are the digits as written.
func checkDocNo(in string, d DocNo, year, digits string, allow DocNoForm) (DocNo, error) {
	if allow&d.Form == 0 {
		msg := "want " + allow.String()
		if d.Form == DocNoDecree {
			msg += "; a 令 number is the number of a 规章 or 行政法规"
		}
		return DocNo{}, &DocNoError{Input: in, Msg: msg}
	}
	if year != "" && (d.Year < 1949 || d.Year > 2100) {
		return DocNo{}, &DocNoError{Input: in, Msg: fmt.Sprintf("year %d is not plausible", d.Year)}
	}
	if len(digits) > 9 {
		return DocNo{}, &DocNoError{Input: in, Msg: "the number has more than 9 digits"}
	}
	if d.Number == 0 {
		return DocNo{}, &DocNoError{Input: in, Msg: "the number is 0; documents are numbered from 1"}
	}
	if len(digits) > 1 && digits[0] == '0' {
		return DocNo{}, &DocNoError{Input: in, Msg: "write the number without leading zeros (不编虚位)", Fix: d.String()}
	}
	return d, nil
}

// IsDocNo reports whether s is a document number in the agency or decree
// form, as references to documents outside the site are written.
func IsDocNo(s string) bool {
	d, err := ParseDocNo(s, DocNoAgency|DocNoDecree)
	return err == nil && d.Form != DocNoNone
}

// CheckDocNumber validates the document number in field against the forms
// in allow, reports what is wrong, and returns the parsed number (the zero
// DocNo on error).
func (c *Checker) CheckDocNumber(field, v string, allow DocNoForm) DocNo {
	d, err := ParseDocNo(v, allow)
	if err != nil {
		c.Errorf(field, "%v", err)
		return DocNo{}
	}
	return d
}

// foldDigits turns full-width digits into ASCII ones.
func foldDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		if unicode.IsSpace(r) && r != ' ' {
			return ' '
		}
		return r
	}, s)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n > 1<<30 {
		return 0
	}
	return n
}
