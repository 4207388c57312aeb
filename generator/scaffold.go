package generator

import (
	"bytes"
	"fmt"
	"text/template"
)

// ScaffoldData fills a kind's scaffold. Code and OrgCode are an agency
// profile's: the agency code that names its file, and the org code
// site.yaml may still give it.
type ScaffoldData struct {
	Title, IndexNo, Agency, Date string
	Code, OrgCode                string
}

// Scaffold returns a new record of kind k with every required field, ready
// for an editor to paste the text below the front matter.
func Scaffold(k *Kind, d ScaffoldData) ([]byte, error) {
	if k.Scaffold == "" {
		return nil, fmt.Errorf("kind %s has no scaffold", k.Name)
	}
	t, err := template.New(k.Name).Parse(k.Scaffold)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

const policyScaffold = `---
# 公开方式: 主动公开 | 依申请公开 | 不予公开 | 涉密 (only 主动公开 is published)
disclosure: 主动公开
index_no: "{{.IndexNo}}"
title: "{{.Title}}"
summary: ""             # 内容概述, one or two sentences
agencies: [{{.Agency}}] # 发文机关 (codes from content/site.yaml)
doc_no: ""              # 发文字号, e.g. 云府发〔{{slice .Date 0 4}}〕1号
date_written: {{.Date}} # 成文日期
date_published: {{.Date}} # 发布日期 (within 20 working days of date_written)
topic: ""               # 主题分类: 一级/二级 from content/site.yaml
normative: true         # 规范性文件
keywords: []
validity:
  status: 有效          # 有效 | 已修改 | 失效 | 废止
  effective: {{.Date}}
  expires: ""
# interpretations: []   # index numbers of 解读 records
# attachments:
#   - name: 附件1：申报表
#     file: attachments/{{slice .Date 0 4}}/form.docx
---

`

const interpretationScaffold = `---
disclosure: 主动公开
index_no: "{{.IndexNo}}"
title: "{{.Title}}"
summary: ""
agencies: [{{.Agency}}]
date_published: {{.Date}}
document: ""            # index number of the policy this explains
form: 文字解读          # 文字解读 | 图文解读 | 视频解读 | 新闻发布会 | 专家解读
---

`

const pageScaffold = `---
disclosure: 主动公开
title: "{{.Title}}"
slug: ""                # URL: /page/SLUG/ (lower-case letters, digits, dashes)
summary: ""
date_published: {{.Date}}
---

`
