//go:build !linux

package search

// threadCPU is not measured outside Linux.
func threadCPU() int64 { return 0 }
