"""NumPy arrays of fuzzed dtype, shape, strides (negative, zero, not a multiple of the item size), offset
(so also misaligned) and writability into from_numpy / as_tensor / tensor / from_dlpack.

Each array is np.lib.stride_tricks.as_strided over a real 256-byte buffer, checked here to stay inside it
(as_strided itself checks nothing). A tensor that comes back must hold the array's values, and the zero-copy
paths must really share memory with it.
"""

import sys

import atheris

with atheris.instrument_imports():
    import dyngraph
import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import EXPECTED, main, pick, refused  # noqa: E402

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
          "complex128", "uint16", "uint32", "uint64", ">i2", ">f4", "V4", "M8[s]"]
BUFFER_BYTES = 256


def _array(fdp):
    dtype = np.dtype(pick(fdp, DTYPES))
    ndim = fdp.ConsumeIntInRange(0, 4)
    shape = [fdp.ConsumeIntInRange(0, 6) for _ in range(ndim)]
    strides = [fdp.ConsumeIntInRange(-40, 40) for _ in range(ndim)]  # in bytes
    offset = fdp.ConsumeIntInRange(0, BUFFER_BYTES - dtype.itemsize)
    read_only, proper_bools = fdp.ConsumeBool(), fdp.ConsumeBool()
    # The contents last: the choices above come from the input's end, the bytes from its start.
    buf = np.frombuffer(fdp.ConsumeBytes(BUFFER_BYTES).ljust(BUFFER_BYTES, b"\x01"), np.uint8).copy()
    if dtype == np.bool_ and proper_bools:
        buf &= 1
    if 0 not in shape:
        lo = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s < 0)
        hi = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s > 0) + dtype.itemsize
        if lo < 0 or hi > BUFFER_BYTES:
            return None  # as_strided would happily read outside buf: that would be this fuzzer's own bug
    element = np.ndarray((), dtype, buffer=buf, offset=offset)  # element 0, viewing buf
    arr = np.lib.stride_tricks.as_strided(element, shape, strides, writeable=True)
    if read_only:
        arr.flags.writeable = False
    return arr


def _expected(arr):
    # A bool byte other than 0/1 means True (NumPy's reading); compared as ints so a raw 2 can't pass as True.
    if arr.dtype == np.bool_:
        return (arr.view(np.uint8) != 0).astype(np.int64)
    return arr


def _as_comparable(t):
    return t.long().numpy() if t.dtype is dyngraph.bool else t.numpy()


def test_one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    arr = _array(fdp)
    if arr is None:
        return
    how = pick(fdp, ["from_numpy", "as_tensor", "tensor", "from_dlpack"])
    try:
        t = getattr(dyngraph, how)(arr)
    except BufferError:  # NumPy's __dlpack__ refusing to export (the array API's error for that)
        if how != "from_dlpack":
            raise
        return
    except EXPECTED as e:
        if refused(e):
            return
        raise
    assert tuple(t.shape) == arr.shape, f"{how}: shape {tuple(t.shape)} != {arr.shape}"
    expected, got = _expected(arr), _as_comparable(t)
    assert np.array_equal(got, expected, equal_nan=got.dtype.kind in "fc"), f"{how}: values differ"
    assert np.array_equal(_as_comparable(t.clone()), expected, equal_nan=got.dtype.kind in "fc")
    t.sum()
    t.contiguous()
    # Bool bytes other than 0/1 are read into a normalized copy (PyTorch's reading of them), so only proper
    # bools share memory.
    shared = not (arr.dtype == np.bool_ and arr.size and arr.view(np.uint8).max() > 1)
    if how in ("from_numpy", "from_dlpack") and arr.flags.writeable and arr.size and shared:
        try:
            t.zero_()  # zero-copy: the array must see the write
        except RuntimeError as e:  # a stride-0 array: PyTorch too refuses writes to overlapping memory
            assert "single memory location" in str(e), e
            return
        assert not arr.any(), f"{how}: writes through the tensor don't reach the array"


if __name__ == "__main__":
    main(test_one_input)
