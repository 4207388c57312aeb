//go:build !unix

package publish

import "os"

// inode is unknown here; recovery then goes by which paths exist.
func inode(os.FileInfo) uint64 { return 0 }
