"""Convolutions and the patch ops (unfold/fold) of nn.functional, on the C++ im2col + GEMM op."""

from .. import _C
from .._signature import typed
from ._functional_utils import ntuple

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "unfold", "fold",
           "conv_tbc"]


def _conv(input, weight, bias, stride, padding, dilation, groups, dims):
    stride = ntuple(stride, dims, "stride")
    dilation = ntuple(dilation, dims, "dilation")
    if isinstance(padding, str):
        if padding == "valid":
            padding = [0] * dims
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            kernel = weight.shape[2:]
            total = [d * (k - 1) for d, k in zip(dilation, kernel)]
            padding = [t // 2 for t in total]
            extra = [t - 2 * (t // 2) for t in total]
            if any(extra):  # an even kernel: PyTorch pads the extra element on the right
                from ._functional_resample import pad

                pads = []
                for e in reversed(extra):
                    pads += [0, e]
                input = pad(input, pads)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = ntuple(padding, dims, "padding")
    return _C.convolution(input, weight, bias, stride, padding, dilation, False, [0] * dims, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3)


@typed("conv_tbc", input="Tensor", weight="Tensor", bias="Tensor", pad="int")
def conv_tbc(input, weight, bias, pad=0):
    """A 1-d convolution in time-batch-channel layout: input (T, B, C_in), weight (K, C_in, C_out), bias
    (C_out), the time axis padded by pad on both sides (a negative pad crops); the result is (T', B, C_out)."""
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    if bias.shape[0] != weight.shape[2]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    pad = int(pad)
    steps = input.shape[0] + 2 * pad - weight.shape[0] + 1
    if steps < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {steps}: "
                           f"[{steps}, {input.shape[1]}, {weight.shape[2]}]")
    x = input.permute(1, 2, 0)
    if pad < 0:  # cropping: the convolution itself pads only
        x = x[:, :, -pad:input.shape[0] + pad]
    return _conv(x, weight.permute(2, 1, 0), bias, 1, max(pad, 0), 1, 1, 1).permute(2, 0, 1)


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, dims):
    if isinstance(padding, str):
        raise TypeError(f"conv_transpose{dims}d(): argument 'padding' must be tuple of ints, not str")
    return _C.convolution(input, weight, bias, ntuple(stride, dims, "stride"), ntuple(padding, dims, "padding"),
                          ntuple(dilation, dims, "dilation"), True, ntuple(output_padding, dims, "output_padding"),
                          groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 3)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of a (N, C, H, W) or (C, H, W) input as columns (N, C*kh*kw, L)."""
    if input.dim() not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)")
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    out = _C._im2col(x, ntuple(kernel_size, 2, "kernel_size"), ntuple(dilation, 2, "dilation"),
                     ntuple(padding, 2, "padding"), ntuple(stride, 2, "stride"))
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums columns (N, C*kh*kw, L) back into a (N, C, *output_size) image (the adjoint of unfold)."""
    if input.dim() not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                                  f"(got {input.dim()}D)")
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    out = _C._col2im(x, ntuple(output_size, 2, "output_size"), ntuple(kernel_size, 2, "kernel_size"),
                     ntuple(dilation, 2, "dilation"), ntuple(padding, 2, "padding"), ntuple(stride, 2, "stride"))
    return out if batched else out.squeeze(0)
