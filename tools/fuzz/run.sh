#!/usr/bin/env bash
# Runs every fuzz target for SECONDS_PER_TARGET (default 60) from a temporary copy of its seed corpus (so the
# repository isn't written to), prints one line per target, and exits non-zero if any target crashed.
# Reproducers of crashes are kept in $FUZZ_ARTIFACTS (default: a fresh directory under /tmp); replay one with
#   python3 tools/fuzz/fuzz_<target>.py <reproducer>
# Usage: tools/fuzz/run.sh [SECONDS_PER_TARGET]
set -u
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
python3 -c "import atheris" 2>/dev/null || python3 -m pip install -q atheris || exit 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=${FUZZ_ARTIFACTS:-$(mktemp -d /tmp/dyngraph-fuzz-artifacts.XXXXXX)}
mkdir -p "$artifacts"
failed=0
for target in fuzz_load fuzz_pickle fuzz_interop fuzz_indexing fuzz_views; do
  mkdir -p "$work/$target"
  cp "$here/corpus/$target"/* "$work/$target/"
  start=$(date +%s)
  # -timeout: an input taking over 10 s is a hang (e.g. a huge size that is allocated instead of refused);
  # -rss_limit_mb: far above what any input may use, so passing it means a size check is missing.
  python3 "$here/$target.py" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$target-" "$work/$target" >"$work/$target.log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$target.log" | grep -o '[0-9]*$' | tail -1)
  if [ "$rc" -eq 0 ]; then
    echo "$target: ok, ${execs:-?} execs in ${elapsed}s"
  else
    failed=1
    echo "$target: FAILED (exit $rc) after ${execs:-?} execs in ${elapsed}s; reproducer in $artifacts:"
    # the error and its traceback, without libFuzzer's progress lines and the input dumped as hex
    grep -v -E '^(#[0-9]|INFO:|WARNING:|0x|Base64:|stat::)' "$work/$target.log" | tail -n 25 | sed 's/^/    /'
  fi
done
exit $failed
