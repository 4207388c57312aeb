package browsertest

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
)

// skipped collects why browser tests were skipped, so that the test binary
// can say so where `go test ./...` shows it: go test prints only "ok" for a
// package that passes, hiding every t.Skip message unless -v is given.
var skipped struct {
	sync.Mutex
	reasons map[string]int // reason → tests skipped for it
}

func noteSkip(reason string) {
	skipped.Lock()
	defer skipped.Unlock()
	if skipped.reasons == nil {
		skipped.reasons = map[string]int{}
	}
	skipped.reasons[reason]++
}

// reportSkips writes the skip reasons, if any, to the terminal (where go
// test cannot hide them) or, without one, to standard error.
func reportSkips() {
	skipped.Lock()
	defer skipped.Unlock()
	if len(skipped.reasons) == 0 {
		return
	}
	var w io.Writer = os.Stderr
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		w = tty
	}
	reasons := make([]string, 0, len(skipped.reasons))
	for r := range skipped.reasons {
		reasons = append(reasons, r)
	}
	slices.Sort(reasons)
	var b strings.Builder
	b.WriteString("gongkai/cmd/internal/browsertest: browser tests SKIPPED (the package still reports ok):\n")
	for _, r := range reasons {
		fmt.Fprintf(&b, "  %d skipped: %s\n", skipped.reasons[r], r)
	}
	b.WriteString("  Install what they need (README, \"Two commands on a fresh machine\"), or set GONGKAI_REQUIRE_BROWSER=1 to make a skip a failure.\n")
	io.WriteString(w, b.String())
}
