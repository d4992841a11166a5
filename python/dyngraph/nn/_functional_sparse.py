"""Embedding lookups of nn.functional."""

from .. import _C
from ..amp.autocast_mode import _matmul_as_is

__all__ = ["embedding", "embedding_bag"]


def _renorm_rows_(weight, indices, max_norm, norm_type):
    """Rescales, in place, the referenced rows whose norm exceeds max_norm (as PyTorch's embedding_renorm_)."""
    import dyngraph

    with dyngraph.no_grad():
        rows = indices.reshape(-1).long()  # a repeated row is rescaled to the same value twice
        norms = dyngraph.linalg.vector_norm(weight[rows], norm_type, dim=1)
        scale = _C.where(norms > max_norm, max_norm / (norms + 1e-7), norms * 0 + 1)
        weight[rows] = weight[rows] * scale.unsqueeze(1)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    if input.dtype._name not in ("int64", "int32"):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.dtype} instead (while checking arguments for embedding)")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= num:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
    if max_norm is not None:
        _renorm_rows_(weight, input, max_norm, norm_type)
    flat = input.reshape(-1).long()
    out = weight.index_select(0, flat)
    if scale_grad_by_freq and weight.requires_grad:
        counts = _bincount(flat, num).index_select(0, flat).to(out.dtype).unsqueeze(1)
        out = _scale_grad(out, counts)
    if padding_idx is not None and weight.requires_grad:
        # Same value, but no gradient flows to the padding row.
        out = _C.where((flat == padding_idx).unsqueeze(1), out.detach(), out)
    return out.reshape(list(input.shape) + [weight.shape[1]])


def _bincount(flat, n):
    import dyngraph

    counts = dyngraph.zeros(n, dtype=dyngraph.int64, device=flat.device)
    counts.index_put_((flat,), dyngraph.ones_like(flat), accumulate=True)
    return counts


def _scale_grad(out, counts):
    """out in value; its gradient divided by counts (scale_grad_by_freq)."""
    return out.detach() + (out - out.detach()) / counts


def _check_bag_offsets(offsets, length):
    """PyTorch's checks on embedding_bag's offsets: integer, start at 0,
    never decrease, and end within the input."""
    import dyngraph

    if offsets.dtype not in (dyngraph.int64, dyngraph.int32):
        raise RuntimeError("Expected tensor for argument #1 'offsets' to have one of the following scalar types: "
                           f"Long, Int; but got {offsets.dtype} instead")
    if offsets.numel() == 0:
        return
    first, last = offsets[0].item(), offsets[-1].item()
    if first != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {first}")
    if last > length:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {length} but got offsets[-1] of {last}")
    if bool((offsets < 0).any()):
        raise IndexError("index out of range in self")
    if offsets.numel() > 1 and bool((offsets[1:] < offsets[:-1]).any()):
        raise RuntimeError("embedding_bag: offsets must be non-decreasing")


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    import dyngraph

    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, got {mode}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on GitHub.")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             "fixed length sequences.")
        bags, length = input.shape
        segment = dyngraph.arange(bags, device=input.device).repeat_interleave(length)
        flat = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        _check_bag_offsets(offsets, input.numel())
        flat = input
        starts = offsets[:-1] if include_last_offset else offsets
        bags = starts.numel()
        marks = dyngraph.zeros(flat.numel() + 1, dtype=dyngraph.int64, device=flat.device)
        marks.index_put_((starts.long(),), dyngraph.ones_like(starts.long()), accumulate=True)
        segment = marks[: flat.numel()].cumsum(0) - 1
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if max_norm is not None:
        _renorm_rows_(weight, flat, max_norm, norm_type)
    keep = flat != padding_idx if padding_idx is not None else None
    rows = embedding(flat, weight)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(1)
    dim = weight.shape[1]
    # One-hot (bags x n) membership matrix: a bag's sum is one matrix product.
    member = (segment.unsqueeze(0) == dyngraph.arange(bags, device=segment.device).unsqueeze(1))
    if keep is not None:
        member = member & keep.unsqueeze(0)
    if mode == "max":
        fill = dyngraph.full((), float("-inf"), dtype=rows.dtype, device=rows.device)
        stacked = _C.where(member.unsqueeze(2), rows.unsqueeze(0), fill)
        if not flat.numel():
            return dyngraph.zeros(bags, dim, dtype=weight.dtype, device=weight.device)
        out = stacked.amax(1)
        return _C.where(member.any(1, keepdim=True), out, dyngraph.zeros((), dtype=out.dtype, device=out.device))
    summed = _matmul_as_is(member.to(rows.dtype), rows)  # embedding_bag is not an autocast op
    if mode == "sum":
        return summed
    counts = member.sum(1, keepdim=True).clamp_min(1).to(rows.dtype)
    return summed / counts
