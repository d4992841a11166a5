"""Padding and resampling of nn.functional: pad, interpolate, grid_sample,
affine_grid, pixel_shuffle. interpolate and grid_sample are C++ ops (this
file maps PyTorch's arguments onto them); pad and the shuffles are views and
gathers composed here."""

import math

from .. import _C
from ._functional_utils import ntuple
from .._arg_checks import check_tensor_args
from .._out import _type_name

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "grid_sample", "affine_grid",
           "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
           "GRID_SAMPLE_INTERPOLATION_MODES", "GRID_SAMPLE_PADDING_MODES"]

# grid_sample's mode names and PyTorch's enum values for them.
GRID_SAMPLE_INTERPOLATION_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
GRID_SAMPLE_PADDING_MODES = {"zeros": 0, "border": 1, "reflection": 2}


# ---- pad ------------------------------------------------------------------------------------------


def _pad_indices(size, left, right, mode, dim, input_shape, device):
    """The source index of each output position along one dim, for the index-based pad modes."""
    import dyngraph

    if mode == "reflect" and (left >= size or right >= size):
        raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                           f"but got: padding ({left}, {right}) at dimension {dim} of input {list(input_shape)}")
    if mode == "circular" and (left > size or right > size):
        raise RuntimeError("Padding value causes wrapping around more than once.")
    if size == 0 and (left > 0 or right > 0):
        raise RuntimeError(f"{mode} padding of an empty dimension {dim} of input {list(input_shape)}")
    pos = dyngraph.arange(-left, size + right, dtype=dyngraph.int64, device=device)
    if mode == "replicate":
        return pos.clamp(0, size - 1)
    if mode == "circular":
        return pos.remainder(size)
    period = 2 * (size - 1)  # reflect: mirror about the edges without repeating them
    if period == 0:
        return pos * 0
    folded = pos.abs().remainder(period)
    return _C.where(folded >= size, period - folded, folded)


def pad(input, pad, mode="constant", value=None):
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    pads = [int(p) for p in pad]
    if mode == "constant":
        return _constant_pad(input, pads, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value not in (None, 0):
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if (len(pads), input.dim()) not in ((2, 2), (2, 3), (4, 3), (4, 4), (6, 4), (6, 5)):
        raise NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now")
    out = input
    for i in range(len(pads) // 2):
        dim = input.dim() - 1 - i
        left, right = pads[2 * i], pads[2 * i + 1]
        if left == 0 and right == 0:
            continue
        if left < 0 or right < 0:  # negative padding crops first
            out = out.narrow(dim, max(-left, 0), out.shape[dim] - max(-left, 0) - max(-right, 0))
            left, right = max(left, 0), max(right, 0)
        index = _pad_indices(out.shape[dim], left, right, mode, dim, input.shape, input.device)
        out = out.index_select(dim, index)
    return out


def _constant_pad(input, pads, value):
    import dyngraph

    cropped = input
    shape = list(input.shape)
    slices = [slice(None)] * input.dim()
    for i in range(len(pads) // 2):
        dim = input.dim() - 1 - i
        left, right = pads[2 * i], pads[2 * i + 1]
        if left < 0 or right < 0:
            start, stop = max(-left, 0), shape[dim] - max(-right, 0)
            if stop < start:
                raise RuntimeError(f"The input size {shape[dim]}, plus negative padding {left} and {right} "
                                   f"resulted in a negative output size, which is invalid. Check dimension {dim} "
                                   "of your input.")
            cropped = cropped.narrow(dim, start, stop - start)
        new = shape[dim] + left + right
        if new < 0:
            raise RuntimeError(f"The input size {shape[dim]}, plus negative padding {left} and {right} resulted in "
                               f"a negative output size, which is invalid. Check dimension {dim} of your input.")
        slices[dim] = slice(max(left, 0), max(left, 0) + cropped.shape[dim])
        shape[dim] = new
    if all(p <= 0 for p in pads):
        return cropped.clone()
    out = dyngraph.full(shape, value, dtype=input.dtype, device=input.device)
    out[tuple(slices)] = cropped
    return out


# ---- interpolate ----------------------------------------------------------------------------------

_DIMS_OF_MODE = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3, "lanczos": 2}
_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"


def _is_integer(x):
    return isinstance(x, int) or (hasattr(x, "__index__") and not isinstance(x, float))


def _output_sizes(input, size, scale_factor, recompute_scale_factor, dims):
    """PyTorch's size/scale_factor rules: the output sizes, and the scale factors the kernel uses (or None)."""
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    in_sizes = list(input.shape[2:])
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dims:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {in_sizes} and output size of {size}. Please provide "
                                 "input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                                 "format.")
            if not all(_is_integer(x) for x in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(x) for x in size]}")
            sizes = [int(s) for s in size]
        else:
            sizes = [int(size)] * dims
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        return sizes, None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dims:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {in_sizes} and scale_factor of shape {scale_factor}. Please "
                             "provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                             "(s1, s2, ...,sK) format.")
        scales = [float(s) for s in scale_factor]
    else:
        scales = [float(scale_factor)] * dims
    sizes = [int(math.floor(s * f)) for s, f in zip(in_sizes, scales)]
    return sizes, (None if recompute_scale_factor else scales)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    else:
        align_corners = bool(align_corners)
    dims = input.dim() - 2
    if dims < 1 or dims > 3 or (mode not in _DIMS_OF_MODE and mode not in ("nearest", "area", "nearest-exact")):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
                                  f"the modes: {_MODES} (got {mode})")
    sizes, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor, dims)
    if mode == "area":
        scales = None  # area is adaptive average pooling of the output size
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D "
                         "tensor as input")
    if mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if mode in _DIMS_OF_MODE and _DIMS_OF_MODE[mode] != dims:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {_DIMS_OF_MODE[mode] + 2}D input")
    if any(s <= 0 for s in sizes) or (input.numel() and any(s <= 0 for s in input.shape[2:])):
        names = "DHW"[3 - dims:]
        raise RuntimeError("Input and output sizes should be greater than 0, but got input ("
                           + ", ".join(f"{n}: {s}" for n, s in zip(names, input.shape[2:])) + ") output ("
                           + ", ".join(f"{n}: {s}" for n, s in zip(names, sizes)) + ")")
    exact_modes = ("nearest", "nearest-exact", "area")  # uint8 only here (PyTorch's uint8 resize rounds its own way)
    exact_ok = input.dtype._name == "uint8" and mode in exact_modes
    if not (input.dtype.is_floating_point or input.dtype.is_complex or exact_ok):
        raise NotImplementedError(f"\"upsample_{mode.replace('-', '_')}{dims}d\" not implemented for "
                                  f"'{_type_name(input.dtype)}'")
    if mode == "area":
        from ._functional_pool import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dims - 1](input, sizes)
    return _C._interpolate(input, sizes, mode, bool(align_corners), scales or [], bool(antialias))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- grid_sample / affine_grid ---------------------------------------------------------------------


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    if mode not in tuple(GRID_SAMPLE_INTERPOLATION_MODES):  # compares with ==, as PyTorch (no hashing)
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in tuple(GRID_SAMPLE_PADDING_MODES):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    check_tensor_args("grid_sample", ("input", input), ("grid", grid))  # after the modes, as in PyTorch
    return _C._grid_sample(input, grid, mode, padding_mode, bool(align_corners))


def _base_coords(steps, align_corners, dtype, device):
    import dyngraph

    if steps <= 1:
        return dyngraph.zeros(max(steps, 0), dtype=dtype, device=device)
    lin = dyngraph.linspace(-1, 1, steps, dtype=dtype, device=device)
    return lin if align_corners else lin * (steps - 1) / steps


def affine_grid(theta, size, align_corners=None):
    import dyngraph

    align_corners = bool(align_corners)
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {list(size)}. "
                             f"Got {list(theta.shape)}.")
        n, _, h, w = size
        xs = _base_coords(w, align_corners, theta.dtype, theta.device).view(1, w).expand(h, w)
        ys = _base_coords(h, align_corners, theta.dtype, theta.device).view(h, 1).expand(h, w)
        ones = dyngraph.ones(h, w, dtype=theta.dtype, device=theta.device)
        base = dyngraph.stack([xs, ys, ones], -1).reshape(1, h * w, 3)
        return _C.matmul(base, theta.transpose(1, 2)).reshape(n, h, w, 2)  # (autocast: as PyTorch's)
    if len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {list(size)}. "
                             f"Got {list(theta.shape)}.")
        n, _, d, h, w = size
        xs = _base_coords(w, align_corners, theta.dtype, theta.device).view(1, 1, w).expand(d, h, w)
        ys = _base_coords(h, align_corners, theta.dtype, theta.device).view(1, h, 1).expand(d, h, w)
        zs = _base_coords(d, align_corners, theta.dtype, theta.device).view(d, 1, 1).expand(d, h, w)
        ones = dyngraph.ones(d, h, w, dtype=theta.dtype, device=theta.device)
        base = dyngraph.stack([xs, ys, zs, ones], -1).reshape(1, d * h * w, 4)
        return _C.matmul(base, theta.transpose(1, 2)).reshape(n, d, h, w, 3)
    raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                              f"respectively. Got size {list(size)}.")


# ---- pixel shuffle ---------------------------------------------------------------------------------


def pixel_shuffle(input, upscale_factor):
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    r = int(upscale_factor)
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    x = input.reshape(list(lead) + [c // (r * r), r, r, h, w])
    k = len(lead)
    x = x.permute(list(range(k)) + [k, k + 3, k + 1, k + 4, k + 2])
    return x.reshape(list(lead) + [c // (r * r), h * r, w * r])


def pixel_unshuffle(input, downscale_factor):
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    r = int(downscale_factor)
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by downscale_factor, but got "
                           f"height={h}, width={w} and downscale_factor={r}")
    x = input.reshape(list(lead) + [c, h // r, r, w // r, r])
    k = len(lead)
    x = x.permute(list(range(k)) + [k, k + 2, k + 4, k + 1, k + 3])
    return x.reshape(list(lead) + [c * r * r, h // r, w // r])


def channel_shuffle(input, groups):
    n, c = input.shape[0], input.shape[1]
    rest = list(input.shape[2:])
    return input.reshape([n, groups, c // groups] + rest).transpose(1, 2).reshape([n, c] + rest)


def native_channel_shuffle(input, groups):
    return channel_shuffle(input, groups)
