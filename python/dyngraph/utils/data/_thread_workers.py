"""Worker threads standing in for worker processes, with the multiprocessing
context interface the DataLoader iterator uses (Queue, Event, Process).

The DataLoader falls back to them when the dataset, collate_fn or
worker_init_fn can't be sent to a spawned process: a class defined inside a
function, a lambda, or anything defined in the __main__ of an interactive
session. PyTorch on Linux forks its workers, so such code works there;
dyngraph never forks (a child forked after OpenMP ran hangs), and threads
keep that code working, with batches, ordering, exceptions and
get_worker_info() as with processes.
"""

import queue
import threading


class _ThreadQueue(queue.Queue):
    def cancel_join_thread(self):
        pass  # no feeder thread to wait for: items are handed over in memory

    def close(self):
        pass


class _WorkerThread(threading.Thread):
    pid = None

    def terminate(self):
        # A thread can't be killed; it leaves its loop within a poll interval of the done event.
        pass


class ThreadContext:
    """multiprocessing-context look-alike whose 'processes' are daemon threads."""

    Queue = _ThreadQueue
    Event = threading.Event

    @staticmethod
    def Process(target, args, daemon):
        return _WorkerThread(target=target, args=args, daemon=daemon)
