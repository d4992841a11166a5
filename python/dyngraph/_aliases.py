"""PyTorch's alternative names (arccos for acos, negative for neg, ...) and the
in-place forms it has that the core has no kernel for (eq_, cumsum_, ...),
as module functions and Tensor methods.

An in-place form computes the out-of-place result and copies it into self,
after PyTorch's check that the result dtype casts to self's. When autograd
records, the result is computed from a clone of self, so a backward that
needs the old value still finds it (PyTorch's in-place kernels save it too).
"""

import builtins

from ._C import Tensor
from ._out import _check_cast, _type_name
from ._signature import typed

# alias -> the name it stands for (module functions and methods, and their in-place forms)
_ALIASES = {"absolute": "abs", "arccos": "acos", "arccosh": "acosh", "arcsin": "asin", "arcsinh": "asinh",
            "arctan": "atan", "arctan2": "atan2", "arctanh": "atanh", "negative": "neg", "fix": "trunc",
            "clip": "clamp"}

# Methods that gain an in-place form built from their out-of-place op.
_INPLACE_FROM = ("eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
                 "not_equal", "multiply", "divide", "subtract", "true_divide", "cumsum", "cumprod", "logit",
                 "nan_to_num", "clamp_max", "clamp_min", "addmv", "baddbmm", "ldexp", "logaddexp2",
                 "nextafter", "mvlgamma", "hardshrink", "conj_physical", "arctan2")

# torch.<name>_(input, ...) for Tensor.<name>_ methods.
_MODULE_INPLACE = ("abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "clamp", "clamp_max",
                   "clamp_min", "clip", "cos", "cosh", "detach", "erf", "erfc", "exp2", "exp", "expm1", "fill",
                   "fix", "floor", "frac", "ldexp", "log10", "log1p", "log2", "log", "logit", "nan_to_num",
                   "neg", "negative", "reciprocal", "round", "rsqrt", "sin", "sinh", "sqrt", "square", "tan",
                   "tanh", "trunc", "zero", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh",
                   "addmv", "conj_physical", "index_put")


def _dg():
    import dyngraph

    return dyngraph


def inplace_from(fn):
    """self.<op>_(...) from the out-of-place fn(self, ...)."""
    def method(self, *args, **kwargs):
        dg = _dg()
        source = self.clone() if self.requires_grad and dg.is_grad_enabled() else self
        result = fn(source, *args, **kwargs)
        if result.dtype != self.dtype:
            _check_cast(result.dtype, self.dtype, method.__name__)
        if tuple(result.shape) != tuple(self.shape):
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(result.shape)}")
        return self.copy_(result)

    method.__name__ = fn.__name__ + "_"
    return method


def _module_inplace(name):
    @typed(name + "_", input="Tensor")
    def fn(input, *args, **kwargs):
        return getattr(input, name + "_")(*args, **kwargs)

    fn.__name__ = name + "_"
    return fn


def _method_of(name):
    def method(self, *args, **kwargs):
        return getattr(_dg(), name)(self, *args, **kwargs)

    method.__name__ = name
    return method


@typed("ldexp", input="Tensor", other="Tensor")
def ldexp(input, other, *, out=None):
    """input * 2**other, in a floating dtype."""
    from ._out import finish_out

    dg = _dg()
    dtype = dg.result_type(input, other)
    if not (dtype.is_floating_point or dtype.is_complex):
        dtype = dg.get_default_dtype()
    return finish_out(input.to(dtype) * dg.pow(2.0, other).to(dtype), out, "ldexp")


@typed("logaddexp2", input="Tensor", other="Tensor")
def logaddexp2(input, other, *, out=None):
    """log2(2**input + 2**other), computed stably."""
    from ._out import finish_out

    dg = _dg()
    m = dg.maximum(input, other)
    # Equal infinities would give inf - inf = nan; their sum is the infinity itself.
    safe_m = dg.where(dg.isinf(m), dg.zeros_like(m), m)
    r = safe_m + dg.log2(dg.exp2(input - safe_m) + dg.exp2(other - safe_m))
    return finish_out(dg.where(dg.isinf(m) & (input == other), m, r), out, "logaddexp2")


@typed("conj_physical", input="Tensor")
def conj_physical(input, *, out=None):
    from ._out import finish_out

    return finish_out(input.conj() if input.is_complex() else input.clone(), out, "conj_physical")


@typed("rsub", input="Tensor", alpha="Number")
def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    if isinstance(other, Tensor):
        return _dg().sub(other, input, alpha=alpha)
    return input.__rsub__(other) if alpha == 1 else input.mul(-alpha).add(other)


@typed("nextafter", input="Tensor", other="Tensor")
def nextafter(input, other, *, out=None):
    """The next representable value after input towards other (float32 and float64), by stepping the bit pattern."""
    from ._out import finish_out

    dg = _dg()
    if input.dtype not in (dg.float32, dg.float64):
        raise RuntimeError(f'"nextafter_cpu" not implemented for \'{_type_name(input.dtype)}\'')
    other = other.to(input.dtype) if isinstance(other, Tensor) else dg.full_like(input, other)
    x, y = dg.broadcast_tensors(input.detach(), other.detach())
    bits_dtype = dg.int32 if x.dtype == dg.float32 else dg.int64
    bits = x.contiguous().view(bits_dtype)
    away_from_zero = (x < y) == (x > 0)
    stepped = dg.where(away_from_zero, bits + 1, bits - 1).view(x.dtype)
    tiny = dg.full_like(x, dg.finfo(x.dtype).smallest_normal * dg.finfo(x.dtype).eps)  # least subnormal
    from_zero = dg.where(y > 0, tiny, -tiny)
    r = dg.where(x == 0, from_zero, stepped)
    r = dg.where(x == y, y, r)
    r = dg.where(dg.isnan(x) | dg.isnan(y), dg.full_like(x, float("nan")), r)
    return finish_out(r, out, "nextafter")


@typed("mvlgamma", input="Tensor", p="int")
def mvlgamma(input, p):
    """The multivariate log-gamma of dimension p: p(p-1)/4 log(pi) + sum_j lgamma(input - j/2)."""
    import math

    dg = _dg()
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if not input.dtype.is_floating_point:
        input = input.to(dg.get_default_dtype())
    if bool((input <= (p - 1) / 2).any()):
        raise RuntimeError("All elements must be greater than (p-1)/2")
    shifts = dg.arange(p, dtype=input.dtype, device=input.device) * -0.5
    return dg.lgamma(input.unsqueeze(-1) + shifts).sum(-1) + p * (p - 1) / 4 * math.log(math.pi)


@typed("fill", input="Tensor", value="Number")
def fill(input, value):
    """A new tensor like input, filled with value (the out-of-place fill_)."""
    return input.clone().fill_(value) if isinstance(value, Tensor) else _dg().full_like(input, value)


__all__ = ["ldexp", "logaddexp2", "conj_physical", "rsub", "fill", "nextafter", "mvlgamma"]


def _install():
    dg = _dg()
    module = globals()
    for alias, name in _ALIASES.items():
        if not hasattr(dg, alias):
            module[alias] = getattr(dg, name)
            __all__.append(alias)
        if not hasattr(Tensor, alias):
            setattr(Tensor, alias, getattr(Tensor, name) if hasattr(Tensor, name) else _method_of(name))
        if hasattr(Tensor, name + "_") and not hasattr(Tensor, alias + "_"):
            setattr(Tensor, alias + "_", getattr(Tensor, name + "_"))
    for name in ("ldexp", "logaddexp2", "conj_physical", "rsub", "nextafter", "mvlgamma"):
        if not hasattr(Tensor, name):
            setattr(Tensor, name, module[name])
    for name in _INPLACE_FROM:
        if not hasattr(Tensor, name + "_"):
            if not hasattr(Tensor, name):
                setattr(Tensor, name, _method_of(name))
            setattr(Tensor, name + "_", inplace_from(getattr(Tensor, name)))
    for name in _MODULE_INPLACE:
        if not hasattr(dg, name + "_") and name + "_" not in module:
            module[name + "_"] = _module_inplace(name)
            __all__.append(name + "_")


_install()
del builtins
