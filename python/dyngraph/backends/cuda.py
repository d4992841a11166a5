"""torch.backends.cuda: is_built() and the matmul flags. allow_tf32 switches float32 matmuls on the GPU
to TF32 tensor cores (off by default, as in PyTorch); the reduced-precision-reduction flags are kept
for compatibility (cuBLAS accumulates float16/bfloat16 products in float32 either way)."""

from .. import _C


class _MatmulFlags:
    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True

    @property
    def allow_tf32(self):
        return _C._cuda_allow_tf32()

    @allow_tf32.setter
    def allow_tf32(self, value):
        _C._cuda_set_allow_tf32(bool(value))


matmul = _MatmulFlags()


def is_built():
    """Whether dyngraph was compiled with its CUDA backend."""
    return _C._cuda_is_built()
