"""searchsorted and bucketize: a binary search run for all values at once.

Each of the ceil(log2(n + 1)) rounds halves every value's [lo, hi) window with
one gather and two wheres, so the work is O(m log n) in vectorized ops."""

from . import _C
from ._C import Tensor
from ._factories import full, tensor, zeros
from ._arg_checks import check_tensor_args

__all__ = ["searchsorted", "bucketize"]


def _lower_bound(seq, values, right):
    """seq (B, n) sorted rows, values (B, m) -> (B, m) int64 insertion points.

    Same comparison as PyTorch's kernel (go left when seq[mid] >= v, or > v for right),
    which sends NaN values past the end."""
    import dyngraph

    b, n = seq.shape
    m = values.shape[1]
    lo = zeros(b, m, dtype=dyngraph.int64, device=values.device)
    if n == 0:
        return lo
    hi = full((b, m), n, dtype=dyngraph.int64, device=values.device)
    for _ in range(n.bit_length()):
        mid = (lo + hi) // 2
        at_mid = seq.gather(1, mid.clamp_max(n - 1))
        go_left = (at_mid > values) if right else (at_mid >= values)
        active = lo < hi
        lo = _C.where(active & ~go_left, mid + 1, lo)
        hi = _C.where(active & go_left, mid, hi)
    return lo


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, out=None, sorter=None):
    """Indices where input's values would be inserted into the innermost dim of sorted_sequence to keep it sorted."""
    import dyngraph

    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    scalar_input = not isinstance(input, Tensor)
    if scalar_input:
        input = tensor(input, device=sorted_sequence.device)
    seq = sorted_sequence
    if seq.dim() == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if sorter is not None:
        if sorter.shape != seq.shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same size, but got boundary "
                               f"tensor {list(seq.shape)} and got sorter tensor {list(sorter.shape)}")
        if sorter.dtype is not dyngraph.int64:
            raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but got dtype "
                               f"{sorter.dtype._name}")
        seq = seq.gather(-1, sorter)
    if seq.dim() == 1:
        values = input.reshape(1, -1)
        seq2 = seq.reshape(1, -1)
    else:
        if input.dim() != seq.dim() or tuple(input.shape[:-1]) != tuple(seq.shape[:-1]):
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               "dimensions of boundaries tensor and input value tensor must match, but we got "
                               f"boundaries tensor {list(seq.shape)} and input value tensor {list(input.shape)}")
        seq2 = seq.reshape(-1, seq.shape[-1])
        values = input.reshape(-1, input.shape[-1]) if input.shape[-1] else input.reshape(seq2.shape[0], 0)
    idx = _lower_bound(seq2.detach(), values.detach(), right).reshape(input.shape)
    if out_int32:
        idx = idx.to(dyngraph.int32)
    return idx if out is None else out.copy_(idx)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """Index of the bucket of each input value; boundaries is a sorted 1-D tensor."""
    check_tensor_args("bucketize", ("input", input), ("boundaries", boundaries))
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)
