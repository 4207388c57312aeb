package staticsearch

import (
	_ "embed"
	"path/filepath"
	"strings"
	"sync"
)

//go:embed client.js
var clientSource string

// client is the script as served: client.js without its comment lines and
// indentation (it has no multi-line strings, so lines stand alone), which
// keeps it under 20 KB compressed without a build step.
var client = sync.OnceValue(func() []byte {
	var b strings.Builder
	for line := range strings.Lines(clientSource) {
		line = strings.TrimLeft(line, " \t")
		if strings.HasPrefix(line, "//") || strings.TrimSpace(line) == "" {
			continue
		}
		b.WriteString(line)
	}
	return []byte(b.String())
})

// ClientPath returns the site path of the client script, named by its
// content so that it can be cached for ever (under ChunkDir).
func ClientPath() string {
	return ChunkDir + "/client-" + contentHash(client()) + ".js"
}

// WriteClient writes the client script into the site folder out at
// ClientPath.
func WriteClient(out string) error {
	return writeFile(filepath.Join(out, filepath.FromSlash(ClientPath())), client())
}

// Client returns the client script as served.
func Client() []byte { return client() }
