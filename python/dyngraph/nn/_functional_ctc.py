"""The connectionist temporal classification loss (ctc_loss), by the forward
(alpha) recursion in log space over the blank-extended targets, vectorized
over the batch and the target positions; autograd differentiates the
recursion. It runs in float64 with a large finite stand-in for log(0), so
unreachable states add exact zeros to the reachable ones instead of NaN
gradients; a loss at that stand-in is infinite (no alignment exists)."""

from .. import _C
from .._C import Tensor

__all__ = ["ctc_loss"]

_NEG = -1.0e30  # log(0) stand-in: exp(_NEG - anything finite) is exactly 0
_INFINITE = 1.0e29


def _targets_matrix(targets, target_lengths, batch):
    """Targets as (N, S) with S the longest target, from the padded (N, S) or concatenated 1-D form."""
    import dyngraph

    if targets.dim() == 2:
        return targets
    offsets = [0]
    for length in target_lengths:
        offsets.append(offsets[-1] + length)
    longest = max(target_lengths) if target_lengths else 0
    rows = [dyngraph.cat([targets[offsets[i]:offsets[i + 1]],
                          targets.new_zeros(longest - target_lengths[i])]) for i in range(batch)]
    return dyngraph.stack(rows) if rows else targets.new_zeros((0, 0))


def _lengths(x, name, batch):
    values = x.tolist() if isinstance(x, Tensor) else list(x)
    if len(values) != batch:
        raise RuntimeError(f"{name} must be of size batch_size ({batch}), but got {len(values)}")
    return [int(v) for v in values]


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """-log p(target | input) summed over alignments; log_probs is (T, N, C) (or (T, C) unbatched), targets
    (N, S) padded or the concatenated 1-D targets. reduction 'mean' divides each loss by its target length
    before averaging over the batch."""
    import dyngraph

    if not isinstance(log_probs, Tensor) or not isinstance(targets, Tensor):
        raise TypeError("ctc_loss(): log_probs and targets must be Tensors")
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0) if targets.dim() == 1 else targets
        input_lengths = [int(input_lengths)] if not isinstance(input_lengths, (list, tuple, Tensor)) or (
            isinstance(input_lengths, Tensor) and input_lengths.dim() == 0) else input_lengths
        target_lengths = [int(target_lengths)] if not isinstance(target_lengths, (list, tuple, Tensor)) or (
            isinstance(target_lengths, Tensor) and target_lengths.dim() == 0) else target_lengths
    if log_probs.dim() != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs to be 2-D or 3-D, got {log_probs.dim()}-D")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    T, N, C = log_probs.shape
    in_lens = _lengths(input_lengths, "input_lengths", N)
    tgt_lens = _lengths(target_lengths, "target_lengths", N)
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    for length in in_lens:
        if not 0 <= length <= T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {length}")
    tgt = _targets_matrix(targets, tgt_lens, N).to(dyngraph.int64)
    S = tgt.shape[1] if tgt.dim() == 2 else 0
    for length in tgt_lens:
        if not 0 <= length <= S:
            raise RuntimeError(f"Expected tensor to have size at least {length} at dimension 1, but got size {S}")
    L = 2 * S + 1
    # extended labels: blank, l1, blank, l2, ..., blank
    ext = tgt.new_full((N, L), blank)
    if S:
        ext[:, 1::2] = tgt
    lp = log_probs.to(dyngraph.float64)
    emit = lp.gather(2, ext.unsqueeze(0).expand(T, N, L))  # (T, N, L)
    # skipping from s-2 to s is allowed onto a label that differs from the one two places back
    skip = dyngraph.zeros((N, L), dtype=dyngraph.bool, device=lp.device)
    if L > 2:
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    neg = lp.new_full((N, 1), _NEG)
    alpha = lp.new_full((N, L), _NEG)
    start = dyngraph.zeros((N, L), dtype=dyngraph.bool, device=lp.device)
    start[:, 0] = True
    if L > 1:
        start[:, 1] = True
    alpha = dyngraph.where(start, emit[0], alpha)
    lengths = dyngraph.tensor(in_lens, device=lp.device)
    for t in range(1, T):
        stay = alpha
        step = dyngraph.cat([neg, alpha[:, :-1]], 1)
        jump = dyngraph.where(skip, dyngraph.cat([neg, neg, alpha[:, :-2]], 1) if L > 2 else alpha * 0 + _NEG, _NEG)
        m = dyngraph.maximum(dyngraph.maximum(stay, step), jump)
        total = m + dyngraph.log(dyngraph.exp(stay - m) + dyngraph.exp(step - m) + dyngraph.exp(jump - m))
        updated = total + emit[t]
        alpha = dyngraph.where((lengths > t).unsqueeze(1), updated, alpha)
    ends = dyngraph.tensor([2 * s for s in tgt_lens], device=lp.device)
    last = alpha.gather(1, ends.unsqueeze(1)).squeeze(1)
    before = alpha.gather(1, (ends - 1).clamp_min(0).unsqueeze(1)).squeeze(1)
    before = dyngraph.where(ends > 0, before, _NEG)
    m = dyngraph.maximum(last, before)
    loss = -(m + dyngraph.log(dyngraph.exp(last - m) + dyngraph.exp(before - m)))
    empty_input = lengths == 0
    loss = dyngraph.where(empty_input & (ends == 0), 0.0, loss)
    impossible = (loss > _INFINITE) | (empty_input & (ends > 0))
    loss = dyngraph.where(impossible, 0.0 if zero_infinity else float("inf"), loss).to(log_probs.dtype)
    if reduction == "none":
        return loss.squeeze(0) if unbatched else loss
    if reduction == "sum":
        return loss.sum()
    divisor = dyngraph.tensor(tgt_lens, dtype=loss.dtype, device=loss.device).clamp_min(1)
    return (loss / divisor).mean()
