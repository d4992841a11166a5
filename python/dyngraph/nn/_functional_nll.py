"""Classification losses of nn.functional: nll_loss, and cross_entropy on the fused log_softmax."""

from .. import _C
from ._functional_utils import check_reduction, legacy_reduction
from .._arg_checks import check_tensor_args

__all__ = ["nll_loss", "cross_entropy"]


def _class_dim_layout(input, target, name):
    """input as (N, C, *d), target as (N, *d), and whether the input was unbatched (C,)."""
    if input.dim() == 0:
        raise RuntimeError("Expected 1 or more dimensions (got 0)")
    if input.dim() == 1:
        if target.dim() != 0:
            raise ValueError(f"Expected input batch_size (1) to match target batch_size ({target.shape[0] if target.dim() else 1}).")
        return input.unsqueeze(0), target.unsqueeze(0), True
    if target.dim() == 0 or input.shape[0] != target.shape[0]:
        tb = target.shape[0] if target.dim() else 1
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({tb}).")
    if list(input.shape[2:]) != list(target.shape[1:]):
        raise RuntimeError(f"Expected target size {[input.shape[0]] + list(input.shape[2:])}, got {list(target.shape)}")
    return input, target, False


def _picked_log_probs(logp, target, weight, ignore_index):
    """-logp[n, target[n]] * w[target[n]] per sample, and the per-sample weights (0 where ignored)."""
    if target.dtype._name not in ("int64", "uint8"):
        found = {"int32": "Int", "int16": "Short", "int8": "Char", "bool": "Bool"}.get(target.dtype._name, target.dtype)
        raise RuntimeError(f"expected scalar type Long but found {found}")
    target = target.long()
    c = logp.shape[1]
    valid = target != ignore_index
    safe = _C.where(valid, target, 0)
    if safe.numel():
        lo, hi = safe.min().item(), safe.max().item()
        if lo < 0 or hi >= c:
            raise IndexError(f"Target {hi if hi >= c else lo} is out of bounds.")
    picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1)
    w = valid.to(logp.dtype)
    if weight is not None:
        if weight.dim() != 1 or weight.numel() != c:
            raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but got "
                               f"weight tensor of shape: {list(weight.shape)}")
        w = w * weight.to(logp.dtype).index_select(0, safe.reshape(-1)).reshape(safe.shape)
    return -picked * w, w


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    check_tensor_args("nll_loss", ("input", input), ("target", target), ("weight", weight))
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    logp, tgt, unbatched = _class_dim_layout(input, target, "nll_loss")
    loss, w = _picked_log_probs(logp, tgt, weight, ignore_index)
    if reduction == "none":
        return loss.squeeze(0) if unbatched else loss
    if reduction == "sum":
        return loss.sum()
    return _weighted_mean(loss.sum(), w.sum())


def _weighted_mean(total, weight_sum):
    """total / weight_sum; with every target ignored that is NaN, but (as PyTorch) with a zero gradient."""
    empty = weight_sum == 0
    safe = _C.where(empty, weight_sum.detach() * 0 + 1, weight_sum)
    return _C.where(empty, total.detach() * float("nan"), total / safe)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    check_tensor_args("cross_entropy", ("input", input), ("target", target), ("weight", weight))
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.dim() == 0:
        raise RuntimeError("cross_entropy: expected an input with 1 or more dimensions (got 0)")
    if (input.dim() == 2 and label_smoothing == 0.0 and target.dim() == 1 and target.dtype._name == "int64"
            and input.dtype.is_floating_point):
        return _C._cross_entropy_indices(input, target, weight, reduction, ignore_index)  # the fused common case
    class_dim = 0 if input.dim() == 1 else 1
    logp = _C.log_softmax(input, class_dim, None)
    c = input.shape[class_dim]
    if target.dtype.is_floating_point:  # class probabilities
        if list(target.shape) != list(input.shape):
            raise RuntimeError(f"Expected target size {list(input.shape)}, got {list(target.shape)}")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / c
        terms = logp * target
        if weight is not None:
            shape = [1] * input.dim()
            shape[class_dim] = c
            terms = terms * weight.reshape(shape)
        loss = -terms.sum(class_dim)
        if reduction == "none":
            return loss
        if reduction == "sum":
            return loss.sum()
        return loss.sum() / (input.numel() // c if c else 1)
    if label_smoothing == 0.0:
        return nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    logp3, tgt, unbatched = _class_dim_layout(logp, target, "cross_entropy")
    nll, w = _picked_log_probs(logp3, tgt, weight, ignore_index)
    valid = (tgt.long() != ignore_index).to(logp.dtype)
    if weight is not None:
        shape = [1, c] + [1] * (logp3.dim() - 2)
        smooth = -(logp3 * weight.reshape(shape)).sum(1) * valid
    else:
        smooth = -logp3.sum(1) * valid
    if reduction == "none":
        loss = nll * (1 - label_smoothing) + smooth * (label_smoothing / c)
        return loss.squeeze(0) if unbatched else loss
    if reduction == "sum":
        return nll.sum() * (1 - label_smoothing) + smooth.sum() * (label_smoothing / c)
    return _weighted_mean(nll.sum() * (1 - label_smoothing) + smooth.sum() * (label_smoothing / c), w.sum())
