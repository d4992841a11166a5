"""torch.backends.openmp: dyngraph's CPU kernels use OpenMP."""


def is_available():
    return True
