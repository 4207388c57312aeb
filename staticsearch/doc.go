// Package staticsearch writes the static search index: the same analysis
// as the server's index (package search), split into immutable chunk files
// under public/static/search/ and a small manifest at
// public/search/index.json, which the JavaScript client (client.js) loads
// to search a site served as plain files, without the search service.
//
// # Files
//
//	search/index.json               manifest: counts, names of groups and
//	                                blocks, ranking constants, settings, labels
//	static/search/c/HASH.bin        the document table and OpenCC tables
//	static/search/p/GROUP/B.bin     postings of bigrams and words, bucket B
//	static/search/u/GROUP/B.bin     postings of single characters
//	static/search/d/BLOCK/ROW.bin   one document: metadata and stored text
//	static/search/client-HASH.js    the client
//
// Every .bin is raw deflate. A chunk's content decides its name (HASH, or
// the GROUP or BLOCK it belongs to, named by the hash of their contents),
// so unchanged chunks keep their names across builds and may be cached
// for ever; Write links them from the previous build instead of writing
// them again.
package staticsearch
