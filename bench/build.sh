#!/usr/bin/env bash
# Full build of a benchmark corpus: converts it into a gongkai site, then times
# `gongkai check` and `gongkai build` (pages, lists, catalogue, sitemap, feeds
# and the search index) with wall time and peak RSS.
#
#   bench/build.sh CORPUS_DIR [WORK_DIR]
set -euo pipefail
corpus=${1:?usage: bench/build.sh CORPUS_DIR [WORK_DIR]}
work=${2:-$(mktemp -d)}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
go build -o "$work/gongkai" ./cmd/gongkai
rm -rf "$work/site"
go run ./bench/corpus2site "$corpus" "$work/site"
cd "$work/site"
for cmd in check build; do
  # The build's own summary (render and search index times) goes to stdout.
  /usr/bin/time -f "$cmd: wall %e s, peak RSS %M KB" "$work/gongkai" $cmd -date 2025-01-01 | grep -E '^(built|search index|static search)' || true
done
du -sh public public.search 2>/dev/null || true
