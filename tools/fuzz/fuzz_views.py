"""Chains of 1-4 view ops (as_strided, view, reshape, expand, permute, narrow, select, unfold, diagonal,
transpose) with fuzzed sizes, strides, offsets and dims, including huge and negative numbers, then the result
materialised (clone, sum, contiguous) and written (fill_ / setitem).

Oracle: the storage is arange(n), so every element of a view must equal its own storage address
(offset + sum(index * stride)); and a view whose reachable addresses leave the storage must have been refused.
After a write, exactly the view's addresses must have changed.
"""

import sys

import atheris

with atheris.instrument_imports():
    import dyngraph
import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import EXPECTED, MAX_NUMEL, fuzz_int, main, pick, refused  # noqa: E402


def _ints(fdp, n, small=6):
    return [fuzz_int(fdp, small) for _ in range(n)]


def _apply(fdp, v):
    """One fuzzed view op on v, or None when dyngraph refuses its arguments."""
    op = pick(fdp, ["as_strided", "view", "reshape", "expand", "permute", "narrow", "select", "unfold", "diagonal",
                    "transpose"])
    k = fdp.ConsumeIntInRange(0, 4)
    if op == "as_strided":
        offset = fuzz_int(fdp, 10) if fdp.ConsumeBool() else None
        args = (_ints(fdp, k), _ints(fdp, k, 3), offset)
    elif op in ("view", "reshape", "expand"):
        if op == "reshape" and v.numel() > MAX_NUMEL:
            return None  # reshape may copy: don't let it copy something huge
        args = tuple(_ints(fdp, k))
    elif op == "permute":
        args = tuple(_ints(fdp, k, 3))
    elif op in ("narrow", "unfold", "diagonal"):
        args = tuple(_ints(fdp, 3, 4))
    elif op in ("select", "transpose"):
        args = tuple(_ints(fdp, 2, 4))
    try:
        return getattr(v, op)(*args)
    except EXPECTED as e:
        if refused(e):
            return None
        raise


def _check_bounds(v, storage_numel):
    """Every address v can reach must lie in its storage (else dyngraph made a view that reads out of bounds)."""
    sizes, strides, offset = list(v.shape), list(v.stride()), v.storage_offset()
    lo = offset + sum((n - 1) * s for n, s in zip(sizes, strides) if s < 0)
    hi = offset + sum((n - 1) * s for n, s in zip(sizes, strides) if s > 0)
    assert 0 <= lo and hi < storage_numel, (
        f"view out of its storage: sizes {sizes} strides {strides} offset {offset}, storage of {storage_numel}")


def _addresses(v):
    """The storage index of each element of v, as an int64 array."""
    sizes, strides = list(v.shape), list(v.stride())
    index = np.full(sizes, v.storage_offset(), np.int64)
    for d, (n, s) in enumerate(zip(sizes, strides)):
        index += (np.arange(n, dtype=np.int64) * s).reshape([n if i == d else 1 for i in range(len(sizes))])
    return index


def test_one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    n = fdp.ConsumeIntInRange(1, 64)
    base = dyngraph.arange(n)  # int64: element i of the storage holds i
    shape = pick(fdp, [(n,), (1, n), (n, 1)] + ([(2, n // 2)] if n % 2 == 0 else []))
    v = base.reshape(shape)
    for _ in range(fdp.ConsumeIntInRange(1, 4)):
        w = _apply(fdp, v)
        if w is None:
            continue
        if w.untyped_storage_ptr() != base.untyped_storage_ptr() and w.numel():
            # reshape copied: go on from a fresh storage of the copy's shape, holding its addresses again
            n = w.numel()
            base = v = dyngraph.arange(n).reshape(w.shape)
            continue
        v = w
    if v.numel() == 0:
        v.clone().sum()
        return
    if v.untyped_storage_ptr() != base.untyped_storage_ptr():
        return
    _check_bounds(v, n)  # before anything reads through v
    if v.numel() > MAX_NUMEL:
        return  # a cheap view of something huge (stride 0): materialising it would allocate too much
    address = _addresses(v)
    assert np.array_equal(v.clone().numpy(), address), "view elements are not where its strides say"
    assert v.sum().item() == int(address.sum()) and np.array_equal(v.contiguous().numpy(), address)

    expected = np.arange(n, dtype=np.int64)
    expected[address.ravel()] = -1
    try:
        if fdp.ConsumeBool():
            v.fill_(-1)
        else:
            v[...] = -1
    except EXPECTED as e:  # e.g. a write to overlapping memory, which PyTorch also refuses
        if not refused(e):
            raise
        assert np.array_equal(base.reshape(-1).numpy(), np.arange(n)), "a refused write changed the storage"
        return
    assert np.array_equal(base.reshape(-1).numpy(), expected), "the write changed other elements than the view's"


if __name__ == "__main__":
    main(test_one_input)
