"""Named tuples for the (values, indices) results of mode, cummax and cummin.

return_types.py is owned elsewhere; these are added to that module at import
(only where it lacks them) so users see dyngraph.return_types.mode as in PyTorch."""

from collections import namedtuple

from . import return_types as _return_types

__all__ = ["mode", "cummax", "cummin"]

mode = getattr(_return_types, "mode", None) or namedtuple("mode", ["values", "indices"])
cummax = getattr(_return_types, "cummax", None) or namedtuple("cummax", ["values", "indices"])
cummin = getattr(_return_types, "cummin", None) or namedtuple("cummin", ["values", "indices"])

for _name in __all__:
    setattr(_return_types, _name, globals()[_name])
del _name
