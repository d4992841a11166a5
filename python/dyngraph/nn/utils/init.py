"""skip_init (torch.nn.utils.skip_init): a module whose parameters and buffers
are left uninitialized (their values are arbitrary until the caller sets them)."""

import inspect

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """module_cls(*args, **kwargs) with uninitialized parameters and buffers; module_cls must accept a
    `device` keyword, as PyTorch requires."""
    from ..modules.module import Module

    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    module = module_cls(*args, **kwargs)
    return module.to_empty(device=kwargs.get("device", "cpu"))
