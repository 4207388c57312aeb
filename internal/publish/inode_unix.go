//go:build unix

package publish

import (
	"os"
	"syscall"
)

// inode returns the inode number of fi, which identifies a folder across
// renames.
func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
