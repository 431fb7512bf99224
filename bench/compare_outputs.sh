#!/usr/bin/env bash
# Whether two builds of shapelint report the same: runs both over every JSON model of the
# given folders (default: samples/ and ../shared/corpus beside the project) in the JSON
# format, the JSON format with costs and the terminal table, and names each file whose
# output (stdout and stderr) or exit code differs. For a change meant to keep the report
# byte for byte (a speed or memory step): build the program before and after it, then
#   bench/compare_outputs.sh /tmp/shapelint-before build/shapelint
# Exits 1 when any output differs.
set -euo pipefail
old=$1 new=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
  dirs=("$here/samples")
  [ -d "$here/../shared/corpus" ] && dirs+=("$here/../shared/corpus")
fi
compared=0 differing=0
run() {  # binary, format arguments, file: output and exit code, hashed
  local bin=$1 file=$3 rc=0 out
  # shellcheck disable=SC2086
  out=$("$bin" $2 "$file" 2>&1) || rc=$?
  printf '%s\nexit %s\n' "$out" "$rc" | md5sum
}
while IFS= read -r -d '' file; do
  for format in "--format json" "--format json --cost" "--format table"; do
    compared=$((compared + 1))
    if [ "$(run "$old" "$format" "$file")" != "$(run "$new" "$format" "$file")" ]; then
      differing=$((differing + 1))
      echo "differs: $format $file"
    fi
  done
done < <(find "${dirs[@]}" -name '*.json' -type f -print0 | sort -z)
echo "$compared outputs compared, $differing differ"
[ "$differing" -eq 0 ]
