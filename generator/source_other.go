//go:build !unix

package generator

import "io/fs"

const openNoBlock = 0

func links(fs.FileInfo) uint64 { return 0 }

func fileID(fs.FileInfo) [2]uint64 { return [2]uint64{} }

// stampOf is unknown here: a warm build reads every file (warm.go).
func stampOf(fs.FileInfo) (fileStamp, bool) { return fileStamp{}, false }
