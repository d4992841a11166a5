"""Losses that are compositions of dyngraph ops (cross_entropy and nll_loss are fused, in functional.py).

Each has PyTorch's signature, defaults, checks and error messages; gradients
come from autograd through the composed ops. Formulas follow ATen's (e.g.
binary_cross_entropy clamps the logs at -100, binary_cross_entropy_with_logits
goes through softplus so large logits do not overflow).
"""

import math
import warnings

from .. import _C
from .._C import Tensor
from .._factories import arange, full_like
from .._functional import broadcast_shapes
from .._arg_checks import check_tensor_args
from .._math_extra import cosine_similarity  # F.cosine_similarity is torch.cosine_similarity
from .._signature import typed

__all__ = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "kl_div", "cosine_embedding_loss", "margin_ranking_loss",
           "triplet_margin_loss", "soft_margin_loss", "multilabel_soft_margin_loss", "hinge_embedding_loss",
           "poisson_nll_loss", "gaussian_nll_loss", "multi_margin_loss", "multilabel_margin_loss",
           "triplet_margin_with_distance_loss",
           "cosine_similarity", "pairwise_distance", "pdist"]


# ---- reduction -----------------------------------------------------------------------------------


_REDUCTIONS = ("mean", "sum", "none")


def _legacy_reduction(size_average, reduce):
    """The reduction named by the deprecated size_average/reduce flags (None counts as True)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if (size_average and reduce) else ("sum" if reduce else "none")
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  stacklevel=3)
    return ret


def _checked_reduction(reduction, size_average=None, reduce=None):
    """Resolves the legacy flags and validates the name as ATen's get_enum does."""
    if reduction in _REDUCTIONS and size_average is None and reduce is None:
        return reduction  # the common case, first
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      stacklevel=3)
        return "mean"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _warn_size_mismatch(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=3)


def _weighted_reduce(errors, weight, input, reduction):
    """l1/mse with a per-element weight: 'mean' divides by the total weight, as PyTorch does."""
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    weighted = errors * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    return weighted.sum() / weight.sum()


def _softplus(x):
    """log(1 + exp(x)), overflow-free."""
    return _C._softplus(x, 1.0, 20.0)


# ---- regression losses ---------------------------------------------------------------------------


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size_mismatch(input, target)
    reduction = _checked_reduction(reduction, size_average, reduce)
    errors = (input - target).abs()  # the subtraction broadcasts, as broadcast_tensors would
    if weight is not None:
        return _weighted_reduce(errors, weight, input, reduction)
    return _reduce(errors, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size_mismatch(input, target)
    reduction = _checked_reduction(reduction, size_average, reduce)
    diff = input - target
    errors = diff * diff
    if weight is not None:
        return _weighted_reduce(errors, weight, input, reduction)
    return _reduce(errors, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _warn_size_mismatch(input, target)
    reduction = _checked_reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    diff = (input - target).abs()
    if beta == 0.0:
        return _reduce(diff, reduction)
    loss = _C.where(diff < beta, diff * diff * (0.5 / beta), diff - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _warn_size_mismatch(input, target)
    if weight is None:
        reduction = _checked_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    diff = (input - target).abs()
    loss = _C.where(diff < delta, diff * diff * 0.5, (diff - 0.5 * delta) * delta)
    if weight is None:
        return _reduce(loss, reduction)
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        # Stirling's approximation of log(target!), only where target > 1 (it is ~0 below).
        safe = _C.where(target > 1, target, target * 0 + 1)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + _C.where(target > 1, stirling, stirling * 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = full_like(input, float(var))
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = var.unsqueeze(-1)  # one variance per sample, shared by the last dim
        elif input.dim() == var.dim() and sum(y for x, y in zip(input.size(), var.size()) if x != y) == 1:
            pass  # a singleton dim that broadcasts (homoscedastic along it)
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # Clamped for stability without letting the clamp block the gradient (PyTorch clamps under no_grad).
    var = var + (var.detach().clamp_min(eps) - var.detach())
    diff = input - target
    loss = 0.5 * (var.log() + diff * diff / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ---- classification losses ------------------------------------------------------------------------


from .._out import _type_name as _c10_name  # PyTorch's C++ dtype names (Float, Long, ...)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    reduction = _checked_reduction(reduction, size_average, reduce)
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_c10_name(target.dtype)} but expected {_c10_name(input.dtype)}")
    if input.numel() and bool(((input < 0) | (input > 1)).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    # log clamped at -100 so that input 0 or 1 gives a finite loss, as in PyTorch.
    log_p = input.log().clamp_min(-100)
    log_1mp = (1 - input).log().clamp_min(-100)
    loss = -(target * log_p + (1 - target) * log_1mp)
    if weight is not None:
        loss = loss * weight.expand(broadcast_shapes(target.size(), weight.size()))
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    reduction = _checked_reduction(reduction, size_average, reduce)
    if target.size() != input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    if not (target.dtype.is_floating_point or target.dtype.is_complex) and input.dtype.is_floating_point:
        raise RuntimeError(f"result type {_c10_name(input.dtype)} can't be cast to the desired output type "
                           f"{_c10_name(target.dtype)}")
    # -[y log s(x) + (1-y) log(1-s(x))] = (1-y) x + softplus(-x), softplus keeps large |x| finite.
    softplus_neg = _softplus(-input)
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input + log_weight * softplus_neg
    else:
        loss = (1 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        if reduction != "batchmean":
            reduction = _checked_reduction(reduction)
    check_tensor_args("kl_div", ("input", input), ("target", target))
    if input.is_complex() or target.is_complex():
        raise RuntimeError("kl_div: Complex inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # xlogy(t, t) - t * input: 0 where t == 0 (log of 1 there keeps the gradient finite).
        safe = _C.where(target != 0, target, target * 0 + 1)  # a negative target gives NaN, as in PyTorch
        loss = target * safe.log() - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.size(0) if input.dim() != 0 else total
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _checked_reduction(reduction, size_average, reduce)
    return _reduce(_softplus(-input * target), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    # -[y log s(x) + (1-y) log s(-x)] per class, then averaged over classes.
    loss = target * _softplus(-input) + (1 - target) * _softplus(input)
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    reduction = _checked_reduction(reduction, size_average, reduce)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    check_tensor_args("multi_margin_loss", ("input", input), ("target", target))  # after the options, as in PyTorch
    if input.dim() > 2:
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{input.size()}")
    batched = input.dim() == 2
    x = input if batched else input.reshape(1, -1)
    y = target.reshape(-1)
    num_classes = x.size(1)
    if y.numel() != x.size(0):
        raise RuntimeError(f"inconsistent target size, expected {x.size(0)} but got {target.size()}")
    if y.numel() and (bool((y < 0).any()) or bool((y >= num_classes).any())):
        raise RuntimeError("target out of range")
    x_y = x.gather(1, y.unsqueeze(1))
    z = (x - x_y + margin).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[y].unsqueeze(1)
    # The target class itself is not a margin violation.
    not_target = (y.unsqueeze(1) != arange(num_classes, device=y.device)).to(z.dtype)
    loss = (z * not_target).sum(1) / num_classes
    if not batched:
        loss = loss.reshape(target.shape) if target.dim() else loss[0]
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])), divided by C.

    Each row of target lists class indices and ends at the first -1.
    """
    check_tensor_args("multilabel_margin_loss", ("input", input), ("target", target))
    reduction = _checked_reduction(reduction, size_average, reduce)
    if input.dim() > 2 or input.shape != target.shape:
        raise RuntimeError(f"inconsistent target size: {target.shape} for input of size: {input.shape}")
    x = input.reshape(1, -1) if input.dim() < 2 else input
    y = target.reshape(1, -1) if target.dim() < 2 else target
    num_classes = x.size(1)
    if y.numel() and (bool((y < -1).any()) or bool((y >= num_classes).any())):
        raise RuntimeError("target out of range")
    valid = (y != -1).long().cumprod(1).bool()  # entries before the first -1
    hits = (y.unsqueeze(-1) == arange(num_classes, device=y.device)) & valid.unsqueeze(-1)  # (N, K, C)
    counts = hits.sum(1).to(x.dtype)  # how often each class is listed (duplicates count, as in PyTorch)
    non_target = (counts == 0).to(x.dtype)
    margins = (1 - (x.unsqueeze(2) - x.unsqueeze(1))).clamp_min(0)  # [n, j, i] = max(0, 1 - (x_j - x_i))
    loss = (margins * counts.unsqueeze(2) * non_target.unsqueeze(1)).sum((1, 2)) / num_classes
    if input.dim() < 2:
        loss = loss[0]
    return _reduce(loss, reduction)


# ---- embedding and ranking losses ------------------------------------------------------------------


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    check_tensor_args("cosine_embedding_loss", ("input1", input1), ("input2", input2), ("target", target))
    reduction = _checked_reduction(reduction, size_average, reduce)
    targ_dim = target.dim()
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if targ_dim == 1 and not (input1.dim() == 2 and input2.dim() == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.size())} and {list(input2.size())}.")
    if targ_dim == 0 and not (input1.dim() == 1 and input2.dim() == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.size())} and {list(input2.size())}.")
    eps = 1e-12  # ATen's EPSILON: keeps zero vectors from dividing by zero
    prod_sum = (input1 * input2).sum(targ_dim)
    mag_square1 = (input1 * input1).sum(targ_dim) + eps
    mag_square2 = (input2 * input2).sum(targ_dim) + eps
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zeros = cos * 0
    pos = _C.where(target == 1, 1 - cos, zeros)
    neg = _C.where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce(pos + neg, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    reduction = _checked_reduction(reduction, size_average, reduce)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    reduction = _checked_reduction(reduction, size_average, reduce)
    zeros = input * 0
    margin_part = _C.where(target != 1, (margin - input).clamp_min(0), zeros)
    self_part = _C.where(target != -1, input, zeros)
    return _reduce(margin_part + self_part, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    check_tensor_args("triplet_margin_loss", ("anchor", anchor), ("positive", positive), ("negative", negative))
    reduction = _checked_reduction(reduction, size_average, reduce)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _triplet(anchor, positive, negative, lambda a, b: pairwise_distance(a, b, p, eps), margin, swap,
                    reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    reduction = _checked_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _triplet(anchor, positive, negative, distance_function or pairwise_distance, margin, swap, reduction)


def _triplet(anchor, positive, negative, distance, margin, swap, reduction):
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = _C.minimum(dist_neg, distance(positive, negative))
    return _reduce((margin + dist_pos - dist_neg).clamp_min(0), reduction)


# ---- distances -------------------------------------------------------------------------------------


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps over the last dim."""
    if not isinstance(x1, Tensor) or not isinstance(x2, Tensor):
        raise TypeError("pairwise_distance(): arguments 'x1' and 'x2' must be Tensors")
    dim = max(x1.dim(), x2.dim()) - 1
    diff = x1 - x2 + eps
    if dim < 0:  # two scalars: the distance is |x1 - x2 + eps|
        return diff.abs()
    return _C._vector_norm(diff, float(p), [dim], keepdim, None)


@typed("pdist", input="Tensor", p="float")
def pdist(input, p=2):
    """The p-norm distances between each pair of rows of a 2-D input: the condensed upper triangle, row by row."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    from .._matrix_construction import triu_indices

    i, j = triu_indices(n, n, 1, device=input.device)
    return _C._vector_norm(input[i] - input[j], float(p), [1], False, None)
