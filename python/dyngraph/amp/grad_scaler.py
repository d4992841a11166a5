"""GradScaler: dynamic loss scaling for mixed-precision training (PyTorch's torch.amp.GradScaler).

The scale and the growth tracker are 0-d tensors on the device of the first
scaled output; the inf/NaN check, the unscale and the scale update are tensor
ops (isfinite/all, mul_, where), one pass per gradient, with no copy to the
host until step() decides whether to run the optimizer.
"""

import warnings
from collections import abc, defaultdict
from enum import Enum

from .. import _C
from .._C import Tensor
from .._types import _BY_NAME

__all__ = ["OptState", "GradScaler"]

_float16 = _BY_NAME["float16"]
_float32 = _BY_NAME["float32"]
_float64 = _BY_NAME["float64"]
_int32 = _BY_NAME["int32"]


def _full(value, dtype, device):
    import dyngraph

    return dyngraph.full((), value, dtype=dtype, device=device)


class _MultiDeviceReplicator:
    """Lazily serves copies of a tensor to requested devices. Copies are cached per-device."""

    def __init__(self, master_tensor):
        self.master = master_tensor
        self._per_device_tensors = {}

    def get(self, device):
        retval = self._per_device_tensors.get(device, None)
        if retval is None:
            retval = self.master.to(device=device, non_blocking=True, copy=True)
            self._per_device_tensors[device] = retval
        return retval


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state():
    return {"stage": OptState.READY, "found_inf_per_device": {}}


def _non_finite_check_and_unscale_(grads, found_inf, inv_scale):
    """PyTorch's _amp_foreach_non_finite_check_and_unscale_: found_inf becomes 1 if any grad holds an inf
    or NaN, and every grad is multiplied by inv_scale in place."""
    bad = None
    for g in grads:
        g_bad = _C.isfinite(g).all().logical_not()
        bad = g_bad if bad is None else bad.logical_or(g_bad)
        g.mul_(inv_scale)
    if bad is not None:
        found_inf.copy_(found_inf.logical_or(bad))


def _update_scale_(scale, growth_tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    """PyTorch's _amp_update_scale_, in tensor ops: back off on an inf/NaN (and reset the tracker), else count
    the step and grow the scale (if the result is finite) after growth_interval good steps in a row."""
    found = found_inf > 0
    successful = growth_tracker + 1
    grow = successful == growth_interval
    scale64 = scale.to(_float64)
    grown = (scale64 * growth_factor).to(_float32)
    backed_off = (scale64 * backoff_factor).to(_float32)
    new_scale = _C.where(found, backed_off, _C.where(grow & _C.isfinite(grown), grown, scale))
    new_tracker = _C.where(found | grow, growth_tracker.new_zeros(()), successful.to(_int32))
    scale.copy_(new_scale)
    growth_tracker.copy_(new_tracker)


class GradScaler:
    """Scales a loss up before backward so small float16 gradients do not underflow, unscales the gradients
    before the optimizer step, skips steps whose gradients hold infs/NaNs, and adapts the scale.

    * ``scaler.scale(loss)`` multiplies a given loss by ``scaler``'s current scale factor.
    * ``scaler.step(optimizer)`` safely unscales gradients and calls ``optimizer.step()``.
    * ``scaler.update()`` updates ``scaler``'s scale factor.

    If infs/NaNs are found, ``step`` skips ``optimizer.step()`` and ``update()`` multiplies the scale by
    ``backoff_factor``; after ``growth_interval`` unskipped steps in a row it multiplies it by
    ``growth_factor``.

    Args:
        device (str, optional, default="cuda"): "cuda" or "cpu".
        init_scale (float, optional, default=2.**16): Initial scale factor.
        growth_factor (float, optional, default=2.0): Factor the scale grows by.
        backoff_factor (float, optional, default=0.5): Factor the scale shrinks by.
        growth_interval (int, optional, default=2000): Consecutive unskipped steps before growth.
        enabled (bool, optional): If ``False``, :meth:`step` simply invokes ``optimizer.step()``
            and the other methods are no-ops. Default: ``True``
    """

    def __init__(self, device="cuda", init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if self._device == "cuda":
            import dyngraph

            if enabled and not dyngraph.cuda.is_available():
                warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                              stacklevel=2)
                self._enabled = False

        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")

            self._init_scale = init_scale
            # self._scale will be lazily initialized during the first call to scale()
            self._scale = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            # self._growth_tracker will be lazily initialized during the first call to scale()
            self._growth_tracker = None
            self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _check_scale_growth_tracker(self, funcname):
        fix = "This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration."
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)
        return (self._scale, self._growth_tracker)

    def _lazy_init_scale_growth_tracker(self, dev):
        if self._growth_tracker is not None:
            raise AssertionError("_growth_tracker initialized before _scale")
        self._scale = _full(self._init_scale, _float32, dev)
        self._growth_tracker = _full(self._init_growth_tracker, _int32, dev)

    def scale(self, outputs):
        """Multiplies ('scales') a tensor or an (arbitrarily nested) iterable of tensors by the scale factor.

        Returns scaled outputs. If this instance of :class:`GradScaler` is not enabled, outputs are returned
        unmodified.
        """
        if not self._enabled:
            return outputs

        # Short-circuit for the common case.
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init_scale_growth_tracker(outputs.device)
            return outputs * self._scale.to(device=outputs.device, non_blocking=True)

        # Invoke the more complex machinery only if we're treating multiple outputs.
        stash = []  # holds a reference that can be overwritten by apply_scale

        def apply_scale(val):
            if isinstance(val, Tensor):
                if len(stash) == 0:
                    if self._scale is None:
                        self._lazy_init_scale_growth_tracker(val.device)
                    stash.append(_MultiDeviceReplicator(self._scale))
                return val * stash[0].get(val.device)
            if isinstance(val, abc.Iterable):
                iterable = map(apply_scale, val)
                if isinstance(val, (list, tuple)):
                    return type(val)(iterable)
                return iterable
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, found_inf, allow_fp16):
        per_device_inv_scale = _MultiDeviceReplicator(inv_scale)
        per_device_found_inf = _MultiDeviceReplicator(found_inf)

        # Split grads by device and dtype, in one pass over the params.
        per_device_and_dtype_grads = defaultdict(lambda: defaultdict(list))
        prev = _C.is_grad_enabled()
        _C._set_grad_enabled(False)
        try:
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if not isinstance(param, Tensor):
                        raise AssertionError(f"expected param to be torch.Tensor, got {type(param).__name__}")
                    if param.grad is None:
                        continue
                    if (not allow_fp16) and param.grad.dtype == _float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    to_unscale = param.grad
                    per_device_and_dtype_grads[to_unscale.device][to_unscale.dtype].append(to_unscale)

            for device, per_dtype_grads in per_device_and_dtype_grads.items():
                for grads in per_dtype_grads.values():
                    _non_finite_check_and_unscale_(grads, per_device_found_inf.get(device),
                                                   per_device_inv_scale.get(device))
        finally:
            _C._set_grad_enabled(prev)

        return per_device_found_inf._per_device_tensors

    def unscale_(self, optimizer):
        """Divides ("unscales") the optimizer's gradient tensors by the scale factor.

        Optional: call it between backward and :meth:`step` to inspect or clip the real gradients;
        otherwise :meth:`step` unscales. At most once per optimizer between :meth:`update` calls.
        """
        if not self._enabled:
            return

        self._check_scale_growth_tracker("unscale_")

        optimizer_state = self._per_optimizer_states[id(optimizer)]

        if optimizer_state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        elif optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")

        # FP32 division can be imprecise for certain compile options, so we carry out the reciprocal in FP64.
        inv_scale = self._scale.to(_float64).reciprocal().to(_float32)
        found_inf = _full(0.0, _float32, self._scale.device)

        optimizer_state["found_inf_per_device"] = self._unscale_grads_(optimizer, inv_scale, found_inf, False)
        optimizer_state["stage"] = OptState.UNSCALED

    def _maybe_opt_step(self, optimizer, optimizer_state, *args, **kwargs):
        retval = None
        if not sum(v.item() for v in optimizer_state["found_inf_per_device"].values()):
            retval = optimizer.step(*args, **kwargs)
        return retval

    def step(self, optimizer, *args, **kwargs):
        """Unscales the gradients (unless :meth:`unscale_` already did) and runs ``optimizer.step(*args,
        **kwargs)`` if they hold no infs/NaNs; returns what it returns (None when the step is skipped).

        Closures are not supported.
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)

        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")

        self._check_scale_growth_tracker("step")

        optimizer_state = self._per_optimizer_states[id(optimizer)]

        if optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")

        if optimizer_state["stage"] is OptState.READY:
            self.unscale_(optimizer)

        if len(optimizer_state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")

        retval = self._maybe_opt_step(optimizer, optimizer_state, *args, **kwargs)

        optimizer_state["stage"] = OptState.STEPPED

        return retval

    def update(self, new_scale=None):
        """Updates the scale factor: backs off if any optimizer step was skipped, grows it after
        ``growth_interval`` unskipped iterations in a row, or sets it to ``new_scale`` (a float or a
        1-element tensor, copied) when given. Call it once per iteration, after every ``scaler.step``.
        """
        if not self._enabled:
            return

        _scale, _growth_tracker = self._check_scale_growth_tracker("update")

        if new_scale is not None:
            # Accept a new user-defined scale.
            if isinstance(new_scale, float):
                self._scale.fill_(new_scale)
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                          "torch.FloatTensor with requires_grad=False.")
                if new_scale.device.type != self._device:
                    raise AssertionError(reason)
                if new_scale.numel() != 1:
                    raise AssertionError(reason)
                if new_scale.requires_grad is True:
                    raise AssertionError(reason)
                self._scale.copy_(new_scale.reshape(()))
        else:
            # Consume shared inf/nan data collected from optimizers to update the scale.
            found_infs = [found_inf.to(device=_scale.device, non_blocking=True)
                          for state in self._per_optimizer_states.values()
                          for found_inf in state["found_inf_per_device"].values()]

            if len(found_infs) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")

            found_inf_combined = found_infs[0]
            if len(found_infs) > 1:
                for i in range(1, len(found_infs)):
                    found_inf_combined += found_infs[i]

            _update_scale_(_scale, _growth_tracker, found_inf_combined, self._growth_factor,
                           self._backoff_factor, self._growth_interval)

        # To prepare for next iteration, clear the data collected from optimizers this iteration.
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _get_scale_async(self):
        return self._scale

    def get_scale(self):
        """A Python float containing the current scale, or 1.0 if scaling is disabled."""
        if self._enabled:
            scale = self._get_scale_async()
            return self._init_scale if scale is None else scale.item()
        return 1.0

    def get_growth_factor(self):
        r"""Return a Python float containing the scale growth factor."""
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        r"""Set a new scale growth factor."""
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        r"""Return a Python float containing the scale backoff factor."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        r"""Set a new scale backoff factor."""
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        r"""Return a Python int containing the growth interval."""
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        r"""Set a new growth interval."""
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if self._enabled:
            return self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker.item()
        return 0

    def is_enabled(self):
        r"""Return a bool indicating whether this instance is enabled."""
        return self._enabled

    def state_dict(self):
        """The scaler's state: ``scale``, ``growth_factor``, ``backoff_factor``, ``growth_interval`` and
        ``_growth_tracker`` (empty if this instance is not enabled). Take it after :meth:`update`."""
        if self._enabled:
            return {
                "scale": self.get_scale(),
                "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker(),
            }
        return {}

    def load_state_dict(self, state_dict):
        """Loads a state from :meth:`state_dict` (a no-op if this instance is disabled)."""
        if not self._enabled:
            return

        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")

        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale.fill_(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict["_growth_tracker"])

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError("A GradScaler instance may only be pickled at the beginning "
                                     "of an iteration, or at the end after scaler.update().")
            # The unpickled instance re-creates _scale and _growth_tracker lazily from these.
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    def _check_inf_per_device(self, optimizer):
        _scale, _ = self._check_scale_growth_tracker("_check_inf_per_device")

        dummy_inv_scale = _full(1.0, _float32, _scale.device)
        found_inf = _full(0.0, _float32, _scale.device)

        self._per_optimizer_states[id(optimizer)]["found_inf_per_device"] = self._unscale_grads_(
            optimizer, dummy_inv_scale, found_inf, True)

        return self._per_optimizer_states[id(optimizer)]["found_inf_per_device"]

    def _found_inf_per_device(self, optimizer):
        return self._per_optimizer_states[id(optimizer)]["found_inf_per_device"]
