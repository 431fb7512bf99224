#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with the real pre-commit (Debian's package): `pre-commit
# try-repo` runs the hook in a scratch repository holding a broken model, a clean model and a
# package.json. Exits 77 (skipped) when pre-commit is not installed.
# Usage: check_precommit_hook.sh SOURCE_DIR DIRECTORY_OF_SHAPELINT
set -euo pipefail
source_dir=$1
bin_dir=$2
if ! command -v pre-commit >/dev/null 2>&1; then
  echo "skipped: pre-commit is not installed (apt-get install pre-commit)"
  exit 77
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export PATH="$bin_dir:$PATH" PRE_COMMIT_HOME="$scratch/cache" HOME="$scratch"
git_quiet() { git -c user.name=test -c user.email=test@example.invalid -c init.defaultBranch=main "$@" >/dev/null; }

# pre-commit's own schema checks of the hook manifest and of the example config.
pre-commit validate-manifest "$source_dir/.pre-commit-hooks.yaml"
pre-commit validate-config "$source_dir/docs/ci/pre-commit-config.yaml"

# The hook definition as its own repository, so the test sees the working tree's version.
mkdir "$scratch/hooks"
cp "$source_dir/.pre-commit-hooks.yaml" "$scratch/hooks/"
git_quiet -C "$scratch/hooks" init
git_quiet -C "$scratch/hooks" add .pre-commit-hooks.yaml
git_quiet -C "$scratch/hooks" commit -m hooks

mkdir -p "$scratch/project/models"
cd "$scratch/project"
git_quiet init
cp "$source_dir/samples/bad/residual_shortcut_mismatch.json" models/broken.json
cp "$source_dir/samples/ok/mnist_cnn.json" models/clean.json
echo '{"name": "web-app", "version": "1.0.0", "dependencies": {}}' > package.json
echo 'not a model' > notes.txt
git_quiet add .

status=0
pre-commit try-repo "$scratch/hooks" shapelint --all-files > out.txt 2>&1 || status=$?
cat out.txt
fail() { echo "FAILED: $*"; exit 1; }
[ "$status" -eq 1 ] || fail "expected the hook to fail on models/broken.json (exit $status)"
grep -q "shapelint (Keras model shapes).*Failed" out.txt || fail "the hook did not report Failed"
grep -q "models/broken.json" out.txt || fail "the broken model is not named"
grep -q "SL104" out.txt || fail "the finding's rule id is missing"
if grep -q "package.json\|notes.txt" out.txt; then fail "a file that is not a model was reported"; fi

git_quiet rm -qf models/broken.json
status=0
pre-commit try-repo "$scratch/hooks" shapelint --all-files > out.txt 2>&1 || status=$?
cat out.txt
[ "$status" -eq 0 ] || fail "expected the hook to pass on the clean model and package.json (exit $status)"
grep -q "shapelint (Keras model shapes).*Passed" out.txt || fail "the hook did not report Passed"
echo "pre-commit hook: fails on the broken model, passes the clean model and package.json"
