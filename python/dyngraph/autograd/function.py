"""Custom differentiable operations: subclass Function with static
forward(ctx, ...) and backward(ctx, *grad_outputs), call it with apply()."""

from .. import _C
from .._C import Tensor
from .grad_mode import no_grad

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """The ``ctx`` passed to forward and backward."""

    def __init__(self):
        self.to_save = ()
        self.needs_input_grad = ()
        self.non_differentiable = set()
        self.materialize_grads = True
        self._unpacked_saved = None

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save tensors, but argument was of type "
                                f"{type(t).__name__}")
        self.to_save = tensors

    @property
    def saved_tensors(self):
        if self._unpacked_saved is None:
            raise RuntimeError("saved_tensors can only be accessed inside backward() (and the graph must not have "
                               "been freed: pass retain_graph=True to backward a second time)")
        return self._unpacked_saved

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable.update(id(t) for t in tensors)

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors):
        self.dirty = tensors


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_name = name + "Backward"


class Function(metaclass=_FunctionMeta):
    """Base class of custom autograd operations (see the square example in
    examples/custom_function.py)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("subclasses of Function must implement forward")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("subclasses of Function must implement backward")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Override (with a forward that takes no ctx) to fill ctx from the inputs and output."""
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def _checked_backward(cls, num_inputs):
        """cls.backward, checked to return one gradient per forward input (extra trailing Nones dropped)."""
        backward, name = cls.backward, cls._backward_name

        def run(ctx, *grad_outputs):
            result = backward(ctx, *grad_outputs)
            grads = result if isinstance(result, tuple) else (result,)
            if len(grads) > num_inputs and all(g is None for g in grads[num_inputs:]):
                grads = grads[:num_inputs]
                result = grads if isinstance(result, tuple) else grads[0]
            if len(grads) != num_inputs:
                raise RuntimeError(f"function {name} returned an incorrect number of gradients (expected "
                                   f"{num_inputs}, got {len(grads)})")
            return result

        return run

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad and _C.is_grad_enabled()
                                     for a in args)
        with no_grad():
            if cls.setup_context is not Function.setup_context:  # the forward(*args) + setup_context style
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        tensor_outs = [o for o in outs if isinstance(o, Tensor)]
        # An output that is an input (returned unchanged) gets its own identity.
        inputs = [a if isinstance(a, Tensor) else None for a in args]
        fresh = []
        for o in outs:
            if isinstance(o, Tensor) and any(o is a for a in inputs if a is not None):
                o = o.detach()  # a view sharing memory, so the output can carry this node's history
            fresh.append(o)
        outs = tuple(fresh)
        tensor_outs = [o for o in outs if isinstance(o, Tensor)]
        non_diff = [id(o) in ctx.non_differentiable or not (o.is_floating_point() or o.is_complex())
                    for o in tensor_outs]
        # Outputs that were marked are matched by identity before the detach above.
        if ctx.non_differentiable:
            original = [o for o in ((outputs,) if single else outputs) if isinstance(o, Tensor)]
            non_diff = [nd or id(orig) in ctx.non_differentiable for nd, orig in zip(non_diff, original)]
        _C._record_function(ctx, cls._checked_backward(len(args)), cls._backward_name, inputs, tensor_outs, non_diff,
                            list(ctx.to_save), ctx.materialize_grads)
        ctx.to_save = ()  # the node holds them now (version-checked)
        return outs[0] if single else outs


def once_differentiable(fn):
    """Marks a backward as not differentiable itself: it runs without recording."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)
    return wrapper
