package search

import "strings"

// Chinese numerals, as documents write them: 第二十条, 国务院令第七百一十一号,
// 二〇一九年四月三日.

const cnDigits = "〇一二三四五六七八九"

func cnDigit(r rune) (int, bool) {
	switch r {
	case '〇', '零', '○':
		return 0, true
	case '一':
		return 1, true
	case '二', '两':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五':
		return 5, true
	case '六':
		return 6, true
	case '七':
		return 7, true
	case '八':
		return 8, true
	case '九':
		return 9, true
	}
	return 0, false
}

func cnUnit(r rune) int {
	switch r {
	case '十':
		return 10
	case '百':
		return 100
	case '千':
		return 1000
	case '万':
		return 10000
	}
	return 0
}

// isCNNumeral reports whether r can be part of a Chinese numeral.
func isCNNumeral(r rune) bool {
	_, d := cnDigit(r)
	return d || cnUnit(r) != 0
}

// ParseChineseNumber reads a whole number written in Chinese numerals, either
// with units (七百一十一 = 711, 二十 = 20, 十五 = 15, 一百零五 = 105,
// 两千零二十四 = 2024) or digit by digit as years are written (二〇一九 =
// 2019). It reports false for anything else, and for numbers of a billion or
// more.
func ParseChineseNumber(s string) (int, bool) {
	rs := []rune(s)
	if len(rs) == 0 || len(rs) > 12 {
		return 0, false
	}
	units := false
	for _, r := range rs {
		if !isCNNumeral(r) {
			return 0, false
		}
		if cnUnit(r) != 0 {
			units = true
		}
	}
	if !units {
		if len(rs) > 1 && rs[0] == '〇' || len(rs) > 9 {
			return 0, false
		}
		n := 0
		for _, r := range rs {
			d, _ := cnDigit(r)
			n = n*10 + d
		}
		return n, true
	}
	total, section, num := 0, 0, -1
	lastUnit := 100000
	for _, r := range rs {
		if d, ok := cnDigit(r); ok {
			if num > 0 {
				return 0, false // two digits in a row: 二三十
			}
			if d != 0 {
				num = d
			}
			continue
		}
		u := cnUnit(r)
		if u == 10000 {
			total += (section + max(num, 0)) * 10000
			if total == 0 {
				return 0, false
			}
			section, num, lastUnit = 0, -1, 100000
			continue
		}
		if u >= lastUnit {
			return 0, false // 十百, 百百
		}
		if num < 0 {
			if u != 10 || section != 0 && section%10 != 0 {
				return 0, false // 百 without a digit; 十 alone only leads (十五)
			}
			num = 1
		}
		section += num * u
		num, lastUnit = -1, u
	}
	return total + section + max(num, 0), true
}

// ChineseNumber writes n in Chinese numerals with units, the way documents
// number articles and orders: 20 → 二十, 15 → 十五, 711 → 七百一十一, 105 →
// 一百零五, 2024 → 二千零二十四. n must be from 0 to 99,999,999.
func ChineseNumber(n int) string {
	if n == 0 {
		return "〇"
	}
	var b strings.Builder
	if n >= 10000 {
		b.WriteString(ChineseNumber(n / 10000))
		b.WriteRune('万')
		n %= 10000
		if n == 0 {
			return b.String()
		}
		if n < 1000 {
			b.WriteRune('零')
		}
	}
	digits := []rune(cnDigits)
	units := []rune("千百十")
	started := b.Len() > 0
	zero := false
	for i, p := range []int{1000, 100, 10} {
		d := n / p % 10
		switch {
		case d == 0:
			zero = started
		default:
			if zero {
				b.WriteRune('零')
				zero = false
			}
			if !(p == 10 && d == 1 && !started) {
				b.WriteRune(digits[d])
			}
			b.WriteRune(units[i])
			started = true
		}
	}
	if d := n % 10; d != 0 {
		if zero {
			b.WriteRune('零')
		}
		b.WriteRune(digits[d])
	}
	return b.String()
}

// ChineseDigits writes n digit by digit, the way years are written: 2019 →
// 二〇一九.
func ChineseDigits(s string) string {
	digits := []rune(cnDigits)
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(digits[r-'0'])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
