"""Random basic and advanced indexing, get and set: ints (also out of range and huge), slices, None, Ellipsis,
bool and int64 tensors, lists and bools, on small tensors of 0-4 dims.

The reference is PyTorch when it is installed (dyngraph follows its indexing, which differs from NumPy's in
corners such as several bool scalars), else NumPy. Where the reference says an index is out of bounds, dyngraph
must refuse it too (else it read or wrote outside the tensor); with PyTorch as the reference, where both accept
an index they must also agree on the result.
"""

import sys

import atheris

with atheris.instrument_imports():
    import dyngraph
import numpy as np

try:
    import torch
except ImportError:
    torch = None

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import EXPECTED, fuzz_int, main, numel, pick, refused  # noqa: E402

DTYPES = [dyngraph.float32, dyngraph.int64, dyngraph.bool, dyngraph.float64, dyngraph.int8, dyngraph.complex64]


def _slice_part(fdp):
    return None if fdp.ConsumeIntInRange(0, 2) == 0 else fuzz_int(fdp)


def _mask(fdp, dims):
    shape = [fdp.ConsumeIntInRange(0, 4) for _ in range(fdp.ConsumeIntInRange(0, 2))]
    if fdp.ConsumeBool() and dims:  # usually shaped like the dims it covers, so it gets past the shape check
        shape = dims[:fdp.ConsumeIntInRange(1, len(dims))]
    return dyngraph.tensor(np.array([fdp.ConsumeBool() for _ in range(numel(shape))], bool).reshape(shape))


def _int_tensor(fdp):
    shape = [fdp.ConsumeIntInRange(0, 4) for _ in range(fdp.ConsumeIntInRange(0, 2))]
    values = [max(min(fuzz_int(fdp, 5), 2**63 - 1), -2**63) for _ in range(numel(shape))]
    return dyngraph.tensor(np.array(values, np.int64).reshape(shape))


def _item(fdp, dims):
    kind = fdp.ConsumeIntInRange(0, 8)
    if kind <= 2:
        return fuzz_int(fdp, 5)
    if kind <= 4:
        return slice(_slice_part(fdp), _slice_part(fdp), _slice_part(fdp))
    if kind == 5:
        return pick(fdp, [None, Ellipsis, True, False])
    if kind == 6:
        return _mask(fdp, dims)
    if kind == 7:
        return _int_tensor(fdp)
    return [fuzz_int(fdp, 5) for _ in range(fdp.ConsumeIntInRange(0, 3))]


def _ref_index(index):
    if isinstance(index, tuple):
        return tuple(_ref_index(i) for i in index)
    if isinstance(index, dyngraph.Tensor):
        return torch.from_numpy(index.numpy()) if torch else index.numpy()
    return index


def _ref_array(x):
    return torch.from_numpy(x.numpy().copy()) if torch else x.numpy().copy()


def _as_numpy(r):
    return r.numpy() if torch and isinstance(r, torch.Tensor) else np.asarray(r)


def _ref_get(ref, index):
    try:
        return ref[_ref_index(index)], None
    except Exception as e:  # the reference's own refusal, whatever its type: only "out of bounds" is used
        return None, e


def _out_of_bounds(err):
    return isinstance(err, IndexError) and "out of bounds" in str(err)


def _has_advanced(index):
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, (list, dyngraph.Tensor)) for i in items)


def test_one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    dtype = pick(fdp, DTYPES)
    dims = [fdp.ConsumeIntInRange(0, 5) for _ in range(fdp.ConsumeIntInRange(0, 4))]
    x = dyngraph.arange(numel(dims)).reshape(dims).to(dtype)
    ref = _ref_array(x)
    items = [_item(fdp, dims) for _ in range(fdp.ConsumeIntInRange(0, 4))]
    index = items[0] if len(items) == 1 and fdp.ConsumeBool() else tuple(items)
    compare = torch is not None  # NumPy's results differ from PyTorch's in corners: only its bounds verdict counts
    expected, ref_err = _ref_get(ref, index)

    try:
        got = x[index]
    except EXPECTED as e:
        if not refused(e):
            raise
        got = None
    if got is not None:
        assert not _out_of_bounds(ref_err), f"x[{index!r}] succeeded but the reference says: {ref_err}"
        if compare and ref_err is None:
            assert tuple(got.shape) == tuple(expected.shape), f"x[{index!r}]: shape {tuple(got.shape)} vs reference"
            assert np.array_equal(got.numpy(), _as_numpy(expected)), f"x[{index!r}]: values differ from reference"
        got.clone().sum()

    # Set: a scalar (so duplicate advanced indices can't make the result order-dependent), or for basic
    # indexing a tensor of the indexed shape.
    value = pick(fdp, [7, 0, True, 2.5])
    if got is not None and not _has_advanced(index) and fdp.ConsumeBool():
        value = dyngraph.full(tuple(got.shape), 3, dtype=dtype)
    try:
        x[index] = value
    except EXPECTED as e:
        if not refused(e):
            raise
        return
    assert not _out_of_bounds(ref_err), f"x[{index!r}] = v succeeded but the reference says: {ref_err}"
    if compare and ref_err is None:
        try:
            ref[_ref_index(index)] = torch.from_numpy(value.numpy()) if isinstance(value, dyngraph.Tensor) else value
        except Exception:  # the reference refusing what dyngraph accepted: a difference, not a memory error
            return
        assert np.array_equal(x.numpy(), _as_numpy(ref)), f"x[{index!r}] = {value!r}: result differs from reference"


if __name__ == "__main__":
    main(test_one_input)
