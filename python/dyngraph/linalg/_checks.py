"""Shared checks of linalg: LinAlgError, input validation, and turning LAPACK's
per-matrix `info` into PyTorch's error messages."""

from .. import _C
from .._C import Tensor


class LinAlgError(RuntimeError):
    """A linear-algebra failure: a singular or non-positive-definite input, or no convergence."""


def check_tensor(A, name, arg="A"):
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position 1) must be Tensor, not {type(A).__name__}")


def check_matrix(A, name, square=False, arg="A"):
    """A must be a batch of (square) floating or complex matrices."""
    check_tensor(A, name, arg)
    if A.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {_short(A.dtype)}")
    if A.dtype._name in ("float16", "bfloat16"):
        raise NotImplementedError(f"{name}: Low precision dtypes not supported. Got {_short(A.dtype)}")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")


def _short(dtype):
    from .._out import _type_name

    return _type_name(dtype)


def batch_prefix(info, index):
    return f"(Batch element {index}): " if info.dim() > 0 else ""


def first_failure(info):
    """(flat batch index, code) of the first nonzero info, or None."""
    flat = info.reshape(-1)
    if flat.numel() == 0:
        return None
    bad = (flat != 0).nonzero()
    if bad.numel() == 0:
        return None
    index = int(bad[0, 0])
    return index, int(flat[index])


def raise_for_info(info, name, kind):
    """Raises LinAlgError when a matrix of the batch failed; kind names the failure as PyTorch does."""
    failure = first_failure(info)
    if failure is None:
        return
    index, code = failure
    prefix = f"{name}: " + batch_prefix(info, index)
    if code < 0:
        raise RuntimeError(f"{prefix}Argument {-code} has illegal value. Most certainly there is a bug in the "
                           "implementation calling the backend library.")
    if kind == "inverse":
        message = (f"The diagonal element {code} is zero, the inversion could not be completed because the input "
                   "matrix is singular.")
    elif kind == "solve":
        message = "The solver failed because the input matrix is singular."
    elif kind == "cholesky":
        message = (f"The factorization could not be completed because the input is not positive-definite (the "
                   f"leading minor of order {code} is not positive-definite).")
    elif kind == "lu":
        message = (f"U[{code},{code}] is zero and using it on lu_solve would result in a division by zero. If you "
                   "still want to perform the factorization, consider calling linalg.lu(A, pivot) or "
                   "linalg.lu_factor_ex(A, pivot)")
    elif kind == "eigh":
        message = (f"The algorithm failed to converge because the input matrix is ill-conditioned or has too many "
                   f"repeated eigenvalues (error code: {code}).")
    elif kind == "svd":
        message = (f"The algorithm failed to converge because the input matrix is ill-conditioned or has too many "
                   f"repeated singular values (error code: {code}).")
    else:
        message = f"The algorithm failed to converge (error code: {code})."
    raise LinAlgError(prefix + message)


def broadcast_batch(A, B):
    """A and B expanded to a common batch shape (their last two dims kept)."""
    from .._functional import broadcast_shapes

    batch = broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-2]))
    return A.expand(batch + tuple(A.shape[-2:])), B.expand(batch + tuple(B.shape[-2:]))


def eye_like(A, n=None):
    """The n x n identity (n: A's last dim) in A's dtype and device."""
    from .._factories import eye

    return eye(A.shape[-1] if n is None else n, dtype=A.dtype, device=A.device)
