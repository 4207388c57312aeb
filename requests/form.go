package requests

import (
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Application is an application for government information with the
// contents art. 29 asks for, as the applicant wrote it.
type Application struct {
	Agency        string `json:"-"` // 受理机关 code
	ApplicantType string `json:"-"` // ApplicantTypes code
	Format        string `json:"-"` // Formats code (载体形式)
	Delivery      string `json:"-"` // Deliveries code (获取方式)
	Personal      Personal
	Description   string `json:"description"` // 名称、文号或者便于查询的其他特征性描述
}

// Personal is the applicant's personal data: sealed before it is stored,
// never logged, never shown on any page but the applicant's own form.
type Personal struct {
	Name          string `json:"name"`                     // 姓名或者名称
	IDType        string `json:"id_type"`                  // IDTypes code
	IDNumber      string `json:"id_number"`                // 证件号码
	ContactPerson string `json:"contact_person,omitempty"` // 联系人 (organisations)
	Phone         string `json:"phone"`
	Email         string `json:"email,omitempty"`
	Address       string `json:"address,omitempty"`
	Postcode      string `json:"postcode,omitempty"`
}

// Comment is a comment on a notice of a draft decision.
type Comment struct {
	Notice  string `json:"-"`
	Text    string `json:"text"`
	Name    string `json:"name,omitempty"`
	Contact string `json:"contact,omitempty"`
}

// FieldError is a validation message shown next to its field. Key names a
// UI string of the theme (i18n), Arg fills its %d when it has one.
type FieldError struct {
	Field string
	Key   string
	Arg   int
}

// Field limits in characters; the form shows them as maxlength.
var maxLen = map[string]int{
	"name": 100, "id_number": 30, "contact_person": 50, "phone": 30, "email": 254,
	"address": 200, "postcode": 10, "description": 2000,
	"comment": 5000, "commenter": 50, "contact": 100,
}

// multiline fields keep line breaks and tabs.
var multiline = map[string]bool{"description": true, "comment": true}

// honeypot is a field people never see or fill (hidden by CSS, skipped by
// keyboard and screen readers); bots that fill every field reveal themselves.
const honeypot = "website"

// appFields are the application form's fields in form order.
var appFields = []string{"applicant_type", "name", "id_type", "id_number", "contact_person", "phone", "email",
	"address", "postcode", "agency", "description", "format", "delivery"}

var commentFields = []string{"comment", "commenter", "contact"}

// cleanField reads one field: a single value, valid UTF-8, no control or
// bidi-override characters, line breaks only where allowed, trimmed,
// within its length limit.
func cleanField(form url.Values, field string) (string, string) {
	vs := form[field]
	if len(vs) == 0 {
		return "", ""
	}
	if len(vs) > 1 {
		return "", "req_err_repeated"
	}
	v := vs[0]
	if !utf8.ValidString(v) {
		return "", "req_err_encoding"
	}
	v = strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
	for _, r := range v {
		if (r == '\n' || r == '\t') && multiline[field] {
			continue
		}
		if unsafeRune(r) {
			return "", "req_err_control"
		}
	}
	v = strings.TrimSpace(v)
	if n, ok := maxLen[field]; ok && utf8.RuneCountInString(v) > n {
		return "", "req_err_too_long"
	}
	return v, ""
}

// unsafeRune reports whether r has no place in a form field: control
// characters, bidi overrides that can disguise text, byte-order marks,
// noncharacters and the replacement character of broken encodings.
func unsafeRune(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	case r == 0xFEFF, r == utf8.RuneError, r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE:
		return true
	case unicode.Is(unicode.Co, r), unicode.Is(unicode.Cs, r):
		return true
	}
	return false
}

type validator struct {
	form url.Values
	errs []FieldError
}

func (v *validator) fail(field, key string) {
	for _, e := range v.errs {
		if e.Field == field {
			return // one message per field, the first one
		}
	}
	e := FieldError{Field: field, Key: key}
	if key == "req_err_too_long" {
		e.Arg = maxLen[field]
	}
	v.errs = append(v.errs, e)
}

func (v *validator) text(field string, required bool) string {
	s, key := cleanField(v.form, field)
	switch {
	case key != "":
		v.fail(field, key)
	case required && s == "":
		v.fail(field, "req_err_required")
	}
	return s
}

func (v *validator) choice(field string, opts []Option) string {
	s := v.text(field, true)
	if s != "" && !hasOption(opts, s) {
		v.fail(field, "req_err_choice")
		return ""
	}
	return s
}

// validateApplication checks an application form against the site's
// agencies; nothing is stored unless the error list is empty.
func validateApplication(form url.Values, agencies []Option) (Application, []FieldError) {
	v := &validator{form: form}
	var a Application
	p := &a.Personal
	a.ApplicantType = v.choice("applicant_type", ApplicantTypes)
	p.Name = v.text("name", true)
	p.IDType = v.choice("id_type", IDTypes)
	p.IDNumber = strings.ToUpper(strings.ReplaceAll(v.text("id_number", true), " ", ""))
	p.ContactPerson = v.text("contact_person", false)
	p.Phone = v.text("phone", true)
	p.Email = v.text("email", false)
	p.Address = v.text("address", false)
	p.Postcode = v.text("postcode", false)
	a.Agency = v.choice("agency", agencies)
	a.Description = v.text("description", true)
	a.Format = v.choice("format", Formats)
	a.Delivery = v.choice("delivery", Deliveries)

	org := a.ApplicantType != "" && a.ApplicantType != "natural"
	switch {
	case p.IDType == "" || p.IDNumber == "":
	case org && p.IDType != "uscc" && p.IDType != "other":
		v.fail("id_type", "req_err_id_type_org")
	case !org && a.ApplicantType != "" && p.IDType == "uscc":
		v.fail("id_type", "req_err_id_type_person")
	case p.IDType == "resident_id" && !validResidentID(p.IDNumber):
		v.fail("id_number", "req_err_resident_id")
	case p.IDType == "uscc" && !validUSCC(p.IDNumber):
		v.fail("id_number", "req_err_uscc")
	case !validDocumentNumber(p.IDNumber):
		v.fail("id_number", "req_err_id_number")
	}
	if org && p.ContactPerson == "" {
		v.fail("contact_person", "req_err_contact_person")
	}
	if p.Phone != "" && !validPhone(p.Phone) {
		v.fail("phone", "req_err_phone")
	}
	if p.Email != "" && !validEmail(p.Email) {
		v.fail("email", "req_err_email")
	}
	if p.Postcode != "" && !validPostcode(p.Postcode) {
		v.fail("postcode", "req_err_postcode")
	}
	if utf8.RuneCountInString(a.Description) < 4 && a.Description != "" {
		v.fail("description", "req_err_description_short")
	}
	switch a.Delivery {
	case "email":
		if p.Email == "" {
			v.fail("email", "req_err_email_needed")
		}
		if a.Format != "" && a.Format != "electronic" {
			v.fail("format", "req_err_email_electronic")
		}
	case "post":
		if p.Address == "" {
			v.fail("address", "req_err_address_needed")
		}
	}
	if s, _ := cleanField(form, honeypot); s != "" || len(form[honeypot]) > 1 {
		v.fail(honeypot, "req_err_honeypot")
	}
	return a, sortErrors(v.errs, appFields)
}

// validateComment checks a comment form.
func validateComment(form url.Values) (Comment, []FieldError) {
	v := &validator{form: form}
	var c Comment
	c.Text = v.text("comment", true)
	c.Name = v.text("commenter", false)
	c.Contact = v.text("contact", false)
	if c.Text != "" && utf8.RuneCountInString(c.Text) < 2 {
		v.fail("comment", "req_err_description_short")
	}
	if s, _ := cleanField(form, honeypot); s != "" || len(form[honeypot]) > 1 {
		v.fail(honeypot, "req_err_honeypot")
	}
	return c, sortErrors(v.errs, commentFields)
}

// sortErrors puts errors in the order of the form's fields.
func sortErrors(errs []FieldError, order []string) []FieldError {
	var out []FieldError
	for _, f := range append(order, honeypot) {
		for _, e := range errs {
			if e.Field == f {
				out = append(out, e)
			}
		}
	}
	return out
}

// validResidentID checks an 18-digit resident identity number (GB 11643):
// its birth date and its check digit.
func validResidentID(s string) bool {
	if len(s) != 18 {
		return false
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		sum += int(s[i]-'0') * weights[i]
	}
	if _, err := time.Parse("20060102", s[6:14]); err != nil {
		return false
	}
	return s[17] == "10X98765432"[sum%11]
}

// validUSCC checks an 18-character unified social credit code (GB 32100).
func validUSCC(s string) bool {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	if len(s) != 18 {
		return false
	}
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(alphabet, s[i])
		if v < 0 {
			return false
		}
		sum += v * weights[i]
	}
	return s[17] == alphabet[(31-sum%31)%31]
}

// validDocumentNumber accepts the numbers of other identity documents:
// 5 to 30 Latin letters, digits and dashes.
func validDocumentNumber(s string) bool {
	if len(s) < 5 || len(s) > 30 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	return true
}

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() ", r):
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 20
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

func validPostcode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
