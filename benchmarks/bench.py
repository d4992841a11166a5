"""dyngraph vs NumPy vs PyTorch, side by side in one process.

    python benchmarks/bench.py            # every case
    python benchmarks/bench.py -k add     # cases whose name contains "add"

Ratios are dyngraph's median time over PyTorch's (lower is better); the
target column is the ratio the issues ask for.
"""

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Case, report  # noqa: E402
from nn_cases import NN_CASES, TRAIN_CASES  # noqa: E402

import numpy as np  # noqa: E402

import dyngraph as dg  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is optional: its column stays empty
    torch = None

N16M = 16 * 1024 * 1024


def _binary(shape_a, shape_b, op=lambda a, b: a + b, transpose_a=False):
    def with_lib(lib):
        def setup():
            if lib == "dyngraph":
                a, b = dg.rand(*shape_a), dg.rand(*shape_b)
            elif lib == "numpy":
                a = np.random.rand(*shape_a).astype(np.float32)
                b = np.random.rand(*shape_b).astype(np.float32)
            else:
                a, b = torch.rand(*shape_a), torch.rand(*shape_b)
            if transpose_a:
                a = a.T
            return lambda: op(a, b)
        return setup
    return {lib: with_lib(lib) for lib in ("dyngraph", "numpy", "torch")}


def _unary(shape, fn):
    """fn(lib_module, tensor) on a random float32 tensor of shape."""
    def with_lib(lib):
        def setup():
            if lib == "numpy":
                a = np.random.rand(*shape).astype(np.float32)
                return lambda: fn(np, a)
            mod = dg if lib == "dyngraph" else torch
            a = mod.rand(*shape)
            return lambda: fn(mod, a)
        return setup
    return {lib: with_lib(lib) for lib in ("dyngraph", "numpy", "torch")}


def _matmul(n, batch=None):
    shape = (n, n) if batch is None else (batch, n, n)
    return _binary(shape, shape, op=lambda a, b: a @ b)


def _softmax(mod, a):
    if mod is np:
        e = np.exp(a - a.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)
    return a.softmax(1)


def _inplace_add(n):
    def with_lib(lib):
        def setup():
            mod = {"dyngraph": dg, "torch": torch}.get(lib)
            if lib == "numpy":
                a, b = np.ones(n, np.float32), np.ones(n, np.float32)
            else:
                a, b = mod.ones(n), mod.ones(n)

            def run():
                a.__iadd__(b)
            return run
        return setup
    return {lib: with_lib(lib) for lib in ("dyngraph", "numpy", "torch")}


def _autograd_chain(n_ops=20):
    """20 small elementwise ops on 10-element tensors that require grad, then sum and backward."""
    def with_lib(lib):
        def setup():
            mod = dg if lib == "dyngraph" else torch
            x = mod.rand(10, requires_grad=True)
            w = mod.rand(10)

            def run():
                y = x
                for i in range(n_ops):
                    y = y * w if i % 2 == 0 else y + w
                y.sum().backward()
            return run
        return setup
    return {lib: with_lib(lib) for lib in ("dyngraph", "torch")}


def _import_time(module):
    def setup():
        code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"

        def run():
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            run.last = float(out.stdout)
        return run
    return setup


def import_report(libs, rounds=5, out=print):
    import statistics

    times = {}
    for lib in libs:
        samples = []
        for _ in range(rounds):
            fn = _import_time(lib)()
            fn()
            samples.append(fn.last)
        times[lib] = statistics.median(samples)
    dg_t, th = times.get("dyngraph"), times.get("torch")
    ratio = f"{dg_t / th:.2f}" if dg_t and th else "-"
    out(f"{'import (fresh interpreter)':34} {dg_t * 1e3:9.1f} ms {times.get('numpy', 0) * 1e3:9.1f} ms "
        f"{(th or 0) * 1e3:9.1f} ms {ratio:>9} {'0.15 s':>7}")


CASES = [
    Case("add 10 elements (overhead)", _binary((10,), (10,)), target=0.7),
    Case("add 16M float32, fresh output", _binary((N16M,), (N16M,)), number=5, target=0.5),
    Case("add_ 16M float32, in place", _inplace_add(N16M), number=5),
    Case("add (4096,4096)+(4096,1)", _binary((4096, 4096), (4096, 1)), number=5, target=0.33),
    Case("transpose + add 4096x4096", _binary((4096, 4096), (4096, 4096), transpose_a=True), number=3, target=0.25),
    Case("mul 1000 elements by scalar", _binary((1000,), (1,), op=lambda a, b: a * 2.0)),
    Case("autograd: 20-op chain + backward", _autograd_chain(), target=0.5),
    Case("sum 16M float32", _unary((N16M,), lambda m, a: a.sum()), target=1.0),
    Case("sum over dim 1, 4096x4096", _unary((4096, 4096), lambda m, a: a.sum(1)), number=3, target=1.0),
    Case("mean over dim 0, 4096x4096", _unary((4096, 4096), lambda m, a: a.mean(0)), number=3, target=0.6),
    Case("softmax (4096,1024) dim 1", _unary((4096, 1024), _softmax), number=3, target=1.0),
    Case("matmul 256 float32", _matmul(256), target=1.05),
    Case("matmul 1024 float32", _matmul(1024), number=3, target=1.05),
    Case("bmm (64,128,128)", _matmul(128, batch=64), number=5, target=1.05),
    Case("exp 1M float32", _unary((1 << 20,), lambda m, a: m.exp(a))),
] + NN_CASES + TRAIN_CASES


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-k", default="", help="only cases whose name contains this")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    libs = ["dyngraph", "numpy"] + (["torch"] if torch is not None else [])
    cases = [c for c in CASES if args.k in c.name]
    print(f"dyngraph {dg.__version__}, numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}"
          f", threads: {dg.get_num_threads()}")
    report(cases, libs, rounds=args.rounds)
    if args.k in "import":
        import_report(libs)


if __name__ == "__main__":
    main()
