"""Solvers and what follows from an LU or SVD factorization: solve, inv, det,
slogdet, lu_factor / lu / lu_solve, lstsq, pinv, matrix_rank, cond."""

from .. import _C
from .._C import Tensor
from ..autograd.function import Function
from ..return_types import result
from ._checks import broadcast_batch, check_matrix, check_tensor, eye_like, raise_for_info
from ._decompositions import _LUFactor, _lu_unpack_raw, _mH, _needs_grad, _sum_to, svd, svdvals
from .._signature import typed


# ---- solve ---------------------------------------------------------------------------------------------


class _Solve(Function):
    """X = A^-1 B by LU; gB = A^-H gX, gA = -gB X^H (both with the differentiable solve, for higher orders)."""

    @staticmethod
    def forward(ctx, A, B):
        A_, B_ = broadcast_batch(A, B)
        LU, pivots, info = _C._linalg_lu_factor(A_)
        X = _C._linalg_lu_solve(LU, pivots, B_, False)
        ctx.shapes = (tuple(A.shape), tuple(B.shape))
        ctx.save_for_backward(A, X)
        ctx.mark_non_differentiable(info)
        return X, info

    @staticmethod
    def backward(ctx, gX, g_info):
        A, X = ctx.saved_tensors
        gB = solve(_mH(A), gX)
        gA = -gB @ _mH(X) if ctx.needs_input_grad[0] else None
        return (None if gA is None else _sum_to(gA, ctx.shapes[0])), _sum_to(gB, ctx.shapes[1])


def _solve_impl(A, B, left, name):
    check_matrix(A, name, square=True)
    check_tensor(B, name, "B")
    if A.dtype != B.dtype:
        raise RuntimeError(f"{name}: Expected A and B to have the same dtype, but found A of type {A.dtype} and B of "
                           f"type {B.dtype} instead")
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if not left:  # X A = B  <=>  A^H X^H = B^H
        X, info = _solve_impl(_mH(A), _mH(B) if not vector else B.conj(), True, name)
        return (_mH(X) if not vector else X.conj()), info
    B_ = B.unsqueeze(-1) if vector else B
    if B_.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation AX = B ({A.shape[-2]}x"
                           f"{A.shape[-1]} and {B_.shape[-2]}x{B_.shape[-1]})")
    X, info = _Solve.apply(A, B_)
    return (X.squeeze(-1) if vector else X), info


@typed("linalg_solve_ex", A="Tensor", B="Tensor", left="bool", check_errors="bool")
def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    X, info = _solve_impl(A, B, left, "linalg.solve_ex")
    if check_errors:
        raise_for_info(info, "linalg.solve_ex", "solve")
    return result("linalg_solve_ex", X, info, out=out)


@typed("linalg_solve", A="Tensor", B="Tensor", left="bool")
def solve(A, B, *, left=True, out=None):
    """X with A X = B (left) or X A = B; B may be a vector (or a batch of them)."""
    X, info = _solve_impl(A, B, left, "linalg.solve")
    raise_for_info(info, "linalg.solve", "solve")
    return X if out is None else out.copy_(X)


@typed("linalg_inv_ex", A="Tensor", check_errors="bool")
def inv_ex(A, *, check_errors=False, out=None):
    check_matrix(A, "linalg.inv", square=True)
    X, info = _Solve.apply(A, eye_like(A).expand(A.shape))
    if check_errors:
        raise_for_info(info, "linalg.inv_ex", "inverse")
    return result("linalg_inv_ex", X, info, out=out)


@typed("linalg_inv", A="Tensor")
def inv(A, *, out=None):
    """A^-1; LinAlgError for a singular A."""
    check_matrix(A, "linalg.inv", square=True)
    X, info = _Solve.apply(A, eye_like(A).expand(A.shape))
    raise_for_info(info, "linalg.inv", "inverse")
    return X if out is None else out.copy_(X)


# ---- determinants --------------------------------------------------------------------------------------


def _lu_det_parts(A):
    """(det, sign of the permutation, diag(U)) from one LU factorization, without autograd."""
    LU, pivots, _ = _C._linalg_lu_factor(A)
    n = A.shape[-1]
    from .._factories import arange

    swaps = (pivots != arange(1, n + 1, device=A.device, dtype=pivots.dtype)).sum(-1)
    perm_sign = 1 - 2 * (swaps % 2)
    diag = LU.diagonal(0, -2, -1)
    return diag.prod(-1) * perm_sign.to(A.dtype), perm_sign, diag


class _Det(Function):
    @staticmethod
    def forward(ctx, A):
        det, _, _ = _lu_det_parts(A)
        ctx.save_for_backward(A, det)
        return det

    @staticmethod
    def backward(ctx, g):
        A, det = ctx.saved_tensors
        scale = (g * det.conj()).unsqueeze(-1).unsqueeze(-1)
        singular = bool((det == 0).any()) if det.numel() else False
        if not singular:
            return scale * _mH(inv(A))
        # singular: the adjugate from the SVD, A = U S V^H, adj(A)^H = conj(det U det V^H) U diag(prod_{j!=i} s_j) V^H
        U, S, Vh = svd(A, full_matrices=False)
        n = S.shape[-1]
        others = _C.stack([_C.cat([S[..., :i], S[..., i + 1:]], -1).prod(-1) for i in range(n)], -1) if n else S
        phase = det_fn(U @ Vh)
        return (g * phase.conj()).unsqueeze(-1).unsqueeze(-1) * ((U * others.to(U.dtype).unsqueeze(-2)) @ Vh)


def det_fn(A):
    return _Det.apply(A)


@typed("linalg_det", A="Tensor")
def det(A, *, out=None):
    """The determinant of each square matrix (0 for a singular one)."""
    check_matrix(A, "linalg.det", square=True)
    d = _Det.apply(A)
    return d if out is None else out.copy_(d)


class _Slogdet(Function):
    @staticmethod
    def forward(ctx, A):
        _, perm_sign, diag = _lu_det_parts(A)
        magnitude = diag.abs()
        logabsdet = magnitude.log().sum(-1)
        if A.is_complex():
            sign = (diag / magnitude).prod(-1) * perm_sign.to(A.dtype)
        else:
            sign = diag.sign().prod(-1) * perm_sign.to(A.dtype)
        sign = _C.where(magnitude.amin(-1) == 0, 0.0, sign).to(sign.dtype) if diag.numel() else sign
        ctx.save_for_backward(A, sign)
        return sign, logabsdet

    @staticmethod
    def backward(ctx, g_sign, g_logabsdet):
        A, sign = ctx.saved_tensors
        coeff = g_logabsdet if g_logabsdet is not None else sign.real.abs() * 0
        coeff = coeff.to(A.dtype)
        if A.is_complex() and g_sign is not None:
            coeff = coeff - 1j * (g_sign.conj() * sign).imag.to(A.dtype)
        return coeff.unsqueeze(-1).unsqueeze(-1) * _mH(inv(A))


@typed("linalg_slogdet", A="Tensor")
def slogdet(A, *, out=None):
    """(sign, log|det|): the determinant as sign * exp(logabsdet), without overflow."""
    check_matrix(A, "linalg.slogdet", square=True)
    sign, logabsdet = _Slogdet.apply(A)
    return result("linalg_slogdet", sign, logabsdet, out=out)


# ---- LU --------------------------------------------------------------------------------------------------


@typed("linalg_lu_factor_ex", A="Tensor", pivot="bool", check_errors="bool")
def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    check_matrix(A, "linalg.lu_factor_ex")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    LU, pivots, info = _LUFactor.apply(A)
    if check_errors:
        raise_for_info(info, "linalg.lu_factor_ex", "lu")
    return result("linalg_lu_factor_ex", LU, pivots, info, out=out)


@typed("linalg_lu_factor", A="Tensor", pivot="bool")
def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots): L (unit diagonal, below) and U packed in one matrix, and 1-based row swaps."""
    check_matrix(A, "linalg.lu_factor")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    LU, pivots, info = _LUFactor.apply(A)
    raise_for_info(info, "linalg.lu_factor", "lu")
    return result("linalg_lu_factor", LU, pivots, out=out)


@typed("linalg_lu", A="Tensor", pivot="bool")
def lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U."""
    check_matrix(A, "linalg.lu")
    if not pivot:
        raise RuntimeError("linalg.lu: LU without pivoting is not implemented on the CPU")
    LU, pivots, _ = _LUFactor.apply(A)
    P, L, U = lu_unpack(LU, pivots)
    return result("linalg_lu", P, L, U, out=out)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) of a packed factorization (differentiable in LU_data)."""
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    k = min(m, n)
    P, _, _ = _lu_unpack_raw(LU_data.detach(), LU_pivots)
    L = LU_data[..., :, :k].tril(-1) + eye_like(LU_data, m)[..., :, :k]
    U = LU_data[..., :k, :].triu()
    empty = LU_data.new_empty((0,))
    return result("lu_unpack", P if unpack_pivots else empty, L if unpack_data else empty,
                  U if unpack_data else empty, out=out)


@typed("linalg_lu_solve", LU="Tensor", pivots="Tensor", B="Tensor", left="bool", adjoint="bool")
def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B (or X A = B; adjoint: A^H) for A given by lu_factor."""
    check_matrix(LU, "linalg.lu_solve", square=True)
    P, L, U = lu_unpack(LU, pivots)
    from ._decompositions import solve_triangular

    if left and not adjoint:  # A X = B: P L U X = B
        X = solve_triangular(U, solve_triangular(L, _mH(P) @ B, upper=False, unitriangular=True), upper=True)
    elif left:  # A^H X = B: U^H L^H P^H X = B
        Y = solve_triangular(_mH(U), B, upper=False)
        X = P @ solve_triangular(_mH(L), Y, upper=True, unitriangular=True)
    elif not adjoint:  # X A = B: X P L U = B
        Y = solve_triangular(U, B, upper=True, left=False)
        X = solve_triangular(L, Y, upper=False, left=False, unitriangular=True) @ _mH(P)
    else:  # X A^H = B
        X = _mH(lu_solve(LU, pivots, _mH(B), left=True, adjoint=False))
    return X if out is None else out.copy_(X)


# ---- least squares, pseudo-inverse, rank, condition number -----------------------------------------------


def _default_rtol(A, atol_given):
    from .._finfo import finfo

    eps = finfo(A.real.dtype if A.is_complex() else A.dtype).eps
    return 0.0 if atol_given else eps * max(A.shape[-2], A.shape[-1])


def _tolerance(A, S, atol, rtol, name):
    """max(atol, rtol * largest singular value), per matrix, keeping a trailing dim for broadcasting."""
    if rtol is None:
        rtol = _default_rtol(A, atol is not None)
    if atol is None:
        atol = 0.0
    largest = S.amax(-1, keepdim=True) if S.shape[-1] else S.new_zeros(tuple(S.shape[:-1]) + (1,))
    atol_t = atol if isinstance(atol, Tensor) else S.new_tensor(float(atol))
    rtol_t = rtol if isinstance(rtol, Tensor) else S.new_tensor(float(rtol))
    if isinstance(atol_t, Tensor) and atol_t.dim() > 0:
        atol_t = atol_t.unsqueeze(-1)
    if isinstance(rtol_t, Tensor) and rtol_t.dim() > 0:
        rtol_t = rtol_t.unsqueeze(-1)
    return _C.maximum(atol_t.to(S.dtype), rtol_t.to(S.dtype) * largest)


@typed("linalg_pinv", A="Tensor", rcond="float?", hermitian="bool")
def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The Moore-Penrose pseudo-inverse, dropping singular values below max(atol, rtol * largest)
    (the positional rcond is the older name of rtol)."""
    check_matrix(A, "linalg.pinv")
    if rcond is not None:
        if atol is not None or rtol is not None:
            raise RuntimeError("linalg.pinv: rcond can not be used together with atol or rtol")
        rtol, atol = rcond, 0.0
    if hermitian:
        from ._decompositions import eigh

        w, V = eigh(A)
        tol = _tolerance(A, w.abs(), atol, rtol, "linalg.pinv")
        keep = w.abs() > tol
        w_inv = _C.where(keep, 1 / _C.where(keep, w, 1.0), 0.0).to(w.dtype)
        P = (V * w_inv.to(V.dtype).unsqueeze(-2)) @ _mH(V)
    else:
        U, S, Vh = svd(A, full_matrices=False)
        tol = _tolerance(A, S, atol, rtol, "linalg.pinv")
        keep = S > tol
        S_inv = _C.where(keep, 1 / _C.where(keep, S, 1.0), 0.0).to(S.dtype)
        P = (_mH(Vh) * S_inv.to(U.dtype).unsqueeze(-2)) @ _mH(U)
    return P if out is None else out.copy_(P)


@typed("linalg_matrix_rank", A="Tensor", tol="float?", hermitian="bool")
def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The number of singular values above max(atol, rtol * largest), as int64."""
    check_matrix(A, "linalg.matrix_rank")
    if tol is not None:
        atol, rtol = tol, 0.0
    if hermitian:
        from ._decompositions import eigvalsh

        S = eigvalsh(A).abs()
    else:
        S = svdvals(A)
    from .. import int64

    r = (S > _tolerance(A, S, atol, rtol, "linalg.matrix_rank")).sum(-1).to(int64)
    return r if out is None else out.copy_(r)


@typed("linalg_lstsq", A="Tensor", B="Tensor", rcond="float?", driver="str?")
def lstsq(A, B, rcond=None, *, driver=None):
    """(solution, residuals, rank, singular_values) of min ||A X - B||, as PyTorch returns them on the CPU:
    driver 'gelsy' (default) gives the rank, 'gelsd'/'gelss' also the singular values, 'gels' neither;
    residuals are given when A is tall with full rank (and the driver is not 'gelsy')."""
    check_matrix(A, "linalg.lstsq")
    check_tensor(B, "linalg.lstsq", "B")
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    driver = driver or "gelsy"
    if A.dtype != B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {A.dtype} and other's dtype {B.dtype}")
    vector = B.dim() == A.dim() - 1
    B_ = B.unsqueeze(-1) if vector else B
    if B_.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2], A.shape[-1]
    rtol = rcond if rcond is not None and rcond > 0 else None
    U, S, Vh = svd(A, full_matrices=False)
    tol = _tolerance(A, S, None, rtol, "linalg.lstsq")
    keep = S > tol
    S_inv = _C.where(keep, 1 / _C.where(keep, S, 1.0), 0.0).to(S.dtype)
    X = (_mH(Vh) * S_inv.to(U.dtype).unsqueeze(-2)) @ (_mH(U) @ B_)
    from .. import int64

    rank = keep.sum(-1).to(int64)
    full_rank = bool((rank == n).all()) if rank.numel() else True
    if m > n and full_rank and driver != "gelsy":
        residuals = ((A @ X - B_).abs() ** 2).sum(-2)
    else:
        residuals = A.new_empty((0,)).real if A.is_complex() else A.new_empty((0,))
    rank_out = rank if driver != "gels" else rank.new_empty((0,))
    sv = S if driver in ("gelsd", "gelss") else S.new_empty((0,))
    return result("linalg_lstsq", X.squeeze(-1) if vector else X, residuals, rank_out, sv)


def cond(A, p=None, *, out=None):
    """The condition number in norm p (None or 2: largest / smallest singular value)."""
    check_tensor(A, "linalg.cond")
    if A.dim() < 2:
        raise RuntimeError(f"linalg.cond: The input tensor A must have at least 2 dimensions.")
    from . import matrix_norm

    if p is None or p in (2, -2):
        S = svdvals(A)
        r = S[..., 0] / S[..., -1] if p in (None, 2) else S[..., -1] / S[..., 0]
    else:
        check_matrix(A, "linalg.cond", square=True)
        r = matrix_norm(A, p) * matrix_norm(inv(A), p)
    return r if out is None else out.copy_(r)

