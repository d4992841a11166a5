"""In-place random fills the core lacks: Tensor.exponential_, random_,
log_normal_, geometric_ and cauchy_.

Both draw with the core generators (uniform_, _randint), so manual_seed and
generator= control them like every other random op."""

import builtins

from . import _C
from ._signature import typed

__all__ = ["exponential_", "random_", "log_normal_", "geometric_", "cauchy_"]

# random_() with no bounds draws from [0, 2**digits] for floats (every integer
# there is exact) and from [0, max] for integers, as PyTorch does.
_FLOAT_DIGITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}
_INT_MAX = {"bool": 1, "uint8": 255, "int8": 127, "int16": 2 ** 15 - 1, "int32": 2 ** 31 - 1, "int64": 2 ** 63 - 1}


def exponential_(self, lambd=1.0, *, generator=None):
    """Fills self with draws from Exp(lambd): -log(1 - U) / lambd for U ~ Uniform[0, 1)."""
    if not (self.is_floating_point()):
        raise RuntimeError(f"exponential_ not implemented for '{self.dtype._name}'")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    u = _C._empty(tuple(self.shape), self.dtype, self.device).uniform_(0.0, 1.0, generator=generator)
    # copy_ of a constant: like PyTorch, a leaf that requires grad refuses it and a non-leaf gets zero gradient.
    return self.copy_(_C.log1p(-u) / -lambd)


def random_(self, *args, generator=None, **kwargs):
    """random_() / random_(to) / random_(from, to): integers uniform on [from, to) (defaults: the dtype's range)."""
    low = kwargs.pop("from", None)
    high = kwargs.pop("to", None)
    if kwargs:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(args) == 1:
        if low is None and high is None:
            high = args[0]
        else:
            low = args[0]
    elif len(args) == 2:
        low, high = args
    elif len(args) > 2:
        raise TypeError("random_() takes at most 2 positional arguments")
    low = 0 if low is None else builtins.int(low)
    if high is None:
        name = self.dtype._name
        if name in _FLOAT_DIGITS:
            high = 2 ** _FLOAT_DIGITS[name] + 1
        elif name in _INT_MAX:
            high = _INT_MAX[name] + (0 if name == "int64" else 1)  # int64's bound must itself fit in int64
        else:
            raise RuntimeError(f"random_ not implemented for '{name}'")
    high = builtins.int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    import dyngraph

    draws = _C._randint(low, high, tuple(self.shape), dyngraph.int64, self.device, generator)
    return self.copy_(draws)


def _uniform_like(self, generator):
    return _C._empty(tuple(self.shape), self.dtype, self.device).uniform_(0.0, 1.0, generator=generator)


def _check_floating(self, name):
    if not self.is_floating_point():
        raise RuntimeError(f"{name} not implemented for '{self.dtype._name}'")


@typed("log_normal_", mean="float", std="float")
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fills self with exp(N(mean, std^2)) draws."""
    _check_floating(self, "log_normal_")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    normal = _C._empty(tuple(self.shape), self.dtype, self.device).normal_(mean, std, generator=generator)
    return self.copy_(_C.exp(normal))


@typed("geometric_", p="float")
def geometric_(self, p, *, generator=None):
    """Fills self with the number of Bernoulli(p) trials up to the first success (1, 2, ...)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    import math

    u = _uniform_like(self, generator) if self.is_floating_point() else _C._empty(
        tuple(self.shape), _C.get_default_dtype(), self.device).uniform_(0.0, 1.0, generator=generator)
    # 1 - u lies in (0, 1]; ceil(log(1 - u) / log(1 - p)) counts the trials, at least 1
    return self.copy_(_C.ceil(_C.log1p(-u) / math.log1p(-p)).clamp_min(1))


@typed("cauchy_", median="float", sigma="float")
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fills self with Cauchy(median, sigma) draws: median + sigma * tan(pi * (U - 1/2))."""
    _check_floating(self, "cauchy_")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    import math

    return self.copy_(median + sigma * _C.tan(math.pi * (_uniform_like(self, generator) - 0.5)))
