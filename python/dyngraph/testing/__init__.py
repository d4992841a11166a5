"""dyngraph.testing: assert_close (PyTorch's defaults, tolerances and failure
messages), the deprecated assert_allclose, and make_tensor."""

import cmath
import collections.abc
import contextlib
import warnings

__all__ = ["assert_close", "assert_allclose", "make_tensor"]

# {dtype name: (rtol, atol)}, as torch.testing; every other dtype compares exactly.
_DTYPE_PRECISIONS = {
    "float16": (0.001, 1e-5),
    "bfloat16": (0.016, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex32": (0.001, 1e-5),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}


class _ErrorMeta(Exception):
    """An error to raise for the user, with the path (``id``) of the failing item in nested inputs."""

    def __init__(self, type, msg, *, id=()):
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg=None):
        if not isinstance(msg, str):
            generated = self.msg
            if self.id:
                generated += f"\n\nThe failure occurred for item {''.join(str([item]) for item in self.id)}"
            msg = msg(generated) if callable(msg) else generated
        return self.type(msg)


class _Unsupported(Exception):
    pass


def _dtype_name(dtype):
    return getattr(dtype, "_name", str(dtype).rsplit(".", 1)[-1])


def default_tolerances(*inputs):
    """The loosest (rtol, atol) of the dtypes of ``inputs`` (tensors or dtypes)."""
    import dyngraph

    rtols, atols = [], []
    for x in inputs:
        if isinstance(x, dyngraph.Tensor):
            x = x.dtype
        elif not isinstance(x, dyngraph.dtype):
            raise TypeError(f"Expected a torch.Tensor or a torch.dtype, but got {type(x)} instead.")
        r, a = _DTYPE_PRECISIONS.get(_dtype_name(x), (0.0, 0.0))
        rtols.append(r)
        atols.append(a)
    return max(rtols), max(atols)


def _get_tolerances(*inputs, rtol, atol, id=()):
    if (rtol is None) ^ (atol is None):
        raise _ErrorMeta(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                                     f"but got no {'rtol' if rtol is None else 'atol'}.", id=id)
    if rtol is not None:
        return rtol, atol
    return default_tolerances(*inputs)


def _make_mismatch_msg(*, default_identifier, identifier=None, extra=None, abs_diff, abs_diff_idx=None, atol,
                       rel_diff, rel_diff_idx=None, rtol):
    equality = rtol == 0 and atol == 0

    def diff_msg(kind, diff, idx, tol):
        msg = f"{kind.title()} difference: {diff}" if idx is None else f"Greatest {kind} difference: {diff} at index {idx}"
        if not equality:
            msg += f" (up to {tol} allowed)"
        return msg + "\n"

    if identifier is None:
        identifier = default_identifier
    elif callable(identifier):
        identifier = identifier(default_identifier)
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += diff_msg("absolute", abs_diff, abs_diff_idx, atol)
    msg += diff_msg("relative", rel_diff, rel_diff_idx, rtol)
    return msg.strip()


def _scalar_mismatch_msg(actual, expected, *, rtol, atol, identifier=None):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _make_mismatch_msg(default_identifier="Scalars", identifier=identifier,
                              extra=f"Expected {expected} but got {actual}.", abs_diff=abs_diff, atol=atol,
                              rel_diff=rel_diff, rtol=rtol)


def _tensor_mismatch_msg(actual, expected, matches, *, rtol, atol, identifier=None):
    import dyngraph

    def unravel(flat):
        if not matches.shape:
            return ()
        idx = []
        for size in tuple(matches.shape)[::-1]:
            flat, mod = divmod(flat, size)
            idx.append(mod)
        return tuple(idx[::-1])

    n = matches.numel()
    mismatches = n - int(matches.sum())
    extra = f"Mismatched elements: {mismatches} / {n} ({mismatches / n:.1%})"
    a, e, m = actual.flatten(), expected.flatten(), matches.flatten()
    if not a.dtype.is_floating_point and not a.dtype.is_complex:
        a, e = a.to(dyngraph.int64), e.to(dyngraph.int64)
    abs_diff = (a - e).abs()
    abs_diff[m] = 0
    max_abs, max_abs_idx = abs_diff.max(0)
    rel_diff = abs_diff / e.abs()
    rel_diff[m] = 0
    max_rel, max_rel_idx = rel_diff.max(0)
    return _make_mismatch_msg(default_identifier="Tensor-likes", identifier=identifier, extra=extra,
                              abs_diff=max_abs.item(), abs_diff_idx=unravel(int(max_abs_idx)), atol=atol,
                              rel_diff=max_rel.item(), rel_diff_idx=unravel(int(max_rel_idx)), rtol=rtol)


_NUMBER_TYPES = (bool, int, float, complex)


def _number_dtype(x):
    import dyngraph

    return {bool: dyngraph.bool, int: dyngraph.int64, float: dyngraph.float64,
            complex: dyngraph.complex128}[type(x)]


def _compare_numbers(actual, expected, *, id, rtol, atol, equal_nan, check_dtype, msg):
    import numpy as np

    ok = tuple(_NUMBER_TYPES) + (np.number,)
    if not (isinstance(actual, ok) and isinstance(expected, ok)):
        raise _Unsupported()
    actual = actual.item() if isinstance(actual, np.number) else actual
    expected = expected.item() if isinstance(expected, np.number) else expected
    if type(actual) not in _NUMBER_TYPES or type(expected) not in _NUMBER_TYPES:
        raise _ErrorMeta(TypeError, f"Unknown number type {type(actual)}.", id=id)
    rtol, atol = _get_tolerances(_number_dtype(actual), _number_dtype(expected), rtol=rtol, atol=atol, id=id)
    if check_dtype and type(actual) is not type(expected):
        raise _ErrorMeta(AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}.", id=id)
    if actual == expected:
        return
    if equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
        return
    abs_diff = abs(actual - expected)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    raise _ErrorMeta(AssertionError, _scalar_mismatch_msg(actual, expected, rtol=rtol, atol=atol), id=id)


def _compare_tensors(actual, expected, *, id, rtol, atol, equal_nan, check_dtype, check_device, allow_subclasses):
    import numpy as np

    import dyngraph

    tensor_like = (dyngraph.Tensor, np.ndarray)
    if not (isinstance(actual, tensor_like) and isinstance(expected, tensor_like)):
        raise _Unsupported()
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if not related or (not allow_subclasses and type(actual) is not type(expected)):
        if related:
            raise _ErrorMeta(TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} "
                                        f"and {type(expected)}.", id=id)
        raise _Unsupported()
    actual, expected = (dyngraph.as_tensor(x) for x in (actual, expected))
    rtol, atol = _get_tolerances(actual, expected, rtol=rtol, atol=atol, id=id)

    def mismatch(attr, a, e):
        raise _ErrorMeta(AssertionError, f"The values for attribute '{attr}' do not match: {a} != {e}.", id=id)

    if actual.shape != expected.shape:
        mismatch("shape", actual.shape, expected.shape)
    if check_device and actual.device != expected.device:
        mismatch("device", actual.device, expected.device)
    if check_dtype and actual.dtype != expected.dtype:
        mismatch("dtype", actual.dtype, expected.dtype)

    actual, expected = actual.detach().cpu(), expected.detach().cpu()
    if actual.dtype != expected.dtype:
        dtype = dyngraph.promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(dtype), expected.to(dtype)
    if actual.dtype is dyngraph.bool:
        matches = actual == expected
        rtol = atol = 0.0
        if bool(matches.all()):
            return
        actual, expected = actual.to(dyngraph.int64), expected.to(dyngraph.int64)
    else:
        if actual.dtype.is_floating_point and actual.dtype.itemsize < 4 and not actual.dtype.is_complex:
            actual, expected = actual.float(), expected.float()  # reduced precision: compare in float32
        matches = dyngraph.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)
        if bool(matches.all()):
            return
    if actual.dim() == 0:
        msg = _scalar_mismatch_msg(actual.item(), expected.item(), rtol=rtol, atol=atol)
    else:
        msg = _tensor_mismatch_msg(actual, expected, matches, rtol=rtol, atol=atol)
    raise _ErrorMeta(AssertionError, msg, id=id)


def _compare(actual, expected, *, id, **options):
    if (isinstance(actual, collections.abc.Sequence) and not isinstance(actual, str)
            and isinstance(expected, collections.abc.Sequence) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _ErrorMeta(AssertionError, f"The length of the sequences mismatch: {len(actual)} != "
                                             f"{len(expected)}", id=id)
        for i in range(len(actual)):
            _compare(actual[i], expected[i], id=(*id, i), **options)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        ak, ek = set(actual.keys()), set(expected.keys())
        if ak != ek:
            raise _ErrorMeta(AssertionError, "The keys of the mappings do not match:\n"
                                             f"Missing keys in the actual mapping: {sorted(ek - ak)}\n"
                                             f"Additional keys in the actual mapping: {sorted(ak - ek)}", id=id)
        keys = ak
        with contextlib.suppress(Exception):
            keys = sorted(keys)
        for k in keys:
            _compare(actual[k], expected[k], id=(*id, k), **options)
        return
    if actual is None and expected is None:
        return
    if isinstance(actual, bool) and isinstance(expected, bool):
        if actual != expected:
            raise _ErrorMeta(AssertionError, f"Booleans mismatch: {actual} is not {expected}", id=id)
        return
    tensor_opts = {k: v for k, v in options.items() if k != "msg"}
    try:
        return _compare_tensors(actual, expected, id=id, **tensor_opts)
    except _Unsupported:
        pass
    number_opts = {k: v for k, v in options.items() if k in ("rtol", "atol", "equal_nan", "check_dtype")}
    try:
        return _compare_numbers(actual, expected, id=id, msg=None, **number_opts)
    except _Unsupported:
        pass
    raise _ErrorMeta(TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} and "
                                f"{type(expected)}.", id=id)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Asserts that ``actual`` and ``expected`` are close, as torch.testing.assert_close.

    Tensors (and NumPy arrays) must match in shape, dtype and device (unless told not to check) and satisfy
    ``|actual - expected| <= atol + rtol * |expected|`` elementwise, with per-dtype default tolerances.
    Sequences and mappings are compared item by item. Raises AssertionError with PyTorch's message."""
    __tracebackhide__ = True
    try:
        _compare(actual, expected, id=(), rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=check_dtype,
                 check_device=check_device, allow_subclasses=allow_subclasses)
    except _ErrorMeta as e:
        raise e.to_error(msg) from None


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated PyTorch helper: compares with assert_close after turning non-tensors into tensors."""
    import dyngraph

    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future "
                  "release. Please use `torch.testing.assert_close()` instead.", FutureWarning, stacklevel=2)
    if not isinstance(actual, dyngraph.Tensor):
        actual = dyngraph.tensor(actual)
    if not isinstance(expected, dyngraph.Tensor):
        expected = dyngraph.tensor(expected, dtype=actual.dtype, device=actual.device)
    if rtol is None and atol is None:
        rtol, atol = default_tolerances(actual, expected)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A random tensor of ``shape``: floats uniform in [low, high) (default [-9, 9)), integers in [low, high)
    (default [-9, 10), [0, 10) for uint8), bools 50/50; as torch.testing.make_tensor."""
    import dyngraph

    if len(shape) == 1 and isinstance(shape[0], (tuple, list, dyngraph.Size)):
        shape = tuple(shape[0])
    name = _dtype_name(dtype)
    if dtype is dyngraph.bool:
        t = dyngraph.randint(0, 2, shape, dtype=dyngraph.int64).to(dyngraph.bool)
    elif dtype.is_floating_point or dtype.is_complex:
        lo = -9.0 if low is None else float(low)
        hi = 9.0 if high is None else float(high)
        if lo > hi:
            raise ValueError(f"`low` must be less than or equal to `high`, but got {lo} > {hi}")
        t = (dyngraph.rand(shape, dtype=dyngraph.float64) * (hi - lo) + lo).to(dtype)
        if exclude_zero:
            t = dyngraph.where(t == 0, dyngraph.full_like(t, dyngraph.finfo(dtype).tiny), t)
    else:
        lo = (0 if name == "uint8" else -9) if low is None else int(low)
        hi = 10 if high is None else int(high)
        t = dyngraph.randint(lo, hi, shape, dtype=dyngraph.int64).to(dtype)
        if exclude_zero:
            t = dyngraph.where(t == 0, dyngraph.ones_like(t), t)
    if device is not None:
        t = t.to(device)
    if requires_grad:
        t.requires_grad_(True)
    return t
