"""Dropout variants of nn.functional: one random keep-mask per element or per channel."""

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input, p, shape):
    """Bernoulli(1 - p) in the input's dtype, scaled by 1 / (1 - p)."""
    import dyngraph

    mask = dyngraph.empty(shape, dtype=input.dtype, device=input.device).bernoulli_(1 - p)
    return mask.div_(1 - p) if p < 1 else mask


def _apply(input, factor, inplace):
    return input.mul_(factor) if inplace else input * factor


def dropout(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _apply(input, _keep_mask(input, p, input.shape), inplace)


def _feature_dropout(input, p, training, inplace, batched_dims, name):
    _check_p(p)
    if input.dim() not in (batched_dims - 1, batched_dims):
        raise RuntimeError(f"{name}: Expected {batched_dims - 1}D or {batched_dims}D input, but received a "
                           f"{input.dim()}D input")
    if not training or p == 0.0:
        return input
    features = 2 if input.dim() == batched_dims else 1  # (N, C, ...) or unbatched (C, ...)
    shape = list(input.shape[:features]) + [1] * (input.dim() - features)
    return _apply(input, _keep_mask(input, p, shape), inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 3, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    # As PyTorch: one mask entry per (dim 0, dim 1) pair, whatever the rank
    # (a 3-D input is read as batched 1-D data, not as an unbatched image).
    _check_p(p)
    if input.dim() < 2:
        raise RuntimeError(f"dropout2d: Expected 3D or 4D input, but received a {input.dim()}D input")
    if not training or p == 0.0:
        return input
    shape = list(input.shape[:2]) + [1] * (input.dim() - 2)
    return _apply(input, _keep_mask(input, p, shape), inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    if input.dim() == 3:  # PyTorch still accepts (deprecated) a 3-D input, masking per dim-0 entry
        _check_p(p)
        if not training or p == 0.0:
            return input
        return _apply(input, _keep_mask(input, p, [input.shape[0], 1, 1]), inplace)
    return _feature_dropout(input, p, training, inplace, 5, "dropout3d")


_SELU_ALPHA_SCALE = 1.7580993408473766  # SELU's -alpha * scale: the value a dropped unit saturates to


def _alpha_dropout(input, p, training, inplace, shape):
    import dyngraph

    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input.mul_(0) if inplace else input * 0
    keep = dyngraph.empty(shape, dtype=input.dtype, device=input.device).bernoulli_(1 - p)
    a = 1.0 / ((_SELU_ALPHA_SCALE ** 2 * p + 1) * (1 - p)) ** 0.5
    b = (keep - 1) * (_SELU_ALPHA_SCALE * a) + _SELU_ALPHA_SCALE * a * p
    out = input * (keep * a) + b
    return input.copy_(out) if inplace else out


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _alpha_dropout(input, p, training, inplace, input.shape)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    shape = list(input.shape[:2]) + [1] * (input.dim() - 2)
    return _alpha_dropout(input, p, training, inplace, shape)
