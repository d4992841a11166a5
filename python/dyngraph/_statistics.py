"""Statistics: quantile and nanquantile (sort along the dim, then gather at
q * (n - 1)), nanmedian, cov, corrcoef and histogram.

The ranks are computed in the input's dtype, as PyTorch does, so rounding at
exact halves (interpolation='nearest') agrees with it. Values come from the
sorted input through gather/lerp, so autograd reaches the chosen elements."""

import builtins

from . import _C
from ._C import Tensor
from ._factories import tensor
from ._out import finish_out
from ._signature import typed

__all__ = ["quantile", "nanquantile", "cov", "corrcoef", "nanmedian", "histogram"]

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


# ---- covariance and correlation -------------------------------------------------------------------


def _check_weights(w, name, n_obs, integral):
    if w.dim() > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                           f"{w.dim()} dimensions")
    if w.numel() != n_obs:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the "
                           f"input but got {w.numel()} != {n_obs}")
    if integral and (w.dtype.is_floating_point or w.dtype.is_complex):
        raise RuntimeError(f"cov(): expected fweights to have integral dtype but got fweights with {w.dtype} dtype")
    if not integral and not w.dtype.is_floating_point:
        raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got aweights with {w.dtype} "
                           "dtype")
    if bool((w < 0).any()):
        raise RuntimeError(f"cov(): {name} cannot be negative")


@typed("cov", input="Tensor", correction="int", fweights="Tensor?", aweights="Tensor?")
def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in input's rows (observations in columns), with frequency
    and/or analytic weights, as numpy.cov; a 1-D input is one variable (the result is 0-d)."""
    import warnings

    import dyngraph

    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        x = x.to(dyngraph.get_default_dtype())
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, "fweights", n_obs, True)
        w = fweights.to(x.dtype)
    if aweights is not None:
        _check_weights(aweights, "aweights", n_obs, False)
        w = aweights.to(x.dtype) if w is None else w * aweights.to(x.dtype)
    if w is None:
        w_sum = x.new_tensor(float(n_obs)).real if x.is_complex() else x.new_tensor(float(n_obs))
        avg = x.mean(1)
        norm = w_sum - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if aweights is not None and correction != 0:
            norm = w_sum - correction * (w * aweights.to(x.dtype)).sum() / w_sum
        else:
            norm = w_sum - correction
    if bool(norm.real <= 0 if norm.is_complex() else norm <= 0):
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        norm = norm * 0
    centered = x - avg.unsqueeze(1)
    weighted = centered if w is None else centered * w
    c = weighted @ centered.transpose(0, 1).conj() / norm
    return c.squeeze()


@typed("corrcoef", input="Tensor")
def corrcoef(input):
    """Pearson correlation coefficients of input's rows (cov normalized by the standard deviations)."""
    import dyngraph

    c = cov(input)
    if c.dim() == 0:
        return c / c
    std = dyngraph.sqrt(c.diagonal().real if c.is_complex() else c.diagonal())
    c = c / std.unsqueeze(1) / std.unsqueeze(0)
    if c.is_complex():
        return dyngraph.complex(c.real.clamp(-1, 1), c.imag.clamp(-1, 1))
    return c.clamp(-1, 1)


# ---- nanmedian and histogram ----------------------------------------------------------------------


@typed("nanmedian", input="Tensor", dim="int?", keepdim="bool")
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """The lower median of the non-NaN values (NaN where a reduction has only NaNs); with dim, also its index."""
    import dyngraph

    from .return_types import nanmedian as nanmedian_type

    if dim is None:
        flat = input.reshape(-1)
        if flat.numel() == 0:
            return finish_out(flat.new_tensor(float("nan")), out, "nanmedian")
        count = int((~dyngraph.isnan(flat)).sum()) if flat.dtype.is_floating_point else flat.numel()
        ordered = flat.sort().values
        return finish_out(ordered[builtins.max(count - 1, 0) // 2], out, "nanmedian")
    if input.dim() == 0:
        result = nanmedian_type(input.clone(), dyngraph.zeros((), dtype=dyngraph.int64, device=input.device))
        return result
    if input.shape[dim] == 0:
        raise IndexError(f"nanmedian(): Expected reduction dim {dim} to have non-zero size.")
    ordered, order = input.sort(dim)
    if input.dtype.is_floating_point:
        count = (~dyngraph.isnan(input)).sum(dim, keepdim=True)
    else:
        count = dyngraph.full_like(ordered.narrow(dim, 0, 1), input.shape[dim], dtype=dyngraph.int64)
    pos = ((count - 1).clamp_min(0)) // 2
    values, indices = ordered.gather(dim, pos), order.gather(dim, pos)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return nanmedian_type(values, indices)


@typed("histogram", input="Tensor", weight="Tensor?", density="bool")
def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges): counts (or summed weights) of input's elements in bins equal-width bins over range
    (the data's min and max by default), or in the bins whose edges a 1-D tensor gives."""
    import dyngraph

    from .return_types import histogram as histogram_type

    if not input.dtype.is_floating_point:
        from ._out import _type_name

        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_type_name(input.dtype)}'")
    flat = input.detach().reshape(-1)
    if isinstance(bins, Tensor):
        if bins.dim() != 1 or bins.numel() < 1:
            raise RuntimeError("torch.histogram(): bins tensor should have one dimension and at least 1 element")
        edges = bins.detach().to(input.dtype)
    else:
        if bins <= 0:
            raise RuntimeError("torch.histogram(): bins must be > 0")
        if range is not None:
            lo, hi = builtins.float(range[0]), builtins.float(range[1])
            if lo > hi:
                raise RuntimeError(f"torch.histogram(): min should not exceed max, but got min {lo} max {hi}")
        elif flat.numel():
            lo, hi = flat.min().item(), flat.max().item()
        else:
            lo, hi = 0.0, 1.0  # no data: NumPy's and PyTorch's default range
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = dyngraph.linspace(lo, hi, bins + 1, dtype=input.dtype, device=input.device)
    nbins = edges.numel() - 1
    inside = (flat >= edges[0]) & (flat <= edges[-1])
    x = flat[inside]
    pos = (dyngraph.searchsorted(edges, x, right=True) - 1).clamp(0, builtins.max(nbins - 1, 0))
    values = (weight.detach().reshape(-1)[inside].to(input.dtype) if weight is not None
              else dyngraph.ones(x.shape, dtype=input.dtype, device=input.device))
    hist = dyngraph.zeros(builtins.max(nbins, 0), dtype=input.dtype, device=input.device)
    if nbins > 0:
        hist = hist.index_put((pos,), values, True)
    if density:
        hist = hist / (hist.sum() * (edges[1:] - edges[:-1]))
    if out is not None:
        out[0].data = hist
        out[1].data = edges.clone()
        return histogram_type(out[0], out[1])
    return histogram_type(hist, edges)
