#!/usr/bin/env bash
# Fuzzes shapelint with libFuzzer. Builds the targets with clang (ASan+UBSan, coverage) in
# BUILD_DIR, writes seeds there from samples/, ../shared/corpus (when present, read in place)
# and tests/hostile/inputs, then runs each target for SECONDS on one core.
#
# Usage: fuzz/run.sh [-t SECONDS] [-b BUILD_DIR] [--ci] [TARGET...]
#   TARGET: lint_json lint_structured what_if keras_archive hdf5 input_shape config
#           (default: all of them)
#   --ci:   a short pass (40 s per target unless -t says otherwise); skipped, with a
#           message, when clang++ is not installed
# Corpora grow in BUILD_DIR/fuzz-work/<target>/corpus and are kept between runs; a crash is
# written to BUILD_DIR/fuzz-work/<target>/artifacts and makes the exit status 1.
set -euo pipefail

# All in one function: bash reads it whole before running, so editing this file while a
# long run goes on cannot change what that run does.
main() {
  cd "$(dirname "$0")/.."
  root="$PWD"

  seconds=600
  build="build-fuzz"
  ci=0
  targets=()
  while [ $# -gt 0 ]; do
    case "$1" in
      -t) seconds="$2"; shift 2 ;;
      -b) build="$2"; shift 2 ;;
      --ci) ci=1; seconds=40; shift ;;
      -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
      *) targets+=("$1"); shift ;;
    esac
  done
  [ ${#targets[@]} -gt 0 ] || targets=(lint_json lint_structured what_if keras_archive hdf5 input_shape config)

  if ! command -v clang++ >/dev/null 2>&1; then
    echo "fuzz: clang++ is not installed: skipping the fuzz pass (apt-get install clang)"
    exit 0
  fi

  echo "== fuzz: building the targets in $build"
  cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DSHAPELINT_FUZZ=ON \
    -DSHAPELINT_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" >/dev/null
  cmake --build "$build" -j "$(nproc)" --target fuzz_targets >/dev/null

  build="$(cd "$build" && pwd)"
  work="$build/fuzz-work"
  seeds="$work/seeds"
  rm -rf "$seeds"
  mkdir -p "$seeds/json" "$seeds/what_if" "$seeds/containers" "$seeds/input_shape" "$seeds/config"

  # Model JSON: the samples, the shared corpus (symlinks: read in place; the larger files are
  # left out, -max_len would cut them), the regression inputs.
  shared="$root/../shared/corpus"
  json_sources=("$root/samples" "$root/tests/hostile/inputs")
  [ -d "$shared" ] && json_sources+=("$shared/keras1" "$shared/keras2" "$shared/keras3" "$shared/tfjs")
  n=0
  while IFS= read -r -d '' f; do
    n=$((n + 1))
    ln -s "$f" "$seeds/json/$n-$(basename "$f")"
  done < <(find "${json_sources[@]}" -type f -name '*.json' -size -64k -print0 2>/dev/null | sort -z)

  # What-if: a few seeds carry their --input-shape options on a first '#' line.
  i=0
  for f in "$root"/samples/*/*.json; do
    for header in "#28x28x1" "#?x?x3 b=4" "#64,64,3" "#0x1" "#in=10x10"; do
      i=$((i + 1))
      { echo "$header"; cat "$f"; } >"$seeds/what_if/$i.json"
    done
  done

  # Small .keras and .h5 files written from the samples and a few small shared configs.
  mapfile -t small < <(find "$root/samples" "$shared/keras2" "$shared/keras3" -name '*.json' \
    -size -12k 2>/dev/null | sort | head -40)
  "$build/fuzz/fuzz_make_seeds" "$seeds/containers" "${small[@]}" 2>/dev/null
  find "$root/tests/hostile/inputs" -type f \( -name '*.keras' -o -name '*.h5' \) \
    -exec cp {} "$seeds/containers/" \; 2>/dev/null || true

  printf '28x28x1' >"$seeds/input_shape/a"
  printf 'image=(None, 64, 64, 3)' >"$seeds/input_shape/b"
  printf '[null, 10]' >"$seeds/input_shape/c"
  printf '?x?x3' >"$seeds/input_shape/d"

  # Configuration files (the first byte picks pyproject.toml when odd).
  printf '\x01[tool.shapelint]\nfail-on = "warning"\nignore = ["SL202"]\n[tool.shapelint.severity]\nSL201 = "error"\n[tool.shapelint.input-shapes]\n"models/*.json" = "28x28x1"\n"models/two.keras" = ["image=64x64x3", "text=100"]\n' >"$seeds/config/a"
  printf '\x00fail-on = "error"\n[custom_layers.MyAttention]\nshape = "same"\n[custom_layers.MyProjection]\nlike = "Dense"\nfrom-config = { units = "projection_dim" }\nset = { use_bias = false }\n[custom_layers.Pooled]\noutput_shape = ["None", 64]\nparams = 4160\nnon-trainable-params = 64\n' >"$seeds/config/b"

  # The dictionary: hand-written tokens, every registered layer class, the config keys rules read.
  dict="$work/keras.dict"
  {
    cat fuzz/keras.dict
    grep -ho '{"[A-Z][A-Za-z0-9]*",' lib/shapelint/rules/*.cpp | sed 's/{"\([A-Za-z0-9]*\)",/"\\"\1\\""/' | sort -u
    grep -ho 'get_[a-z_]*("[a-z_0-9]*"' lib/shapelint/rules/*.cpp | sed 's/.*("\([a-z_0-9]*\)"/"\\"\1\\""/' | sort -u
  } >"$dict"

  export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

  failed=0
  for t in "${targets[@]}"; do
    bin="$build/fuzz/fuzz_$t"
    mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
    args=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/"
          -rss_limit_mb=2048 -jobs=1 -workers=1)
    case "$t" in
      lint_json) args+=(-max_len=65536 -timeout=10 -dict="$dict") ; dirs=("$seeds/json") ;;
      lint_structured) args+=(-max_len=65536 -timeout=10) ; dirs=("$seeds/json") ;;
      what_if) args+=(-max_len=65536 -timeout=10 -dict="$dict") ; dirs=("$seeds/what_if" "$seeds/json") ;;
      keras_archive) args+=(-max_len=65536 -timeout=20 -dict="$dict") ; dirs=("$seeds/containers") ;;
      hdf5) args+=(-max_len=65536 -timeout=20 -dict="$dict") ; dirs=("$seeds/containers") ;;
      input_shape) args+=(-max_len=256 -timeout=5) ; dirs=("$seeds/input_shape") ;;
      config) args+=(-max_len=4096 -timeout=5) ; dirs=("$seeds/config") ;;
      *) echo "fuzz: no target '$t'"; exit 2 ;;
    esac
    log="$work/$t/last-run.log"
    echo "== fuzz: $t for ${seconds}s (log: $log)"
    # -jobs=1 runs the fuzzer as one child process and writes its output to fuzz-0.log.
    status=0
    (cd "$work/$t" && "$bin" "${args[@]}" corpus "${dirs[@]}") >"$log" 2>&1 || status=$?
    cat "$work/$t/fuzz-0.log" >>"$log" 2>/dev/null || true
    grep -E '^(stat::|#[0-9]+ *(DONE|INITED))' "$log" | tail -4 || true
    # The exit status only: the HDF5 children of the container targets may print sanitizer
    # reports of their own (a crash there is the isolation doing its job).
    if [ "$status" -ne 0 ]; then
      echo "fuzz: $t FAILED (status $status): see $log and $work/$t/artifacts"
      grep -E -A12 '==ERROR|runtime error|fuzz: property' "$log" | head -40 || true
      failed=1
    fi
  done
  return "$failed"
}

main "$@"
