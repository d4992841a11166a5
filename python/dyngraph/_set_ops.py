"""Distinct values and counting: unique, unique_consecutive, bincount, histc, mode, isin.

All of them are sort + "where does the sorted run change" + cumsum: the run
id of each element is its group, scatter puts groups back in input order.
"""

import builtins

from . import _C
from ._C import Tensor
from ._factories import ones, tensor, zeros
from ._return_types_extra import mode as _mode_tuple
from ._out import finish_out
from ._arg_checks import check_bool_args
from ._signature import typed

__all__ = ["unique", "unique_consecutive", "bincount", "histc", "mode", "isin"]


def _run_starts(s, dim=0):
    """True where a sorted (or consecutive) sequence along dim begins a new run of equal values."""
    n = s.shape[dim]
    first = ones([1 if d == dim else s.shape[d] for d in range(s.dim())], dtype=_bool(), device=s.device)
    if n <= 1:
        return first.narrow(dim, 0, n) if n == 0 else first
    return _C.cat([first, s.narrow(dim, 1, n - 1) != s.narrow(dim, 0, n - 1)], dim)


def _bool():
    import dyngraph

    return dyngraph.bool


def _long():
    import dyngraph

    return dyngraph.int64


def _counts_from_starts(starts, n):
    """Lengths of the runs whose first positions are the True entries of the 1-D mask starts."""
    pos = _C.nonzero(starts).reshape(-1)
    ends = _C.cat([pos.narrow(0, 1, pos.shape[0] - 1), tensor([n], device=starts.device)]) if pos.shape[0] else pos
    return ends - pos


def _dense_rank_columns(x):
    """Per column of x (N, K): each element's rank among that column's distinct values (0-based)."""
    s, perm = _C.sort(x, 0, stable=True)
    rank_sorted = _C.cumsum(_run_starts(s, 0).to(_long()), 0) - 1
    return zeros(x.shape, dtype=_long(), device=x.device).scatter(0, perm, rank_sorted)


def _row_group_ids(x):
    """Lexicographic dense rank of the rows of x (N, K): equal rows share an id, ids follow sorted row order.

    Ranks each column, then merges adjacent column pairs into one key (rank_a * N + rank_b
    preserves lexicographic order) and re-ranks, halving K each round: log2(K) vectorized sorts.
    """
    n = x.shape[0]
    rank = _dense_rank_columns(x)
    while rank.shape[1] > 1:
        if rank.shape[1] % 2:
            rank = _C.cat([rank, zeros(n, 1, dtype=_long(), device=x.device)], 1)
        pairs = rank.reshape(n, -1, 2)
        rank = _dense_rank_columns(pairs.select(2, 0) * n + pairs.select(2, 1))
    return rank.reshape(n)


def _unique_flat(input, return_inverse, return_counts):
    flat = input.reshape(-1)
    s, perm = _C.sort(flat, 0, stable=True)
    starts = _run_starts(s, 0)
    values = s[starts]
    out = [values]
    if return_inverse:
        group = _C.cumsum(starts.to(_long()), 0) - 1
        out.append(zeros(flat.shape, dtype=_long(), device=input.device).scatter(0, perm, group).reshape(input.shape))
    if return_counts:
        out.append(_counts_from_starts(starts, flat.shape[0]))
    return out


def _unique_dim(input, dim, return_inverse, return_counts):
    nd = builtins.max(input.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    dim %= nd
    moved = input.movedim(dim, 0)
    n = moved.shape[0]
    if input.numel() == 0:
        if n != 0 and builtins.any(s == 0 for i, s in enumerate(input.shape) if i != dim):
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
        empty_long = zeros(0, dtype=_long(), device=input.device)
        return [input.clone()] + [empty_long] * (return_inverse + return_counts)
    rows = moved.reshape(n, -1)
    group = _row_group_ids(rows)
    n_groups = builtins.int(group.max().item()) + 1
    # Rows of one group are equal, so whichever write lands is the right value.
    uniq = zeros([n_groups] + list(rows.shape[1:]), dtype=input.dtype, device=input.device)
    uniq = uniq.index_put((group,), rows, False)
    out = [uniq.reshape([n_groups] + list(moved.shape[1:])).movedim(0, dim)]
    if return_inverse:
        out.append(group)
    if return_counts:
        out.append(zeros(n_groups, dtype=_long(), device=input.device)
                   .index_put((group,), ones(n, dtype=_long(), device=input.device), True))
    return out


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (or slices along dim), ascending; optionally inverse indices and counts.

    Always sorted: sorted=False only allows any order in PyTorch, and sorting is how this finds them."""
    check_bool_args("unique", ("sorted", sorted), ("return_inverse", return_inverse), ("return_counts", return_counts))
    out = (_unique_flat(input, return_inverse, return_counts) if dim is None
           else _unique_dim(input, dim, return_inverse, return_counts))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapses each run of consecutive equal values (or slices along dim) to one."""
    if dim is None:
        flat = input.reshape(-1)
        starts = _run_starts(flat, 0)
        out = [flat[starts]]
        shape = input.shape
    else:
        nd = builtins.max(input.dim(), 1)
        if not -nd <= dim < nd:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
        dim %= nd
        moved = input.movedim(dim, 0)
        rows = moved.reshape(moved.shape[0], -1)
        n = rows.shape[0]
        change = (rows.narrow(0, 1, n - 1) != rows.narrow(0, 0, n - 1)).any(1) if n > 1 else \
            zeros(0, dtype=_bool(), device=input.device)
        starts = _C.cat([ones(builtins.min(n, 1), dtype=_bool(), device=input.device), change])
        out = [moved[starts].movedim(0, dim)]
        shape = (n,)
    if return_inverse:
        out.append((_C.cumsum(starts.to(_long()), 0) - 1).reshape(shape))
    if return_counts:
        out.append(_counts_from_starts(starts, starts.shape[0]))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input, weights=None, minlength=0):
    """Occurrences of each value 0..max(input) of a 1-D non-negative integer tensor (or summed weights)."""
    import dyngraph

    if input.is_floating_point() or input.is_complex() or input.dtype is dyngraph.bool:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{str(input.dtype).split('.')[-1]}'")
    if input.dim() != 1 or (input.numel() and input.min().item() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None and (weights.dim() != 1 or weights.shape[0] != input.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    size = builtins.max(minlength, builtins.int(input.max().item()) + 1 if input.numel() else 0)
    if weights is None:
        dtype, values = dyngraph.int64, ones(input.shape[0], dtype=dyngraph.int64, device=input.device)
    else:
        # PyTorch keeps float32 weights in float32 and accumulates every other dtype in float64.
        dtype = dyngraph.float32 if weights.dtype is dyngraph.float32 else dyngraph.float64
        values = weights.to(dtype)
    return zeros(size, dtype=dtype, device=input.device).index_put((input.to(dyngraph.int64),), values, True)


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Counts of the elements falling in `bins` equal-width bins over [min, max] (data range if min == max)."""
    if not input.is_floating_point():
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{input.dtype._name}'")
    if bins <= 0:
        raise RuntimeError("torch.histc: bins must be > 0")
    lo, hi = builtins.float(min), builtins.float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if lo == hi and input.numel():
        lo, hi = input.min().item(), input.max().item()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    flat = input.detach().reshape(-1)
    inside = (flat >= lo) & (flat <= hi)
    x = flat[inside]
    pos = ((x - lo) * bins / (hi - lo)).to(_long()).clamp_max(bins - 1)  # x == max goes in the last bin
    r = zeros(bins, dtype=input.dtype, device=input.device).index_put((pos,), ones(x.shape, dtype=input.dtype,
                                                                                   device=input.device), True)
    return finish_out(r, out)


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along dim (the smallest on ties) and the index of its last occurrence."""
    nd = builtins.max(input.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    dim %= nd
    if input.dim() == 0:
        return _mode_tuple(input.clone(), zeros((), dtype=_long(), device=input.device))
    n = input.shape[dim]
    if n == 0 and input.numel() == 0 and builtins.all(s for i, s in enumerate(input.shape) if i != dim):
        raise IndexError(f"mode(): Expected reduction dim {dim} to have non-zero size.")
    moved = input.detach().movedim(dim, -1)
    batch = list(moved.shape[:-1])
    rows = moved.reshape(-1, n)
    if rows.shape[0] == 0:
        idx = zeros(batch, dtype=_long(), device=input.device)
    else:
        s, perm = _C.sort(rows, 1, stable=True)
        starts = _run_starts(s, 1)
        if s.is_floating_point():  # NaNs are one value here, as in PyTorch
            both_nan = _C.isnan(s.narrow(1, 1, n - 1)) & _C.isnan(s.narrow(1, 0, n - 1))
            starts = starts & ~_C.cat([zeros(rows.shape[0], 1, dtype=_bool(), device=input.device), both_nan], 1)
        run = _C.cumsum(starts.to(_long()), 1) - 1
        counts = zeros(rows.shape, dtype=_long(), device=input.device).scatter_add(1, run, ones(rows.shape,
                                                                                            dtype=_long(),
                                                                                            device=input.device))
        best = counts.argmax(1, keepdim=True)  # first maximal run = smallest value among the ties
        last_pos = counts.cumsum(1).gather(1, best) - 1  # end of that run in sorted order
        idx = perm.gather(1, last_pos).reshape(batch)
    # Values gathered from the input so autograd flows to the chosen elements.
    values = input.movedim(dim, -1).gather(-1, idx.unsqueeze(-1)).squeeze(-1)
    if keepdim:
        values, idx = values.unsqueeze(dim), idx.unsqueeze(dim)
    return _mode_tuple(values, idx)


@typed("isin", assume_unique="bool", invert="bool")
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """True where an element of `elements` occurs in `test_elements` (either may be a scalar); by a sorted
    search, so the cost is (n + m) log m rather than n * m."""
    import dyngraph

    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments - got (Number, Number)")
    like = elements if isinstance(elements, Tensor) else test_elements
    dtype = dyngraph.result_type(elements, test_elements)
    e = elements.to(dtype) if isinstance(elements, Tensor) else dyngraph.tensor(elements, dtype=dtype,
                                                                                device=like.device)
    t = test_elements.to(dtype) if isinstance(test_elements, Tensor) else dyngraph.tensor([test_elements],
                                                                                          dtype=dtype,
                                                                                          device=like.device)
    t = t.reshape(-1).detach()
    if t.numel() == 0:
        found = dyngraph.zeros(e.shape, dtype=_bool(), device=e.device)
    else:
        ordered = t.sort().values
        pos = dyngraph.searchsorted(ordered, e.detach().reshape(-1)).clamp_max(t.numel() - 1)
        found = (ordered[pos] == e.detach().reshape(-1)).reshape(e.shape)
    return ~found if invert else found
