//go:build unix

package generator

import (
	"io/fs"
	"syscall"
)

// openNoBlock keeps an open from waiting on a named pipe that replaced a
// checked file; the check after the open then refuses it.
const openNoBlock = syscall.O_NONBLOCK

// links returns the number of names of the file fi describes (0 when
// unknown).
func links(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 0
}

// fileID identifies the file fi describes across names (zero when unknown).
func fileID(fi fs.FileInfo) [2]uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return [2]uint64{uint64(st.Dev), uint64(st.Ino)}
	}
	return [2]uint64{}
}

// stampOf returns what identifies the version of the file fi describes:
// its device, inode, size, and modification and change times (ok false
// when unknown).
func stampOf(fi fs.FileInfo) (fileStamp, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileStamp{}, false
	}
	ct, ok := changeTime(st)
	if !ok {
		return fileStamp{}, false
	}
	return fileStamp{dev: uint64(st.Dev), ino: uint64(st.Ino), size: st.Size,
		mtime: fi.ModTime().UnixNano(), ctime: ct}, true
}
