"""DataLoader: iterates a dataset in batches, in this process or in worker
processes (PyTorch's torch.utils.data.DataLoader, same arguments and checks).

Worker processes start with the 'spawn' method unless multiprocessing_context
names 'forkserver' (or 'spawn'): forking a process after OpenMP has run hangs
the child, so 'fork' is refused. With spawn, the dataset, collate_fn and
worker_init_fn must be picklable (defined at module level) and the script's
entry point guarded by `if __name__ == "__main__":`, as on macOS/Windows.
"""

import multiprocessing
import warnings

import dyngraph

from ._collate import default_collate, default_convert
from ._fetch import create_fetcher
from ._worker import get_worker_info  # noqa: F401  (PyTorch exports it from this module too)
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]


class _InfiniteConstantSampler(Sampler):
    """The 'sampler' of an IterableDataset: it only counts, the dataset decides what comes."""

    def __iter__(self):
        while True:
            yield None


def _draw_seed(generator):
    """A 63-bit seed from generator (the default generator when None)."""
    return int(dyngraph.randint(0, 2**63 - 1, (), dtype=dyngraph.int64,
                                generator=generator if generator is not None else dyngraph.default_generator).item())


class DataLoader:
    """Combines a dataset and a sampler and iterates batches over the dataset.

    Arguments as in PyTorch: batch_size=1, shuffle, sampler, batch_sampler,
    num_workers, collate_fn, pin_memory (batches come in page-locked memory
    when a GPU is available, for asynchronous copies to it), drop_last, timeout, worker_init_fn,
    multiprocessing_context, generator, prefetch_factor, persistent_workers,
    pin_memory_device and in_order (accepted; batches always come in order).
    batch_size=None turns batching off: each sample goes through
    collate_fn (default_convert) on its own.
    """

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.in_order = in_order
        self.multiprocessing_context = multiprocessing_context

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = "iterable"
            # The stream decides the order: samplers make no sense for it.
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        else:
            self._dataset_kind = "map"
            shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == "iterable":
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator = None
        self._initialized = True

    @property
    def multiprocessing_context(self):
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context):
        if context is not None:
            if self.num_workers <= 0:
                raise ValueError("multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(context, str):
                valid = multiprocessing.get_all_start_methods()
                if context not in valid:
                    raise ValueError("multiprocessing_context option should specify a valid start method in "
                                     f"{valid!r}, but got multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context object or a string "
                                f"specifying the start method, but got multiprocessing_context={context}")
            if context.get_start_method() == "fork":
                raise ValueError("dyngraph's DataLoader does not fork worker processes: a child forked after "
                                 "OpenMP ran hangs. Use multiprocessing_context='spawn' (the default) or 'forkserver'.")
        self._multiprocessing_context = context

    def __setattr__(self, attr, val):
        if self._initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                          "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        # What the iterator draws from: batches of indices, or single indices when batching is off.
        return self.batch_sampler if self._auto_collation else self.sampler

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        from ._multiprocessing_iter import _MultiProcessingDataLoaderIter

        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self):
        if self._dataset_kind == "iterable":
            length = len(self.dataset)  # TypeError when the stream has no length, as in PyTorch
            if self.batch_size is not None:
                if self.drop_last:
                    return length // self.batch_size
                return -(-length // self.batch_size)
            return length
        return len(self._index_sampler)


class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._prefetch_factor = loader.prefetch_factor
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._persistent_workers = loader.persistent_workers
        self._sampler_iter = iter(self._index_sampler)
        # Seeds the workers' RNGs (base_seed + worker id); drawn from the loader's generator.
        self._base_seed = _draw_seed(loader.generator)
        self._num_yielded = 0
        _warn_pin_memory(loader)
        self._pin = loader.pin_memory and dyngraph.cuda.is_available()

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0

    def _next_index(self):
        return next(self._sampler_iter)

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if self._pin:
            data = _pin_memory(data)
        return data

    def __len__(self):
        return len(self._index_sampler)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:  # PyTorch asserts this too: a timeout needs worker processes
            raise AssertionError("timeout only applies to multi-process loading (num_workers > 0)")
        self._fetcher = create_fetcher(self._dataset, self._auto_collation, self._collate_fn, self._drop_last)

    def _next_data(self):
        index = self._next_index()  # StopIteration ends the epoch
        return self._fetcher.fetch(index)


def _pin_memory(data):
    """Batches in page-locked memory, structure kept (what PyTorch's pin-memory thread does)."""
    if isinstance(data, dyngraph.Tensor):
        return data.pin_memory()
    if isinstance(data, dict):
        return type(data)({k: _pin_memory(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return type(data)(*(_pin_memory(v) for v in data))
    if isinstance(data, (list, tuple)):
        return type(data)(_pin_memory(v) for v in data)
    if hasattr(data, "pin_memory"):
        return data.pin_memory()
    return data


def _warn_pin_memory(loader):
    # Same warning as PyTorch: pinning only speeds up copies to an accelerator.
    if loader.pin_memory and not getattr(getattr(dyngraph, "cuda", None), "is_available", lambda: False)():
        warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                      "memory won't be used.")
