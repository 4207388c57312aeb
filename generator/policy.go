package generator

import (
	"strconv"
	"time"
)

// Validity statuses (有效性).
const (
	Valid    = "有效"
	Amended  = "已修改"
	Expired  = "失效"
	Repealed = "废止"
)

var validityCodes = map[string]string{Valid: "valid", Amended: "amended", Expired: "expired", Repealed: "repealed"}

// ValidityOrder lists the statuses in the order lists show them.
var ValidityOrder = []string{Valid, Amended, Expired, Repealed}

// Policy is a policy document (政策文件 / 规范性文件).
type Policy struct {
	Header          `yaml:",inline"`
	DocNo           string       `yaml:"doc_no"`       // 发文字号
	DateWritten     string       `yaml:"date_written"` // 成文日期
	Topic           string       `yaml:"topic"`        // 主题分类, "一级/二级"
	Normative       bool         `yaml:"normative"`    // 规范性文件
	Validity        Validity     `yaml:"validity"`     // 有效性
	Interpretations []string     `yaml:"interpretations"`
	Attachments     []Attachment `yaml:"attachments"`

	Written   time.Time `yaml:"-"`
	TopicRef  *Topic    `yaml:"-"`
	Interps   []*Record `yaml:"-"` // interpretations, resolved both ways
	Links     []*Link   `yaml:"-"` // replaces, replaced by, amends, amended by
	DecidedBy *Record   `yaml:"-"`
}

// Validity is a document's validity (有效性) with its dates and links.
type Validity struct {
	Status     string   `yaml:"status"`      // 有效 / 已修改 / 失效 / 废止
	Effective  string   `yaml:"effective"`   // 施行日期
	Expires    string   `yaml:"expires"`     // 失效日期
	Repealed   string   `yaml:"repealed"`    // 废止日期
	DecidedBy  string   `yaml:"decided_by"`  // 决定文件: index number or document number
	ReplacedBy string   `yaml:"replaced_by"` // index number of the replacing document
	Replaces   []string `yaml:"replaces"`
	AmendedBy  []string `yaml:"amended_by"`
	Amends     []string `yaml:"amends"`

	EffectiveAt time.Time `yaml:"-"`
	ExpiresAt   time.Time `yaml:"-"`
	RepealedAt  time.Time `yaml:"-"`
}

// Link is a resolved relation between two documents.
type Link struct {
	Label  string // UI-string key, e.g. "rel_replaced_by"
	Target *Record
}

// Code returns the status's URL code: valid, amended, expired or repealed.
func (v Validity) Code() string { return validityCodes[v.Status] }

// Check validates the policy on its own.
func (p *Policy) Check(c *Checker) {
	c.Required("summary", "内容概述", p.Summary)
	if c.Required("doc_no", "发文字号", p.DocNo) {
		if y := c.CheckDocNo("doc_no", p.DocNo); y != 0 && p.DateWritten != "" && len(p.DateWritten) >= 4 && p.DateWritten[:4] != strconv.Itoa(y) {
			c.Warnf("doc_no", "year %d differs from date_written %s", y, p.DateWritten)
		}
	}
	if c.Required("date_written", "成文日期", p.DateWritten) {
		p.Written = c.Day("date_written", p.DateWritten)
	}
	if !p.Written.IsZero() && !p.Published.IsZero() {
		if p.Published.Before(p.Written) {
			c.Errorf("date_published", "%s is before date_written %s", p.DatePublished, p.DateWritten)
		} else if c.Cal.Covers(p.Written) {
			if n := c.Cal.WorkdaysBetween(p.Written, p.Published); n > 20 {
				c.Warnf("date_published", "published %d working days after it was written; the rule is within 20 (条例第二十六条)", n)
			}
		} else {
			c.Warnf("date_written", "the working-day calendar has no data for %d; the 20-working-day rule was not checked", p.Written.Year())
		}
	}
	if c.Required("topic", "主题分类", p.Topic) {
		if p.TopicRef = c.Site.Topic(p.Topic); p.TopicRef == nil {
			c.Errorf("topic", "unknown topic %q; topics are declared in content/site.yaml as 一级 or 一级/二级", p.Topic)
		}
	}
	v := &p.Validity
	if !c.Required("validity.status", "有效性", v.Status) {
		return
	}
	if validityCodes[v.Status] == "" {
		c.Errorf("validity.status", "want one of 有效, 已修改, 失效, 废止, got %q", v.Status)
		return
	}
	v.EffectiveAt = c.Day("validity.effective", v.Effective)
	v.ExpiresAt = c.Day("validity.expires", v.Expires)
	v.RepealedAt = c.Day("validity.repealed", v.Repealed)
	if !v.EffectiveAt.IsZero() && !p.Written.IsZero() && v.EffectiveAt.Before(p.Written) {
		c.Errorf("validity.effective", "%s is before date_written %s", v.Effective, p.DateWritten)
	}
	if !v.ExpiresAt.IsZero() && !v.EffectiveAt.IsZero() && v.ExpiresAt.Before(v.EffectiveAt) {
		c.Errorf("validity.expires", "%s is before validity.effective %s", v.Expires, v.Effective)
	}
	switch v.Status {
	case Valid:
		if !v.ExpiresAt.IsZero() && v.ExpiresAt.Before(c.Date) {
			c.Warnf("validity.status", "says 有效 but validity.expires %s has passed; set 失效", v.Expires)
		}
		if v.Repealed != "" {
			c.Errorf("validity.repealed", "a document that is 有效 has no repeal date")
		}
	case Amended:
		if len(v.AmendedBy) == 0 {
			c.Errorf("validity.amended_by", "required for 已修改: the index number of the amending document")
		}
	case Expired:
		if v.Expires == "" {
			c.Errorf("validity.expires", "required for 失效: the date it expired")
		}
		if v.DecidedBy == "" {
			c.Errorf("validity.decided_by", "required for 失效: the deciding document (index number or document number)")
		}
	case Repealed:
		if v.Repealed == "" {
			c.Errorf("validity.repealed", "required for 废止: the date it was repealed")
		}
		if v.DecidedBy == "" {
			c.Errorf("validity.decided_by", "required for 废止: the deciding document (index number or document number)")
		}
	}
	checkAttachments(c, "attachments", p.Attachments)
}

// Link resolves the policy's references to other records.
func (p *Policy) Link(c *Checker) {
	v := &p.Validity
	rel := func(field, label string, refs ...string) {
		for i, ref := range refs {
			f := field
			if len(refs) > 1 || field != "validity.replaced_by" {
				f = field + "[" + strconv.Itoa(i) + "]"
			}
			if ref == "" {
				continue
			}
			if t := c.Lookup(f, "policy", ref); t != nil {
				if t == c.Record() {
					c.Errorf(f, "a document cannot refer to itself")
					continue
				}
				p.Links = append(p.Links, &Link{Label: label, Target: t})
			}
		}
	}
	rel("validity.replaced_by", "rel_replaced_by", v.ReplacedBy)
	rel("validity.replaces", "rel_replaces", v.Replaces...)
	rel("validity.amended_by", "rel_amended_by", v.AmendedBy...)
	rel("validity.amends", "rel_amends", v.Amends...)
	if v.DecidedBy != "" {
		if t := c.all.byRef["policy\x00"+v.DecidedBy]; t != nil {
			p.DecidedBy = c.Lookup("validity.decided_by", "policy", v.DecidedBy)
		} else if docNoRE.MatchString(v.DecidedBy) {
			// a document number of a document outside this portal
		} else {
			c.Errorf("validity.decided_by", "want the index number of a policy on this site or a document number such as 蓉府发〔2024〕12号, got %q", v.DecidedBy)
		}
	}
	for i, ref := range p.Interpretations {
		f := "interpretations[" + strconv.Itoa(i) + "]"
		t := c.Lookup(f, "interpretation", ref)
		if t == nil {
			continue
		}
		if in, ok := t.Entry.(*Interpretation); ok && in.Document != p.IndexNo && in.Document != p.Slug {
			c.Errorf(f, "interpretation %q is about %q, not this document", ref, in.Document)
		}
	}
}

// DocNumber returns the document number.
func (p *Policy) DocNumber() string { return p.DocNo }

// ValidityStatus returns the validity status.
func (p *Policy) ValidityStatus() string { return p.Validity.Status }

// TopicKey returns the topic key.
func (p *Policy) TopicKey() string { return p.Topic }
