"""Compiled loops for the memory-bound ops, and a two-thread splitter.

NumPy alone is the reference implementation of every op. Where a benchmark showed
that chains of NumPy temporaries cannot get near the memory bandwidth (max_pool with
indices, max_unpool, interpolation), an op also registers a plain-Python loop here.
Numba is a dependency of the package, so a plain install runs these loops: each is
compiled on its first call, never at import (``import upsample`` does not import
Numba), and cached on disk, so later processes load it in milliseconds. The cache sits
in ``__pycache__`` beside the sources, or, when the package is installed read-only,
in Numba's user-wide cache directory (``NUMBA_CACHE_DIR`` chooses another). If Numba
cannot be imported, or with ``UPSAMPLE_JIT=0`` in the environment, the NumPy path
runs. Tests run both paths against the same oracles.

Kernels are compiled with ``nogil=True`` and work on a range of (n, c) planes, so
:func:`split_planes` can run two halves on two threads. Loops that several kernels share
are :func:`helper` subroutines: compiled into each kernel that calls them (inlined, so
sharing one costs the hot loop nothing), plain Python when called from Python.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import threading
import types
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

__all__ = [
    "DTYPES",
    "FLOATS",
    "Helper",
    "Kernel",
    "applies",
    "enabled",
    "helper",
    "kernel",
    "split_planes",
    "threads",
]

#: The dtypes the compiled loops accept; anything else (float16, say) takes the NumPy path.
DTYPES = frozenset(
    np.dtype(t)
    for t in (
        np.float32,
        np.float64,
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.uint16,
        np.uint32,
        np.uint64,
    )
)


#: The dtypes of the compiled float kernels (the convolution tiles).
FLOATS = frozenset(np.dtype(t) for t in (np.float32, np.float64))


def enabled() -> bool:
    """Whether compiled kernels are used: Numba importable and not switched off."""
    return os.environ.get("UPSAMPLE_JIT", "1") != "0" and _numba_installed()


def applies(
    *arrays: np.ndarray | None,
    spatial_dims: int | None = None,
    max_dims: int = 3,
    dtypes: frozenset = DTYPES,
    contiguous: tuple[np.ndarray, ...] = (),
) -> bool:
    """The one answer to "does the compiled path take this call?", for every op.

    Compiled kernels are enabled, every array is non-empty and of one dtype the loops
    accept (``dtypes``), the call has at most ``max_dims`` spatial dims (``spatial_dims``,
    else the first array's ``ndim - 2``), and the arrays in ``contiguous`` (outputs the
    loops write row by row) are C-contiguous. None entries are left out.
    """
    given = [a for a in arrays if a is not None]
    if not given or not enabled():
        return False
    nd = given[0].ndim - 2 if spatial_dims is None else spatial_dims
    return (
        1 <= nd <= max_dims
        and given[0].dtype in dtypes
        and all(a.dtype == given[0].dtype and a.size for a in given)
        and all(a.flags.c_contiguous for a in contiguous)
    )


_installed: bool | None = None


def _numba_installed() -> bool:
    global _installed
    if _installed is None:
        _installed = importlib.util.find_spec("numba") is not None
    return _installed


class Kernel:
    """A Python loop that Numba compiles on first use (``cache=True, nogil=True``).

    ``literal`` names arguments that the loop makes compile-time constants with
    ``numba_literally`` (one machine-code version per value). Numba's dispatcher
    re-derives such a version's types on every call (about 10 ms), so after the first
    call of each version this class calls its compiled entry point directly."""

    def __init__(self, function: Callable[..., Any], literal: tuple[str, ...] = ()):
        self.function = function
        self._compiled: Callable[..., Any] | None = None
        self._lock = threading.Lock()
        self.__doc__ = function.__doc__
        self.__name__ = function.__name__
        names = list(inspect.signature(function).parameters)
        self._literal = frozenset(names.index(name) for name in literal)
        self._entries: dict[tuple[Any, ...], Callable[..., Any]] = {}

    def compiled(self) -> Callable[..., Any]:
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    import numba  # deferred: importing numba costs ~0.3 s

                    self._compiled = numba.njit(cache=True, nogil=True, fastmath=False)(
                        _compilable(self.function)
                    )
        return self._compiled

    def __call__(self, *args: Any) -> Any:
        dispatcher = self.compiled()
        if not self._literal:
            return dispatcher(*args)
        key = tuple(a if i in self._literal else _kind(a) for i, a in enumerate(args))
        entry = self._entries.get(key)
        if entry is None:
            # compile (or load from the cache) exactly this version: calling the dispatcher
            # would first try a version without the constants and be told to retry
            from numba import typeof, types

            signature = tuple(
                types.literal(a) if i in self._literal else typeof(a) for i, a in enumerate(args)
            )
            dispatcher.compile(signature)
            entry = self._entries[key] = dispatcher.overloads[signature].entry_point
        return entry(*args)


def _kind(value: Any) -> Any:
    """What Numba's type of an argument depends on, cheaply: an array's dtype, rank,
    layout and flags; a scalar's Python type (ints are int64, floats float64); a tuple's
    items, each so."""
    if isinstance(value, tuple):  # a tuple of arguments: each its own kind
        return tuple(_kind(v) for v in value)
    if isinstance(value, np.ndarray):
        flags = value.flags
        return (
            value.dtype.str,
            value.ndim,
            flags.c_contiguous,
            flags.f_contiguous,
            flags.writeable,
            flags.aligned,
        )
    return type(value)


def kernel(function: Callable[..., Any] | None = None, *, literal: tuple[str, ...] = ()) -> Any:
    """Decorator form of :class:`Kernel`: ``@kernel`` or ``@kernel(literal=("n",))``."""
    if function is None:
        return lambda f: Kernel(f, literal)
    return Kernel(function, literal)


class Helper:
    """A subroutine that kernels share: a kernel that names it (a global of the kernel's
    module) gets it inlined when it compiles (``inline="always"``: typed with the caller's
    argument types, so a compile-time constant stays one inside it, and no call is left in
    the loop). Called from Python it is the plain function."""

    def __init__(self, function: Callable[..., Any]):
        self.function = function
        self._compiled: Callable[..., Any] | None = None
        self.__doc__ = function.__doc__
        self.__name__ = function.__name__

    def compiled(self) -> Callable[..., Any]:
        # two kernels compiling at once on two threads may both build it: equal copies
        if self._compiled is None:
            import numba

            self._compiled = numba.njit(inline="always", nogil=True, fastmath=False)(
                _compilable(self.function)
            )
        return self._compiled

    def __call__(self, *args: Any) -> Any:
        return self.function(*args)


def helper(function: Callable[..., Any]) -> Helper:
    """Decorator form of :class:`Helper`."""
    return Helper(function)


def _compilable(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` as Numba is to compile it: a copy whose globals hold each :class:`Helper`
    it names as the helper's compiled form, and ``numba_literally`` (a kernel may call
    ``numba_literally(n)`` to compile one version per value of n).

    Numba checks a kernel's disk cache against the kernel's own source file only, so when
    helpers are involved the copy's name carries a digest of their code: a helper changed
    in another module makes its callers compile afresh instead of loading a stale version."""
    import numba

    names = dict(function.__globals__)
    names["numba_literally"] = numba.literally
    used = _helpers(function)
    for name, value in used.items():
        names[name] = value.compiled()
    copy = types.FunctionType(
        function.__code__, names, function.__name__, function.__defaults__, function.__closure__
    )
    copy.__qualname__ = function.__qualname__
    copy.__doc__ = function.__doc__
    if used:
        digest = hashlib.sha256()
        _fingerprint(function, digest)
        copy.__qualname__ += "_" + digest.hexdigest()[:12]
    return copy


def _helpers(function: Callable[..., Any]) -> dict[str, Helper]:
    """The helpers ``function`` names, by their global names."""
    found = {name: function.__globals__.get(name) for name in function.__code__.co_names}
    return {name: value for name, value in found.items() if isinstance(value, Helper)}


def _fingerprint(function: Callable[..., Any], digest: Any) -> None:
    """Feed into ``digest`` what a compiled ``function`` depends on beyond its module: its
    code and, in turn, that of each helper it calls."""
    _code(function.__code__, digest)
    for name, value in _helpers(function).items():
        digest.update(name.encode())
        _fingerprint(value.function, digest)


def _code(code: types.CodeType, digest: Any) -> None:
    """A code object's bytecode, names and constants, nested code included (not a code
    object's repr: it holds an address)."""
    digest.update(code.co_code)
    digest.update(repr(code.co_names).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _code(const, digest)
        else:
            digest.update(repr(const).encode())


def threads() -> int:
    """How many threads the plane splitter uses: ``UPSAMPLE_THREADS`` or the CPU count."""
    value = os.environ.get("UPSAMPLE_THREADS")
    if value:
        return max(1, int(value))
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


_pool: ThreadPoolExecutor | None = None
_MIN_PLANE_WORK = 1 << 16  # below this many elements in all, threads cost more than they save


def split_planes(work: Callable[[int, int], Any], planes: int, elements: int) -> None:
    """Run ``work(start, stop)`` over plane ranges covering ``range(planes)``, on up to
    :func:`threads` threads (the work must release the GIL: NumPy copies and nogil kernels do).
    Each plane is written by exactly one call, so results do not depend on the thread count.
    """
    global _pool
    count = min(threads(), planes)
    if count <= 1 or elements < _MIN_PLANE_WORK:
        work(0, planes)
        return
    if _pool is None or _pool._max_workers < count - 1:  # noqa: SLF001 -- sized once, grown if needed
        _pool = ThreadPoolExecutor(max_workers=max(1, count - 1), thread_name_prefix="upsample")
    bounds = [planes * i // count for i in range(count + 1)]
    ranges = [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]
    # the calling thread takes the last range itself: one hand-off fewer, and it would
    # only wait otherwise
    futures = [_pool.submit(work, a, b) for a, b in ranges[:-1]]
    try:
        work(*ranges[-1])
    finally:
        for future in futures:
            future.result()
