"""Rprop, ASGD and swa_utils (AveragedModel, SWALR, update_bn), against hand-written references
of their update rules (and PyTorch where installed)."""

import math

import numpy as np
import pytest

import dyngraph
from dyngraph.optim import swa_utils


def _loss_grad(w):
    return 2 * w * np.array([1.0, 4.0, 9.0]) + np.cos(w)


def _run(name, steps=6, **kw):
    w = dyngraph.nn.Parameter(dyngraph.tensor([0.5, -1.0, 2.0], dtype=dyngraph.float64))
    opt = getattr(dyngraph.optim, name)([w], **kw)
    for _ in range(steps):
        opt.zero_grad()
        ((w * dyngraph.tensor([1.0, 2.0, 3.0], dtype=dyngraph.float64)) ** 2 + w.sin()).sum().backward()
        opt.step()
    return w.detach().numpy(), opt


def test_rprop_matches_its_rule():
    got, opt = _run("Rprop", lr=0.1)
    w, prev, size = np.array([0.5, -1.0, 2.0]), np.zeros(3), np.full(3, 0.1)
    for _ in range(6):
        g = _loss_grad(w)
        sign = np.sign(g * prev)
        size = np.clip(size * np.where(sign > 0, 1.2, np.where(sign < 0, 0.5, 1.0)), 1e-6, 50)
        g = np.where(sign < 0, 0.0, g)
        w = w - np.sign(g) * size
        prev = g
    np.testing.assert_allclose(got, w, rtol=1e-12)
    assert set(opt.state[opt.param_groups[0]["params"][0]]) == {"step", "prev", "step_size"}
    with pytest.raises(ValueError):
        dyngraph.optim.Rprop([dyngraph.nn.Parameter(dyngraph.ones(1))], etas=(1.5, 1.2))


def test_asgd_matches_its_rule():
    got, opt = _run("ASGD", lr=0.05, t0=2, weight_decay=0.1)
    w, ax, eta, mu = np.array([0.5, -1.0, 2.0]), np.zeros(3), 0.05, 1.0
    for step in range(1, 7):
        g = _loss_grad(w) + 0.1 * w
        w = w * (1 - 1e-4 * eta) - eta * g
        ax = ax + (w - ax) * mu if mu != 1 else w.copy()
        eta = 0.05 / (1 + 1e-4 * 0.05 * step) ** 0.75
        mu = 1 / max(1, step - 2)
    # eta and mu are kept in float32 0-d tensors, as PyTorch keeps them
    np.testing.assert_allclose(got, w, rtol=1e-6)
    state = opt.state[opt.param_groups[0]["params"][0]]
    np.testing.assert_allclose(state["ax"].numpy(), ax, rtol=1e-6)


def test_averaged_model_swa_and_ema():
    model = dyngraph.nn.Linear(2, 1).double()
    swa = swa_utils.AveragedModel(model)
    ema = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.9))
    ema_fn = swa_utils.AveragedModel(model, avg_fn=swa_utils.get_ema_avg_fn(0.9))
    values = []
    for k in range(4):
        with dyngraph.no_grad():
            model.weight.fill_(float(k))
        values.append(float(k))
        for m in (swa, ema, ema_fn):
            m.update_parameters(model)
    np.testing.assert_allclose(swa.module.weight.detach().numpy(), np.full((1, 2), np.mean(values)))
    expected = values[0]
    for v in values[1:]:
        expected = 0.9 * expected + 0.1 * v
    np.testing.assert_allclose(ema.module.weight.detach().numpy(), np.full((1, 2), expected), rtol=1e-12)
    np.testing.assert_allclose(ema_fn.module.weight.detach().numpy(), np.full((1, 2), expected), rtol=1e-12)
    assert swa.n_averaged.item() == 4
    x = dyngraph.ones(1, 2, dtype=dyngraph.float64)
    np.testing.assert_allclose(swa(x).detach().numpy(), swa.module(x).detach().numpy())


def test_swalr_anneals_to_swa_lr():
    w = dyngraph.nn.Parameter(dyngraph.ones(1))
    opt = dyngraph.optim.SGD([w], lr=0.5)
    sched = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy="cos")
    lrs = []
    for _ in range(5):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    lr, expected = 0.5, []
    for step in range(1, 6):
        alpha_prev = (1 - math.cos(math.pi * max(0, min(1, (step - 1) / 3)))) / 2
        start = 0.05 if alpha_prev == 1 else (lr - alpha_prev * 0.05) / (1 - alpha_prev)
        alpha = (1 - math.cos(math.pi * max(0, min(1, step / 3)))) / 2
        lr = 0.05 * alpha + start * (1 - alpha)
        expected.append(lr)
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    assert abs(lrs[-1] - 0.05) < 1e-12
    with pytest.raises(ValueError):
        swa_utils.SWALR(opt, swa_lr=0.05, anneal_strategy="exp")


def test_update_bn_recomputes_statistics():
    model = dyngraph.nn.Sequential(dyngraph.nn.Linear(3, 4), dyngraph.nn.BatchNorm1d(4)).double()
    data = dyngraph.randn(12, 3, dtype=dyngraph.float64)
    loader = [(data[:6], 0), (data[6:], 1)]
    model.eval()
    swa_utils.update_bn(loader, model)
    assert not model.training
    with dyngraph.no_grad():
        features = model[0](data)
    np.testing.assert_allclose(model[1].running_mean.numpy(),
                               (features[:6].mean(0) + features[6:].mean(0)).numpy() / 2, rtol=1e-10)
    assert model[1].momentum == 0.1


def test_against_pytorch_when_installed():
    torch = pytest.importorskip("torch")

    def run(lib, name, kw):
        w = lib.nn.Parameter(lib.tensor([[0.5, -1.0, 2.0], [0.1, 0.2, -0.3]], dtype=lib.float32))
        opt = getattr(lib.optim, name)([w], **kw)
        for _ in range(6):
            opt.zero_grad()
            ((w * lib.tensor([1.0, -2.0, 3.0])) ** 2 + w.sin()).sum().backward()
            opt.step()
        return w.detach().numpy()

    for name, kw in [("Rprop", {}), ("Rprop", dict(lr=0.1, maximize=True)), ("ASGD", dict(lr=0.05, t0=2))]:
        np.testing.assert_allclose(run(dyngraph, name, kw), run(torch, name, kw), rtol=1e-6)


def test_adafactor_matches_its_rule():
    w = dyngraph.nn.Parameter(dyngraph.tensor(np.linspace(-1, 1, 6).reshape(2, 3)))
    opt = dyngraph.optim.Adafactor([w], lr=0.05, weight_decay=0.1)
    W, row, col = np.linspace(-1, 1, 6).reshape(2, 3), np.zeros((2, 1)), np.zeros((1, 3))
    eps1 = np.finfo(np.float64).eps
    for step in range(1, 5):
        opt.zero_grad()
        (w ** 3).sum().backward()
        opt.step()
        g = 3 * W ** 2
        decay = step ** -0.8
        alpha = max(1e-3, np.linalg.norm(W) / np.sqrt(W.size)) * min(0.05, 1 / np.sqrt(step))
        W = W * (1 - 0.05 * 0.1)
        row += decay * ((g * g).mean(-1, keepdims=True) - row)
        col += decay * ((g * g).mean(-2, keepdims=True) - col)
        estimate = row @ col / max(row.mean(), eps1)
        update = g / np.sqrt(np.maximum(estimate, eps1 * eps1))
        W = W - alpha / max(1.0, np.linalg.norm(update) / np.sqrt(update.size)) * update
    np.testing.assert_allclose(w.detach().numpy(), W, rtol=1e-12)
    assert set(opt.state[w]) == {"step", "row_var", "col_var"}
    with pytest.raises(ValueError, match="beta2_decay"):
        dyngraph.optim.Adafactor([w], beta2_decay=0.5)
    with pytest.raises(RuntimeError, match="complex"):
        z = dyngraph.nn.Parameter(dyngraph.ones(2, dtype=dyngraph.complex64))
        z.grad = dyngraph.ones(2, dtype=dyngraph.complex64)
        dyngraph.optim.Adafactor([z]).step()


# ---- Muon and SparseAdam ---------------------------------------------------------------------------


def _newton_schulz(u, steps=5):
    """Muon's orthogonalization in float64 (PyTorch runs it in bfloat16: compare loosely)."""
    a, b, c = 3.4445, -4.7750, 2.0315
    x = u.T if u.shape[0] > u.shape[1] else u
    x = x / max(np.linalg.norm(x), 1e-7)
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if u.shape[0] > u.shape[1] else x


def test_muon_matches_its_rule_to_bfloat16_accuracy():
    W = np.linspace(-1, 1, 12).reshape(4, 3)
    w = dyngraph.nn.Parameter(dyngraph.tensor(W))
    opt = dyngraph.optim.Muon([w], lr=0.05)
    buf = np.zeros_like(W)
    for _ in range(4):
        opt.zero_grad()
        (w ** 3).sum().backward()
        opt.step()
        g = 3 * W ** 2
        buf = buf + (g - buf) * 0.05
        update = _newton_schulz(g + (buf - g) * 0.95)  # nesterov
        W = W * (1 - 0.05 * 0.1) - 0.05 * math.sqrt(4 / 3) * update
        np.testing.assert_allclose(w.detach().numpy(), W, atol=2e-2)
    assert not np.allclose(W, np.linspace(-1, 1, 12).reshape(4, 3))


def test_muon_rejects_what_pytorch_rejects():
    with pytest.raises(ValueError, match="only supports 2D parameters"):
        dyngraph.optim.Muon([dyngraph.nn.Parameter(dyngraph.ones(3))])
    with pytest.raises(ValueError, match="Adjust learning rate function foo is not supported"):
        dyngraph.optim.Muon([dyngraph.nn.Parameter(dyngraph.ones(2, 2))], adjust_lr_fn="foo")


def test_sparse_adam_moves_only_entries_with_a_gradient():
    W = np.linspace(-1, 1, 8).reshape(4, 2)
    w = dyngraph.nn.Parameter(dyngraph.tensor(W))
    opt = dyngraph.optim.SparseAdam([w], lr=0.1)
    m, v = np.zeros_like(W), np.zeros_like(W)
    for step in range(1, 5):
        row = step % 4
        opt.zero_grad()
        (w[row] ** 2).sum().backward()
        opt.step()
        g = np.zeros_like(W)
        g[row] = 2 * W[row]
        mask = g != 0
        m = np.where(mask, m + (g - m) * 0.1, m)
        v = np.where(mask, v + (g * g - v) * 0.001, v)
        size = 0.1 * math.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step)
        W = W - np.where(mask, m / (np.sqrt(v) + 1e-8), 0) * size
        np.testing.assert_allclose(w.detach().numpy(), W, rtol=1e-12)
    assert opt.state[w]["step"] == 4


def test_muon_and_sparse_adam_against_pytorch():
    torch = pytest.importorskip("torch")

    def run(lib, name, kw):
        w = lib.nn.Parameter(lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3), dtype=lib.float32))
        opt = getattr(lib.optim, name)([w], **kw)
        for i in range(5):
            opt.zero_grad()
            loss = (w * lib.tensor([1.0, -2.0, 3.0])) ** 2 + w.sin()
            if name == "SparseAdam":
                loss = loss[i % 4]
            loss.sum().backward()
            if name == "SparseAdam" and lib is torch:
                w.grad = w.grad.to_sparse()
            opt.step()
        return w.detach().numpy()

    for name, kw, atol in [("Muon", {}, 1e-3), ("Muon", dict(nesterov=False, adjust_lr_fn="match_rms_adamw"), 1e-3),
                           ("SparseAdam", dict(lr=0.1), 1e-6), ("SparseAdam", dict(lr=0.1, maximize=True), 1e-6)]:
        np.testing.assert_allclose(run(dyngraph, name, kw), run(torch, name, kw), atol=atol)
