"""dyngraph.linalg: norms and products (PyTorch's torch.linalg names)."""


from .. import _C
from .._C import matmul, vdot  # noqa: F401
from .._products import linalg_cross as cross  # noqa: F401
from .._products import multi_dot  # noqa: F401

__all__ = ["vector_norm", "matrix_norm", "norm", "matmul", "vdot", "cross", "multi_dot"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    r = _C._vector_norm(x, float(ord), dim, keepdim, dtype)
    return r if out is None else out.copy_(r)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    if dtype is not None:
        A = A.to(dtype)
    r = _C._matrix_norm(A, ord, tuple(dim), keepdim)
    return r if out is None else out.copy_(r)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    if isinstance(ord, str) or (ord is not None and dim is not None and not isinstance(dim, int) and len(dim) == 2):
        return matrix_norm(A, ord if ord is not None else "fro", dim if dim is not None else (-2, -1), keepdim,
                           dtype=dtype, out=out)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


