// Runs Pagefind's own client (SITE/pagefind/pagefind.js, as a browser loads
// it) in Node against SITE served on 127.0.0.1, and reports what each query
// transfers: each input line is a query; each output line is JSON with the
// bytes and requests of the query cold (a new page) and warm (the same
// page after the previous query), the result count and the top 10 URLs.
// A query's cost includes the data of the results shown (up to 10), as a
// results page loads them, and not pagefind.js itself (imported from a
// data: URL).
//
//   node query.mjs SITE < queries
import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { join, normalize } from 'node:path'
import { gzipSync } from 'node:zlib'

const site = process.argv[2]
let bytes = 0, requests = 0
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname))
  try {
    const b = await readFile(join(site, path))
    // Text files count as a web server sends them gzipped; Pagefind's own
    // files are compressed already.
    bytes += /\.(js|json|css)$/.test(path) ? gzipSync(b, { level: 9 }).length : b.length; requests++
    res.writeHead(200, { 'Content-Length': b.length })
    res.end(b)
  } catch {
    res.writeHead(404); res.end()
  }
})
await new Promise(r => server.listen(0, '127.0.0.1', r))
const base = `http://127.0.0.1:${server.address().port}/pagefind/`
const source = (await readFile(join(site, 'pagefind', 'pagefind.js'))).toString('base64')
let instances = 0
async function fresh () {
  // A new module instance: a page that has fetched nothing yet.
  const pf = await import(`data:text/javascript;base64,${source}#${instances++}`)
  await pf.options({ basePath: base })
  return pf
}
async function run (pf, q) {
  const b0 = bytes, r0 = requests
  const r = await pf.search(q)
  const shown = await Promise.all(r.results.slice(0, 10).map(x => x.data()))
  return { bytes: bytes - b0, requests: requests - r0, total: r.results.length, urls: shown.map(d => d.url) }
}
let prev = null
for await (const q of createInterface({ input: process.stdin })) {
  const cold = await run(await fresh(), q)
  let warm = null
  if (prev !== null) {
    const pf = await fresh()
    await run(pf, prev)
    warm = await run(pf, q)
  }
  process.stdout.write(JSON.stringify({ q, cold, warm }) + '\n')
  prev = q
}
server.close()
