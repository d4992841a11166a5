#!/usr/bin/env bash
# The GPU check, as one command for a machine with an NVIDIA GPU and no network:
#   tools/gpu-check.sh [WHEEL_DIR]
# builds dyngraph with its CUDA backend (for the GPU in the machine), runs the
# CUDA tests and the CPU-vs-GPU suite (DG_TEST_DEVICE=cuda), runs the GPU
# benchmarks against PyTorch, and prints a summary. It needs python3 with
# numpy, pybind11, scikit-build-core, cmake, ninja and pytest (PyTorch and
# CuPy for the comparisons); anything else (scipy-openblas32) is installed
# from WHEEL_DIR. Logs go to $DG_GPU_CHECK_LOGS (default: $OUT, else /tmp).
set -uo pipefail
cd "$(dirname "$0")/.."
WHEELS="${1:-}"
PY="${PYTHON:-python3}"
LOGS="${DG_GPU_CHECK_LOGS:-${OUT:-/tmp}}"
mkdir -p "$LOGS"
t0=$SECONDS
step() { echo "== $* ($((SECONDS - t0)) s)"; }
status_build=fail status_cuda=fail status_suite=fail status_bench=fail

step "dependencies"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
if ! "$PY" -c "import scipy_openblas32" 2>/dev/null; then
  if [ -z "$WHEELS" ]; then echo "scipy-openblas32 is missing: pass a folder holding its wheel"; exit 2; fi
  "$PY" -m pip install -q --no-index --no-deps --find-links "$WHEELS" scipy-openblas32 || exit 2
fi

step "build (CUDA on, this GPU's architecture)"
arch=$("$PY" - <<'PY' 2>/dev/null || echo 90
import subprocess
out = subprocess.run(["nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader"], capture_output=True, text=True)
print(out.stdout.split()[0].replace(".", ""))
PY
)
if "$PY" -m pip install --no-build-isolation --no-deps . \
    -Ccmake.define.DG_CUDA=ON -Ccmake.define.CMAKE_CUDA_ARCHITECTURES="$arch" \
    -Ccmake.define.CMAKE_INTERPROCEDURAL_OPTIMIZATION=OFF -Cbuild-dir=build/gpu-check \
    >"$LOGS/gpu-build.log" 2>&1; then
  status_build=ok
else
  tail -40 "$LOGS/gpu-build.log"
fi
"$PY" -c "import dyngraph; print('dyngraph', dyngraph.__version__, 'cuda built:', dyngraph.cuda.is_built(), 'available:', dyngraph.cuda.is_available(), dyngraph.cuda.get_device_name() if dyngraph.cuda.is_available() else dyngraph._C._cuda_unavailable_reason())"

step "CUDA tests"
"$PY" -m pytest -q -p no:cacheprovider tests/test_cuda.py tests/test_dlpack.py tests/test_amp.py \
  2>&1 | tee "$LOGS/gpu-tests.log" | tail -30
[ "${PIPESTATUS[0]}" -eq 0 ] && status_cuda=ok

step "the suite's NumPy comparisons on the GPU (DG_TEST_DEVICE=cuda)"
DG_TEST_DEVICE=cuda timeout 240 "$PY" -m pytest -q -p no:cacheprovider -x --maxfail=20 \
  tests/test_math_unary.py tests/test_math_binary.py tests/test_math_ternary.py tests/test_reductions.py \
  tests/test_elementwise.py tests/test_linalg.py tests/test_indexing.py tests/test_advanced_indexing.py \
  2>&1 | tee "$LOGS/gpu-suite.log" | tail -30
[ "${PIPESTATUS[0]}" -eq 0 ] && status_suite=ok

step "GPU benchmarks (dyngraph / PyTorch)"
timeout 180 "$PY" benchmarks/gpu_bench.py --rounds 5 2>&1 | tee "$LOGS/gpu-bench.log"
[ "${PIPESTATUS[0]}" -eq 0 ] && status_bench=ok

step "summary"
echo "build: $status_build   CUDA tests: $status_cuda   suite on GPU: $status_suite   benchmarks: $status_bench"
grep -E "passed|failed|error" "$LOGS/gpu-tests.log" | tail -1
grep -E "passed|failed|error" "$LOGS/gpu-suite.log" | tail -1
grep -E "MISSED|missed" "$LOGS/gpu-bench.log"
[ "$status_build$status_cuda$status_suite" = okokok ]
