// Summarises bench/pagefind.sh's measurements as a Markdown table: per
// query class, the bytes and requests of a query cold and warm, for
// gongkai's static search and for Pagefind, and where each ranks the
// documents a query must find (planted compounds, document numbers).
//
//   node summary.mjs QUERIES.tsv STATIC.jsonl PAGEFIND.jsonl CONTENT_DIR
//
// CONTENT_DIR is the converted site's content/: a corpus ID's page is
// /policy/INDEX-NO.html, its index number read from policies/ID.md.
import { readFileSync } from 'node:fs'

const [tsv, staticFile, pfFile, content] = process.argv.slice(2)
const pageOf = id => {
  const m = readFileSync(`${content}/policies/${id}.md`, 'utf8').match(/^index_no: (.*)$/m)
  return '/policy/' + m[1].trim().toLowerCase().replace('/', '-') + '.html'
}
const lines = f => readFileSync(f, 'utf8').split('\n').filter(l => l && !l.startsWith('#'))
const queries = lines(tsv).map(l => { const [cls, q, want = ''] = l.split('\t'); return { cls, q, want: want ? want.split(',') : [] } })
const st = lines(staticFile).map(l => JSON.parse(l))
const pf = lines(pfFile).map(l => JSON.parse(l))
// search.mjs answers three lines per query: cold, the previous query
// cold, then the query warm.
const ours = queries.map((_, i) => ({ cold: st[3 * i], warm: st[3 * i + 2] }))
const kb = v => (v / 1000).toFixed(1)
const p50 = v => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]
const max = v => Math.max(...v)
const rank = (urls, want) => {
  if (!want.length) return ''
  const r = want.map(id => urls.indexOf(pageOf(id)) + 1)
  return r.map(x => x === 0 ? '>10' : String(x)).join(',')
}
console.log('| class | queries | static cold KB p50/max | static cold req max | static warm KB p50/max | Pagefind cold KB p50/max | Pagefind cold req max | Pagefind warm KB p50/max | target rank static / Pagefind |')
console.log('|---|---|---|---|---|---|---|---|---|')
for (const cls of [...new Set(queries.map(q => q.cls))]) {
  const idx = queries.map((q, i) => q.cls === cls ? i : -1).filter(i => i >= 0)
  const sc = idx.map(i => ours[i].cold.read_bytes), sw = idx.map(i => ours[i].warm.read_bytes)
  const pc = idx.map(i => pf[i].cold.bytes), pw = idx.filter(i => pf[i].warm).map(i => pf[i].warm.bytes)
  const ranks = idx.filter(i => queries[i].want.length).map(i =>
    rank(ours[i].cold.results.map(r => r.url), queries[i].want) + ' / ' + rank(pf[i].cold.urls.map(u => new URL(u).pathname), queries[i].want))
  console.log(`| ${cls} | ${idx.length} | ${kb(p50(sc))} / ${kb(max(sc))} | ${max(idx.map(i => ours[i].cold.read_files))} | ${kb(p50(sw))} / ${kb(max(sw))} | ` +
    `${kb(p50(pc))} / ${kb(max(pc))} | ${max(idx.map(i => pf[i].cold.requests))} | ${kb(p50(pw))} / ${kb(max(pw))} | ${ranks.join('; ')} |`)
}
