#!/usr/bin/env bash
# Two builds timed in turns on one file: ROUNDS rounds, each running the old build and then
# the new one, so both meet the same phases of a noisy machine; prints each one's best and
# median wall time. Extra arguments go to both (`--format json`).
#   bench/paired_times.sh 20 model.json /tmp/shapelint-before build/shapelint --format json
set -euo pipefail
rounds=$1 file=$2 old=$3 new=$4
shift 4
for _ in $(seq "$rounds"); do
  for which in old new; do
    bin=$old
    [ "$which" = new ] && bin=$new
    start=$(date +%s%N)
    "$bin" "$@" "$file" > /dev/null 2>&1 || true
    echo "$which $(( ($(date +%s%N) - start) / 1000 ))"
  done
done | python3 -c '
import statistics, sys
times = {}
for line in sys.stdin:
    which, us = line.split()
    times.setdefault(which, []).append(int(us) / 1000)
for which in ("old", "new"):
    t = times[which]
    print(f"{which}: best {min(t):.2f} ms, median {statistics.median(t):.2f} ms ({len(t)} runs)")
'
