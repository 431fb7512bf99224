#!/usr/bin/env bash
# Installs the Debian 12 packages shapelint needs to build and test, skipping those present.
set -euo pipefail
packages=(cmake g++ make git pkg-config libcli11-dev nlohmann-json3-dev libfmt-dev catch2 libzip-dev
  libhdf5-dev libtomlplusplus-dev lld python3 python3-jsonschema graphviz pre-commit)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "shapelint: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
