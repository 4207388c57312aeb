// Compares the client's query analysis with the server's on the same
// inputs: the Go test (TestAnalysisAgrees) writes the server's answers to
// $GONGKAI_VECTORS and a static index with the client as served to
// $GONGKAI_SITE, then runs this file with node --test.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { servedClient } from './served.mjs'

const vectors = JSON.parse(await readFile(process.env.GONGKAI_VECTORS, 'utf8'))
const site = process.env.GONGKAI_SITE
const { Store, parseQuery, queryString, fold, hasTraditional, toSimplified, parseDocNo, docNoKey, chineseNumber, parseChineseNumber } = await servedClient(site)
const store = new Store('/search/index.json', async (url, range) => { const b = await readFile(site + url); return new Uint8Array(range ? b.subarray(range[0], range[1]) : b) })
await store.load()
await store.opencc('資') // loads the Traditional tables

test('query analysis', () => {
  for (const v of vectors.queries) {
    const q = parseQuery(v.raw)
    const where = JSON.stringify(v.raw)
    assert.deepEqual(q.terms.map(t => [t.text, !!t.phrase, !!t.exclude]), v.terms.map(t => [t.text, !!t.phrase, !!t.exclude]), where + ' terms')
    assert.deepEqual(q.filters, v.filters, where + ' filters')
    assert.deepEqual(q.notices.map(n => [n.code, n.args.map(String)]), v.notices.map(n => [n.code, n.args]), where + ' notices')
    assert.equal(queryString(q), v.string, where + ' string')
    const an = store.analyzer.analyze(q.terms)
    assert.deepEqual(an.words.map(w => [w.text, w.forms, w.kind || '', !!w.exclude]), v.words.map(w => [w.text, w.forms, w.kind || '', !!w.exclude]), where + ' words')
    assert.deepEqual(an.dropped, v.dropped || [], where + ' dropped')
    assert.equal(an.intent, v.intent || '', where + ' intent')
    assert.equal(fold(v.raw), v.fold, where + ' fold')
    assert.equal(hasTraditional(v.raw), v.trad, where + ' hasTraditional')
    if (v.trad) assert.equal(toSimplified(v.raw), v.simplified, where + ' toSimplified')
    const dn = parseDocNo(v.raw)
    assert.equal(dn ? docNoKey(dn) : '', v.docno, where + ' document number')
  }
})

test('numerals', () => {
  for (const [n, s] of vectors.numbers) assert.equal(chineseNumber(n), s, String(n))
  for (const [s, n] of vectors.parsed) assert.equal(parseChineseNumber(Array.from(s, c => c.codePointAt(0))), n, s)
})
