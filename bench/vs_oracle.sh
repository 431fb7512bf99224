#!/usr/bin/env bash
# shapelint against the reference implementations of ../shared/oracle on the same realistic
# models (the Inception-sized graphs and a small CNN of bench/, in tf.keras 2 and Keras 3
# form): wall time of the whole process, best of RUNS, as a user waiting for the answer sees
# it. The Keras 3 oracle is real Keras (it builds the model; the closest thing to
# `keras.models.model_from_json`), the TensorFlow.js oracle the tf.keras 2 port.
#
# Usage: vs_oracle.sh SHAPELINT BENCH_TOOLS [RUNS]
# With ../shared/corpus beside the project (or SHAPELINT_CORPUS), the largest real models of
# its keras2/ and keras3/ folders are timed too.
# Needs the oracles set up as ../shared/oracle/README.md says: ORACLE_DIR (default
# /tmp/shapelint-oracle) with tfjs/node_modules, and KERAS_SRC pointing at the Keras source.
# An oracle that cannot run is reported and left out; this script never fails for it.
set -euo pipefail
shapelint=$1 tools=$2 runs=${3:-5}
oracle=${ORACLE_DIR:-/tmp/shapelint-oracle}
dir=$(mktemp -d /tmp/shapelint-vs-oracle.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$tools" gen "$dir" > /dev/null

# Best wall time of `runs` runs of a command, in seconds ("fail" when it does not succeed),
# timed by the bench tool: spawned directly, so no shell's or timer's start-up is counted.
best_of() {
  "$tools" time "$runs" "$@" | cut -d' ' -f1
}

keras3_ok=0 tfjs_ok=0
if [ -n "${KERAS_SRC:-}" ] && [ -f "$oracle/keras3/keras3_oracle.py" ]; then
  keras3_ok=1
else
  echo "Keras 3 oracle: not set up (KERAS_SRC and $oracle/keras3), left out"
fi
if [ -d "$oracle/tfjs/node_modules" ] && command -v node > /dev/null; then
  tfjs_ok=1
else
  echo "TensorFlow.js oracle: not set up ($oracle/tfjs/node_modules), left out"
fi

printf '%-20s %8s %12s %8s %12s %8s\n' model "KiB" "shapelint s" "oracle" "oracle s" "ratio"
row() {
  local name=$1 file=$2 which=$3 ours theirs
  # shapelint's default output (the table); more runs, its times being short and noisier
  ours=$(runs=$((runs * 4)) best_of "$shapelint" "$file")
  case "$which" in
    keras3) theirs=$(best_of /usr/bin/python3 "$oracle/keras3/keras3_oracle.py" "$file") ;;
    tfjs) theirs=$(best_of node "$oracle/tfjs/oracle.js" "$file") ;;
  esac
  local kib
  kib=$(( $(stat -c %s "$file") / 1024 ))
  awk -v n="$name" -v l="$kib" -v o="$ours" -v w="$which" -v t="$theirs" 'BEGIN {
    ratio = t == "fail" ? "failed" : sprintf("%.0fx", t / o);
    printf "%-20s %8s %12s %8s %12s %8s\n", n, l, o, w, t, ratio }'
}
for form in keras2 keras3; do
  f="$dir/inception_$form.json"
  [ "$tfjs_ok" = 1 ] && row "inception_$form" "$f" tfjs
  [ "$keras3_ok" = 1 ] && [ "$form" = keras3 ] && row "inception_$form" "$f" keras3
done
small_k2="$dir/small/model_0002.json" small_k3="$dir/small/model_0001.json"
[ "$tfjs_ok" = 1 ] && row "embedding_weights" "$dir/embedding_weights_keras2.json" tfjs
[ "$tfjs_ok" = 1 ] && row "small_cnn_keras2" "$small_k2" tfjs
[ "$keras3_ok" = 1 ] && row "small_cnn_keras3" "$small_k3" keras3

# Real models: the four largest JSON configs of each generation in the shared corpus.
corpus=${SHAPELINT_CORPUS:-$(dirname "$0")/../../shared/corpus}
if [ -d "$corpus" ]; then
  for form in keras2 keras3; do
    while read -r f; do
      name=$(basename "$f" .json | sed 's/.*__//' | cut -c1-20)
      [ "$tfjs_ok" = 1 ] && [ "$form" = keras2 ] && row "$name" "$f" tfjs
      [ "$keras3_ok" = 1 ] && [ "$form" = keras3 ] && row "$name" "$f" keras3
    done < <(ls -S "$corpus/$form"/*.json 2>/dev/null | head -4)
  done
else
  echo "(no shared corpus at $corpus: real models left out)"
fi
echo "(wall time of the whole process, best of $((runs * 4)) runs for shapelint, $runs for an oracle)"
