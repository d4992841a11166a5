"""Argument helpers shared by the nn.functional files."""

import builtins
import collections.abc


def ntuple(value, n, name="argument"):
    """value as a list of n ints: one int repeats, a sequence must have n entries (or 1)."""
    if isinstance(value, collections.abc.Sequence) and not isinstance(value, str):
        values = [builtins.int(v) for v in value]
        if len(values) == 1:
            return values * n
        if len(values) != n:
            raise ValueError(f"expected {name} to be a single integer or a sequence of {n} integers, got {value}")
        return values
    return [builtins.int(value)] * n


def check_reduction(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def legacy_reduction(size_average, reduce, reduction):
    """Maps the deprecated size_average/reduce flags onto reduction, as PyTorch does."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def reduce_loss(loss, reduction):
    check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
