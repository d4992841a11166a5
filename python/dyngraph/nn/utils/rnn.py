"""dyngraph.nn.utils.rnn: variable-length sequence batches, as torch.nn.utils.rnn
(pad_sequence, PackedSequence, pack_padded_sequence, pad_packed_sequence, ...)."""

import collections

__all__ = ["PackedSequence", "pad_sequence", "unpad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence", "unpack_sequence", "invert_permutation"]


# The plain named tuple under PackedSequence (PyTorch exposes it under this name too).
PackedSequence_ = collections.namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices",
                                                             "unsorted_indices"])


class PackedSequence(PackedSequence_):
    """A batch of variable-length sequences, time-major and packed: ``data`` holds, for each time step, the
    elements of the sequences still running then (longest first); ``batch_sizes[t]`` counts them."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data):
        # The index tensors follow the data to its device; batch_sizes stays on the CPU, as in PyTorch.
        if data is self.data:
            return self
        sorted_indices = None if self.sorted_indices is None else self.sorted_indices.to(data.device)
        unsorted_indices = None if self.unsorted_indices is None else self.unsorted_indices.to(data.device)
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        return self._with_data(self.data.to(*args, **kwargs))

    def cpu(self):
        return self._with_data(self.data.cpu())

    def cuda(self, *args, **kwargs):
        return self._with_data(self.data.cuda(*args, **kwargs))

    def float(self):
        return type(self)(self.data.float(), self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def double(self):
        return type(self)(self.data.double(), self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return self.data.is_pinned()


def bind(optional, fn):
    """fn(optional), or None when optional is None."""
    return None if optional is None else fn(optional)


def invert_permutation(permutation):
    import dyngraph

    if permutation is None:
        return None
    output = dyngraph.empty_like(permutation)
    output.scatter_(0, permutation, dyngraph.arange(permutation.numel(), dtype=permutation.dtype,
                                                    device=permutation.device))
    return output


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks tensors of shape (L_i, *) into (max L, B, *) (or (B, max L, *)), padding with ``padding_value``."""
    import dyngraph

    if isinstance(sequences, dyngraph.Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    max_len = max(s.size(0) for s in sequences)
    trailing = tuple(sequences[0].shape[1:])
    padded = []
    for s in sequences:
        n = s.size(0)
        if n == max_len:
            padded.append(s)
            continue
        fill = dyngraph.full((max_len - n,) + trailing, padding_value, dtype=s.dtype, device=s.device)
        padded.append(dyngraph.cat([s, fill] if padding_side == "right" else [fill, s], 0))
    return dyngraph.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of unpadded sequences of a padded batch, the inverse of pad_sequence."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, lengths)]


def _lengths_list(lengths):
    import dyngraph

    if isinstance(lengths, dyngraph.Tensor):
        if lengths.dim() != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D tensor, but got a {lengths.dim()}D tensor")
        return [int(v) for v in lengths.tolist()]
    return [int(v) for v in lengths]


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded batch (T, B, *) (or (B, T, *)) of sequences with the given lengths."""
    import dyngraph

    lengths = _lengths_list(lengths)
    if batch_first:
        input = input.transpose(0, 1)
    if len(lengths) != input.size(1):
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
                           f"(batch_size={input.size(1)})")
    if any(n <= 0 for n in lengths):
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                               "pack_sequence to sidestep this requirement if you do not need ONNX exportability.")
        order, sorted_indices = list(range(len(lengths))), None
    else:
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        sorted_indices = dyngraph.tensor(order, dtype=dyngraph.int64, device=input.device)
        input = input.index_select(1, sorted_indices)
    sorted_lengths = [lengths[i] for i in order]
    if sorted_lengths[0] > input.size(0):
        raise RuntimeError(f"Expected sequence length to be larger than or equal to {sorted_lengths[0]}, "
                           f"but got {input.size(0)}")
    batch_sizes = [sum(1 for n in sorted_lengths if n > t) for t in range(sorted_lengths[0])]
    data = dyngraph.cat([input[t, :b] for t, b in enumerate(batch_sizes)], 0)
    return PackedSequence(data, dyngraph.tensor(batch_sizes, dtype=dyngraph.int64), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """(padded batch, lengths) of a PackedSequence, in the batch's original order."""
    import dyngraph

    data, batch_sizes = sequence.data, [int(b) for b in sequence.batch_sizes.tolist()]
    max_len = len(batch_sizes)
    if total_length is not None:
        if total_length < max_len:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {max_len}")
        max_len = total_length
    batch = batch_sizes[0]
    trailing = tuple(data.shape[1:])
    lengths = [sum(1 for b in batch_sizes if b > i) for i in range(batch)]
    steps, offset = [], 0
    for b in batch_sizes:
        step = data[offset:offset + b]
        offset += b
        if b < batch:
            step = dyngraph.cat([step, dyngraph.full((batch - b,) + trailing, padding_value, dtype=data.dtype,
                                                     device=data.device)], 0)
        steps.append(step)
    for _ in range(max_len - len(batch_sizes)):
        steps.append(dyngraph.full((batch,) + trailing, padding_value, dtype=data.dtype, device=data.device))
    padded = dyngraph.stack(steps, 0)
    lengths_t = dyngraph.tensor(lengths, dtype=dyngraph.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths_t = lengths_t[sequence.unsorted_indices]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, lengths_t


def pack_sequence(sequences, enforce_sorted=True):
    """Packs a list of tensors of shape (L_i, *)."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of tensors a PackedSequence was packed from."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
