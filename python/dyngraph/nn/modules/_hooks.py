"""Hook plumbing for nn.Module: removable handles and full backward hooks.

A full backward hook needs the gradients w.r.t. a module's inputs and outputs
together. Like PyTorch, the module's tensor inputs and outputs are routed
through an identity autograd Function; the output node's backward records
grad_output (running backward pre-hooks, which may replace it) and the input
node's backward calls the user hooks with (module, grad_input, grad_output).
"""

import warnings
import weakref
from collections import OrderedDict

from ..._C import Tensor
from ... import _C
from ...autograd.function import Function


class RemovableHandle:
    """Returned by the register_*_hook methods; remove() unregisters the hook (also usable as a context manager)."""

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if isinstance(extra_dict, dict):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in (extra_dict or ()))

    def remove(self):
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            hooks = ref()
            if hooks is not None and self.id in hooks:
                del hooks[self.id]

    def __getstate__(self):
        return (self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state):
        self.hooks_dict_ref = weakref.ref(state[0] if state[0] is not None else OrderedDict())
        self.id = state[1]
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in state[2] if d is not None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _BackwardHookFunction(Function):
    """Identity on tensors; its backward hands the incoming gradients to ctx.on_grads, which may replace them."""

    @staticmethod
    def forward(ctx, on_grads, *tensors):
        ctx.on_grads = on_grads
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.on_grads(grads))


class BackwardHook:
    """Wires one forward call of a module to its full backward hooks and backward pre-hooks."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.n_outputs = 0
        self.input_index = None
        self.output_index = None

    @staticmethod
    def _pack(indices, values, size):
        packed = [None] * size
        for i, v in zip(indices, values):
            packed[i] = v
        return tuple(packed)

    @staticmethod
    def _route(args, on_grads):
        """Passes the tensors of args through the hook Function; returns (new args, their indices) or (args, None)."""
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not (_C.is_grad_enabled() and any(args[i].requires_grad for i in index)):
            return args, None
        routed = _BackwardHookFunction.apply(on_grads, *(args[i] for i in index))
        out = list(args)
        for i, t in zip(index, routed):
            out[i] = t
        return tuple(out), index

    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        args, self.input_index = self._route(args, self._on_grad_inputs)
        return args

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        self.n_outputs = len(outs)
        outs, self.output_index = self._route(outs, self._on_grad_outputs)
        return outs[0] if single else outs

    def _on_grad_outputs(self, grads):
        self.grad_outputs = self._pack(self.output_index, grads, self.n_outputs)
        for pre_hook in self.user_pre_hooks:
            replaced = pre_hook(self.module, self.grad_outputs)
            if replaced is None:
                continue
            if isinstance(replaced, Tensor):
                replaced = (replaced,)
            if len(replaced) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(replaced)}, but expected {len(self.grad_outputs)}")
            self.grad_outputs = tuple(replaced)
        local = self.grad_outputs
        if self.input_index is None:
            # No input needs a gradient: the hooks fire now, with grad_input all None.
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module "
                          "outputs since no inputs require gradients.", stacklevel=2)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_index)

    def _on_grad_inputs(self, grads):
        if self.grad_outputs is None:
            # The gradient reached the inputs without passing through the outputs (e.g. double backward).
            return grads
        res = self._pack(self.input_index, grads, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if isinstance(out, Tensor):
                out = (out,)
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = tuple(out)
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_index)
