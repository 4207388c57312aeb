#!/usr/bin/env bash
# gongkai's static search side by side with Pagefind on the same public/:
# converts a benchmark corpus into a site and builds it (bench/build.sh),
# runs Pagefind (pinned in bench/pagefind/package.json, installed with
# npm ci; never part of the site or of go test) over public/ with wall time
# and peak RSS, then runs each query of staticsearch/testdata/bench-queries.tsv
# through both clients in Node: gongkai's (staticsearch/testdata/search.mjs,
# reading the files) and Pagefind's own pagefind.js (bench/pagefind/query.mjs,
# fetching from a server on 127.0.0.1 and loading the data of the results
# shown). Bytes are as sent: compressed index files as stored, text files
# gzipped (gongkai's manifest as its .gz copy). Neither client script is
# counted (pagefind.js is loaded from a data: URL; gongkai's client is
# 19.3 KB gzip); Pagefind's cold bytes include its WebAssembly and language
# metadata.
#
#   bench/pagefind.sh CORPUS_DIR [WORK_DIR]
set -euo pipefail
corpus=${1:?usage: bench/pagefind.sh CORPUS_DIR [WORK_DIR]}
work=${2:-$(mktemp -d)}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
if [ ! -f "$work/site/public/search/index.json" ]; then
  bench/build.sh "$corpus" "$work"
fi
site="$work/site/public"
(cd bench/pagefind && npm ci --no-audit --no-fund --silent)
rm -rf "$site/pagefind"
/usr/bin/time -f "pagefind: wall %e s, peak RSS %M KB" bench/pagefind/node_modules/.bin/pagefind --site "$site" 2>&1 |
  grep -E '^(pagefind:|  Indexed [0-9]+ pages)' || true
du -sh "$site/pagefind" "$site/static/search" | sed 's/^/index on disk: /'

queries=staticsearch/testdata/bench-queries.tsv
grep -v '^#' "$queries" | cut -f2 > "$work/queries.txt"
# gongkai: each query cold, then warm after the one before it.
node -e '
  const qs = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean)
  qs.forEach((q, i) => {
    const p = qs[(i + qs.length - 1) % qs.length], e = s => new URLSearchParams({ q: s }).toString()
    console.log("cold " + e(q)); console.log("cold " + e(p)); console.log(e(q))
  })' "$work/queries.txt" | node staticsearch/testdata/search.mjs "$site" > "$work/static.jsonl"
node bench/pagefind/query.mjs "$site" < "$work/queries.txt" > "$work/pagefind.jsonl"
node bench/pagefind/summary.mjs "$queries" "$work/static.jsonl" "$work/pagefind.jsonl" "$work/site/content"
printf '\nload average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
