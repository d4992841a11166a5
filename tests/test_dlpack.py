"""DLPack interop (Tensor.__dlpack__ / __dlpack_device__, from_dlpack, utils.dlpack) with NumPy, PyTorch and
hand-made capsules, and Tensor.__cuda_array_interface__."""

import ctypes
import gc
import sys

import numpy as np
import pytest

import dyngraph
import dyngraph.utils.dlpack
from conftest import DTYPE_NAMES, NP_DTYPE_NAMES, assert_tensor_equal, dt, from_np, sample, to_np

NP_HAS_DLPACK_1 = hasattr(np, "from_dlpack") and int(np.__version__.split(".")[0]) >= 2


# ---- NumPy -> dyngraph ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NP_DTYPE_NAMES)
def test_from_numpy_array_is_zero_copy(name):
    a = sample((2, 3), name, seed=2)
    t = dyngraph.from_dlpack(a)
    assert t.dtype is dt(name)
    assert t.device == dyngraph.device("cpu")
    assert t.data_ptr() == a.ctypes.data
    assert t.stride() == (3, 1)
    assert_tensor_equal(t, a)
    a[1, 2] = 1
    assert to_np(t)[1, 2] == 1
    t[0, 0] = 0
    assert a[0, 0] == 0


@pytest.mark.parametrize("view", ["transposed", "stepped", "offset", "fortran", "broadcast_size1"])
def test_from_numpy_views_keep_strides_and_offset(view):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    a = {"transposed": base.T, "stepped": base[::2, ::3], "offset": base[1:, 2:],
         "fortran": np.asfortranarray(base), "broadcast_size1": base[1:2, :]}[view]
    t = dyngraph.from_dlpack(a)
    assert t.stride() == tuple(s // 4 for s in a.strides) or a.shape[0] == 1
    assert t.data_ptr() == a.ctypes.data
    assert_tensor_equal(t, a)
    a[...] = -a  # writes through the array show in the tensor
    assert_tensor_equal(t, a)


def test_from_numpy_0d_and_empty():
    t = dyngraph.from_dlpack(np.array(2.5))
    assert t.shape == () and t.item() == 2.5
    e = dyngraph.from_dlpack(np.zeros((0, 3), dtype=np.int16))
    assert e.shape == (0, 3) and e.dtype is dyngraph.int16 and e.numel() == 0


def test_from_numpy_negative_strides_raise():
    with pytest.raises(ValueError, match="negative strides"):
        dyngraph.from_dlpack(np.arange(5.0)[::-1])


def test_from_numpy_outlives_the_array():
    a = np.arange(1000, dtype=np.int64)
    t = dyngraph.from_dlpack(a)
    del a
    gc.collect()
    _ = np.ones(1000, dtype=np.int64) * 7  # likely to reuse freed memory if it had been freed
    np.testing.assert_array_equal(to_np(t), np.arange(1000))


def test_from_numpy_releases_the_array_with_the_tensor():
    a = np.arange(10.0)
    before = sys.getrefcount(a)
    t = dyngraph.from_dlpack(a)
    assert sys.getrefcount(a) > before  # NumPy's capsule context holds the array
    del t
    gc.collect()
    assert sys.getrefcount(a) == before


@pytest.mark.skipif(not NP_HAS_DLPACK_1, reason="NumPy < 2 does not export read-only arrays")
def test_from_read_only_numpy_array_shares_memory_like_pytorch():
    # PyTorch wraps a DLPack 1.0 capsule flagged read-only as an ordinary tensor (no copy, no error): so do we.
    a = np.arange(4.0)
    a.flags.writeable = False
    t = dyngraph.from_dlpack(a)
    assert t.data_ptr() == a.ctypes.data
    assert_tensor_equal(t, a)


def test_from_dlpack_copy_and_device_arguments():
    a = np.arange(4.0)
    c = dyngraph.from_dlpack(a, copy=True)
    assert c.data_ptr() != a.ctypes.data
    c[0] = 9
    assert a[0] == 0
    s = dyngraph.from_dlpack(a, device="cpu", copy=False)
    assert s.data_ptr() == a.ctypes.data
    with pytest.raises(AssertionError):
        dyngraph.from_dlpack(a.__dlpack__(), copy=True)


# ---- dyngraph -> NumPy ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NP_DTYPE_NAMES)
def test_numpy_from_tensor_is_zero_copy(name):
    t = from_np(sample((3, 2), name, seed=3))
    a = np.from_dlpack(t)
    assert a.dtype == np.dtype(name)
    assert a.ctypes.data == t.data_ptr()
    np.testing.assert_array_equal(a, to_np(t))
    t[2, 1] = 1
    assert a[2, 1] == 1
    a[0, 0] = 0
    assert to_np(t)[0, 0] == 0


@pytest.mark.parametrize("view", ["transposed", "stepped", "offset", "expanded"])
def test_numpy_from_tensor_views(view):
    base = dyngraph.tensor(np.arange(24, dtype=np.float64).reshape(4, 6))
    t = {"transposed": lambda: base.t(), "stepped": lambda: base[::2, ::3], "offset": lambda: base[1:, 2:],
         "expanded": lambda: base[0:1].expand(3, 6)}[view]()
    a = np.from_dlpack(t)
    assert a.strides == tuple(s * 8 for s in t.stride())
    assert a.ctypes.data == t.data_ptr()
    np.testing.assert_array_equal(a, to_np(t))
    base.mul_(2)
    np.testing.assert_array_equal(a, to_np(t))


def test_numpy_from_tensor_0d_and_empty():
    a = np.from_dlpack(dyngraph.tensor(3, dtype=dyngraph.int32))
    assert a.shape == () and a.dtype == np.int32 and a == 3
    e = np.from_dlpack(dyngraph.zeros(2, 0, dtype=dyngraph.complex64))
    assert e.shape == (2, 0) and e.dtype == np.complex64


def test_numpy_array_outlives_the_tensor():
    t = dyngraph.tensor(np.arange(1000, dtype=np.float32))
    a = np.from_dlpack(t)
    del t
    gc.collect()
    _ = dyngraph.ones(1000) * 5
    np.testing.assert_array_equal(a, np.arange(1000, dtype=np.float32))


def test_numpy_copy_true_gets_its_own_memory():
    t = dyngraph.tensor([1.0, 2.0])
    a = np.from_dlpack(t, copy=True)
    assert a.ctypes.data != t.data_ptr()
    a[0] = 5
    assert t[0].item() == 1


def test_round_trip_through_numpy():
    t = dyngraph.tensor(np.arange(6, dtype=np.int64).reshape(2, 3))
    back = dyngraph.from_dlpack(np.from_dlpack(t.t()))
    assert back.data_ptr() == t.t().data_ptr() and back.stride() == (1, 3)
    assert_tensor_equal(back, np.arange(6).reshape(2, 3).T)


# ---- the producer protocol ------------------------------------------------------------------------------------------------------

def test_dlpack_device():
    dev = dyngraph.ones(2).__dlpack_device__()
    assert dev == (1, 0)
    assert dev[0] is dyngraph.utils.dlpack.DLDeviceType.kDLCPU


def test_capsule_kinds_and_names():
    t = dyngraph.ones(3)
    assert '"dltensor"' in repr(t.__dlpack__())
    assert '"dltensor"' in repr(t.__dlpack__(max_version=(0, 8)))
    versioned = t.__dlpack__(max_version=(1, 0))
    assert '"dltensor_versioned"' in repr(versioned)
    assert '"dltensor_versioned"' in repr(t.__dlpack__(max_version=(2, 3)))
    u = dyngraph.from_dlpack(versioned)
    assert '"used_dltensor_versioned"' in repr(versioned)
    assert u.data_ptr() == t.data_ptr()
    legacy = dyngraph.utils.dlpack.to_dlpack(t)
    assert '"dltensor"' in repr(legacy)
    dyngraph.utils.dlpack.from_dlpack(legacy)
    assert '"used_dltensor"' in repr(legacy)


@pytest.mark.parametrize("versioned", [False, True])
def test_capsule_consumed_twice_raises(versioned):
    capsule = dyngraph.tensor([1, 2]).__dlpack__(max_version=(1, 0) if versioned else None)
    dyngraph.from_dlpack(capsule)
    with pytest.raises(RuntimeError, match="consumed only once"):
        dyngraph.from_dlpack(capsule)


def test_from_dlpack_rejects_non_capsules():
    with pytest.raises(RuntimeError, match="invalid capsule"):
        dyngraph.from_dlpack(object())


@pytest.mark.parametrize("versioned", [False, True])
def test_unconsumed_capsule_frees_its_tensor(versioned):
    # The tensor wraps a NumPy array, so the array's reference count shows when the memory is let go.
    a = np.arange(8.0)
    base = sys.getrefcount(a)
    t = dyngraph.from_numpy(a)
    capsule = t.__dlpack__(max_version=(1, 0) if versioned else None)
    del t
    gc.collect()
    assert sys.getrefcount(a) > base  # the capsule keeps the storage (and so the array) alive
    del capsule
    gc.collect()
    assert sys.getrefcount(a) == base


def test_consumed_capsule_hands_over_ownership():
    a = np.arange(8.0)
    base = sys.getrefcount(a)
    capsule = dyngraph.from_numpy(a).__dlpack__()
    t = dyngraph.from_dlpack(capsule)
    del capsule
    gc.collect()
    assert sys.getrefcount(a) > base and to_np(t)[3] == 3  # the consumer owns it now
    del t
    gc.collect()
    assert sys.getrefcount(a) == base


def test_own_capsule_shares_the_storage():
    t = dyngraph.tensor([[1.0, 2.0], [3.0, 4.0]])
    u = dyngraph.from_dlpack(t.t())
    assert u.data_ptr() == t.t().data_ptr() and u.stride() == (1, 2)
    u[0, 1] = 7
    assert t[1, 0].item() == 7
    # One storage, so one version counter: autograd sees in-place writes made through either tensor.
    assert u.untyped_storage_ptr() == t.untyped_storage_ptr()
    v = t._version
    u.add_(1)
    assert t._version > v


def test_requires_grad_raises():
    t = dyngraph.ones(2, requires_grad=True)
    with pytest.raises(BufferError, match=r"Can't export tensors that require gradient, use tensor.detach\(\)"):
        t.__dlpack__()
    with pytest.raises(BufferError):
        np.from_dlpack(t)
    assert np.from_dlpack(t.detach()).ctypes.data == t.data_ptr()


def test_stream_argument_on_cpu():
    t = dyngraph.ones(2)
    t.__dlpack__(stream=None)
    t.__dlpack__(stream=-1)
    with pytest.raises(AssertionError, match="stream should be None on cpu"):
        t.__dlpack__(stream=1)
    with pytest.raises(TypeError, match="stream must be"):
        t.__dlpack__(stream="0")


def test_copy_and_dl_device_arguments():
    t = dyngraph.ones(2)
    same = dyngraph.from_dlpack(t.__dlpack__(dl_device=(1, 0), copy=False))
    assert same.data_ptr() == t.data_ptr()
    copied = dyngraph.from_dlpack(t.__dlpack__(copy=True))
    assert copied.data_ptr() != t.data_ptr()
    copied[0] = 5
    assert t[0].item() == 1
    with pytest.raises(BufferError):
        t.__dlpack__(dl_device=(2, 0), copy=False)


# ---- hand-made capsules: byte_offset, null strides, versions, dtypes, devices ---------------------------------------------------

class _DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32),
                ("ndim", ctypes.c_int32), ("code", ctypes.c_uint8), ("bits", ctypes.c_uint8),
                ("lanes", ctypes.c_uint16), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


_DELETER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class _Managed(ctypes.Structure):
    _fields_ = [("dl_tensor", _DLTensor), ("manager_ctx", ctypes.c_void_p), ("deleter", _DELETER)]


class _ManagedVersioned(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint32), ("minor", ctypes.c_uint32), ("manager_ctx", ctypes.c_void_p),
                ("deleter", _DELETER), ("flags", ctypes.c_uint64), ("dl_tensor", _DLTensor)]


_PyCapsule_New = ctypes.pythonapi.PyCapsule_New
_PyCapsule_New.restype = ctypes.py_object
_PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
_KEEP = []  # what the capsules point at (names included: PyCapsule stores the pointer, not a copy)


def _capsule(buf, shape, strides, byte_offset=0, code=2, bits=64, versioned=False, version=(1, 0),
             device_type=1, device_id=0):
    """A capsule over NumPy array buf's memory; returns it and a list that gets True when its deleter runs."""
    deleted = []
    n = len(shape)
    shape_arr = (ctypes.c_int64 * max(n, 1))(*shape)
    strides_arr = None if strides is None else (ctypes.c_int64 * max(n, 1))(*strides)
    dl = _DLTensor(buf.ctypes.data, device_type, device_id, n, code, bits, 1, shape_arr,
                   ctypes.cast(strides_arr, ctypes.POINTER(ctypes.c_int64)) if strides_arr is not None else None,
                   byte_offset)
    deleter = _DELETER(lambda _: deleted.append(True))
    if versioned:
        managed = _ManagedVersioned(version[0], version[1], None, deleter, 0, dl)
        name = ctypes.c_char_p(b"dltensor_versioned")
    else:
        managed = _Managed(dl, None, deleter)
        name = ctypes.c_char_p(b"dltensor")
    _KEEP.append((buf, shape_arr, strides_arr, deleter, managed, name))
    return _PyCapsule_New(ctypes.addressof(managed), name, None), deleted


def test_struct_layout_matches_the_spec():
    assert ctypes.sizeof(_DLTensor) == 48 and ctypes.sizeof(_Managed) == 64
    assert _ManagedVersioned.dl_tensor.offset == 32


@pytest.mark.parametrize("versioned", [False, True])
def test_byte_offset_and_null_strides(versioned):
    buf = np.arange(20, dtype=np.float64)
    capsule, deleted = _capsule(buf, (3, 4), None, byte_offset=2 * 8, versioned=versioned)
    t = dyngraph.from_dlpack(capsule)
    assert t.stride() == (4, 1) and t.data_ptr() == buf.ctypes.data + 16
    assert_tensor_equal(t, np.arange(2, 14.0).reshape(3, 4))
    del capsule
    gc.collect()
    assert not deleted  # the tensor owns it
    del t
    gc.collect()
    assert deleted == [True]


def test_explicit_strides_in_elements():
    buf = np.arange(20, dtype=np.int32)
    capsule, _ = _capsule(buf, (2, 3), (1, 5), byte_offset=4, code=0, bits=32)
    t = dyngraph.from_dlpack(capsule)
    assert t.dtype is dyngraph.int32 and t.stride() == (1, 5)
    assert_tensor_equal(t, np.array([[1, 6, 11], [2, 7, 12]]))


def test_0d_capsule():
    buf = np.array([7.0], dtype=np.float32)
    capsule, _ = _capsule(buf, (), None, code=2, bits=32)
    t = dyngraph.from_dlpack(capsule)
    assert t.shape == () and t.item() == 7


@pytest.mark.parametrize("code,bits,name", [(6, 8, "bool"), (1, 8, "uint8"), (0, 8, "int8"), (0, 16, "int16"),
                                            (0, 64, "int64"), (2, 16, "float16"), (4, 16, "bfloat16"),
                                            (2, 32, "float32"), (5, 64, "complex64"), (5, 128, "complex128")])
def test_dtype_codes(code, bits, name):
    buf = np.zeros(16, dtype=np.uint8)
    capsule, _ = _capsule(buf, (128 // bits,), None, code=code, bits=bits)
    t = dyngraph.from_dlpack(capsule)
    assert t.dtype is dt(name) and t.shape == (128 // bits,)
    assert not to_np(t).any()


def test_export_dtype_codes():
    # Read the DLTensor back through ctypes: bool is kDLBool, bfloat16 kDLBfloat, complex kDLComplex.
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    for name, code, bits in [("bool", 6, 8), ("uint8", 1, 8), ("int16", 0, 16), ("bfloat16", 4, 16),
                             ("float64", 2, 64), ("complex64", 5, 64)]:
        capsule = dyngraph.zeros(2, 3, dtype=dt(name)).t().__dlpack__(max_version=(1, 0))
        m = _ManagedVersioned.from_address(get(capsule, b"dltensor_versioned"))
        assert (m.major, m.minor, m.flags) == (1, 0, 0)
        d = m.dl_tensor
        assert (d.code, d.bits, d.lanes, d.ndim, d.device_type, d.device_id) == (code, bits, 1, 2, 1, 0)
        assert (d.shape[0], d.shape[1], d.strides[0], d.strides[1], d.byte_offset) == (3, 2, 1, 3, 0)
    capsule = dyngraph.ones(2).__dlpack__(max_version=(1, 0), copy=True)
    assert _ManagedVersioned.from_address(get(capsule, b"dltensor_versioned")).flags == 2  # IS_COPIED


def test_unsupported_dtype_leaves_capsule_unconsumed():
    buf = np.zeros(4, dtype=np.uint16)
    capsule, deleted = _capsule(buf, (4,), None, code=1, bits=16)
    with pytest.raises(TypeError, match="unsupported DLPack dtype"):
        dyngraph.from_dlpack(capsule)
    assert '"dltensor"' in repr(capsule)
    # A capsule made without a destructor is never freed by anyone: the point is only that we did not take it.
    assert not deleted


def test_newer_major_version_raises_buffer_error():
    buf = np.zeros(4)
    capsule, deleted = _capsule(buf, (4,), None, versioned=True, version=(2, 0))
    with pytest.raises(BufferError, match="version"):
        dyngraph.from_dlpack(capsule)
    assert '"dltensor_versioned"' in repr(capsule) and not deleted


def test_unknown_device_raises_buffer_error():
    capsule, _ = _capsule(np.zeros(4), (4,), None, device_type=4)  # kDLOpenCL
    with pytest.raises(BufferError, match="device"):
        dyngraph.from_dlpack(capsule)


def test_cuda_capsule_wraps_the_pointer_on_that_device():
    # A kDLCUDA capsule (pointing at host memory here: nothing reads it) becomes a cuda:<id> tensor over the same
    # address, and that tensor describes itself through __dlpack_device__ and __cuda_array_interface__.
    buf = np.zeros(12, dtype=np.float32)
    capsule, deleted = _capsule(buf, (3, 4), (1, 3), code=2, bits=32, versioned=True, device_type=2, device_id=1)
    t = dyngraph.from_dlpack(capsule)
    assert t.device == dyngraph.device("cuda:1")
    assert t.data_ptr() == buf.ctypes.data and t.stride() == (1, 3)
    assert t.__dlpack_device__() == (2, 1)
    cai = t.__cuda_array_interface__
    assert cai == {"shape": (3, 4), "typestr": "<f4", "data": (buf.ctypes.data, False), "strides": (4, 12),
                   "version": 3, "stream": None}
    assert hasattr(t, "__cuda_array_interface__")
    del t, capsule
    gc.collect()
    assert deleted == [True]


class _FakeCudaProducer:
    """A CUDA producer (over host memory nobody reads) that records the arguments __dlpack__ got."""

    def __init__(self):
        self.buf = np.zeros(4, dtype=np.float32)
        self.kwargs = None

    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, **kwargs):
        self.kwargs = kwargs
        return _capsule(self.buf, (4,), None, code=2, bits=32, versioned=True, device_type=2)[0]


class _FakeStream:
    def __init__(self, handle):
        self.cuda_stream = handle


@pytest.mark.parametrize("handle,expected", [(None, None), (0, 1), (0x1234, 0x1234)])
def test_from_cuda_producer_passes_the_current_stream(monkeypatch, handle, expected):
    # Until the CUDA backend gives dyngraph.cuda.current_stream, the producer gets stream=None; with it, our
    # current stream's handle (the legacy default stream, handle 0, is spelled 1 as the array API asks).
    if handle is None:
        monkeypatch.delattr(dyngraph.cuda, "current_stream", raising=False)
    else:
        monkeypatch.setattr(dyngraph.cuda, "current_stream", lambda device=None: _FakeStream(handle), raising=False)
        monkeypatch.setattr(dyngraph.cuda, "is_available", lambda: True)
    producer = _FakeCudaProducer()
    t = dyngraph.from_dlpack(producer)
    assert t.device == dyngraph.device("cuda:0") and t.data_ptr() == producer.buf.ctypes.data
    assert producer.kwargs["stream"] == expected and producer.kwargs["max_version"] == (1, 0)


def test_cuda_export_synchronizes_only_for_a_consumer_stream(monkeypatch):
    calls = []
    monkeypatch.setattr(dyngraph.cuda, "synchronize", lambda device=None: calls.append(device))
    t = dyngraph.from_dlpack(_FakeCudaProducer())
    t.__dlpack__(stream=None)
    t.__dlpack__(stream=-1)
    assert calls == []
    capsule = t.__dlpack__(stream=0x1234, max_version=(1, 0))
    assert calls == [t.device] and '"dltensor_versioned"' in repr(capsule)


# ---- __cuda_array_interface__ -------------------------------------------------------------------------------------------------

def test_cuda_array_interface_absent_on_cpu():
    t = dyngraph.ones(2)
    assert not hasattr(t, "__cuda_array_interface__")
    with pytest.raises(AttributeError, match="Can't get __cuda_array_interface__ on non-CUDA tensor type: "
                                             "dyngraph.FloatTensor If CUDA data is required use tensor.cuda"):
        t.__cuda_array_interface__


class _FakeGpuArray:
    """Stands in for a CuPy array: __cuda_array_interface__ plus DLPack (here over host memory)."""

    def __init__(self, a):
        self.a = a
        self.__cuda_array_interface__ = {"shape": a.shape, "typestr": a.dtype.str, "data": (a.ctypes.data, False),
                                         "strides": None, "version": 3, "stream": None}

    def __dlpack__(self, **kw):
        return self.a.__dlpack__(**kw)

    def __dlpack_device__(self):
        return self.a.__dlpack_device__()


def test_as_tensor_reads_gpu_arrays_through_dlpack():
    a = np.arange(6.0).reshape(2, 3)
    t = dyngraph.as_tensor(_FakeGpuArray(a))
    assert t.data_ptr() == a.ctypes.data
    c = dyngraph.tensor(_FakeGpuArray(a), dtype=dyngraph.float32)
    assert c.data_ptr() != a.ctypes.data and c.dtype is dyngraph.float32
    assert_tensor_equal(c, a.astype(np.float32))


# ---- PyTorch --------------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_torch_round_trips(name):
    torch = pytest.importorskip("torch")
    t = from_np(sample((2, 3), name, seed=4), name)
    x = torch.from_dlpack(t)
    assert str(x.dtype) == "torch." + name
    assert x.data_ptr() == t.data_ptr() and x.stride() == t.stride()
    back = dyngraph.from_dlpack(x)
    assert back.dtype is t.dtype and back.data_ptr() == t.data_ptr()
    src = torch.zeros(3, 2, dtype=getattr(torch, name)).t()
    d = dyngraph.from_dlpack(src)
    assert d.dtype is dt(name) and d.stride() == src.stride() and d.data_ptr() == src.data_ptr()
    src.fill_(1)
    assert (to_np(d) == 1).all()


def test_torch_shares_memory_both_ways():
    torch = pytest.importorskip("torch")
    t = dyngraph.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4))
    x = torch.from_dlpack(t[1:, ::2])
    x.mul_(-1)
    assert_tensor_equal(t, np.array([[0, 1, 2, 3], [-4, 5, -6, 7], [-8, 9, -10, 11]], dtype=np.float32))
    y = torch.arange(6, dtype=torch.bfloat16).reshape(2, 3)
    d = dyngraph.from_dlpack(y)
    d[0, 0] = 10
    assert y[0, 0].item() == 10
    del y
    gc.collect()
    assert d.float()[1, 2].item() == 5  # the dyngraph tensor keeps torch's memory alive


def test_torch_legacy_capsules():
    torch = pytest.importorskip("torch")
    import torch.utils.dlpack

    t = dyngraph.tensor([1, 2, 3])
    x = torch.utils.dlpack.from_dlpack(dyngraph.utils.dlpack.to_dlpack(t))
    assert x.tolist() == [1, 2, 3] and x.data_ptr() == t.data_ptr()
    y = torch.tensor([4.0, 5.0])
    d = dyngraph.utils.dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(y))
    assert d.data_ptr() == y.data_ptr() and d.tolist() == [4.0, 5.0]


def test_torch_requires_grad_rules_match():
    torch = pytest.importorskip("torch")
    with pytest.raises(BufferError) as ours:
        dyngraph.ones(1, requires_grad=True).__dlpack__()
    with pytest.raises(BufferError) as theirs:
        torch.ones(1, requires_grad=True).__dlpack__()
    assert str(ours.value) == str(theirs.value)
    d = dyngraph.from_dlpack(torch.ones(2, requires_grad=True).detach())
    assert not d.requires_grad


def test_torch_cuda_array_interface_message_matches():
    torch = pytest.importorskip("torch")
    with pytest.raises(AttributeError) as theirs:
        torch.ones(1).__cuda_array_interface__
    with pytest.raises(AttributeError) as ours:
        dyngraph.ones(1).__cuda_array_interface__
    assert str(ours.value) == str(theirs.value).replace("torch.", "dyngraph.")
