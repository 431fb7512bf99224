#!/usr/bin/env bash
# Quick start: install what is missing, build build/shapelint, and lint a sample model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
echo
echo "\$ build/shapelint samples/ok/mnist_cnn.json --input-shape 25x25x1"
build/shapelint samples/ok/mnist_cnn.json --input-shape 25x25x1 || true
