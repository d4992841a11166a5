"""The CUDA caching allocator's statistics and controls (torch.cuda.memory_*). Freed GPU memory is
kept for reuse: memory_allocated counts live tensors, memory_reserved what is held from the driver."""

from .. import _C
from ._device import device_index, is_available


def memory_stats(device=None):
    """A dict of counters, with PyTorch's key names for the ones dyngraph keeps."""
    if not is_available():
        return {}
    return dict(_C._cuda_memory_stats(device_index(device)))


def memory_stats_as_nested_dict(device=None):
    """memory_stats() with its dotted keys as nested dicts ({"allocated_bytes": {"all": {"current": ...}}})."""
    nested = {}
    for key, value in memory_stats(device).items():
        *path, last = key.split(".")
        node = nested
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return nested


def _stat(device, key):
    return memory_stats(device).get(key, 0) if is_available() else 0


def memory_allocated(device=None):
    """Bytes held by live tensors on the device."""
    return _stat(device, "allocated_bytes.all.current")


def max_memory_allocated(device=None):
    """The peak of memory_allocated since the start or the last reset_peak_memory_stats()."""
    return _stat(device, "allocated_bytes.all.peak")


def memory_reserved(device=None):
    """Bytes held from the driver by the caching allocator (live tensors plus the cache)."""
    return _stat(device, "reserved_bytes.all.current")


def max_memory_reserved(device=None):
    return _stat(device, "reserved_bytes.all.peak")


def memory_cached(device=None):
    return memory_reserved(device)


def max_memory_cached(device=None):
    return max_memory_reserved(device)


def reset_peak_memory_stats(device=None):
    if is_available():
        _C._cuda_reset_peak_memory_stats(device_index(device))


def reset_max_memory_allocated(device=None):
    reset_peak_memory_stats(device)


def reset_max_memory_cached(device=None):
    reset_peak_memory_stats(device)


def empty_cache():
    """Gives the cached, unused GPU memory back to the driver (live tensors are untouched)."""
    if is_available():
        _C._cuda_empty_cache()


def mem_get_info(device=None):
    """(free, total) bytes of the device, as the driver reports them."""
    index = device_index(device)
    total = _C._cuda_device_total_memory(index)
    reserved = memory_reserved(index)
    return max(total - reserved, 0), total


def memory_summary(device=None, abbreviated=False):
    """A printable table of the allocator's statistics."""
    stats = memory_stats(device)

    def mib(n):
        return f"{n / 2**20:10.2f} MiB"

    index = device_index(device) if is_available() else 0
    lines = ["|" + "=" * 60 + "|",
             f"|{'dyngraph CUDA memory summary, device ID ' + str(index):^60}|",
             "|" + "-" * 60 + "|",
             f"| {'allocated memory (current)':<35}{mib(stats.get('allocated_bytes.all.current', 0)):>24}|",
             f"| {'allocated memory (peak)':<35}{mib(stats.get('allocated_bytes.all.peak', 0)):>24}|",
             f"| {'reserved memory (current)':<35}{mib(stats.get('reserved_bytes.all.current', 0)):>24}|",
             f"| {'reserved memory (peak)':<35}{mib(stats.get('reserved_bytes.all.peak', 0)):>24}|",
             f"| {'allocations / frees':<35}{str(stats.get('allocation.all.allocated', 0)) + ' / ' + str(stats.get('allocation.all.freed', 0)):>24}|",
             f"| {'cache hits':<35}{stats.get('num_cache_hits', 0):>24}|",
             f"| {'out-of-memory errors':<35}{stats.get('num_ooms', 0):>24}|",
             "|" + "=" * 60 + "|"]
    return "\n".join(lines) + "\n"
