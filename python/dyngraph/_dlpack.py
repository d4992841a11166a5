"""DLPack and __cuda_array_interface__: zero-copy exchange with NumPy, PyTorch,
CuPy, JAX and friends. The capsules themselves are made and consumed in C++
(csrc/python/dlpack.cpp); this module holds the Python protocol around them:
``Tensor.__dlpack__`` / ``__dlpack_device__`` (the array API standard's
producer side), ``from_dlpack`` (its consumer side, as torch.from_dlpack),
and ``Tensor.__cuda_array_interface__``."""

import enum

from . import _C
from ._C import Tensor

__all__ = ["DLDeviceType", "from_dlpack", "to_dlpack"]


class DLDeviceType(enum.IntEnum):
    """DLPack's device codes (the ones dyngraph produces or reads)."""

    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLCUDAManaged = 13


def _current_cuda_device():
    from . import cuda

    return cuda.current_device()


def _dlpack_device(self):
    """(DLDeviceType, device index) of the tensor's memory."""
    dev = self.device
    if dev.type == "cuda":
        return (DLDeviceType.kDLCUDA, dev.index if dev.index is not None else _current_cuda_device())
    return (DLDeviceType.kDLCPU, 0)


def _device_from_dl(dl_device):
    kind, index = int(dl_device[0]), int(dl_device[1])
    if kind in (DLDeviceType.kDLCPU, DLDeviceType.kDLCUDAHost):
        return "cpu"
    if kind in (DLDeviceType.kDLCUDA, DLDeviceType.kDLCUDAManaged):
        return f"cuda:{index}"
    raise BufferError(f"dyngraph can't export to DLPack device type {kind}")


def _wait_for_cuda_work(device):
    # The consumer will read on its own stream: make every kernel queued so
    # far on our side finish first. A device-wide synchronize is coarser than
    # an event recorded on our stream and waited on theirs, but it is correct
    # for any stream the consumer names and needs nothing from the backend
    # beyond dyngraph.cuda.synchronize.
    from . import cuda

    sync = getattr(cuda, "synchronize", None)
    if sync is not None:
        sync(device)


def _dlpack(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """A DLPack capsule viewing this tensor's memory (the array API's ``__dlpack__``).

    stream: the consumer's stream (CUDA: an int handle; None or -1: no synchronization; CPU: must be None or -1).
    max_version: the newest DLPack version the consumer reads; (1, 0) or later gives a "dltensor_versioned"
    capsule, anything else the legacy "dltensor" one. dl_device: the device the consumer wants the data on
    (a copy when it differs, unless copy=False). copy: True always copies, False never does, None only when needed.
    """
    # A capsule carries no autograd history, so exporting would silently drop it (PyTorch's rule and message).
    if self.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if stream is not None and type(stream) is not int:
        raise TypeError("stream must be ``int`` or ``none``")
    t, copied = self, False
    if dl_device is not None and tuple(int(x) for x in dl_device) != tuple(int(x) for x in _dlpack_device(self)):
        if copy is False:
            raise BufferError(f"can't export a tensor on {self.device} to DLPack device {tuple(dl_device)} "
                              "without a copy, and copy=False was given")
        t, copied = self.to(_device_from_dl(dl_device)), True
    elif copy:
        t, copied = self.clone(), True
    if t.device.type == "cuda":
        if stream is not None and stream != -1:
            _wait_for_cuda_work(t.device)
    elif stream is not None and stream != -1:
        raise AssertionError("stream should be None on cpu.")
    versioned = max_version is not None and max_version[0] >= 1
    return _C._to_dlpack(t, versioned, copied)


def _cuda_stream_for_producer(index):
    """The stream argument for a CUDA producer's __dlpack__: our current stream on that device once the
    CUDA backend exposes dyngraph.cuda.current_stream, else None (the legacy default stream)."""
    from . import cuda

    current_stream = getattr(cuda, "current_stream", None)
    if current_stream is None or not cuda.is_available():
        return None
    s = current_stream(index)
    handle = int(getattr(s, "cuda_stream", s))
    return 1 if handle == 0 else handle  # the array API spells the legacy default stream 1, since 0 is ambiguous


def from_dlpack(ext_tensor, *, device=None, copy=None):
    """A tensor sharing memory with ``ext_tensor``: an object with ``__dlpack__`` (a NumPy array, a PyTorch or
    CuPy tensor, ...) or a DLPack capsule (which can be consumed only once).

    device: where the result should be (a copy when it differs from the producer's device).
    copy: True asks the producer for a copy, False forbids one, None copies only when needed.
    """
    if not hasattr(ext_tensor, "__dlpack__"):
        if device is not None or copy is not None:
            raise AssertionError("device and copy kwargs not supported when ext_tensor is already a DLPack capsule.")
        return _C._from_dlpack(ext_tensor)
    from ._types import device as _device_class

    ext_device = tuple(ext_tensor.__dlpack_device__())
    kwargs = {"max_version": (1, 0)}
    if copy is not None:
        kwargs["copy"] = copy
    cross_device = False
    if device is not None:
        target = _device_class(device)
        if target.type == "cuda":
            target_dl = (DLDeviceType.kDLCUDA, target.index if target.index is not None else _current_cuda_device())
        else:
            target_dl = (DLDeviceType.kDLCPU, 0)
        cross_device = tuple(int(x) for x in ext_device) != tuple(int(x) for x in target_dl)
        if cross_device and copy is False:
            raise ValueError(f"cannot move DLPack tensor from device {ext_device} to {target_dl} without copying. "
                             "Set copy=None or copy=True.")
        if not cross_device:
            kwargs["dl_device"] = target_dl
    if int(ext_device[0]) in (DLDeviceType.kDLCUDA, DLDeviceType.kDLCUDAManaged):
        kwargs["stream"] = _cuda_stream_for_producer(int(ext_device[1]))
    # Older producers lack some keywords (NumPy < 2 has no max_version): drop them one at a time.
    capsule, producer_copied = None, True
    for drop in (None, "max_version", "copy", "dl_device"):
        if drop is not None:
            kwargs.pop(drop, None)
            producer_copied = producer_copied and drop != "copy"
        try:
            capsule = ext_tensor.__dlpack__(**kwargs)
            break
        except TypeError:
            if drop == "dl_device":
                raise
    t = _C._from_dlpack(capsule)
    if cross_device:
        return t.to(device)
    if copy and not producer_copied:
        t = t.clone()
    return t


def to_dlpack(tensor):
    """A legacy ("dltensor") DLPack capsule viewing the tensor's memory, for ``from_dlpack`` of another library.
    Consume it once."""
    return _C._to_dlpack(tensor, False, False)


_TYPESTR = {"complex64": "<c8", "complex128": "<c16", "bfloat16": "<V2", "float16": "<f2", "float32": "<f4",
            "float64": "<f8", "uint8": "|u1", "int8": "|i1", "int16": "<i2", "int32": "<i4", "int64": "<i8",
            "bool": "|b1"}


def _cuda_array_interface(self):
    # AttributeError on CPU tensors, so that hasattr(cpu_tensor, "__cuda_array_interface__") is False (as PyTorch).
    if self.device.type != "cuda":
        raise AttributeError(f"Can't get __cuda_array_interface__ on non-CUDA tensor type: {self.type()} "
                             "If CUDA data is required use tensor.cuda() to copy tensor to device memory.")
    if self.requires_grad:
        raise RuntimeError("Can't get __cuda_array_interface__ on Variable that requires grad. "
                           "If gradients aren't required, use var.detach() to get Variable that doesn't require grad.")
    itemsize = self.element_size()
    strides = None if self.is_contiguous() else tuple(s * itemsize for s in self.stride())
    # stream None is version 3's "no synchronization needed": like PyTorch (whose version 2 dict has no
    # stream), ordering against kernels still queued is the user's business here; __dlpack__(stream=...)
    # is the protocol that synchronizes.
    return {"shape": tuple(self.shape), "typestr": _TYPESTR[self.dtype._name],
            "data": (self.data_ptr() if self.numel() > 0 else 0, False), "strides": strides, "version": 3,
            "stream": None}


def _install():
    Tensor.__dlpack__ = _dlpack
    Tensor.__dlpack_device__ = _dlpack_device
    Tensor.__cuda_array_interface__ = property(_cuda_array_interface)


_install()
