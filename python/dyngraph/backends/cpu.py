"""torch.backends.cpu: which vector instructions the CPU kernels use."""

from .. import _C


def get_cpu_capability():
    """The widest vector instruction set dyngraph's CPU kernels use on this
    machine: "AVX512", "AVX2" or "DEFAULT" (chosen when the library loads)."""
    return _C._cpu_capability()
