#!/usr/bin/env bash
# Builds dyngraph with AddressSanitizer and UndefinedBehaviorSanitizer (GCC)
# into a virtual environment of its own, then runs tests under them. A
# report stops the process (halt_on_error) and fails the run, so a green run
# means no report.
#
#   tools/sanitize.sh                 # the whole suite
#   tools/sanitize.sh tests/test_views.py -k strided   # pytest arguments
#
# DG_SANITIZE_VENV=DIR reuses (and keeps) a venv, so a second run only
# rebuilds what changed. DG_SANITIZE_KEEP_GOING=1 lets UBSan report and go
# on, to collect every report of a run at once (ASan always stops). Leak
# checking is off: CPython itself keeps memory until exit. PyTorch is not
# installed there, so the oracle tests skip.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${DG_SANITIZE_VENV:-$(mktemp -d)/venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# shellcheck disable=SC1091
source "$venv/bin/activate"
python -m pip install -q --upgrade pip
python -m pip install -q scikit-build-core pybind11 scipy-openblas32 ninja numpy pytest scikit-learn

# Its own build folder, so it never mixes objects with a normal build; -O1
# and no link-time optimization keep the instrumented build quick (LTO of the
# instrumented module alone took minutes).
python -m pip install -q --no-build-isolation \
  -Ccmake.define.DG_SANITIZE=address,undefined -Ccmake.define.DG_CUDA=OFF \
  -Ccmake.define.CMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
  -Ccmake.define.CMAKE_INTERPROCEDURAL_OPTIMIZATION=OFF \
  -Cbuild-dir=build/sanitize .

# The ASan runtime must be the first library loaded: Python itself is not
# instrumented, so it comes in through LD_PRELOAD (children inherit it), and
# libstdc++ with it, or ASan's __cxa_throw interceptor finds no real
# __cxa_throw (Python does not link libstdc++) and aborts on the first throw.
LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libstdc++.so)"
export LD_PRELOAD
halt=1
[ "${DG_SANITIZE_KEEP_GOING:-0}" = 1 ] && halt=0
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:strict_init_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=$halt"
export DG_SANITIZED=1

if [ "$#" -eq 0 ]; then
  set -- tests
fi
# -s: reports are written to the process's stderr, which pytest would
# otherwise capture and lose when the process stops. The log is searched for
# reports afterwards too, in case a child process reported and exited quietly.
log="$(mktemp)"
status=0
python -u -m pytest -q -s -p no:cacheprovider "$@" 2>&1 | tee "$log" || status=$?
if grep -q -E "runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer" "$log"; then
  echo "sanitizer reports:"
  grep -E -A3 "runtime error:|ERROR: AddressSanitizer" "$log" | head -200
  status=1
fi
exit "$status"
