package cli

import (
	"runtime"
	"syscall"
	"unsafe"
)

// hugePageSize is the size of a transparent huge page on the platforms Go
// runs Linux on with 4 KB pages (x86-64, arm64 with 4 KB granules).
const hugePageSize = 2 << 20

// MADV_HUGEPAGE and MADV_NOHUGEPAGE (the syscall package does not name
// them).
const (
	madvHugePage   = 14
	madvNoHugePage = 15
)

// rlimInfinity is RLIM_INFINITY: no limit.
const rlimInfinity = ^uint64(0)

// hugeRange is a range of the heap advised for transparent huge pages.
type hugeRange struct {
	start uintptr
	n     int // 0: nothing was advised
}

// hugePages asks the kernel to back the next n bytes the Go heap grows by
// with transparent huge pages: it allocates n bytes (address space only:
// the runtime does not touch fresh memory it hands out whole), advises
// MADV_HUGEPAGE on the 2 MB pages within them, and frees them again. The
// runtime never maps that range anew, so the advice stays on it, and the
// objects allocated there afterwards take one page fault per 2 MB instead
// of one per 4 KB. Nothing is advised when the kernel refuses or the
// process's address space is limited; when the kernel's transparent huge
// pages are off, the advice changes nothing.
func hugePages(n int) hugeRange {
	// The address space it takes could pass a limit on it (ulimit -v),
	// where running out is fatal: a process with one asks for nothing.
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_AS, &lim) != nil || lim.Cur != rlimInfinity {
		return hugeRange{}
	}
	b := make([]byte, n)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	off := int(-base & (hugePageSize - 1))
	end := off + (n-off)/hugePageSize*hugePageSize
	var r hugeRange
	if end > off && syscall.Madvise(b[off:end], madvHugePage) == nil {
		r = hugeRange{start: base + uintptr(off), n: end - off}
	}
	runtime.KeepAlive(b)
	b = nil
	// Collect now, with the heap still small, so that the range is free
	// for what comes next.
	runtime.GC()
	return r
}

// undo takes the advice back: what is allocated in the range from now on
// takes small pages (the huge pages already in use stay).
func (r hugeRange) undo() {
	if r.n > 0 {
		syscall.Syscall(syscall.SYS_MADVISE, r.start, uintptr(r.n), madvNoHugePage)
	}
}
