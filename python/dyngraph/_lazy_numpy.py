"""NumPy, imported on first use: most programs never need it, and importing
it would double the time `import dyngraph` takes."""

import importlib


class _LazyModule:
    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        return getattr(importlib.import_module(self._name), attr)


np = _LazyModule("numpy")
