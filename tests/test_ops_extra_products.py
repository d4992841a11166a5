"""einsum, tensordot, kron, block_diag, cartesian_prod, chain_matmul /
linalg.multi_dot, addbmm, cross / linalg.cross, cdist, diag_embed and
tril/triu_indices: values vs NumPy, shapes, errors, float64 gradcheck."""

import itertools

import numpy as np
import pytest

import dyngraph
from dyngraph.autograd import gradcheck
from conftest import assert_tensor_equal, to_np

RNG = np.random.default_rng(1234)


def T(a):
    return dyngraph.tensor(np.asarray(a))


def randn(*shape):
    return RNG.standard_normal(shape)


def g64(*shape):
    return dyngraph.tensor(randn(*shape)).requires_grad_(True) if shape else \
        dyngraph.tensor(float(randn()), dtype=dyngraph.float64).requires_grad_(True)


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("iii->i", [(3, 3, 3)]),
    ("iij->j", [(3, 3, 2)]),
    ("ij->ji", [(2, 3)]),
    ("ijk->kji", [(2, 3, 4)]),
    ("ij->", [(2, 3)]),
    ("i,i", [(3,), (3,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk", [(2, 3), (5, 3, 3)]),
    ("i...->...", [(2, 3, 4)]),
    ("...,...", [(2, 3), (3,)]),
    ("ijk,ikl,l->j", [(2, 3, 4), (2, 4, 5), (5,)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("Ba,aB", [(2, 3), (3, 2)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]),  # size-1 label broadcasts
    ("ab,cd->", [(2, 3), (4, 5)]),
    ("i->", [(0,)]),
    ("ij,jk->ik", [(2, 0), (0, 3)]),
    ("", [()]),
    (",->", [(), ()]),
    ("i, i ->", [(4,), (4,)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES)
def test_einsum_matches_numpy(eq, shapes):
    arrs = [randn(*s) for s in shapes]
    ops = [T(a) if a.ndim else dyngraph.tensor(float(a), dtype=dyngraph.float64) for a in arrs]
    expected = np.einsum(eq.replace(" ", ""), *arrs)
    assert_tensor_equal(dyngraph.einsum(eq, *ops), expected, atol=1e-12, rtol=1e-12)


def test_einsum_operand_list_and_sublist_forms():
    a, b = randn(2, 3), randn(3, 4)
    assert_tensor_equal(dyngraph.einsum("ij,jk->ik", [T(a), T(b)]), a @ b, atol=1e-12, rtol=1e-12)
    assert_tensor_equal(dyngraph.einsum(T(a), [0, 1], T(b), [1, 2], [0, 2]), a @ b, atol=1e-12, rtol=1e-12)
    assert_tensor_equal(dyngraph.einsum(T(a), [Ellipsis, 1], T(b), [1, 2]), a @ b, atol=1e-12, rtol=1e-12)


def test_einsum_dtypes():
    ints = dyngraph.ones(2, 3, dtype=dyngraph.int32)
    assert dyngraph.einsum("ij->", ints).dtype is dyngraph.int64  # sum promotes, as in PyTorch
    r = dyngraph.einsum("ij,jk", ints, dyngraph.ones(3, 2, dtype=dyngraph.int32))
    assert r.dtype is dyngraph.int32 and r.tolist() == [[3, 3], [3, 3]]
    f32 = dyngraph.einsum("ij,jk", dyngraph.ones(2, 3), dyngraph.ones(3, 2))
    assert f32.dtype is dyngraph.float32


@pytest.mark.parametrize("eq,shapes,msg", [
    ("ii", [(2, 3)], "repeated"),
    ("ij,jk", [(2, 3), (2, 3)], "broadcast"),
    ("i->j", [(2,)], "does not appear"),
    ("i->ii", [(2,)], "more than once"),
    ("ij", [(2,)], "number of subscripts"),
    ("i,j", [(2,)], "fewer operands"),
    ("i", [(2,), (2,)], "more operands"),
    ("i1", [(2, 2)], "invalid subscript"),
])
def test_einsum_errors(eq, shapes, msg):
    with pytest.raises(RuntimeError, match=msg):
        dyngraph.einsum(eq, *[dyngraph.ones(*s) for s in shapes])


def test_einsum_uses_no_full_label_space_intermediate():
    # 'ij,jk->ik' with i=k=300, j=200 would need a 300*200*300 float64 product (144 MB) if done elementwise;
    # the bmm route only ever holds the inputs and the 300x300 result.
    a, b = randn(300, 200), randn(200, 300)
    assert_tensor_equal(dyngraph.einsum("ij,jk->ik", T(a), T(b)), a @ b, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("eq,shapes", [("ij,jk->ik", [(2, 3), (3, 2)]), ("ii->i", [(3, 3)]),
                                       ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("...i,i->...", [(2, 3), (3,)]),
                                       ("i,i", [(3,), (3,)]), ("ijk,ikl,l->j", [(2, 3, 2), (2, 2, 2), (2,)])])
def test_einsum_gradcheck(eq, shapes):
    assert gradcheck(lambda *ops: dyngraph.einsum(eq, *ops), tuple(g64(*s) for s in shapes))


@pytest.mark.parametrize("dims,shapes,np_axes", [
    (2, [(2, 3, 4), (3, 4, 5)], 2),
    (1, [(2, 3), (3, 4)], 1),
    (0, [(2, 3), (3, 2)], 0),
    (([1, 0], [0, 1]), [(3, 4, 5), (4, 3, 2)], ([1, 0], [0, 1])),
    (([-1], [0]), [(2, 3), (3,)], ([-1], [0])),
])
def test_tensordot(dims, shapes, np_axes):
    a, b = randn(*shapes[0]), randn(*shapes[1])
    assert_tensor_equal(dyngraph.tensordot(T(a), T(b), dims=dims), np.tensordot(a, b, np_axes), rtol=1e-12,
                        atol=1e-12)
    assert gradcheck(lambda x, y: dyngraph.tensordot(x, y, dims=dims), (g64(*shapes[0]), g64(*shapes[1])))


def test_tensordot_tensor_dims_and_errors():
    a, b = randn(2, 3), randn(3, 4)
    assert_tensor_equal(dyngraph.tensordot(T(a), T(b), dims=T([[1], [0]])), a @ b, atol=1e-12, rtol=1e-12)
    with pytest.raises(RuntimeError):
        dyngraph.tensordot(T(a), T(b), dims=([0], [0]))
    with pytest.raises(RuntimeError):
        dyngraph.tensordot(T(a), T(b), dims=-1)


@pytest.mark.parametrize("sa,sb", [((2, 3), (4, 5)), ((2,), (3,)), ((2, 3), (4,)), ((2,), (3, 4)), ((), (3,)),
                                   ((2, 1, 3), (1, 2))])
def test_kron(sa, sb):
    a, b = randn(*sa), randn(*sb)
    ta = T(a) if sa else dyngraph.tensor(float(a), dtype=dyngraph.float64)
    assert_tensor_equal(dyngraph.kron(ta, T(b)), np.kron(a, b), rtol=1e-12, atol=1e-12)
    assert_tensor_equal(ta.kron(T(b)), np.kron(a, b), rtol=1e-12, atol=1e-12)


def test_kron_dtype_and_grad():
    r = dyngraph.kron(dyngraph.tensor([1, 2]), dyngraph.tensor([1.0, 2.0]))
    assert r.dtype is dyngraph.float32 and r.tolist() == [1, 2, 2, 4]
    assert gradcheck(dyngraph.kron, (g64(2, 2), g64(3, 2)))


def test_block_diag():
    r = dyngraph.block_diag(dyngraph.ones(2, 3), dyngraph.tensor(2.0), dyngraph.tensor([1.0, 2.0]))
    expected = np.zeros((4, 6))
    expected[:2, :3] = 1
    expected[2, 3] = 2
    expected[3, 4:] = [1, 2]
    assert_tensor_equal(r, expected)
    assert dyngraph.block_diag().shape == (1, 0)
    assert dyngraph.block_diag(dyngraph.zeros(0, 2), dyngraph.ones(1, 1)).tolist() == [[0, 0, 1]]
    mixed = dyngraph.block_diag(dyngraph.ones(1, 1, dtype=dyngraph.int32), dyngraph.tensor(2.0, dtype=dyngraph.float64))
    assert mixed.dtype is dyngraph.float64
    with pytest.raises(RuntimeError, match="2 or fewer dimensions"):
        dyngraph.block_diag(dyngraph.ones(2, 2, 2))
    assert gradcheck(lambda a, b: dyngraph.block_diag(a, b), (g64(2, 3), g64(2)))


def test_cartesian_prod():
    a, b, c = [1, 2], [3, 4, 5], [6]
    r = dyngraph.cartesian_prod(T(a), T(b), T(c))
    assert_tensor_equal(r, np.array(list(itertools.product(a, b, c))))
    assert dyngraph.cartesian_prod(T(a)).tolist() == a
    with pytest.raises(RuntimeError):
        dyngraph.cartesian_prod(dyngraph.ones(2, 2))
    assert gradcheck(lambda x, y: dyngraph.cartesian_prod(x, y), (g64(2), g64(3)))


@pytest.mark.parametrize("shapes", [[(3, 4), (4, 5)], [(3,), (3, 10), (10, 2), (2,)], [(2, 30), (30, 1), (1, 30),
                                                                                    (30, 4)], [(4,), (4,)]])
def test_multi_dot(shapes):
    arrs = [randn(*s) for s in shapes]
    r = dyngraph.linalg.multi_dot([T(a) for a in arrs])
    assert_tensor_equal(r, np.linalg.multi_dot(arrs), rtol=1e-10, atol=1e-10)
    assert gradcheck(lambda *ops: dyngraph.linalg.multi_dot(ops), tuple(g64(*s) for s in shapes))


def test_multi_dot_and_chain_matmul_errors():
    with pytest.raises(RuntimeError, match="at least 2"):
        dyngraph.linalg.multi_dot([dyngraph.ones(3)])
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        dyngraph.linalg.multi_dot([dyngraph.ones(2, 3), dyngraph.ones(2, 3)])
    with pytest.raises(RuntimeError):
        dyngraph.chain_matmul(dyngraph.ones(3))
    m = randn(3, 3)
    assert_tensor_equal(dyngraph.chain_matmul(T(m)), m)
    assert_tensor_equal(dyngraph.chain_matmul(T(m), T(m), T(m)), m @ m @ m, rtol=1e-12, atol=1e-12)


def test_addbmm():
    inp, b1, b2 = randn(3, 4), randn(5, 3, 2), randn(5, 2, 4)
    expected = 0.5 * inp + 2 * np.einsum("bij,bjk->ik", b1, b2)
    assert_tensor_equal(dyngraph.addbmm(T(inp), T(b1), T(b2), beta=0.5, alpha=2), expected, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(T(inp).addbmm(T(b1), T(b2)), inp + np.einsum("bij,bjk->ik", b1, b2), rtol=1e-12,
                        atol=1e-12)
    x = T(inp)
    assert x.addbmm_(T(b1), T(b2), alpha=2) is x
    assert_tensor_equal(x, inp + 2 * np.einsum("bij,bjk->ik", b1, b2), rtol=1e-12, atol=1e-12)
    broadcast = dyngraph.addbmm(dyngraph.ones(4), T(b1), T(b2))
    assert broadcast.shape == (3, 4)
    with pytest.raises(RuntimeError):
        dyngraph.addbmm(T(inp), dyngraph.ones(3, 2), T(b2))
    assert gradcheck(lambda i, a, b: dyngraph.addbmm(i, a, b, alpha=0.5), (g64(2, 2), g64(3, 2, 4), g64(3, 4, 2)))


def test_cross():
    a, b = randn(4, 3), randn(4, 3)
    assert_tensor_equal(dyngraph.linalg.cross(T(a), T(b)), np.cross(a, b), rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.cross(T(a.T.copy()), T(b.T.copy()), dim=0), np.cross(a, b).T, rtol=1e-12,
                        atol=1e-12)
    assert_tensor_equal(T(a).cross(T(b), dim=-1), np.cross(a, b), rtol=1e-12, atol=1e-12)
    with pytest.warns(UserWarning):
        r = dyngraph.cross(T(a.T.copy()), T(b.T.copy()))  # dim=None: the first dim of size 3
    assert_tensor_equal(r, np.cross(a, b).T, rtol=1e-12, atol=1e-12)
    assert dyngraph.linalg.cross(dyngraph.ones(2, 1, 3), dyngraph.ones(1, 5, 3)).shape == (2, 5, 3)
    with pytest.raises(RuntimeError, match="length 3"):
        dyngraph.linalg.cross(dyngraph.ones(2, 3), dyngraph.ones(2, 4))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        dyngraph.linalg.cross(dyngraph.ones(2, 3), dyngraph.ones(3))
    with pytest.raises(IndexError):
        dyngraph.linalg.cross(dyngraph.ones(3), dyngraph.ones(3), dim=2)
    assert gradcheck(lambda x, y: dyngraph.linalg.cross(x, y), (g64(2, 3), g64(2, 3)))


def _np_cdist(x, y, p):
    d = np.abs(x[..., :, None, :] - y[..., None, :, :])
    if p == 0:
        return (d != 0).sum(-1).astype(x.dtype)
    if np.isinf(p):
        return d.max(-1)
    return (d ** p).sum(-1) ** (1 / p)


@pytest.mark.parametrize("p", [0, 1, 1.5, 2, 3, float("inf")])
@pytest.mark.parametrize("shapes", [((3, 4), (5, 4)), ((2, 30, 3), (2, 4, 3)), ((2, 1, 3, 2), (4, 5, 2))])
def test_cdist(p, shapes):
    x, y = randn(*shapes[0]), randn(*shapes[1])
    assert_tensor_equal(dyngraph.cdist(T(x), T(y), p=p), _np_cdist(x, y, p), rtol=1e-9, atol=1e-9)


def test_cdist_modes_grad_and_errors():
    x, y = randn(3, 4), randn(5, 4)
    ref = _np_cdist(x, y, 2)
    for mode in ("use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"):
        assert_tensor_equal(dyngraph.cdist(T(x), T(y), compute_mode=mode), ref, rtol=1e-9, atol=1e-9)
    same = dyngraph.tensor([[1.0, 2.0], [1.0, 2.0]], dtype=dyngraph.float64, requires_grad=True)
    dyngraph.cdist(same, same).sum().backward()
    assert to_np(same.grad).tolist() == [[0, 0], [0, 0]]  # zero distance: zero gradient, not NaN
    for p in (1.0, 2.0, 3.0):
        assert gradcheck(lambda a, b: dyngraph.cdist(a, b, p=p), (g64(3, 2), g64(2, 2)))
    assert gradcheck(lambda a, b: dyngraph.cdist(a, b, compute_mode="use_mm_for_euclid_dist"), (g64(3, 2), g64(2, 2)))
    with pytest.raises(RuntimeError, match="at least 2D"):
        dyngraph.cdist(dyngraph.ones(3), dyngraph.ones(2, 3))
    with pytest.raises(RuntimeError, match="same number of columns"):
        dyngraph.cdist(dyngraph.ones(2, 3), dyngraph.ones(2, 4))
    with pytest.raises(RuntimeError, match="floating"):
        dyngraph.cdist(dyngraph.ones(2, 3, dtype=dyngraph.int64), dyngraph.ones(2, 3, dtype=dyngraph.int64))
    with pytest.raises(RuntimeError, match="non-negative"):
        dyngraph.cdist(dyngraph.ones(2, 3), dyngraph.ones(2, 3), p=-1)


def _np_diag_embed(x, offset, dim1, dim2):
    n = x.shape[-1] + abs(offset)
    out = np.zeros(x.shape[:-1] + (n, n), x.dtype)
    i = np.arange(x.shape[-1])
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    out[..., rows, cols] = x
    nd = x.ndim + 1
    return np.moveaxis(out, (-2, -1), (dim1 % nd, dim2 % nd))


@pytest.mark.parametrize("shape,offset,dim1,dim2", [((3,), 0, -2, -1), ((2, 3), 1, -2, -1), ((2, 3), -2, -2, -1),
                                                    ((2, 3), 1, 0, 2), ((2, 3), -1, 2, 0), ((0,), 0, -2, -1)])
def test_diag_embed(shape, offset, dim1, dim2):
    x = randn(*shape)
    assert_tensor_equal(dyngraph.diag_embed(T(x), offset, dim1, dim2), _np_diag_embed(x, offset, dim1, dim2))
    assert_tensor_equal(T(x).diag_embed(offset, dim1, dim2), _np_diag_embed(x, offset, dim1, dim2))


def test_diag_embed_nan_stays_on_diagonal_and_grad():
    r = dyngraph.diag_embed(dyngraph.tensor([float("nan"), 1.0]))
    assert np.isnan(to_np(r)[0, 0]) and to_np(r)[0, 1] == 0 and to_np(r)[1, 0] == 0
    with pytest.raises(RuntimeError, match="identical"):
        dyngraph.diag_embed(dyngraph.ones(2), 0, 0, 0)
    assert gradcheck(lambda x: dyngraph.diag_embed(x, 1, 0, 2), (g64(2, 3),))


@pytest.mark.parametrize("row,col,offset", [(3, 4, 0), (3, 4, 1), (4, 3, -1), (3, 3, 5), (3, 3, -5), (0, 3, 0),
                                            (1, 1, 0)])
def test_tril_triu_indices(row, col, offset):
    for ours, theirs in ((dyngraph.tril_indices, np.tril_indices), (dyngraph.triu_indices, np.triu_indices)):
        assert_tensor_equal(ours(row, col, offset), np.array(theirs(row, offset, col)).reshape(2, -1))


def test_tril_indices_dtype():
    assert dyngraph.tril_indices(3, 3).dtype is dyngraph.int64
    assert dyngraph.tril_indices(3, 3, dtype=dyngraph.int32).dtype is dyngraph.int32
    with pytest.raises(NotImplementedError):
        dyngraph.tril_indices(3, 3, dtype=dyngraph.float32)


def test_matches_torch_when_available():
    torch = pytest.importorskip("torch")
    a, b, c = randn(2, 3, 4), randn(2, 4, 5), randn(5)
    ours = dyngraph.einsum("bij,bjk,k->bi", T(a), T(b), T(c))
    theirs = torch.einsum("bij,bjk,k->bi", torch.tensor(a), torch.tensor(b), torch.tensor(c))
    np.testing.assert_allclose(to_np(ours), theirs.numpy(), rtol=1e-12)
    x, y = randn(3, 2), randn(4, 2)
    np.testing.assert_allclose(to_np(dyngraph.cdist(T(x), T(y), p=1.5)),
                               torch.cdist(torch.tensor(x), torch.tensor(y), p=1.5).numpy(), rtol=1e-12)
