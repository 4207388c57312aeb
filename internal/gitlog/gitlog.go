// Package gitlog reads, through the git binary, which commits changed
// which files of a folder in a git repository: the 修订记录 of records.
// It reads the history of HEAD only, never the working tree, so what it
// returns is fixed for a given commit. It imports nothing of the project.
package gitlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Commit is one commit that changed a file.
type Commit struct {
	Hash    string
	Time    time.Time // committer date, with the committer's offset
	Subject string    // the message's first paragraph, on one line
}

// ErrNotRepository is returned when the folder is not in a git work tree
// (an exported copy, a tarball) or the repository has no commit yet.
var ErrNotRepository = errors.New("not in a git repository with commits")

// Separators of the log format: a record separator before each commit's
// header, a unit separator between its fields; -z ends headers and file
// names with NUL.
const (
	recSep  = "\x1e"
	unitSep = "\x1f"
)

// Read returns the commits of HEAD's history that changed each file under
// the folder dir (optionally only under the sub-paths given), newest first,
// keyed by the file's path relative to dir with forward slashes
// ("content/policies/x.md"). Renames are not followed: a renamed file's
// history starts at the rename. Merge commits are not listed (the commits
// they merge are). The git binary must be on PATH.
func Read(ctx context.Context, dir string, paths ...string) (map[string][]Commit, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, fmt.Errorf("git log %s: %w", dir, err)
	}
	check := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
	check.Env = gitEnv()
	if out, err := check.Output(); err != nil || len(bytes.TrimSpace(out)) == 0 {
		return nil, fmt.Errorf("git log %s: %w", dir, ErrNotRepository)
	}
	args := []string{"-C", dir, "-c", "core.quotepath=false", "-c", "log.showSignature=false",
		"log", "--no-renames", "--no-merges", "-z", "--no-color", "--format=" + recSep + "%H" + unitSep + "%cI" + unitSep + "%s",
		"--name-only", "--relative", "HEAD", "--"}
	args = append(args, paths...)
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = gitEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git log %s: %w: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	return parse(out)
}

// gitEnv is the environment git runs in: the caller's, with no pager, no
// prompt and the C locale for its messages.
func gitEnv() []string {
	return append(exec.Command("git").Environ(), "GIT_PAGER=cat", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
}

// parse reads the output of git log -z --name-only with the format above.
func parse(out []byte) (map[string][]Commit, error) {
	res := map[string][]Commit{}
	var cur *Commit
	for _, tok := range strings.Split(string(out), "\x00") {
		tok = strings.TrimLeft(tok, "\n")
		if tok == "" {
			continue
		}
		if h, ok := strings.CutPrefix(tok, recSep); ok {
			f := strings.SplitN(h, unitSep, 3)
			if len(f) != 3 {
				return nil, fmt.Errorf("git log: malformed commit header %q", h)
			}
			t, err := time.Parse(time.RFC3339, f[1])
			if err != nil {
				return nil, fmt.Errorf("git log: commit %s: date %q: %w", f[0], f[1], err)
			}
			cur = &Commit{Hash: f[0], Time: t, Subject: strings.TrimSpace(f[2])}
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("git log: file %q before any commit", tok)
		}
		res[tok] = append(res[tok], *cur)
	}
	return res, nil
}
