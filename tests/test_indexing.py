"""Basic indexing: t[...] with ints, slices, None, Ellipsis and tuples; __setitem__; vs NumPy."""

import numpy as np
import pytest

import dyngraph
from conftest import DTYPE_NAMES, assert_tensor_equal, dt, from_np, sample, to_np

SHAPE = (4, 5, 6)


def base():
    return dyngraph.arange(120).reshape(*SHAPE)


def base_np():
    return np.arange(120).reshape(SHAPE)


GET_INDICES = [
    0, 3, -1, -4,
    (1, 2), (1, 2, 3), (-1, -2, -3),
    slice(None), slice(1, 3), slice(None, None, 2), slice(1, None, 3), slice(-3, None), slice(None, -1),
    slice(10, 20), slice(3, 1), slice(-100, 100), slice(0, 0),
    (slice(None), 1), (slice(None), slice(None), -1), (slice(1, 4, 2), slice(None, None, 3), slice(5, 0, None)),
    None, (None, 0), (0, None), (slice(None), None, slice(None)), (None, None, Ellipsis, None),
    Ellipsis, (Ellipsis, 0), (0, Ellipsis), (Ellipsis, slice(None, None, 2)), (1, Ellipsis, 2),
    (Ellipsis, None), (None, Ellipsis, 1, None), (1, 2, 3, Ellipsis),
    (), (slice(None, None, 4), Ellipsis, slice(1, 5, 3)),
]


@pytest.mark.parametrize("index", GET_INDICES, ids=repr)
def test_getitem_matches_numpy(index):
    t = base()
    expected = base_np()[index]
    r = t[index]
    assert_tensor_equal(r, expected)
    # basic indexing always gives a view of the base's storage
    assert r.untyped_storage_ptr() == t.untyped_storage_ptr()
    if all(n > 1 for n in expected.shape):
        assert r.stride() == tuple(s // 8 for s in expected.strides)


@pytest.mark.parametrize("index", [(1, 2, 3), (0, 0, 0), (-1, -1, -1)])
def test_full_int_index_gives_zero_d_view(index):
    t = base()
    r = t[index]
    assert r.shape == ()
    assert r.dim() == 0
    assert r.item() == base_np()[index]
    r.fill_(-1)
    assert t[index].item() == -1


def test_numpy_int_and_zero_d_int_tensor_as_index():
    t = base()
    assert_tensor_equal(t[np.int64(2)], base_np()[2])
    assert_tensor_equal(t[np.int32(1), np.int64(3)], base_np()[1, 3])
    assert_tensor_equal(t[dyngraph.tensor(3)], base_np()[3])


def test_slice_with_tensor_bounds():
    t = base()
    assert_tensor_equal(t[dyngraph.tensor(1):dyngraph.tensor(3)], base_np()[1:3])


def test_true_index_adds_dim():
    t = dyngraph.arange(3)
    assert t[True].shape == (1, 3)


@pytest.mark.parametrize("index", [4, -5, (0, 5), (0, 0, 6), (0, 0, -7), (3, -6)], ids=repr)
def test_out_of_range_int_raises_index_error(index):
    with pytest.raises(IndexError):
        base()[index]


def test_too_many_indices_raises_index_error():
    with pytest.raises(IndexError):
        base()[0, 0, 0, 0]
    with pytest.raises(IndexError):
        dyngraph.tensor(5)[0]


def test_two_ellipses_raise_index_error():
    with pytest.raises(IndexError):
        base()[..., 0, ...]


def test_zero_step_slice_raises_value_error():
    with pytest.raises(ValueError):  # PyTorch: "step must be greater than zero"
        base()[::0]


def test_negative_step_slice_raises_value_error():
    with pytest.raises(ValueError):  # PyTorch: "step must be greater than zero"
        base()[::-1]


def test_zero_d_indexing():
    z = dyngraph.tensor(7)
    assert z[()].item() == 7
    assert z[...].shape == ()
    assert z[None].shape == (1,)
    assert z[..., None].tolist() == [7]


def test_empty_tensor_indexing():
    e = dyngraph.zeros(0, 3)
    assert e[:, 1].shape == (0,)
    assert e[1:].shape == (0, 3)
    with pytest.raises(IndexError):
        e[0]


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_getitem_every_dtype(name):
    a = sample((3, 4), name)
    t = from_np(a, name)
    assert_tensor_equal(t[1], a[1])
    assert_tensor_equal(t[:, ::3], a[:, ::3])
    r = t[2, 3]
    assert r.dtype is dt(name)
    np.testing.assert_array_equal(to_np(r), a[2, 3])


def test_getitem_of_transposed_and_strided():
    t = base().permute(2, 0, 1)[::2]
    a = base_np().transpose(2, 0, 1)[::2]
    assert_tensor_equal(t[1, ::2, 3:], a[1, ::2, 3:])
    assert_tensor_equal(t[..., 1], a[..., 1])


def test_index_chain_writes_through():
    t = base()
    t[1][2][3] = -7
    assert t[1, 2, 3].item() == -7


# ---- __setitem__ ------------------------------------------------------------------------------------------------------

SET_INDICES = [0, -1, (1, 2), (1, 2, 3), slice(1, 3), (slice(None), slice(None, None, 2)), (Ellipsis, 1),
               (slice(None), 1, slice(2, 5)), Ellipsis, (None, 1), (slice(1, None, 2), Ellipsis, slice(None, None, 3))]


@pytest.mark.parametrize("index", SET_INDICES, ids=repr)
@pytest.mark.parametrize("value", [5, -2.0, True])
def test_setitem_scalar(index, value):
    t = base()
    a = base_np()
    t[index] = value
    a[index] = value
    assert_tensor_equal(t, a, dtype=dyngraph.int64)


@pytest.mark.parametrize("index", SET_INDICES, ids=repr)
def test_setitem_tensor_same_shape(index):
    t = base()
    a = base_np()
    shape = a[index].shape
    v = -np.arange(int(np.prod(shape))).reshape(shape) - 1
    t[index] = dyngraph.tensor(v)
    a[index] = v
    assert_tensor_equal(t, a)


@pytest.mark.parametrize("index,vshape", [((slice(None),), (6,)), ((slice(None), 1), (1, 6)), (0, (5, 1)),
                                          ((Ellipsis, 2), (5,)), ((1, slice(None, None, 2)), (3, 1)),
                                          (slice(0, 2), ()), (slice(None), (1, 5, 6))], ids=repr)
def test_setitem_broadcast_tensor(index, vshape):
    t = base()
    a = base_np()
    v = -np.arange(int(np.prod(vshape))).reshape(vshape) - 1
    t[index] = dyngraph.tensor(v)
    a[index] = v
    assert_tensor_equal(t, a)


def test_setitem_list_and_nested_list():
    t = base()
    a = base_np()
    t[0, 0] = [9, 8, 7, 6, 5, 4]
    a[0, 0] = [9, 8, 7, 6, 5, 4]
    t[1, :2, :2] = [[-1, -2], [-3, -4]]
    a[1, :2, :2] = [[-1, -2], [-3, -4]]
    t[2, 0] = [-9]  # broadcast from a length-1 list
    a[2, 0] = [-9]
    assert_tensor_equal(t, a)


def test_setitem_numpy_array_value():
    t = dyngraph.zeros(2, 3)
    t[1] = np.array([1.5, 2.5, 3.5])
    assert t.tolist() == [[0.0, 0.0, 0.0], [1.5, 2.5, 3.5]]
    assert t.dtype is dyngraph.float32


def test_setitem_converts_value_dtype():
    t = dyngraph.zeros(3, dtype=dyngraph.int32)
    t[:] = dyngraph.tensor([1.9, -2.7, 3.0])
    assert t.tolist() == [1, -2, 3]
    assert t.dtype is dyngraph.int32
    f = dyngraph.zeros(2)
    f[0] = dyngraph.tensor(3, dtype=dyngraph.int64)
    f[1] = 2.5
    assert f.tolist() == [3.0, 2.5]


def test_setitem_noncontiguous_target():
    t = dyngraph.arange(12).reshape(3, 4)
    a = np.arange(12).reshape(3, 4)
    tt = t.t()
    at = a.T
    tt[1:, ::2] = dyngraph.tensor([[-1, -2]])
    at[1:, ::2] = [[-1, -2]]
    assert_tensor_equal(t, a)


def test_setitem_zero_d():
    z = dyngraph.tensor(1.0)
    z[()] = 4.0
    assert z.item() == 4.0
    z[...] = dyngraph.tensor(5.0)
    assert z.item() == 5.0


def test_setitem_shape_mismatch_raises_runtime_error():
    t = base()
    with pytest.raises(RuntimeError):
        t[0] = dyngraph.zeros(4, 6, dtype=dyngraph.int64)
    with pytest.raises(RuntimeError):
        t[0, 0] = [1, 2, 3]


def test_setitem_out_of_range_raises_index_error():
    t = base()
    with pytest.raises(IndexError):
        t[4] = 0
    with pytest.raises(IndexError):
        t[0, -6] = 0


def test_setitem_from_overlapping_self():
    t = dyngraph.arange(6)
    a = np.arange(6)
    t[1:] = t[:-1]
    a[1:] = a[:-1].copy()
    assert_tensor_equal(t, a)


@pytest.mark.parametrize("bad", [1.5, "a", dyngraph.tensor(1.0)], ids=repr)
def test_invalid_index_types_raise_index_error(bad):
    with pytest.raises(IndexError):
        base()[bad]
