package browsertest

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/go-rod/rod/lib/proto"
)

// axeFile is axe-core as `npm ci` installs it from package-lock.json.
const axeFile = "node_modules/axe-core/axe.min.js"

// axeTags are the rule sets the audit runs: WCAG 2.0 and 2.1, levels A and AA.
const axeTags = `["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]`

var axeOnce struct {
	sync.Once
	src string
	err error
}

// axeSource returns axe-core's source, skipping the test (or failing it
// under GONGKAI_REQUIRE_BROWSER=1) when it is not installed.
func axeSource(t testing.TB) string {
	t.Helper()
	axeOnce.Do(func() {
		b, err := os.ReadFile(axeFile)
		axeOnce.src, axeOnce.err = string(b), err
	})
	if errors.Is(axeOnce.err, fs.ErrNotExist) {
		skipOrFail(t, "axe-core is not installed ("+axeFile+" missing; run `npm ci` in cmd/internal/browsertest)")
	}
	if axeOnce.err != nil {
		t.Fatal(axeOnce.err)
	}
	return axeOnce.src
}

// axeReport is what the page returns from axe.run.
type axeReport struct {
	Version    string
	Rules      []string // every rule that ran: passed, violated, incomplete or inapplicable
	Incomplete []string // rules that need a person to look, with an example target
	Violations []struct {
		ID     string
		Impact string
		Help   string
		Nodes  []struct {
			Target  []string
			Summary string
		}
	}
}

var axeRulesLogged sync.Once

// axe injects axe-core with CDP Runtime.evaluate (the site's strict CSP
// refuses script tags) and runs the WCAG 2.1 A/AA rules on the document.
func (tb *tab) axe(src string) *axeReport {
	tb.t.Helper()
	p := tb.page.Timeout(axeTimeout)
	res, err := proto.RuntimeEvaluate{Expression: src}.Call(p)
	if err == nil && res.ExceptionDetails != nil {
		err = exception(res.ExceptionDetails)
	}
	if err != nil {
		tb.t.Fatalf("inject axe-core: %v", err)
	}
	res, err = proto.RuntimeEvaluate{
		Expression: `axe.run(document, {runOnly: {type: "tag", values: ` + axeTags + `}, resultTypes: ["violations"]})
			.then(r => JSON.stringify({
				version: r.testEngine.version,
				rules: [...new Set([].concat(r.passes, r.violations, r.incomplete, r.inapplicable).map(x => x.id))].sort(),
				incomplete: r.incomplete.map(x => x.id + " (" + x.nodes.slice(0, 1).map(n => n.target.join(" ")).join("") + ")"),
				violations: r.violations.map(v => ({
					id: v.id, impact: v.impact, help: v.help,
					nodes: v.nodes.map(n => ({target: n.target.map(String), summary: n.failureSummary})),
				})),
			}))`,
		AwaitPromise:  true,
		ReturnByValue: true,
	}.Call(p)
	if err == nil && res.ExceptionDetails != nil {
		err = exception(res.ExceptionDetails)
	}
	if err != nil {
		tb.t.Fatalf("axe.run: %v", err)
	}
	var rep axeReport
	if err := json.Unmarshal([]byte(res.Result.Value.Str()), &rep); err != nil {
		tb.t.Fatalf("axe.run result: %v", err)
	}
	if len(rep.Rules) == 0 {
		tb.t.Fatalf("axe.run ran no rules")
	}
	axeRulesLogged.Do(func() {
		tb.t.Logf("axe-core %s runs %d rules (tags %s): %s", rep.Version, len(rep.Rules), axeTags, strings.Join(rep.Rules, " "))
	})
	return &rep
}

// report logs the rule count and fails on every violation.
func (r *axeReport) report(t testing.TB, where string) {
	t.Helper()
	t.Logf("%s: axe-core %s: %d rules, %d violations, %d need review %v",
		where, r.Version, len(r.Rules), len(r.Violations), len(r.Incomplete), r.Incomplete)
	for _, v := range r.Violations {
		for _, n := range v.Nodes {
			t.Errorf("%s: axe %s (%s): %s\n  target: %s\n  %s",
				where, v.ID, v.Impact, v.Help, strings.Join(n.Target, " "), strings.ReplaceAll(n.Summary, "\n", "\n  "))
		}
	}
}

// exception turns a JavaScript exception into an error.
func exception(d *proto.RuntimeExceptionDetails) error {
	msg := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		msg += " " + d.Exception.Description
	}
	return errors.New(msg)
}
