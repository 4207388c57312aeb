// Runs the static client on a built site folder without a browser: each
// line of standard input is the query string of a search (q=…&kind=…); each
// line of output is the response as JSON, with the bytes (as sent) and
// requests it made (a range request counts the range's bytes).
// It runs the client as the site serves it (static/search/client-*.js).
// A line starting with "cold " starts from nothing (a new page: the
// manifest and every chunk fetched again).
//
//	node search.mjs SITE_DIR [PREFIX] < queries
import { readFile, stat } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { servedClient, servedImport } from './served.mjs'

const [site, prefix = ''] = process.argv.slice(2)
const { Store, search, parseRequest } = await servedClient(site)
let bytes = 0, files = 0
// by: bytes per kind of read (GONGKAI_BREAKDOWN=1): the manifest, each
// table column, the headers and entries of postings and document packs.
const breakdown = process.env.GONGKAI_BREAKDOWN === '1'
let by = {}, cols = null
const kind = (url, range) => {
  if (url.endsWith('.json')) return 'manifest'
  const rel = url.slice(url.indexOf('static/search/') + 14)
  if (rel.startsWith('c/')) return 'c:' + (cols.get(rel) || rel)
  return rel.slice(0, 1) + (range && range[1] - range[0] <= 12 ? '-head' : '')
}
const note = (url, range, n) => {
  if (!breakdown) return
  if (!cols) {
    cols = new Map()
    const walk = (o, k) => { if (typeof o === 'string' && o.startsWith('c/')) cols.set(o, k); else if (o && typeof o === 'object') for (const [j, v] of Object.entries(o)) walk(v, k ? k + '.' + j : j) }
    readFile(site + '/search/index.json', 'utf8').then(t => walk(JSON.parse(t), ''))
  }
  const k = kind(url, range)
  by[k] = (by[k] || 0) + n
}
const get = async (url, range) => {
  if (!url.startsWith(prefix + '/')) throw new Error('request outside the site: ' + url)
  const path = site + url.slice(prefix.length)
  let b = await readFile(path)
  if (range) {
    if (range[0] < 0 || range[1] > b.length || range[0] >= range[1]) throw new Error(`bad range ${range} of ${url}`)
    b = b.subarray(range[0], range[1])
    bytes += b.length; files++
    note(url, range, b.length)
    return new Uint8Array(b.buffer, b.byteOffset, b.length)
  }
  // What is sent: the .gz copy of a file that has one (the manifest), to a
  // browser that takes gzip, as gongkai serve and nginx's gzip_static do.
  const sent = await stat(path + '.gz').then(s => s.size, () => b.length)
  bytes += sent; files++
  note(url, null, sent)
  return new Uint8Array(b.buffer, b.byteOffset, b.length)
}
const newStore = () => Object.assign(new Store(prefix + '/search/index.json', get), { imp: u => servedImport(site, u.slice(prefix.length)) })
let store = newStore()
for await (let line of createInterface({ input: process.stdin })) {
  if (line.startsWith('cold ')) {
    store = newStore()
    line = line.slice(5)
  }
  const b0 = bytes, f0 = files
  by = {}
  let out
  try {
    const resp = await search(store, parseRequest(new URLSearchParams(line)), prefix + '/search')
    out = { ...resp, read_bytes: bytes - b0, read_files: files - f0 }
    if (breakdown) out.read_by = by
  } catch (e) {
    out = { error: String(e && e.stack || e) }
  }
  process.stdout.write(JSON.stringify(out) + '\n')
}
