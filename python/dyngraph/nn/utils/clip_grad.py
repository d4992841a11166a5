"""Gradient clipping: clip_grad_norm_, clip_grad_value_ and their building blocks (torch.nn.utils.clip_grad)."""

import functools
import types
import warnings

from ... import _C
from ..._C import Tensor, stack
from ..._factories import tensor
from ...linalg import vector_norm

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _no_grad(func):
    """Runs func with autograd off: clipping rescales .grad in place, outside any graph."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        prev = _C.is_grad_enabled()
        _C._set_grad_enabled(False)
        try:
            return func(*args, **kwargs)
        finally:
            _C._set_grad_enabled(prev)

    return wrapper


@_no_grad
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of tensors, i.e. their norm as if concatenated into one vector.

    norm_type may be inf. Raises RuntimeError on a nan/inf total when
    error_if_nonfinite. foreach is accepted for compatibility and ignored.
    """
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    else:
        tensors = list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return tensor(0.0)
    first_device = tensors[0].device
    norms = [vector_norm(t, norm_type) for t in tensors]
    total_norm = vector_norm(stack([n.to(first_device) for n in norms]), norm_type)
    if error_if_nonfinite and (total_norm.isnan().item() or total_norm.isinf().item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from "
            "`parameters` is non-finite, so it cannot be clipped. To disable "
            "this error and scale the gradients by the non-finite norm anyway, "
            "set `error_if_nonfinite=False`")
    return total_norm


@_no_grad
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scales the parameters' gradients by min(1, max_norm / (total_norm + 1e-6)), in place.

    The factor stays a tensor (no host sync), as in PyTorch.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if len(grads) == 0:
        return
    clip_coef_clamped = (max_norm / (total_norm + 1e-6)).clamp_(max=1.0)
    coefs = {}  # one copy of the factor per device
    for g in grads:
        coef = coefs.get(g.device)
        if coef is None:
            coef = coefs[g.device] = clip_coef_clamped.to(g.device)
        g.mul_(coef)


@_no_grad
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clips the gradient norm of parameters (a Tensor or an iterable of them), in place.

    The norm is computed over all gradients together, as if concatenated into
    a single vector. Returns the total norm before clipping (a 0-d tensor).
    foreach is accepted for compatibility and ignored.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and len(parameters) == 0:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of clip_grad_norm_ (as in PyTorch)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamps every gradient of parameters into [-clip_value, clip_value], in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        grad = p.grad
        if grad is not None:
            grad.clamp_(min=-clip_value, max=clip_value)
