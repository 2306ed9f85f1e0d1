"""Benchmark upsample against PyTorch CPU, side by side in one process, and the machine's limits.

    python benchmarks/run.py                     # every case, full size, table + benchmarks/results.json
    python benchmarks/run.py --both-blas         # twice: OPENBLAS_* as set, and unset (the CPU's own kernel)
    python benchmarks/run.py --quick --repeat 2  # tiny shapes, a few seconds (the smoke test)
    python benchmarks/run.py --cases bilinear    # only the cases whose name contains a substring

Method (see benchmarks/README.md for the JSON layout):

* Each case runs float32, forward and forward+backward, at ``--threads`` threads for NumPy's
  BLAS (threadpoolctl), numba and torch. upsample and every torch variant of the case are
  timed in the same process, alternating call by call (the order rotates every round, and
  each call waits until no thread of the previous one still spins), after warm-up; the
  reported time is the median of ``--repeat`` runs. Where torch has several
  equivalents of an op (bed of nails) the fastest is the baseline and its name is recorded.
* Backward: ``out, pullback = upsample.vjp(op, ...); pullback(g)`` against torch's autograd
  (``torch.autograd.grad(out, inputs, g)``, i.e. ``out.backward(g)`` without accumulating
  into ``.grad``), for the same differentiable inputs.
* torch is also timed in a worker subprocess started with ``THP_MEM_ALLOC_ENABLE=1``
  (transparent huge pages in torch's CPU allocator, read at import). Its calls join the same
  alternation: the harness asks the worker for one call at a time and records the time the
  worker measured, so all three are timed under the same machine load (``torch_thp_s``).
* Limits, measured in the same run: copy bandwidth (read + write bytes / time of a large
  ``np.copyto``, split over the threads, and torch's ``copy_``; the best is the limit) and
  float32 matmul peak (2 M^3 / time). Memory-bound cases report (input + output bytes) /
  time, convolutions 2 x MACs / time, each as a fraction of its limit.
* Peak extra memory of one upsample call: tracemalloc peak minus baseline (NumPy reports
  its allocations to tracemalloc), relative to the call's inputs + outputs. Resident-set
  high-water marks (Linux ``clear_refs``) are recorded for upsample and torch as a cross-check
  that also sees allocations tracemalloc cannot (numba, torch).
* Start-up: ``import upsample`` in fresh interpreters (median), and the first-call time of
  every case in fresh interpreters with an empty numba cache (cold) and again with the
  cache it left (warm); "no JIT" if numba is never imported.

A benchmark never asserts a time: the targets of issue 6 are shown as flags, not checked.
"""

from __future__ import annotations

import argparse
import os
import sys

# Thread counts must be fixed before NumPy, numba or torch load their thread pools:
# threadpoolctl adjusts BLAS and OpenMP later if it is installed, but not numba, nor the
# thread pool of upsample's compiled kernels (UPSAMPLE_THREADS).
if __name__ == "__main__":
    _early = argparse.ArgumentParser(add_help=False)
    _early.add_argument("--threads", type=int, default=2)
    _THREADS = str(_early.parse_known_args()[0].threads)
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
                 "UPSAMPLE_THREADS"):
        os.environ[_var] = _THREADS

import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import zlib  # noqa: E402
from collections.abc import Callable  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
SCHEMA = 1
QUIET_LIMIT_S = 0.5  # longest wait for idle threads before a timed call (see quiesce)
OTHERS_WARN = 0.1  # warn when other processes used more than this share of the CPUs
SPREAD_WARN = 1.5  # star a ratio when a side's upper quartile exceeds its lower by this factor

# Targets of issue 6, shown as flags in the table (never asserted).
TARGET_MATMUL_RATIO = 1.0      # conv, conv_transpose: at most torch's time
TARGET_MEMORY_RATIO = 0.5      # memory-bound ops: at most half torch's default time ...
TARGET_MEMORY_RATIO_THP = 1.0  # ... and at most torch's time with THP
TARGET_BANDWIDTH = 0.4         # memory-bound forward: at least 40% of copy bandwidth
TARGET_MEMORY = 2.0            # peak extra memory at most 2x inputs + outputs
TARGET_IMPORT_S = 0.15
TARGET_JIT_COLD_S = 3.0
TARGET_JIT_WARM_S = 0.3


_START = time.perf_counter()


def log(message: str) -> None:
    """Progress goes to stderr, with the seconds elapsed, so that stdout carries only the table."""
    print(f"[{time.perf_counter() - _START:6.1f} s] {message}", file=sys.stderr, flush=True)


# =========================================================================== sizes and cases

@dataclass(frozen=True)
class Size:
    """How the issue's shapes shrink: ``scale`` multiplies spatial sides; ``quick`` also
    takes batch 1 and an eighth of the channels, for a smoke run in seconds."""

    scale: float = 1.0
    quick: bool = False

    def n(self, value: int) -> int:
        return 1 if self.quick else value

    def c(self, value: int) -> int:
        return max(4, value // 8) if self.quick else value

    def s(self, value: int) -> int:
        """A spatial side, kept a multiple of 4 (pooling and x2 factors divide it)."""
        return value if self.scale == 1 else max(4, 4 * round(value * self.scale / 4))


@dataclass
class Case:
    """One benchmark case: an upsample op on float32 inputs, and its torch equivalents.

    ``inputs`` are the positional arrays in order; the first ``n_grad`` are differentiable.
    ``torch`` maps a variant's description to a function of the torch tensors.
    """

    name: str
    op: str
    inputs: dict[str, tuple[int, ...]]
    kwargs: dict[str, Any]
    torch: dict[str, Callable[..., Any]]
    bound: str                       # "matmul" (GFLOP/s vs matmul peak) or "memory" (GB/s vs copy)
    macs: int = 0                    # multiply-adds of the forward, for "matmul" cases
    n_grad: int = 1
    make: Callable[[np.random.Generator, dict[str, tuple[int, ...]]], list[np.ndarray]] | None = None
    note: str = ""

    def arrays(self, rng: np.random.Generator) -> list[np.ndarray]:
        if self.make is not None:
            return self.make(rng, self.inputs)
        return [rng.standard_normal(shape, dtype=np.float32) for shape in self.inputs.values()]


# --------------------------------------------------------------------------- torch equivalents
# Imported lazily: the JIT probe must run without torch loaded.

def _t_conv(x, w, **kwargs):
    import torch.nn.functional as F
    return getattr(F, f"conv{x.dim() - 2}d")(x, w, **kwargs)


def _t_conv_transpose(x, w, **kwargs):
    import torch.nn.functional as F
    return getattr(F, f"conv_transpose{x.dim() - 2}d")(x, w, **kwargs)


def _t_interpolate(x, **kwargs):
    import torch.nn.functional as F
    return F.interpolate(x, **kwargs)


def _t_nails_assign(x):
    """Bed of nails x2 as zeros plus a strided assignment (two kernels)."""
    n, c, h, w = x.shape
    y = x.new_zeros((n, c, 2 * h, 2 * w))
    y[:, :, ::2, ::2] = x
    return y


def _t_nails_pad(x):
    """Bed of nails x2 as one constant pad of (N, C, H, 1, W, 1) to (N, C, H, 2, W, 2)."""
    import torch.nn.functional as F
    n, c, h, w = x.shape
    return F.pad(x[:, :, :, None, :, None], (0, 1, 0, 0, 0, 1)).reshape(n, c, 2 * h, 2 * w)


def _t_nails_conv_transpose(x):
    """Bed of nails x2 as a depthwise stride-2 transposed conv with a one-hot 2x2 kernel."""
    import torch.nn.functional as F
    c = x.shape[1]
    w = x.new_zeros((c, 1, 2, 2))
    w[:, :, 0, 0] = 1
    return F.conv_transpose2d(x, w, stride=2, groups=c)


def _t_max_pool(x, **kwargs):
    import torch.nn.functional as F
    return F.max_pool2d(x, **kwargs)


def _t_max_unpool(x, indices, **kwargs):
    import torch.nn.functional as F
    return F.max_unpool2d(x, indices, **kwargs)


def _t_pixel_shuffle(x, **kwargs):
    import torch.nn.functional as F
    return F.pixel_shuffle(x, **kwargs)


def _pooled_2x2(rng: np.random.Generator, inputs: dict[str, tuple[int, ...]]) -> list[np.ndarray]:
    """max_unpool's inputs: 2x2 max pooling of a random (N, C, 2H, 2W) array, in plain NumPy
    (neither library's max_pool), with torch's flat per-plane indices."""
    n, c, h, w = inputs["x"]
    x = rng.standard_normal((n, c, 2 * h, 2 * w), dtype=np.float32)
    windows = x.reshape(n, c, h, 2, w, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h, w, 4)
    tap = windows.argmax(axis=-1)                                          # (N, C, H, W)
    values = np.take_along_axis(windows, tap[..., None], axis=-1)[..., 0]
    row = 2 * np.arange(h)[:, None] + tap // 2
    col = 2 * np.arange(w)[None, :] + tap % 2
    return [np.ascontiguousarray(values), (row * (2 * w) + col).astype(np.int64)]


def _conv_macs(x, w, stride, padding) -> int:
    """N * C_out * prod(o) * C_in * prod(k) for a convolution (groups 1, dilation 1)."""
    out = [(i + 2 * padding - k) // stride + 1 for i, k in zip(x[2:], w[2:])]
    return x[0] * w[0] * math.prod(out) * w[1] * math.prod(w[2:])


def _conv_transpose_macs(x, w) -> int:
    """N * C_in * prod(i) * C_out * prod(k): every input element times the whole kernel."""
    return x[0] * math.prod(x[1:]) * w[1] * math.prod(w[2:])


def build_cases(size: Size) -> list[Case]:
    """The cases of issue 6, at ``size``."""
    n, c, s = size.n, size.c, size.s
    cases = []

    def conv_transpose(name, x, w, **kwargs):
        cases.append(Case(name, "conv_transpose", {"x": x, "weight": w}, kwargs,
                          {f"F.conv_transpose{len(x) - 2}d": partial(_t_conv_transpose, **kwargs)},
                          "matmul", macs=_conv_transpose_macs(x, w), n_grad=2))

    def conv(name, x, w, **kwargs):
        cases.append(Case(name, "conv", {"x": x, "weight": w}, kwargs,
                          {f"F.conv{len(x) - 2}d": partial(_t_conv, **kwargs)},
                          "matmul", macs=_conv_macs(x, w, kwargs["stride"], kwargs["padding"]),
                          n_grad=2))

    conv_transpose("conv_transpose 2d k4", (n(8), c(64), s(64), s(64)), (c(64), c(32), 4, 4),
                   stride=2, padding=1)
    conv_transpose("conv_transpose 2d k3 op1", (n(1), c(256), s(128), s(128)), (c(256), c(128), 3, 3),
                   stride=2, padding=1, output_padding=1)
    conv_transpose("conv_transpose 3d k4", (n(2), c(32), s(16), s(32), s(32)), (c(32), c(16), 4, 4, 4),
                   stride=2, padding=1)
    conv("conv 2d k4", (n(8), c(32), s(128), s(128)), (c(64), c(32), 4, 4), stride=2, padding=1)
    conv("conv 2d k3", (n(1), c(128), s(256), s(256)), (c(256), c(128), 3, 3), stride=2, padding=1)

    image = {"x": (n(8), c(64), s(128), s(128))}
    for name, mode, align in [("nearest x2", "nearest", None), ("bilinear x2", "bilinear", False),
                              ("bilinear x2 align_corners", "bilinear", True),
                              ("bicubic x2", "bicubic", False)]:
        kwargs = {"scale_factor": 2, "mode": mode}
        if align is not None:
            kwargs["align_corners"] = align
        cases.append(Case(name, "interpolate", image, kwargs,
                          {f"F.interpolate {mode}": partial(_t_interpolate, **kwargs)}, "memory"))

    cases.append(Case("bed_of_nails x2", "bed_of_nails", image, {"scale_factor": 2},
                      {"zeros + strided assign": _t_nails_assign,
                       "F.pad (N,C,H,1,W,1) + reshape": _t_nails_pad,
                       "F.conv_transpose2d one-hot depthwise": _t_nails_conv_transpose},
                      "memory", note="torch has no bed of nails: the fastest of three equivalents"))
    cases.append(Case("max_pool 2x2 indices", "max_pool", {"x": (n(8), c(64), s(256), s(256))},
                      {"kernel_size": 2, "return_indices": True},
                      {"F.max_pool2d return_indices": partial(_t_max_pool, kernel_size=2,
                                                              return_indices=True)}, "memory"))
    cases.append(Case("max_unpool 2x2", "max_unpool",
                      {"x": (n(8), c(64), s(128), s(128)), "indices": (n(8), c(64), s(128), s(128))},
                      {"kernel_size": 2},
                      {"F.max_unpool2d": partial(_t_max_unpool, kernel_size=2)}, "memory",
                      make=_pooled_2x2, note="inputs: 2x2 max pooling of (N, C, 2H, 2W)"))
    cases.append(Case("pixel_shuffle r2", "pixel_shuffle", {"x": (n(8), c(256), s(64), s(64))},
                      {"upscale_factor": 2},
                      {"F.pixel_shuffle": partial(_t_pixel_shuffle, upscale_factor=2)}, "memory"))
    return cases


def select(cases: list[Case], filters: str | None) -> list[Case]:
    """Cases whose name contains any of the comma-separated substrings."""
    if not filters:
        return cases
    wanted = [f.strip() for f in filters.split(",") if f.strip()]
    return [case for case in cases if any(f in case.name for f in wanted)]


# =========================================================================== small helpers

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
            clear.write("5")               # resets VmHWM to the current resident set
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
        before = time.process_time()                   # CPU time of all threads
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


# =========================================================================== machine

def limit_threads(threads: int) -> dict[str, Any]:
    """Fix NumPy's BLAS, OpenMP, numba and torch at ``threads``; report what was done."""
    done: dict[str, Any] = {"threads": threads}
    try:
        from threadpoolctl import threadpool_limits
        global _LIMITER
        _LIMITER = threadpool_limits(limits=threads)
        done["threadpoolctl"] = True
    except ImportError:
        done["threadpoolctl"] = False
        done["note"] = ("threadpoolctl is not installed: BLAS threads were fixed only through "
                        "OPENBLAS_NUM_THREADS/OMP_NUM_THREADS at start-up")
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    _limit_numba(threads)
    return done


_LIMITER = None


def _limit_numba(threads: int) -> None:
    if "numba" in sys.modules:
        numba = sys.modules["numba"]
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))


def blas_info() -> list[dict[str, Any]]:
    """The BLAS and OpenMP libraries loaded, their kernel (architecture) and thread counts."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        config = np.show_config(mode="dicts") if hasattr(np, "show_config") else {}
        blas = config.get("Build Dependencies", {}).get("blas", {})
        return [{"user_api": "blas", "internal_api": blas.get("name"), "version": blas.get("version"),
                 "architecture": "unknown (threadpoolctl not installed)", "num_threads": None}]
    keep = ("user_api", "internal_api", "prefix", "version", "architecture", "threading_layer",
            "num_threads", "filepath")
    return [{k: lib.get(k) for k in keep if k in lib} for lib in threadpool_info()]


def copy_bandwidth(nbytes: int, threads: int, repeat: int) -> dict[str, Any]:
    """Copy bandwidth in GB/s, counting bytes read plus bytes written (2 x nbytes), from
    the fastest run: a limit is what the machine can do, whatever else was running.

    NumPy's copy is single-threaded, so the threaded figure splits the array into one
    contiguous chunk per thread (``np.copyto`` releases the GIL). torch's ``copy_`` is
    measured too; the best of them is the limit.
    """
    n = nbytes // 4
    src = np.ones(n, dtype=np.float32)
    dst = np.zeros(n, dtype=np.float32)           # touched, so page faults are not timed
    bounds = np.linspace(0, n, threads + 1).astype(int)
    chunks = [(dst[a:b], src[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    pool = ThreadPoolExecutor(max(1, threads - 1))

    def threaded():
        futures = [pool.submit(np.copyto, d, s) for d, s in chunks[1:]]
        np.copyto(*chunks[0])
        for f in futures:
            f.result()

    fns = {"numpy 1 thread": lambda: np.copyto(dst, src), f"numpy {threads} threads": threaded}
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        tsrc, tdst = torch.ones(n), torch.zeros(n)
        fns[f"torch copy_ {threads} threads"] = lambda: tdst.copy_(tsrc)
    times = time_alternating(fns, repeat, warmup=1)
    pool.shutdown()
    gbps = {name: 2 * src.nbytes / min(t) / 1e9 for name, t in times.items()}
    best = max(gbps, key=gbps.get)
    return {"gbps": gbps[best], "method": best, "by_method": gbps, "array_bytes": src.nbytes,
            "median_gbps": {name: 2 * src.nbytes / _median(t) / 1e9 for name, t in times.items()}}


def matmul_peak(m: int, repeat: int) -> dict[str, Any]:
    """float32 (m, m) @ (m, m) in GFLOP/s, 2 m^3 / fastest time, for NumPy's BLAS and torch."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, m), dtype=np.float32)
    b = rng.standard_normal((m, m), dtype=np.float32)
    fns = {"numpy": lambda: a @ b}
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        ta, tb = torch.from_numpy(a.copy()), torch.from_numpy(b.copy())
        fns["torch"] = lambda: ta @ tb
    times = time_alternating(fns, repeat, warmup=1)
    gflops = {name: 2 * m ** 3 / min(t) / 1e9 for name, t in times.items()}
    return {"gflops": gflops["numpy"], "shape": [m, m], "torch_gflops": gflops.get("torch"),
            "median_gflops": {name: 2 * m ** 3 / _median(t) / 1e9 for name, t in times.items()}}


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "numpy": np.__version__,
                            "machine": platform.machine(), "cpu_count": os.cpu_count(),
                            "loadavg_start": _loadavg()}
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            info["cpu"] = next((line.split(":", 1)[1].strip() for line in cpuinfo
                                if line.startswith("model name")), None)
    except OSError:
        info["cpu"] = None
    for name in ("enabled", "defrag"):
        try:
            info[f"transparent_hugepage_{name}"] = Path(
                f"/sys/kernel/mm/transparent_hugepage/{name}").read_text().strip()
        except OSError:
            pass
    info["env"] = {k: os.environ.get(k) for k in (*BLAS_VARIABLES, "THP_MEM_ALLOC_ENABLE",
                                                  "OMP_NUM_THREADS", "NUMBA_NUM_THREADS",
                                                  "UPSAMPLE_THREADS", "UPSAMPLE_JIT")}
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        info["torch"] = torch.__version__
        info["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
        info["torch_num_threads"] = torch.get_num_threads()
    return info


class CpuShare:
    """How much of the machine's CPU time other processes used between start and stop:
    all busy time in /proc/stat minus this process's and its reaped children's."""

    def __init__(self):
        self.start = self._snapshot()

    @staticmethod
    def _snapshot() -> tuple[float, float, float] | None:
        try:
            with open("/proc/stat") as stat:
                ticks = [int(v) for v in stat.readline().split()[1:9]]
        except (OSError, ValueError):
            return None
        user, nice, system, idle, iowait, irq, softirq, steal = ticks
        busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
        t = os.times()
        own = t.user + t.system + t.children_user + t.children_system
        return busy, own, time.perf_counter()

    def others(self) -> float | None:
        end = self._snapshot()
        if self.start is None or end is None:
            return None
        busy, own, wall = (b - a for a, b in zip(self.start, end))
        return max(0.0, (busy - own) / (wall * (os.cpu_count() or 1)))


def _loadavg() -> list[float] | None:
    try:
        return list(os.getloadavg())
    except OSError:
        return None


# --------------------------------------------------------------------------- start-up and JIT

def import_time(repeat: int) -> dict[str, Any]:
    """``import upsample`` in fresh interpreters: with NumPy already imported, and in total."""
    code = ("import sys, time\n{pre}t = time.perf_counter()\nimport upsample\n"
            "dt = time.perf_counter() - t\n"
            "heavy = sorted(m for m in ('numba', 'torch', 'PIL', 'rich', 'skimage', 'scipy') "
            "if m in sys.modules)\nprint(dt, ','.join(heavy))")
    result: dict[str, Any] = {}
    for key, pre in (("after_numpy_s", "import numpy\n"), ("total_s", "")):
        runs, heavy = [], ""
        for _ in range(repeat):
            done = subprocess.run([sys.executable, "-c", code.format(pre=pre)], capture_output=True,
                                  text=True, check=True)
            seconds, _, heavy = done.stdout.strip().partition(" ")
            runs.append(float(seconds))
        result[key] = _median(runs)
        result[key.replace("_s", "_runs")] = runs
        result["heavy_modules_imported"] = [m for m in heavy.split(",") if m]
    return result


def jit_probe(args: argparse.Namespace) -> dict[str, Any]:
    """Run in a fresh interpreter (``--_jit-probe``): the first and second call of every case."""
    t = time.perf_counter()
    import upsample
    report: dict[str, Any] = {"import_s": time.perf_counter() - t,
                              "numba_at_import": "numba" in sys.modules, "cases": {}}
    limit_threads(args.threads)
    for case in select(build_cases(Size(args.scale, args.quick)), args.cases):
        fn = getattr(upsample, case.op, None)
        if fn is None:
            continue
        rng = case_rng(case)
        arrays = case.arrays(rng)
        timings: dict[str, Any] = {}
        try:
            for label, call in (("forward", lambda: fn(*arrays, **case.kwargs)),
                                ("forward+backward", lambda: _upsample_fwd_bwd(upsample, fn, arrays,
                                                                               case.kwargs, rng))):
                runs = []
                for _ in range(2):
                    _limit_numba(args.threads)
                    start = time.perf_counter()
                    call()
                    runs.append(time.perf_counter() - start)
                timings[label] = {"first_s": runs[0], "second_s": runs[1]}
        except (ValueError, TypeError, NotImplementedError) as error:
            timings["missing"] = f"{type(error).__name__}: {error}"
        except Exception as error:  # noqa: BLE001 -- e.g. a numba typing error: report, go on
            timings["error"] = f"{type(error).__name__}: {error}"
        report["cases"][case.name] = timings
    report["numba_used"] = "numba" in sys.modules
    return report


def _upsample_fwd_bwd(upsample, fn, arrays, kwargs, rng):
    out, pullback = upsample.vjp(fn, *arrays, **kwargs)
    g = rng.standard_normal(_primary(out).shape, dtype=np.float32)
    return pullback(g)


def jit_times(args: argparse.Namespace) -> dict[str, Any] | str:
    """First-call times with an empty numba cache, then with the cache the first run left."""
    with tempfile.TemporaryDirectory(prefix="upsample-numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        runs = {}
        for label in ("cold", "warm"):
            child = [sys.executable, str(Path(__file__).resolve()), "--_jit-probe",
                     *_child_flags(args)]
            done = subprocess.run(child, env=env, capture_output=True, text=True)
            if done.returncode:
                return f"JIT probe failed: {done.stderr.strip()[-2000:]}"
            runs[label] = json.loads(done.stdout)
            if label == "cold" and not runs[label]["numba_used"]:
                return "no JIT"
    summary: dict[str, Any] = {"numba_at_import": runs["cold"]["numba_at_import"]}
    for label, report in runs.items():
        firsts = {f"{name} {p}": t["first_s"] for name, passes in report["cases"].items()
                  for p, t in passes.items() if isinstance(t, dict)}
        extra = {f"{name} {p}": t["first_s"] - t["second_s"] for name, passes in report["cases"].items()
                 for p, t in passes.items() if isinstance(t, dict)}
        worst = max(firsts, key=firsts.get) if firsts else None
        summary[label] = {"max_first_call_s": firsts.get(worst), "max_first_call_case": worst,
                          "total_first_calls_s": sum(firsts.values()),
                          # the first call's excess over the second: compiling or loading
                          "max_first_minus_second_s": max(extra.values(), default=None),
                          "cases": report["cases"]}
    return summary


# =========================================================================== one case

PASSES = ("forward", "forward+backward")


@dataclass
class Prepared:
    """A case's inputs for both libraries, built once for both passes."""

    case: Case
    arrays: list[np.ndarray]
    tensors: list[Any]
    grad_tensors: list[Any]
    g: np.ndarray
    tg: Any
    reference: Any                      # torch's forward output


def case_rng(case: Case) -> np.random.Generator:
    """The same inputs for a case in every process and whatever ``--cases`` selects."""
    return np.random.default_rng(zlib.crc32(case.name.encode()))


def prepare(case: Case) -> Prepared:
    import torch
    rng = case_rng(case)
    arrays = case.arrays(rng)
    tensors = [torch.tensor(a) for a in arrays]            # torch's own allocations
    grad_tensors = [t.clone().requires_grad_(i < case.n_grad) for i, t in enumerate(tensors)]
    variant = next(iter(case.torch.values()))
    with torch.no_grad():
        reference = variant(*tensors)
    g = rng.standard_normal(tuple(_primary(reference).shape), dtype=np.float32)
    return Prepared(case, arrays, tensors, grad_tensors, g, torch.tensor(g), reference)


def torch_callables(p: Prepared, backward: bool) -> dict[str, Callable[[], Any]]:
    """One call per torch variant; with backward, autograd's input gradients for ``g``."""
    import torch
    fns = {}
    for name, variant in p.case.torch.items():
        if backward:
            def call(variant=variant):
                out = variant(*p.grad_tensors)
                return torch.autograd.grad(_primary(out), p.grad_tensors[:p.case.n_grad], p.tg)
        else:
            def call(variant=variant):
                with torch.no_grad():
                    return variant(*p.tensors)
        fns[name] = call
    return fns


def upsample_callable(upsample, p: Prepared, backward: bool) -> Callable[[], Any] | None:
    """One upsample call; with backward ``(out, grads)`` from ``vjp`` and the pullback."""
    fn = getattr(upsample, p.case.op, None)
    if fn is None:
        return None
    if not backward:
        return lambda: fn(*p.arrays, **p.case.kwargs)

    def call():
        out, pullback = upsample.vjp(fn, *p.arrays, **p.case.kwargs)
        return out, pullback(p.g)
    return call


TORCH, THP = "torch: ", "torch THP: "


def run_pass(upsample, p: Prepared, backward: bool, args: argparse.Namespace,
             limits: dict[str, Any], worker: ThpWorker | None) -> dict[str, Any]:
    """Time, measure and check one case in one pass (forward, or forward+backward)."""
    case = p.case
    label = PASSES[backward]
    row: dict[str, Any] = {"case": case.name, "op": case.op, "pass": label, "bound": case.bound,
                           "shapes": {k: list(v) for k, v in case.inputs.items()},
                           "kwargs": case.kwargs, "note": case.note}
    fns = torch_callables(p, backward)
    torch_out = next(iter(fns.values()))()                 # for the checks; also a warm-up
    ours = upsample_callable(upsample, p, backward)
    ours_out = None
    if ours is None:
        row["status"], row["reason"] = "missing", f"upsample has no {case.op}"
    else:
        try:
            ours_out = ours()
            row["status"] = "ok"
        except (ValueError, TypeError, NotImplementedError) as error:
            row["status"], row["reason"] = "missing", f"{type(error).__name__}: {error}"
        except Exception as error:  # noqa: BLE001 -- a crash is reported, the run goes on
            row["status"], row["reason"] = "error", f"{type(error).__name__}: {error}"

    timed = {"upsample": ours} if row["status"] == "ok" else {}
    timed.update({TORCH + name: fn for name, fn in fns.items()})
    if worker is not None:
        timed.update({THP + name: worker.callable(label, name) for name in case.torch})
    times = time_alternating(timed, args.repeat, args.warmup)

    for prefix, key in ((TORCH, "torch"), (THP, "torch_thp")):
        medians = {name[len(prefix):]: _median(t) for name, t in times.items() if name.startswith(prefix)}
        if not medians:
            continue
        best = min(medians, key=medians.get)
        row[f"{key}_s"], row[f"{key}_variant"] = medians[best], best
        row[f"{key}_runs"] = times[prefix + best]
        if len(medians) > 1:
            row[f"{key}_variants_s"] = medians

    # bytes moved: inputs and outputs; with backward also the incoming and input gradients
    torch_bytes = _nbytes(p.tensors) + _nbytes(torch_out)
    if backward:                                       # torch_out holds the input gradients
        torch_bytes += _nbytes(p.reference) + p.g.nbytes
    flops = 2 * case.macs * (3 if backward else 1)     # backward: grad-input and grad-weight
    row["work"] = {"flops": flops} if case.bound == "matmul" else {"bytes_torch": torch_bytes}
    row["torch_achieved"] = _achieved(case, flops, torch_bytes, row["torch_s"], limits)

    if row["status"] == "ok":
        row["upsample_s"] = _median(times["upsample"])
        row["upsample_runs"] = times["upsample"]
        row["ratio"] = row["upsample_s"] / row["torch_s"]
        if "torch_thp_s" in row:
            row["ratio_thp"] = row["upsample_s"] / row["torch_thp_s"]
        for key in ("torch", "torch_thp"):
            if f"{key}_runs" in row:
                row[f"ratio{key[5:]}_paired"] = paired_ratio(row["upsample_runs"], row[f"{key}_runs"])
        io = _nbytes(p.arrays) + _nbytes(ours_out) + (p.g.nbytes if backward else 0)
        if case.bound == "memory":
            row["work"]["bytes"] = io
        row["achieved"] = _achieved(case, flops, io, row["upsample_s"], limits)
        row.update(_memory_and_checks(ours, ours_out, torch_out, io, backward))
        row["memory"]["torch_rss_peak_extra_bytes"] = rss_peak_extra(fns[row["torch_variant"]])
    row["targets"] = flag_targets(row)
    return row


def _achieved(case: Case, flops: int, nbytes: int, seconds: float, limits: dict[str, Any]) -> dict[str, Any]:
    if case.bound == "matmul":
        value = flops / seconds / 1e9
        return {"unit": "GFLOP/s", "value": value, "fraction_of_limit": value / limits["matmul"]["gflops"]}
    value = nbytes / seconds / 1e9
    return {"unit": "GB/s", "value": value, "fraction_of_limit": value / limits["copy"]["gbps"]}


def _memory_and_checks(ours: Callable[[], Any], first: Any, torch_out: Any, io: int,
                       backward: bool) -> dict[str, Any]:
    """Peak extra memory of one call, run-to-run identity, and agreement with torch (values
    forward; with backward the input gradients, ``first`` being ``(out, grads)``)."""
    traced, again = traced_peak_extra(ours)
    return {
        "memory": {"io_bytes": io, "peak_extra_bytes": traced, "peak_extra_over_io": traced / io,
                   "scratch_bytes": max(0, traced - _nbytes(again)),
                   "rss_peak_extra_bytes": rss_peak_extra(ours)},
        "deterministic": _identical(first, again),
        "max_rel_diff_vs_torch": _max_rel_diff(first[1] if backward else first, torch_out),
    }


def flag_targets(row: dict[str, Any]) -> dict[str, bool]:
    """Which of issue 6's targets this row meets (only the targets that apply)."""
    if row.get("status") != "ok":
        return {}
    flags = {"memory": row["memory"]["peak_extra_over_io"] <= TARGET_MEMORY}
    if row["bound"] == "matmul":
        flags["ratio"] = row["ratio"] <= TARGET_MATMUL_RATIO
    else:
        flags["ratio"] = row["ratio"] <= TARGET_MEMORY_RATIO
        if "ratio_thp" in row:
            flags["ratio_thp"] = row["ratio_thp"] <= TARGET_MEMORY_RATIO_THP
        if row["pass"] == "forward":
            flags["bandwidth"] = row["achieved"]["fraction_of_limit"] >= TARGET_BANDWIDTH
    return flags


# =========================================================================== the THP worker

class ThpWorker:
    """A subprocess with ``THP_MEM_ALLOC_ENABLE=1`` that runs torch calls on request.

    Protocol: one JSON line each way. ``{"cmd": "prepare", "case": name}`` builds a case's
    inputs (the same as here: :func:`case_rng`); ``{"cmd": "call", "pass": ..., "variant":
    ...}`` runs and times one call and answers ``{"s": seconds}``; ``{"cmd": "quit"}``.
    """

    def __init__(self, args: argparse.Namespace):
        self.errors = tempfile.TemporaryFile(mode="w+")
        child = [sys.executable, str(Path(__file__).resolve()), "--_thp-worker", *_child_flags(args)]
        self.process = subprocess.Popen(child, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.errors, text=True,
                                        env=dict(os.environ, THP_MEM_ALLOC_ENABLE="1"))
        self.ask(cmd="hello")

    def ask(self, **message: Any) -> dict[str, Any]:
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        except BrokenPipeError:
            answer = ""
        if not answer:
            self.errors.seek(0)
            raise RuntimeError(f"the THP worker died:\n{self.errors.read()[-3000:]}")
        return json.loads(answer)

    def callable(self, label: str, variant: str) -> Callable[[], Measured]:
        return lambda: Measured(self.ask(cmd="call", **{"pass": label, "variant": variant})["s"])

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.process.stdin.close()
            self.process.wait(timeout=60)
        self.errors.close()


def thp_worker(args: argparse.Namespace) -> None:
    """The worker's side of :class:`ThpWorker`, reading stdin until ``quit``."""
    import torch  # noqa: F401  -- with THP_MEM_ALLOC_ENABLE=1, read by torch's allocator here
    limit_threads(args.threads)
    cases = {case.name: case for case in build_cases(Size(args.scale, args.quick))}
    calls: dict[str, dict[str, Callable[[], Any]]] = {}
    collect()
    gc.disable()                                        # as in time_alternating
    for line in sys.stdin:
        message = json.loads(line)
        if message["cmd"] == "quit":
            break
        if message["cmd"] == "prepare":
            calls = {}
            gc.collect()
            p = prepare(cases[message["case"]])
            calls = {label: torch_callables(p, label == "forward+backward") for label in PASSES}
            del p
            answer: dict[str, Any] = {"ok": True}
        elif message["cmd"] == "call":
            fn = calls[message["pass"]][message["variant"]]
            start = time.perf_counter()
            out = fn()
            answer = {"s": time.perf_counter() - start}
            del out
            quiesce()                                   # idle before the next call, anywhere
        else:
            answer = {"ok": True}
        print(json.dumps(answer), flush=True)


# =========================================================================== whole runs

def run_cases(args: argparse.Namespace, limits: dict[str, Any]) -> list[dict[str, Any]]:
    import upsample
    _limit_numba(args.threads)
    worker = ThpWorker(args)
    rows = []
    try:
        for case in select(build_cases(Size(args.scale, args.quick)), args.cases):
            p = prepare(case)
            worker.ask(cmd="prepare", case=case.name)
            for backward in (False, True):
                log(f"  {case.name} {PASSES[backward]}")
                rows.append(run_pass(upsample, p, backward, args, limits, worker))
                _limit_numba(args.threads)      # an op may have imported numba just now
            del p
            collect()
    finally:
        worker.close()
    return rows


def _child_flags(args: argparse.Namespace) -> list[str]:
    flags = ["--threads", str(args.threads), "--repeat", str(args.repeat), "--warmup", str(args.warmup),
             "--scale", repr(args.scale)]
    if args.quick:
        flags.append("--quick")
    if args.cases:
        flags += ["--cases", args.cases]
    return flags


def measure_limits(args: argparse.Namespace) -> dict[str, Any]:
    log("limits: copy bandwidth, matmul peak")
    copy_bytes = (32 if args.quick else 512) * 2 ** 20
    return {"copy": copy_bandwidth(copy_bytes, args.threads, 3 if args.quick else 7),
            "matmul": matmul_peak(512 if args.quick else 3072, 2 if args.quick else 5)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """One whole benchmark: this process, the THP worker, and the start-up subprocesses."""
    share = CpuShare()
    import torch  # noqa: F401  -- loaded before the threads are fixed
    threads = limit_threads(args.threads)
    result: dict[str, Any] = {"schema": SCHEMA, "meta": {**machine_info(), "threading": threads,
                                                         "repeat": args.repeat, "warmup": args.warmup,
                                                         "scale": args.scale, "quick": args.quick,
                                                         "argv": sys.argv[1:]}}
    result["blas"] = blas_info()
    result["limits"] = limits = measure_limits(args)
    log("cases: upsample, torch and torch with THP (worker process), alternating")
    result["cases"] = run_cases(args, limits)
    result["blas_after_cases"] = blas_info()            # numba or an op may have loaded more
    log("start-up: import time, JIT first calls (subprocesses)")
    result["startup"] = {"import": import_time(3 if args.quick else 7), "jit": jit_times(args)}
    result["meta"]["loadavg_end"] = _loadavg()
    result["meta"]["other_processes_cpu"] = share.others()
    return result


def run_both_blas(args: argparse.Namespace) -> dict[str, Any]:
    """The whole benchmark twice, in subprocesses: OPENBLAS_* as set, and both removed."""
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label in ("cpu_kernel", "env_kernel"):
            env = dict(os.environ)
            if label == "cpu_kernel":
                for var in BLAS_VARIABLES:
                    env.pop(var, None)
                log(f"=== {label}: {' and '.join(BLAS_VARIABLES)} unset")
            else:
                log(f"=== {label}: environment unchanged, "
                    + ", ".join(f"{v}={os.environ.get(v)}" for v in BLAS_VARIABLES))
            out = Path(tmp) / f"{label}.json"
            child = [sys.executable, str(Path(__file__).resolve()), "--json", str(out), *_child_flags(args)]
            subprocess.run(child, env=env, check=True, stdout=subprocess.DEVNULL)
            runs[label] = json.loads(out.read_text())
    result: dict[str, Any] = {"schema": SCHEMA, "mode": "both-blas", "runs": runs}
    if all(os.environ.get(v) is None for v in BLAS_VARIABLES):
        result["note"] = "neither OPENBLAS variable was set, so both runs used the same kernel"
    return result


# =========================================================================== the table

def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.2f}"


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


def _noisy(row: dict[str, Any], *keys: str) -> str:
    """A star after a ratio whose two sides had widely spread runs."""
    spreads = [spread(row.get(f"{key}_runs")) for key in keys]
    return "*" if any(s is not None and s > SPREAD_WARN for s in spreads) else ""


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def format_table(result: dict[str, Any]) -> str:
    meta, limits = result["meta"], result["limits"]
    blas = [lib for lib in result["blas"] if lib.get("user_api") == "blas"]
    lines = [
        f"upsample vs torch {meta.get('torch')} CPU, float32, {meta['threading']['threads']} threads, "
        f"median of {meta['repeat']} (warm-up {meta['warmup']}), scale {meta['scale']}"
        + (" quick" if meta["quick"] else ""),
        f"cpu: {meta.get('cpu')} x{meta.get('cpu_count')}; other processes' share of the CPUs during "
        f"the run: " + ("?" if meta.get("other_processes_cpu") is None else f"{meta['other_processes_cpu']:.0%}"),
        "env: " + ", ".join(f"{k}={v}" for k, v in meta["env"].items() if v is not None),
        "BLAS: " + "; ".join(f"{b.get('internal_api')} {b.get('version')} kernel {b.get('architecture')} "
                             f"threads {b.get('num_threads')}" for b in blas),
        f"limits: copy {limits['copy']['gbps']:.1f} GB/s ({limits['copy']['method']}; "
        + ", ".join(f"{k} {v:.1f}" for k, v in limits["copy"]["by_method"].items())
        + f"); matmul {limits['matmul']['gflops']:.0f} GFLOP/s numpy"
        + (f", {limits['matmul']['torch_gflops']:.0f} torch" if limits["matmul"].get("torch_gflops") else "")
        + f" at {limits['matmul']['shape']}",
    ]
    startup = result.get("startup", {})
    if startup:
        imp = startup["import"]
        jit = startup["jit"]
        jit_text = jit if isinstance(jit, str) else (
            f"cold max {jit['cold']['max_first_call_s']:.2f} s ({jit['cold']['max_first_call_case']}), "
            f"total {jit['cold']['total_first_calls_s']:.2f} s; warm max {jit['warm']['max_first_call_s']:.2f} s, "
            f"total {jit['warm']['total_first_calls_s']:.2f} s; numba at import: {jit['numba_at_import']}")
        lines.append(f"import upsample: {imp['after_numpy_s'] * 1e3:.0f} ms after numpy, "
                     f"{imp['total_s'] * 1e3:.0f} ms in total; heavy modules at import: "
                     f"{imp['heavy_modules_imported'] or 'none'}; JIT: {jit_text}")
        missed = startup_targets_missed(startup)
        lines.append("start-up targets (import <= 0.15 s in total, no compiling at import, JIT first "
                     "call <= 3 s cold and <= 0.3 s warm): " + (", ".join(missed) or "met"))
    others = meta.get("other_processes_cpu")
    if others is not None and others > OTHERS_WARN:
        lines.append(f"WARNING: other processes used {others:.0%} of the machine's CPU time during this "
                     "run: multi-threaded times (torch's especially) are inflated and noisy; rerun on a "
                     "quiet machine before trusting the ratios")
    header = (f"{'case':<26} {'pass':<8} {'upsample':>9} {'torch':>9} {'ratio':>7} {'thp':>9} "
              f"{'r/thp':>7} {'achieved':>15} {'limit':>6} {'mem':>6} {'det':>3} {'diff':>8}  targets missed")
    lines += ["", "times in ms; ratio = upsample / torch (lower is better); thp = torch with "
              "THP_MEM_ALLOC_ENABLE=1; achieved = upsample's GB/s or GFLOP/s; limit = its fraction "
              "of copy bandwidth or matmul peak; mem = peak extra memory / (inputs + outputs); "
              f"* = the runs of one side spread widely (upper quartile > {SPREAD_WARN}x lower), see *_runs "
              "in the JSON",
              header, "-" * len(header)]
    for row in result["cases"]:
        short = "fwd" if row["pass"] == "forward" else "fwd+bwd"
        if row.get("status") != "ok":
            lines.append(f"{row['case']:<26} {short:<8} {row['status']:>9} {_ms(row.get('torch_s')):>9} "
                         f"{'':>7} {_ms(row.get('torch_thp_s')):>9}   {row.get('reason', '')[:60]}")
            continue
        ach = row["achieved"]
        missed = [k for k, ok in row["targets"].items() if ok is False]
        lines.append(
            f"{row['case']:<26} {short:<8} {_ms(row['upsample_s']):>9} {_ms(row['torch_s']):>9} "
            f"{_x(row['ratio']) + _noisy(row, 'upsample', 'torch'):>7} {_ms(row.get('torch_thp_s')):>9} "
            f"{_x(row.get('ratio_thp')) + _noisy(row, 'upsample', 'torch_thp'):>7} "
            f"{ach['value']:>7.1f} {ach['unit']:<7} {ach['fraction_of_limit']:>6.0%} "
            f"{row['memory']['peak_extra_over_io']:>5.2f}x {'yes' if row['deterministic'] else 'NO':>3} "
            f"{_diff(row['max_rel_diff_vs_torch']):>8}  {', '.join(missed) or '-'}")
    variants = [f"{row['case']} {row['pass']}: {row['torch_variant']}" for row in result["cases"]
                if "torch_variants_s" in row]
    if variants:
        lines += ["", "torch baseline chosen among equivalents (fastest): " + "; ".join(variants)]
    return "\n".join(lines)


def startup_targets_missed(startup: dict[str, Any]) -> list[str]:
    """Issue 6's start-up targets that this run missed."""
    missed = []
    if startup["import"]["total_s"] > TARGET_IMPORT_S:
        missed.append("import time")
    if "numba" in startup["import"]["heavy_modules_imported"]:
        missed.append("numba imported at import")
    jit = startup["jit"]
    if isinstance(jit, dict):
        if jit["cold"]["max_first_call_s"] is not None and jit["cold"]["max_first_call_s"] > TARGET_JIT_COLD_S:
            missed.append(f"cold first call ({jit['cold']['max_first_call_case']})")
        if jit["warm"]["max_first_call_s"] is not None and jit["warm"]["max_first_call_s"] > TARGET_JIT_WARM_S:
            missed.append(f"warm first call ({jit['warm']['max_first_call_case']})")
    elif jit != "no JIT":
        missed.append("JIT probe failed")
    return missed


def _diff(value: float | None) -> str:
    return "shape?" if value is None else f"{value:.1e}"


def format_both(result: dict[str, Any]) -> str:
    runs = {k: v for k, v in result["runs"].items() if k != "note"}
    lines = []
    for label, run_result in runs.items():
        lines += [f"=== {label}", format_table(run_result), ""]
    lines.append("ratios side by side: cpu_kernel = OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset, "
                 "env_kernel = as set")
    lines.append(f"{'case':<26} {'pass':<8} {'cpu_kernel':>10} {'env_kernel':>10} {'cpu r/thp':>10} "
                 f"{'env r/thp':>10}")
    by_label = {label: {(r["case"], r["pass"]): r for r in run["cases"]} for label, run in runs.items()}
    for key in by_label["cpu_kernel"]:
        cpu, env = by_label["cpu_kernel"][key], by_label["env_kernel"].get(key, {})
        lines.append(f"{key[0]:<26} {'fwd' if key[1] == 'forward' else 'fwd+bwd':<8} "
                     f"{_x(cpu.get('ratio')):>10} {_x(env.get('ratio')):>10} "
                     f"{_x(cpu.get('ratio_thp')):>10} {_x(env.get('ratio_thp')):>10}")
    kernels = {label: [b.get("architecture") for b in run["blas"] if b.get("user_api") == "blas"]
               for label, run in runs.items()}
    lines.append(f"BLAS kernels: {kernels}")
    return "\n".join(lines)


# =========================================================================== command line

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, default=HERE / "results.json",
                        help="where to write the results (default benchmarks/results.json)")
    parser.add_argument("--repeat", type=int, default=11, help="timed runs per case, median (default 11)")
    parser.add_argument("--warmup", type=int, default=None, help="untimed runs first (default 2, quick 1)")
    parser.add_argument("--threads", type=int, default=2, help="threads for every library (default 2)")
    parser.add_argument("--scale", type=float, default=None,
                        help="multiply spatial sides by this (default 1, quick 1/16)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny shapes (batch 1, 1/8 of the channels, sides / 16) and small limits")
    parser.add_argument("--cases", default=None, help="only cases whose name contains one of these "
                        "comma-separated substrings")
    parser.add_argument("--show", type=Path, default=None, metavar="JSON",
                        help="only print the table(s) of an earlier run's JSON")
    parser.add_argument("--both-blas", action="store_true",
                        help="run everything twice: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset and as set")
    parser.add_argument("--_thp-worker", dest="thp_worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_jit-probe", dest="jit_probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale is None:
        args.scale = 1 / 16 if args.quick else 1.0
    if args.warmup is None:
        args.warmup = 1 if args.quick else 2
    if args.repeat < 1 or args.threads < 1 or args.scale <= 0:
        parser.error("--repeat and --threads must be at least 1, --scale positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.show is not None:
        shown = json.loads(args.show.read_text())
        print(format_both(shown) if shown.get("mode") == "both-blas" else format_table(shown))
        return 0
    if args.jit_probe:
        print(json.dumps(jit_probe(args)))
        return 0
    if args.thp_worker:
        thp_worker(args)
        return 0
    if args.both_blas:
        result = run_both_blas(args)
        print(format_both(result))
    else:
        result = run(args)
        print(format_table(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, default=str) + "\n")
    log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
