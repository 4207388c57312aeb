package generator

// Interpretation is a policy interpretation (政策解读), linked both ways to
// the document it explains.
type Interpretation struct {
	Header      `yaml:",inline"`
	Document    string       `yaml:"document"` // index number of the policy it explains
	Form        string       `yaml:"form"`     // 文字解读, 图文解读, 视频解读, 新闻发布会
	Attachments []Attachment `yaml:"attachments"`

	Doc *Record `yaml:"-"`
}

var interpretationForms = map[string]bool{"文字解读": true, "图文解读": true, "视频解读": true, "新闻发布会": true, "专家解读": true}

// Check validates the interpretation on its own.
func (in *Interpretation) Check(c *Checker) {
	c.Required("summary", "内容概述", in.Summary)
	c.Required("document", "所解读文件", in.Document)
	if in.Form == "" {
		in.Form = "文字解读"
	} else if !interpretationForms[in.Form] {
		c.Errorf("form", "want one of 文字解读, 图文解读, 视频解读, 新闻发布会, 专家解读, got %q", in.Form)
	}
	checkAttachments(c, "attachments", in.Attachments)
}

// Link resolves the document and adds this interpretation to its page.
func (in *Interpretation) Link(c *Checker) {
	if in.Document == "" {
		return
	}
	d := c.Lookup("document", "policy", in.Document)
	if d == nil {
		return
	}
	in.Doc = d
	if !c.Record().Withheld {
		p := d.Entry.(*Policy)
		c.all.mu.Lock()
		p.Interps = append(p.Interps, c.Record())
		c.all.mu.Unlock()
	}
}

// PlainPage is a plain page, such as the disclosure office's contacts.
type PlainPage struct {
	Header `yaml:",inline"`
	// Weight orders pages in lists (lower first).
	Weight int `yaml:"weight"`
}

// Check validates the page.
func (pg *PlainPage) Check(c *Checker) {
	if pg.IndexNo == "" {
		c.Required("slug", "URL", pg.Slug)
	}
}
