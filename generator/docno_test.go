package generator

import (
	"errors"
	"strings"
	"testing"
)

func TestParseDocNo(t *testing.T) {
	all := DocNoNone | DocNoAgency | DocNoDecree
	for _, tc := range []struct {
		name  string
		in    string
		allow DocNoForm
		want  DocNo
		err   string // substring of the error; "" for none
		fix   string
	}{
		{"agency", "云府发〔2024〕12号", all, DocNo{Form: DocNoAgency, Issuer: "云府发", Year: 2024, Number: 12}, "", ""},
		{"agency normative", "云府规〔2025〕3号", DocNoAgency, DocNo{Form: DocNoAgency, Issuer: "云府规", Year: 2025, Number: 3}, "", ""},
		{"agency with latin", "云财B〔2023〕1号", all, DocNo{Form: DocNoAgency, Issuer: "云财B", Year: 2023, Number: 1}, "", ""},
		{"local decree", "云泽市人民政府令第12号", all, DocNo{Form: DocNoDecree, Issuer: "云泽市人民政府", Number: 12}, "", ""},
		{"state council decree", "国务院令第711号", all, DocNo{Form: DocNoDecree, Issuer: "国务院", Number: 711}, "", ""},
		{"yearly ministry decree", "交通运输部令2019年第1号", all, DocNo{Form: DocNoDecree, Issuer: "交通运输部", Year: 2019, Number: 1}, "", ""},
		{"none", "无", all, DocNo{Form: DocNoNone}, "", ""},
		{"absent", "", DocNoNone | DocNoAgency, DocNo{Form: DocNoNone}, "", ""},
		{"spaces around", "  国务院令第711号 ", all, DocNo{Form: DocNoDecree, Issuer: "国务院", Number: 711}, "", ""},

		{"square brackets", "云府发[2024]12号", all, DocNo{}, "write the year in 〔〕 brackets", "云府发〔2024〕12号"},
		{"round brackets", "云府发（2024）12号", all, DocNo{}, "write the year in 〔〕 brackets", "云府发〔2024〕12号"},
		{"year character", "云府发2024年12号", all, DocNo{}, "write the year in 〔〕 brackets", "云府发〔2024〕12号"},
		{"full-width digits", "云府发〔２０２４〕１２号", all, DocNo{}, "write the year in 〔〕 brackets", "云府发〔2024〕12号"},
		{"leading zeros", "云府发〔2024〕012号", all, DocNo{}, "without leading zeros", "云府发〔2024〕12号"},
		{"leading zeros loose", "云府发[2024]012号", all, DocNo{}, "without leading zeros", "云府发〔2024〕12号"},
		{"number zero", "云府发〔2024〕0号", all, DocNo{}, "numbered from 1", ""},
		{"implausible year", "云府发〔1024〕3号", all, DocNo{}, "not plausible", ""},
		{"decree in brackets", "云泽市人民政府令（第12号）", all, DocNo{}, "机关令第N号", "云泽市人民政府令第12号"},
		{"decree number first", "云泽市人民政府第12号令", all, DocNo{}, "机关令第N号", "云泽市人民政府令第12号"},
		{"decree full-width", "国务院令第７１１号", all, DocNo{}, "机关令第N号", "国务院令第711号"},
		{"decree where not allowed", "云泽市人民政府令第12号", DocNoAgency, DocNo{}, "规章 or 行政法规", ""},
		{"agency where decree required", "云府发〔2024〕12号", DocNoDecree, DocNo{}, "want 令", ""},
		{"none where required", "无", DocNoAgency, DocNo{}, "a document number is required", ""},
		{"absent where required", "", DocNoDecree, DocNo{}, "a document number is required", ""},
		{"none spelt otherwise", "无文号", all, DocNo{}, "write 无", "无"},
		{"dash", "—", DocNoAgency | DocNoNone, DocNo{}, "write 无", "无"},
		{"no code", "第12号", all, DocNo{}, "want 机关代字〔年〕号", ""},
		{"garbage", "x", all, DocNo{}, "want", ""},
		{"too long", "云府发〔2024〕1234567890号", all, DocNo{}, "more than 9 digits", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDocNo(tc.in, tc.allow)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("ParseDocNo(%q) error %v, want %+v", tc.in, err, tc.want)
				}
				if got != tc.want {
					t.Fatalf("ParseDocNo(%q) = %+v, want %+v", tc.in, got, tc.want)
				}
				if got.Form != DocNoNone && got.String() != strings.TrimSpace(tc.in) {
					t.Errorf("ParseDocNo(%q).String() = %q, want the input back", tc.in, got.String())
				}
				return
			}
			var de *DocNoError
			if !errors.As(err, &de) {
				t.Fatalf("ParseDocNo(%q) = %+v, %v; want an error containing %q", tc.in, got, err, tc.err)
			}
			if !strings.Contains(de.Error(), tc.err) {
				t.Errorf("ParseDocNo(%q) error = %q, want it to contain %q", tc.in, de.Error(), tc.err)
			}
			if de.Fix != tc.fix {
				t.Errorf("ParseDocNo(%q) fix = %q, want %q", tc.in, de.Fix, tc.fix)
			}
		})
	}
}

func TestIsDocNo(t *testing.T) {
	for in, want := range map[string]bool{
		"云府发〔2024〕12号": true, "国务院令第711号": true, "云泽市人民政府令第12号": true,
		"无": false, "": false, "11519900MB1500001A/2024-00002": false, "云府发[2024]12号": false,
	} {
		if got := IsDocNo(in); got != want {
			t.Errorf("IsDocNo(%q) = %v, want %v", in, got, want)
		}
	}
}

// FuzzParseDocNo: the parser never panics; an accepted number writes back
// to itself, and a suggested fix is always accepted.
func FuzzParseDocNo(f *testing.F) {
	for _, s := range []string{"云府发〔2024〕12号", "云府发[2024]12号", "国务院令第711号", "云泽市人民政府令（第12号）",
		"交通运输部令2019年第1号", "第3号令", "无", "", "〔〕号", "令第号"} {
		f.Add(s)
	}
	all := DocNoNone | DocNoAgency | DocNoDecree
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDocNo(s, all)
		if err == nil {
			if d.Form == DocNoNone {
				return
			}
			back, err := ParseDocNo(d.String(), all)
			if err != nil || back != d {
				t.Errorf("ParseDocNo(%q) = %+v, but its String %q parses to %+v, %v", s, d, d.String(), back, err)
			}
			return
		}
		var de *DocNoError
		if !errors.As(err, &de) {
			t.Fatalf("ParseDocNo(%q): error %v is not a *DocNoError", s, err)
		}
		if de.Fix != "" {
			if _, err := ParseDocNo(de.Fix, all); err != nil {
				t.Errorf("ParseDocNo(%q) suggests %q, which is refused: %v", s, de.Fix, err)
			}
		}
	})
}
