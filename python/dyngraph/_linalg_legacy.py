"""The top-level linear-algebra names PyTorch kept from before torch.linalg
(det, inverse, svd with some/compute_uv and V instead of Vh, qr with some,
cholesky_solve, lu with get_infos, triangular_solve, ...), and their Tensor
methods. Each maps onto dyngraph.linalg. lstsq, symeig, eig, matrix_rank and
solve were removed from PyTorch 2 and raise its error, pointing at the linalg
replacements; frobenius_norm and nuclear_norm remain, deprecated."""

import warnings

from . import linalg
from ._C import Tensor
from .return_types import result
from ._signature import typed

__all__ = ["det", "logdet", "slogdet", "inverse", "svd", "qr", "cholesky", "cholesky_solve", "cholesky_inverse",
           "lu", "lu_solve", "lu_unpack", "triangular_solve", "pinverse", "matrix_power", "matrix_exp", "geqrf",
           "orgqr", "ormqr", "svd_lowrank", "pca_lowrank", "lstsq", "symeig", "eig", "matrix_rank", "solve",
           "frobenius_norm", "nuclear_norm"]


def _mH(X):
    return X.transpose(-2, -1).conj() if X.is_complex() else X.transpose(-2, -1)


@typed("det", input="Tensor")
def det(input):
    return linalg.det(input)


@typed("logdet", input="Tensor")
def logdet(input):
    """log(det(input)): nan for a negative determinant, -inf for a zero one (real inputs)."""
    sign, logabsdet = linalg.slogdet(input)
    if input.is_complex():
        return logabsdet.to(input.dtype) + sign.log()
    import dyngraph

    return dyngraph.where(sign < 0, float("nan"), logabsdet)


@typed("slogdet", input="Tensor")
def slogdet(input):
    sign, logabsdet = linalg.slogdet(input)
    return result("slogdet", sign, logabsdet)


@typed("inverse", input="Tensor")
def inverse(input, *, out=None):
    return linalg.inv(input, out=out)


@typed("svd", input="Tensor", some="bool", compute_uv="bool")
def svd(input, some=True, compute_uv=True, *, out=None):
    """(U, S, V) with input = U diag(S) V^H (V, not V^H); compute_uv=False gives zero-filled U and V."""
    U, S, Vh = linalg.svd(input, full_matrices=not some)
    if not compute_uv:
        U, Vh = U.detach() * 0, Vh.detach() * 0
    return result("svd", U, S, _mH(Vh), out=out)


@typed("qr", input="Tensor", some="bool")
def qr(input, some=True, *, out=None):
    Q, R = linalg.qr(input, "reduced" if some else "complete")
    return result("qr", Q, R, out=out)


@typed("cholesky", input="Tensor", upper="bool")
def cholesky(input, upper=False, *, out=None):
    return linalg.cholesky(input, upper=upper, out=out)


@typed("cholesky_solve", input="Tensor", input2="Tensor", upper="bool")
def cholesky_solve(input, input2, upper=False, *, out=None):
    """X with A X = input, for A = L L^H (input2 = L) or U^H U (upper)."""
    if upper:
        Y = linalg.solve_triangular(_mH(input2), input, upper=False)
        X = linalg.solve_triangular(input2, Y, upper=True)
    else:
        Y = linalg.solve_triangular(input2, input, upper=False)
        X = linalg.solve_triangular(_mH(input2), Y, upper=True)
    return X if out is None else out.copy_(X)


@typed("cholesky_inverse", input="Tensor", upper="bool")
def cholesky_inverse(input, upper=False, *, out=None):
    """A^-1 for A = L L^H (input = L) or U^H U (upper)."""
    from .linalg._checks import eye_like

    X = cholesky_solve(eye_like(input).expand(input.shape), input, upper)
    return X if out is None else out.copy_(X)


@typed("lu", A="Tensor", pivot="bool", get_infos="bool")
def lu(A, pivot=True, get_infos=False, out=None):
    """(LU, pivots) or, with get_infos, (LU, pivots, infos)."""
    LU, pivots, info = linalg.lu_factor_ex(A, pivot=pivot)
    return (LU, pivots, info) if get_infos else (LU, pivots)


@typed("lu_solve", b="Tensor", LU_data="Tensor", LU_pivots="Tensor")
def lu_solve(b, LU_data, LU_pivots, *, out=None):
    return linalg.lu_solve(LU_data, LU_pivots, b, out=out)


@typed("lu_unpack", LU_data="Tensor", LU_pivots="Tensor", unpack_data="bool", unpack_pivots="bool")
def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    from .linalg._solvers import lu_unpack as unpack

    return unpack(LU_data, LU_pivots, unpack_data, unpack_pivots, out=out)


@typed("triangular_solve", b="Tensor", A="Tensor", upper="bool", transpose="bool", unitriangular="bool")
def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """(solution of A X = b (A^T X = b with transpose), a copy of A)."""
    if transpose:
        X = linalg.solve_triangular(A.transpose(-2, -1), b, upper=not upper, unitriangular=unitriangular)
    else:
        X = linalg.solve_triangular(A, b, upper=upper, unitriangular=unitriangular)
    return result("triangular_solve", X, A.clone(), out=out)


@typed("pinverse", input="Tensor", rcond="float", hermitian="bool")
def pinverse(input, rcond=1e-15, hermitian=False):
    return linalg.pinv(input, rtol=rcond, hermitian=hermitian)


@typed("matrix_power", input="Tensor", n="int")
def matrix_power(input, n):
    return linalg.matrix_power(input, n)


@typed("matrix_exp", input="Tensor")
def matrix_exp(input):
    return linalg.matrix_exp(input)


@typed("geqrf", input="Tensor")
def geqrf(input, *, out=None):
    """(a, tau): R above the diagonal and the Householder reflectors below, as LAPACK's geqrf leaves them."""
    from . import _C
    from .linalg._checks import check_matrix

    check_matrix(input, "geqrf")
    a, tau = _C._linalg_geqrf(input)
    return result("geqrf", a, tau, out=out)


@typed("orgqr", input="Tensor", tau="Tensor")
def orgqr(input, tau):
    return linalg.householder_product(input, tau)


@typed("ormqr", input="Tensor", tau="Tensor", other="Tensor", left="bool", transpose="bool")
def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """Q @ other (or other @ Q; Q^H with transpose) for the Q of the reflectors in input (m x k)."""
    import dyngraph

    m = input.shape[-2]
    padded = dyngraph.cat([input, input.new_zeros(tuple(input.shape[:-1]) + (m - input.shape[-1],))], -1) \
        if input.shape[-1] < m else input[..., :, :m]
    Q = linalg.householder_product(padded, tau)
    if transpose:
        Q = _mH(Q)
    r = Q @ other if left else other @ Q
    return r if out is None else out.copy_(r)


@typed("svd_lowrank", A="Tensor", q="int?", niter="int", M="Tensor?")
def svd_lowrank(A, q=6, niter=2, M=None):
    """(U, S, V) of rank q approximating A (- M): here the leading q terms of the exact SVD, which is what
    PyTorch's randomized algorithm approximates."""
    B = A if M is None else A - M
    q = min(q, B.shape[-2], B.shape[-1])
    U, S, Vh = linalg.svd(B, full_matrices=False)
    return U[..., :, :q], S[..., :q], _mH(Vh)[..., :, :q]


@typed("pca_lowrank", A="Tensor", q="int?", center="bool", niter="int")
def pca_lowrank(A, q=None, center=True, niter=2):
    """(U, S, V): the principal directions of A's rows (centered by the column means when center)."""
    if q is None:
        q = min(6, A.shape[-2], A.shape[-1])
    B = A - A.mean(-2, keepdim=True) if center else A
    return svd_lowrank(B, q, niter)


def lstsq(input, A, *, out=None):
    raise RuntimeError("This function was deprecated since version 1.9 and is now removed. `torch.linalg.lstsq` "
                       "is its recommended replacement.")


def symeig(input, eigenvectors=False, upper=True, *, out=None):
    raise RuntimeError("This function was deprecated since version 1.9 and is now removed. The default behavior "
                       "has changed from using the upper triangular portion of the matrix by default to using the "
                       "lower triangular portion. Use torch.linalg.eigh or torch.linalg.eigvalsh.")


def eig(input, eigenvectors=False, *, out=None):
    raise RuntimeError("This function was deprecated since version 1.9 and is now removed. torch.linalg.eig "
                       "returns complex tensors of dtype cfloat or cdouble rather than real tensors mimicking "
                       "complex tensors.")


def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    raise RuntimeError("This function was deprecated since version 1.9 and is now removed.\nPlease use the "
                       "`torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed in "
                       "`torch.linalg.matrix_rank()` to 'hermitian'.")


def solve(input, A, *, out=None):
    raise RuntimeError("This function was deprecated since version 1.9 and is now removed. `torch.solve` is "
                       "deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments reversed "
                       "and does not return the LU factorization.\n\nTo get the LU factorization see `torch.lu`, "
                       "which can be used with `torch.lu_solve` or `torch.lu_unpack`.\nX = torch.solve(B, "
                       "A).solution should be replaced with:\nX = torch.linalg.solve(A, B)")


@typed("frobenius_norm", input="Tensor", dim="int[N]", keepdim="bool")
def frobenius_norm(input, dim, keepdim=False, *, out=None):
    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be removed "
                  "in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    if not isinstance(dim, int) and len(dim) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dim)} dimensions instead.")
    return linalg.vector_norm(input, 2.0, dim, keepdim, out=out)


def _warn_nuclear():
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be removed in "
                  "a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead",
                  UserWarning, stacklevel=3)


@typed("nuclear_norm", input="Tensor", keepdim="bool")
def _nuclear_norm_last_two(input, keepdim=False, *, out=None):
    _warn_nuclear()
    return linalg.matrix_norm(input, "nuc", (-2, -1), keepdim, out=out)


@typed("nuclear_norm", input="Tensor", dim="int[N]", keepdim="bool")
def _nuclear_norm_dims(input, dim, keepdim=False, *, out=None):
    _warn_nuclear()
    dims = (dim, dim) if isinstance(dim, int) else dim  # PyTorch's int[2]: one int is repeated
    return linalg.matrix_norm(input, "nuc", dims, keepdim, out=out)


def nuclear_norm(input, *args, **kwargs):
    """The sum of singular values over the last two dims, or over dim: nuclear_norm(input, keepdim=False) and
    nuclear_norm(input, dim, keepdim=False), as PyTorch's two overloads."""
    if "dim" in kwargs or (args and not isinstance(args[0], bool)):
        return _nuclear_norm_dims(input, *args, **kwargs)
    return _nuclear_norm_last_two(input, *args, **kwargs)


_METHODS = {"det": det, "logdet": logdet, "slogdet": slogdet, "inverse": inverse, "svd": svd, "qr": qr,
            "cholesky": cholesky, "cholesky_solve": cholesky_solve, "cholesky_inverse": cholesky_inverse,
            "lu_solve": lu_solve, "pinverse": pinverse, "matrix_power": matrix_power, "matrix_exp": matrix_exp,
            "geqrf": geqrf, "orgqr": orgqr, "ormqr": ormqr, "triangular_solve": triangular_solve,
            "lstsq": lstsq, "symeig": symeig, "eig": eig}


def _lu_method(self, pivot=True, get_infos=False):
    return lu(self, pivot, get_infos)


def _install():
    for name, fn in _METHODS.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, fn)
    if not hasattr(Tensor, "lu"):
        Tensor.lu = _lu_method


_install()
