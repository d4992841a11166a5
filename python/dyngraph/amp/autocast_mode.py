"""Autocast: regions where ops run in a per-op dtype (PyTorch's torch.autocast).

The state (on/off and dtype per device type, the weight-cast cache, the nesting
depth, the exclusion inside an autocast op) is thread-local and lives in C++
(dyngraph/autocast.h), as in PyTorch. The matrix products and convolutions
(matmul, mm, bmm, addmm, baddbmm, linear, convolution) consult it themselves,
in C++, so `a @ b` runs no Python. The other ops on autocast's lists are
intercepted in Python: at import, _install() replaces each entry point named in
_autocast_ops.py (module functions, Tensor methods, nn.functional functions) by
a wrapper whose first statement is `if _ACTIVE:`, a module global that counts
the devices with autocast on across all threads. While it is 0 the wrapper only
forwards its arguments; otherwise _autocast_call() reads this thread's state
and casts the arguments as the op's policy says, then runs the op with autocast
excluded, so the ops it is made of are not cast again (PyTorch redispatches
below its Autocast key the same way). Casts are `Tensor.to(dtype)`, so
gradients flow through them back to the float32 leaves.

C++ builtins that only CUDA autocast touches (exp, sum, pow, Tensor.softmax,
...) are wrapped the first time autocast is turned on for "cuda", which happens
only where CUDA is available, so CPU-only programs never pay for them.
"""

import atexit
import collections.abc
import functools
import inspect
import threading
import types
import warnings

from .. import _C
from .._C import Tensor
from .._types import _BY_NAME
from .._types import dtype as _dtype_type
from . import _autocast_ops as _ops

__all__ = ["autocast_decorator", "autocast", "is_autocast_available", "custom_fwd", "custom_bwd"]

_float16 = _BY_NAME["float16"]
_bfloat16 = _BY_NAME["bfloat16"]
_float32 = _BY_NAME["float32"]
_ELIGIBLE = (_float32, _float16, _bfloat16)  # float64 is never cast, as in PyTorch
_MISSING = object()

# ---- thread-local state --------------------------------------------------------------------------

_ACTIVE = 0  # devices with autocast on, summed over all threads: the wrappers' one check
_active_lock = threading.Lock()


def _change_active(delta):
    global _ACTIVE
    with _active_lock:
        _ACTIVE += delta


class _ThreadState:
    """What Python keeps of a thread's autocast state (the rest is in C++): how many devices it
    has autocast on, given back to _ACTIVE when the thread ends. Its end also frees the thread's
    cached weight copies, which C++ keeps (it cannot free them itself without the GIL)."""

    __slots__ = ("n_enabled",)

    def __init__(self):
        self.n_enabled = 0

    def __del__(self):
        try:
            _C._autocast_clear_cache()
            if self.n_enabled:
                _change_active(-self.n_enabled)
        except Exception:  # interpreter shutdown
            pass


class _Local(threading.local):
    def __init__(self):
        self.s = _ThreadState()


_local = _Local()
atexit.register(_C._autocast_clear_cache)  # the main thread's cache, while Python can still free it
_DEVICE_TYPES = {"cpu": "cpu", "cuda": "cuda"}


def _device_type(device_type, fname, position=1):
    dev = _DEVICE_TYPES.get(device_type) if isinstance(device_type, str) else None
    if dev is not None:
        return dev
    if not isinstance(device_type, str):
        raise TypeError(f"{fname}(): argument 'device_type' (position {position}) must be str, "
                        f"not {type(device_type).__name__}")
    import dyngraph

    return dyngraph.device(device_type).type  # RuntimeError naming the known types, for an unknown one


def _check_bool(value, fname, name, position):
    if not isinstance(value, bool):
        raise TypeError(f"{fname}(): argument '{name}' (position {position}) must be bool, not {type(value).__name__}")


def _check_dtype(value, fname, position):
    if not isinstance(value, _dtype_type):
        raise TypeError(f"{fname}(): argument 'dtype' (position {position}) must be torch.dtype, "
                        f"not {type(value).__name__}")


def is_autocast_available(device_type):
    """Whether autocast can run on device_type ("cpu" and "cuda" in dyngraph)."""
    return _device_type(device_type, "_is_autocast_available") in _DEVICE_TYPES


def is_autocast_enabled(device_type=None):
    """Whether autocast is on in this thread for device_type (no argument: "cuda", as in PyTorch)."""
    return _C._autocast_is_enabled(_device_type("cuda" if device_type is None else device_type,
                                                 "is_autocast_enabled"))


def set_autocast_enabled(device_type, enabled=_MISSING):
    """Turns autocast on or off for device_type in this thread (one argument: the "cuda" state)."""
    position = 2
    if enabled is _MISSING:
        device_type, enabled, position = "cuda", device_type, 1
    _check_bool(enabled, "set_autocast_enabled", "enabled", position)
    dev = _device_type(device_type, "set_autocast_enabled")
    if _C._autocast_is_enabled(dev) is not enabled:
        _C._autocast_set_enabled(dev, enabled)
        delta = 1 if enabled else -1
        _local.s.n_enabled += delta
        _change_active(delta)
        if enabled and dev == "cuda":
            _install_cuda_builtins()


def get_autocast_dtype(device_type):
    """The dtype autocast's lower-precision ops use on device_type in this thread."""
    return _C._autocast_get_dtype(_device_type(device_type, "get_autocast_dtype"))


def set_autocast_dtype(device_type, dtype):
    _check_dtype(dtype, "set_autocast_dtype", 2)
    _C._autocast_set_dtype(_device_type(device_type, "set_autocast_dtype"), dtype)


def _deprecated(old, new):
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.", DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled():
    _deprecated("is_autocast_cpu_enabled()", "is_autocast_enabled('cpu')")
    return _C._autocast_is_enabled("cpu")


def set_autocast_cpu_enabled(enabled):
    _deprecated("set_autocast_cpu_enabled(enabled)", "set_autocast_enabled('cpu', enabled)")
    _check_bool(enabled, "set_autocast_cpu_enabled", "enabled", 1)
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype()", "get_autocast_dtype('cpu')")
    return _C._autocast_get_dtype("cpu")


def set_autocast_cpu_dtype(dtype):
    _deprecated("set_autocast_cpu_dtype(dtype)", "set_autocast_dtype('cpu', dtype)")
    _check_dtype(dtype, "set_autocast_cpu_dtype", 1)
    _C._autocast_set_dtype("cpu", dtype)


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype()", "get_autocast_dtype('cuda')")
    return _C._autocast_get_dtype("cuda")


def set_autocast_gpu_dtype(dtype):
    _deprecated("set_autocast_gpu_dtype(dtype)", "set_autocast_dtype('cuda', dtype)")
    _check_dtype(dtype, "set_autocast_gpu_dtype", 1)
    _C._autocast_set_dtype("cuda", dtype)


def is_autocast_cache_enabled():
    return _C._autocast_is_cache_enabled()


def set_autocast_cache_enabled(enabled):
    _check_bool(enabled, "set_autocast_cache_enabled", "enabled", 1)
    _C._autocast_set_cache_enabled(enabled)


def clear_autocast_cache():
    """Drops this thread's cached lower-precision copies of float32 weights."""
    _C._autocast_clear_cache()


def autocast_increment_nesting():
    return _C._autocast_increment_nesting()


def autocast_decrement_nesting():
    return _C._autocast_decrement_nesting()


class _excluded:
    """Autocast off for the ops inside (composites built on autocast ops whose PyTorch op is not autocast)."""

    __slots__ = ("prev",)

    def __enter__(self):
        self.prev = _C._autocast_is_excluded()
        _C._autocast_set_excluded(True)

    def __exit__(self, *exc):
        _C._autocast_set_excluded(self.prev)


def _matmul_as_is(a, b):
    """a @ b in the operands' dtypes, autocast or not."""
    if not _ACTIVE:
        return _C.matmul(a, b)
    with _excluded():
        return _C.matmul(a, b)


# ---- the context manager / decorator -------------------------------------------------------------


def autocast_decorator(autocast_instance, func):
    @functools.wraps(func)
    def decorate_autocast(*args, **kwargs):
        with autocast_instance:
            return func(*args, **kwargs)

    return decorate_autocast


class autocast:
    r"""Context manager and decorator for regions that run in mixed precision.

    Inside, the ops on autocast's lists run in an op-specific dtype: matmul,
    linear, convolutions and attention in ``dtype`` (default ``bfloat16`` for
    "cpu", ``float16`` for "cuda", see :func:`get_autocast_dtype`), losses and
    other range-sensitive ops in ``float32`` (see dyngraph/amp/_autocast_ops.py
    for the lists, which are PyTorch's). Only floating-point tensors on
    ``device_type`` are cast, never float64 ones; in-place ops and calls with
    ``out=`` are not autocast. The state is thread-local; regions nest, and
    ``enabled=False`` switches autocast off inside an enabled region.

    Args:
        device_type (str): "cpu" or "cuda".
        dtype (dtype, optional): the lower-precision dtype (default: as above).
        enabled (bool): whether autocast is on in the region. Default: True.
        cache_enabled (bool, optional): whether lower-precision copies of float32
            leaf weights are cached inside the region. Default: the current setting.
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(self.device):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{self.device}'")
        device_supported_dtypes = [_bfloat16, _float16]
        self._cache_enabled = is_autocast_cache_enabled() if cache_enabled is None else cache_enabled
        device_name = self.device.upper()
        if enabled:
            if self.device == "cuda":
                import dyngraph

                if not dyngraph.cuda.is_available():
                    warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
                    enabled = False
                elif self.fast_dtype == _bfloat16 and not dyngraph.cuda.is_bf16_supported():
                    raise RuntimeError("Current CUDA Device does not support bfloat16. Please switch dtype to float16.")
            elif self.fast_dtype not in device_supported_dtypes:
                warnings.warn(f"In {device_name} autocast, but the target dtype is not supported. Disabling autocast.\n"
                              f"{device_name} Autocast only supports dtypes of "
                              + ", ".join(map(str, device_supported_dtypes)) + " currently.", stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        # Drop the cache when we exit to a nesting level that's outside any instance of autocast.
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                            f"Did you mean to use autocast as a context manager? For example:\n"
                            f"    with torch.autocast(device_type=...):\n"
                            f"        output = model(input)")
        return autocast_decorator(self, func)


# ---- custom autograd Functions -------------------------------------------------------------------


def _cast(value, device_type, dtype):
    """Casts the floating tensors (not float64) on device_type in value, and in containers of them, to dtype."""
    if isinstance(value, Tensor):
        eligible = value.is_floating_point() and value.device.type == device_type and value.dtype._name != "float64"
        return value.to(dtype) if eligible else value
    if isinstance(value, (str, bytes)):
        return value
    if type(value).__module__ == "numpy" and type(value).__name__ == "ndarray":
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype) for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        iterable = (_cast(v, device_type, dtype) for v in value)
        return type(value)(iterable) if isinstance(value, (list, tuple)) else iterable
    return value


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for the forward of a custom autograd Function under autocast.

    With cast_inputs=None, forward's ops follow the surrounding autocast state.
    Otherwise, inside an autocast-enabled region, the floating tensors passed in
    are cast to cast_inputs and forward runs with autocast off.
    """
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        autocast_context = is_autocast_enabled(device_type)
        args[0]._fwd_used_autocast = False
        if autocast_context:
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast(args, device_type, cast_inputs), **_cast(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)

    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for the backward of a custom autograd Function: runs it in forward's autocast state."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast, dtype=args[0]._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd


# ---- the op wrappers -----------------------------------------------------------------------------


class _Entry:
    """One intercepted entry point: its policy per device type and where its arguments sit."""

    __slots__ = ("key", "cpu", "cuda", "predicate", "names", "dtype_pos", "out_pos", "kwdefaults", "message")

    def __init__(self, key, cpu, cuda):
        self.key = key
        self.cpu = cpu
        self.cuda = cuda
        self.predicate = _ops.PREDICATES.get(key)
        self.message = _ops.BANNED_MESSAGES.get(key)
        self.names = ()  # positional parameter names, for predicates
        self.dtype_pos = None  # index of a positional dtype parameter (else dtype is keyword-only)
        self.out_pos = None  # index of a positional out parameter (F.normalize has one)
        self.kwdefaults = None  # builtins: keyword-only defaults, which are not passed on


def _find_tensor(seq):
    for a in seq:
        if isinstance(a, Tensor):
            return a
        if type(a) is list or type(a) is tuple:
            t = _find_tensor(a)
            if t is not None:
                return t
    return None


def _cast_value(v, to, dev):
    if isinstance(v, Tensor):
        # Only float32/float16/bfloat16 tensors on dev are cast; float32 leaves that require grad (weights)
        # through this thread's cache of lower-precision copies (C++: autocast::cast).
        return _C._autocast_cast(v, to, dev)
    if type(v) is list or type(v) is tuple:
        return type(v)([_cast_value(x, to, dev) for x in v])
    return v


def _cast_all(args, kwargs, to, dev):
    cast = []
    for a in args:
        cast.append(_cast_value(a, to, dev))
    if kwargs:
        kwargs = {k: _cast_value(v, to, dev) for k, v in kwargs.items()}
    return tuple(cast), kwargs


def _promote_dtype(lower, values, dev):
    """PyTorch's at::autocast::prioritize over every eligible tensor: float32 wins over the autocast dtype."""
    current = lower
    for v in values:
        if type(v) is list or type(v) is tuple:
            current = _promote_dtype(current, v, dev)
        elif isinstance(v, Tensor) and v.dtype in _ELIGIBLE and v.device.type == dev:
            nxt = v.dtype
            if current is _float32 or nxt is _float32:
                current = _float32
            elif not (current is lower and nxt is lower):
                raise RuntimeError("Unexpected floating ScalarType in at::autocast::prioritize")
    return current


_LOWER, _FP32, _SET_DTYPE, _PROMOTE, _BANNED = _ops.LOWER, _ops.FP32, _ops.SET_DTYPE, _ops.PROMOTE, _ops.BANNED


def _autocast_call(fn, entry, args, kwargs):
    """Runs fn(*args, **kwargs) under this thread's autocast state (the wrappers' slow path)."""
    if kwargs:
        kwdefaults = entry.kwdefaults
        if kwdefaults is not None:  # a builtin's wrapper passes (in a new dict) its keyword-only arguments
            for k, d in kwdefaults.items():
                if kwargs.get(k, _MISSING) is d:
                    del kwargs[k]
        if kwargs.get("out") is not None:
            return fn(*args, **kwargs)  # out= calls are not autocast, as in PyTorch
    out_pos = entry.out_pos
    if (_C._autocast_is_excluded() or not _ACTIVE
            or (out_pos is not None and len(args) > out_pos and args[out_pos] is not None)):
        return fn(*args, **kwargs)
    first = _find_tensor(args)
    if first is None:
        first = _find_tensor(kwargs.values())
        if first is None:
            return fn(*args, **kwargs)
    dev = first.device.type
    if dev not in _DEVICE_TYPES or not _C._autocast_is_enabled(dev):
        return fn(*args, **kwargs)
    policy = entry.cpu if dev == "cpu" else entry.cuda if dev == "cuda" else None
    if policy is None:
        return fn(*args, **kwargs)
    if entry.predicate is not None:
        named = dict(zip(entry.names, args))
        named.update(kwargs)
        if not entry.predicate(named):
            return fn(*args, **kwargs)
    if policy is _LOWER:
        args, kwargs = _cast_all(args, kwargs, _C._autocast_get_dtype(dev), dev)
    elif policy is _FP32:
        args, kwargs = _cast_all(args, kwargs, _float32, dev)
    elif policy is _SET_DTYPE:
        x = args[0] if args else None
        if isinstance(x, Tensor) and x.dtype in _ELIGIBLE and x.device.type == dev:
            pos = entry.dtype_pos
            if pos is not None and pos < len(args):
                if args[pos] is None:
                    args = args[:pos] + (_float32,) + args[pos + 1:]
            elif kwargs.get("dtype") is None:
                kwargs = dict(kwargs, dtype=_float32)
    elif policy is _PROMOTE:
        to = _promote_dtype(_C._autocast_get_dtype(dev), tuple(args) + tuple(kwargs.values()), dev)
        args, kwargs = _cast_all(args, kwargs, to, dev)
    elif policy is _BANNED:
        raise RuntimeError(entry.message)
    _C._autocast_set_excluded(True)
    try:
        return fn(*args, **kwargs)
    finally:
        _C._autocast_set_excluded(False)  # (it was False: the call returned early otherwise)


def _generic_wrapper(fn, entry):
    def wrapper(*args, **kwargs):
        if _ACTIVE:
            return _autocast_call(fn, entry, args, kwargs)
        return fn(*args, **kwargs)

    return wrapper


def _exact_wrapper(name, fn, entry, sig, builtin):
    """A wrapper with fn's own signature: its fast path passes the arguments straight on.

    For a builtin, keyword-only arguments at their default are left out of the call
    (any other value takes the slow path, which drops the defaults), so the common
    call reaches pybind11 with positional arguments only.
    """
    head, call, pos_names, kw_names, optional = [], [], [], [], []
    defaults = []
    varkw = None
    star = False
    params = list(sig.parameters.values())
    last_posonly = max((i for i, p in enumerate(params) if p.kind is p.POSITIONAL_ONLY), default=-1)
    for i, p in enumerate(params):
        d = ""
        if p.default is not p.empty:
            d = f"=_ac_d{len(defaults)}"
            defaults.append(p.default)
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            head.append(p.name + d)
            call.append(p.name)
            pos_names.append(p.name)
            if d:
                optional.append((len(call) - 1, d[1:]))
        elif p.kind is p.VAR_POSITIONAL:
            head.append("*" + p.name)
            call.append("*" + p.name)
            star = True
        elif p.kind is p.KEYWORD_ONLY:
            # A builtin's keyword-only parameters become ordinary ones in its wrapper (they are still
            # passed on by keyword): CPython fills missing keyword-only arguments from a dict, which
            # costs more than the rest of the wrapper. The wrapper thus also takes them positionally.
            if not star and not builtin:
                head.append("*")
                star = True
            head.append(p.name + d)
            kw_names.append((p.name, d[1:]))
        else:
            varkw = p.name
            head.append("**" + p.name)
        if i == last_posonly:
            head.append("/")
    args_expr = "(" + "".join(c + ", " for c in call) + ")"
    kw_items = [f"{k!r}: {k}" for k, _ in kw_names] + ([f"**{varkw}"] if varkw else [])
    kw_expr = "{" + ", ".join(kw_items) + "}"
    if builtin:
        if varkw or star or any(not d for _, d in kw_names):
            return None  # (a builtin's *args: no exact signature to use)
        cond = "".join(f" or {k} is not {d}" for k, d in kw_names)
        # Positional arguments are passed up to the last one not at its default, so the builtin
        # sees the call its caller wrote (identical defaults count as left out).
        fast = []
        for j in range(len(optional) - 1, -1, -1):
            i, d = optional[j]
            fast.append(f"        if {call[i]} is not {d}:\n            return _ac_fn({', '.join(call[:i + 1])})\n")
        n_required = optional[0][0] if optional else len(call)
        fast.append(f"        return _ac_fn({', '.join(call[:n_required])})\n")
        fast = "".join(fast)
    else:
        cond = ""
        fast = ("        return _ac_fn(" + ", ".join(call + [f"{k}={k}" for k, _ in kw_names]
                                          + ([f"**{varkw}"] if varkw else [])) + ")\n")
    src = (f"def _ac_make(_ac_fn, _ac_entry, _ac_slow{''.join(f', _ac_d{i}' for i in range(len(defaults)))}):\n"
           f"    def {name}({', '.join(head)}):\n"
           f"        if _ACTIVE{cond}:\n"
           f"            return _ac_slow(_ac_fn, _ac_entry, {args_expr}, {kw_expr})\n"
           f"{fast}"
           f"    return {name}\n")
    namespace = {}
    exec(src, globals(), namespace)  # noqa: S102  (generated from a signature, once per entry point)
    entry.names = tuple(pos_names)
    if "dtype" in pos_names:
        entry.dtype_pos = pos_names.index("dtype")
    if "out" in pos_names:
        entry.out_pos = pos_names.index("out")
    if builtin:
        entry.kwdefaults = {k: defaults[int(d[len("_ac_d"):])] for k, d in kw_names}
    return namespace["_ac_make"](fn, entry, _autocast_call, *defaults)


def _make_wrapper(key, fn, entry):
    name = key.rsplit(".", 1)[-1]
    builtin = not isinstance(fn, types.FunctionType)
    wrapper = None
    spec = _ops.SIGNATURES.get(key)
    sig = None
    if spec is not None:
        namespace = {}
        exec(f"def _sig({spec}): pass", {}, namespace)  # noqa: S102
        sig = inspect.signature(namespace["_sig"])
    elif not builtin:
        sig = inspect.signature(fn)
    if sig is not None:
        wrapper = _exact_wrapper(name, fn, entry, sig, builtin)
    if wrapper is None:
        if entry.predicate is not None or _ops.SET_DTYPE in (entry.cpu, entry.cuda):
            raise AssertionError(f"autocast entry {key} needs a signature")
        wrapper = _generic_wrapper(fn, entry)
    functools.update_wrapper(wrapper, fn)
    # Where the wrapper lives, so that pickle (by reference) finds the wrapper itself.
    prefix = key.rpartition(".")[0]
    wrapper.__name__ = name
    wrapper.__qualname__ = "Tensor." + name if prefix == "Tensor" else name
    wrapper.__module__ = {"F": "dyngraph.nn.functional", "linalg": "dyngraph.linalg"}.get(prefix, "dyngraph")
    wrapper._autocast_entry = entry
    return wrapper


def _owner(key):
    import dyngraph
    import dyngraph.nn.functional

    prefix, _, name = key.rpartition(".")
    owner = {"": dyngraph, "Tensor": Tensor, "F": dyngraph.nn.functional, "linalg": dyngraph.linalg}[prefix]
    return owner, name


def _entries():
    policies = {}
    for device_index, table in ((0, _ops.CPU), (1, _ops.CUDA)):
        for policy, keys in table.items():
            for key in keys.split():
                policies.setdefault(key, [None, None])[device_index] = policy
    return {key: _Entry(key, cpu, cuda) for key, (cpu, cuda) in policies.items()}


_deferred = []  # (owner, name, key, entry): CUDA-only C++ builtins, wrapped on first CUDA autocast
_install_lock = threading.Lock()


def _wrap(owner, name, key, entry):
    fn = getattr(owner, name)
    if getattr(fn, "_autocast_entry", None) is not None:
        return  # already wrapped
    setattr(owner, name, _make_wrapper(key, fn, entry))


def _install():
    """Replaces every entry point of the autocast lists by its wrapper (once, at import)."""
    for key, entry in _entries().items():
        owner, name = _owner(key)
        fn = getattr(owner, name, None)
        if fn is None or not callable(fn):
            continue  # an op dyngraph does not have
        if entry.cpu is None and not isinstance(fn, types.FunctionType):
            _deferred.append((owner, name, key, entry))
        else:
            _wrap(owner, name, key, entry)


def _install_cuda_builtins():
    global _deferred
    if not _deferred:
        return
    with _install_lock:
        pending, _deferred = _deferred, []
        for item in pending:
            _wrap(*item)


# Subclass to distinguish autocast instances created by _enter_autocast (not managed by a with statement).
class _UnmanagedAutocast(autocast):
    pass


def _enter_autocast(*vals):
    mode = _UnmanagedAutocast(*vals)
    mode.__enter__()
    return mode


def _exit_autocast(mode):
    mode.__exit__(None, None, None)
