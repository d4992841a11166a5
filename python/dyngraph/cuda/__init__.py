"""dyngraph.cuda: the torch.cuda queries. This build answers them for its
CUDA backend: is_available() is False (and device_count() 0) unless a CUDA
tensor can be allocated."""

__all__ = ["is_available", "device_count", "is_initialized", "current_device", "synchronize", "empty_cache",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "get_device_name", "memory_allocated",
           "max_memory_allocated", "memory_reserved", "reset_peak_memory_stats", "set_device", "device",
           "is_bf16_supported"]

_available = None


def is_available():
    """Whether dyngraph can put tensors on a CUDA GPU."""
    global _available
    if _available is None:
        from .. import _C

        probe = getattr(_C, "_cuda_is_available", None)
        if probe is not None:
            _available = bool(probe())
        else:
            import dyngraph

            try:
                dyngraph.zeros(1, device="cuda")
                _available = True
            except Exception:
                _available = False
    return _available


def device_count():
    from .. import _C

    counter = getattr(_C, "_cuda_device_count", None)
    if counter is not None:
        return int(counter())
    return 1 if is_available() else 0


def is_initialized():
    return is_available()


def _lazy_check():
    if not is_available():
        raise AssertionError("Torch not compiled with CUDA enabled")


def current_device():
    _lazy_check()
    return 0


def set_device(device):
    _lazy_check()


def get_device_name(device=None):
    _lazy_check()
    return "CUDA device"


def synchronize(device=None):
    _lazy_check()


def is_bf16_supported(including_emulation=True):
    return is_available()


def empty_cache():
    """Releases cached GPU memory: nothing to do without a CUDA device."""


def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0


def memory_reserved(device=None):
    return 0


def reset_peak_memory_stats(device=None):
    pass


def manual_seed(seed):
    """Seeds the CUDA generators; silently a no-op without CUDA, as in PyTorch."""


def manual_seed_all(seed):
    """Seeds the CUDA generators of every device; silently a no-op without CUDA, as in PyTorch."""


def seed():
    pass


def seed_all():
    pass


class device:
    """Context manager that selects a CUDA device (nothing to select without CUDA)."""

    def __init__(self, device):
        self.idx = device

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
