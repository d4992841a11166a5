"""dyngraph: a define-by-run tensor engine with a PyTorch-shaped API.

``import dyngraph as torch`` is meant to work for the parts of PyTorch that
dyngraph covers; see docs/differences.md for where it deliberately differs.
"""

try:
    from . import _C
except ImportError:  # the RPATH to OpenBLAS didn't resolve: let its package load it, then retry
    import scipy_openblas32  # noqa: F401

    from . import _C
from ._types import ALL_DTYPES as _ALL_DTYPES
from ._types import ALIASES as _ALIASES
from ._types import Size, device, dtype

_C._register_types(_ALL_DTYPES, dtype, device, Size)

for _d in _ALL_DTYPES:
    globals()[_d._name] = _d
for _alias, _name in _ALIASES.items():
    globals()[_alias] = globals()[_name]
del _d, _alias, _name

from ._C import *  # noqa: E402,F401,F403  (every public op of the C++ core)
from ._C import Generator, OutOfMemoryError, Tensor, default_generator  # noqa: E402,F401
from . import _tensor  # noqa: E402,F401  (installs the Python-side Tensor methods)
from ._dlpack import from_dlpack, to_dlpack  # noqa: E402,F401  (and Tensor.__dlpack__ / __dlpack_device__)
from ._factories import *  # noqa: E402,F401,F403
from ._functional import *  # noqa: E402,F401,F403
from .random import get_rng_state, initial_seed, manual_seed, seed, set_rng_state  # noqa: E402
from . import autograd, linalg, return_types  # noqa: E402,F401
from .serialization import load, save  # noqa: E402,F401
from .autograd.grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: E402

__version__ = "0.1.0"

true_divide = div
multiply = mul
subtract = sub
divide = div
greater = gt
greater_equal = ge
less = lt
less_equal = le
not_equal = ne

from ._ops_extra import *  # noqa: E402,F401,F403  (einsum, unique, quantile, index_add, ...: see _ops_extra)
from . import _tensor_methods_extra  # noqa: E402,F401  (and their Tensor methods)
from ._finfo import finfo, iinfo  # noqa: E402,F401
from . import nn, optim, utils  # noqa: E402,F401
from ._misc_ops import *  # noqa: E402,F401,F403  (multinomial, logspace, dist, strided, pi, ...)
from . import backends, cuda, testing  # noqa: E402,F401
from ._functional_aliases import *  # noqa: E402,F401,F403  (torch.conv2d, torch.dropout, ...)
from ._aliases import *  # noqa: E402,F401,F403  (arccos, negative, abs_, eq_, ldexp, ...)
from ._memory_format import *  # noqa: E402,F401,F403  (channels_last, ...)
from ._settings import *  # noqa: E402,F401,F403  (set_printoptions, compile, ...)
from ._tensor_predicates import *  # noqa: E402,F401,F403  (is_signed, isreal, is_conj, ...)
from ._scatter_ops import *  # noqa: E402,F401,F403  (slice_scatter, index_reduce, put, ...)
from ._windows import *  # noqa: E402,F401,F403  (hann_window, ...)
from .nn.utils.weight_norm import norm_except_dim  # noqa: E402,F401
from ._linalg_legacy import *  # noqa: E402,F401,F403  (det, inverse, svd, qr, cholesky_solve, ...)
from . import fft, special  # noqa: E402,F401
special._install()
from ._legacy import *  # noqa: E402,F401,F403  (Tensor(data), FloatTensor, ..., set_default_tensor_type)
from . import amp, cpu  # noqa: E402,F401  (autocast and GradScaler; dyngraph.cpu.amp, dyngraph.cuda.amp)
from .cuda import amp as _cuda_amp  # noqa: E402,F401
from .amp import GradScaler, autocast  # noqa: E402,F401
from .amp.autocast_mode import (  # noqa: E402,F401
    autocast_decrement_nesting, autocast_increment_nesting, clear_autocast_cache, get_autocast_cpu_dtype,
    get_autocast_dtype, get_autocast_gpu_dtype, is_autocast_cache_enabled, is_autocast_cpu_enabled,
    is_autocast_enabled, set_autocast_cache_enabled, set_autocast_cpu_dtype, set_autocast_cpu_enabled,
    set_autocast_dtype, set_autocast_enabled, set_autocast_gpu_dtype)

amp.autocast_mode._install()  # wraps the ops on autocast's lists (one global check each while autocast is off)
del _cuda_amp
