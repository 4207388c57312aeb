package cli

import (
	"context"
	"errors"

	"gongkai/generator"
	"gongkai/internal/gitlog"
)

// revisionProblems gives the records of c their 修订记录 from the git
// history of the site folder source, when site.yaml switches
// revision_history on. Only HEAD's history counts, so a build of a given
// commit shows the same revisions whatever the working tree holds. A site
// that is not a git checkout (an exported copy) builds without them, with
// a warning.
func revisionProblems(ctx context.Context, c *generator.Content, source string) generator.Problems {
	if c.Site == nil || !c.Site.RevisionHistory {
		return nil
	}
	var probs generator.Problems
	commits, err := gitlog.Read(ctx, source, "content")
	if err != nil {
		msg := "no 修订记录 shown: %v"
		if errors.Is(err, gitlog.ErrNotRepository) {
			msg = "no 修订记录 shown: the site folder is not a git checkout with commits (%v)"
		}
		probs.Warnf(c.Site.Pos("revision_history"), "revision_history", msg, err)
		return probs
	}
	revs := make(map[string][]generator.Revision, len(commits))
	for path, cs := range commits {
		for _, cm := range cs {
			revs[path] = append(revs[path], generator.Revision{Date: cm.Time, Message: cm.Subject})
		}
	}
	c.SetRevisions(revs)
	return nil
}
