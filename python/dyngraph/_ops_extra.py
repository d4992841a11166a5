"""The module-level functions of the PyTorch core ops implemented in Python
(einsum, unique, quantile, index_add, ...), gathered for ``dyngraph``'s
namespace. Each lives in the file named after its family; this module only
decides which names are public at top level (those torch.* has)."""

from ._calculus import cumulative_trapezoid, diff, gradient, trapezoid, trapz
from ._einsum import einsum, tensordot
from ._index_ops import index_add, index_copy, index_fill, masked_scatter, scatter_reduce
from ._math_extra import (complex, frexp, i0, i0_, cosine_similarity, deg2rad, deg2rad_, gcd, gcd_, heaviside, lcm, lcm_, polar,
                          rad2deg, rad2deg_, renorm, sinc, sinc_, xlogy, xlogy_)
from ._matrix_construction import block_diag, diag_embed, diagflat, tril_indices, triu_indices, vander
from ._products import addbmm, addr, cartesian_prod, cdist, chain_matmul, cross, inner, kron
from ._scans import cummax, cummin, logcumsumexp
from ._searchsorted import bucketize, searchsorted
from ._set_ops import bincount, histc, isin, mode, unique, unique_consecutive
from ._shape_ops import (atleast_1d, atleast_2d, atleast_3d, dsplit, hsplit, narrow_copy, ravel, row_stack,
                         split_with_sizes, tensor_split, unravel_index, unsafe_chunk, unsafe_split,
                         unsafe_split_with_sizes, vsplit)
from ._statistics import corrcoef, cov, histogram, nanmedian, nanquantile, quantile

__all__ = ["cumulative_trapezoid", "diff", "trapezoid", "trapz", "einsum", "tensordot", "index_add", "index_copy",
           "index_fill", "masked_scatter", "scatter_reduce", "complex", "cosine_similarity", "deg2rad", "deg2rad_",
           "gcd", "gcd_", "heaviside", "lcm", "lcm_", "polar", "rad2deg", "rad2deg_", "renorm", "sinc", "sinc_",
           "xlogy", "xlogy_", "frexp", "i0", "i0_", "block_diag", "diag_embed", "tril_indices", "triu_indices", "addbmm", "cartesian_prod",
           "cdist", "chain_matmul", "cross", "kron", "cummax", "cummin", "logcumsumexp", "bucketize", "searchsorted",
           "bincount", "histc", "mode", "unique", "unique_consecutive", "atleast_1d", "atleast_2d", "atleast_3d",
           "dsplit", "hsplit", "ravel", "row_stack", "tensor_split", "unravel_index", "vsplit", "nanquantile",
           "quantile", "gradient", "diagflat", "vander", "addr", "inner", "isin", "corrcoef", "cov", "histogram",
           "nanmedian", "narrow_copy", "split_with_sizes", "unsafe_chunk", "unsafe_split", "unsafe_split_with_sizes"]
