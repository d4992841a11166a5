"""repr/str of tensors, laid out exactly as PyTorch 2.13 prints them (with "dyngraph." for "torch.")."""

import pytest

import dyngraph

T = dyngraph.tensor

CASES = [
    # (tensor factory, expected repr)
    (lambda: T([[1.0, 2.0]], dtype=dyngraph.float64), "tensor([[1., 2.]], dtype=dyngraph.float64)"),
    (lambda: T([1.5, 2.25]), "tensor([1.5000, 2.2500])"),
    (lambda: T([1, 2, 3]), "tensor([1, 2, 3])"),
    (lambda: T([True, False]), "tensor([ True, False])"),
    (lambda: T([False]), "tensor([False])"),
    (lambda: T([]), "tensor([])"),
    (lambda: dyngraph.zeros(2, 0), "tensor([], size=(2, 0))"),
    (lambda: dyngraph.zeros(0, dtype=dyngraph.int64), "tensor([], dtype=dyngraph.int64)"),
    (lambda: dyngraph.zeros(2, 0, dtype=dyngraph.int32), "tensor([], size=(2, 0), dtype=dyngraph.int32)"),
    (lambda: T(3.5), "tensor(3.5000)"),
    (lambda: T(3), "tensor(3)"),
    (lambda: T(True), "tensor(True)"),
    (lambda: T(2.0), "tensor(2.)"),
    (lambda: T(-7, dtype=dyngraph.int8), "tensor(-7, dtype=dyngraph.int8)"),
    (lambda: T([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    (lambda: T([-1e-5, 1.0]), "tensor([-1.0000e-05,  1.0000e+00])"),
    (lambda: T([1e10, 1.0]), "tensor([1.0000e+10, 1.0000e+00])"),
    (lambda: T([0.001, 1.0]), "tensor([0.0010, 1.0000])"),
    (lambda: T([0.00001]), "tensor([1.0000e-05])"),
    (lambda: T([123456.0]), "tensor([123456.])"),
    (lambda: T([1.0, 2.0]), "tensor([1., 2.])"),
    (lambda: T([100.0, 1.0]), "tensor([100.,   1.])"),
    (lambda: T([-1.5, 2.0]), "tensor([-1.5000,  2.0000])"),
    (lambda: T([0.0, -0.0]), "tensor([0., -0.])"),
    (lambda: T([float("nan"), 1.0]), "tensor([nan, 1.])"),
    (lambda: T([float("inf"), float("-inf"), 1.5]), "tensor([   inf,   -inf, 1.5000])"),
    (lambda: T([[1.0, 2.0], [3.0, 4.0]]), "tensor([[1., 2.],\n        [3., 4.]])"),
    (lambda: T([[1, -2], [30, 4]]), "tensor([[ 1, -2],\n        [30,  4]])"),
    (lambda: dyngraph.arange(8).reshape(2, 2, 2),
     "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])"),
    (lambda: dyngraph.arange(4).reshape(1, 1, 2, 2),
     "tensor([[[[0, 1],\n          [2, 3]]]])"),
    (lambda: T([1, 2], dtype=dyngraph.int32), "tensor([1, 2], dtype=dyngraph.int32)"),
    (lambda: T([1, 2], dtype=dyngraph.uint8), "tensor([1, 2], dtype=dyngraph.uint8)"),
    (lambda: T([1.5, 2.0], dtype=dyngraph.float16), "tensor([1.5000, 2.0000], dtype=dyngraph.float16)"),
    (lambda: T([1.5, 2.0], dtype=dyngraph.bfloat16), "tensor([1.5000, 2.0000], dtype=dyngraph.bfloat16)"),
    (lambda: T([1 + 2j, 3 - 4j]), "tensor([1.+2.j, 3.-4.j])"),
    (lambda: T([1.5 + 0.25j]), "tensor([1.5000+0.2500j])"),
    (lambda: T([1 + 2j], dtype=dyngraph.complex128), "tensor([1.+2.j], dtype=dyngraph.complex128)"),
    (lambda: dyngraph.arange(30.0),
     "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
     "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
     "        28., 29.])"),
    (lambda: dyngraph.arange(40.0).reshape(2, 20),
     "tensor([[ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
     "         14., 15., 16., 17., 18., 19.],\n"
     "        [20., 21., 22., 23., 24., 25., 26., 27., 28., 29., 30., 31., 32., 33.,\n"
     "         34., 35., 36., 37., 38., 39.]])"),
    (lambda: dyngraph.arange(18, dtype=dyngraph.int32),
     "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17],\n"
     "       dtype=dyngraph.int32)"),
    (lambda: dyngraph.arange(2000), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    (lambda: dyngraph.arange(2000).reshape(40, 50),
     "tensor([[   0,    1,    2,  ...,   47,   48,   49],\n"
     "        [  50,   51,   52,  ...,   97,   98,   99],\n"
     "        [ 100,  101,  102,  ...,  147,  148,  149],\n"
     "        ...,\n"
     "        [1850, 1851, 1852,  ..., 1897, 1898, 1899],\n"
     "        [1900, 1901, 1902,  ..., 1947, 1948, 1949],\n"
     "        [1950, 1951, 1952,  ..., 1997, 1998, 1999]])"),
    (lambda: dyngraph.arange(3.0).reshape(3, 1).t(), "tensor([[0., 1., 2.]])"),
    (lambda: dyngraph.arange(6).reshape(2, 3).t(), "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])"),
]


@pytest.mark.parametrize("make,expected", CASES, ids=[c[1][:40] for c in CASES])
def test_repr(make, expected):
    t = make()
    assert repr(t) == expected
    assert str(t) == expected


def test_summarized_contains_ellipsis_only_above_threshold():
    assert "..." not in repr(dyngraph.arange(1000))
    assert "..." in repr(dyngraph.arange(1001))
    r = repr(dyngraph.zeros(11, 100))
    assert "..." in r
    assert r.count("\n") == 6  # 3 rows, the "..." row, 3 rows


def test_repr_of_float64_default_dtype_drops_suffix():
    try:
        dyngraph.set_default_dtype(dyngraph.float64)
        assert repr(T([1.5])) == "tensor([1.5000])"
        assert repr(T([1.5], dtype=dyngraph.float32)) == "tensor([1.5000], dtype=dyngraph.float32)"
    finally:
        dyngraph.set_default_dtype(dyngraph.float32)


def test_repr_of_dtype_device_size():
    assert repr(dyngraph.float32) == "dyngraph.float32"
    assert str(dyngraph.int64) == "dyngraph.int64"
    assert repr(dyngraph.device("cpu")) == "device(type='cpu')"
    assert repr(dyngraph.zeros(2, 3).shape) == "dyngraph.Size([2, 3])"
    assert repr(dyngraph.zeros(()).shape) == "dyngraph.Size([])"


def test_repr_does_not_change_tensor():
    t = dyngraph.arange(6.0).reshape(2, 3).t()
    before = t.tolist()
    repr(t)
    assert t.tolist() == before
    assert t.stride() == (1, 3)
