#!/usr/bin/env bash
# Rebuild benchmarks of two builds of gongkai, interleaved A B B A so that a
# shared machine's drift falls on both alike: each run is five rebuilds of
# BenchmarkIncremental (cmd/internal/cli) and prints the median wall and CPU
# seconds of its rebuilds, then every rebuild's wall time.
#
#   bench/abba.sh CORPUS_DIR REV_A REV_B [ROUNDS] [BENCH]
#
# REV_A and REV_B are git revisions (HEAD, a commit, or "." for the working
# tree); BENCH defaults to 'Incremental/record/warm'. Each revision's test
# binary is built from `git archive` in its own folder, and runs there.
set -euo pipefail
usage="usage: bench/abba.sh CORPUS_DIR REV_A REV_B [ROUNDS] [BENCH]"
corpus=$(cd "${1:?$usage}" && pwd)
a=${2:?$usage}
b=${3:?$usage}
rounds=${4:-2}
bench=${5:-Incremental/record/warm}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build() { # revision → folder of cmd/internal/cli with cli.test in it
	local dir="$work/$1"
	mkdir -p "$dir"
	if [ "$1" = . ]; then
		(cd "$here" && go test -c -o "$dir/cli.test" ./cmd/internal/cli)
		echo "$here/cmd/internal/cli $dir/cli.test"
		return
	fi
	git -C "$here" archive "$1" | tar -x -C "$dir"
	(cd "$dir" && go test -c -o cli.test ./cmd/internal/cli)
	echo "$dir/cmd/internal/cli $dir/cli.test"
}
read -r dirA binA < <(build "$a")
read -r dirB binB < <(build "$b")
run() { # name folder binary
	local out
	out=$(cd "$2" && "$3" -test.run '^$' -test.bench "$bench" -test.benchtime 5x -test.v -corpus "$corpus" 2>&1 | grep -E 'edit [0-9]+:')
	median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
	printf '%-12s median wall %s s, CPU %s s; rebuilds: %s\n' "$1" \
		"$(awk '{print $6}' <<<"$out" | median)" "$(awk '{print $9}' <<<"$out" | median)" \
		"$(awk '{printf "%s ", $6}' <<<"$out")"
}
for _ in $(seq "$rounds"); do
	run "$a" "$dirA" "$binA"
	run "$b" "$dirB" "$binB"
	run "$b" "$dirB" "$binB"
	run "$a" "$dirA" "$binA"
done
