#!/usr/bin/env bash
# One-record rebuilds as `gongkai build` runs them: each in a fresh process,
# with precompressed copies, unlike BenchmarkIncremental's cold rebuilds
# (cmd/internal/cli), which run in the benchmark's own process with its heap
# already grown. Converts the corpus into a site (kept in WORK_DIR/site for
# the next run), builds it, waits out the 3 s within which a changed file's
# bytes are not kept, builds again (which keeps every record file in the
# state folder), then ROUNDS times appends a line to one policy and times the
# build: wall, user and system seconds, peak RSS and minor page faults.
#
#   bench/rebuild.sh CORPUS_DIR [WORK_DIR] [ROUNDS]
set -euo pipefail
usage="usage: bench/rebuild.sh CORPUS_DIR [WORK_DIR] [ROUNDS]"
corpus=$(cd "${1:?$usage}" && pwd)
work=${2:-$(mktemp -d)}
rounds=${3:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
work=$(cd "$work" && pwd)
(cd "$here" && go build -o "$work/gongkai" ./cmd/gongkai)
if [ ! -d "$work/site/content" ]; then
	(cd "$here" && go run ./bench/corpus2site "$corpus" "$work/site")
fi
cd "$work/site"
build() { "$work/gongkai" build -date 2025-01-01 >/dev/null 2>&1; }
build
sleep 4
build
record=$(find content/policies -name '*.md' | sort | sed -n 5p)
for i in $(seq "$rounds"); do
	printf '\n本段为第%d次修改。\n' "$i" >>"$record"
	/usr/bin/time -f "rebuild $i: wall %e s, user %U s, system %S s, peak RSS %M KB, minor faults %R" \
		"$work/gongkai" build -date 2025-01-01 2>&1 >/dev/null | grep '^rebuild '
done
