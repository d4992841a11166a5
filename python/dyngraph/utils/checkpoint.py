"""Activation checkpointing (torch.utils.checkpoint): run a piece of the
forward pass without keeping its intermediate results, and run it again in
backward to get them.

The checkpointed call runs under no_grad; one autograd node stands for it.
Its backward restores the RNG state the forward saw (so dropout draws the
same mask), recomputes the function with grad enabled on detached copies of
the inputs, and backpropagates the incoming gradients through that
recomputation: parameters used inside receive their .grad there, the inputs'
gradients are returned to the outer graph. With use_reentrant=False the node
is recorded even when no input requires grad, so parameters inside still
train (PyTorch's non-reentrant behaviour); with use_reentrant=True such a
call produces outputs without grad, as PyTorch's reentrant variant does.
"""

import contextlib
import warnings

from .. import _C
from .._C import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, no_grad

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction", "noop_context_fn",
           "detach_variable", "check_backward_validity", "get_device_states", "set_device_states",
           "set_checkpoint_early_stop", "set_checkpoint_debug_enabled", "DefaultDeviceType"]


class CheckpointError(RuntimeError):
    pass


def noop_context_fn():
    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs):
    """Detached copies of the tensors in inputs, each requiring grad as its original did."""
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: {type(inputs).__name__}")
    out = []
    for x in inputs:
        if not isinstance(x, Tensor):
            out.append(x)
            continue
        y = x.detach()
        y.requires_grad_(x.requires_grad)
        out.append(y)
    return tuple(out)


def check_backward_validity(inputs):
    if not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=3)


def get_device_states(*args):
    """The CUDA devices the tensor arguments live on, and each one's RNG state."""
    from .. import cuda

    devices = sorted({x.device.index or 0 for x in args if isinstance(x, Tensor) and x.is_cuda})
    return devices, [cuda.get_rng_state(d) for d in devices]


def set_device_states(devices, states, *, device_type=None):
    from .. import cuda

    for device, state in zip(devices, states):
        cuda.set_rng_state(state, device)


class DefaultDeviceType:
    _default = "cuda"

    @staticmethod
    def set_device_type(device="cuda"):
        DefaultDeviceType._default = device

    @staticmethod
    def get_device_type():
        return DefaultDeviceType._default


def set_checkpoint_early_stop(enable):
    """Early stopping of the recomputation is an optimisation dyngraph does not need: a no-op context."""
    return contextlib.nullcontext()


def set_checkpoint_debug_enabled(enabled):
    return contextlib.nullcontext()


def _rng_states(preserve, tensor_args):
    from .. import random

    if not preserve:
        return None
    return random.get_rng_state(), get_device_states(*tensor_args)


@contextlib.contextmanager
def _replayed_rng(states):
    if states is None:
        yield
        return
    from .. import random

    cpu_state, (devices, device_states) = states
    saved_cpu = random.get_rng_state()
    saved_devices = get_device_states() if not devices else ([], [])
    from .. import cuda

    saved_device_states = [cuda.get_rng_state(d) for d in devices]
    random.set_rng_state(cpu_state)
    set_device_states(devices, device_states)
    try:
        yield
    finally:
        random.set_rng_state(saved_cpu)
        set_device_states(devices, saved_device_states)
        del saved_devices


class CheckpointFunction(Function):
    """The autograd node of one checkpointed call (see the module docstring)."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, kwargs, recompute_context, *args):
        ctx.run_function = run_function
        ctx.kwargs = kwargs
        ctx.recompute_context = recompute_context
        ctx.rng = _rng_states(preserve_rng_state, args)
        ctx.inputs = args
        with no_grad():
            outputs = run_function(*args, **kwargs)
        return outputs

    @staticmethod
    def backward(ctx, *grad_outputs):
        if ctx.inputs is None:
            raise CheckpointError("Checkpointing is not compatible with .grad() or when an `inputs` parameter is "
                                  "passed to .backward(); use .backward() without it")
        inputs = detach_variable(tuple(ctx.inputs))
        with _replayed_rng(ctx.rng), enable_grad(), ctx.recompute_context:
            outputs = ctx.run_function(*inputs, **ctx.kwargs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grad_outputs)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        _C._backward([o for o, _ in pairs], [g for _, g in pairs], False, False, None)
        grads = tuple(x.grad if isinstance(x, Tensor) else None for x in inputs)
        return (None, None, None, None) + grads


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    """function(*args, **kwargs), with its intermediate results recomputed in backward instead of kept."""
    if use_reentrant is None:
        warnings.warn("dyngraph.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default "
                      "behavior, you can pass use_reentrant=True.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant and (context_fn is not noop_context_fn or debug is not False):
        raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    forward_context, recompute_context = context_fn()
    extra = ()
    if use_reentrant:
        check_backward_validity(args)
    elif _C.is_grad_enabled():
        # an input that requires grad makes the node record even when the real inputs do not
        extra = (_C._empty((0,), None, None).requires_grad_(),)
    with forward_context:
        result = CheckpointFunction.apply(function, preserve, kwargs, recompute_context, *args, *extra) \
            if not extra else _apply_with_anchor(function, preserve, kwargs, recompute_context, args, extra[0])
    return result


def _apply_with_anchor(function, preserve, kwargs, recompute_context, args, anchor):
    def run(*inner):
        return function(*inner[:-1], **kwargs)

    return CheckpointFunction.apply(run, preserve, {}, recompute_context, *args, anchor)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Runs a sequence of modules (or an nn.Sequential) in `segments` checkpointed chunks; the last chunk
    runs normally."""
    if use_reentrant is None:
        warnings.warn("dyngraph.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
                      "passed explicitly.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    from ..nn import Sequential

    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def run_range(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x

        return forward

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run_range(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_range(end + 1, len(functions) - 1)(input)
