"""Factories (tensor, as_tensor, zeros/ones/empty/full, arange, linspace, eye, *_like, random) and the
Tensor's Python surface (shape, size, item, tolist, len, iteration, conversions to Python numbers, hash)."""

import builtins

import numpy as np
import pytest

import dyngraph
from conftest import DTYPE_NAMES, NP_DTYPE_NAMES, assert_tensor_equal, dt, np_dtype, to_np


# ---- tensor() -------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,dtype,pyval", [(3, dyngraph.int64, 3), (2.5, dyngraph.float32, 2.5),
                                               (True, dyngraph.bool, True), (1 + 2j, dyngraph.complex64, 1 + 2j),
                                               (-7, dyngraph.int64, -7), (2**62, dyngraph.int64, 2**62)])
def test_tensor_from_python_scalar(value, dtype, pyval):
    t = dyngraph.tensor(value)
    assert t.shape == ()
    assert t.dim() == 0
    assert t.dtype is dtype
    assert t.item() == pyval
    assert type(t.item()) is type(pyval)


@pytest.mark.parametrize("data,shape,dtype", [
    ([1, 2, 3], (3,), dyngraph.int64),
    ([[1.0, 2.0], [3.0, 4.0]], (2, 2), dyngraph.float32),
    ([[[True], [False]]], (1, 2, 1), dyngraph.bool),
    ([1, 2.5], (2,), dyngraph.float32),
    ([True, 2], (2,), dyngraph.int64),
    ([1, 2j], (2,), dyngraph.complex64),
    ([], (0,), dyngraph.float32),
    ([[], []], (2, 0), dyngraph.float32),
    ((1, 2), (2,), dyngraph.int64),
    ([(1, 2), (3, 4)], (2, 2), dyngraph.int64),
])
def test_tensor_from_nested_sequences(data, shape, dtype):
    t = dyngraph.tensor(data)
    assert t.shape == shape
    assert t.dtype is dtype
    np.testing.assert_array_equal(to_np(t), np.array(data, dtype=np_dtype(dtype._name)).reshape(shape))


def test_tensor_from_list_of_zero_d_tensors_and_numpy_scalars():
    t = dyngraph.tensor([np.float64(1.5), np.float64(2.5)])
    assert t.tolist() == [1.5, 2.5]


@pytest.mark.parametrize("name", NP_DTYPE_NAMES)
def test_tensor_from_numpy_keeps_dtype_and_copies(name):
    a = np.arange(6).reshape(2, 3).astype(name)
    t = dyngraph.tensor(a)
    assert t.dtype is dt(name)
    assert_tensor_equal(t, a)
    a[0, 0] = 1
    assert to_np(t)[0, 0] == 0  # tensor() copies
    assert t.is_contiguous()


def test_tensor_from_noncontiguous_numpy():
    a = np.arange(12).reshape(3, 4)[:, ::2].T
    t = dyngraph.tensor(a)
    assert_tensor_equal(t, a)
    r = dyngraph.tensor(np.arange(5)[::-1])  # negative strides are fine for a copy
    assert r.tolist() == [4, 3, 2, 1, 0]


@pytest.mark.parametrize("value,name", [(np.float64(2.5), "float64"), (np.float32(1.5), "float32"),
                                        (np.int32(3), "int32"), (np.bool_(True), "bool"),
                                        (np.array(4, dtype=np.int16), "int16"), (np.array(0.5), "float64")])
def test_tensor_from_numpy_scalar_or_zero_d_array_is_zero_d(value, name):
    t = dyngraph.tensor(value)
    assert t.shape == ()
    assert t.dtype is dt(name)
    assert t.item() == value.item()


def test_tensor_with_explicit_dtype():
    assert dyngraph.tensor([1, 2], dtype=dyngraph.float64).tolist() == [1.0, 2.0]
    assert dyngraph.tensor([1.7, -1.7], dtype=dyngraph.int32).tolist() == [1, -1]
    b = dyngraph.tensor([0.5, 1.5], dtype=dyngraph.bfloat16)
    assert b.dtype is dyngraph.bfloat16
    assert b.float().tolist() == [0.5, 1.5]
    assert dyngraph.tensor(3, dtype=dyngraph.float16).dtype is dyngraph.float16


def test_tensor_from_tensor_copies():
    src = dyngraph.tensor([1.0, 2.0])
    t = dyngraph.tensor(src)
    assert t.untyped_storage_ptr() != src.untyped_storage_ptr()
    assert t.tolist() == [1.0, 2.0]
    assert dyngraph.tensor(src, dtype=dyngraph.int64).dtype is dyngraph.int64


@pytest.mark.parametrize("data", [[[1, 2], [3]], [[1], [2, 3]], [[[1, 2]], [[3]]], [[1, 2], []]], ids=str)
def test_ragged_list_raises_value_error(data):
    with pytest.raises(ValueError):
        dyngraph.tensor(data)


@pytest.mark.parametrize("data", ["abc", [1, "a"], b"ab"], ids=repr)
def test_tensor_of_strings_raises_type_error(data):
    with pytest.raises(TypeError):  # PyTorch: "new(): invalid data type 'str'"
        dyngraph.tensor(data)


@pytest.mark.parametrize("data", [None, [None], {1: 2}, object()], ids=["None", "list_of_None", "dict", "object"])
def test_tensor_of_non_numbers_raises_runtime_error(data):
    with pytest.raises(RuntimeError):  # PyTorch: "Could not infer dtype of NoneType"
        dyngraph.tensor(data)


def test_tensor_of_too_large_int_raises_runtime_error():
    with pytest.raises(RuntimeError):  # PyTorch: "Overflow when unpacking long"
        dyngraph.tensor([2**70])
    with pytest.raises(RuntimeError):
        dyngraph.tensor(2**70)


# ---- as_tensor / asarray -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NP_DTYPE_NAMES)
def test_as_tensor_shares_memory_with_matching_numpy(name):
    a = np.zeros(4, dtype=name)
    t = dyngraph.as_tensor(a)
    assert t.dtype is dt(name)
    assert t.data_ptr() == a.ctypes.data
    a[1] = 1
    assert to_np(t)[1] == 1
    t[2] = 1
    assert a[2] == 1


def test_as_tensor_with_other_dtype_copies():
    a = np.arange(3.0)
    t = dyngraph.as_tensor(a, dtype=dyngraph.float32)
    assert t.dtype is dyngraph.float32
    a[0] = 9
    assert t.tolist() == [0.0, 1.0, 2.0]


def test_as_tensor_of_tensor_returns_same():
    t = dyngraph.ones(2)
    assert dyngraph.as_tensor(t) is t
    assert dyngraph.asarray(t) is t
    assert dyngraph.as_tensor(t, dtype=dyngraph.float64).dtype is dyngraph.float64


def test_as_tensor_of_list():
    t = dyngraph.as_tensor([1, 2, 3])
    assert t.dtype is dyngraph.int64
    assert t.tolist() == [1, 2, 3]


# ---- zeros / ones / empty / full -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn,value", [("zeros", 0), ("ones", 1)])
@pytest.mark.parametrize("size", [(), (0,), (3,), (2, 3), (2, 0, 4)], ids=str)
def test_zeros_ones_sizes(fn, value, size):
    f = getattr(dyngraph, fn)
    for t in (f(*size), f(size), f(list(size)), f(dyngraph.Size(size))):
        assert t.shape == size
        assert t.dtype is dyngraph.float32
        assert_tensor_equal(t, np.full(size, value, dtype=np.float32))
        assert t.is_contiguous()


@pytest.mark.parametrize("fn,value", [("zeros", 0), ("ones", 1)])
@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_zeros_ones_dtypes(fn, value, name):
    t = getattr(dyngraph, fn)(2, 3, dtype=dt(name))
    assert t.dtype is dt(name)
    assert_tensor_equal(t, np.full((2, 3), value, dtype=np_dtype(name)))


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_empty(name):
    t = dyngraph.empty(2, 3, dtype=dt(name))
    assert t.shape == (2, 3)
    assert t.dtype is dt(name)
    assert t.is_contiguous()
    assert dyngraph.empty((4,)).shape == (4,)
    assert dyngraph.empty(0).numel() == 0


def test_empty_strided():
    t = dyngraph.empty_strided((2, 3), (1, 2))
    assert t.shape == (2, 3)
    assert t.stride() == (1, 2)


@pytest.mark.parametrize("value,dtype", [(3, dyngraph.int64), (3.5, dyngraph.float32), (True, dyngraph.bool),
                                         (2j, dyngraph.complex64)])
def test_full_infers_dtype(value, dtype):
    t = dyngraph.full((2, 3), value)
    assert t.dtype is dtype
    assert t.shape == (2, 3)
    assert all(v == value for row in t.tolist() for v in row)


def test_full_sizes_and_dtype():
    assert dyngraph.full([2], 7, dtype=dyngraph.float64).tolist() == [7.0, 7.0]
    assert dyngraph.full((), 1.5).shape == ()
    assert dyngraph.full((2, 0), 1).shape == (2, 0)
    assert dyngraph.full((3,), dyngraph.tensor(2.0)).tolist() == [2.0, 2.0, 2.0]
    assert dyngraph.full((2,), 2.9, dtype=dyngraph.int32).tolist() == [2, 2]


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_with_out(fn):
    out = dyngraph.empty(2, 2)
    r = getattr(dyngraph, fn)(2, 2, out=out)
    assert r is out
    if fn == "zeros":
        assert out.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_new_factories():
    t = dyngraph.ones(2, dtype=dyngraph.int16)
    assert t.new_zeros(3).dtype is dyngraph.int16
    assert t.new_ones((2, 2)).tolist() == [[1, 1], [1, 1]]
    assert t.new_full((2,), 5).tolist() == [5, 5]
    assert t.new_empty(4).shape == (4,)
    assert t.new_tensor([1.9]).dtype is dyngraph.int16
    assert t.new_zeros(1, dtype=dyngraph.float64).dtype is dyngraph.float64


# ---- arange / range / linspace / eye ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [(5,), (0,), (2, 7), (0, 10, 3), (10, 0, -3), (-5, 5, 2), (5, 5),
                                  (3, -3, -1)], ids=str)
def test_arange_int(args):
    t = dyngraph.arange(*args)
    assert t.dtype is dyngraph.int64
    assert_tensor_equal(t, np.arange(*args))


@pytest.mark.parametrize("args", [(5.0,), (0.0, 1.0, 0.25), (0, 5, 0.5), (1, 2.5), (5, 0, -1.5), (-1.0, 1.0, 0.1),
                                  (0.5, 3), (0, 1, 0.3)], ids=str)
def test_arange_float(args):
    t = dyngraph.arange(*args)
    assert t.dtype is dyngraph.float32
    expected = np.arange(*args, dtype=np.float64).astype(np.float32)
    assert t.shape == expected.shape
    np.testing.assert_allclose(t.numpy(), expected, rtol=1e-6, atol=1e-6)


def test_arange_length_uses_ceil():
    # PyTorch: size = ceil((end - start) / step)
    assert dyngraph.arange(0, 1, 0.3).shape == (4,)
    assert dyngraph.arange(1, 10, 3).tolist() == [1, 4, 7]
    assert dyngraph.arange(-1, -10, -4).tolist() == [-1, -5, -9]


@pytest.mark.parametrize("name", ["uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32", "float64"])
def test_arange_with_dtype(name):
    t = dyngraph.arange(0, 8, 2, dtype=dt(name))
    assert t.dtype is dt(name)
    assert_tensor_equal(t, np.arange(0, 8, 2).astype(np_dtype(name)))


def test_arange_with_tensor_bounds_and_keywords():
    assert dyngraph.arange(dyngraph.tensor(3)).tolist() == [0, 1, 2]
    assert dyngraph.arange(start=1, end=4).tolist() == [1, 2, 3]
    assert dyngraph.arange(0, 6, step=2).tolist() == [0, 2, 4]


def test_arange_bad_arguments_raise_runtime_error():
    with pytest.raises(RuntimeError):
        dyngraph.arange(0, 5, 0)
    with pytest.raises(RuntimeError):
        dyngraph.arange(0, 5, -1)
    with pytest.raises(RuntimeError):
        dyngraph.arange(5, 0, 1)


def test_range_includes_end_and_is_float():
    t = dyngraph.range(1, 4)
    assert t.dtype is dyngraph.float32
    assert t.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert dyngraph.range(0, 1, 0.5).tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize("start,end,steps", [(0, 1, 5), (-1, 1, 3), (0, 10, 11), (1, 0, 4), (2.5, 2.5, 3),
                                             (0, 1, 2), (-3, 7, 6), (0, 1, 0)])
def test_linspace(start, end, steps):
    t = dyngraph.linspace(start, end, steps)
    assert t.dtype is dyngraph.float32
    assert t.shape == (steps,)
    np.testing.assert_allclose(t.numpy(), np.linspace(start, end, steps, dtype=np.float64), rtol=1e-6, atol=1e-6)
    if steps >= 2:
        assert t[0].item() == start
        assert t[-1].item() == end


def test_linspace_one_step_is_start():
    assert dyngraph.linspace(-1, 1, 1).tolist() == [-1.0]
    assert dyngraph.linspace(3, 10, 1).tolist() == [3.0]


def test_linspace_dtype_and_negative_steps():
    t = dyngraph.linspace(0, 4, 5, dtype=dyngraph.int64)
    assert t.dtype is dyngraph.int64
    assert t.tolist() == [0, 1, 2, 3, 4]
    assert dyngraph.linspace(0, 1, 3, dtype=dyngraph.float64).dtype is dyngraph.float64
    with pytest.raises(RuntimeError):
        dyngraph.linspace(0, 1, -1)


@pytest.mark.parametrize("n,m", [(3, None), (1, None), (0, None), (2, 4), (4, 2), (3, 0)])
def test_eye(n, m):
    t = dyngraph.eye(n) if m is None else dyngraph.eye(n, m)
    assert t.dtype is dyngraph.float32
    assert_tensor_equal(t, np.eye(n, m, dtype=np.float32))


def test_eye_dtype():
    assert dyngraph.eye(2, dtype=dyngraph.int32).tolist() == [[1, 0], [0, 1]]
    assert dyngraph.eye(2, dtype=dyngraph.bool).tolist() == [[True, False], [False, True]]


# ---- *_like ------------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["bool", "uint8", "int32", "float16", "bfloat16", "float64", "complex64"])
def test_like_factories(name):
    src = dyngraph.ones(2, 3, dtype=dt(name)).t()
    z = dyngraph.zeros_like(src)
    o = dyngraph.ones_like(src)
    e = dyngraph.empty_like(src)
    f = dyngraph.full_like(src, 1 if name != "bool" else True)
    for r in (z, o, e, f):
        assert r.shape == (3, 2)
        assert r.dtype is dt(name)
        assert r.untyped_storage_ptr() != src.untyped_storage_ptr()
    assert_tensor_equal(z, np.zeros((3, 2), dtype=np_dtype(name)))
    assert_tensor_equal(o, np.ones((3, 2), dtype=np_dtype(name)))
    assert_tensor_equal(f, np.ones((3, 2), dtype=np_dtype(name)))


def test_like_factories_dtype_override():
    src = dyngraph.ones(4, dtype=dyngraph.int32)
    assert dyngraph.zeros_like(src, dtype=dyngraph.float64).dtype is dyngraph.float64
    assert dyngraph.full_like(src, 2.5, dtype=dyngraph.float32).tolist() == [2.5] * 4
    assert dyngraph.full_like(src, 7).tolist() == [7] * 4


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
def test_rand_like_randn_like(name):
    src = dyngraph.zeros(50, 40, dtype=dt(name))
    r = dyngraph.rand_like(src)
    assert r.shape == (50, 40)
    assert r.dtype is dt(name)
    v = to_np(r)
    assert v.min() >= 0 and v.max() <= 1 and v.std() > 0.2
    n = dyngraph.randn_like(src)
    assert n.dtype is dt(name)
    assert abs(to_np(n).mean()) < 0.15


def test_randint_like():
    src = dyngraph.zeros(1000, dtype=dyngraph.int32)
    r = dyngraph.randint_like(src, 3, 6)
    assert r.dtype is dyngraph.int32
    assert set(r.tolist()) == {3, 4, 5}
    assert set(dyngraph.randint_like(src, 2).tolist()) == {0, 1}


# ---- random factories ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(), (5,), (3, 4), (2, 0)], ids=str)
def test_rand_randn_shapes_and_dtypes(size):
    for fn in (dyngraph.rand, dyngraph.randn):
        t = fn(*size)
        assert t.shape == size
        assert t.dtype is dyngraph.float32
        assert fn(size).shape == size
        assert fn(*size, dtype=dyngraph.float64).dtype is dyngraph.float64


def test_rand_range_and_statistics():
    dyngraph.manual_seed(0)
    v = dyngraph.rand(100000).numpy()
    assert v.min() >= 0.0 and v.max() < 1.0
    assert abs(v.mean() - 0.5) < 0.01
    assert abs(v.std() - np.sqrt(1 / 12)) < 0.01


def test_randn_statistics():
    dyngraph.manual_seed(0)
    v = dyngraph.randn(100000, dtype=dyngraph.float64).numpy()
    assert abs(v.mean()) < 0.02
    assert abs(v.std() - 1.0) < 0.02
    assert (np.abs(v) > 3).mean() < 0.005


@pytest.mark.parametrize("args,low,high", [((10, (1000,)), 0, 10), ((-5, 5, (1000,)), -5, 5), ((3, 4, (50,)), 3, 4)],
                         ids=str)
def test_randint(args, low, high):
    t = dyngraph.randint(*args)
    assert t.dtype is dyngraph.int64
    v = t.tolist()
    assert min(v) >= low and max(v) < high
    assert set(v) == set(builtins.range(low, high))


def test_randint_dtype_and_size_keyword():
    t = dyngraph.randint(0, 3, size=(2, 5), dtype=dyngraph.int16)
    assert t.shape == (2, 5)
    assert t.dtype is dyngraph.int16
    assert dyngraph.randint(2, (4,), dtype=dyngraph.float32).dtype is dyngraph.float32


def test_randint_empty_range_raises_runtime_error():
    with pytest.raises(RuntimeError):
        dyngraph.randint(5, 5, (3,))


@pytest.mark.parametrize("n", [0, 1, 2, 10, 257])
def test_randperm_is_permutation(n):
    t = dyngraph.randperm(n)
    assert t.dtype is dyngraph.int64
    assert t.shape == (n,)
    assert sorted(t.tolist()) == list(builtins.range(n))


def test_randperm_shuffles_and_dtype():
    dyngraph.manual_seed(1)
    p = dyngraph.randperm(50).tolist()
    assert p != list(builtins.range(50))
    assert dyngraph.randperm(5, dtype=dyngraph.int32).dtype is dyngraph.int32


def test_manual_seed_reproducibility():
    outs = []
    for _ in range(2):
        dyngraph.manual_seed(1234)
        outs.append((dyngraph.rand(5).tolist(), dyngraph.randn(3, 2).tolist(), dyngraph.randint(0, 100, (6,)).tolist(),
                     dyngraph.randperm(8).tolist(), dyngraph.empty(4).normal_().tolist()))
    assert outs[0] == outs[1]
    dyngraph.manual_seed(1235)
    assert dyngraph.rand(5).tolist() != outs[0][0]


def test_successive_draws_differ():
    dyngraph.manual_seed(7)
    assert dyngraph.rand(4).tolist() != dyngraph.rand(4).tolist()


def test_generator_object_reproducibility_and_independence():
    g = dyngraph.Generator()
    assert g.manual_seed(42) is g
    a = dyngraph.rand(5, generator=g).tolist()
    b = dyngraph.randn(5, generator=g).tolist()
    c = dyngraph.randint(0, 10, (5,), generator=g).tolist()
    d = dyngraph.randperm(6, generator=g).tolist()
    g.manual_seed(42)
    dyngraph.manual_seed(0)
    dyngraph.rand(10)  # draws on the default generator do not disturb g
    assert dyngraph.rand(5, generator=g).tolist() == a
    assert dyngraph.randn(5, generator=g).tolist() == b
    assert dyngraph.randint(0, 10, (5,), generator=g).tolist() == c
    assert dyngraph.randperm(6, generator=g).tolist() == d
    assert g.initial_seed() == 42
    g2 = dyngraph.Generator().manual_seed(42)
    assert dyngraph.empty(3).uniform_(generator=g2).tolist() == dyngraph.empty(3).uniform_(
        generator=dyngraph.Generator().manual_seed(42)).tolist()


def test_rng_state_round_trip():
    dyngraph.manual_seed(5)
    dyngraph.rand(3)
    state = dyngraph.get_rng_state()
    assert state.dtype is dyngraph.uint8
    a = dyngraph.rand(4).tolist()
    dyngraph.set_rng_state(state)
    assert dyngraph.rand(4).tolist() == a
    assert dyngraph.initial_seed() == 5


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_normal_statistics(name):
    g = dyngraph.Generator().manual_seed(3)
    t = dyngraph.empty(100000, dtype=dt(name))
    r = t.normal_(2.0, 3.0, generator=g)
    assert r is t
    v = t.numpy().astype(np.float64)
    assert abs(v.mean() - 2.0) < 0.05
    assert abs(v.std() - 3.0) < 0.05
    n = dyngraph.normal(-1.0, 0.5, (100000,), generator=g)
    assert n.shape == (100000,)
    assert abs(n.numpy().mean() + 1.0) < 0.01
    assert abs(n.numpy().std() - 0.5) < 0.01


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
def test_uniform_statistics(name):
    g = dyngraph.Generator().manual_seed(4)
    t = dyngraph.empty(100000, dtype=dt(name))
    assert t.uniform_(-1.0, 3.0, generator=g) is t
    v = to_np(t).astype(np.float64)
    assert v.min() >= -1.0 and v.max() <= 3.0
    assert abs(v.mean() - 1.0) < 0.03
    assert abs(v.std() - 4 / np.sqrt(12)) < 0.03


def test_bernoulli_statistics():
    g = dyngraph.Generator().manual_seed(5)
    p = dyngraph.full((100000,), 0.3)
    b = dyngraph.bernoulli(p, generator=g)
    assert b.dtype is dyngraph.float32
    v = b.numpy()
    assert set(np.unique(v).tolist()) == {0.0, 1.0}
    assert abs(v.mean() - 0.3) < 0.01
    probs = dyngraph.tensor([0.0, 1.0] * 500)
    assert p.bernoulli().shape == p.shape
    assert dyngraph.bernoulli(probs).tolist() == [0.0, 1.0] * 500
    t = dyngraph.empty(100000)
    assert t.bernoulli_(0.8, generator=g) is t
    assert abs(t.numpy().mean() - 0.8) < 0.01


# ---- the Tensor's Python surface -------------------------------------------------------------------------------------------

def test_shape_is_size_tuple_subclass():
    t = dyngraph.zeros(2, 3, 4)
    assert isinstance(t.shape, dyngraph.Size)
    assert isinstance(t.shape, tuple)
    assert t.shape == (2, 3, 4)
    assert t.size() == (2, 3, 4)
    assert isinstance(t.size(), dyngraph.Size)
    assert repr(t.shape) == "dyngraph.Size([2, 3, 4])"
    assert isinstance(t.shape[1:], dyngraph.Size)
    assert t.shape[1:] == (3, 4)
    assert t.shape.numel() == 24
    assert dyngraph.zeros(()).shape == ()


def test_size_of_dim():
    t = dyngraph.zeros(2, 3, 4)
    assert [t.size(d) for d in (0, 1, 2, -1, -3)] == [2, 3, 4, 4, 2]
    assert t.size(dim=1) == 3
    with pytest.raises(IndexError):
        t.size(3)
    with pytest.raises(IndexError):
        t.size(-4)


@pytest.mark.parametrize("shape", [(), (0,), (4,), (2, 3), (2, 0, 3)], ids=str)
def test_dim_ndim_numel_len(shape):
    t = dyngraph.zeros(shape)
    assert t.dim() == len(shape) == t.ndim == t.ndimension()
    assert t.numel() == int(np.prod(shape)) == t.nelement() == dyngraph.numel(t)
    if shape:
        assert len(t) == shape[0]
    else:
        with pytest.raises(TypeError):
            len(t)


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_device_itemsize(name):
    t = dyngraph.zeros(3, dtype=dt(name))
    assert t.dtype is dt(name)
    assert t.device == "cpu"
    assert t.device == dyngraph.device("cpu")
    assert t.device.type == "cpu"
    assert str(t.device) == "cpu"
    assert t.is_cpu and not t.is_cuda
    assert t.element_size() == dt(name).itemsize == t.itemsize
    assert t.nbytes == 3 * dt(name).itemsize
    assert t.is_floating_point() == dt(name).is_floating_point
    assert t.is_complex() == dt(name).is_complex
    assert dyngraph.is_tensor(t) and not dyngraph.is_tensor([1])


@pytest.mark.parametrize("value,name", [(3, "int64"), (-2, "int8"), (200, "uint8"), (2.5, "float32"), (0.1, "float64"),
                                        (True, "bool"), (1.5, "float16"), (1.5, "bfloat16"), (1 - 2j, "complex64"),
                                        (1 - 2j, "complex128")])
def test_item_types(value, name):
    t = dyngraph.tensor(value, dtype=dt(name))
    item = t.item()
    expected_type = {"bool": bool, "complex64": complex, "complex128": complex}.get(
        name, float if dt(name).is_floating_point else int)
    assert type(item) is expected_type
    assert item == value
    assert dyngraph.tensor([[value]], dtype=dt(name)).item() == value


def test_item_of_multi_element_raises_runtime_error():
    with pytest.raises(RuntimeError):
        dyngraph.zeros(2).item()
    with pytest.raises(RuntimeError):
        dyngraph.zeros(0).item()


@pytest.mark.parametrize("name", NP_DTYPE_NAMES)
def test_tolist_matches_numpy(name):
    a = np.arange(6).reshape(2, 3).astype(name)
    t = dyngraph.tensor(a)
    assert t.tolist() == a.tolist()
    assert t.t().tolist() == a.T.tolist()
    assert t[0, 1].tolist() == a[0, 1].tolist()
    assert dyngraph.zeros(2, 0).tolist() == [[], []]


def test_iteration():
    t = dyngraph.arange(6).reshape(3, 2)
    rows = list(t)
    assert len(rows) == 3
    assert all(isinstance(r, dyngraph.Tensor) for r in rows)
    assert [r.tolist() for r in rows] == [[0, 1], [2, 3], [4, 5]]
    assert [x.item() for x in dyngraph.tensor([4, 5])] == [4, 5]
    assert list(dyngraph.zeros(0)) == []
    with pytest.raises(TypeError):
        iter(dyngraph.tensor(1))


@pytest.mark.parametrize("t,b", [(dyngraph.tensor(0), False), (dyngraph.tensor([2.5]), True),
                                 (dyngraph.tensor([[True]]), True), (dyngraph.tensor(0j), False),
                                 (dyngraph.tensor(-1), True)])
def test_bool_of_single_element(t, b):
    assert bool(t) is b


@pytest.mark.parametrize("shape", [(2,), (0,), (2, 2)], ids=str)
def test_bool_of_multi_or_zero_element_raises_runtime_error(shape):
    t = dyngraph.zeros(shape)
    with pytest.raises(RuntimeError):
        bool(t)
    with pytest.raises(RuntimeError):
        if t:
            pass


def test_float_int_complex_conversions():
    assert float(dyngraph.tensor(2.5)) == 2.5
    assert float(dyngraph.tensor([3])) == 3.0
    assert int(dyngraph.tensor(-2.7)) == -2
    assert int(dyngraph.tensor([[7]])) == 7
    assert complex(dyngraph.tensor(1 + 2j)) == 1 + 2j
    with pytest.raises(ValueError):  # PyTorch: "only one element tensors can be converted to Python scalars"
        float(dyngraph.zeros(2))
    with pytest.raises(ValueError):
        int(dyngraph.zeros(2))


def test_index_protocol():
    n = dyngraph.tensor(4)
    assert list(builtins.range(n)) == [0, 1, 2, 3]
    assert [10, 20, 30][dyngraph.tensor(1)] == 20
    assert n.__index__() == 4
    assert hex(dyngraph.tensor(255, dtype=dyngraph.uint8)) == "0xff"
    with pytest.raises(TypeError):
        builtins.range(dyngraph.tensor(2.0))
    with pytest.raises(TypeError):
        [1, 2][dyngraph.tensor([0, 1])]


def test_format_of_zero_d():
    assert f"{dyngraph.tensor(2.5):.2f}" == "2.50"
    assert f"{dyngraph.tensor(7):03d}" == "007"


def test_hash_by_identity_and_dict_keys():
    a = dyngraph.tensor([1, 2])
    b = dyngraph.tensor([1, 2])
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"
    assert hash(a) == hash(a)
    assert len({a, b, a}) == 2


def test_eq_operator_is_elementwise_not_identity():
    a = dyngraph.tensor([1, 2])
    r = a == dyngraph.tensor([1, 3])
    assert isinstance(r, dyngraph.Tensor)
    assert r.tolist() == [True, False]


def test_device_objects():
    d = dyngraph.device("cpu")
    assert d == "cpu"
    assert repr(d) == "device(type='cpu')"
    assert dyngraph.zeros(1, device="cpu").device == d
    assert dyngraph.zeros(1, device=d).device == d
    assert hash(d) == hash(dyngraph.device("cpu"))
    with pytest.raises(RuntimeError):
        dyngraph.device("tpu")


def test_random_module_helpers():
    import dyngraph.random as random

    assert random.thread_safe_generator() is None  # outside DataLoader thread workers (dyngraph has none)
    with random.fork_rng():
        dyngraph.manual_seed(3)
        inside = dyngraph.rand(2).tolist()
    dyngraph.manual_seed(3)
    assert dyngraph.rand(2).tolist() == inside
