"""Normalization layers of nn.functional."""

from .. import _C

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm"]


def _mixed(input, *params):
    """Whether input is float16/bfloat16 and its (given) affine parameters float32: PyTorch's one accepted
    mix for the norms (what autocast makes of a float32 model fed a reduced-precision input). The result
    then has input's dtype."""
    given = [p for p in params if p is not None]
    return (bool(given) and input.dtype._name in ("float16", "bfloat16")
            and all(p.dtype._name == "float32" for p in given))


def _channel_shape(input):
    return [1, input.shape[1]] + [1] * (input.dim() - 2)


def _affine(y, weight, bias, shape):
    if weight is not None and bias is not None:
        return _C.addcmul(bias.reshape(shape), y, weight.reshape(shape))
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05):
    if input.dim() < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.dim()}D input)")
    return _C.batch_norm(input, running_mean, running_var, weight, bias, training,
                         0.0 if momentum is None else momentum, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    import dyngraph

    if input.dim() < 2:
        raise ValueError(f"instance_norm: expected at least 2D input (got {input.dim()}D input)")
    n, c = input.shape[0], input.shape[1]
    shape = _channel_shape(input)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        y = (input - running_mean.reshape(shape)) * (running_var.reshape(shape) + eps).rsqrt()
        return _affine(y, weight, bias, shape)
    count = input.numel() // (n * c) if n * c else 0
    if count <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {list(input.shape)}")
    rows = input.reshape(n, c, count)
    if running_mean is not None and running_var is not None:
        with dyngraph.no_grad():
            detached = rows.detach()
            running_mean.mul_(1 - momentum).add_(detached.mean(2).mean(0), alpha=momentum)
            running_var.mul_(1 - momentum).add_(detached.var(2, correction=1).mean(0), alpha=momentum)
    y = _C.layer_norm(rows, [count], None, None, eps).reshape(input.shape)
    return _affine(y, weight, bias, shape)


def _check_normalized_shape(input, normalized_shape, name):
    shape = [normalized_shape] if isinstance(normalized_shape, int) else [int(s) for s in normalized_shape]
    k = len(shape)
    if k == 0 or input.dim() < k or list(input.shape[input.dim() - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape [*, "
                           f"{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    return list(range(input.dim() - k, input.dim())), shape


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    shape = [normalized_shape] if isinstance(normalized_shape, int) else [int(s) for s in normalized_shape]
    if _mixed(input, weight, bias):
        return _C.layer_norm(input.float(), shape, weight, bias, eps).to(input.dtype)
    return _C.layer_norm(input, shape, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    import dyngraph

    dims, shape = _check_normalized_shape(input, normalized_shape, "rms_norm")
    if eps is None:
        eps = dyngraph.finfo(input.dtype).eps
    y = input * (input.square().mean(dims, keepdim=True) + eps).rsqrt()
    if weight is None:
        return y
    return (y * weight).to(input.dtype) if _mixed(input, weight) else y * weight


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    per_group = input.numel() // (n * num_groups) if n * num_groups else 0
    y = _C.layer_norm(input.reshape(n, num_groups, per_group), [per_group], None, None, eps).reshape(input.shape)
    out = _affine(y, weight, bias, _channel_shape(input))
    return out.to(input.dtype) if _mixed(input, weight, bias) else out


def local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0):
    import dyngraph

    if input.dim() < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.dim()} dimensions)")
    if input.numel() == 0:
        return input
    # Sum of squares over a window of `size` channels (zero-padded), by differences of a cumulative sum.
    sq = input.square()
    c = input.shape[1]
    zeros_front = input.new_zeros([input.shape[0], size // 2 + 1] + list(input.shape[2:]))
    zeros_back = input.new_zeros([input.shape[0], (size - 1) // 2] + list(input.shape[2:]))
    csum = dyngraph.cat([zeros_front, sq, zeros_back], 1).cumsum(1)
    window = csum.narrow(1, size, c) - csum.narrow(1, 0, c)
    div = (window * (alpha / size) + k).pow(beta)
    return input / div
