"""The default random generator: seeding and state (dyngraph.manual_seed, ...)."""

import contextlib
import random as _pyrandom

from . import _C

__all__ = ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "fork_rng", "thread_safe_generator"]

default_generator = _C.default_generator


def manual_seed(seed):
    """Seeds the default generator; the same seed gives the same numbers."""
    return _C.default_generator.manual_seed(int(seed))


def seed():
    """Seeds the default generator from a non-deterministic source and returns the seed."""
    s = _pyrandom.SystemRandom().getrandbits(63)
    _C.default_generator.manual_seed(s)
    return s


def initial_seed():
    return _C.default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor (seed and position, 16 bytes)."""
    import dyngraph

    s, offset = _C.default_generator.get_state()
    raw = s.to_bytes(8, "little") + offset.to_bytes(8, "little")
    return dyngraph.tensor(list(raw), dtype=dyngraph.uint8)


def set_rng_state(new_state):
    raw = bytes(int(v) for v in new_state.tolist())
    if len(raw) != 16:
        raise RuntimeError(f"set_rng_state: expected a state of 16 bytes, got {len(raw)}")
    _C.default_generator.set_state((int.from_bytes(raw[:8], "little"), int.from_bytes(raw[8:], "little")))


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Random draws inside the block leave the generator as it was before it (every device draws from
    the one default generator, so its state is all there is to save)."""
    if not enabled:
        yield
        return
    saved = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(saved)


def thread_safe_generator():
    """The generator a DataLoader thread worker should draw from, or None for the global one. dyngraph's
    DataLoader workers are processes, where PyTorch returns None too, so this is always None."""
    return None
