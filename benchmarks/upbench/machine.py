"""The machine: thread limits for every library, BLAS, the copy-bandwidth and matmul-peak
limits measured in the same run, and how busy the other processes kept the CPUs."""

from __future__ import annotations

import os
import platform
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .timing import _median, time_alternating

BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


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
        done["note"] = (
            "threadpoolctl is not installed: BLAS threads were fixed only through "
            "OPENBLAS_NUM_THREADS/OMP_NUM_THREADS at start-up"
        )
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
        return [
            {
                "user_api": "blas",
                "internal_api": blas.get("name"),
                "version": blas.get("version"),
                "architecture": "unknown (threadpoolctl not installed)",
                "num_threads": None,
            }
        ]
    keep = (
        "user_api",
        "internal_api",
        "prefix",
        "version",
        "architecture",
        "threading_layer",
        "num_threads",
        "filepath",
    )
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
    dst = np.zeros(n, dtype=np.float32)  # touched, so page faults are not timed
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
    return {
        "gbps": gbps[best],
        "method": best,
        "by_method": gbps,
        "array_bytes": src.nbytes,
        "median_gbps": {name: 2 * src.nbytes / _median(t) / 1e9 for name, t in times.items()},
    }


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
    gflops = {name: 2 * m**3 / min(t) / 1e9 for name, t in times.items()}
    return {
        "gflops": gflops["numpy"],
        "shape": [m, m],
        "torch_gflops": gflops.get("torch"),
        "median_gflops": {name: 2 * m**3 / _median(t) / 1e9 for name, t in times.items()},
    }


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "loadavg_start": _loadavg(),
    }
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            info["cpu"] = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), None
            )
    except OSError:
        info["cpu"] = None
    for name in ("enabled", "defrag"):
        try:
            info[f"transparent_hugepage_{name}"] = (
                Path(f"/sys/kernel/mm/transparent_hugepage/{name}").read_text().strip()
            )
        except OSError:
            pass
    info["env"] = {
        k: os.environ.get(k)
        for k in (
            *BLAS_VARIABLES,
            "THP_MEM_ALLOC_ENABLE",
            "OMP_NUM_THREADS",
            "NUMBA_NUM_THREADS",
            "UPSAMPLE_THREADS",
            "UPSAMPLE_JIT",
        )
    }
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


def apply_threads(threads: int) -> None:
    """Every library at ``threads`` from now on: BLAS and OpenMP through threadpoolctl,
    torch, numba, and upsample's own splitter (``UPSAMPLE_THREADS``, read at each call).
    A row with its own thread count sets it before it is timed and the run's count after."""
    global _LIMITER
    try:
        from threadpoolctl import threadpool_limits

        _LIMITER = threadpool_limits(limits=threads)
    except ImportError:
        pass
    os.environ["UPSAMPLE_THREADS"] = str(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    _limit_numba(threads)
