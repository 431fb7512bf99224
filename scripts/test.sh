#!/usr/bin/env bash
# The whole test suite: formatting, the Release build's tests, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then a short fuzz pass (libFuzzer, when clang
# is installed). CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs="$(nproc)"

if command -v clang-format >/dev/null 2>&1; then
  echo "== clang-format"
  git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
fi

echo "== Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== ASan+UBSan build and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSHAPELINT_SANITIZE=ON
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

echo "== Fuzz pass: every fuzz/ target for a short while"
fuzz/run.sh --ci
