"""The DataLoader iterator that fetches batches in worker processes.

Every worker has its own index queue; all share one result queue. Tasks
(task index, sampler entry) go round-robin to the workers, at most
prefetch_factor * num_workers in flight; results may arrive out of order and
are held in _task_info until their turn, so batches come back in sampler
order. A worker's exception comes back as an ExceptionWrapper and is raised
here with the worker's traceback text.
"""

import atexit
import itertools
import multiprocessing
import pickle
import queue
import sys
import warnings
import weakref

from ._worker import (MP_STATUS_CHECK_INTERVAL, ExceptionWrapper, _IterableDatasetStopIteration, _ResumeIteration,
                      _worker_loop)
from ._thread_workers import ThreadContext
from .dataloader import _BaseDataLoaderIter

_SPAWN_HINT = ("DataLoader workers are started with 'spawn' (or 'forkserver'): the dataset, collate_fn and "
               "worker_init_fn are pickled and must be importable in the worker, i.e. defined at module level "
               "(not lambdas or local classes, and not in an interactive session's __main__); the script's "
               "entry point needs `if __name__ == \"__main__\":`.")


def _why_not_spawnable(dataset, collate_fn, worker_init_fn):
    """Why a spawned worker could not receive these objects, or None when it can."""
    try:
        payload = pickle.dumps((dataset, collate_fn, worker_init_fn), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:  # pickling runs user code (__reduce__, __getstate__): any error means "can't"
        return f"{type(e).__name__}: {e}"
    # Definitions in the __main__ of an interactive session (python -c, stdin, a notebook) pickle
    # by reference, but a spawned worker has no such module to find them in.
    if getattr(sys.modules.get("__main__"), "__file__", None) is None and b"__main__" in payload:
        return "it refers to definitions in an interactive session's __main__"
    return None


# Iterators whose workers may still run. They are shut down at exit, before the interpreter
# starts tearing down: later, daemon worker threads are frozen and joining them would hang.
_live_iterators = weakref.WeakSet()


@atexit.register
def _shutdown_live_iterators():
    for it in list(_live_iterators):
        it._shutdown_workers()


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    _shutdown = True  # nothing to shut down until the workers exist (also if __init__ fails early)
    _join_timeout = MP_STATUS_CHECK_INTERVAL  # held here: module globals may be gone when __del__ runs at exit

    def __init__(self, loader):
        super().__init__(loader)
        ctx = loader.multiprocessing_context or multiprocessing.get_context("spawn")
        # Checked once per loader (and again if collate_fn or worker_init_fn is replaced): it pickles the dataset.
        key = (id(self._collate_fn), id(loader.worker_init_fn))
        cached = getattr(loader, "_spawn_check", None)
        if cached is None or cached[0] != key:
            cached = (key, _why_not_spawnable(self._dataset, self._collate_fn, loader.worker_init_fn))
            loader._spawn_check = cached
        reason = cached[1]
        if reason is not None:
            warnings.warn(f"DataLoader: using {self._num_workers} worker threads instead of processes: {reason}. "
                          f"{_SPAWN_HINT}", stacklevel=4)  # points at the user's iter(loader)
            ctx = ThreadContext()
        in_process = not isinstance(ctx, ThreadContext)
        self._worker_result_queue = ctx.Queue()
        self._workers_done_event = ctx.Event()
        self._index_queues = []
        self._workers = []
        self._workers_status = []
        self._shutdown = False
        _live_iterators.add(self)
        try:
            for i in range(self._num_workers):
                index_queue = ctx.Queue()
                # Unread tasks must not keep the main process from exiting.
                index_queue.cancel_join_thread()
                w = ctx.Process(
                    target=_worker_loop,
                    args=(self._dataset, index_queue, self._worker_result_queue, self._workers_done_event,
                          self._auto_collation, self._collate_fn, self._drop_last, self._base_seed,
                          loader.worker_init_fn, i, self._num_workers, in_process),
                    daemon=True)
                w.start()
                self._index_queues.append(index_queue)
                self._workers.append(w)
                self._workers_status.append(True)
        except BaseException:
            self._shutdown_workers()
            raise
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0  # next task index to send
        self._rcvd_idx = 0  # next task index to return
        # task index -> (worker_id,) while pending, (worker_id, data) once it arrived early
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # Persistent workers: restart their iterators and wait until all of them did.
            for q in self._index_queues:
                q.put(_ResumeIteration())
            pending = self._num_workers
            while pending > 0:
                return_idx, _ = self._get_data()
                if isinstance(return_idx, _ResumeIteration):
                    pending -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout):
        try:
            return True, self._worker_result_queue.get(timeout=timeout)
        except Exception as e:
            failed = [w for i, w in enumerate(self._workers) if self._workers_status[i] and not w.is_alive()]
            if failed:
                pids = ", ".join(str(w.pid) for w in failed)
                self._shutdown_workers()
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly. {_SPAWN_HINT}") from e
            if isinstance(e, queue.Empty):
                return False, None
            raise

    def _get_data(self):
        if self._timeout > 0:
            success, data = self._try_get_data(self._timeout)
            if not success:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            return data
        while True:  # wake up now and then to notice dead workers
            success, data = self._try_get_data(MP_STATUS_CHECK_INTERVAL)
            if success:
                return data

    def _next_data(self):
        while True:
            # Skip tasks whose worker ran out of data (iterable datasets): they never answer.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:  # arrived earlier, out of order
                del self._task_info[self._rcvd_idx]
                return self._process_data(info[1])

            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False  # kept alive for the next epoch
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                self._task_info[idx] += (data,)
            else:
                del self._task_info[idx]
                return self._process_data(data)

    def _process_data(self, data):
        self._rcvd_idx += 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _try_put_index(self):
        if self._tasks_outstanding >= self._prefetch_factor * self._num_workers:
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                break
        else:
            return  # every worker is done (iterable dataset exhausted)
        self._index_queues[worker_queue_idx].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _mark_worker_as_unavailable(self, worker_id):
        self._index_queues[worker_id].put(None)  # the worker exits its loop on None
        self._workers_status[worker_id] = False

    def _shutdown_workers(self):
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for worker_id in range(len(self._workers)):
                if self._persistent_workers or self._workers_status[worker_id]:
                    self._mark_worker_as_unavailable(worker_id)
            for w in self._workers:
                w.join(timeout=self._join_timeout)
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
            self._worker_result_queue.cancel_join_thread()
            self._worker_result_queue.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()

    def __del__(self):
        self._shutdown_workers()
