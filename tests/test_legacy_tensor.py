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
