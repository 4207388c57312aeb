package generator

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"text/template/parse"

	"gongkai/themes"
)

// templateKeys returns the constant UI-string keys the templates of th ask
// T for ({{T "key"}}, (T "key")), with the templates that use them.
func templateKeys(th *Theme) map[string][]string {
	keys := map[string][]string{}
	var walk func(name string, n parse.Node)
	walk = func(name string, n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(name, c)
			}
		case *parse.ActionNode:
			walk(name, n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(name, c)
			}
		case *parse.CommandNode:
			if len(n.Args) >= 2 {
				if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "T" {
					if s, ok := n.Args[1].(*parse.StringNode); ok && !slices.Contains(keys[s.Text], name) {
						keys[s.Text] = append(keys[s.Text], name)
					}
				}
			}
			for _, a := range n.Args {
				walk(name, a)
			}
		case *parse.IfNode:
			walk(name, n.Pipe)
			walk(name, n.List)
			walk(name, n.ElseList)
		case *parse.RangeNode:
			walk(name, n.Pipe)
			walk(name, n.List)
			walk(name, n.ElseList)
		case *parse.WithNode:
			walk(name, n.Pipe)
			walk(name, n.List)
			walk(name, n.ElseList)
		case *parse.TemplateNode:
			walk(name, n.Pipe)
		}
	}
	for _, page := range th.pages {
		for _, t := range page.Templates() {
			if t.Tree != nil {
				walk(t.Name(), t.Tree.Root)
			}
		}
	}
	return keys
}

// TestTemplateStringsExist: every UI string a template asks for by a
// constant key is in the theme's i18n file, so no page shows a bare key.
func TestTemplateStringsExist(t *testing.T) {
	th := theme(t)
	keys := templateKeys(th)
	if len(keys) < 100 {
		t.Fatalf("found only %d keys in the templates; the walk is missing some", len(keys))
	}
	var missing []string
	for k, where := range keys {
		if _, ok := th.strings[k]; !ok {
			missing = append(missing, k+" (used in "+strings.Join(where, ", ")+")")
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("templates use UI strings missing from i18n/zh-CN.yaml:\n%s", strings.Join(missing, "\n"))
	}
}

// TestTemplateKeysFound: the walk finds keys in actions, pipelines,
// conditions, ranges and nested templates alike.
func TestTemplateKeysFound(t *testing.T) {
	site := fstest.MapFS{"templates/probe.html": {Data: []byte(
		`{{define "main"}}{{T "probe_a"}}{{if .Title}}{{printf "%s" (T "probe_b")}}{{end}}{{range .Feeds}}{{T "probe_c"}}{{else}}{{with .Title}}{{T "probe_d"}}{{end}}{{end}}{{end}}{{template "layout" .}}`)}}
	th, err := LoadTheme(themes.Default(), site)
	if err != nil {
		t.Fatal(err)
	}
	keys := templateKeys(th)
	for _, k := range []string{"probe_a", "probe_b", "probe_c", "probe_d", "skip", "site_nav"} {
		if len(keys[k]) == 0 {
			t.Errorf("key %q not found", k)
		}
	}
}
