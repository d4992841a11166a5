"""The connectionist temporal classification loss: a C++ op (the alpha and
beta recursions run as kernels); this file only maps the arguments."""

from .. import _C
from .._C import Tensor
from ._functional_utils import check_reduction

__all__ = ["ctc_loss"]


def _lengths(x):
    """Lengths given as a Tensor (any shape, 0-d for an unbatched input) or a sequence of ints."""
    if isinstance(x, Tensor):
        return [int(v) for v in x.reshape(-1).tolist()]
    return [int(v) for v in x]


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """-log p(target | input) summed over alignments; log_probs is (T, N, C) (or (T, C) unbatched), targets
    (N, S) padded or the concatenated 1-D targets. reduction 'mean' divides each loss by its target length
    before averaging over the batch."""
    check_reduction(reduction)  # first, as PyTorch's Python side does
    if not isinstance(log_probs, Tensor) or not isinstance(targets, Tensor):
        raise TypeError("ctc_loss(): log_probs and targets must be Tensors")
    return _C._ctc_loss(log_probs, targets, _lengths(input_lengths), _lengths(target_lengths), blank, reduction,
                        zero_infinity)
