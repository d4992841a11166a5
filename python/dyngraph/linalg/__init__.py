"""dyngraph.linalg (PyTorch's torch.linalg): norms and products, and the
LAPACK-backed decompositions and solvers with their gradients."""


from .. import _C
from .._out import write_out
from .._C import matmul, vdot  # noqa: F401
from .._products import linalg_cross as cross  # noqa: F401
from .._products import multi_dot  # noqa: F401

from ._checks import LinAlgError
from ._decompositions import (cholesky, cholesky_ex, eig, eigh, eigvals, eigvalsh, qr, solve_triangular, svd,
                              svdvals)
from ._matrix_functions import (diagonal, householder_product, matrix_exp, matrix_power, tensorinv, tensorsolve,
                                vander, vecdot)
from ._solvers import (cond, det, inv, inv_ex, lstsq, lu, lu_factor, lu_factor_ex, lu_solve, matrix_rank, pinv,
                       slogdet, solve, solve_ex)

__all__ = ["vector_norm", "matrix_norm", "norm", "matmul", "vdot", "cross", "multi_dot", "LinAlgError", "cholesky",
           "cholesky_ex", "eig", "eigh", "eigvals", "eigvalsh", "qr", "solve_triangular", "svd", "svdvals",
           "diagonal", "householder_product", "matrix_exp", "matrix_power", "tensorinv", "tensorsolve", "vander",
           "vecdot", "cond", "det", "inv", "inv_ex", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve",
           "matrix_rank", "pinv", "slogdet", "solve", "solve_ex"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return write_out("linalg.vector_norm", vector_norm, (x, ord, dim, keepdim), {"dtype": dtype}, out)
    return _C._vector_norm(x, float(ord), dim, keepdim, dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return write_out("linalg.matrix_norm", matrix_norm, (A, ord, dim, keepdim), {"dtype": dtype}, out)
    if dtype is not None:
        A = A.to(dtype)
    if ord in (2, -2, "nuc"):
        from ._matrix_functions import spectral_norm

        return spectral_norm(A, ord, tuple(dim), keepdim)
    return _C._matrix_norm(A, ord, tuple(dim), keepdim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """A vector norm or a matrix norm, chosen as PyTorch does: by dim when it
    is given (one dim: vector, two: matrix), else by A's rank when ord is."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype, out=out)
    if dim is not None:
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
        is_vector = len(dim) == 1
    else:
        if A.dim() not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {A.dim()}D.")
        is_vector = A.dim() == 1
    if is_vector:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
        return vector_norm(A, ord, dim, keepdim, dtype=dtype, out=out)
    return matrix_norm(A, ord, dim if dim is not None else (-2, -1), keepdim, dtype=dtype, out=out)


