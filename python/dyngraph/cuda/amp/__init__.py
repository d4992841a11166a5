"""dyngraph.cuda.amp: PyTorch's deprecated torch.cuda.amp names, now dyngraph.amp.*("cuda", ...)."""

import functools
import warnings

from ...amp import autocast_mode as _autocast_mode
from ...amp.grad_scaler import GradScaler as _GradScaler
from ...amp.grad_scaler import OptState  # noqa: F401
from ..._types import _BY_NAME

__all__ = ["amp_definitely_not_available", "autocast", "custom_bwd", "custom_fwd", "GradScaler"]


def amp_definitely_not_available():
    from .. import is_available

    return not is_available()


class autocast(_autocast_mode.autocast):
    r"""See :class:`dyngraph.autocast`. ``torch.cuda.amp.autocast(args...)`` is deprecated. Please use
    ``torch.amp.autocast("cuda", args...)`` instead."""

    def __init__(self, enabled=True, dtype=_BY_NAME["float16"], cache_enabled=True):
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. "
                      "Please use `torch.amp.autocast('cuda', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


def custom_fwd(fwd=None, *, cast_inputs=None):
    """``torch.cuda.amp.custom_fwd(args...)`` is deprecated. Please use
    ``torch.amp.custom_fwd(args..., device_type='cuda')`` instead."""
    warnings.warn("`torch.cuda.amp.custom_fwd(args...)` is deprecated. "
                  "Please use `torch.amp.custom_fwd(args..., device_type='cuda')` instead.", FutureWarning,
                  stacklevel=2)
    return functools.partial(_autocast_mode.custom_fwd, device_type="cuda")(fwd=fwd, cast_inputs=cast_inputs)


def custom_bwd(bwd):
    """``torch.cuda.amp.custom_bwd(args...)`` is deprecated. Please use
    ``torch.amp.custom_bwd(args..., device_type='cuda')`` instead."""
    warnings.warn("`torch.cuda.amp.custom_bwd(args...)` is deprecated. "
                  "Please use `torch.amp.custom_bwd(args..., device_type='cuda')` instead.", FutureWarning,
                  stacklevel=2)
    return functools.partial(_autocast_mode.custom_bwd, device_type="cuda")(bwd)


class GradScaler(_GradScaler):
    r"""See :class:`dyngraph.amp.GradScaler`. ``torch.cuda.amp.GradScaler(args...)`` is deprecated. Please use
    ``torch.amp.GradScaler("cuda", args...)`` instead."""

    def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. "
                      "Please use `torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval, enabled=enabled)
