#!/usr/bin/env bash
# Search index benchmarks on a corpus folder (docs.jsonl from the shared
# generator): build time, peak memory, size on disk, rebuild after a small
# change, and query latency p50/p99 (facets always computed).
#
#   bench/search.sh CORPUS_DIR [WORK_DIR]
#
# Peak RSS is the whole test process (/proc/self/status VmHWM, and
# /usr/bin/time -v): it includes the corpus held in memory as []search.Doc,
# which is what a real build holds too. Set GOMEMLIMIT to cap the Go heap.
set -euo pipefail
corpus=${1:?usage: bench/search.sh CORPUS_DIR [WORK_DIR]}
corpus=$(cd "$corpus" && pwd)
work=${2:-$(mktemp -d)}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
go test -c -o "$work/search.test" ./search
cd "$work"
docs=$(wc -l < "$corpus/docs.jsonl")
run() { # benchmark-regexp benchtime
  ./search.test -test.run '^$' -test.bench "$1" -test.benchtime "$2" -corpus "$corpus" -index "$work/ix"
}
metric() { # line unit -> value before unit
  awk -v u="$2" '{for (i = 2; i <= NF; i++) if ($i == u) print $(i-1)}' <<<"$1"
}

/usr/bin/time -f '%e %M' -o "$work/time.txt" ./search.test -test.run '^$' -test.bench 'BenchmarkBuild$' \
  -test.benchtime 1x -corpus "$corpus" > "$work/build.txt"
build=$(grep '^BenchmarkBuild' "$work/build.txt")
read -r wall rsskb < "$work/time.txt"
rebuild=$(run 'BenchmarkRebuild$' 1x | grep '^BenchmarkRebuild')
rm -rf "$work/ix"
search=$(run 'BenchmarkSearch' 3x | grep '^BenchmarkSearch/')

printf 'corpus %s: %s documents\n\n' "$corpus" "$docs"
printf '| measure | value |\n|---|---|\n'
printf '| index build, fresh | %.1f s (CPU %s s) |\n' "$(echo "$(metric "$build" ns/op) / 1000000000" | bc -l)" "$(metric "$build" cpu-s)"
printf '| peak RSS of the build process (VmHWM; corpus included) | %s MB |\n' "$(metric "$build" peakRSS-MB)"
printf '| live heap: corpus as []search.Doc / peak added by Build | %s MB / %s MB |\n' \
  "$(metric "$build" corpus-heap-MB)" "$(metric "$build" build-heap-MB)"
printf '| peak RSS by /usr/bin/time (process wall %s s) | %d MB |\n' "$wall" $((rsskb / 1024))
printf '| index size on disk | %s MiB |\n' "$(metric "$build" disk-MB)"
printf '| rebuild after changing 1%% of documents | %.2f s (CPU %s s; %s re-indexed) |\n' \
  "$(echo "$(metric "$rebuild" ns/op) / 1000000000" | bc -l)" "$(metric "$rebuild" cpu-s)" "$(metric "$rebuild" updated)"
printf '\n| query class | p50 ms | p99 ms | max ms | CPU p50 ms | CPU p99 ms | hits per query |\n'
printf '|---|---|---|---|---|---|---|\n'
while read -r line; do
  name=$(awk '{print $1}' <<<"$line" | sed 's/^BenchmarkSearch\///; s/-[0-9]*$//')
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$(metric "$line" p50-ms)" "$(metric "$line" p99-ms)" \
    "$(metric "$line" max-ms)" "$(metric "$line" cpu-p50-ms)" "$(metric "$line" cpu-p99-ms)" "$(metric "$line" hits/q)"
done <<<"$search"
printf '\nload average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
