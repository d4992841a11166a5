"""Functions of matrices composed from products and solves (so autograd goes
through them): matrix_power, matrix_exp, householder_product, tensorinv,
tensorsolve, vander, vecdot, diagonal, and the spectral matrix norms."""

import math

from .. import _C
from ._checks import check_matrix, check_tensor, eye_like
from ._decompositions import _mH, _needs_grad, svdvals
from ._solvers import inv, solve
from .._signature import typed


@typed("linalg_matrix_power", A="Tensor", n="int")
def matrix_power(A, n, *, out=None):
    """A^n by repeated squaring (n < 0: powers of the inverse; n = 0: the identity)."""
    check_tensor(A, "linalg.matrix_power")
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}")
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.dim() >= 2 else ''} by {A.shape[-1] if A.dim() else ''} matrices")
    if n == 0:
        r = eye_like(A).expand(A.shape).clone()
        return r if out is None else out.copy_(r)
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result if out is None else out.copy_(result)


@typed("linalg_matrix_exp", A="Tensor")
def matrix_exp(A):
    """e^A by scaling and squaring: a Taylor series of degree 18 on A / 2^s with ||A / 2^s|| <= 1/2, then s
    squarings (accurate to rounding in float64; differentiable through the products)."""
    check_matrix(A, "linalg.matrix_exp", square=True)
    if A.numel() == 0:
        return A.clone()
    norm = float(A.detach().abs().sum(-2).amax()) if A.numel() else 0.0
    s = max(0, int(math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0)
    X = A / (2 ** s)
    I = eye_like(A).expand(A.shape)
    term, total = I, I
    for k in range(1, 19):
        term = term @ X / k
        total = total + term
    for _ in range(s):
        total = total @ total
    return total


@typed("linalg_householder_product", A="Tensor", tau="Tensor")
def householder_product(A, tau, *, out=None):
    """The first n columns of the product of the Householder reflectors H_i = I - tau_i v_i v_i^H stored
    below the diagonal of A (as geqrf leaves them)."""
    check_matrix(A, "linalg.householder_product")
    check_tensor(tau, "linalg.householder_product", "tau")
    if not _needs_grad(A, tau):
        Q = _C._linalg_householder_product(A, tau)
        return Q if out is None else out.copy_(Q)
    m, n = A.shape[-2], A.shape[-1]
    k = tau.shape[-1]
    if m < n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if n < k:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    eye = eye_like(A, m)
    Q = eye.expand(tuple(A.shape[:-2]) + (m, m))
    lower = A.tril(-1) + eye[:, :n]
    for i in range(k):
        v = lower[..., :, i:i + 1]  # zeros above row i, 1 at row i
        Q = Q - (Q @ v) @ (tau[..., i:i + 1].unsqueeze(-1) * _mH(v))
    Q = Q[..., :, :n]
    return Q if out is None else out.copy_(Q)


@typed("linalg_tensorinv", A="Tensor", ind="int")
def tensorinv(A, ind=2, *, out=None):
    """The inverse of A seen as a linear map from its last dims to its first `ind` dims."""
    check_tensor(A, "linalg.tensorinv")
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows = math.prod(A.shape[:ind])
    cols = math.prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    r = inv(A.reshape(rows, cols)).reshape(tuple(A.shape[ind:]) + tuple(A.shape[:ind]))
    return r if out is None else out.copy_(r)


@typed("linalg_tensorsolve", A="Tensor", B="Tensor", dims="int[]?")
def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) == B."""
    check_tensor(A, "linalg.tensorsolve")
    check_tensor(B, "linalg.tensorsolve", "B")
    if dims is not None:
        nd = A.dim()
        dims = [d % nd for d in dims]
        order = [d for d in range(nd) if d not in dims] + dims
        A = A.permute(order)
    result_shape = tuple(A.shape[B.dim():])
    rows = B.numel()
    cols = math.prod(result_shape)
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {cols} != {rows}")
    X = solve(A.reshape(rows, cols), B.reshape(rows)).reshape(result_shape)
    return X if out is None else out.copy_(X)


@typed("linalg_vander", x="Tensor", N="int?")
def vander(x, *, N=None):
    """The Vandermonde matrices of x's last dim, increasing powers: [..., i, j] = x[..., i] ** j."""
    check_tensor(x, "linalg.vander", "x")
    if x.dim() < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    if N is None:
        N = x.shape[-1]
    if N <= 1:
        if N < 1:
            raise RuntimeError("N must be greater than 1.")
        return x.unsqueeze(-1) ** 0
    from .. import int64

    base = x if (x.dtype.is_floating_point or x.dtype.is_complex) else x.to(_C.promote_types(x.dtype, int64))
    columns = [base.unsqueeze(-1) ** 0, base.unsqueeze(-1).expand(tuple(x.shape) + (N - 1,))]
    return _C.cat(columns, -1).cumprod(-1)


@typed("linalg_vecdot", x="Tensor", y="Tensor", dim="int")
def vecdot(x, y, *, dim=-1, out=None):
    """sum(conj(x) * y) over dim, broadcasting."""
    check_tensor(x, "linalg.vecdot", "x")
    check_tensor(y, "linalg.vecdot", "y")
    r = (x.conj() * y).sum(dim) if x.is_complex() else (x * y).sum(dim)
    return r if out is None else out.copy_(r)


@typed("linalg_diagonal", A="Tensor", offset="int", dim1="int", dim2="int")
def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    check_tensor(A, "linalg.diagonal")
    return A.diagonal(offset, dim1, dim2)


def spectral_norm(A, ord, dim, keepdim):
    """The matrix norms that need singular values: 2 (largest), -2 (smallest), 'nuc' (their sum)."""
    n = A.dim()
    if n < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    for d in dim:
        if not -n <= d < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    d0, d1 = (d % n for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    moved = A.movedim((d0, d1), (-2, -1)) if (d0, d1) != (A.dim() - 2, A.dim() - 1) else A
    S = svdvals(moved)
    r = S.amax(-1) if ord == 2 else S.amin(-1) if ord == -2 else S.sum(-1)
    if keepdim:
        for d in sorted((d0, d1)):
            r = r.unsqueeze(d)
    return r
