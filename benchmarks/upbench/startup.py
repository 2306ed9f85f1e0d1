"""Start-up: ``import upsample`` and the first call of every case in fresh interpreters,
with an empty Numba cache (cold) and with the cache that run left (warm)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np

from . import RUN, child_flags
from .cases import Size, build_cases, case_rng, select
from .machine import _limit_numba, limit_threads
from .timing import _median, _primary


def import_time(repeat: int) -> dict[str, Any]:
    """``import upsample`` in fresh interpreters: with NumPy already imported, and in total."""
    code = (
        "import sys, time\n{pre}t = time.perf_counter()\nimport upsample\n"
        "dt = time.perf_counter() - t\n"
        "heavy = sorted(m for m in ('numba', 'torch', 'PIL', 'rich', 'skimage', 'scipy') "
        "if m in sys.modules)\nprint(dt, ','.join(heavy))"
    )
    # An installed package has its bytecode compiled (pip does it at install time); an
    # environment with PYTHONDONTWRITEBYTECODE would otherwise recompile every module on
    # every run and time the compiler. One untimed import with writing allowed leaves the
    # .pyc files that the timed runs then read.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", "import upsample"], env=env, check=True)
    result: dict[str, Any] = {}
    for key, pre in (("after_numpy_s", "import numpy\n"), ("total_s", "")):
        runs, heavy = [], ""
        for _ in range(repeat):
            done = subprocess.run(
                [sys.executable, "-c", code.format(pre=pre)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            seconds, _, heavy = done.stdout.strip().partition(" ")
            runs.append(float(seconds))
        result[key] = _median(runs)
        result[key.replace("_s", "_runs")] = runs
        result["heavy_modules_imported"] = [m for m in heavy.split(",") if m]
    # NumPy alone, the floor under "total_s".
    runs = [
        float(
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import time\nt = time.perf_counter()\nimport numpy\nprint(time.perf_counter() - t)",
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(repeat)
    ]
    result["numpy_s"], result["numpy_runs"] = _median(runs), runs
    return result


def jit_probe(args: argparse.Namespace) -> dict[str, Any]:
    """Run in a fresh interpreter (``--_jit-probe``): the first and second call of every case."""
    t = time.perf_counter()
    import upsample

    report: dict[str, Any] = {
        "import_s": time.perf_counter() - t,
        "numba_at_import": "numba" in sys.modules,
        "cases": {},
    }
    limit_threads(args.threads)
    for case in select(build_cases(Size(args.scale, args.quick)), args.cases):
        if case.base or case.family:  # variants call the same compiled loops
            continue
        fn = getattr(upsample, case.op, None)
        if fn is None:
            continue
        rng = case_rng(case)
        arrays = case.arrays(rng)
        timings: dict[str, Any] = {}
        try:
            for label, call in (
                ("forward", lambda: fn(*arrays, **case.kwargs)),
                ("forward+backward", lambda: _upsample_fwd_bwd(upsample, fn, arrays, case.kwargs, rng)),
            ):
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
            child = [sys.executable, str(RUN), "--_jit-probe", *child_flags(args)]
            done = subprocess.run(child, env=env, capture_output=True, text=True)
            if done.returncode:
                return f"JIT probe failed: {done.stderr.strip()[-2000:]}"
            runs[label] = json.loads(done.stdout)
            if label == "cold" and not runs[label]["numba_used"]:
                return "no JIT"
    summary: dict[str, Any] = {"numba_at_import": runs["cold"]["numba_at_import"]}
    for label, report in runs.items():
        firsts = {
            f"{name} {p}": t["first_s"]
            for name, passes in report["cases"].items()
            for p, t in passes.items()
            if isinstance(t, dict)
        }
        extra = {
            f"{name} {p}": t["first_s"] - t["second_s"]
            for name, passes in report["cases"].items()
            for p, t in passes.items()
            if isinstance(t, dict)
        }
        worst = max(firsts, key=firsts.get) if firsts else None
        summary[label] = {
            "max_first_call_s": firsts.get(worst),
            "max_first_call_case": worst,
            "total_first_calls_s": sum(firsts.values()),
            # the first call's excess over the second: compiling or loading
            "max_first_minus_second_s": max(extra.values(), default=None),
            "cases": report["cases"],
        }
    return summary
