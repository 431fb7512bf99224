#!/usr/bin/env bash
# The speed targets of the project, measured in one run on this machine:
#   whole lint of a 100,000-layer model vs nlohmann_json parsing it alone (time, peak memory),
#   a small model (startup + lint), 1,000 small files in one invocation vs 1,000 invocations.
# Usage: run_bench.sh SHAPELINT BENCH_TOOLS [GOOGLE_BENCHMARK]
set -euo pipefail
shapelint=$1 tools=$2 gbench=${3:-}
dir=$(mktemp -d /tmp/shapelint-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$tools" gen "$dir"

# wall seconds and peak RSS (KiB) of a command, via GNU time
measure() {
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$@" > /dev/null 2>&1 || true
  cat "$dir/time.txt"
}

printf '%-22s %10s %8s %10s %10s %9s %9s\n' model "size MiB" "lint s" "parse s" "ratio" "lint MiB" "x size"
for name in long_keras2 long_keras3 activations_keras2 seq_activations_keras2 inception_keras2 inception_keras3; do
  f="$dir/$name.json"
  size=$(stat -c %s "$f")
  read -r lint_s lint_kb < <(measure "$shapelint" --format json "$f")
  read -r parse_s _ < <(measure "$tools" parse "$f")
  awk -v n="$name" -v size="$size" -v ls="$lint_s" -v ps="$parse_s" -v lk="$lint_kb" 'BEGIN {
    printf "%-22s %10.1f %8.2f %10.2f %10.2f %9.1f %9.1f\n", n, size/1048576, ls, ps, (ps > 0 ? ls/ps : 0), lk/1024, lk*1024/size }'
done

small="$dir/small/model_0001.json"
read -r _ one_kb < <(measure "$shapelint" "$small")
read -r best median < <("$tools" time 50 "$shapelint" "$small")
echo "small model, startup + lint: best ${best} s, median ${median} s (50 runs), ${one_kb} KiB peak"

start=$(date +%s.%N)
"$shapelint" --format json "$dir"/small/*.json > /dev/null
one_run=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.2f", a - b }')
start=$(date +%s.%N)
for f in "$dir"/small/*.json; do "$shapelint" --format json "$f" > /dev/null; done
separate=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.2f", a - b }')
echo "1,000 small files: one invocation ${one_run} s, 1,000 invocations ${separate} s"

if [ -n "$gbench" ]; then
  "$gbench" --benchmark_min_time=0.5
fi
