"""dyngraph.optim.lr_scheduler: every scheduler against its closed form, state_dict round trips,
errors and warnings; PyTorch's schedulers, when installed, are an extra (bit-exact) oracle."""

import math
import warnings

import pytest

import dyngraph
import dyngraph.optim as optim
from dyngraph.optim import lr_scheduler as S


def make_optimizer(cls=optim.SGD, lrs=(0.1, 0.05), **kwargs):
    """An optimizer with one single-tensor param group per lr."""
    groups = [{"params": [dyngraph.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return cls(groups, lr=lrs[0], **kwargs)


def lrs_over(scheduler, optimizer, n):
    """The groups' lrs at epochs 0..n-1 (epoch 0 is what the constructor sets)."""
    out = []
    for _ in range(n):
        out.append([g["lr"] for g in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    return out


def assert_schedule(got, closed_form, base_lrs=(0.1, 0.05)):
    for epoch, lrs in enumerate(got):
        for lr, base in zip(lrs, base_lrs):
            assert lr == pytest.approx(closed_form(base, epoch), rel=1e-12, abs=1e-15), epoch


def test_constructor_sets_initial_lr_and_epoch_zero():
    opt = make_optimizer()
    sched = S.StepLR(opt, step_size=2)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
    assert sched.base_lrs == [0.1, 0.05] and sched.last_epoch == 0 and sched._step_count == 1
    assert sched.get_last_lr() == [0.1, 0.05]
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        S.StepLR([], step_size=2)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
        S.StepLR(make_optimizer(), step_size=2, last_epoch=3)


def test_step_lr():
    opt = make_optimizer()
    assert_schedule(lrs_over(S.StepLR(opt, step_size=3, gamma=0.5), opt, 12), lambda b, e: b * 0.5 ** (e // 3))


def test_multi_step_lr_counts_repeated_milestones():
    opt = make_optimizer()
    sched = S.MultiStepLR(opt, milestones=[2, 5, 5], gamma=0.1)

    def closed(b, e):
        return b * 0.1 ** ((e >= 2) + 2 * (e >= 5))

    assert_schedule(lrs_over(sched, opt, 8), closed)


def test_constant_lr():
    opt = make_optimizer()
    assert_schedule(lrs_over(S.ConstantLR(opt, factor=0.25, total_iters=4), opt, 7),
                    lambda b, e: b * (0.25 if e < 4 else 1.0))
    with pytest.raises(ValueError, match="Constant multiplicative factor expected to be between 0 and 1."):
        S.ConstantLR(make_optimizer(), factor=1.5)


def test_linear_lr():
    opt = make_optimizer()
    assert_schedule(lrs_over(S.LinearLR(opt, start_factor=0.2, end_factor=0.9, total_iters=5), opt, 8),
                    lambda b, e: b * (0.2 + (0.9 - 0.2) * min(e, 5) / 5))
    with pytest.raises(ValueError, match="Starting multiplicative factor expected to be greater than 0"):
        S.LinearLR(make_optimizer(), start_factor=0)
    with pytest.raises(ValueError, match="Ending multiplicative factor expected to be between 0 and 1."):
        S.LinearLR(make_optimizer(), end_factor=2)


def test_exponential_lr():
    opt = make_optimizer()
    assert_schedule(lrs_over(S.ExponentialLR(opt, gamma=0.9), opt, 10), lambda b, e: b * 0.9 ** e)


def test_cosine_annealing_lr_follows_cosine_and_continues_periodically():
    opt = make_optimizer()
    eta_min, t_max = 0.001, 6

    def closed(b, e):
        return eta_min + (b - eta_min) * (1 + math.cos(math.pi * e / t_max)) / 2

    assert_schedule(lrs_over(S.CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min), opt, 20), closed)


def test_cosine_annealing_warm_restarts():
    opt = make_optimizer()
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.01)

    def closed(b, e):
        t_i, t_cur = 3, e
        while t_cur >= t_i:  # restarts at epochs 3, 9, 21, ...
            t_cur -= t_i
            t_i *= 2
        return 0.01 + (b - 0.01) * (1 + math.cos(math.pi * t_cur / t_i)) / 2

    assert_schedule(lrs_over(sched, opt, 25), closed)
    # A fractional epoch jumps straight to its place in the schedule.
    sched.step(4.5)
    assert opt.param_groups[0]["lr"] == pytest.approx(closed(0.1, 4.5))
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        S.CosineAnnealingWarmRestarts(make_optimizer(), T_0=0)
    with pytest.raises(ValueError, match="Expected integer T_mult >= 1, but got 0"):
        S.CosineAnnealingWarmRestarts(make_optimizer(), T_0=2, T_mult=0)


def test_lambda_and_multiplicative_lr():
    opt = make_optimizer()
    assert_schedule(lrs_over(S.LambdaLR(opt, [lambda e: 1 / (e + 1), lambda e: 0.5 ** e]), opt, 6),
                    lambda b, e: b * (1 / (e + 1) if b == 0.1 else 0.5 ** e))
    opt = make_optimizer()
    assert_schedule(lrs_over(S.MultiplicativeLR(opt, lambda e: 0.9), opt, 6), lambda b, e: b * 0.9 ** e)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        S.LambdaLR(make_optimizer(), [lambda e: 1.0])


def test_polynomial_lr():
    opt = make_optimizer()
    assert_schedule(lrs_over(S.PolynomialLR(opt, total_iters=5, power=2.0), opt, 8),
                    lambda b, e: b * (1 - min(e, 5) / 5) ** 2)


@pytest.mark.parametrize("anneal_strategy", ["cos", "linear"])
@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_lr_with_sgd_momentum(anneal_strategy, three_phase):
    opt = make_optimizer(lrs=(0.1,), momentum=0.9)
    total, max_lr = 20, 1.0
    sched = S.OneCycleLR(opt, max_lr=max_lr, total_steps=total, anneal_strategy=anneal_strategy,
                         three_phase=three_phase)

    def anneal(start, end, pct):
        if anneal_strategy == "cos":
            return end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    initial, low = max_lr / 25, max_lr / 25 / 1e4
    if three_phase:
        phases = [(0.3 * total - 1, initial, max_lr, 0.95, 0.85), (2 * 0.3 * total - 2, max_lr, initial, 0.85, 0.95),
                  (total - 1, initial, low, 0.95, 0.95)]
    else:
        phases = [(0.3 * total - 1, initial, max_lr, 0.95, 0.85), (total - 1, max_lr, low, 0.85, 0.95)]

    for step in range(total):
        start = 0.0
        for i, (end, lr0, lr1, m0, m1) in enumerate(phases):
            if step <= end or i == len(phases) - 1:
                pct = (step - start) / (end - start)
                assert opt.param_groups[0]["lr"] == pytest.approx(anneal(lr0, lr1, pct), rel=1e-12)
                assert opt.param_groups[0]["momentum"] == pytest.approx(anneal(m0, m1, pct), rel=1e-12)
                break
            start = end
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 21 times. The specified number of total steps is 20"):
        sched.step()


def test_one_cycle_lr_cycles_adam_beta1_and_validates():
    opt = make_optimizer(optim.Adam, lrs=(0.1,))
    S.OneCycleLR(opt, max_lr=0.5, epochs=2, steps_per_epoch=5)
    assert opt.param_groups[0]["betas"] == (0.95, 0.999)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5 / 25)
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        S.OneCycleLR(make_optimizer(), max_lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        S.OneCycleLR(make_optimizer(), max_lr=1.0, total_steps=5, anneal_strategy="exp")
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        S.OneCycleLR(make_optimizer(optim.Adagrad), max_lr=1.0, total_steps=5)
    with pytest.raises(ValueError, match="max_lr must have the same length as optimizer.param_groups"):
        S.OneCycleLR(make_optimizer(), max_lr=[1.0, 2.0, 3.0], total_steps=5)


def test_cyclic_lr_triangular():
    opt = make_optimizer(lrs=(0.1,), momentum=0.9)
    sched = S.CyclicLR(opt, base_lr=0.01, max_lr=0.11, step_size_up=4)
    want = [0.01 + 0.1 * (1 - abs(e / 4 - 2 * math.floor(1 + e / 8) + 1)) for e in range(17)]
    got = [lr[0] for lr in lrs_over(sched, opt, 17)]
    assert got == pytest.approx(want, rel=1e-12)
    with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
        S.CyclicLR(make_optimizer(momentum=0.9), 0.01, 0.1, mode="square")


def test_reduce_lr_on_plateau():
    opt = make_optimizer()
    sched = S.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=1, cooldown=1, min_lr=[0.02, 0.0])
    lrs = []
    for metric in [5, 4, 4, 4, 4, 4, 4, 3, 3, 3]:
        sched.step(metric)
        lrs.append(sched.get_last_lr())
    assert [lr[0] for lr in lrs] == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.02]
    assert lrs[-1][1] == pytest.approx(0.05 / 8)
    assert sched.best == 3 and sched.last_epoch == 10

    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        S.ReduceLROnPlateau(make_optimizer(), factor=1.0)
    with pytest.raises(ValueError, match="mode top is unknown!"):
        S.ReduceLROnPlateau(make_optimizer(), mode="top")
    with pytest.raises(ValueError, match="threshold mode x is unknown!"):
        S.ReduceLROnPlateau(make_optimizer(), threshold_mode="x")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        S.ReduceLROnPlateau(make_optimizer(), min_lr=[0.1])


def test_reduce_lr_on_plateau_max_mode_thresholds():
    opt = make_optimizer(lrs=(1.0,))
    sched = S.ReduceLROnPlateau(opt, mode="max", threshold=0.1, threshold_mode="rel", patience=0)
    sched.step(1.0)
    sched.step(1.05)  # not 10% better than 1.0: a bad epoch, and patience is 0
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)
    sched.step(1.2)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1) and sched.best == 1.2


def test_sequential_lr():
    opt = make_optimizer()
    warm = S.LinearLR(opt, start_factor=0.1, total_iters=3)
    cos = S.CosineAnnealingLR(opt, T_max=5)
    sched = S.SequentialLR(opt, [warm, cos], milestones=[3])

    def closed(b, e):
        if e < 3:
            return b * (0.1 + 0.9 * e / 3)
        return b * (1 + math.cos(math.pi * (e - 3) / 5)) / 2

    assert_schedule(lrs_over(sched, opt, 8), closed)
    with pytest.raises(ValueError, match="Sequential Schedulers expects number of schedulers provided to be one"):
        S.SequentialLR(opt, [warm, cos], milestones=[])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        S.SequentialLR(opt, [warm, S.ReduceLROnPlateau(opt)], milestones=[2])


def test_chained_scheduler():
    opt = make_optimizer()
    sched = S.ChainedScheduler([S.ExponentialLR(opt, gamma=0.9), S.StepLR(opt, step_size=2, gamma=0.5)])
    assert_schedule(lrs_over(sched, opt, 7), lambda b, e: b * 0.9 ** e * 0.5 ** (e // 2))
    assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]


def test_state_dict_round_trip_resumes_schedule():
    opt = make_optimizer()
    sched = S.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        opt.step()
        sched.step()
    sd, opt_sd = sched.state_dict(), opt.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 4 and sd["T_max"] == 10
    expected = lrs_over(sched, opt, 4)

    opt2 = make_optimizer()
    sched2 = S.CosineAnnealingLR(opt2, T_max=10)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sd)
    assert sched2.get_last_lr() == [g["lr"] for g in opt2.param_groups]
    assert lrs_over(sched2, opt2, 4) == expected


def test_lambda_state_dict_skips_plain_functions():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, e):
            return self.rate ** e

    opt = make_optimizer()
    sched = S.LambdaLR(opt, [lambda e: 1.0, Decay()])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [None, {"rate": 0.5}]
    sd["lr_lambdas"][1]["rate"] = 0.25
    sched.load_state_dict(sd)
    assert sched.lr_lambdas[1].rate == 0.25


def test_warns_when_stepped_before_the_optimizer():
    opt = make_optimizer()
    sched = S.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
        sched.step()
    opt = make_optimizer()
    sched = S.StepLR(opt, step_size=2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_tensor_lr_is_filled_in_place():
    lr = dyngraph.tensor(0.1)
    opt = optim.SGD([dyngraph.zeros(2, requires_grad=True)], lr=lr)
    sched = S.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr
    assert lr.item() == pytest.approx(0.05)


# ---- PyTorch as a bit-exact oracle ---------------------------------------------------------------

def _torch_cases():
    return {
        "StepLR": lambda s, o: s.StepLR(o, 3, 0.5),
        "MultiStepLR": lambda s, o: s.MultiStepLR(o, [2, 5, 5, 9], 0.3),
        "ConstantLR": lambda s, o: s.ConstantLR(o, 0.25, 4),
        "LinearLR": lambda s, o: s.LinearLR(o, 0.2, 0.9, 7),
        "ExponentialLR": lambda s, o: s.ExponentialLR(o, 0.9),
        "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, 7, 0.001),
        "CosineAnnealingWarmRestarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, 3, 2, 0.001),
        "OneCycleLR": lambda s, o: s.OneCycleLR(o, 1.0, total_steps=30),
        "OneCycleLR-3phase-linear": lambda s, o: s.OneCycleLR(o, [1.0, 0.5], total_steps=30, three_phase=True,
                                                              anneal_strategy="linear"),
        "LambdaLR": lambda s, o: s.LambdaLR(o, lambda e: 0.95 ** e),
        "MultiplicativeLR": lambda s, o: s.MultiplicativeLR(o, lambda e: 0.95),
        "PolynomialLR": lambda s, o: s.PolynomialLR(o, 10, 2.0),
        "CyclicLR-triangular2": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=4, mode="triangular2"),
        "CyclicLR-exp_range": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=4, step_size_down=3,
                                                      mode="exp_range", gamma=0.9),
        "SequentialLR": lambda s, o: s.SequentialLR(o, [s.LinearLR(o, 0.1, 1.0, 5), s.CosineAnnealingLR(o, 10)], [5]),
        "ChainedScheduler": lambda s, o: s.ChainedScheduler([s.ExponentialLR(o, 0.9), s.StepLR(o, 4, 0.5)]),
        "ReduceLROnPlateau": lambda s, o: s.ReduceLROnPlateau(o, patience=1, cooldown=2, factor=0.5, min_lr=0.02),
    }


METRICS = [5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]


@pytest.mark.parametrize("name", list(_torch_cases()))
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_matches_pytorch_exactly(name, opt_name):
    torch = pytest.importorskip("torch")
    make = _torch_cases()[name]

    def trajectory(lib, opt_module):
        kwargs = {"momentum": 0.9} if opt_name == "SGD" else {}
        groups = [{"params": [lib.zeros(2, requires_grad=True)]},
                  {"params": [lib.zeros(3, requires_grad=True)], "lr": 0.05}]
        opt = getattr(opt_module, opt_name)(groups, lr=0.1, **kwargs)
        sched = make(opt_module.lr_scheduler, opt)
        out = []
        for i in range(30):
            opt.step()
            if name == "ReduceLROnPlateau":
                sched.step(METRICS[i])
            else:
                sched.step()
            out.append(([g["lr"] for g in opt.param_groups], [g.get("momentum", g.get("betas")) for g in
                                                              opt.param_groups], list(sched.get_last_lr())))
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert trajectory(dyngraph, optim) == trajectory(torch, torch.optim)
