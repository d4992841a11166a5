"""NumPy interop (from_numpy, as_tensor, numpy(), __array__), pickling and deepcopy."""

import copy
import gc
import pickle
import weakref

import numpy as np
import pytest

import dyngraph
from conftest import DTYPE_NAMES, NP_DTYPE_NAMES, assert_tensor_equal, dt, from_np, np_dtype, sample, to_np


# ---- from_numpy ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NP_DTYPE_NAMES)
def test_from_numpy_is_zero_copy(name):
    a = sample((2, 3), name, seed=1)
    t = dyngraph.from_numpy(a)
    assert t.dtype is dt(name)
    assert_tensor_equal(t, a)
    assert t.data_ptr() == a.ctypes.data
    assert t.stride() == (3, 1)
    a[1, 2] = 1
    assert to_np(t)[1, 2] == 1
    t[0, 0] = 1
    assert a[0, 0] == 1


def test_from_numpy_fortran_order_keeps_column_major_strides():
    a = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    t = dyngraph.from_numpy(a)
    assert t.stride() == (1, 2)
    assert not t.is_contiguous()
    assert_tensor_equal(t, a)
    a[1, 0] = -1
    assert t[1, 0].item() == -1


def test_from_numpy_strided_view():
    base = np.arange(24).reshape(4, 6)
    a = base[1::2, ::3]
    t = dyngraph.from_numpy(a)
    assert t.stride() == (12, 3)
    assert_tensor_equal(t, a)
    base[3, 3] = 100
    assert t[1, 1].item() == 100


@pytest.mark.parametrize("make", [lambda: np.arange(5)[::-1], lambda: np.arange(12).reshape(3, 4)[:, ::-2],
                                  lambda: np.flip(np.ones((2, 2)), 0)], ids=["1d", "2d_step", "flip"])
def test_from_numpy_negative_strides_raise_value_error(make):
    with pytest.raises(ValueError):
        dyngraph.from_numpy(make())


def test_from_numpy_keeps_array_alive():
    a = np.arange(1000, dtype=np.int64)
    ref = weakref.ref(a) if hasattr(a, "__weakref__") else None
    t = dyngraph.from_numpy(a)
    del a
    gc.collect()
    np.random.default_rng(0).random(10000)  # churn the allocator
    assert t.tolist() == list(range(1000))
    if ref is not None:
        assert ref() is not None
        del t
        gc.collect()
        assert ref() is None  # released once the tensor is gone


def test_views_of_from_numpy_keep_array_alive():
    a = np.arange(10.0)
    v = dyngraph.from_numpy(a)[2:5]
    del a
    gc.collect()
    assert v.tolist() == [2.0, 3.0, 4.0]


@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (1,)], ids=str)
def test_from_numpy_edge_shapes(shape):
    a = np.zeros(shape, dtype=np.float32)
    t = dyngraph.from_numpy(a)
    assert t.shape == shape
    assert t.dtype is dyngraph.float32
    assert t.numel() == a.size


@pytest.mark.parametrize("np_name", ["uint16", "uint32", "uint64", "longdouble", "object", "U1", "datetime64[s]"])
def test_from_numpy_unsupported_dtype_raises_type_error(np_name):
    a = np.zeros(3, dtype=np_name)
    with pytest.raises(TypeError):
        dyngraph.from_numpy(a)
    with pytest.raises(TypeError):
        dyngraph.tensor(a)


def test_from_numpy_non_native_byte_order_raises_value_error():
    a = np.arange(3, dtype=">i4")
    with pytest.raises(ValueError):  # PyTorch: "given numpy array has byte order different from the native..."
        dyngraph.from_numpy(a)


def test_from_numpy_of_non_array_raises_type_error():
    with pytest.raises(TypeError):
        dyngraph.from_numpy([1, 2])


# ---- numpy() / __array__ -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NP_DTYPE_NAMES)
def test_numpy_is_zero_copy(name):
    t = dyngraph.zeros(2, 3, dtype=dt(name))
    n = t.numpy()
    assert isinstance(n, np.ndarray)
    assert n.dtype == np.dtype(name)
    assert n.shape == (2, 3)
    assert n.ctypes.data == t.data_ptr()
    n[1, 1] = 1
    assert t[1, 1].item() == 1
    t[0, 2] = 1
    assert n[0, 2] == 1


def test_numpy_of_views_keeps_strides_and_offset():
    t = dyngraph.arange(12).reshape(3, 4)
    v = t.t()[1:, ::2]
    n = v.numpy()
    np.testing.assert_array_equal(n, np.arange(12).reshape(3, 4).T[1:, ::2])
    assert n.strides == tuple(8 * s for s in v.stride())
    assert n.ctypes.data == v.data_ptr()
    n[0, 0] = -1
    assert t[0, 1].item() == -1


def test_numpy_keeps_tensor_memory_alive():
    n = dyngraph.arange(100).numpy()
    gc.collect()
    dyngraph.zeros(100, dtype=dyngraph.int64).fill_(7)
    np.testing.assert_array_equal(n, np.arange(100))


def test_numpy_force_copies():
    t = dyngraph.ones(3)
    n = t.numpy(force=True)
    n[0] = 5
    assert t[0].item() == 1


def test_numpy_of_bfloat16_raises_type_error():
    with pytest.raises(TypeError):
        dyngraph.ones(2, dtype=dyngraph.bfloat16).numpy()


def test_np_asarray_and_array_dtype():
    t = dyngraph.arange(4, dtype=dyngraph.int32)
    a = np.asarray(t)
    assert a.dtype == np.int32
    assert a.ctypes.data == t.data_ptr()
    f = np.asarray(t, dtype=np.float64)
    assert f.dtype == np.float64
    np.testing.assert_array_equal(f, [0.0, 1.0, 2.0, 3.0])
    f2 = t.__array__(np.float32)
    assert f2.dtype == np.float32
    c = np.array(t)
    c[0] = 9
    assert t[0].item() == 0  # np.array copies


def test_numpy_functions_accept_tensors():
    t = dyngraph.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert np.sum(np.asarray(t)) == 10.0
    np.testing.assert_array_equal(np.transpose(np.asarray(t)), [[1.0, 3.0], [2.0, 4.0]])


def test_tensor_numpy_round_trip_every_dtype():
    for name in NP_DTYPE_NAMES:
        a = sample((3, 2), name, seed=3)
        back = dyngraph.tensor(a).numpy()
        assert back.dtype == a.dtype
        np.testing.assert_array_equal(back, a)


# ---- pickling and deepcopy ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_pickle_round_trip(name):
    a = sample((2, 3), name, seed=4)
    t = from_np(a, name)
    for src in (t, t.t(), t[1]):
        r = pickle.loads(pickle.dumps(src))
        assert isinstance(r, dyngraph.Tensor)
        assert r.dtype is dt(name)
        assert r.shape == src.shape
        assert_tensor_equal(r, to_np(src))
        assert r.untyped_storage_ptr() != t.untyped_storage_ptr()


def test_pickle_zero_d_and_empty():
    z = pickle.loads(pickle.dumps(dyngraph.tensor(3.5)))
    assert z.shape == () and z.item() == 3.5
    e = pickle.loads(pickle.dumps(dyngraph.zeros(2, 0)))
    assert e.shape == (2, 0)


def test_pickle_inside_containers_and_protocols():
    data = {"w": dyngraph.arange(4), "size": dyngraph.Size([2, 3]), "dtype": dyngraph.float16,
            "device": dyngraph.device("cpu")}
    for proto in (2, pickle.HIGHEST_PROTOCOL):
        r = pickle.loads(pickle.dumps(data, protocol=proto))
        assert r["w"].tolist() == [0, 1, 2, 3]
        assert r["size"] == (2, 3) and isinstance(r["size"], dyngraph.Size)
        assert r["dtype"] is dyngraph.float16
        assert r["device"] == "cpu"


@pytest.mark.parametrize("name", ["bool", "int64", "bfloat16", "float32", "complex128"])
def test_deepcopy(name):
    a = sample((2, 3), name, seed=5)
    t = from_np(a, name)
    c = copy.deepcopy(t)
    assert c is not t
    assert c.dtype is dt(name)
    assert_tensor_equal(c, a)
    assert c.untyped_storage_ptr() != t.untyped_storage_ptr()
    c.zero_()
    assert_tensor_equal(t, a)


def test_deepcopy_memo_keeps_identity():
    t = dyngraph.ones(2)
    d = copy.deepcopy({"a": t, "b": t})
    assert d["a"] is d["b"]
    assert d["a"] is not t


def test_shallow_copy_shares_nothing_surprising():
    t = dyngraph.ones(2)
    c = copy.copy(t)
    assert c.tolist() == [1.0, 1.0]


def test_np_dtype_map_consistency():
    for name in NP_DTYPE_NAMES:
        assert dyngraph.zeros(1, dtype=dt(name)).numpy().dtype == np_dtype(name)


@pytest.mark.parametrize("dtype, offset", [(np.complex128, 8), (np.float32, 2), (np.int64, 4)])
def test_from_numpy_refuses_a_misaligned_array(dtype, offset):
    # A view at a byte offset inside an element's alignment would make the kernels' aligned loads fault.
    buf = np.zeros(256, np.uint8)
    element = np.ndarray((), dtype, buffer=buf, offset=offset)
    arr = np.lib.stride_tricks.as_strided(element, (3, 3), (np.dtype(dtype).itemsize,) * 2)
    for convert in (dyngraph.from_numpy, dyngraph.as_tensor):
        with pytest.raises(ValueError, match="not aligned"):
            convert(arr)
