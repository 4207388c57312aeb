//go:build darwin || freebsd || netbsd

package generator

import "syscall"

// changeTime returns the status change time of st in nanoseconds.
func changeTime(st *syscall.Stat_t) (int64, bool) { return st.Ctimespec.Nano(), true }
