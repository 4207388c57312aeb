// Package search is the portal's full-text search: an index built from the
// published records, and an HTTP service that answers queries with a
// complete HTML page (no JavaScript needed), JSON and an OpenSearch
// description.
//
// # Matching
//
// A query is a list of terms: words, "quoted phrases" and -excluded terms,
// plus filters (agency:…, year:…; see ParseQuery). A document matches a
// term when its title, summary, body or metadata (document number, index
// number, agencies, topic, keywords, URL) contains the term as a
// substring, after folding case and full-width forms (ＡＢＣ１２３ = abc123,
// （ = (, 〔 = [). Any run of two or more Chinese characters that occurs in a
// document finds it, and so does a single character. Letters and digits at
// the ends of a term match whole words: 2024 does not match inside 20245. An
// unquoted word mixing Chinese with letters or digits matches in pieces:
// 12345热线 finds 12345政务服务便民热线.
// A document number matches in any common spelling: 成委发〔2003〕38号,
// 成委发[2003]38号, 成委发(2003)38号 and 成委发2003年38号 are the same.
//
// When no document contains every term, the search falls back to documents
// holding most of the query's bigrams, marked as partial matches. Quoted
// phrases and document numbers never fall back.
//
// # Ranking
//
// Results come in tiers: documents whose title equals the query or whose
// document or index number is the query; then documents with every term in
// the title; then documents containing the query as one phrase; then the
// rest. Within a tier, expired and repealed documents come after the others,
// titles the query makes up more of come first, then BM25 over the title,
// summary, body and metadata (title weighted 4, summary and metadata 2, body
// 1) decides; on a tie documents in force come before amended ones, newer
// before older.
//
// # Index
//
// Build writes a directory holding a bleve index and two files of its own.
// bleve holds, for each field, the overlapping bigrams of Chinese text and
// the words of Latin text and digits, without positions (term vectors would
// triple the index). The text file holds every document's text as UTF-16, so
// that phrases can be checked exactly, single characters found, and snippets
// highlighted from the text itself. The document table holds what result
// lists and facets need; facet counts are computed from it, exactly. A
// rebuild reuses the previous index and re-indexes only documents whose
// hash changed.
package search
