"""Memory formats: contiguous_format, channels_last (NHWC strides for a 4-D
tensor), channels_last_3d (NDHWC for 5-D) and preserve_format, accepted by
contiguous, is_contiguous, clone and to. A channels-last tensor is a real
strided layout: its logical shape stays (N, C, H, W) while channels are
adjacent in memory, and every op reads it through its strides."""

from ._C import Tensor

__all__ = ["memory_format", "contiguous_format", "channels_last", "channels_last_3d", "preserve_format",
           "legacy_contiguous_format", "clone"]


class memory_format:
    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'dyngraph.memory_format' instances")

    @classmethod
    def _make(cls, name):
        fmt = object.__new__(cls)
        fmt._name = name
        return fmt

    def __repr__(self):
        return "dyngraph." + self._name

    def __reduce__(self):
        return self._name


contiguous_format = memory_format._make("contiguous_format")
channels_last = memory_format._make("channels_last")
channels_last_3d = memory_format._make("channels_last_3d")
preserve_format = memory_format._make("preserve_format")
legacy_contiguous_format = contiguous_format

_RANK = {"channels_last": 4, "channels_last_3d": 5}


def _check(fmt, name):
    if fmt is not None and not isinstance(fmt, memory_format):
        raise TypeError(f"{name}(): argument 'memory_format' must be dyngraph.memory_format, not "
                        f"{type(fmt).__name__}")


def _channels_last_order(t):
    """Dims from the slowest to the fastest in memory for a channels-last layout: N, spatial..., C."""
    return [0] + list(range(2, t.dim())) + [1]


def _is_channels_last(t, fmt):
    rank = _RANK[fmt._name]
    if t.dim() != rank:
        return False
    expected = 1
    for d in reversed(_channels_last_order(t)):
        if t.shape[d] != 1 and t.stride(d) != expected:
            return False
        expected *= t.shape[d]
    return True


def _to_channels_last(t, fmt):
    rank = _RANK[fmt._name]
    if t.dim() != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {fmt._name} format")
    order = _channels_last_order(t)
    inverse = [order.index(d) for d in range(t.dim())]
    return t.permute(order).contiguous().permute(inverse)


_plain_contiguous = Tensor.contiguous
_plain_is_contiguous = Tensor.is_contiguous
_plain_clone = Tensor.clone


def _contiguous(self, memory_format=contiguous_format):
    if memory_format is contiguous_format:
        return _plain_contiguous(self)
    _check(memory_format, "contiguous")
    if memory_format is preserve_format:
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return self if _is_channels_last(self, memory_format) else _to_channels_last(self, memory_format)


def _is_contiguous_method(self, memory_format=contiguous_format):
    if memory_format is contiguous_format:
        return _plain_is_contiguous(self)
    _check(memory_format, "is_contiguous")
    if memory_format is preserve_format:
        raise RuntimeError("is_contiguous(): preserve_format is not a layout a tensor can have")
    return _is_channels_last(self, memory_format)


def _copy_contiguous(t):
    """A fresh row-major copy of t (contiguous() alone would return t itself when it already is)."""
    return _plain_clone(t) if _plain_is_contiguous(t) else _plain_contiguous(t)


def _clone(self, *, memory_format=preserve_format):
    if memory_format is preserve_format:
        return _plain_clone(self)  # the core's clone keeps a dense layout's strides
    _check(memory_format, "clone")
    if memory_format is contiguous_format:
        return _copy_contiguous(self)
    if self.dim() != _RANK[memory_format._name]:
        raise RuntimeError(f"required rank {_RANK[memory_format._name]} tensor to use {memory_format._name} format")
    order = _channels_last_order(self)
    return _copy_contiguous(self.permute(order)).permute([order.index(d) for d in range(self.dim())])


def clone(input, *, memory_format=preserve_format):
    return _clone(input, memory_format=memory_format)


def apply_memory_format(t, fmt):
    """t laid out in fmt (for to()); preserve_format keeps t's layout."""
    if fmt is None:
        return t
    _check(fmt, "to")
    if fmt is preserve_format:
        return t
    if fmt is contiguous_format:
        return t if _plain_is_contiguous(t) else _plain_contiguous(t)
    return t if _is_channels_last(t, fmt) else _to_channels_last(t, fmt)


def _install():
    Tensor.contiguous = _contiguous
    Tensor.is_contiguous = _is_contiguous_method
    Tensor.clone = _clone


_install()
