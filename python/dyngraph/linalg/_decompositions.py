"""Matrix decompositions with their gradients: cholesky, qr, eigh, eig, svd,
lu_factor and solve_triangular.

Forward passes call the LAPACK primitives of the core (_C._linalg_*). Each
backward is written with the differentiable public ops (matmul,
solve_triangular, solve), so second derivatives work too. The formulas are
the standard ones (as in PyTorch's FunctionsManual): they assume the
gradient is gauge-invariant where the decomposition is only unique up to a
phase, and raise PyTorch's error when it is not.
"""

from .. import _C
from ..autograd.function import Function
from ..return_types import result
from ._checks import check_matrix, eye_like, raise_for_info
from .._signature import typed


def _mH(X):
    return X.transpose(-2, -1).conj() if X.is_complex() else X.transpose(-2, -1)


def _diag_embed(v):
    from .._matrix_construction import diag_embed

    return diag_embed(v)


def _check_gauge(X, name):
    """The imaginary part of diag(X) must vanish for a loss that does not depend on eigenvector phases."""
    if X.is_complex() and bool((X.diagonal(0, -2, -1).imag.abs() > 1e-6 * (1 + X.abs().amax())).any()):
        raise RuntimeError(f"{name}: The eigenvectors in the complex case are specified up to multiplication by "
                           "e^{i phi}. The specified loss function depends on this quantity, so it is ill-defined.")


# ---- triangular solve --------------------------------------------------------------------------------


class _TriangularSolve(Function):
    @staticmethod
    def forward(ctx, A, B, upper, left, unitriangular):
        from ._checks import broadcast_batch

        A_, B_ = broadcast_batch(A, B)
        if left:
            X = _C._linalg_triangular_solve(A_, B_, upper, False, unitriangular)
        else:  # X A = B  <=>  A^H X^H = B^H
            X = _mH(_C._linalg_triangular_solve(A_, _mH(B_), upper, True, unitriangular))
        ctx.upper, ctx.left, ctx.unit = upper, left, unitriangular
        ctx.shapes = (tuple(A.shape), tuple(B.shape))
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx, gX):
        A, X = ctx.saved_tensors
        a_shape, b_shape = ctx.shapes
        # left: X = A^-1 B, so gB = A^-H gX and gA = -gB X^H; right: X = B A^-1, gB = gX A^-H, gA = -X^H gB
        gB = solve_triangular(_mH(A), gX, upper=not ctx.upper, left=ctx.left, unitriangular=ctx.unit)
        gA = None
        if ctx.needs_input_grad[0]:
            gA = -gB @ _mH(X) if ctx.left else -_mH(X) @ gB
            gA = gA.triu(1 if ctx.unit else 0) if ctx.upper else gA.tril(-1 if ctx.unit else 0)
            gA = _sum_to(gA, a_shape)
        return gA, _sum_to(gB, b_shape), None, None, None


def _sum_to(g, shape):
    """g summed over the batch dims that broadcasting added or expanded."""
    return g if tuple(g.shape) == tuple(shape) else g.sum_to_size(shape)


@typed("linalg_solve_triangular", A="Tensor", B="Tensor", upper="bool", left="bool", unitriangular="bool")
def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B (left) or X A = B, for triangular A (the other triangle is not read)."""
    check_matrix(A, "linalg.solve_triangular", square=True)
    check_matrix(B, "linalg.solve_triangular", arg="B")
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve_triangular: Expected A and B to have the same dtype, but found A of type "
                           f"{A.dtype} and B of type {B.dtype} instead")
    X = _TriangularSolve.apply(A, B, upper, left, unitriangular)
    return X if out is None else out.copy_(X)


# ---- cholesky ----------------------------------------------------------------------------------------


class _Cholesky(Function):
    @staticmethod
    def forward(ctx, A, upper):
        factor, info = _C._linalg_cholesky(A, upper)
        ctx.upper = upper
        ctx.save_for_backward(factor)
        return factor, info

    @staticmethod
    def backward(ctx, g_factor, g_info):
        (factor,) = ctx.saved_tensors
        L, gL = (_mH(factor), _mH(g_factor)) if ctx.upper else (factor, g_factor)
        # gA = L^-H phi(L^H gL) L^-1, made Hermitian; phi keeps the lower triangle with a halved diagonal
        P = _mH(L) @ gL
        P = P.tril() - 0.5 * _diag_embed(P.diagonal(0, -2, -1))
        S = solve_triangular(_mH(L), P, upper=True, left=True)
        S = solve_triangular(L, S, upper=False, left=False)
        return 0.5 * (S + _mH(S)), None


@typed("linalg_cholesky_ex", A="Tensor", upper="bool", check_errors="bool")
def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): the Cholesky factor of Hermitian positive-definite A, and LAPACK's status per matrix."""
    check_matrix(A, "linalg.cholesky", square=True)
    factor, info = _Cholesky.apply(A, upper)
    if check_errors:
        raise_for_info(info, "linalg.cholesky", "cholesky")
    return result("linalg_cholesky_ex", factor, info, out=out)


@typed("linalg_cholesky", A="Tensor", upper="bool")
def cholesky(A, *, upper=False, out=None):
    """L (lower) or U (upper) with A = L L^H = U^H U; LinAlgError when A is not positive-definite."""
    check_matrix(A, "linalg.cholesky", square=True)
    factor, info = _Cholesky.apply(A, upper)
    raise_for_info(info, "linalg.cholesky", "cholesky")
    return factor if out is None else out.copy_(factor)


# ---- QR ----------------------------------------------------------------------------------------------


def _qr_raw(A, mode):
    m, n = A.shape[-2], A.shape[-1]
    k = min(m, n)
    reflectors, tau = _C._linalg_geqrf(A)
    R = reflectors[..., :(k if mode == "reduced" else m), :].triu()
    if mode == "r":
        return A.new_empty((0,)), R
    if mode == "complete" and m > n:
        padded = _C.cat([reflectors, A.new_zeros(tuple(A.shape[:-1]) + (m - n,))], -1)
        Q = _C._linalg_householder_product(padded, tau)
    else:
        Q = _C._linalg_householder_product(reflectors[..., :, :k], tau)
    return Q, R


def _qr_backward_tall(gQ, gR, Q, R):
    """A = QR with m >= n (reduced): gA = (gQ + Q copyltu(M)) R^-H with M = R gR^H - gQ^H Q."""
    M = R @ _mH(gR) - _mH(gQ) @ Q
    lower = M.tril(-1)
    M = lower + _mH(lower) + _diag_embed(M.diagonal(0, -2, -1).real.to(M.dtype) if M.is_complex()
                                         else M.diagonal(0, -2, -1))
    return solve_triangular(_mH(R), gQ + Q @ M, upper=False, left=False)


class _QR(Function):
    @staticmethod
    def forward(ctx, A, mode):
        Q, R = _qr_raw(A, mode)
        ctx.mode = mode
        ctx.save_for_backward(A, Q, R)
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        A, Q, R = ctx.saved_tensors
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        m, n = A.shape[-2], A.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise NotImplementedError("The QR decomposition is not differentiable when mode='complete' and "
                                      "nrows > ncols.")
        gQ = gQ if gQ is not None else Q * 0
        gR = gR if gR is not None else R * 0
        if m >= n:
            return _qr_backward_tall(gQ, gR, Q, R), None
        # wide: A = [X | Y], X = Q U (square), Y = Q V
        U, gU, gV = R[..., :, :m], gR[..., :, :m], gR[..., :, m:]
        Y = A[..., :, m:]
        gX = _qr_backward_tall(gQ + Y @ _mH(gV), gU, Q, U)
        return _C.cat([gX, Q @ gV], -1), None


@typed("linalg_qr", A="Tensor", mode="str")
def qr(A, mode="reduced", *, out=None):
    """(Q, R) with A = QR: mode 'reduced' (Q is m x k), 'complete' (Q is m x m) or 'r' (R only, Q empty)."""
    check_matrix(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    Q, R = _QR.apply(A, mode)
    return result("linalg_qr", Q, R, out=out)


# ---- symmetric / Hermitian eigendecomposition -----------------------------------------------------------


class _Eigh(Function):
    @staticmethod
    def forward(ctx, A, upper):
        w, V, info = _C._linalg_eigh(A, upper, True)
        ctx.save_for_backward(w, V)
        ctx.mark_non_differentiable(info)
        return w, V, info

    @staticmethod
    def backward(ctx, gw, gV, g_info):
        w, V = ctx.saved_tensors
        inner = _diag_embed(gw.to(V.dtype)) if gw is not None else V.new_zeros(V.shape)
        if gV is not None:
            C = _mH(V) @ gV
            _check_gauge(C, "linalg_eigh_backward")
            E = w.unsqueeze(-2) - w.unsqueeze(-1)  # E[i, j] = w[j] - w[i]
            E = E + _diag_embed(E.new_ones(w.shape))  # off the diagonal only
            skew = 0.5 * (C - _mH(C))
            off = (skew / E.to(skew.dtype))
            off = off - _diag_embed(off.diagonal(0, -2, -1))
            inner = inner + off
        return V @ inner @ _mH(V), None


@typed("linalg_eigh", A="Tensor", UPLO="str")
def eigh(A, UPLO="L", *, out=None):
    """(eigenvalues ascending, eigenvectors) of Hermitian A, reading the UPLO triangle."""
    check_matrix(A, "linalg.eigh", square=True)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    w, V, info = _Eigh.apply(A, UPLO == "U")
    raise_for_info(info, "linalg.eigh", "eigh")
    return result("linalg_eigh", w, V, out=out)


@typed("linalg_eigvalsh", A="Tensor", UPLO="str")
def eigvalsh(A, UPLO="L", *, out=None):
    check_matrix(A, "linalg.eigvalsh", square=True)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    if _needs_grad(A):
        w, _, info = _Eigh.apply(A, UPLO == "U")
    else:
        w, _, info = _C._linalg_eigh(A, UPLO == "U", False)
    raise_for_info(info, "linalg.eigvalsh", "eigh")
    return w if out is None else out.copy_(w)


def _needs_grad(*tensors):
    return _C.is_grad_enabled() and any(t.requires_grad for t in tensors)


# ---- general eigendecomposition ----------------------------------------------------------------------


class _Eig(Function):
    @staticmethod
    def forward(ctx, A):
        w, V, info = _C._linalg_eig(A, True)
        ctx.real_input = not A.is_complex()
        ctx.save_for_backward(w, V)
        ctx.mark_non_differentiable(info)
        return w, V, info

    @staticmethod
    def backward(ctx, gw, gV, g_info):
        w, V = ctx.saved_tensors
        Vh = _mH(V)
        inner = _diag_embed(gw) if gw is not None else V.new_zeros(V.shape)
        if gV is not None:
            C = Vh @ gV
            _check_gauge(C, "linalg_eig_backward")
            # the eigenvectors have unit norm: remove the component along that constraint
            C = C - (Vh @ V) * C.diagonal(0, -2, -1).real.to(C.dtype).unsqueeze(-2)
            wc = w.conj()
            E = wc.unsqueeze(-2) - wc.unsqueeze(-1)  # conj(w_j) - conj(w_i)
            E = E + _diag_embed(E.new_ones(w.shape))
            off = C / E
            inner = inner + off - _diag_embed(off.diagonal(0, -2, -1))
        from ._solvers import solve

        gA = solve(Vh, inner @ Vh)
        return gA.real if ctx.real_input else gA


@typed("linalg_eig", A="Tensor")
def eig(A, *, out=None):
    """(eigenvalues, eigenvectors), complex, of a general square A (eigenvectors of unit norm)."""
    check_matrix(A, "linalg.eig", square=True)
    w, V, info = _Eig.apply(A)
    raise_for_info(info, "linalg.eig", "eig")
    return result("linalg_eig", w, V, out=out)


@typed("linalg_eigvals", A="Tensor")
def eigvals(A, *, out=None):
    check_matrix(A, "linalg.eigvals", square=True)
    if _needs_grad(A):
        w, _, info = _Eig.apply(A)
    else:
        w, _, info = _C._linalg_eig(A, False)
    raise_for_info(info, "linalg.eigvals", "eig")
    return w if out is None else out.copy_(w)


# ---- SVD ---------------------------------------------------------------------------------------------


class _SVD(Function):
    @staticmethod
    def forward(ctx, A, full_matrices):
        U, S, Vh, info = _C._linalg_svd(A, full_matrices, True)
        ctx.save_for_backward(U, S, Vh)
        ctx.mark_non_differentiable(info)
        return U, S, Vh, info

    @staticmethod
    def backward(ctx, gU, gS, gVh, g_info):
        U, S, Vh = ctx.saved_tensors
        k = S.shape[-1]
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        if gU is not None:
            gU = gU[..., :, :k]
        if gVh is not None:
            gVh = gVh[..., :k, :]
        if gU is None and gVh is None:
            return U @ (gS.to(U.dtype).unsqueeze(-1) * Vh), None
        V = _mH(Vh)
        gV = _mH(gVh) if gVh is not None else None
        Sc = S.to(U.dtype)
        m, n = U.shape[-2], V.shape[-2]
        inner = _diag_embed(gS.to(U.dtype)) if gS is not None else U.new_zeros(U.shape[:-2] + (k, k))
        S2 = S * S
        E = S2.unsqueeze(-2) - S2.unsqueeze(-1)  # s_j^2 - s_i^2
        E = (E + _diag_embed(E.new_ones(S.shape))).to(U.dtype)
        UhgU = _mH(U) @ gU if gU is not None else None
        VhgV = Vh @ gV if gV is not None else None
        if UhgU is not None and VhgV is not None:
            _check_gauge(UhgU + VhgV, "linalg_svd_backward")
        if UhgU is not None:
            term = (UhgU - _mH(UhgU)) / E
            term = term - _diag_embed(term.diagonal(0, -2, -1))
            inner = inner + term * Sc.unsqueeze(-2)
            if U.is_complex():
                inner = inner + _diag_embed(UhgU.diagonal(0, -2, -1).imag.to(U.dtype) * 1j / (2 * Sc))
        if VhgV is not None:
            term = (VhgV - _mH(VhgV)) / E
            term = term - _diag_embed(term.diagonal(0, -2, -1))
            inner = inner + Sc.unsqueeze(-1) * term
        gA = U @ inner @ Vh
        if gU is not None and m > k:
            gA = gA + (gU - U @ UhgU) @ (Vh / Sc.unsqueeze(-1))
        if gV is not None and n > k:
            gA = gA + (U / Sc.unsqueeze(-2)) @ _mH(gV - V @ VhgV)
        return gA, None


@typed("linalg_svd", A="Tensor", full_matrices="bool", driver="str?")
def svd(A, full_matrices=True, *, driver=None, out=None):
    """(U, S, Vh) with A = U diag(S) Vh, singular values descending."""
    check_matrix(A, "linalg.svd")
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")
    U, S, Vh, info = _SVD.apply(A, full_matrices)
    raise_for_info(info, "linalg.svd", "svd")
    return result("linalg_svd", U, S, Vh, out=out)


@typed("linalg_svdvals", A="Tensor", driver="str?")
def svdvals(A, *, driver=None, out=None):
    check_matrix(A, "linalg.svdvals")
    if _needs_grad(A):
        _, S, _, info = _SVD.apply(A, False)
    else:
        _, S, _, info = _C._linalg_svd(A, False, False)
    raise_for_info(info, "linalg.svd", "svd")
    return S if out is None else out.copy_(S)


# ---- LU ----------------------------------------------------------------------------------------------


def _lu_unpack_raw(LU, pivots):
    """(P, L, U) of a packed LU factorization (square or not)."""
    m, n = LU.shape[-2], LU.shape[-1]
    k = min(m, n)
    L = LU[..., :, :k].tril(-1) + eye_like(LU, m)[..., :, :k]
    U = LU[..., :k, :].triu()
    # the permutation: apply the row swaps (1-based) to the identity's rows
    from .._factories import arange

    perm = arange(m, device=LU.device).expand(tuple(LU.shape[:-2]) + (m,)).clone()
    piv = (pivots.to(perm.dtype) - 1)
    flat_perm, flat_piv = perm.reshape(-1, m), piv.reshape(-1, k)
    for b in range(flat_perm.shape[0]):
        row = flat_perm[b].tolist()
        for i, j in enumerate(flat_piv[b].tolist()):
            row[i], row[j] = row[j], row[i]
        flat_perm[b] = flat_perm[b].new_tensor(row)
    perm = flat_perm.reshape(perm.shape)
    P = eye_like(LU, m)[perm].transpose(-2, -1)  # A = P L U: P's column i is e_perm[i]
    return P, L, U


class _LUFactor(Function):
    @staticmethod
    def forward(ctx, A):
        LU, pivots, info = _C._linalg_lu_factor(A)
        ctx.save_for_backward(LU, pivots)
        ctx.mark_non_differentiable(pivots, info)
        return LU, pivots, info

    @staticmethod
    def backward(ctx, gLU, g_piv, g_info):
        LU, pivots = ctx.saved_tensors
        m, n = LU.shape[-2], LU.shape[-1]
        if m != n:
            raise NotImplementedError("linalg.lu_factor: the derivative is implemented for square matrices only")
        P, L, U = _lu_unpack_raw(LU, pivots)
        gL, gU = gLU.tril(-1), gLU.triu()
        # A = P L U: gA = P L^-H (tril(L^H gL, -1) + triu(gU U^H)) U^-H
        inner = (_mH(L) @ gL).tril(-1) + (gU @ _mH(U)).triu()
        X = solve_triangular(_mH(L), inner, upper=True, left=True, unitriangular=True)
        X = solve_triangular(_mH(U), X, upper=False, left=False)
        return P @ X
