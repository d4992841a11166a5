"""Samplers: which dataset indices a DataLoader visits, and in what order
(PyTorch's torch.utils.data.sampler). Randomness comes from dyngraph's own
generators, so `generator=dyngraph.Generator().manual_seed(s)` (or
dyngraph.manual_seed for the default one) gives a reproducible order."""

from ..._lazy_numpy import np

import dyngraph


class Sampler:
    """Base class: subclasses give __iter__ over indices and, when known, __len__."""

    def __init__(self, data_source=None):
        # data_source is accepted (and unused) for compatibility with PyTorch's signature.
        pass

    def __iter__(self):
        # Abstract, as in PyTorch: a sampler is defined by the indices it yields.
        raise NotImplementedError(f"Subclasses of Sampler should implement __iter__ ({type(self).__name__} does not).")


def _check_positive_int(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value}")


def _fresh_generator():
    """A generator seeded from the default one: draws advance the global RNG like PyTorch does."""
    seed = int(dyngraph.randint(0, 2**63 - 1, (), dtype=dyngraph.int64).item())
    return dyngraph.Generator().manual_seed(seed)


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation (replacement=False) or num_samples uniform draws (replacement=True).

    Without replacement and num_samples > len(data_source), whole permutations
    follow one another and the last one is cut short.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        _check_positive_int("num_samples", self.num_samples)

    @property
    def num_samples(self):
        # Read len(data_source) on every access: the dataset may change size between epochs.
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = self.generator if self.generator is not None else _fresh_generator()
        if self.replacement:
            # Drawn in chunks of 32 as PyTorch does, so huge num_samples never sits in memory at once.
            for _ in range(self.num_samples // 32):
                yield from dyngraph.randint(0, n, (32,), dtype=dyngraph.int64, generator=generator).tolist()
            rest = self.num_samples % 32
            if rest:
                yield from dyngraph.randint(0, n, (rest,), dtype=dyngraph.int64, generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from dyngraph.randperm(n, generator=generator).tolist()
            rest = self.num_samples % n
            if rest:
                yield from dyngraph.randperm(n, generator=generator).tolist()[:rest]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a random order."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in dyngraph.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


def _multinomial(weights, num_samples, replacement, generator):
    """Indices drawn with probability proportional to float64 `weights` (PyTorch's
    torch.multinomial for one row), from uniforms of dyngraph's generator."""
    w = weights.detach().numpy()
    if not np.all(np.isfinite(w)):
        raise RuntimeError("invalid multinomial distribution (encountering probability entry that is inf or nan)")
    if np.any(w < 0):
        raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
    if w.sum() <= 0:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    u = dyngraph.rand(num_samples if replacement else len(w), dtype=dyngraph.float64, generator=generator).numpy()
    if replacement:
        # Inverse CDF: the first index whose running total passes u * total. Zero
        # weights add nothing to the running total, so they are never picked.
        cdf = np.cumsum(w)
        idx = np.searchsorted(cdf, u * cdf[-1], side="right")
        return np.minimum(idx, len(w) - 1).tolist()
    if num_samples > np.count_nonzero(w):
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    # Exponential race: the smallest -log(u) / w come out in the order of sequential
    # sampling without replacement; zero weights get an infinite key and never win.
    with np.errstate(divide="ignore"):
        keys = -np.log1p(-u) / w
    return np.argsort(keys, kind="stable")[:num_samples].tolist()


class WeightedRandomSampler(Sampler):
    """num_samples indices into range(len(weights)), index i drawn with probability weights[i] / sum(weights)."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        _check_positive_int("num_samples", num_samples)
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights_tensor = dyngraph.as_tensor(weights, dtype=dyngraph.float64)
        if weights_tensor.dim() != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(weights_tensor.shape)}")
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        generator = self.generator if self.generator is not None else dyngraph.default_generator
        yield from _multinomial(self.weights.detach().cpu(), self.num_samples, self.replacement, generator)

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of batch_size (the last one shorter unless drop_last)."""

    def __init__(self, sampler, batch_size, drop_last):
        _check_positive_int("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size


class DistributedSampler(Sampler):
    """The share of a dataset's indices that one of num_replicas processes visits: the (shuffled, seeded
    by seed + epoch) order padded to a multiple of num_replicas (or trimmed, with drop_last), every
    num_replicas-th index from position rank. Call set_epoch(e) each epoch for a new shuffle."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            raise RuntimeError("Requires distributed package to be available: pass num_replicas and rank "
                               "(dyngraph.distributed is not initialized)")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = n // num_replicas
        else:
            self.num_samples = -(-n // num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            g = dyngraph.Generator().manual_seed(self.seed + self.epoch)
            indices = dyngraph.randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            elif indices:
                indices += (indices * -(-padding // len(indices)))[:padding]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        self.epoch = epoch
