"""The timing protocol (alternating calls on an idle process), memory peaks, and the
small helpers that compare results."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

QUIET_LIMIT_S = 0.5  # longest wait for idle threads before a timed call (see quiesce)


def _arrays_of(value: Any) -> list[Any]:
    """The arrays (or tensors) in an op result: a single array or a tuple of them."""
    if isinstance(value, (tuple, list)):
        return [v for item in value for v in _arrays_of(item)]
    return [] if value is None else [value]


def _nbytes(value: Any) -> int:
    total = 0
    for a in _arrays_of(value):
        total += a.nbytes if isinstance(a, np.ndarray) else a.element_size() * a.nelement()
    return total


def _primary(out: Any) -> Any:
    """The differentiable output: max_pool with indices returns (values, indices)."""
    return out[0] if isinstance(out, tuple) else out


def _numpy(value: Any) -> np.ndarray:
    return value if isinstance(value, np.ndarray) else value.detach().cpu().numpy()


def _max_rel_diff(ours: Any, theirs: Any) -> float | None:
    """max |ours - theirs| / max |theirs| over paired arrays; None when they do not pair up."""
    ours, theirs = _arrays_of(ours), _arrays_of(theirs)
    if len(ours) != len(theirs):
        return None
    worst = 0.0
    for a, b in zip(ours, theirs):
        a, b = _numpy(a).astype(np.float64), _numpy(b).astype(np.float64)
        if a.shape != b.shape:
            return None
        if a.size:
            worst = max(worst, float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30)))
    return worst


def _identical(first: Any, second: Any) -> bool:
    a, b = _arrays_of(first), _arrays_of(second)
    return len(a) == len(b) and all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


def collect() -> None:
    """A full garbage collection, then freeze the survivors: torch, numba and sympy hold
    millions of objects, and without the freeze every later collection walks them all."""
    gc.collect()
    gc.freeze()


def _median(values: list[float]) -> float:
    return statistics.median(values)


# --------------------------------------------------------------------------- memory


def _malloc_trim() -> None:
    """Give freed heap memory back to the OS so that the resident-set baseline is honest."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _rss_kib(field_name: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_rss_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # resets VmHWM to the current resident set
        return True
    except OSError:
        return False


def rss_peak_extra(fn: Callable[[], Any]) -> int | None:
    """Resident-set high-water mark of one call minus the resident set before it, in bytes."""
    collect()
    _malloc_trim()
    if not _reset_rss_peak():
        return None
    before = _rss_kib("VmRSS")
    out = fn()
    peak = _rss_kib("VmHWM")
    del out
    return None if before is None or peak is None else max(0, peak - before) * 1024


def traced_peak_extra(fn: Callable[[], Any]) -> tuple[int, Any]:
    """tracemalloc's peak during one call minus its value before, and the call's result."""
    collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        out = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - before, out


# --------------------------------------------------------------------------- timing


def quiesce(limit: float = QUIET_LIMIT_S, window: float = 0.005) -> float:
    """Wait until this process's threads are idle, and return the seconds waited.

    Thread pools keep spinning after their work is done: OpenMP (torch) for a moment,
    OpenBLAS for about 2^28 cycles (~0.1 s, ``OPENBLAS_THREAD_TIMEOUT``). A call timed
    while the previous library's threads still spin on the other core runs slower, which
    would bias an alternating comparison. This waits until the process used less than a
    fifth of one core over ``window``, for at most ``limit`` seconds.
    """
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        before = time.process_time()  # CPU time of all threads
        time.sleep(window)
        if time.process_time() - before < 0.2 * window:
            break
    return time.perf_counter() - start


@dataclass(frozen=True)
class Measured:
    """Returned by a call that timed itself elsewhere (the THP worker): its own seconds."""

    seconds: float


def time_alternating(fns: dict[str, Callable[[], Any]], repeat: int, warmup: int) -> dict[str, list[float]]:
    """Seconds per call of each function, interleaved call by call, order rotated each round.

    A function that returns :class:`Measured` (a call made in another process) is credited
    with the time it reports instead of the round trip. Each call starts once this process
    is idle (:func:`quiesce`), so that no thread of the previous call still spins on a core.
    """
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    collect()
    times: dict[str, list[float]] = {name: [] for name in names}
    enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(repeat):
            shift = r % len(names)
            for name in names[shift:] + names[:shift]:
                quiesce()
                start = time.perf_counter()
                out = fns[name]()
                elapsed = time.perf_counter() - start
                times[name].append(out.seconds if isinstance(out, Measured) else elapsed)
                del out
    finally:
        if enabled:
            gc.enable()
    return times


def paired_ratio(ours: list[float], theirs: list[float]) -> float:
    """The median over rounds of ours / theirs within the same round: a burst of load from
    elsewhere slows both calls of a round, so this is steadier than a ratio of medians."""
    return _median([a / b for a, b in zip(ours, theirs)])


def spread(runs: list[float] | None) -> float | None:
    """Upper over lower quartile of a row's runs: 1.0 is steady, above SPREAD_WARN bimodal."""
    if not runs or len(runs) < 4:
        return None
    q1, _, q3 = statistics.quantiles(runs, n=4)
    return q3 / q1
