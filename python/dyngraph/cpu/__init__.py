"""dyngraph.cpu: the torch.cpu queries (the CPU is always there) and the deprecated torch.cpu.amp."""

__all__ = ["is_available", "is_initialized", "synchronize", "current_device", "set_device", "device_count"]


def is_available():
    return True


def is_initialized():
    return True


def synchronize(device=None):
    """Waits for the CPU's queued work: there is none, CPU ops run synchronously."""


def current_device():
    return "cpu"


def set_device(device):
    """Sets the current device: the CPU is the only one."""


def device_count():
    return 1


from . import amp  # noqa: E402,F401
