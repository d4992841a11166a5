"""Process-wide settings (print options, matmul precision, determinism debug mode, compile, build
flags) and memory formats (channels_last as a real strided layout)."""

import numpy as np
import pytest

import dyngraph


@pytest.fixture
def restore_printoptions():
    saved = dyngraph.get_printoptions()
    yield
    dyngraph.set_printoptions(**saved)


def test_printoptions_precision_sci_mode_threshold(restore_printoptions):
    x = dyngraph.tensor([1.23456, 2.0])
    dyngraph.set_printoptions(precision=2)
    assert repr(x) == "tensor([1.23, 2.00])"
    dyngraph.set_printoptions(sci_mode=True)
    assert repr(x) == "tensor([1.23e+00, 2.00e+00])"
    dyngraph.set_printoptions(profile="default", sci_mode=None)
    assert repr(x) == "tensor([1.2346, 2.0000])"
    dyngraph.set_printoptions(threshold=5, edgeitems=1)
    assert repr(dyngraph.arange(10)) == "tensor([0,  ..., 9])"  # PyTorch pads the ellipsis too
    with pytest.raises(ValueError):
        dyngraph.set_printoptions(profile="nope")


def test_matmul_precision_and_debug_mode_round_trip():
    assert dyngraph.get_float32_matmul_precision() == "highest"
    try:
        dyngraph.set_float32_matmul_precision("high")
        assert dyngraph.get_float32_matmul_precision() == "high"
        with pytest.raises(RuntimeError):
            dyngraph.set_float32_matmul_precision("fastest")
    finally:
        dyngraph.set_float32_matmul_precision("highest")
    try:
        dyngraph.set_deterministic_debug_mode("warn")
        assert dyngraph.get_deterministic_debug_mode() == 1
        assert dyngraph.are_deterministic_algorithms_enabled()
        assert dyngraph.is_deterministic_algorithms_warn_only_enabled()
        dyngraph.set_deterministic_debug_mode(2)
        assert dyngraph.get_deterministic_debug_mode() == 2
    finally:
        dyngraph.set_deterministic_debug_mode(0)
    assert not dyngraph.are_deterministic_algorithms_enabled()


def test_compile_runs_eagerly_in_every_calling_form():
    def f(a):
        return a * 2

    assert dyngraph.compile(f) is f
    assert dyngraph.compile(mode="reduce-overhead")(f) is f
    model = dyngraph.nn.Linear(2, 2)
    assert dyngraph.compile(model) is model
    assert dyngraph.has_openmp is True and dyngraph.get_device_module("cpu") is dyngraph.cpu
    assert dyngraph.get_num_interop_threads() >= 1


def test_channels_last_layout():
    x = dyngraph.arange(120.0).reshape(2, 3, 4, 5)
    y = x.contiguous(memory_format=dyngraph.channels_last)
    assert y.stride() == (60, 1, 15, 3)
    assert y.is_contiguous(memory_format=dyngraph.channels_last) and not y.is_contiguous()
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    assert y.clone().stride() == (60, 1, 15, 3)  # preserve_format
    assert y.clone(memory_format=dyngraph.contiguous_format).stride() == (60, 20, 5, 1)
    assert x.to(memory_format=dyngraph.channels_last).stride() == (60, 1, 15, 3)
    assert y.contiguous().stride() == (60, 20, 5, 1)
    with pytest.raises(RuntimeError, match="rank 4"):
        dyngraph.ones(2, 3).contiguous(memory_format=dyngraph.channels_last)
    z = dyngraph.ones(1, 2, 2, 2, 2).contiguous(memory_format=dyngraph.channels_last_3d)
    assert z.is_contiguous(memory_format=dyngraph.channels_last_3d)


def test_conv_on_channels_last_input_matches():
    x = dyngraph.randn(2, 3, 6, 6)
    conv = dyngraph.nn.Conv2d(3, 4, 3)
    ref = conv(x)
    out = conv(x.contiguous(memory_format=dyngraph.channels_last))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_empty_permuted_and_frombuffer():
    t = dyngraph.empty_permuted((2, 3, 4), (0, 2, 1))
    assert t.shape == (2, 3, 4) and t.stride() == (12, 1, 3)
    buf = bytearray(np.array([1, 2, 3], np.int32).tobytes())
    v = dyngraph.frombuffer(buf, dtype=dyngraph.int32)
    np.testing.assert_array_equal(v.numpy(), [1, 2, 3])
    buf[0] = 9  # shares the buffer's memory
    assert v[0].item() == 9
    np.testing.assert_array_equal(dyngraph.frombuffer(buf, dtype=dyngraph.int32, count=1, offset=4).numpy(), [2])
    with pytest.raises(ValueError):
        dyngraph.frombuffer(bytearray(b"123"), dtype=dyngraph.int32)
