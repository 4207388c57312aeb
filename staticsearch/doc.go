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
//	static/search/c/HASH.bin        the document table's columns, the OpenCC
//	                                tables
//	static/search/o/HASH.bin        the bitmap of the characters the OpenCC
//	                                tables map, not deflated: a query reads
//	                                the bytes of its own characters
//	static/search/p/GROUP.bin       postings of bigrams and words, a pack of
//	                                buckets
//	static/search/u/GROUP.bin       postings of single characters, likewise
//	static/search/d/BLOCK.bin       a pack of documents, two entries each:
//	                                the card (metadata, the text with the
//	                                body's lead) and the rest of the body
//	static/search/client-HASH.js    the client
//
// A pack (see putPack) is a header of the ends of its entries, then the
// entries, which the client reads with HTTP range requests (8 bytes of the
// header, then the entry); a server that ignores ranges sends all, and it
// still works. Rows go by agency, kind and date (rowOrder), which makes the
// facet column small. Every other .bin is raw
// deflate, and so is every entry. A chunk's content decides its name (HASH,
// or the hash of the pack's entries), so unchanged chunks keep their names
// across builds and may be cached for ever; Write links them from the
// previous build instead of writing them again, and a pack of postings or
// documents an edit changed takes the deflated entries that did not change
// (buckets without a changed term, rows of unchanged documents) from the
// previous build's pack.
package staticsearch
