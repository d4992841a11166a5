"""torch.backends.cuda's flags: stored, unused."""

import types as _types

matmul = _types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                                allow_bf16_reduced_precision_reduction=True)


def is_built():
    return False
