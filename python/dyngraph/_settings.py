"""Process-wide switches with PyTorch's names: print options, matmul precision,
thread-pool sizes, warning and determinism modes, and the
build flags (has_openmp, ...). Each one either changes what dyngraph does or
reports a fact about it; none is a silent no-op that claims an effect."""

import builtins
import contextlib

from . import _tensor_str
from ._misc_ops import _deterministic, use_deterministic_algorithms

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "get_float32_matmul_precision",
           "set_float32_matmul_precision", "get_num_interop_threads", "set_num_interop_threads",
           "init_num_threads", "set_warn_always", "is_warn_always_enabled", "get_deterministic_debug_mode",
           "set_deterministic_debug_mode", "has_openmp", "has_mkl",
           "has_lapack", "has_spectral", "is_storage", "compile", "is_distributed", "get_device_module"]

# ---- printing ------------------------------------------------------------------------------------

_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=float("inf"), edgeitems=3, linewidth=80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """How tensors print: digits, the element count above which they are summarized, the edge items
    kept when summarized, the line width, and sci_mode (None: chosen from the values)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"Unknown profile {profile!r}; expected one of {sorted(_PROFILES)}")
        for key, value in _PROFILES[profile].items():
            setattr(_tensor_str, key.upper(), value)
    for key, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                       ("linewidth", linewidth)):
        if value is not None:
            setattr(_tensor_str, key.upper(), value)
    _tensor_str.SCI_MODE = sci_mode


def get_printoptions():
    return {"precision": _tensor_str.PRECISION, "threshold": _tensor_str.THRESHOLD,
            "edgeitems": _tensor_str.EDGEITEMS, "linewidth": _tensor_str.LINEWIDTH,
            "sci_mode": _tensor_str.SCI_MODE}


@contextlib.contextmanager
def printoptions(**kwargs):
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# ---- precision, threads, warnings, determinism ---------------------------------------------------

_state = {"matmul_precision": "highest", "interop_threads": 1, "warn_always": False}


def get_float32_matmul_precision():
    return _state["matmul_precision"]


def set_float32_matmul_precision(precision):
    """'highest', 'high' or 'medium'. dyngraph's float32 matmul always runs in full float32 ('highest'
    is what every setting gets); the setting is kept so code that reads it back sees its own choice."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision: {precision!r}; expected 'highest', 'high' or 'medium'")
    _state["matmul_precision"] = precision


def get_num_interop_threads():
    """dyngraph runs independent ops on the calling thread: one inter-op thread."""
    return _state["interop_threads"]


def set_num_interop_threads(n):
    if not isinstance(n, builtins.int) or n <= 0:
        raise RuntimeError("Expected positive number of threads")
    _state["interop_threads"] = n


def init_num_threads():
    """Starts the intra-op pool at its configured size (dyngraph's OpenMP pool starts lazily)."""
    from . import _C

    _C.set_num_threads(_C.get_num_threads())


def set_warn_always(b):
    """When on, warnings that PyTorch gives once per process are given every time."""
    _state["warn_always"] = builtins.bool(b)


def is_warn_always_enabled():
    return _state["warn_always"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    """0/'default': off; 1/'warn': deterministic algorithms, warning on ops without one; 2/'error': erroring."""
    if isinstance(debug_mode, builtins.str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, "
                               f"but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _deterministic["mode"]:
        return 0
    return 1 if _deterministic["warn_only"] else 2


# ---- build facts ---------------------------------------------------------------------------------

has_openmp = True  # the CPU kernels are parallelized with OpenMP
has_mkl = False  # BLAS and LAPACK come from OpenBLAS
has_lapack = True  # linalg factors on LAPACK (the OpenBLAS wheel)
has_spectral = False  # no FFT yet


def is_storage(obj):
    return False  # dyngraph has no Python storage objects


def is_distributed(obj):
    return False


def get_device_module(device=None):
    """The device's module: dyngraph.cuda or dyngraph.cpu."""
    import dyngraph

    if device is None:
        return dyngraph.cuda if dyngraph.cuda.is_available() else dyngraph.cpu
    if not isinstance(device, (builtins.str, builtins.int, dyngraph.device)) or isinstance(device, builtins.bool):
        raise TypeError(f"get_device_module(): expected a device, a string or None, got {type(device).__name__}")
    kind = device if isinstance(device, builtins.str) else dyngraph.device(device).type
    kind = kind.split(":")[0]
    if kind not in ("cpu", "cuda"):
        raise RuntimeError(f"Device '{kind}' does not have a corresponding module registered as 'dyngraph.{kind}'.")
    return getattr(dyngraph, kind)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """Returns model unchanged: dyngraph runs eagerly, which is PyTorch's backend='eager' behaviour
    (docs/differences.md). Usable as compile(fn), @compile and @compile(...)."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError("compile(): model must be callable")
    return model
