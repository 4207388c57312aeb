package generator

import (
	"slices"
	"testing"
)

func TestIdentityNumbers(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"whole", "当事人身份证号码519900198506123416。", []string{"519900198506123416"}},
		{"check X", "证件号 11010519491231002X，", []string{"11010519491231002X"}},
		{"lower-case x", "11010519491231002x", []string{"11010519491231002X"}},
		{"grouped with spaces", "号码 519900 19850612 3416", []string{"519900198506123416"}},
		{"grouped with hyphens", "519900-19850612-3416", []string{"519900198506123416"}},
		{"leap day", "440301200002290015", []string{"440301200002290015"}},
		{"wrong check digit", "519900198506123417", nil},
		{"impossible date", "519900198513323416", nil},
		{"inside a longer number", "1519900198506123416", nil},
		{"inside a code", "MB519900198506123416", nil},
		{"credit code", "91519900MA6C0A1B2X", nil},
		{"index number", "11519900MB1500103C/2024-00012", nil},
		{"two", "甲519900198506123416乙440301200002290015", []string{"519900198506123416", "440301200002290015"}},
		{"money", "罚款人民币20000元", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := identityNumbers(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("identityNumbers(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestValidCreditCode(t *testing.T) {
	for code, want := range map[string]bool{
		"91519900MA6C0A1B2X": true,
		"92519900MA6C2D3E4L": true,
		"12519900MB1500103K": true,
		"91519900MA6C0A1B2Y": false, // wrong check character
		"91519900MA6C0A1B2":  false, // 17 characters
		"91519900MA6C0I1B2X": false, // I is not used
		"519900198506123416": false, // an identity number
	} {
		if got := validCreditCode(code); got != want {
			t.Errorf("validCreditCode(%q) = %v, want %v", code, got, want)
		}
	}
}

// FuzzIdentityNumbers: whatever the text, every number found is a valid
// identity number that occurs in it.
func FuzzIdentityNumbers(f *testing.F) {
	for _, s := range []string{"519900198506123416", "519900 19850612 3416", "11010519491231002x", "a1b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, n := range identityNumbers(s) {
			if !validIdentityNumber(n) {
				t.Errorf("identityNumbers(%q) found %q, which is not valid", s, n)
			}
		}
	})
}
