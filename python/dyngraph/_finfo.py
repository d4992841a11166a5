"""dyngraph.finfo / dyngraph.iinfo: machine limits of the floating and integer dtypes."""

from ._lazy_numpy import np

__all__ = ["finfo", "iinfo"]

# bfloat16 has no NumPy type: its limits, from its 8-bit exponent and 7-bit mantissa.
_BFLOAT16 = dict(bits=16, eps=0.0078125, max=3.3895313892515355e38, min=-3.3895313892515355e38,
                 tiny=1.1754943508222875e-38, resolution=0.01)


class finfo:
    """Limits of a floating point (or complex: of its real part) dtype, as torch.finfo."""

    def __init__(self, type=None):
        import dyngraph

        type = dyngraph.get_default_dtype() if type is None else type
        if not (type.is_floating_point or type.is_complex):
            raise TypeError(f"finfo(): dtype must be a floating point or complex dtype, got {type}")
        real = type.to_real()
        if real._name == "bfloat16":
            info = _BFLOAT16
        else:
            f = np.finfo(np.dtype(real._name))
            info = dict(bits=f.bits, eps=float(f.eps), max=float(f.max), min=float(f.min),
                        tiny=float(f.smallest_normal), resolution=10.0 ** -f.precision)
        self.bits, self.eps, self.max, self.min = info["bits"], info["eps"], info["max"], info["min"]
        self.tiny = self.smallest_normal = info["tiny"]
        self.resolution = info["resolution"]
        self.dtype = real._name

    def __repr__(self):
        # As PyTorch, which streams the doubles with C++'s default (6 significant digits, %g).
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.tiny:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer (or bool) dtype, as torch.iinfo."""

    def __init__(self, type):
        if type.is_floating_point or type.is_complex:
            raise TypeError(f"iinfo(): dtype must be an integer dtype, got {type}")
        if type._name == "bool":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        else:
            i = np.iinfo(np.dtype(type._name))
            self.bits, self.min, self.max = i.bits, int(i.min), int(i.max)
        self.dtype = type._name

    def __repr__(self):
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"
