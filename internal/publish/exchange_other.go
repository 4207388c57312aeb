//go:build !linux

package publish

// exchange is not available here: Commit falls back to two renames.
func exchange(a, b string) error { return errNoExchange }
