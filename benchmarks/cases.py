"""The CPU benchmark cases: dyngraph, NumPy and PyTorch on the same inputs.

Each setup imports its library itself, so a worker process (worker.py) loads
only the library it times. Targets are the dyngraph/PyTorch ratios that the
issues ask for; `bytes` is each call's memory traffic, counted as STREAM does.
"""

import importlib

from harness import Case
from nn_cases import NN_CASES, NORM_LOSS_CASES, RECURRENT_CASES, RESAMPLE_CASES, TRAIN_CASES


def _lib(name):
    return importlib.import_module(name)


N16M = 16 * 1024 * 1024
F32 = 4  # bytes per float32


def _rand(lib, shape):
    """A random float32 array or tensor of shape, made by lib itself."""
    mod = _lib(lib)
    if lib == "numpy":
        return mod.random.rand(*shape).astype(mod.float32)
    return mod.rand(*shape)


def _binary(shape_a, shape_b, op=lambda a, b: a + b, transpose_a=False):
    def with_lib(lib):
        def setup():
            a, b = _rand(lib, shape_a), _rand(lib, shape_b)
            if transpose_a:
                a = a.T
            return lambda: op(a, b)
        return setup
    return {lib: with_lib(lib) for lib in ("dyngraph", "numpy", "torch")}


def _unary(shape, fn, libs=("dyngraph", "numpy", "torch")):
    """fn(lib_module, x) on a random float32 x of shape."""
    def with_lib(lib):
        def setup():
            mod, a = _lib(lib), _rand(lib, shape)
            return lambda: fn(mod, a)
        return setup
    return {lib: with_lib(lib) for lib in libs}


def _matmul(n, batch=None):
    shape = (n, n) if batch is None else (batch, n, n)
    return _binary(shape, shape, op=lambda a, b: a @ b)


def _softmax(mod, a):
    if mod.__name__ == "numpy":
        e = mod.exp(a - a.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)
    return a.softmax(1)


def _log_softmax(mod, a):
    if mod.__name__ == "numpy":
        shifted = a - a.max(1, keepdims=True)
        return shifted - mod.log(mod.exp(shifted).sum(1, keepdims=True))
    return a.log_softmax(1)


def _inplace_add(n):
    def with_lib(lib):
        def setup():
            a, b = _rand(lib, (n,)), _rand(lib, (n,))

            def run():
                a.__iadd__(b)
            return run
        return setup
    return {lib: with_lib(lib) for lib in ("dyngraph", "numpy", "torch")}


def _autograd_chain(n_ops=20):
    """20 small elementwise ops on 10-element tensors that require grad, then sum and backward."""
    def with_lib(lib):
        def setup():
            mod = _lib(lib)
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


CASES = [
    Case("add 10 elements (overhead)", _binary((10,), (10,)), target=0.7),
    Case("add 16M float32, fresh output", _binary((N16M,), (N16M,)), number=5, target=0.5, bytes=3 * F32 * N16M),
    Case("add_ 16M float32, in place", _inplace_add(N16M), number=5, bytes=3 * F32 * N16M),
    Case("add (4096,4096)+(4096,1)", _binary((4096, 4096), (4096, 1)), number=5, target=0.33,
         bytes=2 * F32 * N16M),
    Case("transpose + add 4096x4096", _binary((4096, 4096), (4096, 4096), transpose_a=True), number=3, target=0.25,
         bytes=3 * F32 * N16M),
    Case("mul 1000 elements by scalar", _binary((1000,), (1,), op=lambda a, b: a * 2.0)),
    Case("exp 16M float32", _unary((N16M,), lambda m, a: m.exp(a)), number=3, bytes=2 * F32 * N16M),
    Case("autograd: 20-op chain + backward", _autograd_chain(), target=0.5),
    Case("sum 16M float32", _unary((N16M,), lambda m, a: a.sum()), number=5, target=1.0, bytes=F32 * N16M),
    Case("sum over dim 1, 4096x4096", _unary((4096, 4096), lambda m, a: a.sum(1)), number=3, target=1.0,
         bytes=F32 * N16M),
    Case("mean over dim 0, 4096x4096", _unary((4096, 4096), lambda m, a: a.mean(0)), number=3, target=0.6,
         bytes=F32 * N16M),
    Case("softmax (4096,1024) dim 1", _unary((4096, 1024), _softmax), number=5, target=1.0,
         bytes=2 * F32 * 4096 * 1024),
    Case("softmax (4096,4096) dim 1", _unary((4096, 4096), _softmax), number=3, target=1.0, bytes=2 * F32 * N16M),
    Case("log_softmax (4096,4096) dim 1", _unary((4096, 4096), _log_softmax), number=3, target=1.0,
         bytes=2 * F32 * N16M),
    Case("a @ b 2x2 (overhead)", _matmul(2), target=0.5),
    Case("matmul 256 float32", _matmul(256), target=1.05),
    Case("matmul 1024 float32", _matmul(1024), number=3, target=1.05),
    Case("matmul 2048 float32", _matmul(2048), number=1, target=1.05),
    Case("bmm (64,128,128)", _matmul(128, batch=64), number=5, target=1.05),
] + NN_CASES + NORM_LOSS_CASES + RESAMPLE_CASES + RECURRENT_CASES + TRAIN_CASES
