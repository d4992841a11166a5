"""Device selection helpers shared by dyngraph.cuda's modules."""

from .. import _C


def is_available():
    """Whether dyngraph can put tensors on a CUDA GPU (a CUDA build, a driver and at least one GPU)."""
    return _C._cuda_device_count() > 0


def lazy_check():
    """Raises when CUDA can't be used. PyTorch raises AssertionError (a build without CUDA) or
    RuntimeError (no driver or GPU); CudaUnavailableError is both, whichever a caller catches."""
    if not is_available():
        raise _C._CudaUnavailableError(_C._cuda_unavailable_reason())


def device_index(device, optional=True):
    """The integer index of a device given as None (the current one), an int, "cuda", "cuda:N" or a
    dyngraph.device."""
    if device is None:
        lazy_check()
        return _C._cuda_current_device()
    if isinstance(device, int):
        return device
    if isinstance(device, str):
        from .. import device as device_class

        device = device_class(device)
    if getattr(device, "type", None) == "cuda":
        if device.index is None:
            lazy_check()
            return _C._cuda_current_device()
        return device.index
    raise ValueError(f"Expected a cuda device, but got: {device}")
