"""Named tuples returned by ops that give several tensors (max(dim), linalg.qr, ...)."""

from collections import namedtuple

max = namedtuple("max", ["values", "indices"])
min = namedtuple("min", ["values", "indices"])
aminmax = namedtuple("aminmax", ["min", "max"])
sort = namedtuple("sort", ["values", "indices"])
topk = namedtuple("topk", ["values", "indices"])
kthvalue = namedtuple("kthvalue", ["values", "indices"])
median = namedtuple("median", ["values", "indices"])
frexp = namedtuple("frexp", ["mantissa", "exponent"])
histogram = namedtuple("histogram", ["hist", "bin_edges"])
nanmedian = namedtuple("nanmedian", ["values", "indices"])

# linalg's results, and the legacy top-level decompositions'
linalg_qr = namedtuple("linalg_qr", ["Q", "R"])
linalg_eigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
linalg_eig = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])
linalg_svd = namedtuple("linalg_svd", ["U", "S", "Vh"])
linalg_slogdet = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
linalg_lu_factor = namedtuple("linalg_lu_factor", ["LU", "pivots"])
linalg_lu_factor_ex = namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
linalg_lu = namedtuple("linalg_lu", ["P", "L", "U"])
linalg_cholesky_ex = namedtuple("linalg_cholesky_ex", ["L", "info"])
linalg_inv_ex = namedtuple("linalg_inv_ex", ["inverse", "info"])
linalg_solve_ex = namedtuple("linalg_solve_ex", ["result", "info"])
linalg_lstsq = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
slogdet = namedtuple("slogdet", ["sign", "logabsdet"])
svd = namedtuple("svd", ["U", "S", "V"])
qr = namedtuple("qr", ["Q", "R"])
geqrf = namedtuple("geqrf", ["a", "tau"])
triangular_solve = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])
lu_unpack = namedtuple("lu_unpack", ["P", "L", "U"])


def result(name, *values, out=None):
    """The named tuple `name` of values, written into the tensors of out when it is given."""
    kind = globals()[name]
    if out is None:
        return kind(*values)
    if not isinstance(out, (tuple, list)) or len(out) != len(values):
        raise TypeError(f"{name}(): argument 'out' must be tuple of {len(values)} Tensors")
    for target, value in zip(out, values):
        if tuple(target.shape) != tuple(value.shape):
            target.data = value.detach().clone()
        else:
            target.copy_(value)
    return kind(*out)
