"""nn.Parameter, nn.Module and the containers: registration, traversal, state dicts, hooks, conversion,
printing, copying. PyTorch (when installed) is an extra oracle for reprs and hook behaviour."""

import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import dyngraph as torch
import dyngraph.nn as nn


def vals(t):
    return np.array(t.detach().numpy(), copy=True)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(4, 2, bias=False)
        self.register_buffer("steps", torch.zeros(()))
        self.register_buffer("scratch", torch.ones(2), persistent=False)
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


# ---- Parameter ---------------------------------------------------------------------------------------


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter(torch.randn(2, 3))
    assert isinstance(p, torch.Tensor) and isinstance(p, nn.Parameter)
    assert type(p) is nn.Parameter
    assert p.requires_grad and p.is_leaf
    assert not isinstance(torch.ones(2), nn.Parameter)
    frozen = nn.Parameter(torch.ones(2), requires_grad=False)
    assert not frozen.requires_grad
    assert nn.Parameter().shape == (0,)


def test_parameter_shares_storage_and_works_with_ops_and_autograd():
    data = torch.tensor([1.0, 2.0, 3.0])
    p = nn.Parameter(data)
    data[0] = 10.0  # a Parameter aliases the tensor it wraps, as in PyTorch
    assert vals(p)[0] == 10.0
    y = (p * p).sum() + torch.matmul(p, p)
    y.backward()
    np.testing.assert_allclose(vals(p.grad), 4 * vals(p))
    assert type(p * 2) is torch.Tensor  # results of ops are plain tensors


def test_parameter_repr():
    p = nn.Parameter(torch.tensor([1.0, 2.0]), requires_grad=False)
    assert repr(p).startswith("Parameter containing:\ntensor([1., 2.]")
    assert str(p) == repr(p)


def test_parameter_of_integer_dtype_cannot_require_grad():
    with pytest.raises(RuntimeError):
        nn.Parameter(torch.arange(3))
    assert not nn.Parameter(torch.arange(3), requires_grad=False).requires_grad


def test_parameter_deepcopy_and_pickle_keep_type_values_and_flag():
    p = nn.Parameter(torch.randn(3), requires_grad=False)
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter
        assert not q.requires_grad
        np.testing.assert_array_equal(vals(q), vals(p))
    q = copy.deepcopy(p)
    q.data.add_(1.0)
    assert not np.array_equal(vals(q), vals(p))


def test_parameter_subclass_and_buffer():
    class MyParam(nn.Parameter):
        pass

    m = MyParam(torch.zeros(2))
    assert type(m) is MyParam and isinstance(m, nn.Parameter)
    b = nn.Buffer(torch.ones(3), persistent=False)
    assert isinstance(b, nn.Buffer) and not isinstance(torch.ones(3), nn.Buffer)
    module = nn.Module()
    module.buf = b
    assert "buf" in module._buffers and "buf" not in module.state_dict()


# ---- registration -------------------------------------------------------------------------------------


def test_attribute_registration():
    net = Net()
    assert list(net._parameters) == ["scale"]
    assert list(net._modules) == ["fc1", "act", "fc2"]
    assert list(net._buffers) == ["steps", "scratch"]
    net.plain = torch.ones(1)  # a plain tensor attribute is not registered
    assert "plain" not in net._buffers and "plain" not in net._parameters
    net.steps = torch.full((), 5.0)  # assigning to a buffer name replaces the buffer
    assert vals(net._buffers["steps"]) == 5.0
    del net.fc2
    assert "fc2" not in net._modules
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'fc2'"):
        net.fc2


def test_registration_errors():
    m = nn.Module()
    m.w = nn.Parameter(torch.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'dyngraph.FloatTensor' as parameter 'w'"):
        m.w = torch.ones(1)
    m.child = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'child'"):
        m.child = 3
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        m.register_buffer("training", torch.ones(1))
    with pytest.raises(KeyError):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="cannot assign 'dyngraph.FloatTensor' object to parameter 'p'"):
        m.register_parameter("p", torch.ones(1))
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(TypeError, match="cannot assign 'str' object to buffer 'b'"):
        m.register_buffer("b", "no")

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(torch.ones(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Early()


def test_register_none_parameter_and_module():
    m = nn.Module()
    m.register_parameter("bias", None)
    m.register_module("sub", None)
    assert m.bias is None and m.sub is None
    assert list(m.parameters()) == [] and list(m.children()) == []


def test_traversal_prefix_recurse_and_duplicates():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert [n for n, _ in seq.named_parameters(prefix="model")] == ["model.0.weight", "model.0.bias"]
    assert list(seq.parameters(recurse=False)) == []
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
    assert len(list(seq.modules())) == 3
    assert [n for n, _ in seq.named_children()] == ["0", "1"]
    net = Net()
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert [n for n, _ in net.named_parameters()] == ["scale", "fc1.weight", "fc1.bias", "fc2.weight"]


def test_get_submodule_parameter_buffer():
    outer = nn.Module()
    outer.net = Net()
    assert outer.get_submodule("net.fc1") is outer.net.fc1
    assert outer.get_parameter("net.fc1.weight") is outer.net.fc1.weight
    assert outer.get_buffer("net.steps") is outer.net.steps
    assert outer.get_submodule("") is outer
    with pytest.raises(AttributeError, match="Net has no attribute `nope`"):
        outer.get_submodule("net.nope")
    with pytest.raises(AttributeError, match="`steps` is not an nn.Parameter"):
        outer.get_parameter("net.steps")
    outer.set_submodule("net.act", nn.Tanh())
    assert isinstance(outer.net.act, nn.Tanh)


def test_dir_lists_registered_names():
    names = dir(Net())
    for n in ("fc1", "scale", "steps", "forward", "training"):
        assert n in names


# ---- modes, grads, conversion --------------------------------------------------------------------


def test_train_eval_and_requires_grad():
    net = Net()
    assert net.training and net.fc1.training
    assert net.eval() is net
    assert not net.training and not net.fc1.training
    net.train()
    assert net.fc2.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train(1)
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_zero_grad():
    net = Net()
    net(torch.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(vals(p.grad).sum() == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_dtype_keeps_parameter_objects_and_skips_integer_buffers():
    m = nn.Linear(2, 2)
    m.register_buffer("count", torch.tensor(3))
    w = m.weight
    m(torch.randn(1, 2)).sum().backward()
    assert m.double() is m
    assert m.weight is w and type(m.weight) is nn.Parameter
    assert m.weight.dtype is torch.float64 and m.weight.grad.dtype is torch.float64
    assert m.count.dtype is torch.int64
    m.to(torch.float32)
    assert m.bias.dtype is torch.float32
    m.to("cpu", dtype=torch.float64)
    assert m.weight.dtype is torch.float64
    m.to(torch.ones(1, dtype=torch.float32))
    assert m.weight.dtype is torch.float32
    m.half().float()
    assert m.weight.dtype is torch.float32
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex dtypes"):
        m.to(torch.int32)


def test_apply_visits_children_then_self():
    seen = []
    Net().apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Net"]


# ---- state dict --------------------------------------------------------------------------------------


def test_state_dict_contents():
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["scale", "steps", "fc1.weight", "fc1.bias", "fc2.weight"]
    assert not sd["fc1.weight"].requires_grad
    assert type(sd["scale"]) is torch.Tensor
    assert net.state_dict(keep_vars=True)["scale"] is net.scale
    assert list(net.state_dict(prefix="m."))[0] == "m.scale"


def test_load_state_dict_roundtrip_copies_in_place():
    a, b = Net(), Net()
    w = b.fc1.weight
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    assert b.fc1.weight is w
    np.testing.assert_array_equal(vals(b.fc1.weight), vals(a.fc1.weight))


def test_load_state_dict_errors_match_pytorch_messages():
    net = Net()
    sd = net.state_dict()
    del sd["fc1.bias"]
    sd["extra"] = torch.ones(1)
    sd["fc2.weight"] = torch.ones(3, 3)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    msg = str(info.value)
    assert msg.startswith("Error(s) in loading state_dict for Net:\n\t")
    assert 'Missing key(s) in state_dict: "fc1.bias". ' in msg
    assert 'Unexpected key(s) in state_dict: "extra". ' in msg
    assert ("size mismatch for fc2.weight: copying a param with shape dyngraph.Size([3, 3]) from checkpoint, "
            "the shape in current model is dyngraph.Size([2, 4]).") in msg
    del sd["fc2.weight"]
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["fc1.bias", "fc2.weight"]
    assert result.unexpected_keys == ["extra"]
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        net.load_state_dict([1, 2])


def test_load_state_dict_assign_replaces_tensors():
    m = nn.Linear(2, 2)
    new = {"weight": torch.ones(2, 2, dtype=torch.float64), "bias": torch.zeros(2, dtype=torch.float64)}
    m.load_state_dict(new, assign=True)
    assert type(m.weight) is nn.Parameter and m.weight.dtype is torch.float64 and m.weight.requires_grad


def test_state_dict_hooks_and_extra_state():
    class WithExtra(nn.Linear):
        def get_extra_state(self):
            return {"note": 7}

        def set_extra_state(self, state):
            self.note = state["note"]

    m = WithExtra(1, 1)
    sd = m.state_dict()
    assert sd["_extra_state"] == {"note": 7}
    m.load_state_dict(sd)
    assert m.note == 7
    seen = []
    m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(tuple(keys.missing_keys)))
    m.load_state_dict({"weight": torch.ones(1, 1), "bias": torch.ones(1), "_extra_state": {"note": 1}})
    assert seen == [()]


# ---- calling and hooks ---------------------------------------------------------------------------------


def test_forward_hooks_modify_inputs_outputs_and_remove():
    m = nn.Identity()
    pre = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    post = m.register_forward_hook(lambda mod, args, out: out + 1)
    assert vals(m(torch.ones(2))).tolist() == [3.0, 3.0]
    pre.remove()
    post.remove()
    assert vals(m(torch.ones(2))).tolist() == [1.0, 1.0]


def test_forward_hooks_with_kwargs_and_always_call():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 5.0}), with_kwargs=True)
    seen = []
    m.register_forward_hook(lambda mod, args, kwargs, out: seen.append(kwargs["factor"]), with_kwargs=True)
    assert vals(m(torch.ones(1))).tolist() == [5.0]
    assert seen == [5.0]

    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    b = Boom()
    calls = []
    b.register_forward_hook(lambda mod, args, out: calls.append(out), always_call=True)
    with pytest.raises(ValueError, match="boom"):
        b(torch.ones(1))
    assert calls == [None]


def test_full_backward_hooks():
    m = nn.Linear(3, 2)
    with torch.no_grad():
        m.weight.copy_(torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    seen = []
    m.register_full_backward_pre_hook(lambda mod, gout: seen.append(("pre", vals(gout[0]).tolist())))
    handle = m.register_full_backward_hook(
        lambda mod, gin, gout: seen.append(("post", vals(gin[0]).tolist(), vals(gout[0]).tolist())))
    x = torch.ones(1, 3, requires_grad=True)
    (m(x) * torch.tensor([[1.0, 2.0]])).sum().backward()
    assert seen == [("pre", [[1.0, 2.0]]), ("post", [[9.0, 12.0, 15.0]], [[1.0, 2.0]])]
    handle.remove()
    m.register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 0,))
    x.grad = None
    m(x).sum().backward()
    assert vals(x.grad).tolist() == [[0.0, 0.0, 0.0]]


def test_full_backward_hook_without_input_grad_gets_none():
    m = nn.Linear(3, 2)
    seen = []
    m.register_full_backward_hook(lambda mod, gin, gout: seen.append(gin))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m(torch.ones(1, 3)).sum().backward()
    assert seen == [(None,)]


def test_missing_forward_raises():
    with pytest.raises(NotImplementedError, match='Module \\[Module\\] is missing the required "forward" function'):
        nn.Module()(torch.ones(1))


def test_module_init_rejects_arguments():
    with pytest.raises(TypeError, match="unexpected keyword argument 'x'"):
        nn.Module(x=1)


# ---- printing ------------------------------------------------------------------------------------------


def test_nested_repr():
    net = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Dropout(0.2)))
    assert repr(net) == ("Sequential(\n"
                         "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
                         "  (1): Sequential(\n"
                         "    (0): ReLU()\n"
                         "    (1): Dropout(p=0.2, inplace=False)\n"
                         "  )\n"
                         ")")

    class Multi(nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    assert repr(Multi()) == "Multi(\n  a=1\n  b=2\n)"
    assert repr(nn.Module()) == "Module()"


def test_module_list_repr_groups_repeats():
    ml = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU()])
    assert repr(ml) == ("ModuleList(\n  (0-1): 2 x Linear(in_features=2, out_features=2, bias=True)\n"
                        "  (2): ReLU()\n)")
    assert repr(nn.ModuleList()) == "ModuleList()"


def test_reprs_match_pytorch():
    real_torch = pytest.importorskip("torch")

    def build(lib, tensor_lib):
        return lib.Sequential(OrderedDict([
            ("enc", lib.ModuleList([lib.Linear(4, 4), lib.Linear(4, 4)])),
            ("heads", lib.ModuleDict({"a": lib.Linear(4, 1, bias=False), "b": lib.Identity()})),
            ("params", lib.ParameterList([lib.Parameter(tensor_lib.zeros(2, 3))])),
        ]))

    ours = repr(build(nn, torch)).replace("dyngraph.", "torch.")
    assert ours == repr(build(real_torch.nn, real_torch))


# ---- copying -------------------------------------------------------------------------------------------


def test_deepcopy_and_pickle_module():
    net = Net()
    x = torch.randn(2, 3)
    for other in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert type(other.fc1.weight) is nn.Parameter
        assert other.fc1.weight is not net.fc1.weight
        np.testing.assert_array_equal(vals(other(x)), vals(net(x)))
        assert list(other.state_dict()) == list(net.state_dict())
        assert "scratch" in other._non_persistent_buffers_set


def test_deepcopy_keeps_shared_parameters_shared():
    shared = nn.Linear(2, 2)
    seq = copy.deepcopy(nn.Sequential(shared, shared))
    assert seq[0] is seq[1]
    assert len(list(seq.parameters())) == 2


# ---- containers ----------------------------------------------------------------------------------------


def test_sequential_indexing_and_mutation():
    layers = [nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and seq[-1] is layers[2] and list(seq) == layers
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == layers[1:]
    assert list(sub._modules) == ["1", "2"]
    with pytest.raises(IndexError, match="index 3 is out of range"):
        seq[3]
    seq.append(nn.Tanh())
    seq.insert(0, nn.Identity())
    assert [type(m).__name__ for m in seq] == ["Identity", "Linear", "ReLU", "Linear", "Tanh"]
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2", "3"]
    seq.extend([nn.Sigmoid()])
    assert isinstance(seq[-1], nn.Sigmoid)
    seq[0] = nn.Linear(2, 2)
    assert isinstance(seq.pop(1), nn.ReLU)
    assert len(seq + nn.Sequential(nn.ReLU())) == len(seq) + 1
    out = seq(torch.randn(3, 2))
    assert out.shape == (3, 1)


def test_sequential_from_ordered_dict():
    seq = nn.Sequential(OrderedDict([("conv", nn.Linear(1, 1)), ("act", nn.ReLU())]))
    assert seq.conv is seq[0] and list(seq._modules) == ["conv", "act"]


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.ReLU())
    ml += [nn.Tanh()]
    ml.insert(1, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["Linear", "Identity", "ReLU", "Tanh"]
    assert isinstance(ml[1:], nn.ModuleList) and len(ml[1:]) == 3
    del ml[1]
    assert list(ml._modules) == ["0", "1", "2"]
    assert len(list(ml.parameters())) == 2
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        ml.extend(5)
    md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(1, 1)})
    assert list(md.keys()) == ["b", "a"] and "a" in md and len(md) == 2
    md["c"] = nn.Tanh()
    assert isinstance(md.pop("b"), nn.ReLU)
    assert [k for k, _ in md.items()] == ["a", "c"]
    md.update([("d", nn.Identity())])
    assert list(md) == ["a", "c", "d"]


def test_parameter_list_and_dict():
    pl = nn.ParameterList([torch.ones(2), nn.Parameter(torch.zeros(3))])
    assert all(isinstance(p, nn.Parameter) for p in pl)
    pl.append(torch.ones(1))
    assert len(pl) == 3 and len(list(pl.parameters())) == 3
    assert repr(pl) == ("ParameterList(\n    (0): Parameter containing: [dyngraph.float32 of size 2]\n"
                        "    (1): Parameter containing: [dyngraph.float32 of size 3]\n"
                        "    (2): Parameter containing: [dyngraph.float32 of size 1]\n)")
    pd = nn.ParameterDict({"w": torch.ones(2, 2)})
    pd["b"] = torch.zeros(2)
    assert isinstance(pd["w"], nn.Parameter) and list(pd.keys()) == ["w", "b"]
    assert [n for n, _ in pd.named_parameters()] == ["w", "b"]
    assert "b" in pd and pd.get("zz") is None
    assert isinstance(pd.pop("b"), nn.Parameter) and len(pd) == 1
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl()
