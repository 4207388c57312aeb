// gongkai static search, the part loaded only when a search finds no
// document holding every word (client.js imports it then): partial matches
// (relax, as search.go's), and no dead ends, as search/suggest.go and
// search.go's noResults offer them: other spellings from the site's own
// titles and subject words, the nearest columns, the apply link. The
// client passes its functions in c; the site's words come from the
// manifest's vocab packs: per character pair the rows holding it, and the
// rows' words, read only for the pairs of a word no document holds and for
// the rows chosen.

const MAX_SUGGESTIONS = 3

// noResults returns the messages of a search that found nothing
// (search.go noResults).
export async function noResults(c) {
  const { q, an, st, withQ, label } = c
  const msg = { code: 'no_results', text: label(st, 'search_msg_no_results') }
  if (q.filters.some(Boolean)) {
    msg.text = label(st, 'search_msg_no_results_filters'); msg.links = []
    c.FACETS.forEach((_, f) => { const v = q.filters[f]; if (v) msg.links.push({ label: label(st, 'search_remove_value', c.facetValueLabel(st, f, v)), url: withQ(x => { x.filters[f] = '' }) }) })
    if (msg.links.length > 1) msg.links.push({ label: label(st, 'search_remove_all_filters'), url: withQ(x => { x.filters = ['', '', '', '', '', ''] }) })
  } else if (q.terms.length > 1) msg.text = label(st, 'search_msg_no_results_terms')
  const out = [msg]
  if (!q.terms.length) return out
  out.push(...await didYouMean(c))
  const cols = nearestColumns(c)
  if (cols.length) out.push({ code: 'nearest_columns', text: label(st, 'search_nearest_columns'), links: cols.map(x => ({ label: x.label, url: x.url })) })
  if (st.apply_url) out.push({ code: 'apply', text: label(st, 'search_apply'), links: [{ label: label(st, 'search_apply_link'), url: st.apply_url }] })
  return out
}

// didYouMean returns the did-you-mean message, if there are other
// spellings (search.go didYouMean), for no results or partial ones.
export async function didYouMean(c) {
  const sug = await suggest(c)
  return sug.length ? [{ code: 'did_you_mean', text: c.label(c.st, 'search_did_you_mean'), links: sug.map(s => ({ label: s, url: c.withQ(x => { x.terms = c.parseQuery(s).terms }) })) }] : []
}

// nearestColumns mirrors search/suggest.go nearestColumns.
function nearestColumns(c) {
  const { an, m, st, T } = c
  if (!st.columns || !st.columns.length) return []
  const score = new Map()
  ;((m.store.intents || {})[an.intent] || []).forEach((k, i) => score.set(k, (1 << 30) - i))
  const grams = []
  for (const w of an.words) if (!w.exclude) for (const f of w.forms) { const g = c.termGrams(c.fold(f)); for (const x of g.bigrams.concat(g.words)) if (!grams.includes(x)) grams.push(x) }
  if (grams.length > 0 && grams.length <= 64 && grams.every(g => m.post.has(g))) {
    const count = new Map()
    for (const g of grams) for (const r of m.collectWord(c.compileWord({ text: g, forms: [g], kind: '' })).rows) count.set(r, (count.get(r) || 0) + 1)
    const need = Math.max(1, Math.floor((grams.length + 1) / 2))
    for (const [r, n] of count) if (n >= need) { const k = T.dict[0][T.col[0][r] - 1]; score.set(k, (score.get(k) || 0) + 1) }
  }
  const cols = []
  for (const x of st.columns) { let n = 0; for (const k of x.kinds || []) n = Math.max(n, score.get(k) || 0); if (n > 0) cols.push([x, n]) }
  return cols.sort((a, b) => b[1] - a[1]).slice(0, 3).map(x => x[0])
}

// suggest mirrors search/suggest.go suggest: queries like q in which a word
// no document holds is replaced by the closest stretch of a title or
// subject word.
async function suggest(c) {
  const { an, m } = c
  const cands = []
  for (const w of an.words) {
    if (w.exclude || w.kind && w.kind !== 'phrase') continue
    const rs = Array.from(c.fold(w.text), x => x.codePointAt(0))
    if (rs.length < 2 || rs.length > 16 || await held(c, w)) continue
    const maxDist = rs.length >= 5 ? 2 : 1
    const found = new Map(), freq = new Map()
    const rows = await vocabRows(c, rs), words = await vocabWords(c, rows), k = V(c).block
    for (const row of rows) {
      // The title, then each metadata item (search/suggest.go vocabulary).
      const x = words.get(Math.floor(row / k))[row % k]
      for (const v of [x[0], ...x[1].split(' ')]) {
        const [s, d] = closestSubstring(c, rs, v)
        if (d === 0 || d > maxDist || s.length < 2) continue
        const k = String.fromCodePoint(...s)
        if (!found.has(k) || d < found.get(k)) found.set(k, d)
        freq.set(k, (freq.get(k) || 0) + 1)
      }
    }
    for (const [s, d] of found) cands.push({ word: w.text, repl: s, dist: d, freq: freq.get(s) })
  }
  cands.sort((a, b) => a.dist - b.dist || b.freq - a.freq || (a.repl < b.repl ? -1 : a.repl > b.repl ? 1 : 0))
  const out = [], text = c.queryString(c.q)
  for (const x of cands) {
    const s = text.replace(x.word, () => x.repl)
    if (s !== text && !out.includes(s)) out.push(s)
    if (out.length === MAX_SUGGESTIONS) break
  }
  return out
}

// held reports whether some document holds word w (suggest.go anyHolds);
// when the postings it needs are not loaded, it says so (no suggestion).
async function held(c, w) {
  const cw = c.compileWord(w)
  if (!cw.indexed) return true
  try {
    return await heldSomewhere(c.m, cw, c.m.collectWord(cw), c.MAX_VERIFY)
  } catch {
    return true
  }
}

// vocabRows returns rows whose title or metadata hold at least half of the
// character pairs of rs in the title, keyword and meta fields (one count
// per field holding a pair), most first, at most 200 (suggest.go
// vocabRows), from the vocabulary's buckets of those pairs.
async function vocabRows(c, rs) {
  const grams = []
  for (let i = 0; i + 1 < rs.length; i++) if (c.isCJK(rs[i]) && c.isCJK(rs[i + 1])) { const g = String.fromCodePoint(rs[i], rs[i + 1]); if (!grams.includes(g)) grams.push(g) }
  if (!grams.length) return []
  const need = Math.max(1, Math.floor((grams.length + 1) / 2)), count = new Map(), rows = []
  for (const g of grams) {
    const b = await vocabEntry(c, 'pairs', fnv(g) % V(c).pairs.buckets, decodePairs)
    for (const [r, n] of b.get(g) || []) count.set(r, (count.get(r) || 0) + n)
  }
  for (const [r, n] of count) if (n >= need) rows.push([r, n])
  return rows.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 200).map(x => x[0])
}

const V = c => c.m.store.m.vocab
// vocabEntry reads entry k of the vocabulary's pairs, decoded.
function vocabEntry(c, set, k, decode) {
  const s = V(c)[set], st = c.m.store
  return st.memo('v' + set + k, async () => decode((await st.entries(s.dir, s.groups, st.m.group, s.buckets, k, 1))[0]))
}
// vocabWords reads the entries of the vocabulary's rows that hold rows,
// by entry: one read for each run of adjacent entries of a pack.
async function vocabWords(c, rows) {
  const v = V(c), s = v.rows, st = c.m.store, size = st.m.group, out = new Map(), runs = []
  const ks = [...new Set(rows.map(r => Math.floor(r / v.block)))].sort((a, b) => a - b)
  for (let i = 0, j; i < ks.length; i = j + 1) {
    for (j = i; j + 1 < ks.length && ks[j + 1] === ks[j] + 1 && ks[j + 1] % size; ) j++
    runs.push(st.entries(s.dir, s.groups, size, s.buckets, ks[i], j - i + 1).then(es => es.forEach((e, x) => out.set(ks[i] + x, JSON.parse(new TextDecoder().decode(e))))))
  }
  await Promise.all(runs)
  return out
}
// decodePairs reads a bucket of pairs: per pair its rows (as gaps), each
// with the number of fields holding it.
function decodePairs(b) {
  let i = 0
  const u = () => { let v = 0, m = 1, x; do { x = b[i++]; v += (x & 127) * m; m *= 128 } while (x & 128); return v }
  const out = new Map()
  for (let k = u(); k > 0; k--) {
    const n = u(), t = new TextDecoder().decode(b.subarray(i, i += n)), list = []
    for (let j = u(), r = -1; j > 0; j--) { r += u(); list.push([r, u()]) }
    out.set(t, list)
  }
  return out
}
function fnv(s) {
  let h = 0x811c9dc5
  for (const x of new TextEncoder().encode(s)) h = Math.imul(h ^ x, 0x01000193) >>> 0
  return h
}

// closestSubstring returns the stretch of t closest to p by edit distance
// (Sellers' algorithm), folded, and the distance (suggest.go).
function closestSubstring(c, p, text) {
  const t = Array.from(text, x => x.codePointAt(0)), m = p.length
  let prev = [], cur = [], prevStart = [], curStart = []
  for (let i = 0; i <= m; i++) { prev[i] = i; prevStart[i] = 0 }
  let best = m + 1, bestEnd = 0, bestStart = 0
  for (let j = 1; j <= t.length; j++) {
    const tj = c.foldRune(t[j - 1])
    cur[0] = 0; curStart[0] = j
    for (let i = 1; i <= m; i++) {
      let v = prev[i - 1] + (p[i - 1] !== tj ? 1 : 0), st = prevStart[i - 1]
      if (prev[i] + 1 < v) { v = prev[i] + 1; st = prevStart[i] }
      if (cur[i - 1] + 1 < v) { v = cur[i - 1] + 1; st = curStart[i - 1] }
      cur[i] = v; curStart[i] = st
    }
    const l = j - curStart[m]
    if (cur[m] < best || cur[m] === best && Math.abs(l - m) < Math.abs(bestEnd - bestStart - m)) { best = cur[m]; bestEnd = j; bestStart = curStart[m] }
    [prev, cur] = [cur, prev]; [prevStart, curStart] = [curStart, prevStart]
  }
  if (best > m) return [[], best]
  return [t.slice(bestStart, bestEnd).map(c.foldRune), best]
}

// heldSomewhere reports whether any candidate of word w (its accumulator a)
// of the matcher m holds it whole, reading the texts of those the index
// cannot decide (at most max; beyond that it assumes so).
async function heldSomewhere(m, w, a, max) {
  let n = 0
  for (const r of a.rows) {
    const h = m.holds(r, w, a)
    if (h === true) return true
    if (h === false) continue
    if (++n > max) return true
    const d = await m.store.card(r)
    if (m.holds(r, w, a, d) || d.lead && m.holds(r, w, a, await m.store.doc(r))) return true
  }
  return false
}

// relax finds partial matches (search.go relax) for the client's matcher m
// when no document holds every word: words, or the character pairs of a
// word no document holds whole; rows holding half of them. It gives m what
// partial matches need after it (relaxMask, wordsOf); c holds the client's
// functions.
export async function relax(m, c) {
  const { compileWord, idf, saturate, scoreKey, cps, str, MAX_VERIFY } = c
  m.relaxMask = (h, doc) => {
    let mask = 0, k = 0, score = 0, unknown = false
    m.units.forEach((u, i) => {
      const b = m.uacc[i]
      let ok
      if (!b) ok = m.holds(h.row, u.w, null, doc)
      else if (!(b.tf[h.row] > 0)) ok = false
      else ok = m.holds(h.row, u.w, b, doc)
      if (ok === null) { unknown = true; ok = true }
      if (ok) { mask |= 1 << i; k++; if (b) score += m.uidf[i] * saturate(m.T.k1, b.tf[h.row]) }
    })
    if (unknown) (m.unsureRelax = m.unsureRelax || new Set()).add(h.row)
    h.words = mask >>> 0; h.matched = k; h.score = score; h.skey = scoreKey(score)
  }
  m.wordsOf = mask => {
    const out = []; let cur = [], last = -2
    const flush = () => { if (cur.length) { out.push(str(cur)); cur = [] } }
    m.units.forEach((u, i) => {
      if (!(mask & (1 << i))) return
      if (!u.pair) { flush(); out.push(u.w.text); last = -2; return }
      const rs = cps(u.w.text)
      if (i === last + 1 && m.units[last].word === u.word && cur.length && rs.length === 2) cur.push(rs[1])
      else { flush(); cur = rs }
      last = i
    })
    flush()
    return out
  }
  const n = m.T.n, units = [], uacc = [], uidf = []
  for (let i = 0; i < m.pos.length; i++) {
    const w = m.pos[i], a = m.acc[i]
    let grams = null
    if ((a && !(await heldSomewhere(m, w, a, MAX_VERIFY))) || m.pos.length === 1) grams = w.alts[0].bigrams.concat(w.alts[0].words)
    if (!grams || grams.length < 2) { units.push({ w, word: i }); uidf.push(m.idf[i]); uacc.push(a); continue }
    for (const g of grams) {
      const u = compileWord({ text: g, forms: [g], kind: '' })
      const b = m.collectWord(u)
      units.push({ w: u, word: i, pair: true }); uidf.push(idf(b.rows.length, n)); uacc.push(b)
    }
  }
  m.units = units; m.uacc = uacc; m.uidf = uidf
  if (units.length < 2 || units.length > 32) return
  m.need = m.pos.length === 1 ? units.length - Math.floor(units.length / 3) : Math.floor((units.length + 1) / 2)
  m.relaxed = true
  const seen = new Uint8Array(n)
  for (const a of uacc) {
    if (!a) continue
    for (const row of a.rows) {
      if (seen[row]) continue
      seen[row] = 1
      const h = { row }
      m.relaxMask(h, null)
      if (h.matched >= m.need) m.consider(row, h.score, h.words)
    }
  }
  for (const h of m.hits) if (m.unsureRelax && m.unsureRelax.has(h.row)) { h.sure = false; m.unsure.push({ row: h.row, counted: [], hit: h }) }
  if (!m.hits.length) { m.relaxed = false; m.counts.forEach(x => x.fill(0)) }
}
