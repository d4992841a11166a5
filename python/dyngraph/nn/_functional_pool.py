"""Pooling of nn.functional: argument handling for the C++ pooling ops (max,
average, adaptive average, adaptive max and fractional max pooling), lp
pooling composed on average pooling, and max unpooling."""

import math
import operator

from .._lazy_numpy import np

from .. import _C
from ._functional_utils import ntuple
from .modules.utils import _pair, _triple
from .._out import _type_name

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "max_pool1d_with_indices", "max_pool2d_with_indices", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
           "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "max_unpool1d", "max_unpool2d", "lp_pool1d", "lp_pool2d",
           "max_pool3d_with_indices", "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "max_unpool3d",
           "lp_pool3d", "fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]


def _batched(input, dims, name):
    """input as (N, C, *spatial), and whether it was given without the batch dim."""
    if input.dim() == dims + 1:
        return input.unsqueeze(0), True
    if input.dim() != dims + 2:
        raise RuntimeError(f"{name}: Expected {dims + 1}D or {dims + 2}D input tensor, but got {input.dim()}D "
                           f"input of size {list(input.shape)}")
    return input, False


def _geometry(sizes, kernel, stride, padding, dilation, ceil_mode, name):
    """Output sizes, and the extra right padding ceil_mode needs, per spatial dim."""
    outs, extras = [], []
    for i, k, s, p, d in zip(sizes, kernel, stride, padding, dilation):
        if k <= 0 or s <= 0 or d <= 0:
            raise RuntimeError(f"{name}: kernel_size, stride and dilation must be greater than zero")
        if 2 * p > k:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
        span = d * (k - 1) + 1
        o = (i + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= i + p:  # the last window must start inside the input or left padding
            o -= 1
        if o <= 0:
            raise RuntimeError(f"Given input size: {list(sizes)}. Calculated output size: {outs + [o]}. "
                               "Output size is too small")
        outs.append(o)
        extras.append(max(0, (o - 1) * s + span - (i + 2 * p)))
    return outs, extras


def _lowest(dtype):
    if dtype.is_floating_point:
        return -math.inf
    return int(np.iinfo(np.dtype(dtype._name)).min) if dtype._name != "bool" else False


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, dims, name):
    x, unbatched = _batched(input, dims, name)
    kernel = ntuple(kernel_size, dims, "kernel_size")
    stride = [] if stride is None or (not isinstance(stride, int) and len(stride) == 0) else ntuple(stride, dims)
    values, indices = _C._max_pool(x, kernel, stride, ntuple(padding, dims, "padding"),
                                   ntuple(dilation, dims, "dilation"), ceil_mode)
    if unbatched:
        values, indices = values.squeeze(0), indices.squeeze(0)
    return (values, indices) if return_indices else values


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3, "max_pool3d")


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, dims, name):
    x, unbatched = _batched(input, dims, name)
    kernel = ntuple(kernel_size, dims, "kernel_size")
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) else ntuple(stride, dims)
    padding = ntuple(padding, dims, "padding")
    _geometry(list(x.shape[2:]), kernel, stride, padding, [1] * dims, ceil_mode, name)  # PyTorch's errors
    def pool(t, divisor):
        return _C._avg_pool(t, kernel, stride, padding, bool(ceil_mode), bool(count_include_pad), divisor)

    if x.dtype.is_floating_point or x.dtype.is_complex:
        result = pool(x, int(divisor_override) if divisor_override else None)
    else:  # PyTorch's integer average: the exact window sum, divided and truncated
        import dyngraph

        divisor = divisor_override
        if not divisor:
            ones = dyngraph.ones([1, 1] + list(x.shape[2:]), dtype=dyngraph.float64, device=x.device)
            divisor = (pool(ones, 1) / pool(ones, None)).round()  # valid count / mean of ones
        result = (pool(x.double(), 1) / divisor).trunc().to(x.dtype)
    return result.squeeze(0) if unbatched else result


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                     "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3,
                     "avg_pool3d")


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel_size).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kw, kh = ntuple(kernel_size, 2, "kernel_size")
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kernel = ntuple(kernel_size, 3, "kernel_size")
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(math.prod(kernel)).pow(1.0 / norm_type)


# ---- adaptive pools -------------------------------------------------------------------------------


def _adaptive_sizes(input, output_size, dims, name):
    x, unbatched = _batched(input, dims, name)
    outs = ntuple(1, dims) if output_size is None else None
    if isinstance(output_size, int):
        outs = [output_size] * dims
    else:
        outs = [x.shape[2 + j] if o is None else int(o) for j, o in enumerate(output_size)]
        if len(outs) == 1 and dims > 1:
            outs = outs * dims
        if len(outs) != dims:
            raise ValueError(f"{name}: output_size must be an int or a sequence of {dims} ints")
    for j, o in enumerate(outs):
        if o < 0 or (o == 0 and x.shape[2 + j] > 0):
            raise RuntimeError(f"{name}: output_size must be positive, got {output_size}")
    if x.numel() and any(s == 0 for s in x.shape[2:]):
        raise RuntimeError(f"{name}: Expected input to have non-zero size for non-batch dimensions, "
                           f"but input has sizes {list(input.shape)}")
    # Average pooling builds per-axis tap tables, one entry per output position:
    # an output that can't be allocated must fail here (the allocator's checked
    # size arithmetic raises), before a table of 2**62 entries is started.
    _C._empty(list(x.shape[:2]) + outs, x.dtype, x.device)
    return x, unbatched, outs


def _adaptive_avg(input, output_size, dims, name):
    x, unbatched, outs = _adaptive_sizes(input, output_size, dims, name)
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(f"\"{name}\" not implemented for '{x.dtype}'")
    x = _C._adaptive_avg_pool(x, outs)
    return x.squeeze(0) if unbatched else x


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_avg(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    return _adaptive_avg(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(input, output_size, 3, "adaptive_avg_pool3d")


def _adaptive_max(input, output_size, return_indices, dims, name):
    x, unbatched, outs = _adaptive_sizes(input, output_size, dims, name)
    if not x.dtype.is_floating_point:
        raise NotImplementedError(f"\"{name}\" not implemented for '{_type_name(x.dtype)}'")
    values, index = _C._adaptive_max_pool(x, outs)
    if unbatched:
        values, index = values.squeeze(0), index.squeeze(0)
    return (values, index) if return_indices else values


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, return_indices, 3, "adaptive_max_pool3d")


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool3d(input, output_size, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool2d(input, output_size, True)


# ---- unpooling ------------------------------------------------------------------------------------


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, dims, name):
    kernel = ntuple(kernel_size, dims, "kernel_size")
    stride = kernel if stride is None else ntuple(stride, dims, "stride")
    padding = ntuple(padding, dims, "padding")
    x, unbatched = _batched(input, dims, name)
    idx = indices.unsqueeze(0) if unbatched else indices
    default = [(x.shape[2 + j] - 1) * stride[j] - 2 * padding[j] + kernel[j] for j in range(dims)]
    if output_size is None:
        sizes = default
    else:
        sizes = [int(s) for s in output_size][-dims:]
        for j in range(dims):
            lo, hi = default[j] - stride[j], default[j] + stride[j]
            if not lo < sizes[j] < hi:
                raise ValueError(f"invalid output_size \"{list(output_size)}\" (dim {j} must be between {lo} and {hi})")
    n, c = x.shape[0], x.shape[1]
    plane = math.prod(sizes)
    flat_idx = idx.reshape(n, c, -1)
    if flat_idx.numel() and (flat_idx.min().item() < 0 or flat_idx.max().item() >= plane):
        bad = flat_idx.max().item() if flat_idx.max().item() >= plane else flat_idx.min().item()
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size {'x'.join(map(str, sizes))})")
    out = x.new_zeros(n, c, plane).scatter(2, flat_idx, x.reshape(n, c, -1))
    out = out.view([n, c] + sizes)
    return out.squeeze(0) if unbatched else out


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3, "max_unpool3d")


def _int_list(value, name, what):
    """One int or a sequence of ints as a list, its length unchecked (the C++ op checks it)."""
    try:
        return [operator.index(v) for v in value] if isinstance(value, (list, tuple)) else [operator.index(value)]
    except TypeError:
        raise TypeError(f"{name}(): argument '{what}' must be tuple of ints, not {type(value).__name__}") from None


def _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, samples, dims, name):
    # PyTorch's order of checks: the sizes and the samples are read before the C++ op checks the input.
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if dims == 2 and len(output_ratio) > 2:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
        ratios = (_pair if dims == 2 else _triple)(output_ratio)
        output_size = [int(input.size(d - dims) * ratios[d]) for d in range(dims)]
    if samples is None:
        from .. import rand
        batch = 1 if input.dim() == dims + 1 else input.size(0)
        samples = rand(batch, input.size(-dims - 1), dims, dtype=input.dtype, device=input.device)
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"{name}(): Expected {dims + 1}D or {dims + 2}D tensor, but got: {list(input.shape)}")
    x, unbatched = _batched(input, dims, name)
    values, indices = _C._fractional_max_pool(x, _int_list(kernel_size, name, "kernel_size"),
                                              _int_list(output_size, name, "output_size"), samples)
    if unbatched:
        values, indices = values.squeeze(0), indices.squeeze(0)
    return (values, indices) if return_indices else values


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 2,
                                "fractional_max_pool2d")


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 3,
                                "fractional_max_pool3d")


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True, _random_samples)
