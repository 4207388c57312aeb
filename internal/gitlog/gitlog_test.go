package gitlog

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// repo makes a git repository in a temporary folder and returns a
// function that commits the given files with a fixed date and message.
func repo(t *testing.T) (string, func(date, msg string, files map[string]string)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git binary")
	}
	dir := t.TempDir()
	git := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=编辑", "-c", "user.email=editor@example.gov.cn", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git(nil, "init", "-q", "-b", "main")
	return dir, func(date, msg string, files map[string]string) {
		t.Helper()
		for name, text := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if text == "" {
				git(nil, "rm", "-q", name)
				continue
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			git(nil, "add", name)
		}
		git([]string{"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date}, "commit", "-q", "-m", msg)
	}
}

func TestRead(t *testing.T) {
	dir, commit := repo(t)
	if _, err := Read(context.Background(), dir); !errors.Is(err, ErrNotRepository) {
		t.Errorf("an empty repository: %v, want ErrNotRepository", err)
	}
	commit("2024-01-02T10:00:00+08:00", "发布两份文件", map[string]string{"content/policies/a.md": "a", "content/policies/中文 名.md": "b", "README.md": "x"})
	commit("2024-02-03T09:30:00+08:00", "更正a的文号\n\n详细说明", map[string]string{"content/policies/a.md": "a2"})
	commit("2024-03-04T08:00:00+08:00", "只改说明", map[string]string{"README.md": "y"})
	commit("2024-04-05T08:00:00+08:00", "删除b", map[string]string{"content/policies/中文 名.md": ""})

	got, err := Read(context.Background(), dir, "content")
	if err != nil {
		t.Fatal(err)
	}
	subjects := func(cs []Commit) []string {
		var s []string
		for _, c := range cs {
			s = append(s, c.Time.Format(time.DateOnly)+" "+c.Subject)
		}
		return s
	}
	if s := subjects(got["content/policies/a.md"]); !slices.Equal(s, []string{"2024-02-03 更正a的文号", "2024-01-02 发布两份文件"}) {
		t.Errorf("a.md: %q", s)
	}
	if s := subjects(got["content/policies/中文 名.md"]); !slices.Equal(s, []string{"2024-04-05 删除b", "2024-01-02 发布两份文件"}) {
		t.Errorf("中文 名.md (unquoted, with a space): %q", s)
	}
	if _, ok := got["README.md"]; ok {
		t.Error("a file outside the paths asked for is listed")
	}
	c := got["content/policies/a.md"][0]
	if want := time.Date(2024, 2, 3, 1, 30, 0, 0, time.UTC); !c.Time.Equal(want) || len(c.Hash) < 40 {
		t.Errorf("commit = %+v, want time %s and a full hash", c, want)
	}

	// A sub-folder of the repository: paths are relative to it.
	sub, err := Read(context.Background(), filepath.Join(dir, "content"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sub["policies/a.md"]) != 2 || len(sub) != 2 {
		t.Errorf("from content/: %v", sub)
	}

	// A folder outside any repository.
	if _, err := Read(context.Background(), t.TempDir()); !errors.Is(err, ErrNotRepository) {
		t.Errorf("outside a repository: %v, want ErrNotRepository", err)
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for _, in := range []string{"content/a.md\x00", recSep + "abc\x00", recSep + "h" + unitSep + "yesterday" + unitSep + "s\x00"} {
		if _, err := parse([]byte(in)); err == nil {
			t.Errorf("parse(%q) accepted it", in)
		}
	}
}
