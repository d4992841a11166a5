"""Embedding lookups of nn.functional."""

import warnings

from .. import _C

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


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    # PyTorch's Python-side argument handling, in its order; the C++ op checks the rest.
    if weight.dtype._name == "int64" and input.dtype.is_floating_point:
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.")
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             "fixed length sequences.")
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if max_norm is not None:
        _renorm_rows_(weight, input, max_norm, norm_type)
    return _C._embedding_bag(weight, input, offsets, mode, per_sample_weights, include_last_offset, padding_idx,
                             scale_grad_by_freq)
