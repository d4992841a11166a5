"""Legacy constructors: Tensor(data) / Tensor(*sizes), the typed tensor classes, Tensor.new,
set_default_tensor_type, and Tensor.view(dtype)."""

import numpy as np
import pytest

import dyngraph


def test_tensor_from_data_is_the_default_float_dtype():
    t = dyngraph.Tensor([1, 2, 3])
    assert isinstance(t, dyngraph.Tensor) and t.dtype == dyngraph.float32
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0, 3.0])
    assert dyngraph.Tensor(np.array([[1, 2]])).shape == (1, 2)


def test_tensor_from_sizes_and_empty():
    assert dyngraph.Tensor(2, 3).shape == (2, 3)
    assert dyngraph.Tensor(dyngraph.Size([4])).shape == (4,)
    assert dyngraph.Tensor().shape == (0,)
    with pytest.raises(RuntimeError, match="negative dimension"):
        dyngraph.Tensor(-1)
    with pytest.raises(TypeError):
        dyngraph.Tensor("ab")
    with pytest.raises(TypeError):
        dyngraph.Tensor(2.5)


def test_tensor_of_a_tensor_aliases_it():
    x = dyngraph.tensor([1, 2])
    y = dyngraph.Tensor(x)
    assert y.dtype == dyngraph.int64 and y.data_ptr() == x.data_ptr()


@pytest.mark.parametrize("name,dtype", [("FloatTensor", "float32"), ("DoubleTensor", "float64"),
                                        ("LongTensor", "int64"), ("IntTensor", "int32"), ("ByteTensor", "uint8"),
                                        ("BoolTensor", "bool"), ("HalfTensor", "float16"),
                                        ("BFloat16Tensor", "bfloat16"), ("CharTensor", "int8"),
                                        ("ShortTensor", "int16")])
def test_typed_classes_build_and_recognise_their_dtype(name, dtype):
    cls = getattr(dyngraph, name)
    t = cls([1, 0])
    assert t.dtype == getattr(dyngraph, dtype)
    assert isinstance(t, cls) and isinstance(t, dyngraph.Tensor)
    assert cls(3).shape == (3,)
    other = dyngraph.FloatTensor if name != "FloatTensor" else dyngraph.LongTensor
    assert not isinstance(t, other)
    assert t.type() == "dyngraph." + name


def test_typed_class_refuses_another_dtype_tensor_and_cuda_types_need_a_gpu():
    with pytest.raises(TypeError):
        dyngraph.FloatTensor(dyngraph.tensor([1, 2]))
    assert not isinstance(dyngraph.ones(2), dyngraph.cuda.FloatTensor)


def test_new_keeps_dtype_and_device():
    x = dyngraph.tensor([1.5], dtype=dyngraph.float64)
    assert x.new([1, 2]).dtype == dyngraph.float64
    assert x.new(2, 3).shape == (2, 3) and x.new(2, 3).dtype == dyngraph.float64
    assert x.new().shape == (0,)


def test_set_default_tensor_type():
    try:
        dyngraph.set_default_tensor_type(dyngraph.DoubleTensor)
        assert dyngraph.Tensor([1]).dtype == dyngraph.float64
        assert dyngraph.get_default_dtype() == dyngraph.float64
        dyngraph.set_default_tensor_type("torch.FloatTensor")
        assert dyngraph.Tensor([1]).dtype == dyngraph.float32
        with pytest.raises(TypeError):
            dyngraph.set_default_tensor_type(dyngraph.LongTensor)
    finally:
        dyngraph.set_default_dtype(dyngraph.float32)


def test_view_dtype_same_size_shares_memory():
    x = dyngraph.tensor([1.0, -2.0], dtype=dyngraph.float32)
    bits = x.view(dyngraph.int32)
    np.testing.assert_array_equal(bits.numpy(), np.array([1.0, -2.0], np.float32).view(np.int32))
    bits[0] = 0
    assert x[0].item() == 0.0


def test_view_dtype_changing_element_size():
    x = dyngraph.arange(6, dtype=dyngraph.int32).reshape(2, 3)
    b = x.view(dyngraph.uint8)
    assert b.shape == (2, 12)
    np.testing.assert_array_equal(b.numpy(), np.arange(6, dtype=np.int32).reshape(2, 3).view(np.uint8))
    w = dyngraph.zeros(2, 4, dtype=dyngraph.int16).view(dyngraph.int64)
    assert w.shape == (2, 1)
    with pytest.raises(RuntimeError, match="divisible"):
        dyngraph.zeros(3, dtype=dyngraph.int8).view(dyngraph.int32)
    with pytest.raises(RuntimeError, match="stride"):
        dyngraph.zeros(4, 4, dtype=dyngraph.int8).t().view(dyngraph.int32)


def test_resize_keeps_the_leading_elements():
    x = dyngraph.arange(6.0).reshape(2, 3)
    assert x.resize_(4) is x and x.shape == (4,)
    np.testing.assert_array_equal(x.numpy(), [0.0, 1.0, 2.0, 3.0])
    y = dyngraph.arange(4.0)
    y.resize_(2, 3)
    np.testing.assert_array_equal(y.view(-1)[:4].numpy(), [0.0, 1.0, 2.0, 3.0])
    y.resize_as_(dyngraph.ones(1, 2))
    assert y.shape == (1, 2)
    with pytest.raises(RuntimeError, match="require grad"):
        dyngraph.ones(2, requires_grad=True).resize_(3)
    with pytest.raises(RuntimeError, match="negative"):
        dyngraph.ones(2).resize_(-1)


def test_map_is_set_to_and_prelu_method():
    a = dyngraph.ones(3)
    a.map_(dyngraph.tensor([1.0, 2.0, 3.0]), lambda p, q: p + 10 * q)
    np.testing.assert_array_equal(a.numpy(), [11.0, 21.0, 31.0])
    b = dyngraph.ones(2)
    b.map2_(dyngraph.tensor([1.0, 2.0]), dyngraph.tensor([3.0, 4.0]), lambda p, q, r: p + q * r)
    np.testing.assert_array_equal(b.numpy(), [4.0, 9.0])
    assert a.is_set_to(a) and not a.is_set_to(a.clone()) and not a.is_set_to(a[1:])
    np.testing.assert_array_equal(dyngraph.tensor([-1.0, 2.0]).prelu(dyngraph.tensor([0.25])).numpy(), [-0.25, 2.0])


def test_container_is_a_deprecated_module():
    with pytest.warns(UserWarning, match="deprecated"):
        c = dyngraph.nn.Container(a=dyngraph.nn.Linear(2, 2))
    assert [name for name, _ in c.named_children()] == ["a"]


def test_out_of_place_resize_only_reshapes():
    x = dyngraph.arange(6.0, requires_grad=True)
    with pytest.warns(UserWarning, match="deprecated"):
        y = x.resize(2, 3)
    assert y.shape == (2, 3)
    y.sum().backward()
    assert (x.grad == 1).all()
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="requested resize"):
        x.resize(4)
