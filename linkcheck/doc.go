// Package linkcheck finds broken links, missing anchors and missing
// attachments in a built site on disk or in a deployed site over HTTP,
// before a site inspector (国办秘函〔2019〕19号 counts 不可用链接) does.
// It imports nothing of gongkai, so it checks any folder or site.
//
// # Modes
//
// Disk mode (Config.Target is a folder): every .html, .htm and .css file
// is parsed once; links are resolved against the page (or its <base href>)
// and answered from an index of the folder built in one walk. Directory
// URLs resolve to index.html. Absolute links to the site's own URL are
// internal: the URL is Config.BaseURL, else the <link rel="canonical"> or
// <meta name="Url"> of index.html.
//
// HTTP mode (Config.Target is an http(s) URL): the crawler reads
// robots.txt (unless Config.IgnoreRobots) and the sitemaps it names plus
// sitemap.xml under the site's root, then fetches pages and stylesheets of
// the start URL's host breadth-first within Config.MaxDepth and
// Config.MaxPages. Every link of every fetched page is checked; links into
// paths robots.txt disallows are skipped, never requested. A page fetched
// under several addresses (/ and /index.html, query variants, the
// canonical URL it declares) whose links resolve to the same targets is
// parsed and reported once, under its canonical address, with the others
// in Report.Aliases.
//
// # Base path
//
// When the site is one column of a portal (Config.BaseURL has a path, such
// as https://www.yunze.gov.cn/zfxxgk/), the folder on disk is the content
// of that path and a crawl stays under it; a link to the site's host that
// leaves the path is an error (KindOutsideBase). In a crawl, links to the
// base URL's host are checked on the crawled host.
//
// External links (another host than the site's) are checked only with
// Config.External.
//
// # What is checked
//
// Links come from href, src, srcset (split by the HTML standard's
// algorithm), poster, <link>, <meta http-equiv="refresh">, form action,
// formaction, object data, the legacy background attribute, and url() and
// @import in style attributes, <style> elements and stylesheets.
// Fragments name an id anywhere or a name on <a>, matched as written and
// percent-decoded, so Chinese fragments work either way; "#" and "#top"
// always succeed; text fragments (#:~:) and client routes (#/, #!) are not
// checked. mailto: and tel: get syntax checks only; file: links are broken
// for every visitor.
//
// Over HTTP a target gets HEAD, then GET when HEAD is refused (405, 403,
// 501), when the answer's length is unknown or zero for an attachment, or
// when a 200 text/html answer must be read to judge a soft-404 or a
// fragment. URLs are sent percent-encoded as RFC 3986 asks (a raw Chinese
// query included). Redirects are followed up to Config.MaxRedirects and
// recorded; loops are broken links. Retries have three budgets: network
// errors and 5xx answers get Config.MaxRetries, timeouts
// Config.TimeoutRetries, and 429 (or 503 with Retry-After) is retried after
// each wait the host asks for while the waits fit in
// Config.RateLimitWait. After Config.HostTimeouts different URLs of an
// external host time out in a row, its other links are not requested.
// Requests are limited per host (Config.HostConcurrency,
// Config.MinInterval) and overall (Config.Concurrency). A soft-404 is a
// 200 page whose title or first heading says "not found" (页面不存在, 找不到,
// 404, …), on disk as over HTTP, or, over HTTP, that matches the host's
// answer for a random URL, fetched once per host.
//
// # Findings
//
// Each Finding names its page, target and Kind, which together identify
// it across runs (Compare, History), and a Severity: errors (broken,
// fragment, empty, syntax, outside-base) fail the check, warnings
// (redirect, soft-404, content-type, rate-limited, duplicate-id, charset)
// do not.
// Findings are sorted by page, line and target. Write renders a Report as
// text (the home page first), JSON, JUnit XML, Markdown, CSV or a single
// self-contained HTML file.
//
// A History, kept in a JSON-lines file, records every finding of every run;
// History.Annotate tells since when each finding has been reported and what
// is new or fixed since the previous run.
//
// The results of external links that were fine can be kept between runs
// in Config.CacheFile for Config.CacheMaxAge; errors are never cached.
package linkcheck
