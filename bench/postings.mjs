// Prints what the static index's postings bucket of each term holds: the
// bucket entry's size as stored (deflated) and raw, the other terms that
// share it, and per field of the term its documents, the bytes of their
// gaps and of their frequencies, and the largest frequency. Format 5 of
// the static search (docs/search.md, "The index").
//
//	node bench/postings.mjs PUBLIC_DIR TERM...
import { readFileSync } from 'node:fs'
import { inflateRawSync } from 'node:zlib'

const [site, ...terms] = process.argv.slice(2)
if (!site || terms.length === 0) {
  console.error('usage: node bench/postings.mjs PUBLIC_DIR TERM...')
  process.exit(2)
}
const m = JSON.parse(readFileSync(site + '/search/index.json', 'utf8'))
const fields = m.fields, s = m.postings
// FNV-1a over the term's UTF-8 bytes, as staticsearch.bucketOf.
const fnv = t => {
  let h = 0x811c9dc5
  for (const b of Buffer.from(t)) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h
}
class Reader {
  constructor(b) { this.b = b; this.i = 0 }
  uint() {
    let v = 0
    for (let sh = 0; ; sh += 7) {
      const c = this.b[this.i++]
      v += (c & 127) * 2 ** sh
      if (c < 128) return v
    }
  }
  str() { const n = this.uint(), t = this.b.subarray(this.i, this.i + n).toString(); this.i += n; return t }
}
for (const term of terms) {
  const b = fnv(term) % s.buckets, p = Math.floor(b / m.group), i = b - p * m.group
  const f = readFileSync(`${site}/static/search/${s.dir}/${s.groups[p]}.bin`)
  const head = 4 + 4 * Math.min(m.group, s.buckets - p * m.group)
  const end = j => (j < 0 ? 0 : f.readUInt32LE(4 + 4 * j))
  const stored = f.subarray(head + end(i - 1), head + end(i))
  const r = new Reader(inflateRawSync(stored))
  const others = [], lines = []
  for (let k = r.uint(); k > 0; k--) {
    const t = r.str()
    for (let nf = r.uint(); nf > 0; nf--) {
      const field = fields[r.uint()], n = r.uint()
      const g0 = r.i
      for (let x = 0; x < n; x++) r.uint()
      const f0 = r.i
      let max = 0
      for (let x = 0; x < n; x++) max = Math.max(max, r.uint())
      if (t === term) lines.push(`  ${field}: ${n} documents, gaps ${f0 - g0} B, frequencies ${r.i - f0} B, largest ${max}`)
    }
    if (t !== term) others.push(t)
  }
  console.log(`${term}: bucket ${b}, ${stored.length} B stored, ${r.b.length} B raw; shared with ${others.length} other terms`)
  console.log(lines.length ? lines.join('\n') : '  not in the index')
}
