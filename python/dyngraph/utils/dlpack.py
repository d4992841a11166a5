"""torch.utils.dlpack's names: to_dlpack (a legacy capsule), from_dlpack and
DLDeviceType. The implementation is dyngraph._dlpack."""

from .._dlpack import DLDeviceType, from_dlpack, to_dlpack

__all__ = ["DLDeviceType", "from_dlpack", "to_dlpack"]
