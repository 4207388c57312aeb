// Package themes holds gongkai's default theme: templates, CSS, JavaScript and
// the UI strings, embedded in the binary. A site overrides any file by putting
// one with the same path under its theme/ folder.
package themes

import (
	"embed"
	"io/fs"
)

//go:embed all:default
var files embed.FS

// Default returns the default theme's files: templates/, static/ and i18n/.
func Default() fs.FS {
	sub, err := fs.Sub(files, "default")
	if err != nil {
		panic(err) // the embedded folder always exists
	}
	return sub
}
