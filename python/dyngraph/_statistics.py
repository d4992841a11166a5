"""quantile and nanquantile: sort along the dim, then gather at q * (n - 1).

The ranks are computed in the input's dtype, as PyTorch does, so rounding at
exact halves (interpolation='nearest') agrees with it. Values come from the
sorted input through gather/lerp, so autograd reaches the chosen elements."""

import builtins

from . import _C
from ._C import Tensor
from ._factories import tensor
from ._out import finish_out

__all__ = ["quantile", "nanquantile"]

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, name):
    import dyngraph

    if input.dtype not in (dyngraph.float32, dyngraph.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                           f"Got {interpolation}")
    q_is_vector = isinstance(q, Tensor) and q.dim() == 1
    if isinstance(q, Tensor):
        if q.dim() > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qt = q.detach().reshape(-1)
    else:
        qt = tensor([builtins.float(q)], dtype=input.dtype, device=input.device)
    if qt.numel() and not bool(((qt >= 0) & (qt <= 1)).all().item()):
        bad = qt[~((qt >= 0) & (qt <= 1))][0].item()
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]" if isinstance(q, Tensor)
                           else f"{name}() q must be in the range [0, 1] but got {bad}")

    if dim is None:
        rows = input.reshape(1, -1)
        out_shape = [1] * input.dim() if keepdim else []
    else:
        nd = builtins.max(input.dim(), 1)
        if not -nd <= dim < nd:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
        dim %= nd
        moved = input.movedim(dim, -1) if input.dim() else input.reshape(1)
        rows = moved.reshape(-1, moved.shape[-1])
        out_shape = list(input.shape)
        if out_shape:
            if keepdim:
                out_shape[dim] = 1
            else:
                del out_shape[dim]

    sorted_rows = _C.sort(rows, -1)[0]  # NaNs sort last
    n = rows.shape[-1]
    nan_rows = _C.isnan(sorted_rows).any(-1, keepdim=True)
    if ignore_nan:
        valid = (~_C.isnan(sorted_rows)).sum(-1, keepdim=True).to(input.dtype)
        ranks = (qt * (valid - 1)).clamp_min(0)  # an all-NaN row reads index 0, which is NaN
    else:
        ranks = (qt * (n - 1)).expand(rows.shape[0], qt.shape[0])
        ranks = _C.where(nan_rows, builtins.float(n - 1), ranks)  # a row with a NaN reads the last (NaN) element
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    below_idx = ranks.floor().to(dyngraph.int64)
    below = sorted_rows.gather(-1, below_idx)
    if interpolation in ("linear", "midpoint"):
        above = sorted_rows.gather(-1, ranks.ceil().to(dyngraph.int64))
        if interpolation == "linear":
            result = _C.lerp(below, above, ranks - below_idx.to(input.dtype))
        else:  # midpoint: always halfway (equal neighbours make it exact)
            result = _C.lerp(below, above, 0.5)
    else:
        result = below
    # result is (rows, len(q)): q's dim goes first in the output, as in PyTorch.
    if q_is_vector:
        return result.t().reshape([qt.shape[0]] + out_shape)
    return result.reshape(out_shape)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The q-th quantiles of input (over all elements or along dim); NaN where a slice holds a NaN."""
    r = _quantile(input, q, dim, keepdim, interpolation, False, "quantile")
    return finish_out(r, out)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """quantile ignoring NaNs (NaN only where a slice is all NaN)."""
    r = _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")
    return finish_out(r, out)
