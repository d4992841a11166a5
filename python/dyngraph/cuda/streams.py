"""CUDA streams and events (torch.cuda.Stream / Event). A stream orders work on one GPU; dyngraph
launches every kernel of a thread on that thread's current stream, which `stream(s)` switches."""

from .. import _C
from ._device import device_index, lazy_check


class Stream:
    """A CUDA stream on a device (the current one by default). priority: lower is more urgent (0 is
    the default priority)."""

    def __new__(cls, device=None, priority=0, **kwargs):
        lazy_check()
        self = super().__new__(cls)
        self.device_index = device_index(device)
        if "stream_handle" in kwargs:  # wrapping an existing stream (not owned)
            self.cuda_stream, self._owned = int(kwargs["stream_handle"]), False
        else:
            self.cuda_stream, self._owned = _C._cuda_create_stream(self.device_index, priority), True
        return self

    def __init__(self, device=None, priority=0, **kwargs):
        pass

    @property
    def device(self):
        from .. import device as device_class

        return device_class("cuda", self.device_index)

    def query(self):
        """True when all work queued on this stream has finished."""
        return _C._cuda_stream_query(self.cuda_stream)

    def synchronize(self):
        """Waits for all work queued on this stream."""
        _C._cuda_stream_synchronize(self.cuda_stream)

    def wait_event(self, event):
        """Makes future work on this stream wait for `event`."""
        _C._cuda_stream_wait_event(self.cuda_stream, event.cuda_event)

    def wait_stream(self, stream):
        """Makes future work on this stream wait for the work queued so far on `stream`."""
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        event = Event() if event is None else event
        event.record(self)
        return event

    def __eq__(self, other):
        return isinstance(other, Stream) and self.cuda_stream == other.cuda_stream and \
            self.device_index == other.device_index

    def __hash__(self):
        return hash((self.cuda_stream, self.device_index))

    def __repr__(self):
        return f"<dyngraph.cuda.Stream device=cuda:{self.device_index} cuda_stream={self.cuda_stream:#x}>"

    def __del__(self):
        if getattr(self, "_owned", False) and _C is not None:
            _C._cuda_destroy_stream(self.cuda_stream)


class ExternalStream(Stream):
    """Wraps a stream made elsewhere (CuPy, PyTorch) from its integer handle; dyngraph does not destroy it."""

    def __new__(cls, stream_ptr, device=None, **kwargs):
        return super().__new__(cls, device=device, stream_handle=stream_ptr)


class Event:
    """A CUDA event: a marker in a stream that can be waited for and timed."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        if interprocess:
            raise NotImplementedError("interprocess CUDA events are not supported by dyngraph")
        self._enable_timing = enable_timing
        self._blocking = blocking
        self.cuda_event = 0

    def _ensure(self):
        if not self.cuda_event:
            lazy_check()
            self.cuda_event = _C._cuda_create_event(self._enable_timing, self._blocking)

    def record(self, stream=None):
        """Records the event on `stream` (the current stream by default)."""
        self._ensure()
        stream = current_stream() if stream is None else stream
        _C._cuda_record_event(self.cuda_event, stream.cuda_stream)

    def wait(self, stream=None):
        """Makes future work on `stream` (the current one by default) wait for this event."""
        self._ensure()
        stream = current_stream() if stream is None else stream
        stream.wait_event(self)

    def query(self):
        """True when the work the event marks has finished (an unrecorded event counts as done)."""
        return True if not self.cuda_event else _C._cuda_event_query(self.cuda_event)

    def synchronize(self):
        if self.cuda_event:
            _C._cuda_event_synchronize(self.cuda_event)

    def elapsed_time(self, end_event):
        """Milliseconds between this event and end_event (both recorded, with enable_timing=True)."""
        if not (self.cuda_event and end_event.cuda_event):
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return _C._cuda_event_elapsed_ms(self.cuda_event, end_event.cuda_event)

    def __repr__(self):
        return f"<dyngraph.cuda.Event {self.cuda_event:#x}>" if self.cuda_event else "<dyngraph.cuda.Event uninitialized>"

    def __del__(self):
        if getattr(self, "cuda_event", 0) and _C is not None:
            _C._cuda_destroy_event(self.cuda_event)


def current_stream(device=None):
    """The stream this thread's kernels go to on `device`."""
    index = device_index(device)
    return Stream(device=index, stream_handle=_C._cuda_current_stream(index))


def default_stream(device=None):
    """The device's default stream (handle 0)."""
    return Stream(device=device_index(device), stream_handle=0)


def set_stream(stream):
    """Makes `stream` this thread's current stream on its device."""
    if stream is not None:
        _C._cuda_set_current_stream(stream.device_index, stream.cuda_stream)


class StreamContext:
    """Context manager that makes `stream` current on its device (and that device current)."""

    def __init__(self, stream):
        self.stream = stream
        self._prev_stream = None
        self._prev_device = None

    def __enter__(self):
        if self.stream is None:
            return self
        self._prev_device = _C._cuda_current_device()
        _C._cuda_set_device(self.stream.device_index)
        self._prev_stream = _C._cuda_current_stream(self.stream.device_index)
        set_stream(self.stream)
        return self.stream

    def __exit__(self, *exc):
        if self.stream is not None:
            _C._cuda_set_current_stream(self.stream.device_index, self._prev_stream)
            _C._cuda_set_device(self._prev_device)
        return False


def stream(stream):
    """`with dyngraph.cuda.stream(s):` runs the block's kernels on s."""
    return StreamContext(stream)
