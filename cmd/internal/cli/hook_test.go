package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreCommitHook installs docs/examples/pre-commit in a git repository
// of the tiny site and commits through it: a staged content error is
// refused with its file:line: field: message; a fix only in the working
// tree is still refused (the hook checks what is committed); the staged fix
// commits; a commit outside content/ and theme/ does not run check.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git binary")
	}
	bin := filepath.Join(t.TempDir(), "gongkai")
	if out, err := exec.Command("go", "build", "-o", bin, "gongkai/cmd/gongkai").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	site := writeSite(t, tinySite)
	git := func(env []string, args ...string) (string, error) {
		cmd := exec.Command("git", append([]string{"-C", site, "-c", "user.name=编辑", "-c", "user.email=editor@test.gov.cn",
			"-c", "commit.gpgsign=false", "-c", "core.hooksPath=.git/hooks"}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	mustGit := func(args ...string) {
		t.Helper()
		if out, err := git(nil, args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	mustGit("init", "-q", "-b", "main")
	mustGit("add", ".")
	mustGit("commit", "-q", "-m", "测试市的内容")
	hook, err := os.ReadFile("../../../docs/examples/pre-commit")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, ".git/hooks/pre-commit"), hook, 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"GONGKAI=" + bin, "GONGKAI_CHECK_FLAGS=-date 2024-12-01 -inspect=false"}

	a := filepath.Join(site, "content/policies/a.md")
	editFile(t, a, "date_written: 2024-01-05", "date_written: 2024-13-05")
	mustGit("add", "content/policies/a.md")
	out, err := git(env, "commit", "-m", "错误的日期")
	if err == nil {
		t.Fatalf("a commit with a content error went through:\n%s", out)
	}
	if !strings.Contains(out, "content/policies/a.md:8: date_written: ") || !strings.Contains(out, "gongkai check failed (exit 1)") {
		t.Errorf("the refused commit does not say where and why:\n%s", out)
	}

	editFile(t, a, "date_written: 2024-13-05", "date_written: 2024-01-06") // not staged
	if out, err := git(env, "commit", "-m", "错误的日期"); err == nil {
		t.Fatalf("the hook checked the working tree, not the staged file:\n%s", out)
	}

	mustGit("add", "content/policies/a.md")
	editFile(t, a, "date_written: 2024-01-06", "date_written: 2024-01-06\ntittle: x") // broken again, not staged
	if out, err := git(env, "commit", "-m", "更正成文日期"); err != nil {
		t.Fatalf("the staged fix was refused: %v\n%s", err, out)
	}

	// Outside content/ and theme/: check does not run (a missing binary
	// does not matter).
	if err := os.WriteFile(filepath.Join(site, "README.md"), []byte("说明\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGit("add", "README.md")
	if out, err := git([]string{"GONGKAI=" + filepath.Join(site, "no-such-gongkai")}, "commit", "-m", "说明"); err != nil {
		t.Errorf("a commit outside content/ ran the check: %v\n%s", err, out)
	}
}
