"""Attaches the Tensor methods (and in-place ``_`` forms) of the Python-side
ops to Tensor, under PyTorch's method names. A method the C++ binding
already provides is left alone, so the faster bound version always wins."""

from . import _calculus, _index_ops, _math_extra, _matrix_construction, _products, _random_fill, _scans
from . import _set_ops, _shape_ops, _statistics
from ._C import Tensor


def _addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    from .amp.autocast_mode import _excluded

    with _excluded():  # in-place ops are not autocast, as in PyTorch
        return self.copy_(_products.addbmm(self, batch1, batch2, beta=beta, alpha=alpha))


def _alias(name):
    """Tensor.<alias> for the module-level aliases defined in dyngraph/__init__ (divide, multiply, ...)."""
    def method(self, *args, **kwargs):
        import dyngraph

        return getattr(dyngraph, name)(self, *args, **kwargs)

    method.__name__ = name
    return method


_METHODS = {
    "kron": _products.kron,
    "addbmm": _products.addbmm,
    "addbmm_": _addbmm_,
    "cross": _products.cross,
    "diag_embed": _matrix_construction.diag_embed,
    "fill_diagonal_": _matrix_construction.fill_diagonal_,
    "unique": _set_ops.unique,
    "unique_consecutive": _set_ops.unique_consecutive,
    "bincount": _set_ops.bincount,
    "histc": _set_ops.histc,
    "mode": _set_ops.mode,
    "quantile": _statistics.quantile,
    "nanquantile": _statistics.nanquantile,
    "nanmedian": _statistics.nanmedian,
    "cov": _statistics.cov,
    "corrcoef": _statistics.corrcoef,
    "histogram": _statistics.histogram,
    "isin": _set_ops.isin,
    "diagflat": _matrix_construction.diagflat,
    "inner": _products.inner,
    "addr": _products.addr,
    "addr_": lambda self, vec1, vec2, *, beta=1, alpha=1: self.copy_(
        _products.addr(self, vec1, vec2, beta=beta, alpha=alpha)),
    "cummax": _scans.cummax,
    "cummin": _scans.cummin,
    "logcumsumexp": _scans.logcumsumexp,
    "diff": _calculus.diff,
    "index_add": _index_ops.index_add,
    "index_add_": _index_ops.index_add_,
    "index_copy": _index_ops.index_copy,
    "index_copy_": _index_ops.index_copy_,
    "index_fill": _index_ops.index_fill,
    "index_fill_": _index_ops.index_fill_,
    "masked_scatter": _index_ops.masked_scatter,
    "masked_scatter_": _index_ops.masked_scatter_,
    "scatter_reduce": _index_ops.scatter_reduce,
    "scatter_reduce_": _index_ops.scatter_reduce_,
    "xlogy": _math_extra.xlogy,
    "xlogy_": _math_extra.xlogy_,
    "deg2rad": _math_extra.deg2rad,
    "deg2rad_": _math_extra.deg2rad_,
    "rad2deg": _math_extra.rad2deg,
    "rad2deg_": _math_extra.rad2deg_,
    "heaviside": _math_extra.heaviside,
    "heaviside_": _math_extra.heaviside_,
    "gcd": _math_extra.gcd,
    "gcd_": _math_extra.gcd_,
    "lcm": _math_extra.lcm,
    "lcm_": _math_extra.lcm_,
    "sinc": _math_extra.sinc,
    "sinc_": _math_extra.sinc_,
    "renorm": _math_extra.renorm,
    "i0": _math_extra.i0,
    "i0_": _math_extra.i0_,
    "frexp": _math_extra.frexp,
    "renorm_": _math_extra.renorm_,
    "ravel": _shape_ops.ravel,
    "hsplit": _shape_ops.hsplit,
    "vsplit": _shape_ops.vsplit,
    "dsplit": _shape_ops.dsplit,
    "tensor_split": _shape_ops.tensor_split,
    "unfold": _shape_ops.unfold,
    "sum_to_size": _shape_ops.sum_to_size,
    "type_as": _shape_ops.type_as,
    "split_with_sizes": _shape_ops.split_with_sizes,
    "unsafe_split": _shape_ops.unsafe_split,
    "unsafe_split_with_sizes": _shape_ops.unsafe_split_with_sizes,
    "unsafe_chunk": _shape_ops.unsafe_chunk,
    "narrow_copy": _shape_ops.narrow_copy,
    "new_empty_strided": _shape_ops.new_empty_strided,
    "exponential_": _random_fill.exponential_,
    "random_": _random_fill.random_,
    "log_normal_": _random_fill.log_normal_,
    "geometric_": _random_fill.geometric_,
    "cauchy_": _random_fill.cauchy_,
}

# Module functions that exist in dyngraph but had no Tensor method yet.
_ALIASES = ("addmv", "divide", "multiply", "subtract", "true_divide", "greater", "greater_equal", "less",
            "less_equal", "not_equal", "fliplr", "flipud", "rot90", "tile")


def _install():
    for name, fn in _METHODS.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, fn)
    for name in _ALIASES:
        if not hasattr(Tensor, name):
            setattr(Tensor, name, _alias(name))


_install()
