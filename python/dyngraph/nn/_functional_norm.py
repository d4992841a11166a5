"""Normalization layers of nn.functional."""

import math

from .. import _C

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm"]


def _shape(normalized_shape):
    return [normalized_shape] if isinstance(normalized_shape, int) else [int(s) for s in normalized_shape]


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05):
    if input.dim() < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.dim()}D input)")
    return _C.batch_norm(input, running_mean, running_var, weight, bias, training,
                         0.0 if momentum is None else momentum, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    if use_input_stats and math.prod(input.shape[2:]) == 1:  # PyTorch's Python-side check, before any other
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    return _C._instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                             0.0 if momentum is None else momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    return _C.layer_norm(input, _shape(normalized_shape), weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return _C._rms_norm(input, _shape(normalized_shape), weight, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    # PyTorch's Python-side checks, in its order (num_groups 0 divides by zero there too)
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    per_group = [input.shape[0] * input.shape[1] // num_groups] + list(input.shape[2:])
    if math.prod(per_group) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{[per_group[0], num_groups] + per_group[1:]}")
    return _C._group_norm(input, num_groups, weight, bias, eps)


def local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0):
    if input.dim() < 3:  # PyTorch's Python-side checks, before the arguments' types
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.dim()} dimensions)")
    if input.numel() == 0:
        return input
    return _C._local_response_norm(input, size, alpha, beta, k)
