"""Parametrizations built on nn.utils.parametrize (torch.nn.utils.parametrizations):
weight_norm (originals g and v), spectral_norm (power iteration on the
buffers _u and _v of the parametrization module, advanced in training mode)
and orthogonal."""

from ... import _C
from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..modules.module import Module
from . import parametrize
from .spectral_norm import sigma_of, weight_as_matrix
from .weight_norm import norm_except_dim

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / norm_except_dim(weight_v, 2, self.dim))

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """module.<name> = g * v / ||v|| with g = parametrizations.<name>.original0 and
    v = parametrizations.<name>.original1. Returns module."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got n_power_iterations="
                             f"{n_power_iterations}")
        ndim = weight.dim()
        if not -ndim <= dim < max(ndim, 1):
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got "
                             f"{dim})")
        self.dim = dim % max(ndim, 1)
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            matrix = weight_as_matrix(weight, self.dim)
            h, w = matrix.shape
            self.register_buffer("_u", F.normalize(matrix.new_empty(h).normal_(0, 1), dim=0, eps=eps))
            self.register_buffer("_v", F.normalize(matrix.new_empty(w).normal_(0, 1), dim=0, eps=eps))
            self._power_method(matrix, 15)

    def _power_method(self, matrix, iterations):
        with no_grad():
            matrix = matrix.detach()
            for _ in range(iterations):
                self._u.copy_(F.normalize(_C.mv(matrix, self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(_C.mv(matrix.conj().transpose(0, 1), self._u), dim=0, eps=self.eps))

    def forward(self, weight):
        if weight.dim() == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        matrix = weight_as_matrix(weight, self.dim)
        if self.training:
            self._power_method(matrix, self.n_power_iterations)
        return weight / sigma_of(matrix, self._u.clone(), self._v.clone())

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """module.<name> divided by its spectral norm (largest singular value), estimated by power iteration;
    dim defaults to 1 for transposed convolutions and 0 otherwise. Returns module."""
    weight = getattr(module, name, None)
    if weight is None or not isinstance(weight, _C.Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d

        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


class _Orthogonal(Module):
    """weight = base @ map(X): map sends an unconstrained X to an orthogonal (unitary) matrix, by the
    exponential or the Cayley transform of a skew matrix, or by Householder reflectors; base (a buffer,
    set by right_inverse) makes X = 0 give the weight assigned last. Wide weights are handled transposed."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def _map(self, X):
        import dyngraph

        n, k = X.shape[-2], X.shape[-1]
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            A = X.tril()
            if n != k:  # pad to a square skew matrix
                A = dyngraph.cat([A, A.new_zeros(tuple(A.shape[:-1]) + (n - k,))], -1)
            A = A - A.mT.conj()
            if self.orthogonal_map == "matrix_exp":
                Q = dyngraph.linalg.matrix_exp(A)
            else:
                eye = dyngraph.eye(n, dtype=A.dtype, device=A.device)
                Q = dyngraph.linalg.solve(eye - A / 2, eye + A / 2)
            return Q[..., :k]
        A = X.tril(-1)
        tau = 2.0 / (1.0 + (A * A).sum(-2))
        return dyngraph.linalg.householder_product(A, tau)

    def forward(self, X):
        transposed = X.shape[-2] < X.shape[-1]
        if transposed:
            X = X.mT
        Q = self._map(X)
        if getattr(self, "base", None) is not None:
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q):
        import dyngraph

        if tuple(Q.shape) != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor of shape "
                             f"{tuple(Q.shape)}.")
        if not hasattr(self, "base"):
            raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                      "parametrizations when use_trivialization=False.")
        transposed = Q.shape[-2] < Q.shape[-1]
        if transposed:
            Q = Q.mT
        n, k = Q.shape[-2], Q.shape[-1]
        # the closest orthogonal completion: QR of [Q | I], signs fixed so that Q's own columns keep theirs
        full, R = dyngraph.linalg.qr(dyngraph.cat([Q, dyngraph.eye(n, dtype=Q.dtype, device=Q.device)
                                                   .expand(tuple(Q.shape[:-2]) + (n, n))], -1))
        signs = R.diagonal(0, -2, -1)[..., :n]
        signs = dyngraph.where(signs.real < 0 if signs.is_complex() else signs < 0, -1.0, 1.0).to(Q.dtype)
        full = full * signs.unsqueeze(-2)
        X = Q.new_zeros(Q.shape)
        if self.orthogonal_map == "householder":  # X = 0 maps to the identity with its first k columns negated
            flip = dyngraph.cat([-Q.new_ones(k), Q.new_ones(n - k)])
            full = full * flip
        self.base = full.detach()
        return X.mT if transposed else X


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Keeps module.<name> orthogonal (unitary): default map 'matrix_exp' for square or complex weights,
    'householder' otherwise; 'cayley' is the third choice. Returns module."""
    weight = getattr(module, name, None)
    if not isinstance(weight, _C.Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.dim() < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.dim()} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] or weight.is_complex() else \
            "householder"
    if orthogonal_map not in ("matrix_exp", "cayley", "householder"):
        raise ValueError(f"orthogonal_map has to be one of 'matrix_exp', 'cayley', 'householder'. Got: "
                         f"{orthogonal_map}")
    parametrize.register_parametrization(module, name, _Orthogonal(weight, orthogonal_map,
                                                                   use_trivialization=use_trivialization),
                                         unsafe=True)
    return module
