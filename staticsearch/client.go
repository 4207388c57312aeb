package staticsearch

import (
	_ "embed"
	"path/filepath"
)

//go:embed client.js
var clientJS []byte

// ClientPath returns the site path of the client script, named by its
// content so that it can be cached for ever (under ChunkDir).
func ClientPath() string {
	return ChunkDir + "/client-" + contentHash(clientJS) + ".js"
}

// WriteClient writes the client script into the site folder out at
// ClientPath.
func WriteClient(out string) error {
	return writeFile(filepath.Join(out, filepath.FromSlash(ClientPath())), clientJS)
}

// Client returns the client script.
func Client() []byte { return clientJS }
