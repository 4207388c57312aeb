package generator

import (
	"fmt"
	"regexp"
	"slices"
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

// Document types (文件类型) of a policy document.
const (
	DocRule      = "规章"
	DocNormative = "规范性文件"
	DocOther     = "其他文件"
)

// DocTypes lists the document types in the order lists show them, with
// their URL codes.
var DocTypes = []struct{ Name, Code string }{{DocRule, "rule"}, {DocNormative, "normative"}, {DocOther, "other"}}

// docTypeForms are the document number forms each type takes: a 规章 is
// published by a 令, a 规范性文件 carries 机关代字〔年〕号, and other documents
// may have either or none.
var docTypeForms = map[string]DocNoForm{
	DocRule:      DocNoDecree,
	DocNormative: DocNoAgency,
	DocOther:     DocNoAgency | DocNoDecree | DocNoNone,
}

// Policy is a policy document: a 规章, a 规范性文件 or another document
// (政策文件).
type Policy struct {
	Header          `yaml:",inline"`
	DocType         string       `yaml:"doc_type"`        // 文件类型: 规章 | 规范性文件 | 其他文件
	DocNo           string       `yaml:"doc_no"`          // 发文字号; 无 or absent for 其他文件 without one
	RegistrationNo  string       `yaml:"registration_no"` // 统一登记号 of a 规范性文件
	DateWritten     string       `yaml:"date_written"`    // 成文日期
	Topic           string       `yaml:"topic"`           // 主题分类, "一级/二级"
	Normative       bool         `yaml:"normative"`       // 规范性文件 (the same as doc_type: 规范性文件)
	Validity        Validity     `yaml:"validity"`        // 有效性
	Interpretations []string     `yaml:"interpretations"`
	Attachments     []Attachment `yaml:"attachments"`

	Number    DocNo     `yaml:"-"` // parsed DocNo
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
	p.checkDocType(c)
	if c.Required("date_written", "成文日期", p.DateWritten) {
		p.Written = c.Day("date_written", p.DateWritten)
	}
	p.checkDocNo(c)
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
	if p.DocType == DocRule && !v.EffectiveAt.IsZero() && !p.Published.IsZero() && v.EffectiveAt.Before(p.Published.AddDate(0, 0, 30)) {
		c.Warnf("validity.effective", "a 规章 takes effect 30 days after it is published unless publishing sooner is necessary (规章制定程序条例第三十二条); %s is %d days after %s",
			v.Effective, int(v.EffectiveAt.Sub(dayOf(p.Published)).Hours()/24), p.Published.In(China).Format("2006-01-02"))
	}
	checkAttachments(c, "attachments", p.Attachments)
}

// checkDocType resolves the document type: doc_type, or normative: true for
// a 规范性文件, else 其他文件.
func (p *Policy) checkDocType(c *Checker) {
	switch {
	case p.DocType == "" && p.Normative:
		p.DocType = DocNormative
	case p.DocType == "":
		p.DocType = DocOther
	case !slices.ContainsFunc(DocTypes, func(t struct{ Name, Code string }) bool { return t.Name == p.DocType }):
		c.Errorf("doc_type", "want one of 规章, 规范性文件, 其他文件, got %q", p.DocType)
		return
	case c.Has("normative") && p.Normative != (p.DocType == DocNormative):
		c.Errorf("normative", "says %v but doc_type is %s; remove normative:", p.Normative, p.DocType)
	}
	p.Normative = p.DocType == DocNormative
	if p.RegistrationNo != "" {
		switch {
		case p.DocType != DocNormative:
			c.Errorf("registration_no", "only a 规范性文件 has a 统一登记号 (registration number); this is a %s", p.DocType)
		case !registrationNoRE.MatchString(p.RegistrationNo):
			c.Errorf("registration_no", "want a registration number such as YZFR-2024-00012 (letters, the year, a number), got %q", p.RegistrationNo)
		}
	}
}

// registrationNoRE is the usual shape of a 统一登记号: a provincial or city
// prefix, the year and a serial number (YZFR-2024-00012, ZJSP01-2023-0001).
var registrationNoRE = regexp.MustCompile(`^[A-Z]{2,6}\d{0,2}-(\d{4})-\d{1,6}$`)

// checkDocNo checks the document number against the forms the document
// type takes, and its year against date_written.
func (p *Policy) checkDocNo(c *Checker) {
	forms, ok := docTypeForms[p.DocType]
	if !ok {
		return
	}
	if p.DocNo == "" && forms&DocNoNone == 0 {
		c.Errorf("doc_no", "required (发文字号): a %s carries %s", p.DocType, forms)
		return
	}
	p.Number = c.CheckDocNumber("doc_no", p.DocNo, forms)
	if y := p.Number.Year; y != 0 && !p.Written.IsZero() && p.Written.Year() != y {
		c.Warnf("doc_no", "year %d differs from date_written %s", y, p.DateWritten)
	}
	if m := registrationNoRE.FindStringSubmatch(p.RegistrationNo); m != nil && !p.Written.IsZero() && m[1] != strconv.Itoa(p.Written.Year()) {
		c.Warnf("registration_no", "year %s differs from date_written %s", m[1], p.DateWritten)
	}
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
		} else if IsDocNo(v.DecidedBy) {
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

// DocNumber returns the document number, "" for a document without one.
func (p *Policy) DocNumber() string {
	if p.Number.Form == DocNoNone {
		return ""
	}
	return p.DocNo
}

// DocNoText returns the document number as the page shows it: 无 for a
// document without one.
func (p *Policy) DocNoText() string {
	if p.Number.Form == DocNoNone && p.DocNo == "" {
		return DocNoNoneText
	}
	return p.DocNo
}

// ValidityStatus returns the validity status.
func (p *Policy) ValidityStatus() string { return p.Validity.Status }

// TopicKey returns the topic key.
func (p *Policy) TopicKey() string { return p.Topic }

// Feeds of policy documents: all of them, per agency and per topic.

func (b *Build) policyFeed() *Feed {
	return &Feed{Path: "/feeds/policies", Title: b.Theme.T("col_policy"), Description: b.Theme.T("feed_policies_desc"), Link: "/policy/"}
}

func (b *Build) policyAgencyFeed(a *Agency) *Feed {
	return &Feed{Path: "/feeds/policies/agency/" + a.Code, Title: b.Theme.T("col_policy") + "：" + a.Name,
		Description: fmt.Sprintf(b.Theme.T("feed_policies_agency_desc"), a.Name), Link: "/policy/agency/" + a.Code + "/"}
}

func (b *Build) policyTopicFeed(t *Topic) *Feed {
	return &Feed{Path: "/feeds/policies/topic/" + t.Code, Title: b.Theme.T("col_policy") + "：" + t.Key,
		Description: fmt.Sprintf(b.Theme.T("feed_policies_topic_desc"), t.Key), Link: "/policy/topic/" + t.Code + "/"}
}

// policyFeeds: the feed of every policy, which always exists, and a feed
// per agency and per topic that has documents, as their lists do.
func policyFeeds(b *Build) []FeedGroup {
	all := b.policyFeed()
	all.recs = b.ByKind("policy")
	feeds := append([]*Feed{all}, b.agencyFeeds(all.recs, b.policyAgencyFeed)...)
	byTopic := map[string][]*Record{}
	for _, r := range all.recs {
		if t := r.Entry.(*Policy).TopicRef; t != nil {
			byTopic[t.Key] = append(byTopic[t.Key], r)
			if t.Parent != nil {
				byTopic[t.Parent.Key] = append(byTopic[t.Parent.Key], r)
			}
		}
	}
	var topics []*Feed
	for _, t := range b.Site.AllTopics() {
		if rs := byTopic[t.Key]; len(rs) > 0 {
			f := b.policyTopicFeed(t)
			f.recs = rs
			topics = append(topics, f)
		}
	}
	groups := []FeedGroup{{Title: b.Theme.T("col_policy"), Feeds: feeds}}
	if len(topics) > 0 {
		groups = append(groups, FeedGroup{Title: b.Theme.T("feed_group_topic"), Feeds: topics})
	}
	return groups
}

// FeedEntry shows the document's metadata and what it replaces and amends;
// what later changes it gets entries of its own (validityEntries).
func (p *Policy) FeedEntry(b *Build, e *feedEntry) []*feedEntry {
	e.Meta = []feedField{
		{Label: "f_index_no", Value: p.IndexNo},
		{Label: "f_agencies", Value: agencyNameList(p.Agency)},
		{Label: "f_doc_no", Value: p.DocNumber()},
		{Label: "f_date_written", Value: p.DateWritten},
		{Label: "f_topic", Value: p.Topic},
	}
	if p.Topic != "" {
		e.Categories = append(e.Categories, p.Topic)
	}
	var replaces, amends []*Record
	for _, l := range p.Links {
		switch l.Label {
		case "rel_replaces":
			replaces = append(replaces, l.Target)
		case "rel_amends":
			amends = append(amends, l.Target)
		}
	}
	e.Related = append(e.Related, b.feedSection("rel_replaces", replaces), b.feedSection("rel_amends", amends))
	return b.validityEntries(p.Record, p)
}

// validityChange is an amendment, expiry or repeal of a policy.
type validityChange struct {
	code    string // amended, expired, repealed
	when    time.Time
	targets []*Record // the amending documents
}

// validityEntries returns one entry per validity change of p that has
// happened by the build date. Amendments published on the same day share
// one entry.
func (b *Build) validityEntries(r *Record, p *Policy) []*feedEntry {
	T := b.Theme.T
	v := &p.Validity
	var changes []validityChange
	for _, l := range p.Links {
		if l.Label != "rel_amended_by" {
			continue
		}
		day := l.Target.Date().In(China)
		i := slices.IndexFunc(changes, func(c validityChange) bool { return sameDay(c.when, day) })
		if i < 0 {
			changes = append(changes, validityChange{code: "amended", when: day, targets: []*Record{l.Target}})
			continue
		}
		changes[i].targets = append(changes[i].targets, l.Target)
		if day.Before(changes[i].when) {
			changes[i].when = day
		}
	}
	if v.Status == Expired && !v.ExpiresAt.IsZero() {
		changes = append(changes, validityChange{code: "expired", when: v.ExpiresAt})
	}
	if v.Status == Repealed && !v.RepealedAt.IsZero() {
		changes = append(changes, validityChange{code: "repealed", when: v.RepealedAt})
	}
	var out []*feedEntry
	for _, c := range changes {
		if c.when.After(b.Date.AddDate(0, 0, 1)) {
			continue // announced for a later day: it becomes an entry then
		}
		day := c.when.In(China).Format("2006-01-02")
		status := map[string]string{"amended": Amended, "expired": Expired, "repealed": Repealed}[c.code]
		e := &feedEntry{
			ID: b.entryID(r, "#"+c.code+"-"+day), URL: b.absURL(r.URL), Published: c.when.In(China), Authors: p.Agency, rec: r,
			Title:      fmt.Sprintf(T("feed_"+c.code+"_title"), p.Title),
			Summary:    fmt.Sprintf(T("feed_"+c.code+"_note"), day),
			Categories: []string{T(r.Kind.Column), status},
			Meta: []feedField{
				{Label: "f_index_no", Value: p.IndexNo},
				{Label: "f_doc_no", Value: p.DocNo},
				{Label: "f_validity", Value: status},
			},
		}
		e.Note = e.Summary
		if p.Topic != "" {
			e.Categories = append(e.Categories, p.Topic)
		}
		if c.code != "amended" {
			switch {
			case p.DecidedBy != nil:
				e.Meta = append(e.Meta, feedField{Label: "f_decided_by", Value: p.DecidedBy.Title(), URL: b.absURL(p.DecidedBy.URL)})
			case v.DecidedBy != "":
				e.Meta = append(e.Meta, feedField{Label: "f_decided_by", Value: v.DecidedBy})
			}
		}
		var replacedBy []*Record
		for _, l := range p.Links {
			if l.Label == "rel_replaced_by" {
				replacedBy = append(replacedBy, l.Target)
			}
		}
		e.Related = append(e.Related, b.feedSection("rel_amended_by", c.targets), b.feedSection("rel_replaced_by", replacedBy))
		out = append(out, e)
	}
	return out
}

func sameDay(a, b time.Time) bool {
	return a.In(China).Format("2006-01-02") == b.In(China).Format("2006-01-02")
}

// changed returns the latest change the document's page shows beyond its
// own publication: its repeal or expiry, and the publication of the
// documents linked from it; zero for none. Dates on or after limit do not
// count.
func (p *Policy) changed(limit time.Time) time.Time {
	var t time.Time
	later := func(u time.Time) {
		if u.After(t) && u.Before(limit) {
			t = u
		}
	}
	switch p.Validity.Status {
	case Repealed:
		later(p.Validity.RepealedAt)
	case Expired:
		later(p.Validity.ExpiresAt)
	}
	for _, l := range p.Links {
		later(l.Target.Date())
	}
	return t
}

// Changed returns the latest of the document's publication, its validity
// change, and the publication of the documents and interpretations linked
// from it.
func (p *Policy) Changed(limit time.Time) time.Time {
	t := p.Published
	if c := p.changed(limit); c.After(t) {
		t = c
	}
	for _, in := range p.Interps {
		if d := in.Date(); d.After(t) && d.Before(limit) {
			t = d
		}
	}
	return t
}

// DateFormed returns the date written, the catalogue's 生成日期.
func (p *Policy) DateFormed() time.Time {
	if !p.Written.IsZero() {
		return p.Written
	}
	return p.Published
}

// Facet answers the directory's facets: doc_type (规章, 规范性文件, 其他文件)
// and topic (the level-1 topic and the level-2 one), besides agency.
func (p *Policy) Facet(name string) []string {
	switch name {
	case "doc_type":
		return []string{p.DocType}
	case "topic":
		if t := p.TopicRef; t != nil {
			if t.Parent != nil {
				return []string{t.Parent.Key, t.Key}
			}
			return []string{t.Key}
		}
		return nil
	}
	return p.Header.Facet(name)
}
