"""dyngraph.backends: the torch.backends flags code commonly sets or reads
(cudnn.benchmark, cudnn.deterministic, mps.is_available(), ...). They are
accepted and stored; dyngraph's CPU kernels do not depend on them."""

from . import cpu, cuda, cudnn, mkldnn, mps, openmp  # noqa: F401

__all__ = ["cpu", "cuda", "cudnn", "mkldnn", "mps", "openmp"]
