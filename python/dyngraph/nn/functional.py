"""dyngraph.nn.functional: the stateless forms of layers, activations and losses.

Each function has PyTorch's name, signature and defaults. The math lives in
the C++ core (one op each, with its backward); this file only maps arguments.
"""

import builtins

from .. import _C
from ..amp.autocast_mode import _matmul_as_is
from .._C import Tensor
from .._arg_checks import check_tensor_args

# ---- activations -------------------------------------------------------------------------------


def _inplace_result(input, out):
    """Writes an activation's result into input for the inplace=True forms."""
    return input.copy_(out)


def relu(input, inplace=False):
    return _C.relu_(input) if inplace else _C.relu(input)


def relu_(input):
    return _C.relu_(input)


def relu6(input, inplace=False):
    return _C._hardtanh_(input, 0.0, 6.0) if inplace else _C._relu6(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _C._leaky_relu_(input, negative_slope) if inplace else _C._leaky_relu(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return _C._leaky_relu_(input, negative_slope)


def elu(input, alpha=1.0, inplace=False):
    out = _C._elu(input, alpha)
    return _inplace_result(input, out) if inplace else out


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    out = _C._selu(input)
    return _inplace_result(input, out) if inplace else out


def celu(input, alpha=1.0, inplace=False):
    out = _C._celu(input, alpha)
    return _inplace_result(input, out) if inplace else out


def selu_(input):
    return selu(input, inplace=True)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def gelu(input, approximate="none"):
    return _C._gelu(input, approximate)


def silu(input, inplace=False):
    out = _C._silu(input)
    return _inplace_result(input, out) if inplace else out


def mish(input, inplace=False):
    out = _C._mish(input)
    return _inplace_result(input, out) if inplace else out


def softplus(input, beta=1.0, threshold=20.0):
    return _C._softplus(input, beta, threshold)


def softsign(input):
    return _C._softsign(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _C._hardtanh_(input, min_val, max_val) if inplace else _C._hardtanh(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def hardsigmoid(input, inplace=False):
    out = _C._hardsigmoid(input)
    return _inplace_result(input, out) if inplace else out


def hardswish(input, inplace=False):
    out = _C._hardswish(input)
    return _inplace_result(input, out) if inplace else out


def sigmoid(input):
    return _C.sigmoid(input)


def tanh(input):
    return _C.tanh(input)


def logsigmoid(input):
    return -_C._softplus(-input, 1.0, 20.0)


def tanhshrink(input):
    return input - _C.tanh(input)


def softshrink(input, lambd=0.5):
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _C.where(input > lambd, input - lambd, _C.where(input < -lambd, input + lambd, input * 0))


def hardshrink(input, lambd=0.5):
    # "inside the band" is what is tested, so a NaN lambd keeps every value, as in PyTorch
    return _C.where((input >= -lambd) & (input <= lambd), 0.0, input)


def threshold(input, threshold, value, inplace=False):
    out = _C.where(input > threshold, input, value)
    return _inplace_result(input, out) if inplace else out


def threshold_(input, threshold, value):
    return input.copy_(_C.where(input > threshold, input, value))


def prelu(input, weight):
    check_tensor_args("prelu", ("input", input), ("weight", weight))
    if weight.dim() == 1 and weight.numel() > 1 and input.dim() >= 2:
        weight = weight.reshape([weight.numel()] + [1] * (input.dim() - 2))
    return _C.where(input > 0, input, input * weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    if training:
        slope = input.new_empty(input.shape).uniform_(lower, upper)
        out = _C.where(input >= 0, input, input * slope)
    else:
        out = _C._leaky_relu(input, (lower + upper) / 2)
    return _inplace_result(input, out) if inplace else out


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def glu(input, dim=-1):
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.dim()} is size {input.shape[dim]}")
    a, b = input.chunk(2, dim)
    return a * _C.sigmoid(b)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _C.softmax(input, _softmax_dim(input, dim), dtype)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Samples from the Gumbel-softmax distribution; hard=True returns one-hot samples whose gradient is the
    soft sample's (straight-through)."""
    gumbels = -logits.new_empty(logits.shape).exponential_().log()
    soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return soft
    index = soft.argmax(dim, keepdim=True)
    one_hot = logits.new_zeros(logits.shape).scatter_(dim, index, 1.0)
    return one_hot - soft.detach() + soft


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _C.log_softmax(input, _softmax_dim(input, dim), dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return _C.softmax(-input, _softmax_dim(input, dim), dtype)


def _softmax_dim(input, dim):
    # PyTorch's legacy rule when dim is omitted (it warns; we just pick the same dim).
    if dim is not None:
        return dim
    return 0 if input.dim() in (0, 1, 3) else 1


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    denom = _C._vector_norm(input, p, [dim], True, None).clamp_min(eps)
    result = input / denom
    return out.copy_(result) if out is not None else result


# ---- linear ------------------------------------------------------------------------------------


def linear(input, weight, bias=None):
    check_tensor_args("linear", ("input", input), ("weight", weight), ("bias", bias))
    return _C._linear(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    check_tensor_args("bilinear", ("input1", input1), ("input2", input2), ("weight", weight), ("bias", bias))
    # y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j]
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, input1.shape[-1])
    x2 = input2.reshape(-1, input2.shape[-1])
    out_features, in1, in2 = weight.shape
    # (PyTorch's CPU bilinear is not an autocast op; on CUDA autocast promotes its arguments first.)
    t = _matmul_as_is(x1, weight.permute(1, 0, 2).reshape(in1, out_features * in2)).reshape(-1, out_features, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(list(lead) + [out_features])


def one_hot(tensor, num_classes=-1):
    if tensor.dtype.is_floating_point or tensor.dtype.is_complex or tensor.dtype._name == "bool":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() > 0 and tensor.min().item() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = tensor.max().item() + 1
    elif tensor.numel() > 0 and tensor.max().item() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    import dyngraph

    classes = dyngraph.arange(num_classes, dtype=dyngraph.int64, device=tensor.device)
    return (tensor.unsqueeze(-1).long() == classes).long()


# ---- the other families, one file each ----------------------------------------------------------
from ._functional_attention import *  # noqa: E402,F401,F403
from ._functional_conv import *  # noqa: E402,F401,F403
from ._functional_ctc import *  # noqa: E402,F401,F403
from ._functional_dropout import *  # noqa: E402,F401,F403
from ._functional_losses import *  # noqa: E402,F401,F403
from ._functional_nll import *  # noqa: E402,F401,F403
from ._functional_norm import *  # noqa: E402,F401,F403
from ._functional_pool import *  # noqa: E402,F401,F403
from ._functional_resample import *  # noqa: E402,F401,F403
from ._functional_sparse import *  # noqa: E402,F401,F403
