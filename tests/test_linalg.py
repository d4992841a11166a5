"""Linear algebra: matmul (every 1-D/2-D/batched broadcasting case), mm, bmm, mv, dot, vdot,
outer/ger, addmm/addmv/baddbmm, trace, diag, tril/triu and the norms, against NumPy; dtype and
shape errors; and gradients (gradcheck / gradgradcheck in float64)."""

import math

import numpy as np
import pytest

import dyngraph
from dyngraph.autograd import gradcheck, gradgradcheck
from conftest import assert_tensor_equal, dt, sample


def rnd(shape, seed=0, dtype="float64"):
    """A NumPy array of small random values in dtype."""
    rng = np.random.default_rng(seed)
    if dtype.startswith("complex"):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if dtype.startswith("int"):
        return rng.integers(-5, 6, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def T(a, requires_grad=False):
    t = dyngraph.tensor(np.asarray(a))
    if requires_grad:
        t.requires_grad_(True)
    return t


def g64(shape, seed=0):
    """A float64 leaf tensor requiring grad."""
    return T(rnd(shape, seed), requires_grad=True)


# ---------------------------------------------------------------------------------------------
# matmul: every dimensionality case
# ---------------------------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((3,), (3,)),              # dot -> 0-d
    ((2, 3), (3,)),            # matrix-vector
    ((3,), (3, 4)),            # vector-matrix (prepended 1 removed)
    ((2, 3), (3, 4)),          # matrix-matrix
    ((5, 2, 3), (3, 4)),       # batched @ matrix
    ((2, 3), (5, 3, 4)),       # matrix @ batched
    ((5, 2, 3), (5, 3, 4)),    # batched @ batched
    ((5, 2, 3), (3,)),         # batched @ vector
    ((3,), (5, 3, 4)),         # vector @ batched
    ((2, 1, 2, 3), (5, 3, 4)), # batch broadcasting
    ((1, 2, 3), (4, 3, 2)),    # size-1 batch broadcasts
    ((2, 1, 2, 3), (1, 3, 3, 1)),
    ((4, 1, 3), (3,)),
    ((3,), (2, 2, 3, 1)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES, ids=str)
def test_matmul_matches_numpy(sa, sb):
    a, b = rnd(sa, 1), rnd(sb, 2)
    expected = np.matmul(a, b)
    r = dyngraph.matmul(T(a), T(b))
    assert_tensor_equal(r, expected, dtype=dyngraph.float64, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(T(a) @ T(b), expected, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(T(a).matmul(T(b)), expected, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.linalg.matmul(T(a), T(b)), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES, ids=str)
def test_matmul_gradcheck(sa, sb):
    assert gradcheck(dyngraph.matmul, (g64(sa, 1), g64(sb, 2)))


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 2)),
                                   ((2, 1, 2, 3), (2, 3, 2)), ((2, 2, 3), (3,))], ids=str)
def test_matmul_gradgradcheck(sa, sb):
    assert gradgradcheck(dyngraph.matmul, (g64(sa, 3), g64(sb, 4)))


def test_matmul_grad_values_broadcast_batch():
    a_np, b_np = rnd((2, 1, 2, 3), 5), rnd((4, 3, 2), 6)
    a, b = T(a_np, True), T(b_np, True)
    (a @ b).sum().backward()
    go = np.ones((2, 4, 2, 2))
    ga = (go @ np.swapaxes(np.broadcast_to(b_np, (2, 4, 3, 2)), -1, -2)).sum(axis=1, keepdims=True)
    gb = (np.swapaxes(np.broadcast_to(a_np, (2, 4, 2, 3)), -1, -2) @ go).sum(axis=0)
    assert_tensor_equal(a.grad, ga, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(b.grad, gb, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "complex64", "complex128"])
def test_matmul_dtypes(dtype):
    a, b = rnd((3, 4), 1, dtype), rnd((2, 4, 5), 2, dtype)
    r = T(a) @ T(b)
    tol = 1e-5 if dtype in ("float32", "complex64") else 1e-12
    if dtype == "int64":
        assert_tensor_equal(r, a @ b, dtype=dyngraph.int64)
    else:
        assert_tensor_equal(r, a @ b, dtype=dt(dtype), rtol=tol, atol=tol)


def test_matmul_int_exact():
    a = np.arange(12, dtype=np.int64).reshape(3, 4) - 5
    b = np.arange(20, dtype=np.int64).reshape(4, 5) * 3
    assert_tensor_equal(T(a) @ T(b), a @ b, dtype=dyngraph.int64)
    assert_tensor_equal(T(a.astype(np.int32)) @ T(b.astype(np.int32)), (a @ b).astype(np.int32),
                        dtype=dyngraph.int32)


def test_matmul_float16():
    a, b = sample((4, 8), "float16", 1), sample((8, 3), "float16", 2)
    r = T(a) @ T(b)
    expected = (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float16)
    assert_tensor_equal(r, expected, dtype=dyngraph.float16, rtol=2e-3, atol=2e-3)
    ra = T(a).half() @ T(b)
    assert ra.dtype is dyngraph.float16


def test_matmul_float32_precision():
    a, b = rnd((16, 64), 1, "float32"), rnd((64, 8), 2, "float32")
    expected = a.astype(np.float64) @ b.astype(np.float64)
    assert_tensor_equal(T(a) @ T(b), expected, dtype=dyngraph.float32, rtol=1e-4, atol=1e-4)


def test_matmul_complex_values():
    a = np.array([[1 + 1j, 2], [0, -1j]], dtype=np.complex64)
    b = np.array([[1j], [1 - 1j]], dtype=np.complex64)
    assert_tensor_equal(T(a) @ T(b), a @ b, dtype=dyngraph.complex64)


def test_matmul_noncontiguous_operands():
    a_np, b_np = rnd((4, 3), 1), rnd((5, 4), 2)
    a, b = T(a_np), T(b_np)
    # transposed operands
    assert_tensor_equal(a.t() @ b.t(), a_np.T @ b_np.T, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.mm(b, a), b_np @ a_np, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.mm(a.t(), b.t()), a_np.T @ b_np.T, rtol=1e-12, atol=1e-12)
    # strided slices
    big_np = rnd((8, 9), 3)
    big = T(big_np)
    s1, s2 = big[::2, 1::2], big[1::2, ::3]  # (4,4) and (4,3)
    assert not s1.is_contiguous()
    assert_tensor_equal(s1 @ s2, big_np[::2, 1::2] @ big_np[1::2, ::3], rtol=1e-12, atol=1e-12)
    # a strided vector
    v = big[0, ::2]  # 5 elements
    assert_tensor_equal(dyngraph.mv(T(b_np[:, :4].copy()).t().t(), v[:4]), b_np[:, :4] @ big_np[0, ::2][:4],
                        rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.dot(v, v), big_np[0, ::2] @ big_np[0, ::2], rtol=1e-12)
    # permuted batch
    c_np = rnd((3, 2, 4), 4)
    c = T(c_np).permute(1, 0, 2)  # (2,3,4)
    d_np = rnd((2, 5, 4), 5)
    d = T(d_np).transpose(1, 2)  # (2,4,5)
    expected = np.transpose(c_np, (1, 0, 2)) @ np.swapaxes(d_np, 1, 2)
    assert_tensor_equal(dyngraph.bmm(c, d), expected, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(c @ d, expected, rtol=1e-12, atol=1e-12)
    # expanded (stride-0) operand
    e = T(rnd((1, 3, 4), 6)).expand(2, 3, 4)
    assert_tensor_equal(e @ d, np.broadcast_to(to_np_arr(e), (2, 3, 4)) @ np.swapaxes(d_np, 1, 2),
                        rtol=1e-12, atol=1e-12)


def to_np_arr(t):
    return np.array(t.numpy(), copy=True)


def test_matmul_does_not_modify_inputs_and_is_new_storage():
    a, b = T(rnd((2, 3), 1)), T(rnd((3, 2), 2))
    a0, b0 = to_np_arr(a), to_np_arr(b)
    r = a @ b
    np.testing.assert_array_equal(to_np_arr(a), a0)
    np.testing.assert_array_equal(to_np_arr(b), b0)
    assert r.untyped_storage_ptr() != a.untyped_storage_ptr()
    assert r.is_contiguous()


def test_matmul_empty_inner_dim():
    r = dyngraph.zeros(2, 0) @ dyngraph.zeros(0, 3)
    assert_tensor_equal(r, np.zeros((2, 3), np.float32), dtype=dyngraph.float32)
    r = dyngraph.mm(dyngraph.zeros(0, 3), dyngraph.zeros(3, 2))
    assert tuple(r.shape) == (0, 2)


@pytest.mark.parametrize("sa,sb", [
    ((2, 3), (2, 3)), ((3,), (4,)), ((2, 3), (4,)), ((4,), (3, 2)), ((2, 2, 3), (3, 2, 4)),
    ((5, 2, 3), (2, 4, 5)),
], ids=str)
def test_matmul_shape_mismatch_raises(sa, sb):
    with pytest.raises(RuntimeError):
        dyngraph.matmul(dyngraph.zeros(*sa), dyngraph.zeros(*sb))


def test_matmul_zero_dim_raises():
    with pytest.raises(RuntimeError):
        dyngraph.matmul(dyngraph.tensor(2.0), dyngraph.zeros(2, 2))


@pytest.mark.parametrize("da,db", [("float32", "float64"), ("float32", "int64"), ("int64", "float64"),
                                   ("float32", "complex64"), ("float16", "float32")])
def test_matmul_dtype_mismatch_raises(da, db):
    a = dyngraph.ones(2, 3, dtype=dt(da))
    b = dyngraph.ones(3, 2, dtype=dt(db))
    for f in (dyngraph.matmul, dyngraph.mm):
        with pytest.raises(RuntimeError):
            f(a, b)
    with pytest.raises(RuntimeError):
        dyngraph.bmm(a.unsqueeze(0), b.unsqueeze(0))
    with pytest.raises(RuntimeError):
        dyngraph.mv(a, dyngraph.ones(3, dtype=dt(db)))
    with pytest.raises(RuntimeError):
        dyngraph.dot(dyngraph.ones(3, dtype=dt(da)), dyngraph.ones(3, dtype=dt(db)))


# ---------------------------------------------------------------------------------------------
# mm / bmm / mv / dot / vdot / outer
# ---------------------------------------------------------------------------------------------

def test_mm_values_and_method():
    a, b = rnd((3, 4), 1), rnd((4, 2), 2)
    assert_tensor_equal(dyngraph.mm(T(a), T(b)), a @ b, dtype=dyngraph.float64, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(T(a).mm(T(b)), a @ b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("sa,sb", [((3,), (3, 2)), ((2, 3), (3,)), ((2, 3, 4), (4, 2)), ((2, 3), (4, 2))],
                         ids=str)
def test_mm_rejects_non_2d_and_mismatch(sa, sb):
    with pytest.raises(RuntimeError):
        dyngraph.mm(dyngraph.zeros(*sa), dyngraph.zeros(*sb))


def test_bmm_values():
    a, b = rnd((4, 2, 3), 1), rnd((4, 3, 5), 2)
    assert_tensor_equal(dyngraph.bmm(T(a), T(b)), a @ b, dtype=dyngraph.float64, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(T(a).bmm(T(b)), a @ b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("sa,sb", [((2, 3, 4), (3, 4, 5)), ((1, 3, 4), (2, 4, 5)), ((2, 3), (3, 4)),
                                   ((2, 3, 4), (2, 5, 4)), ((2, 2, 3, 4), (2, 2, 4, 5))], ids=str)
def test_bmm_errors(sa, sb):
    # bmm does not broadcast and requires 3-D operands
    with pytest.raises(RuntimeError):
        dyngraph.bmm(dyngraph.zeros(*sa), dyngraph.zeros(*sb))


def test_mv_values_and_errors():
    a, v = rnd((3, 4), 1), rnd((4,), 2)
    assert_tensor_equal(dyngraph.mv(T(a), T(v)), a @ v, dtype=dyngraph.float64, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(T(a).mv(T(v)), a @ v, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.mv(T(a).t(), T(rnd((3,), 3))), a.T @ rnd((3,), 3), rtol=1e-12, atol=1e-12)
    for sa, sv in [((3, 4), (3,)), ((3, 4), (4, 1)), ((4,), (4,)), ((2, 3, 4), (4,))]:
        with pytest.raises(RuntimeError):
            dyngraph.mv(dyngraph.zeros(*sa), dyngraph.zeros(*sv))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "complex128"])
def test_dot_values(dtype):
    a, b = rnd((7,), 1, dtype), rnd((7,), 2, dtype)
    r = dyngraph.dot(T(a), T(b))
    assert r.shape == ()
    assert r.dtype is dt(dtype)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(r.item(), np.dot(a, b), rtol=tol)  # dot does NOT conjugate
    assert_tensor_equal(T(a).dot(T(b)), np.dot(a, b), rtol=tol, atol=tol)


def test_dot_errors():
    for sa, sb in [((3,), (4,)), ((2, 3), (2, 3)), ((3,), (3, 1)), ((), ())]:
        with pytest.raises(RuntimeError):
            dyngraph.dot(dyngraph.zeros(sa), dyngraph.zeros(sb))


def test_vdot_conjugates_first_argument():
    a = np.array([1 + 2j, 3j, -1 + 0.5j], dtype=np.complex128)
    b = np.array([2 - 1j, 1 + 1j, 4j], dtype=np.complex128)
    r = dyngraph.vdot(T(a), T(b))
    assert r.dtype is dyngraph.complex128
    assert r.item() == pytest.approx(np.vdot(a, b))
    assert r.item() != pytest.approx(np.dot(a, b))
    assert T(a).vdot(T(b)).item() == pytest.approx(np.vdot(a, b))
    x, y = rnd((5,), 1), rnd((5,), 2)
    assert dyngraph.vdot(T(x), T(y)).item() == pytest.approx(np.dot(x, y))
    with pytest.raises(RuntimeError):
        dyngraph.vdot(dyngraph.zeros(3), dyngraph.zeros(4))


@pytest.mark.parametrize("fn", ["outer", "ger"])
def test_outer_values(fn):
    a, b = rnd((3,), 1), rnd((4,), 2)
    r = getattr(dyngraph, fn)(T(a), T(b))
    assert_tensor_equal(r, np.outer(a, b), dtype=dyngraph.float64, rtol=1e-15)
    assert_tensor_equal(getattr(T(a), fn)(T(b)), np.outer(a, b), rtol=1e-15)
    ai, bi = np.arange(3), np.arange(4) - 2
    assert_tensor_equal(getattr(dyngraph, fn)(T(ai), T(bi)), np.outer(ai, bi), dtype=dyngraph.int64)


def test_outer_type_promotion_and_errors():
    r = dyngraph.outer(dyngraph.arange(3.0), dyngraph.arange(2))
    assert_tensor_equal(r, np.outer(np.arange(3.0), np.arange(2)), dtype=dyngraph.float32)
    with pytest.raises(RuntimeError):
        dyngraph.outer(dyngraph.zeros(2, 3), dyngraph.zeros(3))


# ---------------------------------------------------------------------------------------------
# addmm / addmv / baddbmm
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("beta,alpha", [(1, 1), (2, 0.5), (0.0, 3), (-1.5, -2)])
def test_addmm_values(beta, alpha):
    inp, m1, m2 = rnd((4,), 0), rnd((3, 5), 1), rnd((5, 4), 2)  # input broadcasts
    expected = beta * inp + alpha * (m1 @ m2)
    r = dyngraph.addmm(T(inp), T(m1), T(m2), beta=beta, alpha=alpha)
    assert_tensor_equal(r, expected, dtype=dyngraph.float64, rtol=1e-12, atol=1e-12)
    r = T(inp).expand(3, 4).addmm(T(m1), T(m2), beta=beta, alpha=alpha)
    assert_tensor_equal(r, expected, rtol=1e-12, atol=1e-12)


def test_addmm_beta_zero_ignores_nan_input():
    m1, m2 = rnd((2, 3), 1), rnd((3, 4), 2)
    inp = dyngraph.full((2, 4), float("nan"), dtype=dyngraph.float64)
    r = dyngraph.addmm(inp, T(m1), T(m2), beta=0)
    assert_tensor_equal(r, m1 @ m2, rtol=1e-12, atol=1e-12)


def test_addmm_int():
    inp = np.ones((2, 4), np.int64)
    m1, m2 = np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4)
    r = dyngraph.addmm(T(inp), T(m1), T(m2), beta=2, alpha=3)
    assert_tensor_equal(r, 2 * inp + 3 * (m1 @ m2), dtype=dyngraph.int64)


def test_addmm_inplace_method():
    inp = np.ones((2, 4))
    m1, m2 = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    t = T(inp)
    ptr = t.untyped_storage_ptr()
    out = t.addmm_(T(m1), T(m2), alpha=0.5)
    assert out is t and t.untyped_storage_ptr() == ptr
    assert_tensor_equal(t, inp + 0.5 * (m1 @ m2))


def test_addmm_errors():
    with pytest.raises(RuntimeError):
        dyngraph.addmm(dyngraph.ones(3), dyngraph.ones(2, 3), dyngraph.ones(3, 4))  # input can't broadcast
    with pytest.raises(RuntimeError):
        dyngraph.addmm(dyngraph.ones(2, 4), dyngraph.ones(2, 3), dyngraph.ones(2, 4))


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2), (0, -1)])
def test_addmv_values(beta, alpha):
    inp, m, v = rnd((3,), 0), rnd((3, 4), 1), rnd((4,), 2)
    r = dyngraph.addmv(T(inp), T(m), T(v), beta=beta, alpha=alpha)
    assert_tensor_equal(r, beta * inp + alpha * (m @ v), dtype=dyngraph.float64, rtol=1e-12, atol=1e-12)
    r = dyngraph.addmv(T(inp[:1]), T(m), T(v), beta=beta, alpha=alpha)  # broadcast input
    assert_tensor_equal(r, beta * inp[:1] + alpha * (m @ v), rtol=1e-12, atol=1e-12)
    with pytest.raises(RuntimeError):
        dyngraph.addmv(T(inp), T(m), T(rnd((3,), 5)))


@pytest.mark.parametrize("beta,alpha", [(1, 1), (-1, 2), (0, 0.25)])
def test_baddbmm_values(beta, alpha):
    inp, b1, b2 = rnd((1, 2, 4), 0), rnd((3, 2, 5), 1), rnd((3, 5, 4), 2)
    r = dyngraph.baddbmm(T(inp), T(b1), T(b2), beta=beta, alpha=alpha)
    assert_tensor_equal(r, beta * inp + alpha * (b1 @ b2), dtype=dyngraph.float64, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(T(inp).expand(3, 2, 4).baddbmm(T(b1), T(b2), beta=beta, alpha=alpha),
                        beta * inp + alpha * (b1 @ b2), rtol=1e-12, atol=1e-12)
    with pytest.raises(RuntimeError):
        dyngraph.baddbmm(T(inp), T(b1), T(rnd((2, 5, 4), 3)))


# ---------------------------------------------------------------------------------------------
# trace / diag / tril / triu
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2), (1, 1)])
def test_trace(shape):
    a = rnd(shape, 1)
    r = dyngraph.trace(T(a))
    assert r.shape == () and r.dtype is dyngraph.float64
    assert r.item() == pytest.approx(np.trace(a))
    assert T(a).trace().item() == pytest.approx(np.trace(a))


def test_trace_int_promotes_to_int64_and_errors():
    a = np.arange(9, dtype=np.int32).reshape(3, 3)
    r = dyngraph.trace(T(a))
    assert r.dtype is dyngraph.int64 and r.item() == 12
    for shape in [(3,), (2, 2, 2)]:
        with pytest.raises(RuntimeError):
            dyngraph.trace(dyngraph.zeros(*shape))


@pytest.mark.parametrize("k", [0, 1, 2, -1, -3])
def test_diag_1d_builds_matrix(k):
    v = rnd((3,), 1)
    r = dyngraph.diag(T(v), k)
    assert_tensor_equal(r, np.diag(v, k), dtype=dyngraph.float64)
    assert_tensor_equal(dyngraph.diag(T(v), diagonal=k), np.diag(v, k))
    assert_tensor_equal(T(v).diag(k), np.diag(v, k))


@pytest.mark.parametrize("k", [0, 1, 3, -1, -2, 6, -5])
def test_diag_2d_extracts(k):
    a = np.arange(20).reshape(4, 5)
    r = dyngraph.diag(T(a), diagonal=k)
    assert_tensor_equal(r, np.diag(a, k), dtype=dyngraph.int64)
    assert_tensor_equal(dyngraph.diag(T(a).t(), k), np.diag(a.T, k))


def test_diag_rejects_3d():
    with pytest.raises(RuntimeError):
        dyngraph.diag(dyngraph.zeros(2, 2, 2))


@pytest.mark.parametrize("k", [0, 1, -1, 3, -4, 10, -10])
@pytest.mark.parametrize("shape", [(4, 5), (5, 3), (2, 3, 4)])
def test_tril_triu(k, shape):
    a = np.arange(int(np.prod(shape))).reshape(shape) + 1
    assert_tensor_equal(dyngraph.tril(T(a), k), np.tril(a, k), dtype=dyngraph.int64)
    assert_tensor_equal(dyngraph.triu(T(a), diagonal=k), np.triu(a, k), dtype=dyngraph.int64)
    assert_tensor_equal(T(a).tril(k), np.tril(a, k))
    assert_tensor_equal(T(a).triu(k), np.triu(a, k))


def test_tril_triu_dtypes_and_noncontig():
    a = rnd((4, 4), 1)
    assert_tensor_equal(dyngraph.tril(T(a).t()), np.tril(a.T))
    b = np.ones((3, 3), dtype=bool)
    assert_tensor_equal(dyngraph.triu(T(b), 1), np.triu(b, 1), dtype=dyngraph.bool)
    c = rnd((3, 3), 2, "complex64")
    assert_tensor_equal(dyngraph.tril(T(c), -1), np.tril(c, -1), dtype=dyngraph.complex64)
    with pytest.raises(RuntimeError):
        dyngraph.tril(dyngraph.zeros(3))


def test_tril_triu_inplace():
    a = np.arange(12.0).reshape(3, 4)
    t = T(a)
    ptr = t.untyped_storage_ptr()
    r = t.tril_(1)
    assert r is t and t.untyped_storage_ptr() == ptr
    assert_tensor_equal(t, np.tril(a, 1))
    t = T(a)
    t.triu_(-1)
    assert_tensor_equal(t, np.triu(a, -1))
    # in-place on a non-contiguous view writes through to the base
    base = T(np.arange(16.0).reshape(4, 4))
    base[:, 1:].triu_()
    expected = np.arange(16.0).reshape(4, 4)
    expected[:, 1:] = np.triu(expected[:, 1:])
    assert_tensor_equal(base, expected)


# ---------------------------------------------------------------------------------------------
# norms
# ---------------------------------------------------------------------------------------------

def np_vector_norm(a, ord=2, axis=None, keepdims=False):
    x = np.abs(a)
    if ord == math.inf:
        return x.max(axis=axis, keepdims=keepdims)
    if ord == -math.inf:
        return x.min(axis=axis, keepdims=keepdims)
    if ord == 0:
        return (x != 0).sum(axis=axis, keepdims=keepdims).astype(a.real.dtype)
    return (x ** ord).sum(axis=axis, keepdims=keepdims) ** (1.0 / ord)


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, math.inf, -math.inf, 0])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), (-1, True), ((0, 2), False), ((0, 1, 2), True)])
def test_vector_norm(ord, dim, keepdim):
    a = rnd((2, 3, 4), 1)
    a[0, 0, 0] = 0.0
    expected = np_vector_norm(a, ord, axis=dim, keepdims=keepdim)
    if dim is None and keepdim is False:
        r = dyngraph.linalg.vector_norm(T(a), ord)
    else:
        r = dyngraph.linalg.vector_norm(T(a), ord, dim=dim, keepdim=keepdim)
    assert_tensor_equal(r, expected, dtype=dyngraph.float64, rtol=1e-12, atol=1e-12)


def test_vector_norm_complex_float32_and_dtype():
    c = np.array([3 + 4j, 1j, -2], dtype=np.complex64)
    r = dyngraph.linalg.vector_norm(T(c))
    assert r.dtype is dyngraph.float32
    assert r.item() == pytest.approx(math.sqrt(25 + 1 + 4), rel=1e-6)
    f = rnd((5,), 1, "float32")
    r = dyngraph.linalg.vector_norm(T(f), dtype=dyngraph.float64)
    assert r.dtype is dyngraph.float64
    assert r.item() == pytest.approx(np.linalg.norm(f.astype(np.float64)), rel=1e-12)
    with pytest.raises(RuntimeError):
        dyngraph.linalg.vector_norm(dyngraph.arange(4))  # integer input


def test_matrix_norm_fro():
    a = rnd((3, 4), 1)
    r = dyngraph.linalg.matrix_norm(T(a))
    assert r.item() == pytest.approx(np.linalg.norm(a, "fro"), rel=1e-12)
    b = rnd((2, 3, 4), 2)
    r = dyngraph.linalg.matrix_norm(T(b), "fro")
    assert_tensor_equal(r, np.linalg.norm(b, "fro", axis=(-2, -1)), rtol=1e-12)
    r = dyngraph.linalg.matrix_norm(T(b), "fro", keepdim=True)
    assert_tensor_equal(r, np.linalg.norm(b, "fro", axis=(-2, -1), keepdims=True), rtol=1e-12)
    r = dyngraph.linalg.matrix_norm(T(b), "fro", dim=(0, 2))
    assert_tensor_equal(r, np.sqrt((b ** 2).sum(axis=(0, 2))), rtol=1e-12)
    with pytest.raises(RuntimeError):
        dyngraph.linalg.matrix_norm(dyngraph.zeros(3))


def test_linalg_norm():
    a = rnd((3, 4), 1)
    v = rnd((5,), 2)
    assert dyngraph.linalg.norm(T(a)).item() == pytest.approx(np.linalg.norm(a), rel=1e-12)
    assert dyngraph.linalg.norm(T(a), "fro").item() == pytest.approx(np.linalg.norm(a, "fro"), rel=1e-12)
    assert dyngraph.linalg.norm(T(v), 1).item() == pytest.approx(np.abs(v).sum(), rel=1e-12)
    assert dyngraph.linalg.norm(T(v), math.inf).item() == pytest.approx(np.abs(v).max(), rel=1e-12)
    assert_tensor_equal(dyngraph.linalg.norm(T(a), dim=1), np.linalg.norm(a, axis=1), rtol=1e-12)
    assert_tensor_equal(dyngraph.linalg.norm(T(a), 3, dim=0, keepdim=True),
                        np_vector_norm(a, 3, axis=0, keepdims=True), rtol=1e-12)


def test_torch_norm_and_tensor_norm():
    a = rnd((3, 4), 1)
    assert dyngraph.norm(T(a)).item() == pytest.approx(np.linalg.norm(a), rel=1e-12)
    assert dyngraph.norm(T(a), p="fro").item() == pytest.approx(np.linalg.norm(a), rel=1e-12)
    assert_tensor_equal(dyngraph.norm(T(a), p=1, dim=0), np.abs(a).sum(0), rtol=1e-12)
    assert_tensor_equal(T(a).norm(dim=1, keepdim=True), np.linalg.norm(a, axis=1, keepdims=True), rtol=1e-12)
    assert T(a).norm(3).item() == pytest.approx(np_vector_norm(a, 3), rel=1e-12)
    assert T(a).norm(math.inf).item() == pytest.approx(np.abs(a).max(), rel=1e-12)
    r = T(a.astype(np.float32)).norm()
    assert r.dtype is dyngraph.float32 and r.item() == pytest.approx(np.linalg.norm(a), rel=1e-6)


# ---------------------------------------------------------------------------------------------
# gradients
# ---------------------------------------------------------------------------------------------

GRAD_CASES = {
    "mm": (lambda a, b: dyngraph.mm(a, b), [(2, 3), (3, 4)]),
    "mm_transposed": (lambda a, b: dyngraph.mm(a.t(), b.t()), [(3, 2), (4, 3)]),
    "bmm": (lambda a, b: dyngraph.bmm(a, b), [(2, 2, 3), (2, 3, 2)]),
    "mv": (lambda a, v: dyngraph.mv(a, v), [(3, 4), (4,)]),
    "dot": (lambda a, b: dyngraph.dot(a, b), [(5,), (5,)]),
    "vdot": (lambda a, b: dyngraph.vdot(a, b), [(5,), (5,)]),
    "outer": (lambda a, b: dyngraph.outer(a, b), [(3,), (4,)]),
    "ger": (lambda a, b: dyngraph.ger(a, b), [(2,), (3,)]),
    "addmm": (lambda i, a, b: dyngraph.addmm(i, a, b, beta=0.7, alpha=-1.3), [(4,), (2, 3), (3, 4)]),
    "addmm_default": (lambda i, a, b: dyngraph.addmm(i, a, b), [(2, 4), (2, 3), (3, 4)]),
    "addmv": (lambda i, a, v: dyngraph.addmv(i, a, v, beta=2.0, alpha=0.5), [(3,), (3, 4), (4,)]),
    "baddbmm": (lambda i, a, b: dyngraph.baddbmm(i, a, b, beta=-0.5, alpha=1.5), [(2, 1), (2, 2, 3), (2, 3, 1)]),
    "trace": (lambda a: dyngraph.trace(a), [(3, 4)]),
    "diag_1d": (lambda v: dyngraph.diag(v, 1), [(3,)]),
    "diag_2d": (lambda a: dyngraph.diag(a, -1), [(4, 3)]),
    "tril": (lambda a: dyngraph.tril(a, -1), [(3, 4)]),
    "triu": (lambda a: dyngraph.triu(a, 1), [(2, 3, 4)]),
    "vector_norm_2": (lambda a: dyngraph.linalg.vector_norm(a), [(3, 4)]),
    "vector_norm_1_dim": (lambda a: dyngraph.linalg.vector_norm(a, 1, dim=1), [(3, 4)]),
    "vector_norm_3_keep": (lambda a: dyngraph.linalg.vector_norm(a, 3, dim=(0, 1), keepdim=True), [(2, 3, 2)]),
    "vector_norm_inf": (lambda a: dyngraph.linalg.vector_norm(a, math.inf, dim=0), [(3, 4)]),
    "matrix_norm_fro": (lambda a: dyngraph.linalg.matrix_norm(a), [(2, 3, 4)]),
    "tensor_norm": (lambda a: a.norm(dim=1), [(3, 4)]),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradcheck_linalg(name):
    fn, shapes = GRAD_CASES[name]
    inputs = tuple(g64(s, k + 7) for k, s in enumerate(shapes))
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name", ["mm", "bmm", "mv", "dot", "outer", "addmm"])
def test_gradgradcheck_linalg(name):
    fn, shapes = GRAD_CASES[name]
    inputs = tuple(g64(s, k + 11) for k, s in enumerate(shapes))
    assert gradgradcheck(fn, inputs)


def test_mm_grad_values():
    a_np, b_np = rnd((2, 3), 1), rnd((3, 4), 2)
    go_np = rnd((2, 4), 3)
    a, b = T(a_np, True), T(b_np, True)
    dyngraph.mm(a, b).backward(T(go_np))
    assert_tensor_equal(a.grad, go_np @ b_np.T, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(b.grad, a_np.T @ go_np, rtol=1e-12, atol=1e-12)


def test_vector_norm_grad_at_zero_is_zero():
    # PyTorch defines the subgradient of the 2-norm at 0 as 0 (not nan)
    z = dyngraph.zeros(3, dtype=dyngraph.float64, requires_grad=True)
    dyngraph.linalg.vector_norm(z).backward()
    assert_tensor_equal(z.grad, np.zeros(3))


def test_vector_norm_inf_grad_ties_split():
    x = dyngraph.tensor([1.0, -3.0, 3.0], dtype=dyngraph.float64, requires_grad=True)
    dyngraph.linalg.vector_norm(x, math.inf).backward()
    assert_tensor_equal(x.grad, np.array([0.0, -0.5, 0.5]))


def test_linalg_grad_dtype_and_shape_match_inputs():
    a = dyngraph.randn(2, 1, 2, 3, dtype=dyngraph.float32, requires_grad=True)
    b = dyngraph.randn(4, 3, 2, dtype=dyngraph.float32, requires_grad=True)
    (a @ b).sum().backward()
    assert a.grad.shape == a.shape and a.grad.dtype is dyngraph.float32
    assert b.grad.shape == b.shape and b.grad.dtype is dyngraph.float32


def test_matches_torch_optional():
    torch = pytest.importorskip("torch")
    a, b = rnd((2, 1, 3, 4), 1), rnd((5, 4, 2), 2)
    expected = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()
    assert_tensor_equal(T(a) @ T(b), expected, rtol=1e-12, atol=1e-12)
    c = rnd((3, 4), 3)
    assert_tensor_equal(dyngraph.linalg.vector_norm(T(c), 0.5, dim=1),
                        torch.linalg.vector_norm(torch.from_numpy(c), 0.5, dim=1).numpy(), rtol=1e-12)
