package generator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Release is a spokesperson release (新闻发布): a press conference or a
// published statement with its transcript. It is a catalogue record, so it
// carries an index number.
//
//	---
//	disclosure: 主动公开
//	index_no: 11519900MB1500204D/2024-00801
//	title: 云泽市2024年一季度财政收支情况新闻发布会
//	summary: 介绍一季度全市财政收支情况和减税降费政策落实情况。
//	agencies: [czj]                      # 发布机构
//	date_published: 2024-04-18 10:00     # 发布时间, date and time (+08:00)
//	place: 市政府新闻发布厅               # 地点
//	spokesperson:                        # 发布人
//	  name: 李明
//	  post: 市财政局新闻发言人、副局长
//	  agency: czj
//	host: 市政府新闻办副主任 张华          # 主持人 (optional)
//	documents: [11519900MB1500204D/2022-00015]   # 相关文件 (policy index numbers)
//	interpretations: []                  # 相关解读 (interpretation index numbers)
//	media:                               # 媒体资料: photos, video, slides
//	  - name: 发布会现场照片
//	    file: releases/media/2024/czj-q1.png
//	---
//
//	The transcript (实录) in Markdown.
type Release struct {
	Header          `yaml:",inline"`
	Place           string       `yaml:"place"`           // 地点
	Spokesperson    Spokesperson `yaml:"spokesperson"`    // 发布人
	Host            string       `yaml:"host"`            // 主持人
	Documents       []string     `yaml:"documents"`       // 相关文件: policy index numbers or slugs
	Interpretations []string     `yaml:"interpretations"` // 相关解读: interpretation index numbers or slugs
	Media           []Attachment `yaml:"media"`           // 媒体资料

	SpokesAgency *Agency   `yaml:"-"`
	Docs         []*Record `yaml:"-"` // resolved Documents, in file order
	Interps      []*Record `yaml:"-"` // resolved Interpretations, in file order
}

// Spokesperson is the person who speaks at a release (发布人).
type Spokesperson struct {
	Name   string `yaml:"name"`   // 姓名
	Post   string `yaml:"post"`   // 职务
	Agency string `yaml:"agency"` // agency code from content/site.yaml
}

// Check validates the release on its own.
func (rl *Release) Check(c *Checker) {
	c.Required("summary", "内容概述", rl.Summary)
	if rl.DatePublished != "" && !rl.HasTime && !rl.Published.IsZero() {
		c.Errorf("date_published", "a release needs its time as YYYY-MM-DD HH:MM (发布时间), got %q", rl.DatePublished)
	}
	c.Required("place", "地点", rl.Place)
	sp := &rl.Spokesperson
	if !c.Has("spokesperson") {
		c.Errorf("spokesperson", "required (发布人): name, post and agency")
	} else {
		c.Required("spokesperson.name", "发布人姓名", sp.Name)
		c.Required("spokesperson.post", "发布人职务", sp.Post)
		if c.Required("spokesperson.agency", "发布人所在机构", sp.Agency) {
			if rl.SpokesAgency = c.Site.Agency(sp.Agency); rl.SpokesAgency == nil {
				c.Errorf("spokesperson.agency", "unknown agency code %q (declared in content/site.yaml)", sp.Agency)
			}
		}
	}
	if r := c.Record(); len(strings.TrimSpace(string(r.Body))) == 0 {
		c.probs.Errorf(Pos{r.Path, r.BodyLine}, "", "the transcript (实录) is required as the Markdown body below the front matter")
	}
	checkAttachments(c, "media", rl.Media)
}

// Link resolves the related documents and interpretations; each must be a
// published record of this site.
func (rl *Release) Link(c *Checker) {
	for i, ref := range rl.Documents {
		if t := c.Lookup("documents["+strconv.Itoa(i)+"]", "policy", ref); t != nil {
			rl.Docs = append(rl.Docs, t)
		}
	}
	for i, ref := range rl.Interpretations {
		if t := c.Lookup("interpretations["+strconv.Itoa(i)+"]", "interpretation", ref); t != nil {
			rl.Interps = append(rl.Interps, t)
		}
	}
}

// releaseOutputs writes the release lists: all, by agency and by year.
func releaseOutputs(b *Build) []Output {
	all := b.ByKind("release")
	const base = "/release/"
	byAgency, agencyIdx := b.agencyGroups(base)
	for _, r := range all {
		for _, a := range r.H().Agency {
			agencyIdx[a.Code].items = append(agencyIdx[a.Code].items, r)
		}
	}
	for _, a := range b.Site.AgencyList() {
		agencyIdx[a.Code].feed = b.releaseFeed(a).Path
	}
	return b.facetedLists(base, b.Theme.T("col_release"), b.releaseFeed(nil).Path, all, []dimension{
		{"agency", b.Theme.T("by_agency"), byAgency},
		{"year", b.Theme.T("by_year"), yearGroups(base, all)},
	})
}

func releaseAgencyURL(code string) string { return "/release/agency/" + code + "/" }

const releaseScaffold = `---
disclosure: 主动公开
index_no: "{{.IndexNo}}"
title: "{{.Title}}"
summary: ""               # 内容概述, one or two sentences
agencies: [{{.Agency}}]   # 发布机构 (codes from content/site.yaml)
date_published: {{.Date}} 10:00   # 发布时间: date and time
place: ""                 # 地点, e.g. 市政府新闻发布厅
spokesperson:             # 发布人
  name: ""
  post: ""                # 职务, e.g. 新闻发言人、副局长
  agency: {{.Agency}}
host: ""                  # 主持人 (optional)
documents: []             # 相关文件: index numbers of policies
interpretations: []       # 相关解读: index numbers of interpretations
# media:                  # 媒体资料: photos, video, slides
#   - name: 发布会现场照片
#     file: attachments/{{slice .Date 0 4}}/photo.jpg
---

发布会实录（transcript）。
`

// TimeAttr returns the release time for a <time datetime> attribute.
func (rl *Release) TimeAttr() string {
	return rl.Published.In(China).Format("2006-01-02T15:04-07:00")
}

func (b *Build) releaseFeed(a *Agency) *Feed {
	col := b.Theme.T("col_release")
	if a == nil {
		return &Feed{Path: "/feeds/releases", Title: col, Description: b.Theme.T("feed_releases_desc"), Link: "/release/"}
	}
	return &Feed{Path: "/feeds/releases/" + a.Code, Title: col + "：" + a.Name,
		Description: fmt.Sprintf(b.Theme.T("feed_releases_agency_desc"), a.Name), Link: releaseAgencyURL(a.Code)}
}

// releaseFeeds: the feed of every release, which always exists, and one per
// agency that has releases.
func releaseFeeds(b *Build) []FeedGroup {
	all := b.releaseFeed(nil)
	all.recs = b.ByKind("release")
	return []FeedGroup{{Title: b.Theme.T("col_release"), Feeds: append([]*Feed{all}, b.agencyFeeds(all.recs, b.releaseFeed)...)}}
}

// FeedEntry shows the release's time, place and speakers, and its related
// documents and interpretations.
func (rl *Release) FeedEntry(b *Build, e *feedEntry) []*feedEntry {
	e.Meta = []feedField{
		{Label: "f_index_no", Value: rl.IndexNo},
		{Label: "f_publisher", Value: agencyNameList(rl.Agency)},
		{Label: "release_time", Value: rl.Published.In(China).Format("2006-01-02 15:04")},
		{Label: "release_place", Value: rl.Place},
		{Label: "release_spokesperson", Value: rl.SpokespersonText()},
	}
	if rl.Host != "" {
		e.Meta = append(e.Meta, feedField{Label: "release_host", Value: rl.Host})
	}
	e.Related = append(e.Related, b.feedSection("release_documents", rl.Docs), b.feedSection("release_interpretations", rl.Interps))
	return nil
}

// Author returns the spokesperson: a release speaks through a person.
func (rl *Release) Author() string {
	if rl.Spokesperson.Name != "" {
		return rl.Spokesperson.Name
	}
	return rl.Header.Author()
}

// SpokespersonText returns "name（post，agency）".
func (rl *Release) SpokespersonText() string {
	sp := rl.Spokesperson
	parts := []string{sp.Post}
	if rl.SpokesAgency != nil && !strings.Contains(sp.Post, rl.SpokesAgency.Name) {
		parts = append(parts, rl.SpokesAgency.Name)
	}
	return sp.Name + "（" + strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), "，") + "）"
}
