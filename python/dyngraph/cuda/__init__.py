"""dyngraph.cuda: GPUs as PyTorch's torch.cuda presents them. Everything is lazy: importing it touches
no driver, and on a machine without a GPU (or a build without CUDA) is_available() is False,
device_count() is 0, the memory queries return 0 and calls that need a device raise."""

import collections

from .. import _C
from ._device import device_index as _device_index
from ._device import is_available
from ._device import lazy_check as _lazy_check
from .memory import (empty_cache, max_memory_allocated, max_memory_cached, max_memory_reserved, mem_get_info,
                     memory_allocated, memory_cached, memory_reserved, memory_stats, memory_stats_as_nested_dict, memory_summary,
                     reset_max_memory_allocated, reset_max_memory_cached, reset_peak_memory_stats)
from .streams import (Event, ExternalStream, Stream, StreamContext, current_stream, default_stream, set_stream,
                      stream)

__all__ = ["is_available", "device_count", "is_initialized", "init", "current_device", "set_device", "device",
           "device_of", "get_device_name", "get_device_capability", "get_device_properties", "synchronize",
           "Stream", "ExternalStream", "Event", "StreamContext", "stream", "current_stream", "default_stream",
           "set_stream", "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "memory_cached", "max_memory_cached", "memory_stats", "memory_summary",
           "mem_get_info", "reset_peak_memory_stats", "reset_max_memory_allocated", "reset_max_memory_cached",
           "manual_seed", "manual_seed_all", "get_rng_state", "set_rng_state", "get_rng_state_all",
           "set_rng_state_all", "seed", "seed_all", "initial_seed", "is_bf16_supported", "is_tf32_supported",
           "memory_stats_as_nested_dict", "has_half", "has_magma",
           "OutOfMemoryError", "CudaUnavailableError", "is_built"]

OutOfMemoryError = _C.OutOfMemoryError
CudaUnavailableError = _C._CudaUnavailableError


def is_built():
    """Whether this dyngraph was compiled with its CUDA backend (a GPU may still be missing)."""
    return _C._cuda_is_built()


def device_count():
    """The number of usable GPUs (0 without a driver or GPU)."""
    return _C._cuda_device_count()


def is_initialized():
    return is_available()


def init():
    """Initializes CUDA now rather than on first use; raises when it can't be used."""
    _lazy_check()


def current_device():
    _lazy_check()
    return _C._cuda_current_device()


def set_device(device):
    """Selects the GPU new CUDA tensors go to (a negative index is ignored, as in PyTorch)."""
    index = _device_index(device)
    if index >= 0:
        _C._cuda_set_device(index)


class device:
    """Context manager that makes a GPU the current device for its block."""

    def __init__(self, device):
        self.idx = _device_index(device) if device is not None else -1
        self.prev_idx = -1

    def __enter__(self):
        if self.idx >= 0:
            self.prev_idx = current_device()
            if self.prev_idx != self.idx:
                _C._cuda_set_device(self.idx)
        return self

    def __exit__(self, *exc):
        if self.idx >= 0 and self.prev_idx != self.idx:
            _C._cuda_set_device(self.prev_idx)
        return False


class device_of(device):
    """The device context of a tensor (a no-op for CPU tensors)."""

    def __init__(self, obj):
        super().__init__(obj.device.index if obj.is_cuda else None)


def get_device_name(device=None):
    return _C._cuda_device_name(_device_index(device))


def get_device_capability(device=None):
    """(major, minor) compute capability."""
    return tuple(_C._cuda_device_capability(_device_index(device)))


_CudaDeviceProperties = collections.namedtuple("_CudaDeviceProperties", ["name", "major", "minor", "total_memory"])


def get_device_properties(device=None):
    index = _device_index(device)
    major, minor = _C._cuda_device_capability(index)
    return _CudaDeviceProperties(_C._cuda_device_name(index), major, minor, _C._cuda_device_total_memory(index))


def synchronize(device=None):
    """Waits for all work queued on the device."""
    _C._cuda_synchronize(_device_index(device))


def is_bf16_supported(including_emulation=True):
    if not is_available():
        return False
    return including_emulation or get_device_capability()[0] >= 8


def is_tf32_supported():
    """Whether the device has TF32 Tensor Core math (compute capability 8.0 and up), as PyTorch decides."""
    return is_bf16_supported(including_emulation=False)


has_half = True  # float16 tensors and kernels on the GPU
has_magma = False  # dyngraph's GPU linear algebra does not use MAGMA


def __getattr__(name):
    # Per device, the generator its random numbers come from: dyngraph has one for every device (see
    # manual_seed below), so each entry is that generator. Computed on use: importing touches no driver.
    if name == "default_generators":
        return tuple(_C.default_generator for _ in range(device_count()))
    raise AttributeError(f"module 'dyngraph.cuda' has no attribute '{name}'")


# dyngraph has one random generator for every device (results on a GPU match the CPU's for the same
# seed); these seed it, but only when a GPU is there, so that without one they stay no-ops as in PyTorch.
def manual_seed(seed):
    if is_available():
        import dyngraph

        dyngraph.manual_seed(seed)


manual_seed_all = manual_seed


def get_rng_state(device="cuda"):
    """The state of the generator a GPU draws from (the one shared generator: see manual_seed)."""
    from .. import random

    return random.get_rng_state()


def set_rng_state(new_state, device="cuda"):
    from .. import random

    random.set_rng_state(new_state)


def get_rng_state_all():
    return [get_rng_state(i) for i in range(device_count())]


def set_rng_state_all(new_states):
    for i, state in enumerate(new_states):
        set_rng_state(state, i)


def seed():
    if is_available():
        import dyngraph

        dyngraph.seed()


seed_all = seed


def initial_seed():
    _lazy_check()
    import dyngraph

    return dyngraph.initial_seed()


from . import amp  # noqa: E402,F401  (the deprecated dyngraph.cuda.amp names)
