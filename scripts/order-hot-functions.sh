#!/usr/bin/env bash
# Writes app/hot-functions.txt: the functions a lint runs, most instructions first, for the
# linker to lay out together at the start of the statically linked program (one page fault
# maps in 64 KiB of code; spread over the whole program, the code a small model's lint runs
# took 59 faults). Run it again after large changes (a stale list only costs speed: names it
# no longer finds are skipped, and new functions land with the rest of the program).
#
# Usage: scripts/order-hot-functions.sh [BUILD_DIR]   (default build; needs valgrind)
# It runs BUILD_DIR/shapelint under callgrind over the samples and the benchmark's generated
# models, in each output format, and sums each function's instructions over the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
command -v valgrind > /dev/null || { echo "order-hot-functions: needs valgrind" >&2; exit 1; }
work=$(mktemp -d /tmp/shapelint-hot.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$build/bench/shapelint-bench-tools" gen "$work/models" > /dev/null

runs=0
profile() {
  runs=$((runs + 1))
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/run.$runs" \
    "$build/shapelint" "$@" > /dev/null 2>&1 || true
}
for model in "$work"/models/inception_*.json "$work"/models/small/model_000[1-4].json \
  samples/ok/* samples/bad/*; do
  profile "$model"
done
# Real models from ../shared/corpus when it is there (SHAPELINT_CORPUS elsewhere): layers and
# layouts the generated models do not have.
corpus=${SHAPELINT_CORPUS:-../shared/corpus}
if [ -d "$corpus" ]; then
  find "$corpus"/keras1 "$corpus"/keras2 "$corpus"/keras3 "$corpus"/tfjs -name '*.json' \
    2> /dev/null | sort > "$work/corpus.txt"
  while IFS= read -r model; do
    profile "$model"
  done < "$work/corpus.txt"
fi
for format in json sarif github junit; do
  profile --format "$format" "$work/models/inception_keras3.json" samples/bad/*
done
profile --input-shape 25x25x1 samples/ok/mnist_cnn.json

python3 - "$work" "$build/shapelint" > app/hot-functions.txt <<'PY'
import collections, glob, re, subprocess, sys

# Per function: its self instructions summed over the runs, and how many runs ran it.
# Callgrind's output: "fn=(id) name" starts a function's lines (the name given at an id's
# first use, in fn= or cfn= lines); a "calls=" line is followed by the callee's inclusive
# cost, which is not the caller's own.
cost = collections.Counter()
runs_of = collections.Counter()
for path in glob.glob(sys.argv[1] + "/run.*"):
    names, current, after_call, ran = {}, None, False, set()
    for line in open(path, errors="replace"):
        m = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?", line)
        if m:
            kind, ident, name = m.groups()
            if name:
                names[ident] = name.strip()
            if kind == "fn":
                current = names.get(ident)
            continue
        if line.startswith("calls="):
            after_call = True
            continue
        m = re.match(r"^(?:[+-]?\d+|\*) (\d+)", line)
        if m:
            if after_call:
                after_call = False
            elif current:
                cost[current] += int(m.group(1))
                ran.add(current)
    for name in ran:
        runs_of[name] += 1

# What every run needs first (start-up, reading, the table), then what fewer runs need: the
# pages a plain lint touches are then the first ones.
order = sorted(cost, key=lambda n: (-runs_of[n], -cost[n]))
listed = [n for n in order if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.$]*", n)]

# Valgrind runs glibc's AVX2 (or plain AVX, or SSE2) string functions; on a CPU with AVX-512
# glibc picks its EVEX and AVX-512 versions of the same functions, and memcpy is memmove:
# those are listed right after the one valgrind ran, where that one ranks (appended at the
# end, memmove and strstr landed 1 MiB away from the rest of what every run needs, a fault
# each).
program = subprocess.run(["nm", "--defined-only", sys.argv[2]], capture_output=True, text=True)
symbols = {line.split()[-1] for line in program.stdout.splitlines() if len(line.split()) == 3}
isa = r"(?:sse2|ssse3|sse4_1|sse4_2|avx2|avx|evex|evex512|avx512)"
variant = re.compile(r"__(mem\w+?|str\w+?|stp\w+?|raw\w+?|wmem\w+?|wcs\w+?)_" + isa + r"(?:_\w+)?")
def base_of(name):
    m = variant.fullmatch(name)
    if not m:
        return None
    return "memmove" if m.group(1) == "memcpy" else m.group(1)
# Only the AVX-512 twins (what such a CPU picks): listing every variant (SSE2, RTM, ...) put
# tens of KiB that no run executes among the code every run needs.
twin = re.compile(r"__\w+?_(?:evex|evex512|avx512)(?:_\w+)?")
siblings = {}
for symbol in sorted(symbols):
    base = base_of(symbol)
    if base and twin.fullmatch(symbol) and not symbol.endswith("_rtm"):
        siblings.setdefault(base, []).append(symbol)
ordered, seen = [], set()
for name in listed:
    for n in [name] + siblings.get(base_of(name), []):
        if n not in seen:
            seen.add(n)
            ordered.append(n)
listed = ordered
print("\n".join(listed))
PY
echo "app/hot-functions.txt: $(wc -l < app/hot-functions.txt) functions from $runs runs"
