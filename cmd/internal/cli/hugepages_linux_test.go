package cli

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestHugePagesAdvised: the range hugePages advises is, in the kernel's
// own account of the process's mappings (/proc/self/smaps), marked for
// transparent huge pages ("hg"), from its first byte to its last, and it
// is a whole number of 2 MB pages; undo marks it for small pages ("nh").
func TestHugePagesAdvised(t *testing.T) {
	r := hugePages(64 << 20)
	start, n := r.start, r.n
	if n == 0 {
		t.Skip("the kernel refused MADV_HUGEPAGE (built without transparent huge pages)")
	}
	if start%hugePageSize != 0 || n%hugePageSize != 0 || n < 60<<20 {
		t.Fatalf("advised %#x, %d bytes: want 2 MB pages, most of 64 MB", start, n)
	}
	for _, at := range []uintptr{start, start + uintptr(n) - 1} {
		flags, ok := vmaFlags(t, at)
		if !ok {
			t.Fatalf("no mapping holds %#x", at)
		}
		if !slices.Contains(flags, "hg") {
			t.Errorf("the mapping holding %#x has flags %q, without hg (MADV_HUGEPAGE)", at, flags)
		}
	}
	r.undo()
	for _, at := range []uintptr{start, start + uintptr(n) - 1} {
		flags, _ := vmaFlags(t, at)
		if !slices.Contains(flags, "nh") || slices.Contains(flags, "hg") {
			t.Errorf("after undo, the mapping holding %#x has flags %q, want nh and not hg", at, flags)
		}
	}
}

// vmaFlags returns the VmFlags of the mapping of this process that holds
// address at.
func vmaFlags(t *testing.T, at uintptr) ([]string, bool) {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("cannot read the process's mappings: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := strings.Cut(strings.Fields(line + " ")[0], "-"); ok && !strings.HasSuffix(line, ":") && !strings.Contains(lo, ":") {
			l, err1 := strconv.ParseUint(lo, 16, 64)
			h, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				in = uint64(at) >= l && uint64(at) < h
				continue
			}
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.Fields(strings.TrimPrefix(line, "VmFlags:")), true
		}
	}
	return nil, false
}
