"""Advanced indexing: integer-tensor / list / bool-mask indices (getitem and setitem), index_put(_),
nonzero, argwhere, index_select, masked_fill, masked_select, gather, scatter, scatter_add, take and
take_along_dim; values vs NumPy, result dtypes/shapes, errors, and gradients (gradcheck in float64)."""

import numpy as np
import pytest

import dyngraph
from dyngraph.autograd import gradcheck
from conftest import assert_tensor_equal, dt, sample, to_np

SHAPE = (4, 5, 6)


def base():
    return dyngraph.arange(120).reshape(*SHAPE)


def base_np():
    return np.arange(120).reshape(SHAPE)


def T(a, requires_grad=False):
    t = dyngraph.tensor(np.asarray(a))
    if requires_grad:
        t.requires_grad_(True)
    return t


def g64(shape, seed=0):
    rng = np.random.default_rng(seed)
    return T(rng.standard_normal(shape), True)


def idx(*vals):
    return dyngraph.tensor(list(vals), dtype=dyngraph.int64)


# ---------------------------------------------------------------------------------------------
# getitem
# ---------------------------------------------------------------------------------------------

def _cases():
    """(name, dyngraph index builder, numpy index) triples; index builders run lazily."""
    i02 = np.array([0, 2])
    mask4 = np.array([True, False, True, True])
    mask45 = (np.arange(20).reshape(4, 5) % 3) == 0
    return [
        ("int_tensor", lambda: idx(3, 0, 3, -1), np.array([3, 0, 3, -1])),
        ("list", lambda: [0, 2], [0, 2]),
        ("list_neg", lambda: [-1, -4, 1], [-1, -4, 1]),
        ("int_tensor_2d", lambda: T(np.array([[0, 1], [3, 2]])), np.array([[0, 1], [3, 2]])),
        ("int32_tensor", lambda: T(np.array([1, 3], np.int32)), np.array([1, 3])),
        ("bool_mask", lambda: T(mask4), mask4),
        ("bool_mask_list", lambda: [True, False, True, True], mask4),
        ("bool_mask_2d", lambda: T(mask45), mask45),
        ("bool_mask_3d", lambda: base() % 7 == 0, base_np() % 7 == 0),
        ("bool_mask_all_false", lambda: T(np.zeros(4, bool)), np.zeros(4, bool)),
        ("slice_then_idx", lambda: (slice(None), idx(4, 0)), (slice(None), np.array([4, 0]))),
        ("slice_slice_idx", lambda: (slice(None), slice(1, 4), [5, 0, 1]), (slice(None), slice(1, 4), [5, 0, 1])),
        ("ellipsis_idx", lambda: (Ellipsis, [0, 5]), (Ellipsis, [0, 5])),
        ("two_idx", lambda: (idx(0, 3, 1), idx(4, 0, 2)), (np.array([0, 3, 1]), np.array([4, 0, 2]))),
        ("three_idx", lambda: ([0, 3], [1, 1], [5, 0]), ([0, 3], [1, 1], [5, 0])),
        ("broadcast_idx", lambda: (T(np.array([[0], [2], [3]])), idx(1, 4)),
         (np.array([[0], [2], [3]]), np.array([1, 4]))),
        ("broadcast_idx_adjacent_last", lambda: (slice(None), T(np.array([[0], [2]])), idx(1, 4, 5)),
         (slice(None), np.array([[0], [2]]), np.array([1, 4, 5]))),
        ("nonadjacent", lambda: (idx(1, 0), slice(None), idx(5, 2)), (np.array([1, 0]), slice(None), np.array([5, 2]))),
        ("nonadjacent_broadcast", lambda: (T(np.array([[1], [0]])), slice(1, 3), idx(5, 2, 0)),
         (np.array([[1], [0]]), slice(1, 3), np.array([5, 2, 0]))),
        ("none_then_idx", lambda: (None, idx(1, 2)), (None, np.array([1, 2]))),
        ("none_between_idx", lambda: (idx(1, 2), None, idx(0, 3)), (np.array([1, 2]), None, np.array([0, 3]))),
        ("idx_none_slice_idx", lambda: (None, [0, 1], slice(None), [1, 2]), (None, [0, 1], slice(None), [1, 2])),
        ("slice_step_idx", lambda: (slice(None, None, 2), idx(1, 1)), (slice(None, None, 2), np.array([1, 1]))),
        ("mask_and_idx", lambda: (T(mask4), slice(1, None), idx(0, 3, 5)),
         (np.array([0, 2, 3]), slice(1, None), np.array([0, 3, 5]))),
        ("slice_mask", lambda: (slice(None), T(np.array([True, False, False, True, True]))),
         (slice(None), np.array([True, False, False, True, True]))),
        ("mask_2d_trailing", lambda: (slice(None), T(np.eye(5, 6, dtype=bool))),
         (slice(None), np.eye(5, 6, dtype=bool))),
        ("repeated", lambda: idx(1, 1, 1, 1), np.array([1, 1, 1, 1])),
        ("empty_idx_tensor", lambda: dyngraph.tensor([], dtype=dyngraph.int64), np.array([], dtype=np.int64)),
    ]


CASES = _cases()


@pytest.mark.parametrize("name,make,np_index", CASES, ids=[c[0] for c in CASES])
def test_advanced_getitem_matches_numpy(name, make, np_index):
    t = base()
    r = t[make()]
    expected = base_np()[np_index]
    assert_tensor_equal(r, expected, dtype=dyngraph.int64)
    # advanced indexing copies
    assert r.untyped_storage_ptr() != t.untyped_storage_ptr() or r.numel() == 0


def test_int_with_advanced_index_pytorch_rule():
    # PyTorch applies integer indices as select() first, so the int does not count as an
    # advanced index when deciding where the result dims go (differs from NumPy).
    t, a = base(), base_np()
    assert_tensor_equal(t[0, :, [0, 1]], a[0][:, [0, 1]])
    assert_tensor_equal(t[[1, 2], :, 0], a[:, :, 0][[1, 2]])
    assert_tensor_equal(t[:, 0, [0, 1]], a[:, 0, [0, 1]])
    assert_tensor_equal(t[[0, 1], 0], a[[0, 1], 0])
    assert_tensor_equal(t[None, [0, 1], :, [1, 2]], a[None, [0, 1], :, [1, 2]])


def test_empty_list_index():
    r = base()[[]]
    assert tuple(r.shape) == (0, 5, 6) and r.dtype is dyngraph.int64


def test_getitem_on_noncontiguous_base():
    t = base().permute(2, 0, 1)  # (6,4,5)
    a = np.transpose(base_np(), (2, 0, 1))
    assert_tensor_equal(t[[5, 0], :, [1, 4]], a[[5, 0], :, [1, 4]])
    assert_tensor_equal(t[t % 4 == 1], a[a % 4 == 1])
    s = base()[:, ::2, 1::2]
    assert_tensor_equal(s[[3, 0]], base_np()[:, ::2, 1::2][[3, 0]])


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "float16", "float32", "float64", "complex64"])
def test_getitem_preserves_dtype(dtype):
    a = sample((4, 3), dtype, seed=1)
    t = T(a)
    assert_tensor_equal(t[[3, 1, 1]], a[[3, 1, 1]], dtype=dt(dtype))
    assert_tensor_equal(t[:, T(np.array([True, False, True]))], a[:, [True, False, True]], dtype=dt(dtype))


def test_zero_d_bool_index():
    t, a = base(), base_np()
    assert_tensor_equal(t[dyngraph.tensor(True)], a[None])
    assert_tensor_equal(t[dyngraph.tensor(False)], a[np.array(False)])


@pytest.mark.parametrize("make", [
    lambda t: t[idx(4)],
    lambda t: t[[0, 4]],
    lambda t: t[:, [5]],
    lambda t: t[:, :, idx(-7)],
    lambda t: t[idx(-5)],
    lambda t: t[[0, 1], [0, 5]],
], ids=["t4", "list4", "dim1", "neg_dim2", "neg5", "pair"])
def test_getitem_out_of_range_raises_index_error(make):
    with pytest.raises(IndexError):
        make(base())


@pytest.mark.parametrize("make", [
    lambda t: t[T(np.ones(3, bool))],
    lambda t: t[T(np.ones((4, 4), bool))],
    lambda t: t[[1, 0], [0, 1, 2]],
    lambda t: t[dyngraph.tensor([1.0, 0.0])],
    lambda t: t[0, 0, 0, [0]],
    lambda t: t[T(np.array([1, 0], np.int16))],
], ids=["mask_shape", "mask_2d_shape", "idx_no_broadcast", "float_idx", "too_many", "int16_idx"])
def test_getitem_errors_raise_index_error(make):
    with pytest.raises(IndexError):
        make(base())


# ---------------------------------------------------------------------------------------------
# setitem / index_put
# ---------------------------------------------------------------------------------------------

SET_CASES = [
    ("int_tensor_scalar", lambda: idx(0, 2), np.array([0, 2]), lambda: -1, -1),
    ("list_tensor_broadcast", lambda: [1, 3], [1, 3], lambda: dyngraph.arange(6) * 100, np.arange(6) * 100),
    ("mask_scalar", lambda: base() % 5 == 0, base_np() % 5 == 0, lambda: 7, 7),
    ("mask_tensor", lambda: base() % 5 == 0, base_np() % 5 == 0,
     lambda: dyngraph.arange(24) * -1, np.arange(24) * -1),
    ("slice_idx_broadcast", lambda: (slice(None), idx(4, 0)), (slice(None), np.array([4, 0])),
     lambda: T(np.array([[1], [2]])) * 1000, np.array([[1], [2]]) * 1000),
    ("two_idx_values", lambda: (idx(0, 3), idx(4, 1)), (np.array([0, 3]), np.array([4, 1])),
     lambda: T(np.array([[5] * 6, [6] * 6])), np.array([[5] * 6, [6] * 6])),
    ("nonadjacent", lambda: ([1, 0], slice(None), [3, 0]), ([1, 0], slice(None), [3, 0]),
     lambda: T(np.array([[-1], [-2]])), np.array([[-1], [-2]])),
    ("int_and_idx", lambda: (0, [1, 2]), (0, [1, 2]), lambda: -7, -7),
    ("mask_2d_row_broadcast", lambda: T(np.eye(4, 5, dtype=bool)), np.eye(4, 5, dtype=bool),
     lambda: dyngraph.arange(6) - 10, np.arange(6) - 10),
    ("zero_d_tensor_value", lambda: [2], [2], lambda: dyngraph.tensor(42), 42),
    ("neg_idx", lambda: (Ellipsis, [-1, -6]), (Ellipsis, [-1, -6]), lambda: 0, 0),
]


@pytest.mark.parametrize("name,make_idx,np_idx,make_val,np_val", SET_CASES, ids=[c[0] for c in SET_CASES])
def test_advanced_setitem_matches_numpy(name, make_idx, np_idx, make_val, np_val):
    t = base()
    ptr = t.untyped_storage_ptr()
    t[make_idx()] = make_val()
    a = base_np()
    a[np_idx] = np_val
    assert_tensor_equal(t, a, dtype=dyngraph.int64)
    assert t.untyped_storage_ptr() == ptr  # in place


def test_setitem_writes_through_view_and_casts_value():
    t = base()
    v = t[1]  # view
    v[[0, 4], 2] = 999
    a = base_np()
    a[1, [0, 4], 2] = 999
    assert_tensor_equal(t, a)
    f = dyngraph.zeros(3, dtype=dyngraph.float32)
    f[[0, 2]] = dyngraph.tensor([1.5, 2.0])
    f[[1]] = 4  # python scalars are cast to the tensor's dtype
    assert_tensor_equal(f, np.array([1.5, 4.0, 2.0], np.float32), dtype=dyngraph.float32)
    i = dyngraph.zeros(3, dtype=dyngraph.int64)
    i[[1]] = 2.7
    assert_tensor_equal(i, np.array([0, 2, 0]), dtype=dyngraph.int64)


def test_setitem_errors():
    t = base()
    with pytest.raises(RuntimeError):
        t[[0, 1]] = dyngraph.zeros(3, dtype=dyngraph.int64)
    with pytest.raises(RuntimeError):
        t[[0, 1]] = dyngraph.zeros(2, 5, dtype=dyngraph.int64)
    with pytest.raises(IndexError):
        t[[0, 4]] = 1
    with pytest.raises(IndexError):
        t[T(np.ones(3, bool))] = 1


def test_index_put_values():
    x = dyngraph.zeros(5)
    r = x.index_put((idx(1, 3),), dyngraph.tensor(7.0))
    assert_tensor_equal(r, np.array([0, 7, 0, 7, 0], np.float32), dtype=dyngraph.float32)
    assert_tensor_equal(x, np.zeros(5, np.float32))  # out of place
    r = dyngraph.index_put(x, (idx(4, 0),), dyngraph.tensor([1.0, 2.0]))
    assert_tensor_equal(r, np.array([2, 0, 0, 0, 1], np.float32))
    r = dyngraph.zeros(3).index_put((T(np.array([True, False, True])),), dyngraph.tensor([1.0, 2.0]))
    assert_tensor_equal(r, np.array([1, 0, 2], np.float32))
    m = dyngraph.zeros(3, 4, dtype=dyngraph.int64)
    r = m.index_put((idx(0, 2), idx(3, 1)), dyngraph.tensor([5, 6]))
    e = np.zeros((3, 4), np.int64)
    e[[0, 2], [3, 1]] = [5, 6]
    assert_tensor_equal(r, e)


def test_index_put_accumulate_repeated_indices():
    x = dyngraph.zeros(5, dtype=dyngraph.float64)
    ptr = x.untyped_storage_ptr()
    r = x.index_put_((idx(0, 0, 2, 0),), dyngraph.tensor([1.0, 2.0, 3.0, 4.0], dtype=dyngraph.float64),
                     accumulate=True)
    assert r is x and x.untyped_storage_ptr() == ptr
    e = np.zeros(5)
    np.add.at(e, [0, 0, 2, 0], [1.0, 2.0, 3.0, 4.0])
    assert_tensor_equal(x, e)
    r = dyngraph.ones(2, 2).index_put((idx(0, 0, 1), idx(1, 1, 0)), dyngraph.tensor(1.5), accumulate=True)
    assert_tensor_equal(r, np.array([[1, 4], [2.5, 1]], np.float32))
    # accumulate with int64 and rows
    y = dyngraph.zeros(3, 2, dtype=dyngraph.int64)
    y.index_put_((idx(2, 2, 2),), dyngraph.tensor([[1, 2], [3, 4], [5, 6]]), accumulate=True)
    assert_tensor_equal(y, np.array([[0, 0], [0, 0], [9, 12]]))


def test_index_put_errors():
    with pytest.raises(IndexError):
        dyngraph.zeros(4).index_put((idx(9),), dyngraph.tensor(1.0))
    with pytest.raises(IndexError):
        dyngraph.zeros(4).index_put_((idx(-5),), dyngraph.tensor(1.0), accumulate=True)
    with pytest.raises(RuntimeError):
        dyngraph.zeros(4).index_put((idx(0, 1),), dyngraph.tensor([1.0, 2.0, 3.0]))


def test_index_put_dtype_mismatch_raises():
    with pytest.raises(RuntimeError):
        dyngraph.zeros(3).index_put((idx(1),), dyngraph.tensor([1.0], dtype=dyngraph.float64))


# ---------------------------------------------------------------------------------------------
# nonzero / argwhere
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["bool", "int64", "float32", "uint8", "complex64"])
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 4)])
def test_nonzero_argwhere(dtype, shape):
    a = sample(shape, dtype, seed=5, low=-1, high=2)
    r = dyngraph.nonzero(T(a))
    assert_tensor_equal(r, np.argwhere(a), dtype=dyngraph.int64)
    assert_tensor_equal(T(a).nonzero(), np.argwhere(a))
    assert_tensor_equal(dyngraph.argwhere(T(a)), np.argwhere(a), dtype=dyngraph.int64)
    assert_tensor_equal(T(a).argwhere(), np.argwhere(a))
    tup = dyngraph.nonzero(T(a), as_tuple=True)
    assert isinstance(tup, tuple) and len(tup) == len(shape)
    for got, exp in zip(tup, np.nonzero(a)):
        assert_tensor_equal(got, exp, dtype=dyngraph.int64)
    # the tuple indexes back the nonzero values
    assert_tensor_equal(T(a)[tup], a[np.nonzero(a)])


def test_nonzero_special_cases():
    r = dyngraph.tensor([0.0, float("nan"), -0.0, 2.0]).nonzero()
    assert_tensor_equal(r, np.array([[1], [3]]))
    assert tuple(dyngraph.zeros(3, 4).nonzero().shape) == (0, 2)
    assert tuple(dyngraph.zeros(0).nonzero().shape) == (0, 1)
    assert_tensor_equal(dyngraph.tensor(5).nonzero(), np.zeros((1, 0), np.int64))
    assert_tensor_equal(dyngraph.tensor(0).nonzero(), np.zeros((0, 0), np.int64))
    t = base().permute(2, 1, 0)
    assert_tensor_equal((t % 11 == 0).nonzero(), np.argwhere(np.transpose(base_np(), (2, 1, 0)) % 11 == 0))


def test_nonzero_zero_d_as_tuple():
    # PyTorch treats a 0-d input as 1-d for as_tuple=True
    (r,) = dyngraph.nonzero(dyngraph.tensor(5), as_tuple=True)
    assert_tensor_equal(r, np.array([0]))
    (r,) = dyngraph.nonzero(dyngraph.tensor(0), as_tuple=True)
    assert_tensor_equal(r, np.zeros(0, np.int64))


# ---------------------------------------------------------------------------------------------
# index_select
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
def test_index_select(dim, index_dtype):
    n = SHAPE[dim]
    ind = np.array([n - 1, 0, n - 1, 1], dtype=index_dtype)
    r = dyngraph.index_select(base(), dim, T(ind))
    assert_tensor_equal(r, np.take(base_np(), ind, axis=dim), dtype=dyngraph.int64)
    assert_tensor_equal(base().index_select(dim, T(ind)), np.take(base_np(), ind, axis=dim))


def test_index_select_shapes_and_dtypes():
    a = sample((3, 4), "float32", seed=7)
    assert_tensor_equal(T(a).index_select(1, dyngraph.tensor(2)), a[:, [2]], dtype=dyngraph.float32)  # 0-d idx
    assert_tensor_equal(T(a).index_select(0, dyngraph.tensor([], dtype=dyngraph.int64)), a[[]])
    assert_tensor_equal(dyngraph.tensor(5.0).index_select(0, idx(0)), np.array(5.0, np.float32))
    c = sample((3, 4), "complex128", seed=8)
    assert_tensor_equal(T(c).t().index_select(0, idx(3, 1)), c.T[[3, 1]], dtype=dyngraph.complex128)


def test_index_select_errors():
    t = base()
    with pytest.raises(IndexError):
        t.index_select(0, idx(4))
    with pytest.raises(IndexError):
        t.index_select(3, idx(0))
    with pytest.raises((IndexError, RuntimeError)):
        t.index_select(0, T(np.array([[0, 1]])))  # index must be 0-d or 1-d


def test_index_select_float_index_raises_runtime_error():
    with pytest.raises(RuntimeError):
        base().index_select(0, dyngraph.tensor([0.0]))


def test_index_select_negative_index_rejected():
    # index_select does not wrap negative indices (PyTorch raises)
    with pytest.raises((IndexError, RuntimeError)):
        base().index_select(1, idx(-1))


# ---------------------------------------------------------------------------------------------
# masked_fill / masked_select
# ---------------------------------------------------------------------------------------------

def test_masked_fill():
    t, a = base(), base_np()
    m = a % 3 == 0
    r = t.masked_fill(T(m), -5)
    assert_tensor_equal(r, np.where(m, -5, a), dtype=dyngraph.int64)
    assert_tensor_equal(t, base_np())  # out of place
    r = dyngraph.masked_fill(t.double(), T(m), 2.5)
    assert_tensor_equal(r, np.where(m, 2.5, a), dtype=dyngraph.float64)
    r = t.float().masked_fill(T(m), dyngraph.tensor(2.5))  # 0-d tensor value
    assert_tensor_equal(r, np.where(m, 2.5, a).astype(np.float32), dtype=dyngraph.float32)
    # mask broadcasts against self
    mb = np.array([True, False, False, True, False, True])
    r = t.masked_fill(T(mb), 0)
    assert_tensor_equal(r, np.where(mb, 0, a))
    # float value into an int tensor is truncated like PyTorch
    r = t.masked_fill(T(m), 2.7)
    assert_tensor_equal(r, np.where(m, 2, a), dtype=dyngraph.int64)


def test_masked_fill_inplace_and_noncontiguous():
    t = base()
    v = t[:, ::2, 1]  # non-contiguous view (4,3)
    ptr = t.untyped_storage_ptr()
    r = v.masked_fill_(v > 50, -1)
    assert r is v and t.untyped_storage_ptr() == ptr
    a = base_np()
    va = a[:, ::2, 1]
    va[va > 50] = -1
    assert_tensor_equal(t, a)


def test_masked_fill_errors():
    t = base()
    with pytest.raises(RuntimeError):
        t.masked_fill(dyngraph.ones(6, dtype=dyngraph.int64), 0)  # non-bool mask
    with pytest.raises(RuntimeError):
        t.masked_fill(dyngraph.ones(3, dtype=dyngraph.bool), 0)  # does not broadcast
    with pytest.raises(RuntimeError):
        dyngraph.zeros(4).masked_fill_(dyngraph.ones(2, 4, dtype=dyngraph.bool), 1.0)  # self can't grow
    with pytest.raises(RuntimeError):
        t.float().masked_fill(t > 3, dyngraph.tensor([1.0, 2.0]))  # value must be 0-d


def test_masked_select():
    t, a = base(), base_np()
    m = a % 5 == 0
    r = dyngraph.masked_select(t, T(m))
    assert_tensor_equal(r, a[m], dtype=dyngraph.int64)
    mb = np.array([True, False, False, True, False, True])
    assert_tensor_equal(t.masked_select(T(mb)), a[np.broadcast_to(mb, a.shape)])
    # self broadcasts against the mask too
    m2 = np.array([[True, False, False, True], [False, False, False, True]])
    r = dyngraph.arange(4).masked_select(T(m2))
    assert_tensor_equal(r, np.broadcast_to(np.arange(4), (2, 4))[m2])
    assert tuple(t.masked_select(t < 0).shape) == (0,)
    f = sample((3, 4), "float16", seed=3)
    assert_tensor_equal(T(f).t().masked_select(T(f.T > 0)), f.T[f.T > 0], dtype=dyngraph.float16)
    with pytest.raises(RuntimeError):
        t.masked_select(dyngraph.ones(3, dtype=dyngraph.bool))  # mask does not broadcast


def test_masked_select_non_bool_mask_raises_runtime_error():
    with pytest.raises(RuntimeError):
        base().masked_select(dyngraph.ones(6))


# ---------------------------------------------------------------------------------------------
# gather / scatter / scatter_add
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_gather(dim):
    rng = np.random.default_rng(dim + 10)
    ishape = [3, 4, 2]  # index may be smaller than input in every dim
    ishape[dim] = 7  # ...and bigger along dim
    ind = rng.integers(0, SHAPE[dim], size=ishape)
    r = dyngraph.gather(base(), dim, T(ind))
    assert_tensor_equal(r, np.take_along_axis(base_np()[tuple(slice(0, s) if d != dim % 3 else slice(None)
                                                              for d, s in enumerate(ishape))], ind, axis=dim),
                        dtype=dyngraph.int64)
    assert_tensor_equal(base().gather(dim, T(ind)), to_np(r))


def test_gather_errors_and_noncontig():
    t = base()
    with pytest.raises(RuntimeError):
        t.gather(1, idx(0))  # index must have the same number of dims
    with pytest.raises(RuntimeError):
        t.gather(1, dyngraph.zeros(5, 5, 6, dtype=dyngraph.int64))  # larger than input in a non-gather dim
    a = np.arange(12.0).reshape(3, 4)
    ind = np.array([[2, 0, 1], [1, 1, 0]])
    assert_tensor_equal(T(a).t().gather(1, T(ind)), np.take_along_axis(a.T[:2], ind, 1))


@pytest.mark.parametrize("make", [
    lambda: base().gather(0, T(np.array([[[4]]]))),
    lambda: base().gather(2, T(np.array([[[-1]]]))),
    lambda: dyngraph.zeros(3).scatter(0, idx(5), 1.0),
    lambda: dyngraph.zeros(3).scatter_(0, idx(3), dyngraph.ones(1)),
    lambda: dyngraph.zeros(3).scatter_add(0, idx(-4), dyngraph.ones(1)),
], ids=["gather", "gather_neg", "scatter_value", "scatter_src", "scatter_add"])
def test_gather_scatter_out_of_range_raise_runtime_error(make):
    # PyTorch reports out-of-bounds gather/scatter indices as RuntimeError
    # ("index 5 is out of bounds for dimension 0 with size 3"), not IndexError
    with pytest.raises(RuntimeError):
        make()


def test_gather_scatter_accept_int32_index():
    t = base()
    ind = np.array([[[1, 0]]], dtype=np.int32)
    assert_tensor_equal(t.gather(2, T(ind)), np.take_along_axis(base_np()[:1, :1], ind, 2))
    r = dyngraph.zeros(3).scatter(0, T(np.array([2], np.int32)), 1.0)
    assert_tensor_equal(r, np.array([0, 0, 1], np.float32))


def np_scatter(out, dim, index, src, add=False):
    out = out.copy()
    for pos in np.ndindex(*index.shape):
        target = list(pos)
        target[dim] = index[pos]
        v = src[pos] if isinstance(src, np.ndarray) else src
        if add:
            out[tuple(target)] += v
        else:
            out[tuple(target)] = v
    return out


def test_scatter_src_and_value():
    self_np = np.zeros((3, 4), np.float32)
    ind = np.array([[0, 2], [1, 3]])
    src = np.array([[1.0, 2.0, 9.0], [3.0, 4.0, 9.0]], np.float32)  # src may be larger than index
    r = dyngraph.scatter(T(self_np), 1, T(ind), T(src))
    assert_tensor_equal(r, np_scatter(self_np, 1, ind, src), dtype=dyngraph.float32)
    assert_tensor_equal(T(self_np).scatter(1, T(ind), T(src)), np_scatter(self_np, 1, ind, src))
    ind0 = np.array([[0, 2], [1, 1]])
    r = T(self_np).scatter(0, T(ind0), 7.0)
    assert_tensor_equal(r, np_scatter(self_np, 0, ind0, 7.0))
    r = dyngraph.scatter(T(self_np), -1, T(ind), value=-2.0)
    assert_tensor_equal(r, np_scatter(self_np, 1, ind, -2.0))


def test_scatter_inplace():
    t = dyngraph.zeros(3, 4, dtype=dyngraph.int64)
    ptr = t.untyped_storage_ptr()
    r = t.scatter_(1, T(np.array([[3], [0]])), 9)
    assert r is t and t.untyped_storage_ptr() == ptr
    assert_tensor_equal(t, np.array([[0, 0, 0, 9], [9, 0, 0, 0], [0, 0, 0, 0]]))
    t.scatter_(0, T(np.array([[2, 2, 2, 2]])), dyngraph.tensor([[1, 2, 3, 4]]))
    assert_tensor_equal(t, np.array([[0, 0, 0, 9], [9, 0, 0, 0], [1, 2, 3, 4]]))


def test_scatter_dtype_mismatch_raises():
    with pytest.raises(RuntimeError):
        dyngraph.zeros(3).scatter(0, idx(0), dyngraph.ones(1, dtype=dyngraph.float64))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_scatter_add(dim):
    rng = np.random.default_rng(20 + dim)
    self_np = rng.standard_normal((3, 5))
    ishape = [2, 3]
    ind = rng.integers(0, self_np.shape[dim], size=ishape)  # repeated targets accumulate
    src = rng.standard_normal((3, 4))
    r = dyngraph.scatter_add(T(self_np), dim, T(ind), T(src))
    assert_tensor_equal(r, np_scatter(self_np, dim % 2, ind, src, add=True), dtype=dyngraph.float64, rtol=1e-14)
    assert_tensor_equal(T(self_np).scatter_add(dim, T(ind), T(src)), to_np(r), rtol=1e-14)


def test_scatter_add_repeated_and_inplace():
    r = dyngraph.zeros(5).scatter_add(0, idx(0, 1, 0, 4, 0), dyngraph.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert_tensor_equal(r, np.array([9, 2, 0, 0, 4], np.float32))
    t = dyngraph.ones(2, 3)
    ptr = t.untyped_storage_ptr()
    out = t.scatter_add_(0, T(np.array([[1, 0, 1]])), dyngraph.tensor([[5.0, 6.0, 7.0]]))
    assert out is t and t.untyped_storage_ptr() == ptr
    assert_tensor_equal(t, np.array([[1, 7, 1], [6, 1, 8]], np.float32))
    i = dyngraph.zeros(4, dtype=dyngraph.int64).scatter_add(0, idx(3, 3, 3), dyngraph.tensor([1, 2, 3]))
    assert_tensor_equal(i, np.array([0, 0, 0, 6]), dtype=dyngraph.int64)


# ---------------------------------------------------------------------------------------------
# take / take_along_dim
# ---------------------------------------------------------------------------------------------

def test_take():
    t, a = base(), base_np()
    ind = np.array([[0, 119], [-1, 5]])
    r = dyngraph.take(t, T(ind))
    assert_tensor_equal(r, np.take(a, ind), dtype=dyngraph.int64)
    assert_tensor_equal(t.take(T(ind)), np.take(a, ind))
    # flat index is logical (row-major over the view), not storage order
    tt = t.permute(2, 0, 1)
    assert_tensor_equal(tt.take(idx(1, 2, 30)), np.take(np.transpose(a, (2, 0, 1)), [1, 2, 30]))
    assert_tensor_equal(dyngraph.tensor(3.0).take(idx(0, 0)), np.array([3.0, 3.0], np.float32))
    with pytest.raises(IndexError):
        t.take(idx(120))
    with pytest.raises(IndexError):
        t.take(idx(-121))


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_take_along_dim(dim):
    rng = np.random.default_rng(dim + 30)
    ishape = list(SHAPE)
    ishape[dim] = 3
    ind = rng.integers(0, SHAPE[dim], size=ishape)
    r = dyngraph.take_along_dim(base(), T(ind), dim)
    assert_tensor_equal(r, np.take_along_axis(base_np(), ind, axis=dim), dtype=dyngraph.int64)
    assert_tensor_equal(base().take_along_dim(T(ind), dim=dim), np.take_along_axis(base_np(), ind, axis=dim))


def test_take_along_dim_flattened():
    ind = np.array([5, 0, 119, 7])
    r = dyngraph.take_along_dim(base(), T(ind))
    assert_tensor_equal(r, np.take_along_axis(base_np().ravel(), ind, axis=0))


def test_take_along_dim_broadcasts():
    ind = np.array([[[1, 0]]])  # (1,1,2) broadcasts against (4,5,6) in the non-dim dims
    r = dyngraph.take_along_dim(base(), T(ind), dim=2)
    assert_tensor_equal(r, np.take_along_axis(base_np(), np.broadcast_to(ind, (4, 5, 2)), axis=2))


# ---------------------------------------------------------------------------------------------
# gradients
# ---------------------------------------------------------------------------------------------

def _setitem_adv(x, v):
    out = x.clone()
    out[[0, 2], 1:] = v
    return out


def _setitem_mask(x):
    out = x * 1.0
    out[out > 0] = 0.0
    return out


GRAD_CASES = {
    "getitem_int_tensor": (lambda x: x[idx(2, 0, 2)], [(3, 4)]),
    "getitem_list_repeated": (lambda x: x[[1, 1, 0]], [(3, 4)]),
    "getitem_two_idx": (lambda x: x[idx(0, 2, 2), idx(3, 1, 3)], [(3, 4)]),
    "getitem_broadcast_idx": (lambda x: x[T(np.array([[0], [2]])), idx(1, 3)], [(3, 4)]),
    "getitem_slice_idx": (lambda x: x[:, [3, 0, 3]], [(2, 4, 3)]),
    "getitem_nonadjacent": (lambda x: x[[1, 0], :, [2, 2]], [(2, 3, 4)]),
    "getitem_mask": (lambda x: x[T(np.array([[True, False, True, False], [False, True, True, True]]))], [(2, 4)]),
    "getitem_mask_rows": (lambda x: x[T(np.array([True, False, True]))], [(3, 4)]),
    "setitem_adv": (_setitem_adv, [(3, 4), (3,)]),
    "setitem_mask": (_setitem_mask, [(3, 4)]),
    "index_select": (lambda x: dyngraph.index_select(x, 1, idx(2, 0, 2)), [(3, 4)]),
    "gather": (lambda x: dyngraph.gather(x, 1, T(np.array([[0, 0, 3], [2, 1, 2]]))), [(3, 4)]),
    "gather_dim0": (lambda x: x.gather(0, T(np.array([[2, 0], [2, 2], [1, 0]]))), [(3, 4)]),
    "scatter_src": (lambda x, s: dyngraph.scatter(x, 1, T(np.array([[0, 3], [2, 1]])), s), [(2, 4), (2, 2)]),
    "scatter_value": (lambda x: x.scatter(0, T(np.array([[1, 0, 1]])), 2.5), [(2, 3)]),
    "scatter_add": (lambda x, s: dyngraph.scatter_add(x, 1, T(np.array([[0, 0, 3], [1, 1, 1]])), s),
                    [(2, 4), (2, 3)]),
    "masked_fill": (lambda x: x.masked_fill(T(np.array([True, False, True, False])), -1.0), [(3, 4)]),
    "masked_fill_tensor_value": (lambda x, v: x.masked_fill(T(np.array([False, True, True])), v.sum()),
                                 [(2, 3), (2,)]),
    "masked_select": (lambda x: x.masked_select(T(np.array([[True, False, True], [False, False, True]]))),
                      [(2, 3)]),
    "masked_select_broadcast": (lambda x: x.masked_select(T(np.array([[True, False], [True, True]]))), [(2,)]),
    "index_put": (lambda x, v: x.index_put((idx(0, 2),), v), [(3, 4), (2, 4)]),
    "index_put_accumulate": (lambda x, v: dyngraph.index_put(x, (idx(1, 1, 0), idx(2, 2, 3)), v, accumulate=True),
                             [(3, 4), (3,)]),
    "index_put_mask": (lambda x, v: x.index_put((T(np.array([True, False, True])),), v), [(3,), (2,)]),
    "take": (lambda x: dyngraph.take(x, T(np.array([[0, 11], [5, 5]]))), [(3, 4)]),
    "take_along_dim": (lambda x: dyngraph.take_along_dim(x, T(np.array([[1, 1], [0, 3], [2, 0]])), 1), [(3, 4)]),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradcheck_indexing(name):
    fn, shapes = GRAD_CASES[name]
    inputs = tuple(g64(s, k + 50) for k, s in enumerate(shapes))
    assert gradcheck(fn, inputs)


def test_getitem_repeated_index_grad_accumulates():
    x = dyngraph.zeros(4, dtype=dyngraph.float64, requires_grad=True)
    x[idx(1, 1, 3, 1)].sum().backward()
    assert_tensor_equal(x.grad, np.array([0.0, 3.0, 0.0, 1.0]))
    x = dyngraph.zeros(3, dtype=dyngraph.float64, requires_grad=True)
    x.index_select(0, idx(2, 2)).backward(dyngraph.tensor([1.5, 2.0], dtype=dyngraph.float64))
    assert_tensor_equal(x.grad, np.array([0.0, 0.0, 3.5]))


def test_scatter_grad_values():
    x = dyngraph.ones(2, 3, dtype=dyngraph.float64, requires_grad=True)
    s = dyngraph.ones(1, 2, dtype=dyngraph.float64, requires_grad=True)
    dyngraph.scatter(x, 1, idx(2, 0).reshape(1, 2), s).sum().backward()
    assert_tensor_equal(x.grad, np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0]]))  # overwritten slots get no grad
    assert_tensor_equal(s.grad, np.array([[1.0, 1.0]]))


def test_masked_fill_grad_values():
    x = dyngraph.ones(2, 2, dtype=dyngraph.float64, requires_grad=True)
    x.masked_fill(T(np.array([[True, False], [False, True]])), 5.0).sum().backward()
    assert_tensor_equal(x.grad, np.array([[0.0, 1.0], [1.0, 0.0]]))


def test_matches_torch_optional():
    torch = pytest.importorskip("torch")
    a = np.arange(60).reshape(3, 4, 5)
    ta = torch.from_numpy(a)
    i1, i2 = [[0], [2]], [1, 3, 3]
    assert_tensor_equal(T(a)[[0, 2], :, [1, 3]], ta[[0, 2], :, [1, 3]].numpy())
    assert_tensor_equal(T(a)[0, :, [1, 3]], ta[0, :, [1, 3]].numpy())
    assert_tensor_equal(T(a)[:, T(np.array(i1)), T(np.array(i2))],
                        ta[:, torch.tensor(i1), torch.tensor(i2)].numpy())


def test_inplace_indexing_ops_on_noncontiguous_views_write_through():
    x = dyngraph.zeros(4, 6)
    x.t()[1:4].index_put_((idx(0, 2, 0),), dyngraph.tensor(1.0), accumulate=True)
    e = np.zeros((4, 6), np.float32)
    e[:, 1] = 2.0
    e[:, 3] = 1.0
    assert_tensor_equal(x, e)
    x = dyngraph.zeros(3, 4)
    x[:, ::2].scatter_(1, T(np.array([[1], [0], [1]])), 5.0)
    assert_tensor_equal(x, np.array([[0, 0, 5, 0], [5, 0, 0, 0], [0, 0, 5, 0]], np.float32))
    x = dyngraph.zeros(2, 3)
    x.t()[[0, 2]] = dyngraph.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert_tensor_equal(x, np.array([[1, 0, 3], [2, 0, 4]], np.float32))
    x = dyngraph.zeros(2, 3, dtype=dyngraph.int64)
    x[T(np.array([[True, False, True], [False, False, True]]))] = dyngraph.tensor([7, 8, 9])
    assert_tensor_equal(x, np.array([[7, 0, 8], [0, 0, 9]]))
    x = dyngraph.zeros(3, 4)
    x.t().masked_fill_(dyngraph.ones(4, 3, dtype=dyngraph.bool), 2.0)
    assert_tensor_equal(x, np.full((3, 4), 2.0, np.float32))


def test_gather_from_expanded_input():
    x = dyngraph.arange(4.0).reshape(1, 4).expand(3, 4)
    ind = np.array([[3, 0], [1, 1], [2, 2]])
    assert_tensor_equal(x.gather(1, T(ind)), np.take_along_axis(np.tile(np.arange(4.0), (3, 1)), ind, 1))
