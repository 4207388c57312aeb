package inspect

// Severity says whether a finding fails the check.
type Severity string

// Severities. "off" in the configuration turns a rule off.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Off     Severity = "off"
)

// Rule describes one inspection rule: a stable id, what it checks, the
// source that requires it and its default severity.
type Rule struct {
	ID      string
	Title   string // short Chinese name, as inspectors say it
	Family  string // freshness, dates, interpretations, reports, personal data, wording, references, identity, links
	Check   string // what it checks, one sentence
	Source  string // the rule's citation
	Default Severity
	// Opt reports a rule that runs only when asked (check --external).
	Opt bool
}

// Sources cited by several rules.
const (
	srcInspection = "国务院办公厅秘书局《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）"
	srcRegulation = "《中华人民共和国政府信息公开条例》"
	srcGuide      = "《政府网站发展指引》（国办发〔2017〕47号）"
)

var rules = []Rule{
	{ID: "FRESH-HOME", Title: "首页不更新", Family: "freshness",
		Check:  "the newest record anywhere on the site is older than the home page's maximum age (default 2 weeks)",
		Source: srcInspection + " 单项否决“首页不更新”：监测2周，首页无信息更新", Default: Error},
	{ID: "FRESH-COLUMN", Title: "栏目不更新", Family: "freshness",
		Check:  "a column's newest record is older than the column's maximum age (动态/新闻 2 weeks, 通知公告/政策文件 6 months, configurable per column); the guide older than a year",
		Source: srcInspection + " 单项否决“栏目不更新”：监测时间点前2周内的动态、要闻类栏目，以及前6个月内的通知公告、政策文件类栏目未更新", Default: Error},
	{ID: "FRESH-EMPTY", Title: "空白栏目", Family: "freshness",
		Check:  "a column, or the column a navigation entry leads to, has no published record",
		Source: srcInspection + " 单项否决“栏目不更新”第3项：空白栏目", Default: Error},
	{ID: "FRESH-NAV", Title: "导航栏目不存在", Family: "freshness",
		Check:  "a navigation or footer entry leads to a site path no build writes",
		Source: srcInspection + " 扣分指标“可用性”：不可用链接；空白栏目", Default: Error},
	{ID: "FRESH-UNDATED", Title: "页面无日期", Family: "freshness",
		Check:  "a page shows no date (the disclosure guide without guide_updated); inspectors count it as never updated",
		Source: srcInspection + " 栏目更新以页面显示的发布日期为准，无日期视为未更新", Default: Error},
	{ID: "DATE-ORDER", Title: "日期矛盾", Family: "dates",
		Check:  "dates of one record, or of related records, contradict each other (interpretation before its document, a release before the document it presents was written, amended before written, a decision dated after the inspection date)",
		Source: srcInspection + " 单项否决“安全、泄密事故等严重问题”第5项：弄虚作假（如伪造发稿日期）；" + srcRegulation + "第二十六条", Default: Error},
	{ID: "INTERP-MISSING", Title: "规范性文件未解读", Family: "interpretations",
		Check:  "a published 规范性文件 in force has no published interpretation",
		Source: "国务院办公厅《〈关于全面推进政务公开工作的意见〉实施细则》（国办发〔2016〕80号）：政策性文件与解读方案、解读材料同步组织、同步审签、同步部署", Default: Error},
	{ID: "INTERP-LATE", Title: "解读发布滞后", Family: "interpretations",
		Check:  "a 规范性文件's first interpretation appeared more than N working days after it (default 3)",
		Source: "国办发〔2016〕80号（同步发布）；各地政策解读办法通行的“最迟于文件公开后3个工作日内发布”，天数可配置", Default: Error},
	{ID: "REPORT-MISSING", Title: "年度报告未按时公布", Family: "reports",
		Check:  "after the statutory deadline, an agency (部门, by 1月31日) or the government (by 3月31日) has no annual report for the previous year, including agencies that never had one",
		Source: srcRegulation + "第四十九条", Default: Error},
	{ID: "PII-ID", Title: "泄露居民身份证号码", Family: "personal data",
		Check:  "an 18-digit 居民身份证号码 (valid region, birth date and check digit) in published text or a text-extractable attachment",
		Source: srcRegulation + "第十五条；《中华人民共和国个人信息保护法》第二十八条、第三十四条；" + srcGuide + "（防止泄露个人隐私）", Default: Error},
	{ID: "PII-MOBILE", Title: "泄露手机号码", Family: "personal data",
		Check:  "a mainland mobile number (1[3-9] and 9 digits, optionally +86 and grouped 3-4-4) not allow-listed",
		Source: srcRegulation + "第十五条；《中华人民共和国个人信息保护法》第二十八条、第三十四条", Default: Error},
	{ID: "PII-BANKCARD", Title: "泄露银行卡号", Family: "personal data",
		Check:  "a 16–19 digit bank card number (issuer digit 3–6, Luhn check) not allow-listed",
		Source: "《中华人民共和国个人信息保护法》第二十八条（金融账户为敏感个人信息）", Default: Error},
	{ID: "PII-NAME", Title: "公开决定中自然人姓名未隐去", Family: "personal data",
		Check:  "a natural person's full name as a party (当事人) of a published decision, not masked as 张某 or 张**",
		Source: "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》（国办发〔2018〕118号）；" + srcRegulation + "第十五条", Default: Error},
	{ID: "WORD-TYPO", Title: "错别字", Family: "wording",
		Check:  "a frequent misspelling from the built-in list (按排→安排, 既使→即使, 截止→截至 before a date, …)",
		Source: srcInspection + " 单项否决“严重表述错误”与扣分指标“错别字”；list written from 《通用规范汉字表》, 《第一批异形词整理表》(GF 1001-2001) and 《现代汉语词典》 usage", Default: Warning},
	{ID: "WORD-SENSITIVE", Title: "敏感词", Family: "wording",
		Check:  "a word from the site's list of words never to publish (inspection.sensitive_words)",
		Source: srcInspection + " 单项否决“安全、泄密事故等严重问题”：发布或链接反动、暴力、色情等内容", Default: Error},
	{ID: "WORD-FORM", Title: "规范表述错误", Family: "wording",
		Check:  "a known wrong variant of a 规范表述 (agency full names, leaders' names and posts) from inspection.standard_forms",
		Source: srcInspection + " 单项否决“严重表述错误”（如领导人姓名、职务错误）", Default: Error},
	{ID: "REF-COLUMN", Title: "引用不存在的栏目", Family: "references",
		Check:  "text refers to a column of this site by name (本平台“政民互动—意见征集”栏目) that does not exist",
		Source: srcInspection + " 单项否决“互动回应差”：未提供网上有效咨询建言渠道；扣分指标“不可用链接”", Default: Error},
	{ID: "IDENTITY", Title: "网站标识缺失", Family: "identity",
		Check:  "a required identity field is missing or malformed",
		Source: srcGuide + "：网站页面底部应列明党政机关网站标识、网站主办单位、联系方式、网站标识码、ICP备案编号、公安机关备案标识", Default: Error},
	{ID: "LINK-INTERNAL", Title: "站内链接不可用", Family: "links",
		Check:  "a link in a record points at a site path no build writes",
		Source: srcInspection + " 扣分指标“链接可用性”：首页及其他页面不能正常访问的链接数量", Default: Error},
	{ID: "LINK-ANCHOR", Title: "站内锚点不存在", Family: "links",
		Check:  "a link's #fragment names no heading or id of its target page",
		Source: srcInspection + " 扣分指标“链接可用性”", Default: Error},
	{ID: "LINK-EXTERNAL", Title: "外部链接不可用", Family: "links",
		Check:  "with check --external: an external link is broken (errors) or redirected, rate-limited or soft-404 (warnings), checked by the link checker with its politeness rules",
		Source: srcInspection + " 扣分指标“链接可用性”", Default: Error, Opt: true},
	{ID: "CONFIG", Title: "检查配置错误", Family: "configuration",
		Check:  "the inspection: section of site.yaml cannot be understood",
		Source: "gongkai", Default: Error},
	{ID: "CONTENT", Title: "内容校验", Family: "content",
		Check:  "the generator's own checks of every field (required legal elements, date order within a record, 20 working days, document numbers, links between records)",
		Source: srcRegulation + "第十二条、第二十条、第二十六条 and the kinds' own sources (docs/content.md)", Default: Error},
}

// Rules returns every rule, in the order reports list them.
func Rules() []Rule { return append([]Rule(nil), rules...) }

// RuleByID returns the rule with the given id.
func RuleByID(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
