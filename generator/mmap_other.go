//go:build !unix

package generator

import "os"

// mapReadOnly cannot map files here: packs are read.
func mapReadOnly(*os.File, int64) ([]byte, bool) { return nil, false }
