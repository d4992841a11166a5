"""The CUDA backend. The first tests run everywhere (a machine without a GPU must keep working, and a
CUDA build must register every kernel); the rest need a GPU and compare each CUDA result with the CPU's
(the CPU kernels are tested against NumPy elsewhere)."""

import numpy as np
import pytest

import dyngraph
from dyngraph import _C

HAS_GPU = dyngraph.cuda.is_available()
gpu = pytest.mark.skipif(not HAS_GPU, reason="needs a CUDA GPU")


# ---- without a GPU ----------------------------------------------------------------------------------

def test_availability_is_consistent():
    assert dyngraph.cuda.is_available() == (dyngraph.cuda.device_count() > 0)
    assert isinstance(dyngraph.cuda.is_built(), bool)


def test_every_kernel_slot_is_registered():
    assert _C._missing_kernels("cpu") == []
    if dyngraph.cuda.is_built():
        assert _C._missing_kernels("cuda") == []


@pytest.mark.skipif(HAS_GPU, reason="checks the behaviour without a GPU")
def test_without_gpu_cuda_calls_fail_cleanly():
    # PyTorch raises AssertionError or RuntimeError depending on its build: dyngraph's error is both.
    expected = dyngraph.cuda.CudaUnavailableError
    assert issubclass(expected, RuntimeError) and issubclass(expected, AssertionError)
    assert dyngraph.cuda.device_count() == 0
    assert dyngraph.cuda.memory_allocated() == 0
    assert dyngraph.cuda.max_memory_allocated() == 0
    assert dyngraph.cuda.memory_reserved() == 0
    assert dyngraph.cuda.memory_stats() == {}
    dyngraph.cuda.empty_cache()
    dyngraph.cuda.reset_peak_memory_stats()
    dyngraph.cuda.manual_seed(0)  # a no-op, as in PyTorch
    dyngraph.cuda.manual_seed_all(0)
    assert not dyngraph.cuda.is_bf16_supported()
    assert not dyngraph.cuda.is_tf32_supported()
    assert dyngraph.cuda.memory_stats_as_nested_dict() == {}
    assert dyngraph.cuda.default_generators == ()  # one entry per device, as PyTorch's
    assert dyngraph.cuda.has_half is True and dyngraph.cuda.has_magma is False
    with pytest.raises(expected):
        dyngraph.cuda.current_device()
    with pytest.raises(expected):
        dyngraph.cuda.Stream()
    with pytest.raises(expected):
        dyngraph.cuda.synchronize()
    with pytest.raises(expected):
        dyngraph.zeros(2, device="cuda")
    with pytest.raises(expected):
        dyngraph.ones(2).cuda()
    with pytest.raises(expected):
        dyngraph.ones(2).pin_memory()
    with pytest.raises(RuntimeError):
        dyngraph.Generator(device="cuda")
    assert not dyngraph.ones(2).is_pinned()
    # The CPU is untouched by the failures above.
    assert dyngraph.ones(3).sum().item() == 3


def test_device_objects_need_no_gpu():
    d = dyngraph.device("cuda:1")
    assert (d.type, d.index) == ("cuda", 1)
    assert dyngraph.device("cuda").index is None


def test_to_parses_non_blocking_and_copy():
    x = dyngraph.ones(3)
    assert x.to(dyngraph.float64, True).dtype == dyngraph.float64  # (dtype, non_blocking)
    y = x.to(dyngraph.float32, False, True)  # (dtype, non_blocking, copy)
    assert y.data_ptr() != x.data_ptr()
    assert x.to("cpu", non_blocking=True) is x


def test_allow_tf32_flag_round_trips():
    flags = dyngraph.backends.cuda.matmul
    old = flags.allow_tf32
    try:
        flags.allow_tf32 = True
        assert flags.allow_tf32 is True
        flags.allow_tf32 = False
        assert flags.allow_tf32 is False
    finally:
        flags.allow_tf32 = old


# ---- on a GPU ----------------------------------------------------------------------------------------

def cpu_and_gpu(array, dtype=None):
    a = dyngraph.tensor(array, dtype=dtype)
    return a, a.cuda()


def assert_same(gpu_tensor, cpu_tensor, rtol=1e-6, atol=1e-6):
    assert gpu_tensor.device.type == "cuda"
    got = gpu_tensor.cpu()
    assert got.dtype == cpu_tensor.dtype and tuple(got.shape) == tuple(cpu_tensor.shape)
    if cpu_tensor.dtype == dyngraph.bfloat16:
        got, cpu_tensor = got.float(), cpu_tensor.float()
    if cpu_tensor.dtype == dyngraph.bool:
        np.testing.assert_array_equal(got.numpy(), cpu_tensor.numpy())
        return
    np.testing.assert_allclose(got.detach().numpy(), cpu_tensor.detach().numpy(), rtol=rtol, atol=atol)


@gpu
@pytest.mark.parametrize("name", ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
                                  "float32", "float64", "complex64", "complex128"])
def test_round_trip_every_dtype(name):
    x = (dyngraph.arange(24) % 7).to(getattr(dyngraph, name)).reshape(2, 3, 4)
    g = x.to("cuda")
    assert g.device == dyngraph.device("cuda:0") and g.is_cuda and g.dtype == x.dtype
    assert dyngraph.equal(g.cpu(), x)
    assert dyngraph.equal(g.permute(2, 0, 1).cpu(), x.permute(2, 0, 1))  # strided source
    assert "cuda" in repr(g)


@gpu
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum", "pow", "atan2", "remainder", "eq", "lt"])
def test_binary_ops_match_cpu(op):
    rng = np.random.default_rng(0)
    a_cpu, a = cpu_and_gpu(rng.uniform(0.5, 3, (37, 65)).astype(np.float32))
    b_cpu, b = cpu_and_gpu(rng.uniform(0.5, 3, (65,)).astype(np.float32))  # broadcast
    c_cpu, c = cpu_and_gpu(rng.uniform(0.5, 3, (65, 1)).astype(np.float32))
    fn = getattr(dyngraph, op)
    assert_same(fn(a, b), fn(a_cpu, b_cpu), rtol=1e-6)
    assert_same(fn(a.t()[:, ::2], c), fn(a_cpu.t()[:, ::2], c_cpu), rtol=1e-6)  # strided, broadcast column
    if op in ("add", "sub", "mul", "div", "pow", "remainder", "eq", "lt"):
        assert_same(fn(a.t()[:, ::2], 1.5), fn(a_cpu.t()[:, ::2], 1.5), rtol=1e-6)  # a Python scalar


@gpu
@pytest.mark.parametrize("op", ["exp", "log", "sin", "tanh", "sigmoid", "relu", "gelu", "erf", "floor", "abs",
                                "isnan", "round"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_unary_ops_match_cpu(op, dtype):
    x_cpu = dyngraph.linspace(-3, 3, 1001).to(getattr(dyngraph, dtype))
    fn = getattr(dyngraph, op) if hasattr(dyngraph, op) else getattr(dyngraph.nn.functional, op)
    tol = 1e-5 if dtype in ("float32", "float64") else 1e-2
    assert_same(fn(x_cpu.cuda()), fn(x_cpu), rtol=tol, atol=tol)


@gpu
def test_complex_math_on_gpu():
    z_cpu = dyngraph.tensor([1 + 2j, -0.5 + 0.25j, 3 - 1j], dtype=dyngraph.complex64)
    for fn in (dyngraph.exp, dyngraph.log, dyngraph.sqrt, dyngraph.abs):
        assert_same(fn(z_cpu.cuda()), fn(z_cpu), rtol=1e-5, atol=1e-6)
    assert_same(z_cpu.cuda() ** 2, z_cpu ** 2, rtol=1e-5)


@gpu
@pytest.mark.parametrize("shape,dims", [((1000,), None), ((3, 4, 5), (1,)), ((64, 300), (0,)),
                                        ((5, 6, 7), (0, 2)), ((2_000_003,), None)])
def test_reductions_match_cpu(shape, dims):
    rng = np.random.default_rng(1)
    x_cpu, x = cpu_and_gpu(rng.standard_normal(shape).astype(np.float32))
    kw = {} if dims is None else {"dim": dims}
    assert_same(x.sum(**kw), x_cpu.sum(**kw), rtol=1e-5, atol=1e-4)
    assert_same(x.mean(**kw), x_cpu.mean(**kw), rtol=1e-5, atol=1e-6)
    assert_same(x.amax(**kw), x_cpu.amax(**kw))
    if dims is None or len(dims) == 1:
        d = {} if dims is None else {"dim": dims[0]}
        assert_same((x > 0).any(**d), (x_cpu > 0).any(**d))
        assert_same(x.argmax(**d), x_cpu.argmax(**d))
        assert_same(x.argmin(**d), x_cpu.argmin(**d))


@gpu
def test_integer_and_empty_reductions():
    x_cpu, x = cpu_and_gpu(np.arange(-50, 50, dtype=np.int32).reshape(10, 10))
    assert_same(x.sum(1), x_cpu.sum(1))  # int64 result
    assert_same(x.prod(0), x_cpu.prod(0))
    e = dyngraph.zeros(0, 3, device="cuda")
    assert_same(e.sum(0), dyngraph.zeros(3))


@gpu
@pytest.mark.parametrize("dtype,tol", [("float32", 1e-4), ("float64", 1e-10), ("float16", 2e-2),
                                       ("bfloat16", 5e-2), ("complex64", 1e-4), ("int64", 0)])
def test_matmul_matches_cpu(dtype, tol):
    rng = np.random.default_rng(2)
    a = dyngraph.tensor(rng.integers(-3, 4, (4, 33, 17)).astype(np.float64)).to(getattr(dyngraph, dtype))
    b = dyngraph.tensor(rng.integers(-3, 4, (17, 29)).astype(np.float64)).to(getattr(dyngraph, dtype))
    assert_same(a.cuda() @ b.cuda(), a @ b, rtol=tol, atol=tol)  # broadcast batch
    assert_same(a.cuda().transpose(1, 2).transpose(1, 2) @ b.cuda().t().t(), a @ b, rtol=tol, atol=tol)
    assert_same(a[0].cuda().t() @ a[1].cuda(), a[0].t() @ a[1], rtol=tol, atol=tol)  # transposed operand


@gpu
def test_tf32_flag_changes_float32_matmul_only_within_tf32_precision():
    rng = np.random.default_rng(3)
    a_cpu, a = cpu_and_gpu(rng.standard_normal((256, 256)).astype(np.float32))
    flags = dyngraph.backends.cuda.matmul
    old = flags.allow_tf32
    try:
        flags.allow_tf32 = True
        assert_same(a @ a, a_cpu @ a_cpu, rtol=5e-2, atol=5e-2)
        flags.allow_tf32 = False
        assert_same(a @ a, a_cpu @ a_cpu, rtol=1e-4, atol=1e-4)
    finally:
        flags.allow_tf32 = old


@gpu
def test_nn_kernels_match_cpu():
    F = dyngraph.nn.functional
    rng = np.random.default_rng(4)
    x_cpu, x = cpu_and_gpu(rng.standard_normal((2, 3, 9, 8)).astype(np.float32))
    w_cpu, w = cpu_and_gpu(rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    assert_same(F.conv2d(x, w, padding=1, stride=2), F.conv2d(x_cpu, w_cpu, padding=1, stride=2), rtol=1e-4, atol=1e-4)
    assert_same(F.max_pool2d(x, 2), F.max_pool2d(x_cpu, 2))
    assert_same(F.adaptive_max_pool2d(x, (4, 3)), F.adaptive_max_pool2d(x_cpu, (4, 3)))
    u_cpu, u = cpu_and_gpu(rng.random((2, 3, 2)).astype(np.float32))
    for a, b in zip(F.fractional_max_pool2d(x, 2, (5, 4), return_indices=True, _random_samples=u),
                    F.fractional_max_pool2d(x_cpu, 2, (5, 4), return_indices=True, _random_samples=u_cpu)):
        assert_same(a, b)
    assert_same(F.softmax(x, -1), F.softmax(x_cpu, -1), rtol=1e-6)
    assert_same(F.log_softmax(x, 1), F.log_softmax(x_cpu, 1), rtol=1e-5, atol=1e-6)
    assert_same(F.layer_norm(x, (8,)), F.layer_norm(x_cpu, (8,)), rtol=1e-4, atol=1e-5)
    assert_same(F.batch_norm(x, None, None, training=True), F.batch_norm(x_cpu, None, None, training=True),
                rtol=1e-4, atol=1e-5)
    target_cpu, target = cpu_and_gpu(np.array([0, 2, 1]))
    logits_cpu, logits = cpu_and_gpu(rng.standard_normal((3, 5)).astype(np.float32))
    assert_same(F.cross_entropy(logits, target), F.cross_entropy(logits_cpu, target_cpu), rtol=1e-5)


@gpu
def test_resampling_and_grid_sampling_match_cpu_with_gradients():
    F = dyngraph.nn.functional
    rng = np.random.default_rng(6)
    image = rng.standard_normal((2, 3, 7, 6))
    grid = rng.uniform(-1.2, 1.2, (2, 4, 5, 2))
    calls = [
        lambda x, g: F.interpolate(x, size=(11, 4), mode="bilinear"),
        lambda x, g: F.interpolate(x, scale_factor=2, mode="bicubic", align_corners=True),
        lambda x, g: F.interpolate(x, size=(3, 2), mode="bilinear", antialias=True),
        lambda x, g: F.interpolate(x, size=(9, 9), mode="nearest"),
        lambda x, g: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        lambda x, g: F.adaptive_avg_pool2d(x, (4, 5)),
        lambda x, g: F.grid_sample(x, g, mode="bilinear", padding_mode="reflection", align_corners=False),
        lambda x, g: F.grid_sample(x, g, mode="bicubic", padding_mode="border", align_corners=True),
    ]
    for dtype, tol in ((np.float64, 1e-10), (np.float32, 1e-4)):
        for call in calls:
            results = []
            for device in ("cpu", "cuda"):
                x = dyngraph.tensor(image.astype(dtype), device=device, requires_grad=True)
                g = dyngraph.tensor(grid.astype(dtype), device=device, requires_grad=True)
                out = call(x, g)
                out.square().sum().backward()
                results.append((out, x.grad, g.grad))
            for got, want in zip(results[1], results[0]):
                if want is not None:
                    assert_same(got, want, rtol=tol, atol=tol)


@gpu
def test_recurrent_layers_match_cpu_with_gradients():
    rng = np.random.default_rng(8)
    for cls, kwargs in ((dyngraph.nn.LSTM, dict(num_layers=2, bidirectional=True)),
                        (dyngraph.nn.LSTM, dict(proj_size=3)), (dyngraph.nn.GRU, dict(bidirectional=True)),
                        (dyngraph.nn.RNN, dict(nonlinearity="relu"))):
        for dtype, tol in ((dyngraph.float64, 1e-10), (dyngraph.float32, 1e-4)):
            dyngraph.manual_seed(0)
            layer = cls(4, 6, dtype=dtype, **kwargs)
            x = rng.standard_normal((7, 3, 4))
            results = []
            for device in ("cpu", "cuda"):
                layer.to(device).zero_grad()
                xs = dyngraph.tensor(x, dtype=dtype, device=device, requires_grad=True)
                out, _ = layer(xs)
                out.square().sum().backward()
                results.append([out, xs.grad] + [p.grad.clone() for p in layer.parameters()])
            for got, want in zip(results[1], results[0]):
                assert_same(got, want, rtol=tol, atol=tol)


@gpu
def test_conv_backward_matches_cpu():
    F = dyngraph.nn.functional
    rng = np.random.default_rng(5)
    grads = []
    for device in ("cpu", "cuda"):
        x = dyngraph.tensor(rng.standard_normal((2, 3, 7, 7)).astype(np.float32), device=device, requires_grad=True)
        w = dyngraph.tensor(rng.standard_normal((5, 3, 3, 3)).astype(np.float32), device=device, requires_grad=True)
        F.conv2d(x, w, padding=1).square().sum().backward()
        grads.append((x.grad, w.grad))
        rng = np.random.default_rng(5)
    assert_same(grads[1][0], grads[0][0], rtol=1e-4, atol=1e-4)
    assert_same(grads[1][1], grads[0][1], rtol=1e-4, atol=1e-4)


@gpu
def test_indexing_on_gpu():
    x_cpu, x = cpu_and_gpu(np.arange(30, dtype=np.float32).reshape(5, 6))
    idx = dyngraph.tensor([4, 0, 4])
    assert_same(x[idx], x_cpu[idx])
    assert_same(x[idx.cuda(), 1:4], x_cpu[idx, 1:4])
    assert_same(x[x > 10], x_cpu[x_cpu > 10])
    assert_same(x.gather(1, idx.cuda().reshape(3, 1).expand(3, 2).contiguous() % 6),
                x_cpu.gather(1, idx.reshape(3, 1).expand(3, 2).contiguous() % 6))
    for deterministic in (False, True):
        dyngraph.use_deterministic_algorithms(deterministic)
        try:
            acc = dyngraph.zeros(5, device="cuda").index_put_((idx.cuda(),), dyngraph.ones(3, device="cuda"),
                                                               accumulate=True)
            assert acc.cpu().tolist() == [1.0, 0.0, 0.0, 0.0, 2.0]
        finally:
            dyngraph.use_deterministic_algorithms(False)


@gpu
def test_sort_scan_nonzero_on_gpu():
    x_cpu, x = cpu_and_gpu(np.array([[3.0, 1.0, 2.0], [0.0, -1.0, 5.0]], dtype=np.float32))
    v, i = x.sort(dim=1, descending=True)
    v_cpu, i_cpu = x_cpu.sort(dim=1, descending=True)
    assert_same(v, v_cpu)
    assert_same(i, i_cpu)
    assert_same(x.cumsum(1), x_cpu.cumsum(1))
    assert_same(x.nonzero(), x_cpu.nonzero())
    assert_same(x.topk(2).values, x_cpu.topk(2).values)


@gpu
def test_random_numbers_do_not_depend_on_the_device():
    dyngraph.manual_seed(123)
    a = dyngraph.rand(10_000)
    dyngraph.manual_seed(123)
    b = dyngraph.rand(10_000, device="cuda")
    assert dyngraph.equal(b.cpu(), a)
    dyngraph.manual_seed(7)
    n = dyngraph.randn(1000, device="cuda", dtype=dyngraph.float64)
    dyngraph.manual_seed(7)
    assert dyngraph.equal(n.cpu(), dyngraph.randn(1000, dtype=dyngraph.float64))


@gpu
@pytest.mark.parametrize("opt", ["SGD", "Adam", "AdamW"])
def test_training_step_matches_cpu(opt):
    results = []
    for device in ("cpu", "cuda"):
        dyngraph.manual_seed(0)
        model = dyngraph.nn.Sequential(dyngraph.nn.Linear(8, 16), dyngraph.nn.ReLU(),
                                       dyngraph.nn.Linear(16, 3)).to(device)
        kwargs = {"momentum": 0.9} if opt == "SGD" else {}
        optimizer = getattr(dyngraph.optim, opt)(model.parameters(), lr=0.01, **kwargs)
        x = dyngraph.linspace(-1, 1, 40).reshape(5, 8).to(device)
        y = dyngraph.tensor([0, 1, 2, 1, 0]).to(device)
        for _ in range(3):
            optimizer.zero_grad()
            loss = dyngraph.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        results.append([p.detach().cpu() for p in model.parameters()])
    for cpu_p, gpu_p in zip(*results):
        np.testing.assert_allclose(gpu_p.numpy(), cpu_p.numpy(), rtol=1e-4, atol=1e-5)


@gpu
def test_caching_allocator_statistics():
    dyngraph.cuda.synchronize()
    dyngraph.cuda.empty_cache()
    base = dyngraph.cuda.memory_allocated()
    x = dyngraph.empty(1000, device="cuda")  # 4000 bytes, rounded to 4096
    assert dyngraph.cuda.memory_allocated() - base == 4096
    assert dyngraph.cuda.memory_reserved() >= dyngraph.cuda.memory_allocated()
    dyngraph.cuda.reset_peak_memory_stats()
    y = dyngraph.empty(3 << 20, dtype=dyngraph.uint8, device="cuda")
    peak = dyngraph.cuda.max_memory_allocated()
    assert peak >= base + 4096 + (3 << 20)
    del y
    assert dyngraph.cuda.memory_allocated() == base + 4096
    assert dyngraph.cuda.max_memory_allocated() == peak
    z = dyngraph.empty(3 << 20, dtype=dyngraph.uint8, device="cuda")  # reuses the cached block
    assert dyngraph.cuda.memory_stats()["num_cache_hits"] >= 1
    del x, z
    reserved = dyngraph.cuda.memory_reserved()
    dyngraph.cuda.empty_cache()
    assert dyngraph.cuda.memory_reserved() < reserved
    assert "allocated memory" in dyngraph.cuda.memory_summary()


@gpu
def test_out_of_memory_is_an_exception_and_recoverable():
    total = dyngraph.cuda.get_device_properties(0).total_memory
    with pytest.raises(dyngraph.cuda.OutOfMemoryError, match="Tried to allocate"):
        dyngraph.empty(2 * total, dtype=dyngraph.uint8, device="cuda")
    assert dyngraph.ones(10, device="cuda").sum().item() == 10


@gpu
def test_streams_and_events():
    s = dyngraph.cuda.Stream()
    start, end = dyngraph.cuda.Event(enable_timing=True), dyngraph.cuda.Event(enable_timing=True)
    with dyngraph.cuda.stream(s):
        assert dyngraph.cuda.current_stream() == s
        start.record()
        x = dyngraph.ones(1 << 20, device="cuda")
        for _ in range(10):
            x = x * 1.0001
        end.record()
    assert dyngraph.cuda.current_stream() == dyngraph.cuda.default_stream()
    dyngraph.cuda.current_stream().wait_stream(s)
    end.synchronize()
    assert end.query() and s.query()
    assert start.elapsed_time(end) >= 0
    assert abs(x.sum().item() - (1 << 20) * 1.0001 ** 10) < 1


@gpu
def test_pinned_memory_and_non_blocking_copies():
    x = dyngraph.arange(1000, dtype=dyngraph.float32)
    p = x.pin_memory()
    assert p.is_pinned() and not x.is_pinned()
    g = p.to("cuda", non_blocking=True)
    back = g.to("cpu", non_blocking=True)
    dyngraph.cuda.synchronize()
    assert back.is_pinned()
    assert dyngraph.equal(back, x)


@gpu
def test_autograd_on_gpu():
    x = dyngraph.tensor([1.0, 2.0, 3.0], device="cuda", requires_grad=True)
    (x.exp() * x).sum().backward()
    expected = (np.exp([1.0, 2.0, 3.0]) * (1 + np.array([1.0, 2.0, 3.0])))
    np.testing.assert_allclose(x.grad.cpu().numpy(), expected, rtol=1e-5)
    assert x.grad.device.type == "cuda"


@gpu
def test_cupy_interop_is_zero_copy():
    cupy = pytest.importorskip("cupy")
    x = dyngraph.arange(6, dtype=dyngraph.float32, device="cuda")
    c = cupy.asarray(x)  # __cuda_array_interface__
    c[0] = 42
    assert x[0].item() == 42
    y = dyngraph.from_dlpack(cupy.arange(4, dtype=cupy.float32))
    assert y.device.type == "cuda" and y.cpu().tolist() == [0, 1, 2, 3]


@gpu
def test_gradients_return_to_the_leaf_device_and_cpu_scalars_mix_in():
    x = dyngraph.ones(3, requires_grad=True)
    (x.cuda() * dyngraph.tensor(2.0)).sum().backward()  # a 0-dim CPU tensor joins a GPU op
    assert x.grad.device.type == "cpu" and x.grad.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(RuntimeError, match="same device"):
        dyngraph.ones(3, device="cuda") + dyngraph.ones(3)


@gpu
def test_like_factories_and_backward_formulas_stay_on_the_gpu():
    x = dyngraph.linspace(-2, 2, 7, device="cuda", requires_grad=True)
    assert dyngraph.zeros_like(x).device.type == "cuda"
    y = x.clamp(-1, 1).sum() + dyngraph.logsumexp(x, 0) + x.norm() + dyngraph.nn.functional.elu(x).sum()
    y.backward()
    x_cpu = x.detach().cpu().requires_grad_()
    (x_cpu.clamp(-1, 1).sum() + dyngraph.logsumexp(x_cpu, 0) + x_cpu.norm()
     + dyngraph.nn.functional.elu(x_cpu).sum()).backward()
    assert_same(x.grad, x_cpu.grad, rtol=1e-5, atol=1e-6)
    m = dyngraph.arange(6.0, device="cuda").reshape(2, 3)
    m[dyngraph.tensor([1]), 1:] = dyngraph.tensor([7.0, 8.0])  # CPU values written into a GPU tensor
    assert m.cpu().tolist() == [[0, 1, 2], [3, 7, 8]]
