"""linalg on LAPACK: decompositions and solvers against NumPy, LinAlgError and the _ex variants,
gradients by finite differences (gradcheck / gradgradcheck in float64), complex gradients against
PyTorch where it is installed, and the legacy top-level names."""

import numpy as np
import pytest

import dyngraph
from dyngraph import linalg
from dyngraph.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(7)


def _t(a, requires_grad=False):
    return dyngraph.tensor(a, requires_grad=requires_grad)


def _spd(n, batch=()):
    a = RNG.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128"])
def test_inv_det_slogdet_solve_against_numpy(dtype):
    a = RNG.standard_normal((3, 4, 4))
    if dtype.startswith("complex"):
        a = a + 1j * RNG.standard_normal((3, 4, 4))
    a = a.astype(dtype)
    b = RNG.standard_normal((3, 4, 2)).astype(dtype)
    tol = 1e-4 if dtype == "float32" else 1e-10
    A = _t(a)
    np.testing.assert_allclose(_np(linalg.inv(A)), np.linalg.inv(a), rtol=tol, atol=tol)
    np.testing.assert_allclose(_np(linalg.det(A)), np.linalg.det(a), rtol=tol)
    sign, logabsdet = linalg.slogdet(A)
    ref_sign, ref_log = np.linalg.slogdet(a)
    np.testing.assert_allclose(_np(sign), ref_sign, rtol=tol)
    np.testing.assert_allclose(_np(logabsdet), ref_log, rtol=tol)
    np.testing.assert_allclose(_np(linalg.solve(A, _t(b))), np.linalg.solve(a, b), rtol=tol, atol=tol)
    x = linalg.solve(A, _t(b[..., 0]))  # a batch of vectors
    np.testing.assert_allclose(_np(x), np.linalg.solve(a, b[..., :1])[..., 0], rtol=tol, atol=tol)
    x = linalg.solve(A, _t(b.swapaxes(-1, -2)), left=False)  # X A = B
    np.testing.assert_allclose(_np(x @ A), b.swapaxes(-1, -2), rtol=tol, atol=tol)


def test_inputs_are_left_unchanged_whatever_their_layout():
    a = _spd(4)
    for A in (_t(a), _t(a.copy()).mT, _t(np.asfortranarray(a))):
        before = _np(A).copy()
        for fn in (linalg.lu_factor, linalg.cholesky, linalg.qr, linalg.eigh, linalg.svd, linalg.eig, linalg.inv,
                   linalg.det, lambda m: linalg.solve(m, m), lambda m: linalg.solve_triangular(m, m, upper=True)):
            fn(A)
        np.testing.assert_array_equal(_np(A), before)


def test_solve_broadcasts_the_batch():
    a = RNG.standard_normal((4, 4))
    b = RNG.standard_normal((5, 4, 3))
    np.testing.assert_allclose(_np(linalg.solve(_t(a), _t(b))), np.linalg.solve(a, b), rtol=1e-10)


def test_singular_inputs_raise_linalg_error_and_ex_variants_report():
    singular = _t(np.array([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(linalg.LinAlgError, match="singular"):
        linalg.inv(singular)
    with pytest.raises(linalg.LinAlgError, match="singular"):
        linalg.solve(singular, _t(np.ones((2, 1))))
    assert issubclass(linalg.LinAlgError, RuntimeError)
    _, info = linalg.inv_ex(singular)
    assert info.item() == 2
    assert linalg.det(singular).item() == 0
    with pytest.raises(linalg.LinAlgError, match=r"\(Batch element 1\).*leading minor of order 1"):
        linalg.cholesky(_t(np.stack([np.eye(2), -np.eye(2)])))
    L, info = linalg.cholesky_ex(_t(-np.eye(2)))
    assert info.item() == 1
    with pytest.raises(RuntimeError, match="square"):
        linalg.inv(_t(np.ones((2, 3))))
    with pytest.raises(RuntimeError, match="floating point"):
        linalg.inv(dyngraph.eye(2, dtype=dyngraph.int64))


def test_cholesky_qr_eigh_svd_eig_against_numpy():
    spd = _spd(4, (2,))
    L = linalg.cholesky(_t(spd))
    np.testing.assert_allclose(_np(L), np.linalg.cholesky(spd), rtol=1e-10)
    U = linalg.cholesky(_t(spd), upper=True)
    np.testing.assert_allclose(_np(U), np.swapaxes(np.linalg.cholesky(spd), -1, -2), rtol=1e-10)
    for shape in [(5, 3), (3, 5), (4, 4)]:
        a = RNG.standard_normal(shape)
        Q, R = linalg.qr(_t(a))
        np.testing.assert_allclose(_np(Q @ R), a, atol=1e-12)
        np.testing.assert_allclose(_np(Q.mT @ Q), np.eye(Q.shape[-1]), atol=1e-12)
        assert np.allclose(np.tril(_np(R), -1), 0)
        Qc, Rc = linalg.qr(_t(a), mode="complete")
        assert Qc.shape == (shape[0], shape[0]) and Rc.shape == shape
        np.testing.assert_allclose(_np(Qc @ Rc), a, atol=1e-12)
    w, V = linalg.eigh(_t(spd))
    np.testing.assert_allclose(_np(w), np.linalg.eigh(spd)[0], rtol=1e-10)
    np.testing.assert_allclose(_np(_t(spd) @ V), _np(V * w.unsqueeze(-2)), atol=1e-10)
    np.testing.assert_allclose(_np(linalg.eigvalsh(_t(spd), UPLO="U")), np.linalg.eigvalsh(spd, UPLO="U"))
    a = RNG.standard_normal((2, 5, 3))
    U, S, Vh = linalg.svd(_t(a), full_matrices=False)
    np.testing.assert_allclose(_np(S), np.linalg.svd(a, compute_uv=False), rtol=1e-10)
    np.testing.assert_allclose(_np(U @ dyngraph.diag_embed(S) @ Vh), a, atol=1e-12)
    U, S, Vh = linalg.svd(_t(a))
    assert U.shape == (2, 5, 5) and Vh.shape == (2, 3, 3)
    np.testing.assert_allclose(_np(linalg.svdvals(_t(a))), np.linalg.svd(a, compute_uv=False), rtol=1e-10)
    g = RNG.standard_normal((4, 4))
    w, V = linalg.eig(_t(g))
    assert w.dtype == dyngraph.complex128
    np.testing.assert_allclose(np.sort_complex(_np(w)), np.sort_complex(np.linalg.eigvals(g)), rtol=1e-10)
    np.testing.assert_allclose(_np(_t(g).to(dyngraph.complex128) @ V), _np(V * w.unsqueeze(-2)), atol=1e-10)
    np.testing.assert_allclose(np.sort_complex(_np(linalg.eigvals(_t(g)))), np.sort_complex(np.linalg.eigvals(g)))


def test_lu_family():
    a = RNG.standard_normal((2, 4, 4))
    LU, pivots = linalg.lu_factor(_t(a))
    assert pivots.dtype == dyngraph.int32
    P, L, U = linalg.lu(_t(a))
    np.testing.assert_allclose(_np(P @ L @ U), a, atol=1e-12)
    b = RNG.standard_normal((2, 4, 2))
    np.testing.assert_allclose(_np(linalg.lu_solve(LU, pivots, _t(b))), np.linalg.solve(a, b), rtol=1e-10)
    np.testing.assert_allclose(_np(linalg.lu_solve(LU, pivots, _t(b), adjoint=True)),
                               np.linalg.solve(np.swapaxes(a, -1, -2), b), rtol=1e-10)
    wide = RNG.standard_normal((3, 5))
    P, L, U = linalg.lu(_t(wide))
    np.testing.assert_allclose(_np(P @ L @ U), wide, atol=1e-12)
    with pytest.raises(linalg.LinAlgError, match="U\\[2,2\\] is zero"):
        linalg.lu_factor(_t(np.array([[1.0, 2.0], [2.0, 4.0]])))


def test_triangular_and_least_squares_and_pseudo_inverse():
    u = np.triu(RNG.standard_normal((4, 4))) + 4 * np.eye(4)
    b = RNG.standard_normal((4, 3))
    np.testing.assert_allclose(_np(linalg.solve_triangular(_t(u), _t(b), upper=True)), np.linalg.solve(u, b))
    np.testing.assert_allclose(_np(linalg.solve_triangular(_t(u), _t(b.T), upper=True, left=False)),
                               b.T @ np.linalg.inv(u), rtol=1e-10)
    a = RNG.standard_normal((6, 3))
    y = RNG.standard_normal((6, 2))
    sol = linalg.lstsq(_t(a), _t(y), driver="gelsd")
    ref = np.linalg.lstsq(a, y, rcond=None)
    np.testing.assert_allclose(_np(sol.solution), ref[0], rtol=1e-10)
    np.testing.assert_allclose(_np(sol.residuals), ref[1], rtol=1e-10)
    assert sol.rank.item() == 3
    np.testing.assert_allclose(_np(sol.singular_values), ref[3], rtol=1e-10)
    np.testing.assert_allclose(_np(linalg.pinv(_t(a))), np.linalg.pinv(a), rtol=1e-10)
    low_rank = a[:, :1] @ a[:1, :]
    assert linalg.matrix_rank(_t(low_rank)).item() == 1
    np.testing.assert_allclose(_np(linalg.pinv(_t(low_rank))), np.linalg.pinv(low_rank), atol=1e-10)
    np.testing.assert_allclose(linalg.cond(_t(u)).item(), np.linalg.cond(u), rtol=1e-10)
    np.testing.assert_allclose(linalg.cond(_t(u), "fro").item(), np.linalg.cond(u, "fro"), rtol=1e-10)
    for ord in (2, -2, "nuc"):
        np.testing.assert_allclose(linalg.matrix_norm(_t(a), ord).item(), np.linalg.norm(a, ord), rtol=1e-10)
    np.testing.assert_allclose(linalg.norm(_t(a), 2).item(), np.linalg.norm(a, 2), rtol=1e-10)


def test_matrix_functions():
    s = _spd(3) / 10
    w, V = np.linalg.eigh(s)
    np.testing.assert_allclose(_np(linalg.matrix_exp(_t(s))), V @ np.diag(np.exp(w)) @ V.T, rtol=1e-12)
    big = 6 * _spd(3)
    w, V = np.linalg.eigh(big)
    np.testing.assert_allclose(_np(linalg.matrix_exp(_t(big))), V @ np.diag(np.exp(w)) @ V.T, rtol=1e-9)
    a = RNG.standard_normal((3, 3))
    np.testing.assert_allclose(_np(linalg.matrix_power(_t(a), 5)), np.linalg.matrix_power(a, 5), rtol=1e-10)
    np.testing.assert_allclose(_np(linalg.matrix_power(_t(a), -2)), np.linalg.matrix_power(a, -2), rtol=1e-9)
    np.testing.assert_allclose(_np(linalg.matrix_power(_t(a), 0)), np.eye(3))
    t = RNG.standard_normal((4, 6, 8, 3))
    np.testing.assert_allclose(_np(linalg.tensorinv(_t(t), ind=2)), np.linalg.tensorinv(t, ind=2), rtol=1e-9)
    rhs = RNG.standard_normal((4, 6))
    np.testing.assert_allclose(_np(linalg.tensorsolve(_t(t), _t(rhs))), np.linalg.tensorsolve(t, rhs), rtol=1e-9)
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(_np(linalg.vander(_t(x))), np.vander(x, increasing=True))
    np.testing.assert_allclose(_np(linalg.vecdot(_t(a), _t(a))), (a * a).sum(-1))
    m = RNG.standard_normal((5, 3))
    reflectors, tau = dyngraph.geqrf(_t(m))
    Q, _ = linalg.qr(_t(m))
    np.testing.assert_allclose(_np(linalg.householder_product(reflectors, tau)), _np(Q), atol=1e-12)


def _sym(x):
    return x + x.mT


@pytest.mark.parametrize("name,fn,shapes", [
    ("inv", lambda a: linalg.inv(a), [(3, 3)]),
    ("det", lambda a: linalg.det(a), [(2, 3, 3)]),
    ("logabsdet", lambda a: linalg.slogdet(a)[1], [(3, 3)]),
    ("solve", lambda a, b: linalg.solve(a, b), [(3, 3), (3, 2)]),
    ("solve_right", lambda a, b: linalg.solve(a, b, left=False), [(3, 3), (2, 3)]),
    ("cholesky", lambda a: linalg.cholesky(_sym(a) + 6 * dyngraph.eye(3, dtype=a.dtype)), [(3, 3)]),
    ("cholesky_upper", lambda a: linalg.cholesky(_sym(a) + 6 * dyngraph.eye(3, dtype=a.dtype), upper=True),
     [(3, 3)]),
    ("qr_tall", lambda a: linalg.qr(a), [(4, 3)]),
    ("qr_wide", lambda a: linalg.qr(a), [(3, 4)]),
    ("eigh", lambda a: (lambda w, v: (w, v @ dyngraph.diag_embed(w) @ v.mT, v * v))(*linalg.eigh(_sym(a))),
     [(3, 3)]),
    ("svd", lambda a: (lambda u, s, vh: (s, u[:, :1] @ vh[:1, :]))(*linalg.svd(a, full_matrices=False)),
     [(4, 3)]),
    ("svd_wide", lambda a: (lambda u, s, vh: (s, u[:, :1] @ vh[:1, :]))(*linalg.svd(a, full_matrices=False)),
     [(3, 4)]),
    ("eigvals", lambda a: linalg.eigvals(_sym(a) + 0.3 * a).real, [(3, 3)]),
    ("lu_factor", lambda a: linalg.lu_factor(a)[0], [(3, 3)]),
    ("solve_triangular", lambda a, b: linalg.solve_triangular(a + 4 * dyngraph.eye(3, dtype=a.dtype), b,
                                                              upper=False), [(3, 3), (3, 2)]),
    ("matrix_exp", lambda a: linalg.matrix_exp(a), [(3, 3)]),
    ("pinv", lambda a: linalg.pinv(a), [(4, 3)]),
    ("householder", lambda a, t: linalg.householder_product(a, t), [(4, 3), (2,)]),
])
def test_gradients_by_finite_differences(name, fn, shapes):
    inputs = [_t(RNG.standard_normal(s) + (2 * np.eye(s[-1]) if len(s) >= 2 and s[-1] == s[-2] else 0),
                 requires_grad=True) for s in shapes]
    assert gradcheck(fn, inputs, eps=1e-6, atol=1e-6, rtol=1e-4)
    if name in ("inv", "det", "solve", "cholesky", "qr_tall", "eigh", "svd", "solve_triangular"):
        assert gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


def test_det_gradient_of_a_singular_matrix_is_the_adjugate():
    a = _t(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]), requires_grad=True)
    linalg.det(a).backward()
    m = _np(a)
    cofactors = np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(m, i, 0), j, 1)) for j in range(3)]
                          for i in range(3)])
    np.testing.assert_allclose(_np(a.grad), cofactors, atol=1e-10)


def test_eigh_gauge_dependent_complex_loss_is_refused():
    a = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
    A = _t(a + a.conj().T, requires_grad=True)
    _, V = linalg.eigh(A)
    with pytest.raises(RuntimeError, match="ill-defined"):
        V[1, 0].real.backward()  # PyTorch refuses it too (V[0, 0] is real by LAPACK's convention)


def test_complex_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3)) + 3 * np.eye(3)
    h = a @ a.conj().T + 3 * np.eye(3)
    cases = [
        (a, lambda lib, x: lib.linalg.inv(x).abs().sum()),
        (a, lambda lib, x: lib.linalg.det(x).abs()),
        (a, lambda lib, x: lib.linalg.slogdet(x)[1]),
        (h, lambda lib, x: lib.linalg.cholesky(x).abs().sum()),
        (a, lambda lib, x: lib.linalg.qr(x)[1].abs().sum()),
        (h, lambda lib, x: (lambda w, v: w.sum() + (v.abs() ** 2)[0].sum())(*lib.linalg.eigh(x))),
        (a, lambda lib, x: (lambda u, s, vh: s.sum() + (u[:, :1] @ vh[:1, :]).abs().sum())(
            *lib.linalg.svd(x, full_matrices=False))),
        (a, lambda lib, x: lib.linalg.solve(x, x.conj() @ x).abs().sum()),
    ]
    for value, loss in cases:
        mine = _t(value, requires_grad=True)
        loss(dyngraph, mine).backward()
        ref = torch.tensor(value, requires_grad=True)
        loss(torch, ref).backward()
        np.testing.assert_allclose(_np(mine.grad), ref.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_legacy_names():
    a = RNG.standard_normal((4, 3))
    U, S, V = dyngraph.svd(_t(a))
    np.testing.assert_allclose(_np(U @ dyngraph.diag_embed(S) @ V.mT), a, atol=1e-12)
    U, S, V = dyngraph.svd(_t(a), some=False)
    assert U.shape == (4, 4)
    _, _, V0 = dyngraph.svd(_t(a), compute_uv=False)
    assert (V0 == 0).all()
    sq = _t(_spd(3))
    np.testing.assert_allclose(_np(sq.inverse()), np.linalg.inv(_np(sq)), rtol=1e-10)
    np.testing.assert_allclose(sq.det().item(), np.linalg.det(_np(sq)), rtol=1e-10)
    np.testing.assert_allclose(dyngraph.logdet(sq).item(), np.log(np.linalg.det(_np(sq))), rtol=1e-10)
    assert np.isnan(dyngraph.logdet(-dyngraph.eye(3, dtype=dyngraph.float64)).item())
    L = dyngraph.cholesky(sq)
    b = _t(RNG.standard_normal((3, 2)))
    np.testing.assert_allclose(_np(dyngraph.cholesky_solve(b, L)), np.linalg.solve(_np(sq), _np(b)), rtol=1e-10)
    np.testing.assert_allclose(_np(dyngraph.cholesky_inverse(L)), np.linalg.inv(_np(sq)), rtol=1e-10)
    LU, piv = dyngraph.lu(sq)
    np.testing.assert_allclose(_np(dyngraph.lu_solve(b, LU, piv)), np.linalg.solve(_np(sq), _np(b)), rtol=1e-10)
    P, Lo, Up = dyngraph.lu_unpack(LU, piv)
    np.testing.assert_allclose(_np(P @ Lo @ Up), _np(sq), atol=1e-12)
    X, copy = dyngraph.triangular_solve(b, sq.triu(), upper=True)
    np.testing.assert_allclose(_np(sq.triu() @ X), _np(b), atol=1e-12)
    np.testing.assert_allclose(_np(dyngraph.pinverse(_t(a))), np.linalg.pinv(a), rtol=1e-10)
    Q, R = dyngraph.qr(_t(a))
    np.testing.assert_allclose(_np(Q @ R), a, atol=1e-12)
    np.testing.assert_allclose(_np(dyngraph.matrix_power(sq, 2)), _np(sq) @ _np(sq), rtol=1e-12)
    sign, logabsdet = dyngraph.slogdet(sq)
    assert sign.item() == 1.0
    with pytest.raises(RuntimeError, match="linalg.lstsq"):
        dyngraph.lstsq(b, sq)
    reflectors, tau = dyngraph.geqrf(_t(a))
    np.testing.assert_allclose(_np(dyngraph.ormqr(reflectors, tau, _t(np.eye(4)))[:, :3]), _np(Q), atol=1e-12)
    U, S, V = dyngraph.svd_lowrank(_t(a), q=2)
    assert U.shape == (4, 2) and S.shape == (2,)
