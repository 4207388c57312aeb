// gongkai static search: searches the static index of package staticsearch
// in the browser, the way the search service does (package search), and
// renders the results page. No framework, no build step, no eval.
// Query analysis mirrors search/query.go, analysis.go, fold.go, docno.go and
// numerals.go; matching and ranking mirror search.go and engine.go.

const SEP = 0, CJK = 1, LETTER = 2, DIGIT = 3
const SEGSEP = 0x1f
// topic (2) and category (5) are paths, 一级/二级: f % 3 === 2
const FACETS = ['kind', 'agency', 'topic', 'year', 'validity', 'category']
const FACET_KEYS = FACETS.map(f => 'search_facet_' + f)
const VALIDITY = { '有效': 0, '已修改': 1, '': 2, '失效': 3, '废止': 4 }
const LAPSED = 3
const fromCP = String.fromCodePoint
const cps = s => Array.from(s, c => c.codePointAt(0))
const str = a => fromCP(...a)
const isDig = r => r >= 48 && r <= 57

// ---- Folding (fold.go, opencc.go) ----

let t2sBits = [] // the bytes read of the bitmap of the BMP characters U+3400–U+9FFF that fold (Store.opencc)
let t2sWideSrc = '' // sources outside that range
let t2sMap = null // Map code → code, chains followed
let tw2sp = null // stages: [Map, maxLen]

function t2sSource(r) {
  if (r >= 0x3400 && r <= 0x9fff) return t2sMap ? t2sMap.has(r) : (t2sBits[(r - 0x3400) >> 3] >> ((r - 0x3400) & 7) & 1) === 1
  return r >= 0x20000 || t2sWideSrc.includes(fromCP(r))
}
function t2sRune(r) {
  if (!t2sSource(r)) return r
  const s = t2sMap && t2sMap.get(r)
  return s || r
}
const UPPER = /\p{Lu}/u
function foldRune(r) {
  if (r < 0x80) return r >= 65 && r <= 90 ? r + 32 : r
  if (r >= 0x3400 && r <= 0x9fff) return t2sRune(r)
  if (r >= 0xff01 && r <= 0xff5e) { r = r - 0xff01 + 0x21; return r >= 65 && r <= 90 ? r + 32 : r }
  if (r === 0x3000) return 32
  if (r === 0x3014 || r === 0x3010 || r === 0x3016 || r === 0xfe5d) return 91
  if (r === 0x3015 || r === 0x3011 || r === 0x3017 || r === 0xfe5e) return 93
  if ((r >= 0xf900 && r <= 0xfaff) || (r >= 0x2f00 && r <= 0x2fdf) || (r >= 0x2f800 && r <= 0x2fa1f)) {
    const n = cps(fromCP(r).normalize('NFKC'))
    return n.length === 1 ? t2sRune(n[0]) : r
  }
  if (r >= 0x20000) return t2sRune(r)
  const c = fromCP(r)
  if (UPPER.test(c)) {
    const l = cps(c.toLowerCase())
    if (l.length === 1 && l[0] !== r) return l[0]
  }
  return r
}
const fold = s => str(cps(s).map(foldRune))
function hasTraditional(s) {
  for (const r of cps(s)) if (r >= 0x3400 && t2sRune(r) !== r) return true
  return false
}
function toSimplified(s) {
  for (const [m, max] of tw2sp) {
    const rs = cps(s); let out = ''
    for (let i = 0; i < rs.length;) {
      let n = Math.min(max, rs.length - i)
      for (; n > 0; n--) {
        const to = m.get(str(rs.slice(i, i + n)))
        if (to !== undefined) { out += to; i += n; break }
      }
      if (n === 0) { out += fromCP(rs[i]); i++ }
    }
    s = out
  }
  return s
}
const HAN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u
function isCJK(r) {
  if (r >= 0x4e00 && r <= 0x9fff) return true
  if (r < 0x1100) return false
  return r === 0x3005 || r === 0x3007 || HAN.test(fromCP(r))
}
const LETTERS = /[\p{L}\p{Mn}]/u, DIGITS = /\p{Nd}/u
function classOf(r) {
  if (r < 0x80) return (r >= 97 && r <= 122) || (r >= 65 && r <= 90) ? LETTER : isDig(r) ? DIGIT : SEP
  if (isCJK(r)) return CJK
  const c = fromCP(r)
  return LETTERS.test(c) ? LETTER : DIGITS.test(c) ? DIGIT : SEP
}
const WS = r => r === 0x85 || r === 0xa0 || r === 0x1680 || (r >= 0x2000 && r <= 0x200a) || r === 0x2028 || r === 0x2029 || r === 0x202f || r === 0x205f || r === 0x3000
// isSpace is match.go's; goSpace is unicode.IsSpace (strings.Fields).
const isSpace = r => r === 32 || r === 10 || r === 9 || r === 13 || (r > 0x7f && WS(r))
const goSpace = r => (r >= 9 && r <= 13) || r === 32 || (r > 0x7f && WS(r))
const squeeze = s => cps(s).filter(r => !goSpace(r)).map(r => fromCP(r)).join('')
const utf8Len = r => r < 0x80 ? 1 : r < 0x800 ? 2 : r < 0x10000 ? 3 : 4

// ---- Parsing a query (query.go) ----

const TRIM = cps(",.;:!?'\"`，。、；：！？《》「」『』“”‘’…·")
const FILTER_KEYS = { kind: 0, '类型': 0, agency: 1, '机关': 1, '发文机关': 1, topic: 2, '主题': 2, year: 3, '年份': 3, validity: 4, '有效性': 4, category: 5, '类别': 5 }
const LIMITS = { query: 200, terms: 16, filter: 100, size: 10, maxSize: 50 }

function trimWord(s) {
  const rs = cps(s); const l = TRIM.concat([45, 0xff0d, 32]), r = TRIM.concat([32])
  let i = 0, j = rs.length
  while (i < j && l.includes(rs[i])) i++
  while (j > i && r.includes(rs[j - 1])) j--
  return str(rs.slice(i, j))
}
function quoteClose(r) {
  if (r === 34 || r === 0xff02) return r
  return { 0x201c: 0x201d, 0x300c: 0x300d, 0x300e: 0x300f }[r] || 0
}
function indexRune(rs, from, r) {
  for (let i = from; i < rs.length; i++) if (rs[i] === r || (r === 34 && rs[i] === 0xff02) || (r === 0xff02 && rs[i] === 34)) return i
  return -1
}
function normalizePhrase(s) {
  const rs = cps(s.trim().replace(/^[\s]+|[\s]+$/g, ''))
  let out = ''
  for (let i = 0; i < rs.length; i++) {
    if (!isSpace(rs[i])) { out += fromCP(rs[i]); continue }
    let j = i
    while (j < rs.length && isSpace(rs[j])) j++
    if (!(i > 0 && isCJK(foldRune(rs[i - 1])) && j < rs.length && isCJK(foldRune(rs[j])))) out += ' '
    i = j - 1
  }
  return out
}
const hasTokens = s => cps(s).some(r => classOf(foldRune(r)) !== SEP)
const isControl = r => r < 0x20 || (r >= 0x7f && r <= 0x9f)

function parseQuery(raw) {
  const q = { terms: [], filters: ['', '', '', '', '', ''], sort: 'relevance', page: 1, size: 0, notices: [] }
  let rs = cps(raw)
  if (rs.length > LIMITS.query) { rs = rs.slice(0, LIMITS.query); q.notices.push({ code: 'query_too_long', args: [LIMITS.query] }) }
  rs = rs.map(r => r === SEGSEP || isControl(r) ? 32 : r)
  const ignored = []
  const add = t => {
    if (t.phrase) t.text = normalizePhrase(str(cps(t.text).map(r => quoteClose(r) || r === 0x201d || r === 0x300d || r === 0x300f ? 32 : r)))
    else t.text = trimWord(t.text)
    if (t.text === '') return
    if (!hasTokens(t.text)) { ignored.push(t.text); return }
    if (q.terms.some(o => o.text === t.text && !!o.phrase === !!t.phrase && !!o.exclude === !!t.exclude)) return
    q.terms.push(t)
  }
  for (let i = 0; i < rs.length;) {
    if (isSpace(rs[i])) { i++; continue }
    let exclude = false
    if ((rs[i] === 45 || rs[i] === 0xff0d) && i + 1 < rs.length && !isSpace(rs[i + 1])) { exclude = true; i++ }
    const cq = quoteClose(rs[i])
    if (cq) {
      const j = indexRune(rs, i + 1, cq)
      if (j > i) { add({ text: str(rs.slice(i + 1, j)), phrase: true, exclude }); i = j + 1; continue }
      i++; continue
    }
    let j = i
    while (j < rs.length && !isSpace(rs[j])) { if (quoteClose(rs[j]) && j > i) break; j++ }
    const word = rs.slice(i, j)
    i = j
    if (!exclude) {
      const f = parseFilter(word, rs, i)
      if (f) { q.filters[f[0]] = f[1]; i = f[2]; continue }
    }
    add({ text: str(word), exclude })
  }
  if (q.terms.length > LIMITS.terms) { q.terms = q.terms.slice(0, LIMITS.terms); q.notices.push({ code: 'too_many_terms', args: [LIMITS.terms] }) }
  if (ignored.length) q.notices.push({ code: 'ignored_term', args: [ignored.join(' ')] })
  return q
}
function parseFilter(word, rs, i) {
  const k = word.findIndex(r => r === 58 || r === 0xff1a)
  if (k <= 0) return null
  const f = FILTER_KEYS[str(word.slice(0, k)).toLowerCase()]
  if (f === undefined) return null
  let val = word.slice(k + 1), next = i
  if (val.length === 0 && i < rs.length) {
    const cq = quoteClose(rs[i])
    if (cq) { const j = indexRune(rs, i + 1, cq); if (j > i) { val = rs.slice(i + 1, j); next = j + 1 } }
  }
  const v = str(val).trim()
  if (v === '' || cps(v).length > LIMITS.filter) return null
  return [f, v, next]
}
function queryString(q) {
  return q.terms.map(t => (t.exclude ? '-' : '') + (t.phrase ? '"' + t.text + '"' : t.text)).join(' ')
}
function parseRequest(params) {
  const q = parseQuery(params.get('q') || '')
  FACETS.forEach((f, i) => {
    let v = (params.get(f) || '').trim()
    if (v) { const r = cps(v); if (r.length > LIMITS.filter) v = str(r.slice(0, LIMITS.filter)); q.filters[i] = v }
  })
  if (params.get('sort') === 'date') q.sort = 'date'
  const int = s => /^[+-]?\d+$/.test(s || '') ? Number(s) : 0
  if (int(params.get('page')) > 0) q.page = int(params.get('page'))
  if (int(params.get('size')) > 0) q.size = int(params.get('size'))
  return normalized(q)
}
function normalized(q) {
  if (q.sort !== 'date') q.sort = 'relevance'
  if (q.page < 1) q.page = 1
  if (q.size <= 0) q.size = LIMITS.size
  if (q.size > LIMITS.maxSize) q.size = LIMITS.maxSize
  return q
}
// goEscape is Go's url.QueryEscape.
const goEscape = s => encodeURIComponent(s).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, '+')
function queryURL(q, base) {
  const v = []
  const s = queryString(q)
  if (s) v.push(['q', s])
  FACETS.forEach((f, i) => { if (q.filters[i]) v.push([f, q.filters[i]]) })
  if (q.sort === 'date') v.push(['sort', 'date'])
  if (q.page > 1) v.push(['page', String(q.page)])
  if (q.size && q.size !== LIMITS.size) v.push(['size', String(q.size)])
  v.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  return v.length ? base + '?' + v.map(([k, x]) => goEscape(k) + '=' + goEscape(x)).join('&') : base
}

// ---- Numerals, document numbers (numerals.go, docno.go) ----

const CN_DIGITS = '〇一二三四五六七八九'
function cnDigit(r) {
  const m = { 0x3007: 0, 0x96f6: 0, 0x25cb: 0, 0x4e00: 1, 0x4e8c: 2, 0x4e24: 2, 0x4e09: 3, 0x56db: 4, 0x4e94: 5, 0x516d: 6, 0x4e03: 7, 0x516b: 8, 0x4e5d: 9 }[r]
  return m === undefined ? -1 : m
}
const cnUnit = r => ({ 0x5341: 10, 0x767e: 100, 0x5343: 1000, 0x4e07: 10000 })[r] || 0
const isCNNumeral = r => cnDigit(r) >= 0 || cnUnit(r) !== 0
function parseChineseNumber(rs) {
  if (rs.length === 0 || rs.length > 12 || !rs.every(isCNNumeral)) return -1
  if (!rs.some(r => cnUnit(r))) {
    if ((rs.length > 1 && rs[0] === 0x3007) || rs.length > 9) return -1
    return rs.reduce((n, r) => n * 10 + cnDigit(r), 0)
  }
  let total = 0, section = 0, num = -1, lastUnit = 100000
  for (const r of rs) {
    const d = cnDigit(r)
    if (d >= 0) { if (num > 0) return -1; if (d !== 0) num = d; continue }
    const u = cnUnit(r)
    if (u === 10000) {
      total += (section + Math.max(num, 0)) * 10000
      if (total === 0) return -1
      section = 0; num = -1; lastUnit = 100000; continue
    }
    if (u >= lastUnit) return -1
    if (num < 0) { if (u !== 10 || (section !== 0 && section % 10 !== 0)) return -1; num = 1 }
    section += num * u; num = -1; lastUnit = u
  }
  return total + section + Math.max(num, 0)
}
function chineseNumber(n) {
  if (n === 0) return '〇'
  let b = ''
  if (n >= 10000) {
    b += chineseNumber(Math.floor(n / 10000)) + '万'
    n %= 10000
    if (n === 0) return b
    if (n < 1000) b += '零'
  }
  let started = b.length > 0, zero = false
  ;[1000, 100, 10].forEach((p, i) => {
    const d = Math.floor(n / p) % 10
    if (d === 0) { zero = started; return }
    if (zero) { b += '零'; zero = false }
    if (!(p === 10 && d === 1 && !started)) b += CN_DIGITS[d]
    b += '千百十'[i]; started = true
  })
  const d = n % 10
  if (d !== 0) { if (zero) b += '零'; b += CN_DIGITS[d] }
  return b
}
const chineseDigits = s => s.replace(/[0-9]/g, c => CN_DIGITS[c])

// parseDocNoTail reads "〔2003〕38号" at unit i of t (folding, skipping
// white space) and returns [year, num, end], end -1 when it is none.
function parseDocNoTail(t, i, to) {
  let r = 0, ok = false
  const next = () => {
    while (i < to) {
      const c = t.codePointAt(i); i += c > 0xffff ? 2 : 1
      if (!isSpace(c)) { r = foldRune(c); ok = true; return }
    }
    ok = false
  }
  let year = 0, num = 0, end = -1
  next()
  const open = ok && (r === 91 || r === 40)
  if (open) next()
  for (let k = 0; k < 4; k++) { if (!ok || !isDig(r)) return [0, 0, -1]; year = year * 10 + r - 48; next() }
  if (!(ok && (r === 93 || r === 41)) && !(ok && r === 0x5e74 && !open)) return [0, 0, -1]
  next()
  if (ok && r === 0x7b2c) next()
  let n = 0
  while (ok && isDig(r)) { if (++n > 9) return [0, 0, -1]; num = num * 10 + r - 48; end = i; next() }
  if (n === 0) return [0, 0, -1]
  if (ok && r === 0x53f7) end = i
  return [year, num, end]
}
function parseDocNo(s) {
  const rs = cps(squeeze(fold(s)))
  let i = 0
  while (i < rs.length && (isCJK(rs[i]) || classOf(rs[i]) === LETTER)) i++
  if (i === 0 || i === rs.length) return null
  const rest = str(rs.slice(i))
  const [year, num, end] = parseDocNoTail(rest, 0, rest.length)
  if (end !== rest.length) return null
  return { code: str(rs.slice(0, i)), year, num }
}
const docNoKey = d => d.code + '[' + String(d.year).padStart(4, '0') + ']' + d.num + '号'

// ---- Query analysis (analysis.go) ----

const ORPHANS = cps('的了是在要想去我为能可会和与及或把被给就还都也')
const ARTICLE_UNITS = cps('条款项章节号届次批期部篇册')
function numberAt(rs, i) {
  let j = i
  while (j < rs.length && isDig(rs[j]) && j - i < 9) j++
  if (j > i) {
    if (j < rs.length && isDig(rs[j])) return [0, i]
    return [Number(str(rs.slice(i, j))), j]
  }
  while (j < rs.length && isCNNumeral(rs[j])) j++
  for (; j > i; j--) { const v = parseChineseNumber(rs.slice(i, j)); if (v >= 0) return [v, j] }
  return [0, i]
}
const two = n => n < 10 ? '0' + n : String(n)
function orderPiece(n) {
  const forms = []
  for (const s of [String(n), chineseNumber(n)]) forms.push('令第' + s + '号', '第' + s + '号令', s + '号令')
  return { kind: 'order', fold: forms[0], forms }
}
function datePiece(y, m, d) {
  const ys = String(y)
  const forms = [ys + '年' + m + '月' + d + '日', ys + '年' + two(m) + '月' + two(d) + '日', ys + '-' + two(m) + '-' + two(d),
    `${ys}/${m}/${d}`, ys + '.' + m + '.' + d, chineseDigits(ys) + '年' + chineseNumber(m) + '月' + chineseNumber(d) + '日']
  const out = forms.filter((f, i) => forms.indexOf(f) === i)
  return { kind: 'date', fold: out[0], forms: out }
}
function matchDate(rs, i) {
  const [y, e] = numberAt(rs, i)
  if (e !== i + 4 || y < 1000 || e >= rs.length) return [null, i]
  const sep = rs[e]
  if (sep !== 0x5e74 && sep !== 45 && sep !== 47 && sep !== 46) return [null, i]
  const [m, e2] = numberAt(rs, e + 1)
  if (e2 === e + 1 || m < 1 || m > 12) return [null, i]
  const ys = String(y)
  if (sep === 0x5e74) {
    if (e2 >= rs.length || rs[e2] !== 0x6708) return [null, i]
    const [d, e3] = numberAt(rs, e2 + 1)
    if (e3 === e2 + 1 || e3 >= rs.length || (rs[e3] !== 0x65e5 && rs[e3] !== 0x53f7) || d < 1 || d > 31) {
      return [{ kind: 'date', fold: ys + '年' + m + '月', forms: [ys + '年' + m + '月', ys + '年' + two(m) + '月', chineseDigits(ys) + '年' + chineseNumber(m) + '月'] }, e2 + 1]
    }
    return [datePiece(y, m, d), e3 + 1]
  }
  if (e2 >= rs.length || rs[e2] !== sep) return [null, i]
  const [d, e3] = numberAt(rs, e2 + 1)
  if (e3 === e2 + 1 || d < 1 || d > 31) return [null, i]
  return [datePiece(y, m, d), e3]
}
function matchUnit(rs, i) {
  if (i > 0 && isDig(rs[i - 1])) return [null, i]
  const dt = matchDate(rs, i)
  if (dt[0]) return dt
  const at = (j, r) => j < rs.length && rs[j] === r
  if (at(i, 0x4ee4) && at(i + 1, 0x7b2c)) {
    const [n, e] = numberAt(rs, i + 2)
    if (e > i + 2 && at(e, 0x53f7)) return [orderPiece(n), e + 1]
  }
  if (at(i, 0x7b2c)) {
    const [n, e] = numberAt(rs, i + 1)
    if (e > i + 1 && e < rs.length) {
      if (rs[e] === 0x53f7 && at(e + 1, 0x4ee4)) return [orderPiece(n), e + 2]
      if (ARTICLE_UNITS.includes(rs[e])) {
        const u = fromCP(rs[e])
        return [{ kind: 'number', fold: '第' + n + u, forms: ['第' + n + u, '第' + chineseNumber(n) + u] }, e + 1]
      }
    }
    return [null, i]
  }
  {
    const [n, e] = numberAt(rs, i)
    if (e > i && at(e, 0x53f7) && at(e + 1, 0x4ee4)) return [orderPiece(n), e + 2]
    if (e === i + 4 && at(e, 0x5e74) && n >= 1000) {
      const y = String(n)
      return [{ kind: 'year', fold: y + '年', forms: [y + '年', chineseDigits(y) + '年'] }, e + 1]
    }
  }
  return [null, i]
}

class Analyzer {
  constructor(synonyms, queryWords) {
    this.syn = new Map(); this.lex = new Map(); this.maxLex = 0
    for (const g of synonyms) {
      const folded = []
      for (let w of g) { w = fold(w.trim()); if (w && !folded.includes(w)) folded.push(w) }
      for (const w of folded) {
        let cur = this.syn.get(w) || []
        if (!cur.length) cur = [w]
        for (const o of folded) if (!cur.includes(o)) cur.push(o)
        this.syn.set(w, cur)
        this.addLex({ word: w, drop: false, intent: '', atEnd: false })
      }
    }
    for (const q of queryWords) this.addLex({ ...q, word: fold(q.word) })
  }
  addLex(q) {
    const old = this.lex.get(q.word)
    if (old) { q.drop = q.drop || old.drop; q.atEnd = q.atEnd && old.atEnd; q.intent = q.intent || old.intent }
    this.lex.set(q.word, q)
    this.maxLex = Math.max(this.maxLex, cps(q.word).length)
  }
  forms(f) { const g = this.syn.get(f); return g && g.length ? g.slice() : [f] }
  analyze(terms) {
    const an = { words: [], dropped: [], intent: '' }
    const neg = [], dropped = []
    for (const t of terms) {
      if (t.exclude) neg.push({ text: t.text, forms: literalForms(t.text), kind: termKind(t), exclude: true })
      else if (t.phrase) an.words.push({ text: t.text, forms: literalForms(t.text), kind: termKind(t) })
      else if (parseDocNo(t.text)) an.words.push({ text: t.text, forms: [fold(t.text)], kind: 'docno' })
      else {
        for (const p of this.segment(t.text)) {
          if (!an.intent) an.intent = p.intent || ''
          if (p.drop) { dropped.push(p); continue }
          an.words.push({ text: p.text, forms: p.forms, kind: p.kind || '' })
        }
      }
    }
    if (an.words.length === 0 && dropped.length) {
      for (const p of dropped) an.words.push({ text: p.text, forms: this.forms(p.fold), kind: '' })
      dropped.length = 0
    }
    for (const p of dropped) if (!an.dropped.includes(p.text)) an.dropped.push(p.text)
    an.words = an.words.filter((w, i, a) => i === 0 || !sameList(a[i - 1].forms, w.forms))
    an.words.push(...neg)
    return an
  }
  segment(text) {
    if (hasTraditional(text)) {
      const conv = fold(toSimplified(text))
      if (conv !== fold(text)) return [{ text, fold: fold(text), forms: this.forms(fold(text)).concat(this.forms(conv)) }]
    }
    const orig = cps(text), rs = orig.map(foldRune)
    const out = []
    let pending = 0
    const flush = end => { if (end > pending) out.push(...this.plainPieces(orig.slice(pending, end), rs.slice(pending, end))) }
    for (let i = 0; i < rs.length;) {
      const [u, end] = matchUnit(rs, i)
      if (u) { flush(i); u.text = str(orig.slice(i, end)); out.push(u); i = pending = end; continue }
      const [q, e2] = this.lexMatch(rs, i)
      if (q) {
        flush(i)
        const p = { text: str(orig.slice(i, e2)), fold: q.word, drop: q.drop, lex: true, intent: q.intent || '' }
        if (!p.drop) p.forms = this.forms(q.word)
        out.push(p); i = pending = e2; continue
      }
      i++
    }
    flush(rs.length)
    return this.attachOrphans(out)
  }
  lexMatch(rs, i) {
    for (let n = Math.min(this.maxLex, rs.length - i); n > 0; n--) {
      const q = this.lex.get(str(rs.slice(i, i + n)))
      if (!q || (q.atEnd && (i + n !== rs.length || i === 0))) continue
      if (n === 1 && !q.atEnd) continue
      return [q, i + n]
    }
    return [null, i]
  }
  plainPieces(orig, rs) {
    const out = []
    for (let i = 0; i < rs.length;) {
      const c = isCJK(rs[i]); let j = i
      while (j < rs.length && isCJK(rs[j]) === c) j++
      const text = trimWord(str(orig.slice(i, j)))
      if (hasTokens(text)) { const f = fold(text); out.push({ text, fold: f, forms: this.forms(f) }) }
      i = j
    }
    return out
  }
  attachOrphans(ps) {
    const out = []
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i]
      const f = cps(p.fold)
      if (p.drop || p.lex || p.kind || f.length !== 1 || !isCJK(f[0]) || ps.length === 1) { out.push(p); continue }
      const prevKept = out.length > 0 && !out[out.length - 1].drop
      const nextKept = i + 1 < ps.length && !ps[i + 1].drop
      if (prevKept) {
        const q = out[out.length - 1]
        q.text += p.text; q.fold += p.fold; q.forms = q.forms.map(x => x + p.fold); q.lex = false
      } else if (nextKept) {
        const n = { ...ps[i + 1] }
        n.text = p.text + n.text; n.fold = p.fold + n.fold; n.forms = n.forms.map(x => p.fold + x); n.lex = false
        ps[i + 1] = n
      } else if (ORPHANS.includes(f[0])) { out.push({ ...p, drop: true }) } else out.push(p)
    }
    return out
  }
}
const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i])
function literalForms(s) {
  const forms = [fold(s)]
  if (hasTraditional(s)) { const f = fold(toSimplified(s)); if (f !== forms[0]) forms.push(f) }
  return forms
}
const termKind = t => parseDocNo(t.text) ? 'docno' : t.phrase ? 'phrase' : ''

// ---- Compiling words for the index (terms.go, analyze.go) ----

// scan calls emit(isWord, term) for each index token of s, as the server's
// tokenizer: CJK bigrams and runs of letters or digits (64 bytes at most).
function scan(s, emit) {
  let word = [], wn = 0, last = SEP, prev = -1
  for (let r of cps(s)) {
    r = foldRune(r)
    const c = classOf(r)
    if (c !== last) { if (word.length) { emit(true, str(word)); word = []; wn = 0 } prev = -1; last = c }
    if (c === CJK) { if (prev >= 0) emit(false, fromCP(prev, r)); prev = r } else if (c !== SEP && wn + utf8Len(r) <= 64) { word.push(r); wn += utf8Len(r) }
  }
  if (word.length) emit(true, str(word))
}
function termGrams(s) {
  const bigrams = [], words = [], unis = []
  scan(s, (w, t) => { const l = w ? words : bigrams; if (!l.includes(t)) l.push(t) })
  const rs = cps(s)
  for (let i = 0; i < rs.length; i++) {
    if (!isCJK(rs[i])) continue
    let j = i
    while (j < rs.length && isCJK(rs[j])) j++
    if (j - i === 1) { const u = fromCP(rs[i]); if (!unis.includes(u)) unis.push(u) }
    i = j - 1
  }
  return { bigrams, words, unis }
}
function newPattern(folded) {
  const runes = []
  let space = false
  for (const r of cps(folded)) {
    if (isSpace(r)) { space = runes.length > 0; continue }
    if (space) { runes.push(32); space = false }
    runes.push(r)
  }
  const edge = r => { const c = classOf(r); return c === LETTER || c === DIGIT ? c : SEP }
  return { runes, left: runes.length ? edge(runes[0]) : SEP, right: runes.length ? edge(runes[runes.length - 1]) : SEP }
}
function compileForm(f, docno) {
  const c = { folded: fold(f) }
  c.squeezed = squeeze(c.folded)
  c.pat = newPattern(c.folded)
  const dn = docno && parseDocNo(f)
  if (dn) {
    // tail: the term listing the documents whose text holds this year and
    // number after some agency code (search.DocNoTails).
    c.dn = dn; c.code = newPattern(dn.code); c.tail = '[' + dn.year + ']' + dn.num
    Object.assign(c, termGrams(dn.code))
    for (const w of [String(dn.year), String(dn.num)]) if (!c.words.includes(w)) c.words.push(w)
    return c
  }
  Object.assign(c, termGrams(c.folded))
  c.exact = c.bigrams.length + c.words.length === 1 && c.unis.length === 0 && str(c.pat.runes) === c.bigrams.concat(c.words)[0]
  return c
}
function compileWord(w) {
  const c = { ...w, alts: [], folded: squeeze(fold(w.text)) }
  for (const f of w.forms) {
    const t = compileForm(f, w.kind === 'docno')
    if (t.bigrams.length + t.words.length + t.unis.length) c.alts.push(t)
  }
  c.indexed = c.alts.length > 0 && c.alts.every(t => t.bigrams.length + t.words.length > 0)
  return c
}
const tokenRunes = s => cps(s).filter(r => classOf(r) !== SEP).length

// ---- Finding a pattern in stored text (match.go) ----

function runeBefore(t, i) {
  const u = t.charCodeAt(i - 1)
  if (u >= 0xdc00 && u < 0xe000 && i >= 2) { const c = t.codePointAt(i - 2); if (c > 0xffff) return c }
  return u
}
function matchRunes(runes, t, i, to) {
  for (const pr of runes) {
    if (i >= to) return -1
    let r = t.codePointAt(i)
    if (pr === 32) {
      if (!isSpace(r)) return -1
      while (i < to) { r = t.codePointAt(i); if (!isSpace(r)) break; i += r > 0xffff ? 2 : 1 }
      continue
    }
    if (foldRune(r) !== pr) return -1
    i += r > 0xffff ? 2 : 1
  }
  return i
}
function findRaw(p, t, from, to) {
  if (!p.runes.length || from >= to) return [-1, -1]
  const first = p.runes[0]
  for (let i = from; i < to;) {
    const r = t.codePointAt(i)
    if (foldRune(r) === first || (first === 32 && isSpace(r))) { const e = matchRunes(p.runes, t, i, to); if (e >= 0) return [i, e] }
    i += r > 0xffff ? 2 : 1
  }
  return [-1, -1]
}
function find(p, t, from, to) {
  while (from < to) {
    const [s, e] = findRaw(p, t, from, to)
    if (s < 0) return [-1, -1]
    const cut = (p.left !== SEP && s > 0 && classOf(foldRune(runeBefore(t, s))) === p.left) ||
      (p.right !== SEP && e < t.length && classOf(foldRune(t.codePointAt(e))) === p.right)
    if (!cut) return [s, e]
    from = s + 1
  }
  return [-1, -1]
}
function findDocNo(dn, code, t, from, to) {
  while (from < to) {
    const [s, e] = find(code, t, from, to)
    if (s < 0) return [-1, -1]
    const [y, n, end] = parseDocNoTail(t, e, to)
    if (end >= 0 && y === dn.year && n === dn.num) return [s, end]
    from = s + 1
  }
  return [-1, -1]
}

// ---- Loading the index ----

const dec = new TextDecoder()
class Reader {
  constructor(b) { this.b = b; this.i = 0 }
  uint() { let v = 0, m = 1, c; do { c = this.b[this.i++]; v += (c & 0x7f) * m; m *= 128 } while (c & 0x80); return v }
  int() { const v = this.uint(); return v % 2 ? -(v + 1) / 2 : v / 2 }
  str() { const n = this.uint(); const s = dec.decode(this.b.subarray(this.i, this.i + n)); this.i += n; return s }
}
function fnv(s) {
  let h = 0x811c9dc5
  for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h
}

// CARD names the fields of a card's array f (docFile in write.go).
const CARD = ['kind', 'title', 'docno', 'indexno', 'agencies', 'topic', 'validity', 'date', 'docno_key', 'text', 'lead', 't2s']

// Store loads the manifest and chunks, and keeps what it decoded. fetchFn
// returns the bytes at a URL, or with a range [a, b) those bytes of it
// (fetch in a browser, a file read in tests).
export class Store {
  constructor(manifestURL, fetchFn) {
    this.url = manifestURL; this.get = fetchFn; this.cache = new Map()
    this.base = manifestURL.replace(/[^/]*\/[^/]*$/, '')
  }
  async load() {
    if (this.m) return this
    this.m = JSON.parse(dec.decode(await this.get(this.url)))
    if (this.m.format !== 'gongkai-static-search' || this.m.version !== 6) throw new Error('unknown static index format')
    t2sBits = []
    t2sWideSrc = this.m.opencc.wide || ''
    const st = this.m.settings || {}
    this.analyzer = new Analyzer(st.synonyms || [], this.m.query_words)
    this.intents = this.m.intent_kinds
    return this
  }
  // memo returns the promise fn makes for key, made once (again after a
  // failure).
  memo(key, fn) {
    let p = this.cache.get(key)
    if (!p) {
      this.cache.set(key, p = fn())
      p.catch(() => this.cache.delete(key))
    }
    return p
  }
  // chunk returns a chunk file's bytes inflated, or with a range [a, b)
  // those bytes of it as they are.
  chunk(path, range) {
    return this.memo(path + range, () => { const p = this.get(this.base + 'static/search/' + path, range); return range ? p : p.then(inflate) })
  }
  // lazy imports the part of the client a search that finds nothing needs
  // (suggest.js), by imp when set (tests), else by import().
  lazy() {
    return this.memo('s', () => (this.imp || (u => import(u)))(this.base + 'static/search/' + this.m.suggest))
  }
  // opencc loads the Traditional → Simplified tables when text needs them
  // (all: a card that says so), reading first the bytes of the sources'
  // bitmap (not deflated) its characters fall in.
  async opencc(text, all) {
    if (tw2sp) return
    const rs = cps(text)
    await Promise.all(rs.map(async r => { const i = (r - 0x3400) >> 3; if (r >= 0x3400 && r <= 0x9fff) t2sBits[i] = (await this.chunk(this.m.opencc.sources, [i, i + 1]))[0] }))
    if (!all && !rs.some(r => t2sSource(r) || r >= 0xf900 && r <= 0xfaff || r >= 0x2f00 && r <= 0x2fdf || r >= 0x2f800)) return
    const [a, b] = await Promise.all([this.chunk(this.m.opencc.t2s), this.chunk(this.m.opencc.tw2sp)])
    const pairs = cps(new Reader(a).str()), raw = new Map()
    for (let i = 0; i + 1 < pairs.length; i += 2) raw.set(pairs[i], pairs[i + 1])
    const m = new Map()
    for (let [k, v] of raw) { for (let n = 0; n < 8; n++) { const x = raw.get(v); if (x === undefined || x === v) break; v = x } m.set(k, v) }
    t2sMap = m
    const r = new Reader(b), stages = []
    for (let n = r.uint(); n > 0; n--) {
      const st = new Map(); let max = 0
      for (const line of r.str().split('\n')) { const k = line.indexOf('\t'); if (k < 0) continue; const from = line.slice(0, k); st.set(from, line.slice(k + 1)); max = Math.max(max, cps(from).length) }
      stages.push([st, max])
    }
    tw2sp = stages
  }
  // table loads the facet columns of the document table; the other
  // columns load when a query needs them (norms, titleRunes, units, dates).
  async table() {
    if (this.t) return this.t
    const r = new Reader(await this.chunk(this.m.table.facets))
    const n = r.uint(), nf = r.uint(), t = { n, dict: [], col: [], more: [], k1: this.m.rank.k1 }
    for (let f = 0; f < nf; f++) { const vals = []; for (let k = r.uint(); k > 0; k--) vals.push(r.str()); t.dict.push(vals) }
    for (let f = 0; f < nf; f++) { const c = new Int32Array(n); for (let i = 0; i < n; i++) c[i] = r.uint(); t.col.push(c); t.more.push(new Map()) }
    for (let k = r.uint(); k > 0; k--) { const f = r.uint(), row = r.uint(), ids = []; for (let j = r.uint(); j > 0; j--) ids.push(r.uint()); t.more[f].set(row, ids) }
    t.validity = t.col[4].map(v => v ? VALIDITY[t.dict[4][v - 1]] ?? 2 : 2)
    this.t = t
    return t
  }
  // col loads a column of the table once, as t[name]: the chunk at path
  // has a varint per row (with bytes, a byte: the lengths), and fin makes
  // of them and the rest what is kept.
  async col(name, path, fin, bytes) {
    const t = this.t
    if (!t[name]) {
      const r = new Reader(await this.chunk(path)), c = new Float64Array(r.uint())
      for (let i = 0; i < c.length; i++) c[i] = bytes ? r.b[r.i++] : r.uint()
      t[name] = fin(c, r)
    }
    return t[name]
  }
  // norms loads the lengths of the given fields (a byte each: lengthOf)
  // and their BM25F norms.
  norms(fields) {
    const { weight, b, avg } = this.m.rank
    return Promise.all([...fields].map(f => this.col('n' + f, this.m.table.lens[f], l => Float32Array.from(l, x => weight[f] / (1 - b[f] + b[f] * lengthOf(x) / avg[f])), 1)))
  }
  // The titles' lengths in characters follow their lengths in tokens.
  titleRunes() { return this.col('titleRunes', this.m.table.lens[0], (c, r) => c.map(x => lengthOf(x) + r.int()), 1) }
  units() { return this.col('units', this.m.table.units, c => c) }
  dates() {
    return this.col('date', this.m.table.date, (c, r) => {
      let d = r.int()
      c = c.map(x => (d += x % 2 ? -(x + 1) / 2 : x / 2) * 86400 - 28800)
      for (let k = r.uint(), row = -1; k > 0; k--) { row += r.uint(); const s = r.uint(); c[row] = s ? c[row] + s - 1 : 0 }
      // Ties of a date: the ranks of the rows' IDs among its rows.
      this.t.tie = c.map(() => r.uint())
      return c
    })
  }
  async bucket(set, term) {
    const s = this.m[set], b = fnv(term) % s.buckets
    return (await this.memo(set + b, () => this.entries(s.dir, s.groups, this.m.group, s.buckets, b, 1).then(e => decodeBucket(e[0], set === 'unigrams')))).get(term)
  }
  // entries reads entries a…b-1 of the n from entry k of the packs names
  // (under dir, of size entries each, total in all): the ends of the n and
  // of the one before from the pack's header (the count, then the ends),
  // then the entries, inflated.
  async entries(dir, names, size, total, k, n, a = 0, b = n) {
    const p = Math.floor(k / size), path = `${dir}/${names[p]}.bin`, i = k - p * size
    const h = await this.chunk(path, [4 * i, 4 * i + 4 + 4 * n]), v = new DataView(h.buffer, h.byteOffset)
    const head = 4 + 4 * Math.min(size, total - p * size), end = j => j || i ? v.getUint32(4 * j, true) : 0
    const d = await this.chunk(path, [head + end(a), head + end(b)])
    return Promise.all(Array.from({ length: b - a }, (_, j) => inflate(d.subarray(end(a + j) - end(a), end(a + j + 1) - end(a)))))
  }
  // docs reads entries a…b-1 of row's two in the document packs (its card,
  // the rest of its body), with one read of their ends.
  docs(row, a, b) { return this.entries('d', this.m.blocks, 2 * this.m.block, 2 * this.m.docs, 2 * row, 2, a, b) }
  // card returns a document's card (see doc), or the document when it is
  // loaded already: what a result shows, its body cut short.
  card(row) {
    return this.cache.get('d' + row) || this.memo('c' + row, async () => this.readCard((await this.docs(row, 0, 1))[0]))
  }
  async readCard(b) {
    const f = JSON.parse(dec.decode(b))
    f.f.forEach((v, i) => v === null || (f[CARD[i]] = v))
    if (f.t2s) await this.opencc('', 1)
    f.foldTitle = squeeze(fold(f.title))
    return segments(f)
  }
  // doc returns a document with its whole text: its card, and when the
  // card's body is cut short (lead), the rest, which follows it in the pack
  // (read with it when the card is not loaded yet).
  doc(row) {
    return this.memo('d' + row, async () => {
      let c = this.cache.get('c' + row), rest
      if (c) {
        c = await c
        if (c.lead) [rest] = await this.docs(row, 1, 2)
      } else {
        const [a, b] = await this.docs(row, 0, 2)
        c = await this.readCard(a)
        this.cache.set('c' + row, Promise.resolve(c))
        rest = b
      }
      if (!c.lead) return c
      const f = { ...c, text: c.text.slice() }
      f.text[2] += dec.decode(rest)
      return segments(f)
    })
  }
}
// segments readies a document's text for matching: its segments joined by
// U+001F, where each ends.
// lengthOf is the length a field length's byte stands for (search
// codeLength: below 32 itself, else 5 significant bits).
const lengthOf = c => c < 32 ? c : (c & 15 | 16) * 2 ** ((c >> 4) - 1)
function segments(f) {
  f.segs = f.text.map(s => s.replaceAll('\u001f', ' '))
  f.t = f.segs.join('\u001f')
  let e = -1
  f.segEnd = f.segs.map(s => e += s.length + 1)
  return f
}
function decodeBucket(bytes, uni) {
  const r = new Reader(bytes), m = new Map()
  for (let k = r.uint(); k > 0; k--) {
    const term = r.str()
    const rows = list => { const a = new Int32Array(list); for (let i = 0, row = -1; i < list; i++) { row += r.uint(); a[i] = row } return a }
    const vals = list => { const a = new Uint32Array(list); for (let i = 0; i < list; i++) a[i] = r.uint(); return a }
    if (uni) { const n = r.uint(), rs = rows(n); m.set(term, { rows: rs, freqs: vals(n) }); continue }
    const fields = []
    for (let nf = r.uint(); nf > 0; nf--) { const f = r.uint(), n = r.uint(), rs = rows(n); fields[f] = { rows: rs, freqs: vals(n) } }
    m.set(term, fields)
  }
  return m
}
async function inflate(bytes) {
  const s = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'))
  return new Uint8Array(await new Response(s).arrayBuffer())
}

// ---- Labels ----

function sprintf(t, args) {
  let k = 0
  return t.replace(/%[sdv%]/g, m => m === '%%' ? '%' : String(args[k++]))
}
function label(st, key, ...args) {
  let t = st.labels && st.labels[key]
  if (t === undefined) { t = key; for (let i = 0; i < args.length; i++) t += ' %v' }
  return args.length ? sprintf(t, args) : t
}
const quoted = (st, words, sep) => words.map(w => label(st, 'search_quote', w)).join(label(st, sep))
const kindLabel = (st, k) => (st.kind_labels && st.kind_labels[k]) || k

// ---- Matching and ranking (search.go, engine.go) ----

const MAX_VERIFY = 40 // documents fetched only to check a match, per search

function intersect(lists, fn) {
  if (lists.some(l => !l)) return
  const order = lists.slice().sort((a, b) => a.rows.length - b.rows.length)
  const pos = order.map(() => 0), lead = order[0]
  for (let i = 0; i < lead.rows.length; i++) {
    const row = lead.rows[i]
    let freq = lead.freqs[i], ok = true
    for (let k = 1; k < order.length; k++) {
      const l = order[k]; let p = pos[k]
      while (p < l.rows.length && l.rows[p] < row) p++
      pos[k] = p
      if (p === l.rows.length || l.rows[p] !== row) { ok = false; break }
      freq = Math.min(freq, l.freqs[p])
    }
    if (ok) fn(row, freq)
  }
}
function newAcc(n) { return { tf: new Float32Array(n), exact: new Uint8Array(n), title: new Uint8Array(n), titleExact: new Uint8Array(n), rows: [] } }

class Matcher {
  constructor(store, T, an, filt) {
    Object.assign(this, { store, T, filt, intent: an.intent, pos: [], neg: [], hits: [], verified: 0, unsureVerified: 0, relaxed: false, scanOnly: false, unsure: [] })
    for (const w of an.words) { const c = compileWord(w); if (!c.alts.length) continue; (w.exclude ? this.neg : this.pos).push(c) }
    this.counts = T.dict.map(d => new Int32Array(d.length))
    this.active = []
    filt.forEach((f, i) => { if (f) this.active.push(i) })
    if (this.pos.length > 64) this.pos = this.pos.slice(0, 64)
    let b = ''
    this.pos.forEach((w, i) => {
      const f = fold(w.text)
      if (i > 0 && !endsCJK(fold(this.pos[i - 1].text)) && !startsCJK(f)) b += ' '
      b += f
    })
    if (this.pos.length > 1) { this.adjacent = newPattern(b); this.adjGrams = termGrams(b) }
    this.whole = squeeze(b)
    this.coverRunes = this.pos.reduce((n, w) => n + tokenRunes(w.folded), 0)
  }
  // load fetches the postings of every term the search may look at: a
  // word of the index's vocabulary (words.go) as one term, read first; the
  // others by their pairs. The pairs of the side-by-side check that lie
  // within such a word (cover) are known from whether a row holds it.
  async load() {
    const all = this.pos.concat(this.neg), n = this.T.n
    await Promise.all(all.flatMap(w => w.alts.filter(isWordForm).map(async t => {
      const e = await this.store.bucket('postings', t.folded)
      if (e) { t.wl = e; t.held = new Uint8Array(n) }
    })))
    this.cover = new Map()
    const lit = this.pos.map(w => w.alts.find(t => t.wl && t.folded === fold(w.text)))
    for (const t of lit) if (t && this.adjGrams) this.adjGrams.bigrams.forEach(g => { if (t.folded.includes(g)) this.cover.set(g, t) })
    // Every word one of the vocabulary's, of four or more characters: the
    // side-by-side tier is read from the phrase terms of each two that
    // follow each other (words.go, phraseMin), an absent term listing no row.
    this.phr = null
    if (this.adjacent && lit.every(t => t && cps(t.folded).length >= 4)) {
      this.phr = await Promise.all(lit.slice(1).map(async (t, i) => {
        const e = await this.store.bucket('postings', lit[i].folded + ' ' + t.folded)
        return new Set(e && e[0] ? e[0].rows : [])
      }))
    }
    await this.loadTerms(this.phr !== null ? 'phr' : false)
    const fields = new Set()
    for (const p of [...this.post.values()].concat(all.flatMap(w => w.alts.map(t => t.wl)))) if (p) p.forEach((_, f) => fields.add(f))
    await Promise.all([this.store.norms(fields), this.pos.length ? this.store.titleRunes() : null])
  }
  // loadTerms fetches the postings of the terms not yet loaded; with all,
  // the pairs of the words read as one term too (what suggest.js needs).
  async loadTerms(all) {
    const terms = new Set(), unis = new Set()
    for (const w of this.pos.concat(this.neg)) for (const t of w.alts) { if (all === true || !t.wl) t.bigrams.concat(t.words, t.tail || []).forEach(g => terms.add(g)); t.unis.forEach(u => unis.add(u)) }
    if (this.adjGrams && all !== 'phr') { this.adjGrams.bigrams.concat(this.adjGrams.words).forEach(g => { if (all || !this.cover.has(g)) terms.add(g) }); this.adjGrams.unis.forEach(u => unis.add(u)) }
    const get = async (set, t) => [t, await this.store.bucket(set, t)]
    const post = this.post || new Map(), uni = this.uni || new Map()
    for (const [t, p] of await Promise.all([...terms].filter(t => !post.has(t)).map(t => get('postings', t)))) post.set(t, p)
    for (const [t, p] of await Promise.all([...unis].filter(t => !uni.has(t)).map(t => get('unigrams', t)))) uni.set(t, p)
    this.post = post; this.uni = uni
    if (all === true) { this.cover = new Map(); this.phr = null }
  }
  collectWord(w) {
    const acc = newAcc(this.T.n)
    for (const t of w.alts) {
      if (t.wl) {
        // A word's own term: per field its candidates, the least pair
        // frequency << 2, and whether the text (2) and the title (1) hold it.
        for (let f = 0; f < 7; f++) {
          const l = t.wl[f], wn = this.T['n' + f]
          if (!l) continue
          for (let i = 0; i < l.rows.length; i++) {
            const row = l.rows[i], v = l.freqs[i]
            if (acc.tf[row] === 0) acc.rows.push(row)
            acc.tf[row] = acc.tf[row] + Math.fround((v >>> 2) * wn[row])
            if (v & 2) { acc.exact[row] = 1; t.held[row] = 1 }
            if (f === 0 && v & 1) acc.title[row] = acc.titleExact[row] = 1
          }
        }
        continue
      }
      if (!(t.bigrams.length + t.words.length)) continue
      const grams = t.bigrams.concat(t.words).map(g => this.post.get(g))
      if (grams.some(g => !g)) continue
      for (let f = 0; f < 7; f++) {
        const wn = this.T['n' + f]
        intersect(grams.map(g => g[f]), (row, freq) => {
          if (acc.tf[row] === 0) acc.rows.push(row)
          acc.tf[row] = acc.tf[row] + Math.fround(freq * wn[row])
          if (t.exact) acc.exact[row] = 1
          if (f === 0) { acc.title[row] = 1; if (t.exact) acc.titleExact[row] = 1 }
        })
      }
    }
    return acc
  }
  // has reports whether the postings of term t list row.
  has(t, row) { const p = this.post.get(t); return p && p.some(l => l && bsearch(l.rows, row)) }
  // uniCount returns the count of character u in row, or with title 1
  // when the title holds it (the postings hold count << 1 | in title).
  uniCount(u, row, title) {
    const p = this.uni.get(u)
    if (!p) return 0
    let lo = 0, hi = p.rows.length
    while (lo < hi) { const mid = (lo + hi) >> 1; if (p.rows[mid] < row) lo = mid + 1; else hi = mid }
    return lo < p.rows.length && p.rows[lo] === row ? (title ? p.freqs[lo] & 1 : p.freqs[lo] >> 1) : 0
  }
  // holds reports whether row holds word w: true, false, or null when only
  // the document's text can tell (doc, when given, is that text).
  holds(row, w, acc, doc) {
    if (acc && acc.exact[row]) return true
    if (doc) return w.alts.some(t => contains(doc, t))
    let unknown = false
    for (const t of w.alts) {
      if (isSingle(t)) { if (this.uniCount(t.unis[0], row) > 0) return true; continue }
      if (t.exact || t.wl && acc || t.tail && !this.has(t.tail, row)) continue
      if (!acc || t.bigrams.length + t.words.length === 0) {
        if (t.unis.every(u => this.uniCount(u, row) > 0)) unknown = true
        continue
      }
      if (acc.tf[row] > 0) unknown = true
    }
    return unknown ? null : false
  }
  score(row) {
    let s = 0
    this.acc.forEach((a, i) => { if (a && a.tf[row] > 0) s += this.idf[i] * saturate(this.T.k1, a.tf[row]) })
    return s
  }
  async collect() {
    await this.load()
    const n = this.T.n
    this.negAcc = this.neg.map(w => w.indexed ? this.collectWord(w) : null)
    this.acc = []; this.idf = []
    let lead = -1
    this.pos.forEach((w, i) => {
      this.acc[i] = null
      if (!w.indexed) return
      this.acc[i] = this.collectWord(w)
      this.idf[i] = idf(this.acc[i].rows.length, n)
      if (lead < 0 || this.acc[i].rows.length < this.acc[lead].rows.length) lead = i
    })
    if (lead < 0) {
      this.scanOnly = this.pos.length > 0
      if (this.scanOnly) await this.store.units()
      for (let row = 0; row < n; row++) this.consider(row, 0, 0)
      return
    }
    for (const row of this.acc[lead].rows) {
      if (this.acc.every(a => !a || a.tf[row] > 0)) this.consider(row, this.score(row), 0)
    }
    if (this.verified > 0 || this.pos.some(w => w.kind === 'phrase' || w.kind === 'docno')) return
    if (this.unsureVerified > 0) {
      // Whether anything holds every word decides between full and partial
      // matches: look at the texts of the best candidates.
      for (const h of topHits(this.hits.slice(), MAX_VERIFY, hitOrder('relevance'))) {
        if (await this.resolve(h)) return
      }
      if (this.unsure.some(u => !u.done)) return
    }
    this.hits = []; this.unsure = []; this.counts.forEach(c => c.fill(0))
    // Partial matches: suggest.js, loaded only now, with every pair.
    await this.loadTerms(true)
    await (await this.store.lazy()).relax(this, LAZY)
  }
  scanScore(row) {
    const k1 = 1.2, b = 0.75, norm = k1 * (1 - b + b * this.T.units[row] / this.store.m.rank.avg_units)
    let score = 0, sure = true
    for (const w of this.pos) {
      let c = 0
      for (const t of w.alts) {
        if (isSingle(t)) c += this.uniCount(t.unis[0], row)
        else { sure = false; c += Math.min(...t.unis.map(u => this.uniCount(u, row))) }
      }
      c = Math.min(c, 32)
      if (c === 0) return [0, false, true]
      score += c * (k1 + 1) / (c + norm)
    }
    return [score, true, sure]
  }
  consider(row, score, words) {
    let failed = -1, fails = 0
    for (const f of this.active) {
      if (!this.facetIDs(row, f).some(id => this.filt[f].has(id))) { if (++fails > 1) return; failed = f }
    }
    let sure = true
    if (this.scanOnly) {
      let ok
      ;[score, ok, sure] = this.scanScore(row)
      if (!ok) return
    } else if (!this.relaxed) {
      for (let i = 0; i < this.pos.length; i++) {
        const h = this.holds(row, this.pos[i], this.acc[i])
        if (h === false) return
        if (h === null) sure = false
      }
    }
    if (sure) this.verified++; else this.unsureVerified++
    for (let i = 0; i < this.neg.length; i++) {
      const a = this.negAcc[i]
      if (a && !(a.tf[row] > 0)) continue
      const h = this.holds(row, this.neg[i], a)
      if (h === true) return
      if (h === null) sure = false
    }
    const counted = []
    for (let f = 0; f < FACETS.length; f++) {
      if (fails !== 0 && f !== failed) continue
      for (const id of this.facetIDs(row, f)) { this.counts[f][id]++; counted.push([f, id]) }
    }
    const h = fails === 0 ? { row, score, skey: scoreKey(score), words, matched: popcount(words), validity: this.T.validity[row], date: this.T.date ? this.T.date[row] : 0, tie: this.T.date ? this.T.tie[row] : 0, intent: this.intentRank(row), sure } : null
    if (h) { Object.assign(h, this.tierGuess(row)); this.hits.push(h) }
    if (!sure) this.unsure.push({ row, counted, hit: h })
  }
  facetIDs(row, f) {
    const v = this.T.col[f][row]
    if (!v) return []
    const ids = [v - 1]
    const more = this.T.more[f].get(row)
    if (more) ids.push(...more)
    return ids
  }
  intentRank(row) {
    if (!this.intent) return 0
    const kinds = this.store.intents[this.intent] || []
    const v = this.T.col[0][row], i = v ? kinds.indexOf(this.T.dict[0][v - 1]) : -1
    return i >= 0 ? i : kinds.length
  }
  // tierGuess ranks a hit without its text: the exact tier when the index
  // decides it, else the best it can be (sure false).
  tierGuess(row) {
    if (!this.pos.length || this.relaxed) return { tier: 3, cover: 0 }
    const tr = this.T.titleRunes[row]
    // Per word, whether the title holds it: 1, 0, or null when only the
    // text can tell (single characters: the unigram postings tell).
    const inT = this.pos.map((w, i) => {
      const a = this.acc[i]
      return a ? (a.title[row] ? a.titleExact[row] || null : 0) : w.alts.every(isSingle) ? +w.alts.some(t => this.uniCount(t.unis[0], row, true) > 0) : null
    })
    let zero = tr === tokenRunes(this.whole) && !inT.includes(0)
    if (this.pos.some(w => w.alts.some(t => t.dn))) zero = true
    if (this.pos.length === 1 && !cps(this.whole).some(isCJK)) zero = true
    if (zero) return { tier: 0, cover: 16, tierSure: false }
    if (!inT.includes(0)) return { tier: 1, cover: tr > 0 ? Math.min(16, Math.floor(16 * this.coverRunes / tr)) : 0, tierSure: !inT.includes(null) }
    if (!this.adjacent) return { tier: 2, cover: 0 }
    if (this.phr) {
      if (!this.phr.every(s => s.has(row))) return { tier: 3, cover: 0 }
      return { tier: 2, cover: 0, tierSure: this.phr.length === 1 }
    }
    const g = this.adjGrams
    const has = t => { const c = this.cover.get(t); return c ? c.held[row] === 1 : this.has(t, row) }
    if (!g.bigrams.concat(g.words).every(has) || !g.unis.every(u => this.uniCount(u, row) > 0)) return { tier: 3, cover: 0 }
    return { tier: 2, cover: 0, tierSure: false }
  }
  tierExact(row, doc) {
    if (!this.pos.length || this.relaxed) return [3, 0]
    if (this.whole === doc.foldTitle) return [0, 16]
    for (const w of this.pos) for (const t of w.alts) if (t.dn && doc.docno_key && docNoKey(t.dn) === doc.docno_key) return [0, 0]
    if (this.pos.length === 1 && (doc.keys || []).includes(this.whole)) return [0, 0]
    let inTitle = true
    this.pos.forEach((w, i) => {
      const a = this.acc[i]
      if ((a && !a.title[row]) || !w.alts.some(t => doc.foldTitle.includes(t.squeezed))) inTitle = false
    })
    if (inTitle) { const n = this.T.titleRunes[row]; return [1, n > 0 ? Math.min(16, Math.floor(16 * this.coverRunes / n)) : 0] }
    if (this.adjacent && find(this.adjacent, doc.t, 0, doc.t.length)[0] < 0) return [3, 0]
    return [2, 0]
  }
  // resolve settles an unsure candidate with its text: false when it is no
  // match after all (it is dropped and its counts taken back).
  async resolve(h) {
    const u = this.unsure.find(x => x.hit === h)
    // The card alone settles a match when its text (title, summary, the
    // body's lead, metadata) holds every word, no excluded word can be in
    // the document, and it shows the tier; else the whole text is read.
    let doc = await this.store.card(h.row)
    if (doc.lead && (this.scanOnly || this.relaxed || this.neg.some((w, i) => !this.negAcc[i] || this.negAcc[i].tf[h.row] > 0) ||
      !this.pos.every((w, i) => this.holds(h.row, w, this.acc[i], doc)) || h.tierSure === false && this.tierExact(h.row, doc)[0] > 2)) doc = await this.store.doc(h.row)
    this.fetched = (this.fetched || 0) + 1
    let ok = true
    if (this.scanOnly) {
      const [s, found] = this.scanText(doc)
      if (found) { h.score = s; h.skey = scoreKey(s) } else ok = false
    } else if (this.relaxed) {
      this.relaxMask(h, doc)
      ok = h.matched >= this.need
    } else ok = this.pos.every((w, i) => this.holds(h.row, w, this.acc[i], doc))
    if (ok) ok = !this.neg.some((w, i) => (!this.negAcc[i] || this.negAcc[i].tf[h.row] > 0) && this.holds(h.row, w, this.negAcc[i], doc))
    if (u) {
      u.done = true
      if (!ok) for (const [f, id] of u.counted) this.counts[f][id]--
      else if (!this.relaxed && !this.scanOnly) this.verified++
    }
    if (!ok) { h.gone = true; return false }
    if (h.tierSure === false) { [h.tier, h.cover] = this.tierExact(h.row, doc); h.tierSure = true }
    h.sure = true
    return true
  }
  scanText(doc) {
    const k1 = 1.2, b = 0.75, end = doc.t.length, norm = k1 * (1 - b + b * end / this.store.m.rank.avg_units)
    let score = 0
    for (const w of this.pos) {
      let n = 0
      for (const t of w.alts) {
        for (let p = 0; p < end && n < 32; n++) { const [s, e] = find(t.pat, doc.t, p, end); if (s < 0) break; p = Math.max(e, s + 1) }
      }
      if (n === 0) return [0, false]
      score += n * (k1 + 1) / (n + norm)
    }
    return [score, true]
  }
}
// isWordForm reports whether a form may be a word of the index's vocabulary:
// three to eight CJK characters (words.go).
const isWordForm = t => !t.dn && !t.words.length && !t.unis.length && t.bigrams.length >= 2 && cps(t.folded).length <= 8 && cps(t.folded).every(isCJK)
const isSingle = t => t.unis.length === 1 && t.bigrams.length + t.words.length === 0 && t.pat.runes.length === 1
const bsearch = (a, x) => { let lo = 0, hi = a.length; while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] < x) lo = m + 1; else hi = m } return lo < a.length && a[lo] === x }
const popcount = x => { let n = 0; for (; x; x >>>= 1) n += x & 1; return n }
const idf = (df, n) => Math.log(1 + (n - df + 0.5) / (df + 0.5))
const saturate = (k1, tf) => tf * (k1 + 1) / (tf + k1)
const scoreKey = s => s <= 0 ? 0 : Math.round(s * 1e7)
const startsCJK = s => s.length > 0 && isCJK(s.codePointAt(0))
const endsCJK = s => { const r = cps(s); return r.length > 0 && isCJK(r[r.length - 1]) }
function contains(doc, t) {
  if (t.dn) return findDocNo(t.dn, t.code, doc.t, 0, doc.t.length)[0] >= 0
  return find(t.pat, doc.t, 0, doc.t.length)[0] >= 0
}
const cmp = (a, b) => a < b ? -1 : a > b ? 1 : 0
// hitOrder compares hits for an order ('relevance' or 'date'); by
// relevance with u, before the last keys (the date and the row).
function hitOrder(order) {
  const rel = (a, b, u) => cmp(Math.min(a.tier, 1), Math.min(b.tier, 1)) || cmp(a.intent, b.intent) || cmp(a.tier, b.tier) ||
    -cmp(a.matched, b.matched) || cmp(a.validity >= LAPSED, b.validity >= LAPSED) || -cmp(a.cover, b.cover) ||
    -cmp(a.skey, b.skey) || cmp(a.validity, b.validity) || (u ? 0 : -cmp(a.date, b.date) || cmp(a.tie, b.tie) || cmp(a.row, b.row))
  return order === 'date' ? (a, b) => -cmp(a.date, b.date) || rel(a, b) : rel
}
function topHits(hits, k, order) {
  hits.sort(order)
  return hits.slice(0, k)
}

// ---- Snippets (snippet.go) ----

const WIDTH = 110, LEAD = 24, MAX_HITS = 64, SNAP = 24
function highlighter(words) {
  const h = { pats: [], docnos: [] }
  for (const w of words) for (const t of w.alts) t.dn ? h.docnos.push(t) : h.pats.push(t.pat)
  return h
}
function spans(h, t, from, to) {
  const out = []
  h.pats.forEach((p, i) => {
    for (let pos = from, n = 0; pos < to && n < MAX_HITS; n++) { const [s, e] = find(p, t, pos, to); if (s < 0) break; out.push([s, e, i]); pos = Math.max(e, s + 1) }
  })
  h.docnos.forEach((c, i) => {
    for (let pos = from, n = 0; pos < to && n < MAX_HITS; n++) { const [s, e] = findDocNo(c.dn, c.code, t, pos, to); if (s < 0) break; out.push([s, e, h.pats.length + i]); pos = Math.max(e, s + 1) }
  })
  return out.sort((a, b) => a[0] - b[0])
}
function atom(t, i, from, to) {
  if (i <= from || i >= to) return [i, i]
  for (let p = Math.max(from, i - SNAP); p < i; p++) {
    const f = foldRune(t.codePointAt(p))
    if (f !== 91 && f !== 40) continue
    const end = parseDocNoTail(t, p, to)[2]
    if (end > i) {
      let s = p
      while (s > from && s > p - 8) { const r = runeBefore(t, s); if (!isCJK(foldRune(r))) break; s -= r > 0xffff ? 2 : 1 }
      return [s, end]
    }
  }
  const cls = j => classOf(foldRune(t.codePointAt(j)))
  const inNum = j => cls(j) === DIGIT || ((t[j] === '.' || t[j] === ',') && j > from && j + 1 < to && cls(j - 1) === DIGIT && cls(j + 1) === DIGIT)
  let s = i, e = i
  if (inNum(i - 1) && inNum(i)) { while (s > from && inNum(s - 1)) s--; while (e < to && inNum(e)) e++; return [s, e] }
  if (cls(i - 1) === LETTER && cls(i) === LETTER) { while (s > from && cls(s - 1) === LETTER) s--; while (e < to && cls(e) === LETTER) e++; return [s, e] }
  return [i, i]
}
function snapStart(t, i, from, to) { const [s, e] = atom(t, i, from, to); return s === e ? i : i - s <= SNAP ? s : e }
function snapEnd(t, i, from, to) { const [s, e] = atom(t, i, from, to); return s === e ? i : e - i <= SNAP ? e : Math.max(from, s) }
function bestWindow(sp, from, to) {
  let best = from, bt = -1, bh = -1
  sp.forEach((a, i) => {
    let start = Math.max(from, a[0] - LEAD)
    if (to - start < WIDTH) start = Math.max(from, to - WIDTH)
    const seen = new Set(); let n = 0
    for (const b of sp.slice(i)) { if (b[1] > start + WIDTH) break; seen.add(b[2]); n++ }
    if (seen.size > bt || (seen.size === bt && n > bh)) { best = start; bt = seen.size; bh = n }
  })
  return best
}
const esc = s => s.replace(/[&'<>"]/g, c => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;' })[c])
function renderSpans(t, from, to, sp, ellipsis) {
  const u = i => t.charCodeAt(i)
  if (from > 0 && from < to && u(from) >= 0xdc00 && u(from) < 0xe000) from++
  if (to > from && to < t.length && u(to - 1) >= 0xd800 && u(to - 1) < 0xdc00) to--
  const marked = new Uint8Array(Math.max(0, to - from))
  for (const [s, e] of sp || []) for (let i = Math.max(s, from); i < Math.min(e, to); i++) marked[i - from] = 1
  let b = '', run = '', inMark = false, space = false
  const flush = () => { b += esc(run); run = '' }
  if (ellipsis && from > 0 && u(from - 1) !== SEGSEP) b += '…'
  for (let i = from; i < to;) {
    const r = t.codePointAt(i), w = r > 0xffff ? 2 : 1
    const m = marked[i - from] === 1
    if (m !== inMark) { flush(); b += m ? '<mark>' : '</mark>'; inMark = m }
    if (isSpace(r) || r === SEGSEP) { if (!space) run += ' '; space = true } else { run += fromCP(r); space = false }
    i += w
  }
  flush()
  if (inMark) b += '</mark>'
  if (ellipsis && to < t.length && u(to) !== SEGSEP) b += '…'
  return b.trim()
}
const segBounds = (doc, s) => [s > 0 ? doc.segEnd[s - 1] + 1 : 0, doc.segEnd[s]]
function snippet(doc, h) {
  const t = doc.t
  for (const seg of [2, 1, 3]) {
    const [from, to] = segBounds(doc, seg)
    const sp = spans(h, t, from, to)
    if (!sp.length) continue
    if (seg === 3) break
    const ws = snapStart(t, bestWindow(sp, from, to), from, to)
    const we = snapEnd(t, Math.min(to, ws + WIDTH), ws, to)
    return renderSpans(t, ws, we, sp, true)
  }
  let [from, to] = segBounds(doc, 1)
  if (from === to) [from, to] = segBounds(doc, 2)
  return renderSpans(t, from, snapEnd(t, Math.min(to, from + WIDTH), from, to), null, true)
}

// ---- The response (search.go SearchWith) ----

function filterIDs(T, f, v) {
  const ids = new Set(), d = T.dict[f], i = d.indexOf(v)
  if (i >= 0) ids.add(i)
  if (f % 3 === 2) d.forEach((x, k) => { if (x.startsWith(`${v}/`)) ids.add(k) })
  return ids
}
function facetValueLabel(st, f, v) { return f === 0 ? kindLabel(st, v) : f === 3 ? label(st, 'search_year_value', v) : v }

// search runs q (parseRequest) against the index of store and returns what
// the service's /api/search would: the same fields (but took_ms), URLs
// under base.
// LAZY is what suggest.js is given of the client's functions and constants
// (with, for its messages, the search's own state).
const LAZY = { label, fold, foldRune, isCJK, termGrams, compileWord, facetValueLabel, parseQuery, queryString, FACETS, MAX_VERIFY, idf, saturate, scoreKey, cps, str }
export async function search(store, q, base) {
  await store.load()
  const st = store.m.settings || {}
  await store.opencc(q.terms.map(t => t.text).join(''))
  const an = store.analyzer.analyze(q.terms)
  const T = await store.table()
  const resp = { query: queryString(q), terms: q.terms, filters: [], sort: q.sort, sorts: [], total: 0, page: q.page, pages: 0, page_size: q.size, results: [], facets: [], messages: [] }
  for (const n of q.notices) resp.messages.push({ code: n.code, text: label(st, 'search_msg_' + n.code, ...n.args) })
  if (an.words.length) resp.reading = an
  const withQ = change => { const c = { ...q, filters: q.filters.slice(), notices: [] }; if (change) { c.page = 1; change(c) } return queryURL(c, base) }
  const pageURL = p => queryURL({ ...q, page: p }, base)
  resp.url = withQ(null)
  const filt = []
  let unknown = false
  FACETS.forEach((_, f) => {
    const v = q.filters[f]
    if (!v) return
    const ids = filterIDs(T, f, v)
    if (!ids.size) {
      unknown = true
      resp.messages.push({ code: 'unknown_filter', text: label(st, 'search_msg_unknown_filter', label(st, FACET_KEYS[f]), v), links: [{ label: label(st, 'search_remove_value', v), url: withQ(c => { c.filters[f] = '' }) }] })
    }
    filt[f] = ids
  })
  FACETS.forEach((name, f) => {
    const v = q.filters[f]
    if (v) resp.filters.push({ name, label: label(st, FACET_KEYS[f]), value: v, value_label: facetValueLabel(st, f, v), remove_url: withQ(c => { c.filters[f] = '' }) })
  })
  const hasFilters = q.filters.some(Boolean)
  if (hasFilters) resp.clear_url = withQ(c => { c.filters = ['', '', '', '', '', ''] })
  resp.sorts = [['relevance', 'search_sort_relevance'], ['date', 'search_sort_date']].map(([v, k]) => ({ value: v, label: label(st, k), url: withQ(c => { c.sort = v }), active: q.sort === v }))
  const rm = readingMessage(an, q, st, store.intents)
  if (rm) resp.messages.push(rm)
  if (unknown) return resp

  const m = new Matcher(store, T, an, filt)
  await m.collect()
  if (!m.pos.length && q.sort === 'relevance') { resp.sort = 'date'; resp.sorts.forEach(s => { s.active = s.value === 'date' }) }
  const order = hitOrder(resp.sort)
  let hits = m.hits
  // Dates decide the order by date, and ties of relevance: their column
  // loads only then.
  const dated = async () => { const d = await store.dates(); for (const h of m.hits) { h.date = d[h.row]; h.tie = T.tie[h.row] } }
  if (resp.sort === 'date' && hits.length) await dated()
  // Settle the best hits with their texts until the page is certain.
  for (;;) {
    const last = Math.min(q.page * q.size, hits.length)
    const top = topHits(hits, last + 1, order)
    const unsure = top.slice(0, last).filter(h => !h.sure || h.tierSure === false)
    if (!unsure.length || (m.fetched || 0) > MAX_VERIFY + last) {
      // Hits tied in relevance with one on the page (or the next): the
      // dates of their cards (mostly read for the page anyway) order them
      // when their days differ; else, or for more than two pages of them,
      // the dates chunk.
      const tied = T.date ? [] : hits.filter(h => top.some(o => o !== h && o.date === h.date && hitOrder()(o, h, 1) === 0))
      if (!tied.length) break
      if (m.byCard || tied.length > 2 * q.size) await dated()
      else { m.byCard = 1; await Promise.all(tied.map(async h => { h.date = Date.parse((await store.card(h.row)).date) || 0 })) }
      continue
    }
    await Promise.all(unsure.map(h => m.resolve(h)))
    hits = hits.filter(h => !h.gone)
    m.hits = hits
  }
  resp.partial = m.relaxed && hits.length > 0
  resp.approximate = m.unsure.some(u => !u.done)
  resp.total = hits.length
  resp.pages = Math.ceil(hits.length / q.size)
  if (resp.pages === 0) resp.page = 1
  else if (resp.page > resp.pages) { resp.messages.push({ code: 'page_out_of_range', text: label(st, 'search_msg_page_range', resp.pages) }); resp.page = resp.pages }
  const first = (resp.page - 1) * q.size, last = Math.min(first + q.size, hits.length)
  const page = topHits(hits, last, order).slice(first, last)
  const hl = highlighter(m.pos)
  // A shown result whose card holds no match in its body reads the rest,
  // so its snippet shows the match as the service's does.
  const docs = await Promise.all(page.map(async h => {
    const c = await store.card(h.row)
    return c.lead && !spans(hl, c.t, ...segBounds(c, 2)).length ? store.doc(h.row) : c
  }))
  resp.results = page.map((h, i) => result(store, st, m, h, docs[i], hl))
  const pq = { ...q, page: resp.page }
  resp.url = queryURL(pq, base)
  if (resp.pages > 1) {
    if (resp.page > 1) resp.prev_url = pageURL(resp.page - 1)
    if (resp.page < resp.pages) resp.next_url = pageURL(resp.page + 1)
    let lo = Math.max(1, resp.page - 4); const hi = Math.min(resp.pages, lo + 9); lo = Math.max(1, hi - 9)
    resp.page_links = []
    for (let p = lo; p <= hi; p++) resp.page_links.push({ page: p, url: pageURL(p), current: p === resp.page })
  }
  resp.facets = facetList(T, q, m, st, withQ)
  // No dead ends (suggest.js, loaded only now).
  const lazy = async f => { await m.loadTerms(true); return (await store.lazy())[f]({ ...LAZY, q, an, m, st, withQ, T }) }
  if (resp.total === 0) resp.messages.push(...await lazy('noResults'))
  else if (resp.partial) resp.messages.push({ code: 'partial_match', text: label(st, 'search_msg_partial', quoted(st, m.wordsOf(hits.reduce((u, h) => u | h.words, 0)), 'search_read_sep')) }, ...await lazy('didYouMean'))
  return resp
}
function result(store, st, m, h, doc, hl) {
  const r = { id: doc.id, url: store.m.base + doc.id.slice(1), title: doc.title, kind: doc.kind, kind_label: kindLabel(st, doc.kind), doc_no: doc.docno, index_no: doc.indexno, agencies: doc.agencies, topic: doc.topic, validity: doc.validity, date: doc.date, score: h.score }
  if (m.relaxed) {
    r.matched = m.wordsOf(h.words)
    hl = highlighter(m.units.filter((u, i) => h.words & (1 << i) && !u.pair).map(u => u.w))
    for (const f of r.matched) if (cps(f).length >= 2) hl.pats.push(newPattern(fold(f)))
  }
  const [ts, te] = segBounds(doc, 0)
  r.title_html = renderSpans(doc.t, ts, te, spans(hl, doc.t, ts, te), false)
  r.snippet = snippet(doc, hl)
  return r
}
function readingMessage(an, q, st, intents) {
  let changed = an.dropped.length > 0 || !!an.intent
  const parts = []; let pos = 0
  for (const w of an.words) {
    if (w.exclude) continue
    pos++
    const shown = [w.text]
    for (const f of w.forms.slice(1)) if (f !== fold(w.text)) shown.push(f)
    if (shown.length > 1) changed = true
    parts.push(quoted(st, shown, 'search_read_or'))
  }
  if (pos !== q.terms.filter(t => !t.exclude).length) changed = true
  if (!changed || pos === 0) return null
  let text = label(st, 'search_read_as', parts.join(label(st, 'search_read_sep')))
  if (an.dropped.length) text += label(st, 'search_read_dropped', quoted(st, an.dropped, 'search_read_sep'))
  const kinds = (intents || {})[an.intent] || []
  if (kinds.length) text += label(st, 'search_intent', kinds.map(k => kindLabel(st, k)).join(label(st, 'search_read_sep')))
  return { code: 'query_reading', text }
}
function facetList(T, q, m, st, withQ) {
  const out = []
  FACETS.forEach((name, f) => {
    const d = T.dict[f], active = q.filters[f]
    let vals = []
    if (f % 3 === 2) vals = topicValues(d, m.counts[f], active)
    else m.counts[f].forEach((n, id) => { if (n > 0 || d[id] === active) vals.push([d[id], n]) })
    if (active && !vals.some(x => x[0] === active)) vals.push([active, 0])
    if (!vals.length) return
    if (f === 3) vals.sort((a, b) => -cmp(a[0], b[0]))
    else if (f === 4) vals.sort((a, b) => cmp(VALIDITY[a[0]] ?? 2, VALIDITY[b[0]] ?? 2) || cmp(a[0], b[0]))
    else vals.sort((a, b) => -cmp(a[1], b[1]) || cmp(a[0], b[0]))
    const fc = { name, label: label(st, FACET_KEYS[f]), values: [] }
    vals.forEach(([v, n], i) => {
      const on = v === active
      if (i >= 20 && !on) { fc.more = (fc.more || 0) + 1; return }
      fc.values.push({ value: v, label: facetValueLabel(st, f, v), count: n, active: on || undefined, url: withQ(c => { c.filters[f] = on ? '' : v }) })
    })
    out.push(fc)
  })
  return out
}
function topicValues(values, counts, active) {
  const l1 = v => v.split(/\//)[0]
  const sums = new Map()
  counts.forEach((n, id) => { if (n > 0) sums.set(l1(values[id]), (sums.get(l1(values[id])) || 0) + n) })
  const out = [...sums.keys()].sort(cmp).map(k => [k, sums.get(k)])
  if (!active) return out
  const top = l1(active)
  counts.forEach((n, id) => { const v = values[id]; if (n > 0 && v !== top && l1(v) === top) out.push([v, n]) })
  return out
}
// ---- The results page (themes/default/templates/search-results.html) ----

const VALIDITY_CODE = { '有效': 'valid', '已修改': 'amended', '失效': 'expired', '废止': 'repealed' }
function render(resp, L, path) {
  const T = k => L[k] === undefined ? k : L[k], a = esc
  let h = '<h1>' + (resp.query ? a(T('search_results_for')) + '“' + a(resp.query) + '”' : a(T('search'))) + '</h1>\n'
  h += '<form class="search-again" role="search" action="' + a(path) + '" method="get">\n  <label for="q2">' + a(T('search_label')) + '</label>\n'
  h += '  <input id="q2" name="q" type="search" maxlength="200" value="' + a(resp.query) + '">\n'
  for (const f of resp.filters) h += '  <input type="hidden" name="' + a(f.name) + '" value="' + a(f.value) + '">\n'
  if (resp.sort !== 'relevance') h += '<input type="hidden" name="sort" value="' + a(resp.sort) + '">'
  h += '  <button type="submit">' + a(T('search_button')) + '</button>\n</form>\n'
  const links = ls => ls && ls.length ? '<ul>' + ls.map(l => '<li><a href="' + a(l.url) + '">' + a(l.label) + '</a></li>').join('') + '</ul>' : ''
  for (const m of resp.messages) h += '<div class="msg" role="status"><p>' + a(m.text) + '</p>' + links(m.links) + '</div>\n'
  h += '<div class="list-layout">\n<div class="list-main">\n'
  if (resp.query) h += '<p class="count" role="status">' + (resp.approximate ? a(T('search_static_about')) : '') + a(sprintf(T('search_count'), [resp.total])) + (resp.pages > 1 ? '，' + a(sprintf(T('page_n'), [resp.page])) : '') + '</p>\n'
  if (resp.filters.length) {
    h += '<ul class="filters" aria-label="' + a(T('search_filters')) + '">' + resp.filters.map(f => '<li>' + a(f.label) + '：' + a(f.value_label) + ' <a href="' + a(f.remove_url) + '">' + a(T('remove_filter')) + '<span class="sr-only">' + a(f.label) + '：' + a(f.value_label) + '</span></a></li>').join('')
    if (resp.clear_url) h += '\n<li><a href="' + a(resp.clear_url) + '">' + a(T('clear_filters')) + '</a></li>'
    h += '</ul>\n'
  }
  if (resp.results.length) {
    h += '<p class="sorts">' + a(T('sort_by')) + '：' + resp.sorts.map(s => s.active ? '<strong aria-current="true">' + a(s.label) + '</strong> ' : '<a href="' + a(s.url) + '">' + a(s.label) + '</a> ').join('') + '</p>\n<ol class="results">\n'
    for (const r of resp.results) {
      h += '<li>\n<h2><a href="' + a(r.url) + '">' + r.title_html + '</a></h2>\n<p class="meta"><span class="kind">' + a(r.kind_label) + '</span>'
      if (r.doc_no) h += ' · ' + a(r.doc_no)
      if (r.agencies && r.agencies.length) h += ' · ' + a(r.agencies.join('、'))
      if (r.date) h += ' · <time datetime="' + a(r.date) + '">' + a(r.date) + '</time>'
      if (r.validity) h += ' · <span class="validity v-' + (VALIDITY_CODE[r.validity] || '') + '">' + a(r.validity) + '</span>'
      h += '</p>\n<p class="snippet">' + r.snippet + '</p>\n'
      if (r.matched && r.matched.length) h += '<p class="matched">' + a(T('search_matched')) + a(r.matched.join('、')) + '</p>\n'
      h += '</li>\n'
    }
    h += '</ol>'
  }
  if (resp.pages > 1) {
    h += '\n<nav class="pager" aria-label="' + a(T('pager')) + '"><ul>\n'
    if (resp.prev_url) h += '<li><a href="' + a(resp.prev_url) + '" rel="prev">' + a(T('prev')) + '</a></li>\n'
    h += (resp.page_links || []).map(p => '<li><a href="' + a(p.url) + '"' + (p.current ? ' aria-current="page"' : '') + '>' + p.page + '</a></li>').join('') + '\n'
    if (resp.next_url) h += '<li><a href="' + a(resp.next_url) + '" rel="next">' + a(T('next')) + '</a></li>\n'
    h += '</ul></nav>'
  }
  h += '\n</div>\n'
  if (resp.facets.length) {
    h += '<aside class="facets" aria-label="' + a(T('search_refine')) + '">\n'
    resp.facets.forEach((f, i) => {
      if (!f.values.length) return
      h += '<section aria-labelledby="sf-' + i + '"><h2 id="sf-' + i + '">' + a(f.label) + '</h2><ul>\n'
      for (const v of f.values) h += '<li><a href="' + a(v.url) + '"' + (v.active ? ' aria-current="true"' : '') + '>' + a(v.label) + '</a> <span class="n">' + v.count + '</span></li>\n'
      h += '</ul></section>'
    })
    h += '\n</aside>'
  }
  return h + '\n</div>\n'
}

// ---- In the page ----

async function boot(root) {
  // get fetches a URL, or bytes [a, b) of it (a server that ignores the
  // range sends it all).
  const get = async (url, range) => {
    const r = await fetch(url, range ? { headers: { Range: `bytes=${range[0]}-${range[1] - 1}` } } : undefined)
    if (!r.ok) throw new Error(r.status + ' ' + url)
    const b = new Uint8Array(await r.arrayBuffer())
    return range && r.status !== 206 ? b.subarray(range[0], range[1]) : b
  }
  const store = new Store(root.dataset.index, get)
  const path = root.dataset.path
  let seq = 0
  const run = async () => {
    const n = ++seq
    root.dataset.state = 'busy'
    try {
      if (typeof DecompressionStream === 'undefined') throw new Error('DecompressionStream')
      await store.load()
      const resp = await search(store, parseRequest(new URLSearchParams(location.search)), path)
      if (n !== seq) return
      const L = store.m.labels || {}
      root.innerHTML = render(resp, L, path)
      root.dataset.state = 'done'
      document.title = (resp.query ? (L.search_results_for || '') + resp.query : (L.search || '')) + document.title.replace(/^[^-]*-/, ' -')
    } catch (e) {
      root.dataset.state = 'failed'
      root.querySelector('.gk-status')?.remove()
      root.insertAdjacentHTML('afterbegin', '<p class="gk-status msg" role="status">' + esc(sprintf((store.m && store.m.labels || {}).failed || root.dataset.failed || 'failed', [e.message])) + '</p>')
    }
  }
  const own = u => u.origin === location.origin && (u.pathname === path || u.pathname === location.pathname)
  root.addEventListener('click', e => {
    const a = e.target.closest && e.target.closest('a[href]')
    if (!a || e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    const u = new URL(a.href)
    if (!own(u)) return
    e.preventDefault()
    history.pushState(null, '', location.pathname + u.search)
    run().then(() => window.scrollTo(0, 0))
  })
  document.addEventListener('submit', e => {
    const f = e.target, u = new URL(f.action, location.href)
    if (!own(u) || (f.method || 'get').toLowerCase() !== 'get') return
    e.preventDefault()
    history.pushState(null, '', location.pathname + '?' + new URLSearchParams(new FormData(f)))
    run()
  })
  addEventListener('popstate', run)
  await run()
}
if (typeof document !== 'undefined') {
  const root = document.getElementById('gk-search')
  if (root) boot(root)
}

export { render, parseQuery, parseRequest, queryString, queryURL, Analyzer, fold, foldRune, hasTraditional, toSimplified, parseDocNo, docNoKey, chineseNumber, parseChineseNumber, chineseDigits, termGrams, newPattern, find, squeeze, isCJK, classOf }
