"""The small value types of the Python API: dtype, device and Size.

They are plain Python classes; the C++ extension receives their singletons
(dtypes) and classes at import, so it can return them and read them fast.
"""

__all__ = ["dtype", "device", "Size"]


class dtype:
    """An element type, such as ``dyngraph.float32``. Compare with ``==`` or ``is``."""

    __slots__ = ("_code", "_name", "itemsize", "is_floating_point", "is_complex", "is_signed")

    def __init__(self, code, name, itemsize, is_floating_point, is_complex, is_signed):
        self._code = code
        self._name = name
        self.itemsize = itemsize
        self.is_floating_point = is_floating_point
        self.is_complex = is_complex
        self.is_signed = is_signed

    def __repr__(self):
        return "dyngraph." + self._name

    def __reduce__(self):
        return (_dtype_from_name, (self._name,))

    def to_real(self):
        return {"complex64": _BY_NAME["float32"], "complex128": _BY_NAME["float64"]}.get(self._name, self)

    def to_complex(self):
        if self._name in ("float64", "complex128"):
            return _BY_NAME["complex128"]
        return _BY_NAME["complex64"]


_SPECS = [  # code order matches the C++ Dtype enum
    ("bool", 1, False, False, False),
    ("uint8", 1, False, False, False),
    ("int8", 1, False, False, True),
    ("int16", 2, False, False, True),
    ("int32", 4, False, False, True),
    ("int64", 8, False, False, True),
    ("float16", 2, True, False, True),
    ("bfloat16", 2, True, False, True),
    ("float32", 4, True, False, True),
    ("float64", 8, True, False, True),
    ("complex64", 8, False, True, True),
    ("complex128", 16, False, True, True),
]
ALL_DTYPES = [dtype(i, *spec) for i, spec in enumerate(_SPECS)]
_BY_NAME = {d._name: d for d in ALL_DTYPES}
ALIASES = {
    "float": "float32", "double": "float64", "half": "float16", "long": "int64", "int": "int32",
    "short": "int16", "cfloat": "complex64", "cdouble": "complex128", "uint8": "uint8",
}


def _dtype_from_name(name):
    return _BY_NAME[name]


class device:
    """Where a tensor lives: ``device('cpu')``, ``device('cuda', 0)``, ``device('cuda:1')``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and index is None:
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() expected a string or an int, got {type.__class__.__name__}")
        if ":" in type:
            if index is not None:
                raise ValueError("type (string) must not include an index because index was passed explicitly: " + type)
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda"):
            raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: {type}")
        if index is not None:
            index = int(index)
            if index < 0:
                raise RuntimeError(f"Device index must not be negative, got {index}")
            if type == "cpu" and index != 0:
                raise RuntimeError(f"CPU device index must be 0, got {index}")
        self.type = type
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __reduce__(self):
        return (device, (self.type, self.index))


class Size(tuple):
    """A tensor's shape: a tuple of ints."""

    __slots__ = ()

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"dyngraph.Size({list(self)})"

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __reduce__(self):
        return (Size, (tuple(self),))
