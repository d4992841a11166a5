"""What runs inside a DataLoader worker process, and what it sends back.

A worker reads (task index, sampler entry) pairs from its own index queue,
fetches the batch and puts (task index, batch) on the shared result queue.
Exceptions travel back as ExceptionWrapper (type + traceback text) and are
raised again in the main process, since a traceback object can't be pickled.
"""

import os
import queue
import random
import sys
import threading
import traceback

# How often (seconds) the blocked main process looks whether its workers are still alive
# (PyTorch waits 5 s; a worker that died unpickling the dataset is reported sooner this way).
MP_STATUS_CHECK_INTERVAL = 1.0
# How often an idle worker looks at the done event and its parent. Short, because the None
# that tells a worker to stop may never arrive: when the iterator is collected as part of a
# reference cycle (an exception's traceback, say), the garbage collector first runs the
# index queues' finalizers, which stop their feeder threads, and only then the iterator's
# __del__, whose puts then go nowhere. The done event always gets through.
_WORKER_POLL_INTERVAL = 0.1

# Per thread, so that worker threads (the fallback when the dataset can't be sent to a
# process) each see their own WorkerInfo and the main thread sees None.
_local = threading.local()


class WorkerInfo:
    """id, num_workers, seed and dataset (this worker's copy) of the current worker process."""

    __slots__ = ("id", "num_workers", "seed", "dataset")

    def __init__(self, id, num_workers, seed, dataset):
        self.id = id
        self.num_workers = num_workers
        self.seed = seed
        self.dataset = dataset

    def __setattr__(self, key, val):
        if hasattr(self, key):
            raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")
        object.__setattr__(self, key, val)

    def __repr__(self):
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, dataset={self.dataset!r})"


def get_worker_info():
    """The WorkerInfo of this DataLoader worker process, or None in the main process."""
    return getattr(_local, "worker_info", None)


class ExceptionWrapper:
    """An exception caught in a worker, carried as its type and formatted traceback."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            # KeyError's str() is the repr of its argument, which would print the
            # traceback on one line with escaped newlines.
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # The type needs other constructor arguments: say what happened in a RuntimeError.
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch; echoed back once they are ready."""


def _seed_worker(seed):
    """Seeds Python's, dyngraph's and NumPy's global RNGs in a worker (each worker differently)."""
    import numpy as np

    import dyngraph

    random.seed(seed)
    dyngraph.manual_seed(seed)
    np.random.seed(np.random.SeedSequence(seed).generate_state(4))


def _worker_loop(dataset, index_queue, data_queue, done_event, auto_collation, collate_fn, drop_last,
                 base_seed, init_fn, worker_id, num_workers, in_process=True):
    from .dataset import IterableDataset
    from ._fetch import create_fetcher

    import dyngraph

    parent_pid = os.getppid()
    try:
        seed = base_seed + worker_id
        if in_process:  # a worker thread shares these globals with the main thread: leave them alone
            _seed_worker(seed)
            # One OpenMP thread per worker: workers already run in parallel, as in PyTorch.
            dyngraph.set_num_threads(1)
        _local.worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False
        while True:
            try:
                r = index_queue.get(timeout=_WORKER_POLL_INTERVAL)
            except queue.Empty:
                # Shut down, or the main process died and nobody will read our results.
                if done_event.is_set() or os.getppid() != parent_pid:
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                if isinstance(dataset, IterableDataset) and init_exception is None:
                    fetcher = create_fetcher(dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:  # shutdown
                break
            if done_event.is_set() or iteration_end:
                continue  # drain the queue without doing work
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if isinstance(dataset, IterableDataset):
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                except Exception:
                    data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass  # the main process gets the same Ctrl-C and shuts us down
    if done_event.is_set():
        # Don't wait at exit for results nobody will read.
        data_queue.cancel_join_thread()
        data_queue.close()
