"""Named tuples returned by reductions that give two tensors (max(dim), ...)."""

from collections import namedtuple

max = namedtuple("max", ["values", "indices"])
min = namedtuple("min", ["values", "indices"])
aminmax = namedtuple("aminmax", ["min", "max"])
