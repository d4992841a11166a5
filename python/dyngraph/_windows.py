"""Signal windows with PyTorch's signatures: hann, hamming, blackman, bartlett
and kaiser. `periodic=True` (the default) gives the window for spectral
analysis: the symmetric window of length N + 1 with its last sample dropped."""

import math

from ._signature import typed

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _dg():
    import dyngraph

    return dyngraph


def _positions(name, window_length, periodic, dtype, device):
    """(n, N): sample indices 0..L-1 as floats, and the denominator of the window's cosine argument."""
    dg = _dg()
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' must be int, not {type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    dtype = dtype or dg.get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    n = dg.arange(window_length, dtype=dtype, device=device)
    return n, (window_length if periodic else window_length - 1)


def _finish(w, window_length, requires_grad):
    if window_length == 1:
        w = w * 0 + 1  # a one-sample window is [1] in every family
    return w.requires_grad_(requires_grad) if requires_grad else w


def _cosine_sum(name, coeffs, window_length, periodic, dtype, layout, device, requires_grad):
    n, N = _positions(name, window_length, periodic, dtype, device)
    w = n * 0 + coeffs[0]
    for k, a in enumerate(coeffs[1:], start=1):
        w = w + ((-1) ** k) * a * _dg().cos(2 * math.pi * k * n / max(N, 1))
    return _finish(w, window_length, requires_grad)


@typed("hann_window", window_length="int", periodic="bool")
def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _cosine_sum("hann_window", (0.5, 0.5), window_length, periodic, dtype, layout, device, requires_grad)


@typed("hamming_window", window_length="int", periodic="bool", alpha="float", beta="float")
def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   requires_grad=False):
    return _cosine_sum("hamming_window", (alpha, beta), window_length, periodic, dtype, layout, device,
                       requires_grad)


@typed("blackman_window", window_length="int", periodic="bool")
def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _cosine_sum("blackman_window", (0.42, 0.5, 0.08), window_length, periodic, dtype, layout, device,
                       requires_grad)


@typed("bartlett_window", window_length="int", periodic="bool")
def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    n, N = _positions("bartlett_window", window_length, periodic, dtype, device)
    w = 1 - (2 * n / max(N, 1) - 1).abs()
    return _finish(w, window_length, requires_grad)


@typed("kaiser_window", window_length="int", periodic="bool", beta="float")
def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False):
    n, N = _positions("kaiser_window", window_length, periodic, dtype, device)
    dg = _dg()
    ratio = (2 * n / max(N, 1) - 1).clamp(-1, 1)
    w = dg.i0(beta * dg.sqrt(1 - ratio * ratio)) / dg.i0(dg.tensor(float(beta), dtype=n.dtype, device=n.device))
    return _finish(w, window_length, requires_grad)
