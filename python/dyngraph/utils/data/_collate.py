"""default_collate and default_convert: how DataLoader turns a list of
samples into a batch (PyTorch's torch.utils.data._utils.collate).

The container structure of a sample is kept and its leaves are batched:
tensors are stacked along a new first dimension, NumPy arrays and numbers
become tensors with PyTorch's dtypes (Python float -> float64, int -> int64,
bool -> bool), strings stay a list."""

import collections.abc
import copy
import re

from ..._lazy_numpy import np

import dyngraph

# NumPy dtypes that hold strings or objects: no tensor can hold them.
_np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_namedtuple(obj):
    return isinstance(obj, tuple) and hasattr(obj, "_fields")


def _rebuild_mapping(elem, items):
    """A mapping of elem's type holding items (a plain dict when the type can't be rebuilt)."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            # A shallow copy keeps subclasses' extra state (e.g. OrderedDict order, custom attributes).
            clone = copy.copy(elem)
            clone.update(items)
            return clone
        return type(elem)(items)
    except TypeError:
        return dict(items)


def _rebuild_sequence(elem, values):
    """A sequence of elem's type holding values (a list when the type can't be rebuilt)."""
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(elem)(values)
    except TypeError:
        return list(values)


def default_convert(data):
    """Converts NumPy arrays and NumPy scalars inside data to tensors, keeping the structure.

    Used when batching is off (batch_size=None): one sample goes through as is.
    Tuples become lists, as in PyTorch.
    """
    if isinstance(data, dyngraph.Tensor):
        return data
    if type(data).__module__ == "numpy" and not isinstance(data, (np.str_, np.bytes_)):
        if isinstance(data, np.ndarray):
            if _np_str_obj_array_pattern.search(data.dtype.str) is not None:
                return data
            return dyngraph.as_tensor(data)
        if isinstance(data, (np.bool_, np.number)):
            return dyngraph.as_tensor(data)
        return data
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _collate_tensors(batch):
    return dyngraph.stack(batch, 0)


def _collate_numpy_arrays(batch):
    elem = batch[0]
    if _np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return default_collate([dyngraph.as_tensor(b) for b in batch])


def default_collate(batch):
    """Merges a list of samples into a batch, following the structure of the first sample.

    - tensors: stacked along a new dimension 0 (shapes must match)
    - NumPy arrays: converted to tensors, then stacked
    - NumPy scalars: one tensor of their dtype
    - float: a float64 tensor; int: an int64 tensor; bool: a bool tensor
    - str / bytes: the list of them, unchanged
    - Mapping: the same keys, each value collated across the batch
    - namedtuple: the same type, field by field
    - other sequences: transposed and collated position by position
      (tuples come back as lists, as in PyTorch); every sample must have the
      same length
    """
    elem = batch[0]
    if isinstance(elem, dyngraph.Tensor):
        return _collate_tensors(batch)
    if type(elem).__module__ == "numpy" and not isinstance(elem, (np.str_, np.bytes_)):
        if isinstance(elem, (np.ndarray, np.memmap)):
            return _collate_numpy_arrays(batch)
        if isinstance(elem, (np.bool_, np.number)):
            # Through one NumPy array, so the scalars' dtype (int8, float64, ...) is kept.
            return dyngraph.as_tensor(np.asarray(batch))
    elif isinstance(elem, float):
        return dyngraph.tensor(batch, dtype=dyngraph.float64)
    elif isinstance(elem, int):
        # bool is an int subclass: dyngraph.tensor keeps a list of bools as a bool tensor.
        return dyngraph.tensor(batch)
    elif isinstance(elem, (str, bytes)):
        return batch
    elif isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    elif _is_namedtuple(elem):
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    elif isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [default_collate(samples) for samples in transposed]
        return _rebuild_sequence(elem, [default_collate(samples) for samples in transposed])
    raise TypeError(default_collate_err_msg_format.format(type(elem)))
