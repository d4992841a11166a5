"""Small torch.* functions and Tensor methods found missing by a conformance
sweep against PyTorch: multinomial, logspace, dist, combinations, msort,
is_nonzero, the layout object (strided), the math constants, the
determinism / default-device switches, and Tensor.H / mH / adjoint /
lerp_ / apply_ / layout."""

import builtins
import itertools
import math

from ._C import Tensor
from ._signature import typed

__all__ = ["multinomial", "logspace", "dist", "combinations", "msort", "is_nonzero", "layout", "strided",
           "typename", "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "get_default_device", "set_default_device", "adjoint",
           "pi", "e", "inf", "nan", "newaxis", "resize_as_", "set_flush_denormal", "is_inference",
           "set_anomaly_enabled"]

pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None


class layout:
    """A tensor memory layout; dyngraph has one, ``strided``."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "dyngraph." + self._name

    def __reduce__(self):
        return self._name


strided = layout("strided")


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the rows of ``input`` (1-D or 2-D, non-negative weights), as int64.

    All rows at once, on input's device: one uniform draw per row and sample (the same numbers row by row
    on every device), then an inverse CDF (with replacement) or an exponential race (without)."""
    import dyngraph

    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not (input.dtype.is_floating_point):
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n = input.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rows = input.detach().double().reshape(-1, n)
    not_finite, negative, empty = dyngraph.stack([~dyngraph.isfinite(rows).all(), (rows < 0).any(),
                                                  (rows.sum(-1) <= 0).any()]).tolist()  # one sync for all checks
    if not_finite:
        raise RuntimeError("invalid multinomial distribution (encountering probability entry that is inf or nan)")
    if negative:
        raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
    if empty:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    u = dyngraph.rand(rows.shape[0], num_samples if replacement else n, dtype=dyngraph.float64, device=rows.device,
                      generator=generator)
    if replacement:
        # Inverse CDF: the first index whose running total passes u * total. Zero
        # weights add nothing to the running total, so they are never picked.
        cdf = rows.cumsum(-1)
        result = dyngraph.searchsorted(cdf, u * cdf[:, -1:], right=True).clamp_max(n - 1)
    else:
        # Exponential race: the smallest -log(u) / w come out in the order of sequential sampling without
        # replacement; zero weights get an infinite key and come last (in index order), as in PyTorch.
        keys = -dyngraph.log1p(-u) / rows
        result = keys.argsort(-1, stable=True)[:, :num_samples].contiguous()
    if input.dim() == 1:
        result = result[0]
    if out is not None:
        return out.copy_(result)
    return result


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``steps`` values base ** linspace(start, end, steps)."""
    import dyngraph

    if isinstance(start, Tensor):
        start = start.item()
    if isinstance(end, Tensor):
        end = end.item()
    dtype = dtype or dyngraph.get_default_dtype()
    exps = dyngraph.linspace(start, end, steps, dtype=dyngraph.float64)
    t = dyngraph.pow(float(base), exps).to(dtype)
    if device is not None:
        t = t.to(device)
    if requires_grad:
        t.requires_grad_(True)
    if out is not None:
        return out.copy_(t)
    return t


def dist(input, other, p=2):
    """The p-norm of ``input - other`` (broadcast), a 0-d tensor."""
    return (input - other).norm(p=p)


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of the 1-D ``input``'s elements, one per row (as itertools.combinations)."""
    import dyngraph

    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return dyngraph.empty(0, dtype=input.dtype, device=input.device)
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = list(gen(builtins.range(input.shape[0]), r))
    if not idx:
        return dyngraph.empty(0, r, dtype=input.dtype, device=input.device)
    index = dyngraph.tensor(idx, dtype=dyngraph.int64, device=input.device)
    return input[index.reshape(-1)].reshape(len(idx), r)


def msort(input):
    """``input`` sorted along its first dimension (the values only)."""
    return input.sort(dim=0).values


def is_nonzero(input):
    """Whether the single-element ``input`` is nonzero."""
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return builtins.bool(input.item())


def typename(obj):
    """The type string of a tensor (``x.type()``) or the qualified name of any other object's type."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    if not hasattr(obj, "__qualname__"):
        module = type(obj).__module__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


_deterministic = {"mode": False, "warn_only": False}


@typed("set_flush_denormal", mode="bool")
def set_flush_denormal(mode):
    """Denormal floats flushed to zero on the CPU (x86 FTZ/DAZ, in the calling thread); whether supported."""
    from . import _C

    return _C._set_flush_denormal(mode)


@typed("set_anomaly_enabled", enabled="bool", check_nan="bool")
def set_anomaly_enabled(enabled, check_nan=True):
    """Switches autograd's anomaly detection on or off for the whole process (as autograd.set_detect_anomaly)."""
    from . import _C

    _C._set_anomaly_enabled(enabled, check_nan)


@typed("is_inference", input="Tensor")
def is_inference(input):
    """Whether input is an inference tensor: made in inference_mode, or a view of one."""
    return input.is_inference()


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Makes GPU kernels that would depend on thread timing (atomic accumulation in index_put_,
    index_add, scatter_add) take an ordered path. dyngraph's CPU kernels are deterministic anyway."""
    _deterministic["mode"] = builtins.bool(mode)
    _deterministic["warn_only"] = builtins.bool(warn_only)
    from . import _C

    _C._set_deterministic_algorithms(_deterministic["mode"])


def are_deterministic_algorithms_enabled():
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic["warn_only"]


def get_default_device():
    import dyngraph

    return dyngraph.device("cpu")


def set_default_device(device):
    """Only the CPU is supported as the default device."""
    import dyngraph

    if device is not None and dyngraph.device(device).type != "cpu":
        raise RuntimeError("dyngraph.set_default_device: only 'cpu' is supported as the default device")


def adjoint(input):
    """The conjugate transpose of the last two dimensions (a view for real tensors)."""
    if input.dim() < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of matrices. "
                           f"Got {input.dim()}-D tensor.")
    t = input.transpose(-2, -1)
    return t.conj() if input.dtype.is_complex else t


# ---- Tensor methods ----------------------------------------------------------------------------

def _H(self):
    if self.dim() > 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.dim()}-D tensor.")
    return adjoint(self) if self.dim() == 2 else (self.conj() if self.dtype.is_complex else self)


def _mH(self):
    if self.dim() < 2:
        raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. "
                           f"Got {self.dim()}-D tensor.")
    return adjoint(self)


def _lerp_(self, end, weight):
    import dyngraph

    return self.copy_(dyngraph.lerp(self, end, weight))


def _apply_(self, callable):
    """Applies the Python ``callable`` to every element, in place (CPU tensors only, slow)."""
    import dyngraph

    if self.requires_grad and self.is_leaf and dyngraph.is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    values = [callable(v) for v in self.detach().reshape(-1).tolist()]
    self.copy_(dyngraph.tensor(values, dtype=self.dtype).reshape(self.shape))
    return self


def _layout(self):
    return strided


def _inplace_view(view_name):
    """t_(), transpose_(), unsqueeze_(), squeeze_(): self takes the view's geometry (same memory)."""
    def method(self, *args, **kwargs):
        import dyngraph

        if self.requires_grad and dyngraph.is_grad_enabled():
            if self.is_leaf:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            raise RuntimeError(f"{view_name}_(): in-place view ops on tensors that are part of an autograd graph "
                               f"are not supported; use the out-of-place {view_name}()")
        self.data = getattr(self, view_name)(*args, **kwargs)
        return self
    method.__name__ = view_name + "_"
    return method


def _sizes_from(args, name):
    sizes = tuple(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else tuple(args)
    for s in sizes:
        if not isinstance(s, builtins.int) or isinstance(s, builtins.bool):
            raise TypeError(f"{name}(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(sizes)}")
    return sizes


def _resize_(self, *sizes, memory_format=None):
    """Gives self the shape `sizes` in place, keeping its first elements (in row-major order) and leaving
    any new ones uninitialized, as PyTorch's resize_ does."""
    import math

    import dyngraph

    sizes = _sizes_from(sizes, "resize_")
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if tuple(self.shape) == sizes:
        return self
    resized = dyngraph.empty(sizes, dtype=self.dtype, device=self.device)
    keep = builtins.min(self.numel(), math.prod(sizes))
    if keep:
        resized.view(-1)[:keep] = self.detach().reshape(-1)[:keep]
    self.data = resized
    return self


def _resize_as_(self, other, memory_format=None):
    return _resize_(self, *other.shape)


@typed("resize_as_", input="Tensor", the_template="Tensor")
def resize_as_(input, the_template, *, memory_format=None):
    """torch.resize_as_: input resized in place to the_template's shape (Tensor.resize_as_)."""
    return _resize_as_(input, the_template, memory_format)


def _resize(self, *sizes, _name="resize"):
    """The deprecated out-of-place resize: as in PyTorch, only a new shape with the same element count
    (a differentiable reshape)."""
    import math
    import warnings

    warnings.warn(f"non-inplace {_name} is deprecated", stacklevel=2)
    sizes = _sizes_from(sizes, _name)
    total = math.prod(sizes)
    if total != self.numel():
        raise RuntimeError(f"requested resize to {'x'.join(map(str, sizes))} ({total} elements in total), but the "
                           f"given tensor has a size of {'x'.join(map(str, self.shape))} ({self.numel()} elements). "
                           "autograd's resize can only change the shape of a given tensor, while preserving the "
                           "number of elements. ")
    return self.reshape(sizes)


def _resize_as(self, other):
    return _resize(self, *other.shape, _name="resize_as")


def _is_set_to(self, tensor):
    """Whether self and tensor view the same memory with the same sizes, strides and offset."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"is_set_to(): argument 'tensor' (position 1) must be Tensor, not {type(tensor).__name__}")
    return (self.untyped_storage_ptr() == tensor.untyped_storage_ptr() and self.dtype == tensor.dtype
            and self.storage_offset() == tensor.storage_offset() and tuple(self.shape) == tuple(tensor.shape)
            and self.stride() == tensor.stride())


def _map_(self, tensor, callable):
    """self[i] = callable(self[i], tensor[i]) for every element (tensor broadcast to self), in Python."""
    import dyngraph

    if self.is_cuda or tensor.is_cuda:
        raise TypeError("map_ is only implemented on CPU tensors")
    other = tensor.expand(self.shape)
    values = [callable(a, b) for a, b in zip(self.reshape(-1).tolist(), other.reshape(-1).tolist())]
    return self.copy_(dyngraph.tensor(values, dtype=self.dtype).reshape(self.shape))


def _map2_(self, x, y, callable):
    """self[i] = callable(self[i], x[i], y[i]) for every element (x and y broadcast to self)."""
    import dyngraph

    if self.is_cuda or x.is_cuda or y.is_cuda:
        raise TypeError("map2_ is only implemented on CPU tensors")
    xs, ys = x.expand(self.shape).reshape(-1).tolist(), y.expand(self.shape).reshape(-1).tolist()
    values = [callable(a, b, c) for a, b, c in zip(self.reshape(-1).tolist(), xs, ys)]
    return self.copy_(dyngraph.tensor(values, dtype=self.dtype).reshape(self.shape))


def _prelu(self, weight):
    from .nn.functional import prelu

    return prelu(self, weight)


def _install():
    props = {"H": _H, "mH": _mH, "mT": None, "layout": _layout}
    for name, fn in props.items():
        if fn is not None and not hasattr(Tensor, name):
            setattr(Tensor, name, property(fn))
    methods = {"adjoint": adjoint, "lerp_": _lerp_, "apply_": _apply_, "msort": msort,
               "is_nonzero": is_nonzero, "dist": dist, "multinomial": multinomial,
               "const_data_ptr": lambda self: self.data_ptr(), "resize_": _resize_, "resize_as_": _resize_as_,
               "resize": _resize, "resize_as": _resize_as, "is_set_to": _is_set_to, "map_": _map_, "map2_": _map2_,
               "prelu": _prelu}
    for name in ("is_meta", "is_quantized", "is_mkldnn", "is_sparse_csr", "is_nested"):  # layouts dyngraph lacks
        if not hasattr(Tensor, name):
            setattr(Tensor, name, property(lambda self: False))
    for view_name in ("t", "transpose", "unsqueeze", "squeeze", "swapaxes", "swapdims"):
        methods[view_name + "_"] = _inplace_view(view_name)
    for name, fn in methods.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, fn)


_install()
