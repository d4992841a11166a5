"""Products built from matmul/bmm and broadcasting: kron, cartesian_prod,
chain_matmul / linalg.multi_dot, addbmm, cross, cdist, inner, addr."""

import builtins
import warnings

from . import _C
from ._functional import broadcast_tensors, meshgrid
from ._out import finish_out
from ._arg_checks import check_tensor_args, tensor_sequence
from ._signature import typed

__all__ = ["kron", "cartesian_prod", "chain_matmul", "multi_dot", "addbmm", "cross", "linalg_cross", "cdist", "inner",
           "addr"]


def kron(input, other, *, out=None):
    """Kronecker product: block (i, j) of the result is input[i, j] * other, for any ndim."""
    check_tensor_args("kron", ("input", input), ("other", other))
    nd = builtins.max(input.dim(), other.dim())
    a = input.reshape([1] * (nd - input.dim()) + list(input.shape))
    b = other.reshape([1] * (nd - other.dim()) + list(other.shape))
    # Interleave the dims (a0, b0, a1, b1, ...) so one reshape merges each pair.
    a_view, b_view = [], []
    for sa, sb in zip(a.shape, b.shape):
        a_view += [sa, 1]
        b_view += [1, sb]
    r = (a.reshape(a_view) * b.reshape(b_view)).reshape([sa * sb for sa, sb in zip(a.shape, b.shape)])
    return finish_out(r, out)


def cartesian_prod(*tensors):
    """All combinations of the elements of 1-D tensors, one per row (like itertools.product)."""
    tensor_sequence("cartesian_prod", tensors)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for t in tensors:
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return _C.stack([g.reshape(-1) for g in grids], 1)


def _chain_order(dims):
    """Matrix-chain dynamic programme over the n+1 boundary sizes: split[i][j] is where to cut i..j."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _multiply_chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return _C.mm(_multiply_chain(mats, split, i, k), _multiply_chain(mats, split, k + 1, j))


def multi_dot(tensors, *, out=None):
    """linalg.multi_dot: the product of a chain of matrices in the cheapest order; the first and last may be 1-D."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first_vec, last_vec = tensors[0].dim() == 1, tensors[-1].dim() == 1
    mats = list(tensors)
    if first_vec:
        mats[0] = mats[0].unsqueeze(0)
    if last_vec:
        mats[-1] = mats[-1].unsqueeze(1)
    for i, m in enumerate(mats):
        if m.dim() != 2:
            which = "first" if i == 0 else ("last" if i == len(mats) - 1 else None)
            if which:
                raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got {tensors[i].dim()}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {m.dim()}D")
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                               f"{list(tensors[i + 1].shape)} cannot be multiplied")
    dtype = mats[0].dtype
    for m in mats[1:]:
        if m.dtype != dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is {dtype} and "
                               f"another is {m.dtype}")
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    r = _multiply_chain(mats, _chain_order(dims), 0, len(mats) - 1)
    if first_vec and last_vec:
        r = r.reshape(())
    elif first_vec:
        r = r.squeeze(0)
    elif last_vec:
        r = r.squeeze(1)
    return finish_out(r, out)


def chain_matmul(*matrices, out=None):
    """Deprecated alias of linalg.multi_dot for 2-D matrices only."""
    tensor_sequence("chain_matmul", matrices)
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.dim() != 2:
            raise RuntimeError(f"Tensor dimension is {m.dim()}, expected 2 instead.")
    r = matrices[0].clone() if len(matrices) == 1 else multi_dot(matrices)
    return finish_out(r, out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum_b batch1[b] @ batch2[b], done as one (n, B*m) @ (B*m, p) product."""
    if batch1.dim() != 3 or batch2.dim() != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor" if batch1.dim() != 3 else "batch2 must be a 3D tensor")
    b, n, m = batch1.shape
    if batch2.shape[0] != b or batch2.shape[1] != m:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {m}] but got: "
                           f"[{batch2.shape[0]}, {batch2.shape[1]}].")
    p = batch2.shape[2]
    lhs = batch1.permute(1, 0, 2).reshape(n, b * m)
    rhs = batch2.reshape(b * m, p)
    r = _C.addmm(input, lhs, rhs, beta=beta, alpha=alpha)
    return finish_out(r, out)


def _cross_along(a, b, dim):
    # (a x b)_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1} (indices mod 3): two rolls instead of three selects.
    a1, a2 = a.roll(-1, dim), a.roll(-2, dim)
    b1, b2 = b.roll(-1, dim), b.roll(-2, dim)
    return a1 * b2 - a2 * b1


def _check_cross(a, b, dim, name):
    if a.dim() != b.dim():
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    nd = builtins.max(a.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got {a.shape[dim]} and "
                           f"{b.shape[dim]}")


def linalg_cross(input, other, *, dim=-1, out=None):
    """linalg.cross: the 3-vector cross product along dim (default -1), broadcasting the other dims."""
    _check_cross(input, other, dim, "linalg.cross")
    a, b = broadcast_tensors(input, other)
    r = _cross_along(a, b, dim)
    return finish_out(r, out)


def cross(input, other, dim=None, *, out=None):
    """torch.cross: like linalg.cross, but dim=None means the first dim of size 3."""
    check_tensor_args("cross", ("input", input), ("other", other))
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated. Please either pass the dim "
                      "explicitly or simply use torch.linalg.cross.", UserWarning, stacklevel=2)
        if input.dim() != other.dim():
            raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
        shape = _C.broadcast_shapes_pair(tuple(input.shape), tuple(other.shape))
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim, out=out)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between each row of x1 (..., P, M) and each row of x2 (..., R, M) -> (..., P, R)."""
    check_tensor_args("cdist", ("x1", x1), ("x2", x2))
    if x1.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.dim()}D")
    if x2.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if not (x1.is_floating_point() and x2.is_floating_point()):
        raise RuntimeError("cdist only supports floating-point dtypes, X1 got: " + x1.dtype._name)
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    modes = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")
    if compute_mode not in modes:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    P, R = x1.shape[-2], x2.shape[-2]
    use_mm = p == 2 and (compute_mode == "use_mm_for_euclid_dist"
                         or (compute_mode == modes[0] and (P > 25 or R > 25)))
    if use_mm:
        # |a-b|^2 = |a|^2 - 2 a.b + |b|^2 as one matmul; clamped as PyTorch does, so sqrt stays finite.
        sq1 = (x1 * x1).sum(-1, keepdim=True)
        sq2 = (x2 * x2).sum(-1, keepdim=True)
        d2 = sq1 - 2 * _C.matmul(x1, x2.transpose(-2, -1)) + sq2.transpose(-2, -1)
        return d2.clamp_min(1e-30).sqrt()
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)  # (..., P, R, M)
    return _C._vector_norm(diff, float(p), -1, False, None)


@typed("inner", input="Tensor", other="Tensor")
def inner(input, other, *, out=None):
    """Sum of products over the last dims of both (a scalar operand multiplies instead)."""
    check_tensor_args("inner", ("input", input), ("other", other))
    if input.dtype != other.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if input.dim() == 0 or other.dim() == 0:
        return finish_out(input * other, out)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    from ._einsum import tensordot

    return finish_out(tensordot(input, other, dims=([-1], [-1])), out)


@typed("addr", input="Tensor", vec1="Tensor", vec2="Tensor", beta="Number", alpha="Number")
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2); input is ignored (NaN included) when beta == 0."""
    check_tensor_args("addr", ("input", input), ("vec1", vec1), ("vec2", vec2))
    if vec1.dim() != 1 or vec2.dim() != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1 and vec2, but got {vec1.dim()}-D and {vec2.dim()}-D")
    product = _C.outer(vec1, vec2)
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        from ._functional import broadcast_shapes

        shape = broadcast_shapes(input.shape, product.shape)
        return finish_out(product.to(_C.promote_types(input.dtype, product.dtype)).expand(shape).clone(), out)
    return finish_out((input if beta == 1 else input * beta) + product, out)
