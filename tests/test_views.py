"""View operations: shapes, strides, values vs NumPy, storage sharing and write-through."""

import numpy as np
import pytest

import dyngraph
from conftest import DTYPE_NAMES, assert_tensor_equal, dt, from_np, sample, to_np


def arange_t(*shape, dtype=dyngraph.int64):
    n = int(np.prod(shape))
    return dyngraph.arange(n, dtype=dtype).reshape(*shape) if shape else dyngraph.tensor(0, dtype=dtype)


def arange_np(*shape, dtype=np.int64):
    return np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)


def np_strides(a):
    return tuple(s // a.itemsize for s in a.strides)


def shares_storage(a, b):
    return a.untyped_storage_ptr() == b.untyped_storage_ptr()


def assert_view_of(v, base):
    assert shares_storage(v, base)


def contiguous_strides(shape):
    """PyTorch's row-major strides (size-0 and size-1 dims count as 1)."""
    out, acc = [], 1
    for s in reversed(shape):
        out.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(out))


def write_through(view, base, np_view_fn, sub=0):
    """Writing into view[sub] shows in base exactly where NumPy's equivalent view would write."""
    base_np = to_np(base)
    view[sub].fill_(-5)
    np_view_fn(base_np)[sub] = -5
    assert_tensor_equal(base, base_np)


# ---- contiguity, strides, offsets -------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (2, 3, 4), (1, 4, 1)])
def test_contiguous_strides_match_numpy(shape):
    t = dyngraph.zeros(*shape) if shape else dyngraph.zeros(())
    assert t.stride() == contiguous_strides(shape)
    assert isinstance(t.stride(), tuple)
    assert t.is_contiguous()
    assert t.storage_offset() == 0


def test_stride_of_dim_and_negative_dim():
    t = dyngraph.zeros(2, 3, 4)
    assert [t.stride(d) for d in range(3)] == [12, 4, 1]
    assert t.stride(-1) == 1
    assert t.stride(-3) == 12


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_views_work_for_every_dtype(name):
    a = sample((3, 4), name)
    t = from_np(a, name)
    assert t.dtype is dt(name)
    assert_tensor_equal(t.t(), a.T)
    assert_tensor_equal(t[1:, ::2], a[1:, ::2])
    assert_tensor_equal(t.reshape(4, 3), a.reshape(4, 3))
    assert_tensor_equal(t.unsqueeze(0).expand(2, 3, 4), np.broadcast_to(a, (2, 3, 4)))


# ---- view / reshape ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(6, 4), (2, 12), (24,), (2, 3, 4), (4, -1), (-1,), (1, 24, 1)])
def test_view_values_and_sharing(shape):
    base = arange_t(2, 3, 4)
    v = base.view(*shape)
    expected = arange_np(2, 3, 4).reshape(shape)
    assert_tensor_equal(v, expected)
    assert v.stride() == np_strides(expected.copy())
    assert_view_of(v, base)
    assert v.data_ptr() == base.data_ptr()


def test_view_accepts_tuple_and_list():
    base = arange_t(6)
    assert base.view((2, 3)).shape == (2, 3)
    assert base.view([3, 2]).shape == (3, 2)


def test_view_write_through():
    base = arange_t(2, 6)
    v = base.view(3, 4)
    v[1, 1] = 100
    assert base[0, 5].item() == 100


def test_view_of_non_viewable_raises_runtime_error():
    t = arange_t(3, 4).t()
    with pytest.raises(RuntimeError):
        t.view(12)


def test_view_as():
    base = arange_t(12)
    v = base.view_as(dyngraph.zeros(3, 4))
    assert v.shape == (3, 4)
    assert shares_storage(v, base)


@pytest.mark.parametrize("make_base,shape", [
    (lambda: arange_t(3, 4), (4, 3)),
    (lambda: arange_t(3, 4), (12,)),
    (lambda: arange_t(3, 4)[:, :2], (3, 2, 1)),  # splitting/adding unit dims of a strided view is a view
    (lambda: arange_t(2, 3, 4).permute(1, 0, 2), (3, 2, 2, 2)),  # last dim split: still a view
    (lambda: arange_t(4, 6)[::2], (2, 2, 3)),
    (lambda: arange_t(3, 4)[:, ::2], (6,)),  # uniform stride 2 throughout
    (lambda: arange_t(2, 3, 4).permute(2, 0, 1), (4, 6)),  # merged dims are adjacent in memory
])
def test_reshape_is_view_when_possible(make_base, shape):
    base = make_base()
    base_np = to_np(base)
    r = base.reshape(*shape)
    assert_tensor_equal(r, base_np.reshape(shape))
    assert shares_storage(r, base)
    r.fill_(-1)
    assert (to_np(base) == -1).all()


@pytest.mark.parametrize("make_base,shape", [
    (lambda: arange_t(3, 4).t(), (12,)),
    (lambda: arange_t(3, 4)[:, :3], (9,)),
    (lambda: arange_t(2, 3, 4).permute(2, 0, 1), (8, 3)),
    (lambda: arange_t(3, 1).expand(3, 4), (12,)),
])
def test_reshape_copies_when_not_viewable(make_base, shape):
    base = make_base()
    base_np = to_np(base)
    r = base.reshape(*shape)
    assert_tensor_equal(r, base_np.reshape(shape))
    assert r.is_contiguous()
    assert not shares_storage(r, base)
    r.fill_(-1)
    assert_tensor_equal(base, base_np)  # base unchanged


def test_reshape_functional_and_reshape_as():
    base = arange_t(2, 3)
    assert_tensor_equal(dyngraph.reshape(base, (3, 2)), arange_np(3, 2))
    assert_tensor_equal(base.reshape_as(dyngraph.zeros(6)), arange_np(6))
    assert_tensor_equal(base.reshape(-1, 2), arange_np(3, 2))


def test_reshape_zero_d_and_empty():
    assert arange_t(1).reshape(()).shape == ()
    assert dyngraph.tensor(7).reshape(1, 1).tolist() == [[7]]
    e = dyngraph.zeros(0, 3)
    assert e.reshape(3, 0, 5).shape == (3, 0, 5)
    assert e.reshape(-1).shape == (0,)


# ---- transpose / permute / T / mT ------------------------------------------------------------------------------------

@pytest.mark.parametrize("d0,d1", [(0, 1), (0, 2), (1, 2), (-1, 0), (2, 2)])
def test_transpose(d0, d1):
    base = arange_t(2, 3, 4)
    r = base.transpose(d0, d1)
    expected = np.swapaxes(arange_np(2, 3, 4), d0, d1)
    assert_tensor_equal(r, expected)
    assert r.stride() == np_strides(expected)
    assert shares_storage(r, base)
    assert_tensor_equal(dyngraph.transpose(base, d0, d1), expected)
    assert_tensor_equal(base.swapaxes(d0, d1), expected)
    assert_tensor_equal(dyngraph.swapdims(base, d0, d1), expected)
    write_through(r, base, lambda a: np.swapaxes(a, d0, d1))


def test_t_and_functional_t():
    base = arange_t(3, 4)
    assert_tensor_equal(base.t(), arange_np(3, 4).T)
    assert_tensor_equal(dyngraph.t(base), arange_np(3, 4).T)
    assert not base.t().is_contiguous()
    assert base.t().stride() == (1, 4)
    assert_tensor_equal(arange_t(5).t(), arange_np(5))


@pytest.mark.parametrize("perm", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0), (-1, 0, 1)])
def test_permute(perm):
    base = arange_t(2, 3, 4)
    expected = np.transpose(arange_np(2, 3, 4), perm)
    r = base.permute(*perm)
    assert_tensor_equal(r, expected)
    assert r.stride() == np_strides(expected)
    assert shares_storage(r, base)
    assert_tensor_equal(base.permute(perm), expected)
    assert_tensor_equal(dyngraph.permute(base, perm), expected)
    write_through(r, base, lambda a: np.transpose(a, perm), sub=1)


@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4)])
def test_T_reverses_dims(shape):
    base = arange_t(*shape)
    expected = arange_np(*shape).T
    assert_tensor_equal(base.T, expected)
    assert base.T.stride() == np_strides(expected)


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (2, 1, 3, 5)])
def test_mT_swaps_last_two(shape):
    base = arange_t(*shape)
    expected = np.swapaxes(arange_np(*shape), -1, -2)
    assert_tensor_equal(base.mT, expected)
    assert shares_storage(base.mT, base)


# ---- expand -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("src,target", [((3, 1), (3, 4)), ((1,), (5,)), ((4,), (2, 3, 4)), ((1, 4), (-1, 4)),
                                        ((3, 1), (2, 3, -1)), ((), (2, 2)), ((2, 1, 3), (2, 0, 3))])
def test_expand(src, target):
    base = arange_t(*src)
    np_target = tuple(s if s != -1 else src[i - (len(target) - len(src))] for i, s in enumerate(target))
    expected = np.broadcast_to(arange_np(*src), np_target)
    r = base.expand(*target)
    assert_tensor_equal(r, expected)
    # PyTorch: new leading dims and expanded size-1 dims get stride 0, kept dims keep their stride
    lead = len(target) - len(src)
    src_strides = contiguous_strides(src)
    want = tuple(0 if i < lead or (src[i - lead] == 1 and np_target[i] != 1) else src_strides[i - lead]
                 for i in range(len(target)))
    assert r.stride() == want
    assert shares_storage(r, base)
    assert_tensor_equal(base.expand(target), expected)


def test_expand_as_and_broadcast_to():
    base = arange_t(3, 1)
    other = dyngraph.zeros(2, 3, 4)
    assert_tensor_equal(base.expand_as(other), np.broadcast_to(arange_np(3, 1), (2, 3, 4)))
    assert_tensor_equal(dyngraph.broadcast_to(base, (3, 5)), np.broadcast_to(arange_np(3, 1), (3, 5)))


def test_expand_write_shows_in_base():
    base = dyngraph.zeros(3, 1)
    e = base.expand(3, 4)
    e[1, 2] = 7.0  # all four columns alias the same element
    assert base.tolist() == [[0.0], [7.0], [0.0]]
    assert e[1].tolist() == [7.0] * 4


@pytest.mark.parametrize("src,target", [((3,), (4,)), ((2, 3), (3, 3)), ((3, 1), (3,)), ((2,), (-1, 3))])
def test_expand_bad_shape_raises(src, target):
    with pytest.raises(RuntimeError):
        arange_t(*src).expand(*target)


# ---- squeeze / unsqueeze ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(1, 3, 1, 4), (1,), (2, 3), (1, 1)])
def test_squeeze_all(shape):
    base = arange_t(*shape)
    expected = np.squeeze(arange_np(*shape))
    assert_tensor_equal(base.squeeze(), expected)
    assert_tensor_equal(dyngraph.squeeze(base), expected)
    assert shares_storage(base.squeeze(), base)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2, (0, 2), (0, 1)])
def test_squeeze_dim(dim):
    shape = (1, 3, 1, 4)
    base = arange_t(*shape)
    dims = dim if isinstance(dim, tuple) else (dim,)
    dims = tuple(d % 4 for d in dims if shape[d] == 1)
    expected = np.squeeze(arange_np(*shape), axis=dims)
    assert_tensor_equal(base.squeeze(dim), expected)
    assert_tensor_equal(dyngraph.squeeze(base, dim), expected)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_unsqueeze(dim):
    base = arange_t(2, 3)
    expected = np.expand_dims(arange_np(2, 3), dim)
    r = base.unsqueeze(dim)
    assert_tensor_equal(r, expected)
    assert shares_storage(r, base)
    assert_tensor_equal(dyngraph.unsqueeze(base, dim), expected)


def test_unsqueeze_of_zero_d():
    assert dyngraph.tensor(3).unsqueeze(0).tolist() == [3]
    assert dyngraph.tensor(3).unsqueeze(-1).shape == (1,)


# ---- flatten / unflatten ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("start,end", [(0, -1), (1, 2), (0, 1), (1, -1), (2, 2), (-2, -1)])
def test_flatten(start, end):
    shape = (2, 3, 4)
    base = arange_t(*shape)
    s, e = start % 3, end % 3
    new_shape = shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:]
    expected = arange_np(*shape).reshape(new_shape)
    assert_tensor_equal(base.flatten(start, end), expected)
    assert_tensor_equal(dyngraph.flatten(base, start, end), expected)
    assert shares_storage(base.flatten(start, end), base)


def test_flatten_defaults_and_zero_d():
    assert_tensor_equal(arange_t(2, 3).flatten(), arange_np(6))
    assert dyngraph.tensor(5).flatten().shape == (1,)
    nc = arange_t(3, 4).t()
    assert_tensor_equal(nc.flatten(), arange_np(3, 4).T.reshape(-1))


@pytest.mark.parametrize("dim,sizes", [(1, (3, 4)), (-1, (2, 6)), (1, (-1, 2)), (0, (2, 1))])
def test_unflatten(dim, sizes):
    base = arange_t(2, 12)
    r = base.unflatten(dim, sizes)
    shape = list(base.shape)
    d = dim % 2
    known = int(np.prod([s for s in sizes if s != -1]))
    new = [s if s != -1 else shape[d] // known for s in sizes]
    expected = arange_np(2, 12).reshape(shape[:d] + new + shape[d + 1:])
    assert_tensor_equal(r, expected)
    assert_tensor_equal(dyngraph.unflatten(base, dim, sizes), expected)
    assert shares_storage(r, base)


def test_unflatten_bad_sizes_raise():
    with pytest.raises(RuntimeError):
        arange_t(2, 12).unflatten(1, (5, 3))


# ---- narrow / select / unbind ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dim,start,length", [(0, 0, 2), (1, 1, 2), (2, 3, 1), (-1, 0, 4), (1, -2, 2), (0, 1, 0)])
def test_narrow(dim, start, length):
    base = arange_t(3, 3, 4)
    s = start % base.shape[dim]
    expected = np.take(arange_np(3, 3, 4), range(s, s + length), axis=dim)
    r = base.narrow(dim, start, length)
    assert_tensor_equal(r, expected)
    assert shares_storage(r, base)
    assert_tensor_equal(dyngraph.narrow(base, dim, start, length), expected)
    if length:
        np_idx = [slice(None)] * 3
        np_idx[dim] = slice(s, s + length)
        assert r.storage_offset() == int(np.ravel_multi_index([x.start or 0 for x in np_idx], (3, 3, 4)))
        write_through(r, base, lambda a: a[tuple(np_idx)])


def test_narrow_out_of_range_raises():
    with pytest.raises((IndexError, RuntimeError)):
        arange_t(3, 4).narrow(1, 3, 2)


@pytest.mark.parametrize("dim,index", [(0, 0), (0, -1), (1, 2), (2, 3), (-1, 0)])
def test_select(dim, index):
    base = arange_t(2, 3, 4)
    expected = np.take(arange_np(2, 3, 4), index, axis=dim)
    r = base.select(dim, index)
    assert_tensor_equal(r, expected)
    idx = [slice(None)] * 3
    idx[dim] = index
    assert r.stride() == np_strides(arange_np(2, 3, 4)[tuple(idx)])
    assert shares_storage(r, base)
    assert_tensor_equal(dyngraph.select(base, dim, index), expected)
    r.fill_(-3)
    expected_base = arange_np(2, 3, 4)
    idx = [slice(None)] * 3
    idx[dim] = index
    expected_base[tuple(idx)] = -3
    assert_tensor_equal(base, expected_base)


def test_select_storage_offset():
    base = arange_t(2, 3, 4)
    assert base.select(0, 1).storage_offset() == 12
    assert base.select(1, 2).storage_offset() == 8
    assert base.select(2, 3).storage_offset() == 3
    assert base.select(0, 1).select(0, 2).storage_offset() == 20


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_unbind(dim):
    base = arange_t(2, 3, 4)
    parts = base.unbind(dim)
    assert len(parts) == base.shape[dim]
    for i, p in enumerate(parts):
        assert_tensor_equal(p, np.take(arange_np(2, 3, 4), i, axis=dim))
        assert shares_storage(p, base)
    assert len(dyngraph.unbind(base, dim)) == base.shape[dim]


# ---- split / chunk ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size,dim", [(2, 0), (3, 0), (1, 1), (4, 1), (7, 0), (5, -1)])
def test_split_int(size, dim):
    base = arange_t(7, 4)
    parts = base.split(size, dim)
    n = base.shape[dim]
    bounds = list(range(size, n, size))
    expected = np.split(arange_np(7, 4), bounds, axis=dim)
    assert len(parts) == len(expected)
    for p, e in zip(parts, expected):
        assert_tensor_equal(p, e)
        assert shares_storage(p, base)
    assert len(dyngraph.split(base, size, dim)) == len(expected)


@pytest.mark.parametrize("sizes,dim", [([2, 5], 0), ([1, 1, 5], 0), ([3, 1], 1), ([0, 7], 0), ([4], -1)])
def test_split_list(sizes, dim):
    base = arange_t(7, 4)
    parts = base.split(sizes, dim)
    expected = np.split(arange_np(7, 4), np.cumsum(sizes)[:-1], axis=dim)
    assert len(parts) == len(sizes)
    for p, e in zip(parts, expected):
        assert_tensor_equal(p, e)
    parts2 = dyngraph.split(base, sizes, dim)
    assert [tuple(p.shape) for p in parts2] == [e.shape for e in expected]


def test_split_list_wrong_total_raises():
    with pytest.raises(RuntimeError):
        arange_t(7, 4).split([2, 2], 0)


@pytest.mark.parametrize("n,chunks,expected_sizes", [(6, 3, [2, 2, 2]), (7, 3, [3, 3, 1]), (5, 2, [3, 2]),
                                                     (6, 4, [2, 2, 2]), (2, 5, [1, 1]), (1, 1, [1])])
def test_chunk(n, chunks, expected_sizes):
    base = arange_t(n, 2)
    parts = base.chunk(chunks)
    assert [p.shape[0] for p in parts] == expected_sizes
    assert_tensor_equal(parts[0], arange_np(n, 2)[:expected_sizes[0]])
    assert_tensor_equal(parts[-1], arange_np(n, 2)[n - expected_sizes[-1]:])
    assert all(shares_storage(p, base) for p in parts)
    assert [p.shape[0] for p in dyngraph.chunk(base, chunks)] == expected_sizes


def test_split_chunk_unbind_return_tuples():
    base = arange_t(4, 2)
    for r in (base.split(2), base.split([1, 3]), base.chunk(2), base.unbind(0), dyngraph.split(base, 2),
              dyngraph.chunk(base, 2), dyngraph.unbind(base)):
        assert type(r) is tuple, type(r)


def test_chunk_dim1():
    parts = arange_t(2, 5).chunk(2, 1)
    assert_tensor_equal(parts[0], arange_np(2, 5)[:, :3])
    assert_tensor_equal(parts[1], arange_np(2, 5)[:, 3:])


# ---- movedim ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("src,dst", [(0, 2), (2, 0), (-1, 0), ((0, 1), (2, 0)), ((0, 2), (1, 0)), (1, 1)])
def test_movedim(src, dst):
    base = arange_t(2, 3, 4)
    expected = np.moveaxis(arange_np(2, 3, 4), src, dst)
    r = base.movedim(src, dst)
    assert_tensor_equal(r, expected)
    assert r.stride() == np_strides(expected)
    assert shares_storage(r, base)
    assert_tensor_equal(dyngraph.movedim(base, src, dst), expected)
    assert_tensor_equal(dyngraph.moveaxis(base, src, dst), expected)


# ---- diagonal ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("offset", [0, 1, -1, 3])
def test_diagonal(offset):
    base = arange_t(3, 4)
    expected = np.diagonal(arange_np(3, 4), offset)
    r = base.diagonal(offset)
    assert_tensor_equal(r, expected)
    assert shares_storage(r, base)


# ---- as_strided -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size,stride,offset", [((2, 2), (1, 2), 0), ((3,), (2,), 1), ((2, 3), (3, 1), 6),
                                                ((4, 2), (1, 1), 0), ((2, 2), (0, 1), 10), ((), (), 5)])
def test_as_strided(size, stride, offset):
    base = arange_t(12)
    r = base.as_strided(size, stride, offset)
    expected = np.lib.stride_tricks.as_strided(arange_np(12)[offset:], shape=size,
                                               strides=tuple(s * 8 for s in stride))
    assert_tensor_equal(r, expected)
    assert r.stride() == tuple(stride)
    assert r.storage_offset() == offset
    assert shares_storage(r, base)
    assert_tensor_equal(dyngraph.as_strided(base, size, stride, offset), expected)


def test_as_strided_offset_defaults_to_base_offset():
    base = arange_t(12)[4:]
    r = base.as_strided((2,), (1,))
    assert r.storage_offset() == 4
    assert r.tolist() == [4, 5]


def test_as_strided_write_through():
    base = dyngraph.zeros(6)
    r = base.as_strided((2, 2), (3, 1), 1)
    r.fill_(1.0)
    assert base.tolist() == [0.0, 1.0, 1.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize("size,stride,offset", [((4,), (4,), 0), ((13,), (1,), 0), ((2,), (1,), 11),
                                                ((3, 3), (4, 1), 2), ((1,), (1,), 12)])
def test_as_strided_out_of_bounds_raises(size, stride, offset):
    base = arange_t(12)
    with pytest.raises(RuntimeError):
        base.as_strided(size, stride, offset)


def test_as_strided_negative_offset_raises_runtime_error():
    with pytest.raises(RuntimeError):  # PyTorch: "Tensor: invalid storage offset -1"
        arange_t(12).as_strided((2,), (1,), -1)


def test_as_strided_negative_stride_raises_runtime_error():
    with pytest.raises(RuntimeError):  # PyTorch: "as_strided: Negative strides are not supported"
        arange_t(12).as_strided((2,), (-1,), 5)


# ---- contiguous ------------------------------------------------------------------------------------------------------------

def test_contiguous_of_contiguous_is_same_storage():
    base = arange_t(3, 4)
    c = base.contiguous()
    assert c.data_ptr() == base.data_ptr()


@pytest.mark.parametrize("make", [lambda t: t.t(), lambda t: t[:, ::2], lambda t: t[::-1] if False else t[1:, 1:],
                                  lambda t: t.unsqueeze(1).expand(3, 2, 4)])
def test_contiguous_of_strided_copies(make):
    base = arange_t(3, 4)
    v = make(base)
    expected = to_np(v)
    assert not v.is_contiguous()
    c = v.contiguous()
    assert c.is_contiguous()
    assert_tensor_equal(c, expected)
    assert c.stride() == np_strides(np.ascontiguousarray(expected))
    assert not shares_storage(c, base)


@pytest.mark.parametrize("make,contig", [
    (lambda t: t[1:], True),  # offset rows: still contiguous
    (lambda t: t[:, 1:], False),
    (lambda t: t[:1].t(), True),  # (4,1) with stride (1,4): size-1 dims are ignored
    (lambda t: t.unsqueeze(0), True),
    (lambda t: t.expand(2, 3, 4), False),
])
def test_is_contiguous(make, contig):
    assert make(arange_t(3, 4)).is_contiguous() == contig


def test_slice_views_share_and_offset():
    base = arange_t(4, 5)
    v = base[1:3, 2:]
    assert v.storage_offset() == 7
    assert v.stride() == (5, 1)
    assert v.data_ptr() == base.data_ptr() + 7 * 8
    v2 = v[1]
    assert v2.storage_offset() == 12


def test_views_of_views_write_through():
    base = arange_t(4, 6)
    base_np = arange_np(4, 6)
    v = base.t()[1:5:2].unsqueeze(0).permute(2, 0, 1)[::2]
    vn = np.transpose(np.expand_dims(base_np.T[1:5:2], 0), (2, 0, 1))[::2]
    assert_tensor_equal(v, vn)
    v.fill_(99)
    vn[...] = 99
    assert_tensor_equal(base, base_np)


def test_view_keeps_storage_alive():
    v = arange_t(100)[10:20]
    import gc

    gc.collect()
    assert v.tolist() == list(range(10, 20))
