"""Classification losses of nn.functional: nll_loss and cross_entropy, both C++ ops."""

from .. import _C
from ._functional_utils import legacy_reduction
from .._arg_checks import check_tensor_args

__all__ = ["nll_loss", "cross_entropy"]


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    check_tensor_args("nll_loss", ("input", input), ("target", target), ("weight", weight))
    return _C._nll_loss(input, target, weight, legacy_reduction(size_average, reduce, reduction), ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    check_tensor_args("cross_entropy", ("input", input), ("target", target), ("weight", weight))
    return _C._cross_entropy(input, target, weight, legacy_reduction(size_average, reduce, reduction), ignore_index,
                             label_smoothing)
