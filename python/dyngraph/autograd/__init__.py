"""dyngraph.autograd: reverse-mode automatic differentiation.

The graph is recorded by the C++ core as ops run; this package holds the
Python entry points (backward, grad), grad modes, custom Functions,
gradient checking and the functional API.
"""

from .. import _C
from .._C import Tensor
from . import functional
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_multithreading_enabled, is_view_replay_enabled,
                        no_grad, set_grad_enabled, set_multithreading_enabled)
from .gradcheck import gradcheck, gradgradcheck

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_grad_enabled", "gradcheck", "gradgradcheck", "functional",
           "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "Variable", "is_tensor_like",
           "is_multithreading_enabled", "set_multithreading_enabled", "is_view_replay_enabled", "variable"]

Variable = Tensor  # PyTorch's old name


def variable(*args, **kwargs):
    """Removed in PyTorch too: it raises, pointing at the replacement."""
    raise RuntimeError("torch.autograd.variable(...) is deprecated, use torch.tensor(...) instead")


def is_tensor_like(inp):
    """True for tensors and for objects whose type defines __torch_function__ (tensor-like stand-ins)."""
    return isinstance(inp, Tensor) or hasattr(type(inp), "__torch_function__")


def _as_list(x):
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates the gradients of ``tensors`` w.r.t. the graph leaves into their ``.grad``."""
    tensors = _as_list(tensors)
    grads = _as_list(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    _C._backward(tensors, grads or None, retain_graph, create_graph, _as_list(inputs) or None)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` w.r.t. ``inputs``, as a tuple (``.grad`` is left alone)."""
    single_input = isinstance(inputs, Tensor)
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    result = _C._grad(outs, ins, _as_list(grad_outputs) or None, retain_graph, create_graph,
                      allow_unused or materialize_grads)
    if materialize_grads:
        import dyngraph

        result = tuple(dyngraph.zeros_like(i) if r is None else r for r, i in zip(result, ins))
    return result if not single_input else result
