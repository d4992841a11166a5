"""Prefix scans that the core lacks: cummax, cummin, logcumsumexp.

Each is a Hillis-Steele scan: round k combines every position with the one
2**k before it, so ceil(log2(n)) vectorized rounds cover the whole dim. The
combine is associative, which is all the scan needs."""

import builtins

from . import _C
from ._factories import arange
from ._return_types_extra import cummax as _cummax_tuple
from ._return_types_extra import cummin as _cummin_tuple
from ._out import finish_out

__all__ = ["cummax", "cummin", "logcumsumexp"]


def _wrap_dim(dim, input):
    nd = builtins.max(input.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    return dim % nd


def _scan(state, dim, combine):
    """Inclusive scan of a tuple of same-shaped tensors along dim; combine(earlier, later) -> combined."""
    n = state[0].shape[dim]
    step = 1
    while step < n:
        earlier = tuple(t.narrow(dim, 0, n - step) for t in state)
        later = tuple(t.narrow(dim, step, n - step) for t in state)
        merged = combine(earlier, later)
        state = tuple(_C.cat([t.narrow(dim, 0, step), m], dim) for t, m in zip(state, merged))
        step *= 2
    return state


def _cum_extreme(input, dim, earlier_wins, tuple_type):
    dim = _wrap_dim(dim, input)
    import dyngraph

    if input.dim() == 0:
        return tuple_type(input.clone(), dyngraph.zeros((), dtype=dyngraph.int64, device=input.device))
    values = input.detach()
    view = [1] * input.dim()
    view[dim] = -1
    index = arange(input.shape[dim], device=input.device).reshape(view).expand(input.shape)
    check_nan = values.is_floating_point() or values.is_complex()

    def combine(earlier, later):
        (ev, ei), (lv, li) = earlier, later
        # NaN beats any number and the later of equal values wins, as PyTorch's kernel updates on >= / <= / isnan.
        take_earlier = earlier_wins(ev, lv)
        if check_nan:
            take_earlier = (take_earlier & ~_C.isnan(lv)) | (_C.isnan(ev) & ~_C.isnan(lv))
        return _C.where(take_earlier, ev, lv), _C.where(take_earlier, ei, li)

    _, idx = _scan((values, index), dim, combine)
    # Gathered from the input, so the gradient reaches the running extreme's element.
    return tuple_type(input.gather(dim, idx), idx)


def cummax(input, dim):
    """Running maximum along dim and the index where it was (last) reached."""
    return _cum_extreme(input, dim, lambda ev, lv: ev > lv, _cummax_tuple)


def cummin(input, dim):
    """Running minimum along dim and the index where it was (last) reached."""
    return _cum_extreme(input, dim, lambda ev, lv: ev < lv, _cummin_tuple)


def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input))) along dim, computed stably as a scan of logaddexp."""
    if not (input.is_floating_point() or input.is_complex()):
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{input.dtype._name}'")
    dim = _wrap_dim(dim, input)
    if input.dim() == 0:
        r = input.clone()
    else:
        (r,) = _scan((input,), dim, lambda earlier, later: (_C.logaddexp(earlier[0], later[0]),))
    return finish_out(r, out)
