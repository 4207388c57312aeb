package generator

import (
	"time"
)

// Info is a general disclosure record (公开信息) for a directory category
// that needs no structure of its own: a budget table, a procurement notice,
// a major project's approval, a statistical bulletin, a recruitment notice,
// an emergency plan, an inspection result. It names its category by key.
//
//	disclosure: 主动公开
//	index_no: 11519900MB1500204D/2026-00021
//	title: 云泽市2026年市级一般公共预算
//	summary: 2026年市级一般公共预算收支安排和“三公”经费预算。
//	agencies: [czj]                 # 发布机构
//	date_published: 2026-02-10      # 发布日期
//	category: caizheng              # 类别: the key of a directory category
//	doc_no: 无                      # 发文字号, optional: 机关代字〔年〕号, 令 or 无
//	date_written: 2026-02-05        # 成文日期, optional
//	deadline: 2026-03-10            # 截止日期 (报名、投标、意见), optional
//	valid_until: 2026-12-31         # 有效期至, optional
//	attachments:
//	  - {name: 2026年市级预算表, file: attachments/2026/czj-yusuan.xlsx}
//
// The body is the text.
type Info struct {
	Header      `yaml:",inline"`
	Category    string       `yaml:"category"`     // 类别
	DocNo       string       `yaml:"doc_no"`       // 发文字号
	DateWritten string       `yaml:"date_written"` // 成文日期
	Deadline    string       `yaml:"deadline"`     // 截止日期
	ValidUntil  string       `yaml:"valid_until"`  // 有效期至
	Attachments []Attachment `yaml:"attachments"`

	Written      time.Time `yaml:"-"`
	DeadlineAt   time.Time `yaml:"-"`
	ValidUntilAt time.Time `yaml:"-"`
	Cat          *Category `yaml:"-"` // resolved Category
	parsedNo     DocNo
}

// Check validates the record on its own; its category is resolved against
// the directory once the site is loaded (checkCategory).
func (in *Info) Check(c *Checker) {
	c.Required("summary", "内容概述", in.Summary)
	c.Required("category", "类别", in.Category)
	if in.DocNo != "" {
		in.parsedNo = c.CheckDocNumber("doc_no", in.DocNo, DocNoNone|DocNoAgency|DocNoDecree)
	}
	in.Written = c.Day("date_written", in.DateWritten)
	if !in.Written.IsZero() && !in.Published.IsZero() && in.Published.Before(in.Written) {
		c.Errorf("date_published", "%s is before date_written %s", in.DatePublished, in.DateWritten)
	}
	in.DeadlineAt = c.Day("deadline", in.Deadline)
	if !in.DeadlineAt.IsZero() && !in.Published.IsZero() && in.DeadlineAt.Before(in.Published) {
		c.Errorf("deadline", "%s is before date_published %s", in.Deadline, in.DatePublished)
	}
	in.ValidUntilAt = c.Day("valid_until", in.ValidUntil)
	checkAttachments(c, "attachments", in.Attachments)
}

// checkCategory resolves the record's category in the directory.
func (in *Info) checkCategory(c *Checker, d *Directory) {
	if in.Category == "" {
		return
	}
	cat := d.Find(in.Category)
	if cat == nil {
		c.Errorf("category", "unknown category %q; categories are the keys of the directory in content/site.yaml, such as %s", in.Category, exampleKeys(d))
		return
	}
	if cat.Kind != "" {
		c.Errorf("category", "category %s (%s) is served by %s records, not info records", cat.Key, cat.Title(), cat.Kind)
		return
	}
	in.Cat = cat
}

func exampleKeys(d *Directory) string {
	var ks []string
	for _, c := range d.All {
		if c.Kind == "" && len(c.Children) == 0 {
			ks = append(ks, c.Key)
		}
		if len(ks) == 3 {
			break
		}
	}
	return orNone(ks)
}

// Closed reports whether the record's deadline has passed on day t.
func (in *Info) Closed(t time.Time) bool {
	return !in.DeadlineAt.IsZero() && in.DeadlineAt.Format("2006-01-02") < t.In(China).Format("2006-01-02")
}

// Lapsed reports whether the record's validity has ended on day t.
func (in *Info) Lapsed(t time.Time) bool {
	return !in.ValidUntilAt.IsZero() && in.ValidUntilAt.Format("2006-01-02") < t.In(China).Format("2006-01-02")
}

// DocNumber returns the document number, if any ("" for 无).
func (in *Info) DocNumber() string {
	if in.parsedNo.Form == DocNoNone {
		return ""
	}
	return in.DocNo
}

// CategoryKey returns the key of the category the record names.
func (in *Info) CategoryKey() string { return in.Category }

const infoScaffold = `---
disclosure: 主动公开
index_no: "{{.IndexNo}}"
title: "{{.Title}}"
summary: ""               # 内容概述, one or two sentences
agencies: [{{.Agency}}]   # 发布机构
date_published: {{.Date}} # 发布日期
category: ""              # 类别: a key of the directory, e.g. caizheng or minsheng/jiaoyu
# doc_no: 无              # 发文字号: 机关代字〔年〕号, 令, or 无
# date_written: ""        # 成文日期
# deadline: ""            # 截止日期 (报名、投标、意见)
# valid_until: ""         # 有效期至
# attachments:
#   - name: ""
#     file: attachments/{{slice .Date 0 4}}/x.pdf
---

`

// Link resolves the record's category in the directory.
func (in *Info) Link(c *Checker) {
	if c.all != nil && c.all.Directory != nil {
		in.checkCategory(c, c.all.Directory)
	}
}

// Facet answers DirectoryFacet (the key of the category the record names)
// besides agency.
func (in *Info) Facet(name string) []string {
	if name == DirectoryFacet {
		if in.Category == "" {
			return nil
		}
		return []string{in.Category}
	}
	return in.Header.Facet(name)
}

// DateFormed returns the date written, else the publication date.
func (in *Info) DateFormed() time.Time {
	if !in.Written.IsZero() {
		return in.Written
	}
	return in.Published
}
