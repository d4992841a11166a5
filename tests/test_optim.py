"""dyngraph.optim: each optimizer against a NumPy implementation of its update rule, and the
Optimizer base class (param groups, state_dict layout, load_state_dict, hooks, errors).
PyTorch, when installed, is an extra oracle."""

import math
import warnings

import numpy as np
import pytest

import dyngraph
import dyngraph.optim as optim

SHAPES = [(3, 4), (5,)]
N_STEPS = 5


def _init_and_grads(seed=0, n_steps=N_STEPS, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s) for s in shapes]
    grads = [[rng.standard_normal(s) for s in shapes] for _ in range(n_steps)]
    return init, grads


def run_dyngraph(cls, kwargs, init, grads, dtype=dyngraph.float64):
    """Final param values after one optimizer step per entry of grads (gradients set by hand)."""
    params = [dyngraph.tensor(a, dtype=dtype, requires_grad=True) for a in init]
    opt = cls(params, **kwargs)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = dyngraph.tensor(g, dtype=dtype)
        opt.step()
    return [p.detach().numpy().copy() for p in params], opt


def run_numpy(rule, hp, init, grads):
    """Final values of the NumPy reference rule(p, g, state, t, **hp) -> p applied per param and step."""
    params = [a.copy() for a in init]
    states = [{} for _ in params]
    for t, step_grads in enumerate(grads, start=1):
        params = [rule(p, g.copy(), s, t, **hp) for p, g, s in zip(params, step_grads, states)]
    return params


# ---- NumPy references, written from the algorithms' definitions in PyTorch's docs ----------------

def np_sgd(p, g, s, t, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False):
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * p
    if momentum:
        s["buf"] = g.copy() if t == 1 else momentum * s["buf"] + (1 - dampening) * g
        g = g + momentum * s["buf"] if nesterov else s["buf"]
    return p - lr * g


def np_adam(p, g, s, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False,
            decoupled=False):
    b1, b2 = betas
    if maximize:
        g = -g
    if weight_decay:
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    v = s["v"]
    if amsgrad:
        s["vmax"] = np.maximum(s.get("vmax", 0), s["v"])
        v = s["vmax"]
    m_hat = s["m"] / (1 - b1 ** t)
    return p - lr * m_hat / (np.sqrt(v) / math.sqrt(1 - b2 ** t) + eps)


def np_adamw(p, g, s, t, weight_decay=1e-2, **hp):
    return np_adam(p, g, s, t, weight_decay=weight_decay, decoupled=True, **hp)


def np_rmsprop(p, g, s, t, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
               maximize=False):
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * p
    s["v"] = alpha * s.get("v", 0) + (1 - alpha) * g * g
    v = s["v"]
    if centered:
        s["gavg"] = alpha * s.get("gavg", 0) + (1 - alpha) * g
        v = v - s["gavg"] ** 2
    denom = np.sqrt(v) + eps
    if momentum:
        s["buf"] = momentum * s.get("buf", 0) + g / denom
        return p - lr * s["buf"]
    return p - lr * g / denom


def np_adagrad(p, g, s, t, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
               maximize=False):
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    s["sum"] = s.get("sum", initial_accumulator_value) + g * g
    return p - clr * g / (np.sqrt(s["sum"]) + eps)


def np_adadelta(p, g, s, t, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * p
    s["v"] = rho * s.get("v", 0) + (1 - rho) * g * g
    delta = np.sqrt(s.get("u", 0) + eps) / np.sqrt(s["v"] + eps) * g
    s["u"] = rho * s.get("u", 0) + (1 - rho) * delta * delta
    return p - lr * delta


def np_adamax(p, g, s, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False):
    b1, b2 = betas
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * p
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["u"] = np.maximum(b2 * s.get("u", 0), np.abs(g) + eps)
    return p - lr / (1 - b1 ** t) * s["m"] / s["u"]


def np_nadam(p, g, s, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
             decoupled_weight_decay=False, maximize=False):
    b1, b2 = betas
    if maximize:
        g = -g
    if weight_decay:
        if decoupled_weight_decay:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    # The running product is a float32 tensor in PyTorch's (and dyngraph's) state, multiplied in float32.
    s["mu_prod"] = float(np.float32(s.get("mu_prod", 1.0)) * np.float32(mu))
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    denom = np.sqrt(s["v"] / (1 - b2 ** t)) + eps
    return (p - lr * (1 - mu) / (1 - s["mu_prod"]) * g / denom
            - lr * mu_next / (1 - s["mu_prod"] * mu_next) * s["m"] / denom)


def np_radam(p, g, s, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
             maximize=False):
    b1, b2 = betas
    if maximize:
        g = -g
    if weight_decay:
        if decoupled_weight_decay:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    m_hat = s["m"] / (1 - b1 ** t)
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
    if rho_t > 5:
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        adaptive = math.sqrt(1 - b2 ** t) / (np.sqrt(s["v"]) + eps)
        return p - lr * m_hat * adaptive * rect
    return p - lr * m_hat


CASES = [
    (optim.SGD, np_sgd, dict(lr=0.1)),
    (optim.SGD, np_sgd, dict(lr=0.1, momentum=0.9)),
    (optim.SGD, np_sgd, dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05, maximize=True)),
    (optim.SGD, np_sgd, dict(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.1)),
    (optim.Adam, np_adam, dict(lr=0.05)),
    (optim.Adam, np_adam, dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True, maximize=True)),
    (optim.Adam, np_adam, dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    (optim.AdamW, np_adamw, dict(lr=0.05)),
    (optim.AdamW, np_adamw, dict(lr=0.05, weight_decay=0.2, amsgrad=True, eps=1e-3)),
    (optim.RMSprop, np_rmsprop, dict(lr=0.01)),
    (optim.RMSprop, np_rmsprop, dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1)),
    (optim.RMSprop, np_rmsprop, dict(lr=0.01, momentum=0.9, maximize=True)),
    (optim.Adagrad, np_adagrad, dict(lr=0.1)),
    (optim.Adagrad, np_adagrad, dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.5, weight_decay=0.1,
                                     maximize=True)),
    (optim.Adadelta, np_adadelta, dict()),
    (optim.Adadelta, np_adadelta, dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1, maximize=True)),
    (optim.Adamax, np_adamax, dict(lr=0.05)),
    (optim.Adamax, np_adamax, dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1, maximize=True)),
    (optim.NAdam, np_nadam, dict(lr=0.05)),
    (optim.NAdam, np_nadam, dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01)),
    (optim.NAdam, np_nadam, dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    (optim.RAdam, np_radam, dict(lr=0.05)),
    (optim.RAdam, np_radam, dict(lr=0.05, betas=(0.5, 0.6), weight_decay=0.1)),
    (optim.RAdam, np_radam, dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
]
CASE_IDS = [f"{cls.__name__}-{i}" for i, (cls, _, _) in enumerate(CASES)]


def _numpy_hp(cls, kwargs):
    """The reference's keyword arguments: np_adam names Adam's decoupled_weight_decay 'decoupled'."""
    if cls is not optim.Adam:
        return kwargs
    hp = {k: v for k, v in kwargs.items() if k != "decoupled_weight_decay"}
    hp["decoupled"] = kwargs.get("decoupled_weight_decay", False)
    return hp


@pytest.mark.parametrize("cls,rule,kwargs", CASES, ids=CASE_IDS)
def test_update_rule_matches_numpy(cls, rule, kwargs):
    # RAdam switches its rectification on only once rho_t > 5, i.e. from step 6 on with beta2 = 0.999.
    n_steps = 8 if cls is optim.RAdam else N_STEPS
    init, grads = _init_and_grads(n_steps=n_steps)
    got, _ = run_dyngraph(cls, kwargs, init, grads)
    want = run_numpy(rule, _numpy_hp(cls, kwargs), init, grads)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("cls,rule,kwargs", CASES[::3], ids=CASE_IDS[::3])
def test_float32_params_follow_numpy(cls, rule, kwargs):
    init, grads = _init_and_grads(seed=1)
    got, opt = run_dyngraph(cls, kwargs, init, grads, dtype=dyngraph.float32)
    want = run_numpy(rule, _numpy_hp(cls, kwargs), init, grads)
    for g, w in zip(got, want):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-6)


STATE_KEYS = {
    optim.SGD: ({"momentum": 0.9}, {"momentum_buffer"}),
    optim.Adam: ({}, {"step", "exp_avg", "exp_avg_sq"}),
    optim.AdamW: ({"amsgrad": True}, {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
    optim.RMSprop: ({"momentum": 0.9, "centered": True}, {"step", "square_avg", "momentum_buffer", "grad_avg"}),
    optim.Adagrad: ({}, {"step", "sum"}),
    optim.Adadelta: ({}, {"step", "square_avg", "acc_delta"}),
    optim.Adamax: ({}, {"step", "exp_avg", "exp_inf"}),
    optim.NAdam: ({}, {"step", "mu_product", "exp_avg", "exp_avg_sq"}),
    optim.RAdam: ({}, {"step", "exp_avg", "exp_avg_sq"}),
}


@pytest.mark.parametrize("cls", list(STATE_KEYS), ids=lambda c: c.__name__)
def test_state_keys_and_step_tensor(cls):
    kwargs, keys = STATE_KEYS[cls]
    init, grads = _init_and_grads(n_steps=3)
    _, opt = run_dyngraph(cls, kwargs, init, grads)
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 1]
    for i, shape in enumerate(SHAPES):
        st = sd["state"][i]
        assert set(st) == keys
        if "step" in st:
            # 'step' is a 0-d float32 tensor on the CPU, as in PyTorch.
            assert isinstance(st["step"], dyngraph.Tensor)
            assert st["step"].dim() == 0 and st["step"].dtype is dyngraph.float32
            assert st["step"].item() == 3.0
        for k in keys - {"step", "mu_product"}:
            assert tuple(st[k].shape) == shape and st[k].dtype is dyngraph.float64


def test_params_without_grad_are_skipped():
    a = dyngraph.tensor([1.0, 2.0], requires_grad=True)
    b = dyngraph.tensor([3.0, 4.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = dyngraph.tensor([1.0, 1.0])
    opt.step()
    assert b not in opt.state
    np.testing.assert_array_equal(b.detach().numpy(), [3.0, 4.0])
    assert not np.allclose(a.detach().numpy(), [1.0, 2.0])


def test_param_groups_use_their_own_options():
    init, grads = _init_and_grads()
    params = [dyngraph.tensor(a, requires_grad=True) for a in init]
    opt = optim.SGD([{"params": [params[0]]}, {"params": params[1], "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["params"] == [params[1]]
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = dyngraph.tensor(g)
        opt.step()
    want0 = run_numpy(np_sgd, dict(lr=0.1), init[:1], [g[:1] for g in grads])[0]
    want1 = run_numpy(np_sgd, dict(lr=0.5, momentum=0.9), init[1:], [g[1:] for g in grads])[0]
    np.testing.assert_allclose(params[0].detach().numpy(), want0, rtol=1e-6)
    np.testing.assert_allclose(params[1].detach().numpy(), want1, rtol=1e-6)


def test_complex_params_update_as_real_pairs():
    rng = np.random.default_rng(3)
    z0 = rng.standard_normal(4) + 1j * rng.standard_normal(4)
    gs = [rng.standard_normal(4) + 1j * rng.standard_normal(4) for _ in range(4)]
    for cls in (optim.Adam, optim.RMSprop, optim.Adagrad, optim.NAdam):
        zc = dyngraph.tensor(z0, dtype=dyngraph.complex128, requires_grad=True)
        zr = dyngraph.tensor(np.stack([z0.real, z0.imag], -1), requires_grad=True)
        opt_c, opt_r = cls([zc], lr=0.05), cls([zr], lr=0.05)
        for g in gs:
            zc.grad = dyngraph.tensor(g, dtype=dyngraph.complex128)
            zr.grad = dyngraph.tensor(np.stack([g.real, g.imag], -1))
            opt_c.step()
            opt_r.step()
        got = zc.detach().numpy()
        np.testing.assert_allclose(np.stack([got.real, got.imag], -1), zr.detach().numpy(), rtol=1e-12)


# ---- Optimizer base class -------------------------------------------------------------------------

def _p(*vals):
    return dyngraph.tensor(list(vals) or [1.0], requires_grad=True)


def test_constructor_errors():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(_p(), lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([_p() * 2], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {_p()}}], lr=0.1)
    a = _p()
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([a, a], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        optim.SGD([a], lr=0.1).add_param_group([_p()])


@pytest.mark.parametrize("make,message", [
    (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.SGD(p, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: optim.SGD(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda p: optim.Adam(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.Adam(p, eps=-1.0), "Invalid epsilon value: -1.0"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.AdamW(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (lambda p: optim.Adam(p, betas=(0, 0.999)), "betas must be either both floats or both Tensors"),
    (lambda p: optim.AdamW(p, weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    (lambda p: optim.RMSprop(p, alpha=-0.1), "Invalid alpha value: -0.1"),
    (lambda p: optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
    (lambda p: optim.NAdam(p, momentum_decay=-1), "Invalid momentum_decay value: -1"),
    (lambda p: optim.RAdam(p, eps=-1), "Invalid epsilon value: -1"),
    (lambda p: optim.Adamax(p, betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    (lambda p: optim.LBFGS(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.SGD(p, lr=dyngraph.tensor([0.1, 0.2])), "Tensor lr must be 1-element"),
])
def test_invalid_hyperparameters(make, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(".", r"\.") + "$"):
        make([_p()])


def test_defaults_match_pytorch():
    p = [_p()]
    assert optim.SGD(p).defaults["lr"] == 1e-3
    adam = optim.Adam(p).defaults
    assert (adam["lr"], adam["betas"], adam["eps"], adam["weight_decay"], adam["amsgrad"]) == (1e-3, (0.9, 0.999),
                                                                                               1e-8, 0, False)
    assert optim.AdamW(p).defaults["weight_decay"] == 1e-2 and optim.AdamW(p).defaults["decoupled_weight_decay"]
    assert optim.RMSprop(p).defaults["lr"] == 1e-2 and optim.RMSprop(p).defaults["alpha"] == 0.99
    assert optim.Adagrad(p).defaults["eps"] == 1e-10
    assert optim.Adadelta(p).defaults["lr"] == 1.0 and optim.Adadelta(p).defaults["rho"] == 0.9
    assert optim.Adamax(p).defaults["lr"] == 2e-3
    assert optim.NAdam(p).defaults["momentum_decay"] == 4e-3
    assert optim.LBFGS(p).defaults["max_eval"] == 25 and optim.LBFGS(p).defaults["history_size"] == 100


def test_required_option_must_be_given():
    from dyngraph.optim.optimizer import required

    class Plain(optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {"lr": lr})

    with pytest.raises(ValueError, match="parameter group didn't specify a value of required optimization "
                                         "parameter lr"):
        Plain([_p()])
    assert Plain([{"params": [_p()], "lr": 0.3}]).param_groups[0]["lr"] == 0.3


def test_zero_grad():
    a, b = _p(1.0, 2.0), _p(3.0)
    opt = optim.SGD([a, b], lr=0.1)
    (a * a).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])
    assert b.grad is None
    opt.zero_grad()
    assert a.grad is None


def test_closure_runs_with_grad_enabled_and_returns_loss():
    x = dyngraph.tensor([3.0], requires_grad=True)
    opt = optim.SGD([x], lr=0.25)
    seen = []

    def closure():
        opt.zero_grad()
        seen.append(dyngraph.is_grad_enabled())
        loss = (x * x).sum()
        loss.backward()
        return loss

    with dyngraph.no_grad():
        loss = opt.step(closure)
    assert seen == [True]
    assert loss.item() == 9.0
    np.testing.assert_allclose(x.detach().numpy(), [3.0 - 0.25 * 6.0])
    assert opt.step() is None


def test_step_runs_without_recording_autograd():
    x = dyngraph.tensor([1.0, 2.0], requires_grad=True)
    x.grad = dyngraph.tensor([1.0, 1.0])
    opt = optim.Adam([x])
    opt.step()
    assert x.is_leaf and x.grad_fn is None
    assert opt.state[x]["exp_avg"].grad_fn is None


def test_add_param_group():
    a, b = _p(1.0), _p(2.0)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "betas": (0.5, 0.6)})
    g = opt.param_groups[1]
    assert g["params"] == [b] and g["lr"] == 0.1 and g["betas"] == (0.5, 0.6) and g["eps"] == 1e-8
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_named_parameters():
    a, b = _p(1.0), _p(2.0)
    opt = optim.SGD([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["params"] == [a, b]
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    with pytest.raises(ValueError, match="all optimizer param groups should be with/without names"):
        opt.add_param_group({"params": [_p()]})


def test_state_dict_layout():
    a, b, c = _p(1.0), _p(2.0, 3.0), _p(4.0)
    opt = optim.SGD([{"params": [a]}, {"params": [b, c], "lr": 0.5}], lr=0.1, momentum=0.9)
    for p in (a, b):
        p.grad = dyngraph.ones_like(p)
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert list(sd["state"]) == [0, 1]  # c never had a gradient: no state
    assert set(sd["state"][1]) == {"momentum_buffer"}
    assert sd["state"][1]["momentum_buffer"] is opt.state[b]["momentum_buffer"]  # referenced, not copied
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1, 2]]
    assert sd["param_groups"][0] == {"lr": 0.1, "momentum": 0.9, "dampening": 0, "weight_decay": 0,
                                     "nesterov": False, "maximize": False, "foreach": None,
                                     "differentiable": False, "fused": None, "params": [0]}
    assert sd["param_groups"][1]["lr"] == 0.5
    # The live groups still hold the tensors.
    assert opt.param_groups[1]["params"][0] is b


@pytest.mark.parametrize("cls,kwargs", [(optim.SGD, dict(lr=0.1, momentum=0.9)), (optim.Adam, dict(lr=0.1)),
                                        (optim.RMSprop, dict(centered=True)), (optim.Adagrad, dict()),
                                        (optim.NAdam, dict()), (optim.AdamW, dict(amsgrad=True))],
                         ids=lambda x: getattr(x, "__name__", ""))
def test_load_state_dict_resumes_training_exactly(cls, kwargs):
    init, grads = _init_and_grads(n_steps=6)
    straight, _ = run_dyngraph(cls, kwargs, init, grads)

    first, opt1 = run_dyngraph(cls, kwargs, init, grads[:3])
    params = [dyngraph.tensor(a, dtype=dyngraph.float64, requires_grad=True) for a in first]
    opt2 = cls(params, **kwargs)
    opt2.load_state_dict(opt1.state_dict())
    assert opt2.param_groups[0]["params"] == params
    for step_grads in grads[3:]:
        for p, g in zip(params, step_grads):
            p.grad = dyngraph.tensor(g, dtype=dyngraph.float64)
        opt2.step()
    if cls is optim.NAdam:
        # As in PyTorch, loading casts all floating state but 'step' to the param's dtype, so the float32
        # running product continues in float64 and the results differ in the last bits.
        assert opt2.state[params[0]]["mu_product"].dtype is dyngraph.float64
        for got, want in zip(params, straight):
            np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-9)
        return
    for got, want in zip(params, straight):
        np.testing.assert_array_equal(got.detach().numpy(), want)


def test_load_state_dict_validates_groups_and_casts_state():
    init, grads = _init_and_grads(n_steps=2)
    _, opt = run_dyngraph(optim.Adam, dict(lr=0.1), init, grads, dtype=dyngraph.float32)
    sd = opt.state_dict()

    with pytest.raises(ValueError, match="^loaded state dict has a different number of parameter groups$"):
        optim.Adam([{"params": [_p()]}, {"params": [_p()]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="^loaded state dict contains a parameter group that doesn't match the size "
                                         "of optimizer's group$"):
        optim.Adam([_p()]).load_state_dict(sd)

    params64 = [dyngraph.tensor(a, dtype=dyngraph.float64, requires_grad=True) for a in init]
    opt64 = optim.Adam(params64, lr=0.5)
    opt64.load_state_dict(sd)
    st = opt64.state[params64[0]]
    assert st["exp_avg"].dtype is dyngraph.float64  # floating state follows the param's dtype
    assert st["step"].dtype is dyngraph.float32  # ... but 'step' keeps its own
    assert opt64.param_groups[0]["lr"] == 0.1  # hyperparameters come from the state dict
    assert "params" in sd["param_groups"][0] and sd["param_groups"][0]["params"] == [0, 1]  # input not modified


def test_load_state_dict_converts_number_steps_to_tensors():
    x = _p(1.0, 2.0)
    opt = optim.Adam([x], lr=0.1)
    x.grad = dyngraph.tensor([1.0, 1.0])
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["step"] = 1  # as older PyTorch checkpoints store it
    opt.load_state_dict(sd)
    assert isinstance(opt.state[x]["step"], dyngraph.Tensor)
    opt.step()
    assert opt.state[x]["step"].item() == 2.0


def test_step_hooks():
    x = _p(1.0)
    x.grad = dyngraph.tensor([1.0])
    opt = optim.SGD([x], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", x.item())))
    from dyngraph.optim.optimizer import register_optimizer_step_pre_hook

    h3 = register_optimizer_step_pre_hook(lambda o, args, kwargs: calls.append(("global", type(o).__name__)))
    try:
        opt.step()
    finally:
        h3.remove()
    assert calls[0] == ("global", "SGD") and calls[1] == ("pre", True)
    assert calls[2][0] == "post" and abs(calls[2][1] - 0.9) < 1e-6
    h1.remove()
    h2.remove()
    calls.clear()
    opt.step()
    assert calls == []


def test_state_dict_hooks():
    x = _p(1.0)
    opt = optim.SGD([x], lr=0.1)
    seen = []
    opt.register_state_dict_pre_hook(lambda o: seen.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    assert opt.state_dict()["extra"] == 1 and seen == ["pre"]
    opt.register_load_state_dict_pre_hook(lambda o, sd: {k: v for k, v in sd.items() if k != "extra"})
    opt.register_load_state_dict_post_hook(lambda o: seen.append("loaded"))
    opt.load_state_dict(opt.state_dict())
    assert seen[-1] == "loaded"


def test_repr_lists_group_options():
    text = repr(optim.SGD([_p()], lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.1\n" in text


def test_training_loop_reduces_loss():
    rng = np.random.default_rng(0)
    xs = dyngraph.tensor(rng.standard_normal((32, 3)), dtype=dyngraph.float32)
    w_true = dyngraph.tensor([[1.0], [-2.0], [0.5]])
    ys = xs.matmul(w_true)
    w = dyngraph.zeros(3, 1, requires_grad=True)
    b = dyngraph.zeros(1, requires_grad=True)
    opt = optim.Adam([w, b], lr=0.1)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = ((xs.matmul(w) + b - ys) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 1e-2 * losses[0]


# ---- LBFGS ----------------------------------------------------------------------------------------

def _quadratic(A, b):
    """f(x) = 0.5 x^T A x - b^T x: its minimizer solves A x = b."""
    At, bt = dyngraph.tensor(A), dyngraph.tensor(b)

    def f(x):
        return 0.5 * (x * At.matmul(x)).sum() - (bt * x).sum()

    return f


def _spd(n, seed=0):
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((n, n))
    return m @ m.T + n * np.eye(n), rng.standard_normal(n)


def np_lbfgs(f_grad, x, lr, n_iter, history_size):
    """L-BFGS without line search, as PyTorch runs it: first step scaled by min(1, 1/|g|_1)."""
    g = f_grad(x)[1]
    dirs, stps, H = [], [], 1.0
    d = t = g_prev = None
    for k in range(n_iter):
        if k == 0:
            d = -g
        else:
            y, s = g - g_prev, d * t
            ys = y @ s
            if ys > 1e-10:
                if len(dirs) == history_size:
                    dirs.pop(0)
                    stps.pop(0)
                dirs.append(y)
                stps.append(s)
                H = ys / (y @ y)
            q, al = -g, []
            for yi, si in reversed(list(zip(dirs, stps))):
                al.append((si @ q) / (yi @ si))
                q = q - al[-1] * yi
            r = q * H
            for (yi, si), a in zip(zip(dirs, stps), reversed(al)):
                r = r + si * (a - (yi @ r) / (yi @ si))
            d = r
        g_prev = g
        t = min(1.0, 1.0 / np.abs(g).sum()) * lr if k == 0 else lr
        x = x + t * d
        g = f_grad(x)[1]
    return x


def test_lbfgs_matches_numpy_without_line_search():
    A, b = _spd(4)
    f = _quadratic(A, b)
    x = dyngraph.zeros(4, dtype=dyngraph.float64, requires_grad=True)
    opt = optim.LBFGS([x], lr=0.5, max_iter=6, history_size=3, tolerance_grad=0, tolerance_change=0)

    def closure():
        opt.zero_grad()
        loss = f(x)
        loss.backward()
        return loss

    opt.step(closure)
    want = np_lbfgs(lambda v: (None, A @ v - b), np.zeros(4), 0.5, 6, 3)
    np.testing.assert_allclose(x.detach().numpy(), want, rtol=1e-10, atol=1e-12)
    assert opt.state[x]["n_iter"] == 6 and opt.state[x]["func_evals"] == 6


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_converges_to_the_minimizer(line_search_fn):
    A, b = _spd(5, seed=1)
    f = _quadratic(A, b)
    x = dyngraph.zeros(5, dtype=dyngraph.float64, requires_grad=True)
    opt = optim.LBFGS([x], lr=1, max_iter=50, line_search_fn=line_search_fn, tolerance_grad=1e-10,
                      tolerance_change=0)

    def closure():
        opt.zero_grad()
        loss = f(x)
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), np.linalg.solve(A, b), rtol=1e-6, atol=1e-8)


def test_lbfgs_rejects_groups_and_unknown_line_search():
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": [_p()]}, {"params": [_p()]}])
    x = _p(1.0, 2.0)
    opt = optim.LBFGS([x], line_search_fn="armijo")

    def closure():
        opt.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


# ---- PyTorch as an extra oracle -------------------------------------------------------------------

TORCH_CASES = [(cls.__name__, kwargs) for cls, _, kwargs in CASES]


@pytest.mark.parametrize("name,kwargs", TORCH_CASES, ids=CASE_IDS)
def test_matches_pytorch(name, kwargs):
    torch = pytest.importorskip("torch")
    init, grads = _init_and_grads(seed=5, n_steps=8)
    got, opt = run_dyngraph(getattr(optim, name), kwargs, init, grads, dtype=dyngraph.float32)

    tparams = [torch.tensor(a, dtype=torch.float32, requires_grad=True) for a in init]
    topt = getattr(torch.optim, name)(tparams, **kwargs)
    for step_grads in grads:
        for p, g in zip(tparams, step_grads):
            p.grad = torch.tensor(g, dtype=torch.float32)
        topt.step()
    for g, t in zip(got, tparams):
        np.testing.assert_allclose(g, t.detach().numpy(), rtol=1e-5, atol=1e-6)

    # Same state_dict layout: group options and per-parameter state keys.
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["param_groups"][0].keys() == tsd["param_groups"][0].keys()
    for i in tsd["state"]:
        assert sd["state"][i].keys() == tsd["state"][i].keys()


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_matches_pytorch(line_search_fn):
    torch = pytest.importorskip("torch")

    def rosenbrock(lib, x):
        return ((1 - x[:-1]) ** 2).sum() + 100 * ((x[1:] - x[:-1] ** 2) ** 2).sum()

    def run(lib, opt_mod):
        x = lib.tensor([-1.2, 1.0, 0.5], dtype=lib.float64, requires_grad=True)
        opt = opt_mod.LBFGS([x], lr=1, max_iter=7, history_size=4, line_search_fn=line_search_fn)

        def closure():
            opt.zero_grad()
            loss = rosenbrock(lib, x)
            loss.backward()
            return loss

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            losses = [float(opt.step(closure)) for _ in range(3)]
        return x.detach().numpy(), losses, opt.state[x]["func_evals"]

    x, losses, evals = run(dyngraph, optim)
    tx, tlosses, tevals = run(torch, torch.optim)
    np.testing.assert_allclose(x, tx, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-9)
    assert evals == tevals
