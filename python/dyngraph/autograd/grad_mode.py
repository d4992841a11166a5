"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode. Each
is a context manager and a decorator; the mode is thread-local."""

import functools
import inspect
import threading

from .. import _C

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]

is_grad_enabled = _C.is_grad_enabled
is_inference_mode_enabled = _C.is_inference_mode_enabled


class _DecoratorContextManager:
    """Lets a context manager class also decorate functions and generators."""

    def __call__(self, func):
        if inspect.isclass(func):
            raise RuntimeError("grad mode decorators cannot decorate classes")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def generator(*args, **kwargs):
                gen = func(*args, **kwargs)
                try:
                    with self.clone():
                        response = gen.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            gen.close()
                            raise
                        except BaseException as exc:
                            with self.clone():
                                response = gen.throw(exc)
                        else:
                            with self.clone():
                                response = gen.send(request)
                except StopIteration as stop:
                    return stop.value
            return generator

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def __new__(cls, orig_func=None, *args, **kwargs):
        # @no_grad without parentheses: the class is called with the function.
        if cls in (no_grad, enable_grad) and orig_func is not None and callable(orig_func):
            return cls()(orig_func)
        return super().__new__(cls)

    def clone(self):
        return self.__class__()


class no_grad(_DecoratorContextManager):
    """Disables gradient recording inside the block (results don't require grad)."""

    def __init__(self, orig_func=None):
        self.prev = False

    def __enter__(self):
        self.prev = _C.is_grad_enabled()
        _C._set_grad_enabled(False)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.prev)
        return False


class enable_grad(_DecoratorContextManager):
    """Enables gradient recording inside the block (e.g. within no_grad)."""

    def __init__(self, orig_func=None):
        self.prev = True

    def __enter__(self):
        self.prev = _C.is_grad_enabled()
        _C._set_grad_enabled(True)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.prev)
        return False


class set_grad_enabled(_DecoratorContextManager):
    """set_grad_enabled(mode): as a function call it sets the mode right away
    (like PyTorch); as a context manager it restores the old mode on exit."""

    def __init__(self, mode):
        self.prev = _C.is_grad_enabled()
        self.mode = bool(mode)
        _C._set_grad_enabled(self.mode)

    def __call__(self, func):
        # Used as a decorator: decorating must not change the mode.
        _C._set_grad_enabled(self.prev)
        return super().__call__(func)

    def __enter__(self):
        _C._set_grad_enabled(self.mode)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.prev)
        return False

    def clone(self):
        clone = self.__class__.__new__(self.__class__)
        clone.mode, clone.prev = self.mode, _C.is_grad_enabled()
        return clone


class inference_mode(_DecoratorContextManager):
    """Like no_grad, for code that will never need gradients (inference_mode(False) turns it off)."""

    def __init__(self, mode=True):
        self.mode = mode

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):  # used as @inference_mode without parentheses
            return cls()(mode)
        return object.__new__(cls)

    def __enter__(self):
        self.prev = (_C.is_grad_enabled(), _C.is_inference_mode_enabled())
        if self.mode:
            _C._set_grad_enabled(False)
        _C._set_inference_mode(self.mode)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.prev[0])
        _C._set_inference_mode(self.prev[1])
        return False

    def clone(self):
        return self.__class__(self.mode)


# dyngraph's backward always runs on the calling thread (PyTorch's engine does
# too for CPU tensors; it uses per-device worker threads for accelerators).
# The switch is kept per thread, as PyTorch's, so code that sets and reads it
# works; it does not change where dyngraph's backward runs.
_multithreading = threading.local()


def is_multithreading_enabled():
    """Whether multithreaded backward is enabled on this thread (True unless set_multithreading_enabled(False))."""
    return getattr(_multithreading, "enabled", True)


class set_multithreading_enabled(_DecoratorContextManager):
    """set_multithreading_enabled(mode): sets the switch now; as a context manager it restores it on exit."""

    def __init__(self, mode):
        self.prev = is_multithreading_enabled()
        self.mode = bool(mode)
        _multithreading.enabled = self.mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _multithreading.enabled = self.prev
        return False

    def clone(self):
        return self.__class__(self.mode)


def is_view_replay_enabled():
    """False: dyngraph never replays views (PyTorch's default, set by its private _force_original_view_tracking)."""
    return False
