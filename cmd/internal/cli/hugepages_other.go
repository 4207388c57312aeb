//go:build !linux

package cli

// hugeRange is a range of the heap advised for huge pages: none here.
type hugeRange struct{}

// hugePages does nothing where transparent huge pages are not Linux's.
func hugePages(int) hugeRange { return hugeRange{} }

func (hugeRange) undo() {}
