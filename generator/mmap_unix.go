//go:build unix

package generator

import (
	"os"
	"syscall"
)

// mapReadOnly maps the first size bytes of f read-only (packStore.mapped).
// The mapping is never unmapped: what is decoded from it points into it.
func mapReadOnly(f *os.File, size int64) ([]byte, bool) {
	if size <= 0 || int64(int(size)) != size {
		return nil, false
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	return b, err == nil
}
