// Package inspect is the editor's inspector: the rules that government-site
// inspectors apply (国办秘函〔2019〕19号 and the regulations it rests on),
// run before publication by `gongkai check`.
//
// The rules work on a neutral description of a site (Site: columns,
// records, agencies, navigation, pages) that the caller builds from its own
// content model; inspect imports nothing of the project but
// internal/personname, which masks names the way the generator's checks do. Each rule has a
// stable id (FRESH-COLUMN, PII-ID, …), a source citation and a default
// severity that a site can change in the inspection: section of its
// site.yaml (Config). Findings read
//
//	content/policies/x.md:12: PII-MOBILE: 手机号码 138****5678 is personal data; …
//	content/site.yaml:40: REPORT-MISSING: no 2025 annual report (部门) from …
//	column 新闻发布: FRESH-COLUMN: the newest record, …, was published …
//
// and a Report is written as text, JSON or a self-contained HTML file an
// office can file. docs/inspection.md lists every rule.
package inspect
