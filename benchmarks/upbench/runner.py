"""Running the cases: one case in one pass (timed, measured, checked), the THP worker,
a whole run, and the run repeated under both BLAS settings."""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import RUN, child_flags, log
from .cases import PASSES, Case, Size, build_cases, case_rng, select
from .machine import (
    BLAS_VARIABLES,
    CpuShare,
    _limit_numba,
    _loadavg,
    apply_threads,
    blas_info,
    copy_bandwidth,
    limit_threads,
    machine_info,
    matmul_peak,
)
from .report import flag_targets
from .startup import import_time, jit_times
from .timing import (
    Measured,
    _identical,
    _max_rel_diff,
    _median,
    _nbytes,
    _primary,
    collect,
    paired_ratio,
    quiesce,
    rss_peak_extra,
    time_alternating,
    traced_peak_extra,
)

SCHEMA = 1


@dataclass
class Prepared:
    """A case's inputs for both libraries, built once for both passes."""

    case: Case
    arrays: list[np.ndarray]
    tensors: list[Any]
    grad_tensors: list[Any]
    g: np.ndarray
    tg: Any
    reference: Any  # torch's forward output
    out: np.ndarray | None = None  # the caller's buffer of an ``out=`` row


def prepare(case: Case) -> Prepared:
    import torch

    rng = case_rng(case)
    arrays = case.arrays(rng)
    tensors = [torch.tensor(a) for a in arrays]  # torch's own allocations
    grad_tensors = [t.clone().requires_grad_(i < case.n_grad) for i, t in enumerate(tensors)]
    variant = next(iter(case.torch.values()))
    with torch.no_grad():
        reference = variant(*tensors)
    g = rng.standard_normal(tuple(_primary(reference).shape), dtype=np.float32).astype(case.dtype)
    out = np.empty(tuple(reference.shape), dtype=case.dtype) if case.out else None
    return Prepared(case, arrays, tensors, grad_tensors, g, torch.tensor(g), reference, out)


def torch_callables(p: Prepared, backward: bool) -> dict[str, Callable[[], Any]]:
    """One call per torch variant; with backward, autograd's input gradients for ``g``."""
    import torch

    fns = {}
    for name, variant in p.case.torch.items():
        if backward:

            def call(variant=variant):
                out = variant(*p.grad_tensors)
                return torch.autograd.grad(_primary(out), p.grad_tensors[: p.case.n_grad], p.tg)
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
        if p.out is not None:
            return lambda: fn(*p.arrays, **p.case.kwargs, out=p.out)
        return lambda: fn(*p.arrays, **p.case.kwargs)

    def call():
        out, pullback = upsample.vjp(fn, *p.arrays, **p.case.kwargs)
        return out, pullback(p.g)

    return call


TORCH, THP = "torch: ", "torch THP: "


def run_pass(
    upsample,
    p: Prepared,
    backward: bool,
    args: argparse.Namespace,
    limits: dict[str, Any],
    worker: ThpWorker | None,
) -> dict[str, Any]:
    """Time, measure and check one case in one pass (forward, or forward+backward)."""
    case = p.case
    label = PASSES[backward]
    row: dict[str, Any] = {
        "case": case.name,
        "op": case.op,
        "pass": label,
        "bound": case.bound,
        "shapes": {k: list(v) for k, v in case.inputs.items()},
        "kwargs": case.kwargs,
        "note": case.note,
        **case.meta(),
    }
    fns = torch_callables(p, backward)
    torch_out = next(iter(fns.values()))()  # for the checks; also a warm-up
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
        medians = {name[len(prefix) :]: _median(t) for name, t in times.items() if name.startswith(prefix)}
        if not medians:
            continue
        best = min(medians, key=medians.get)
        row[f"{key}_s"], row[f"{key}_variant"] = medians[best], best
        row[f"{key}_runs"] = times[prefix + best]
        if len(medians) > 1:
            row[f"{key}_variants_s"] = medians

    # bytes moved: inputs and outputs; with backward also the incoming and input gradients
    torch_bytes = _nbytes(p.tensors) + _nbytes(torch_out)
    if backward:  # torch_out holds the input gradients
        torch_bytes += _nbytes(p.reference) + p.g.nbytes
    flops = 2 * case.macs * (3 if backward else 1)  # backward: grad-input and grad-weight
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


def _memory_and_checks(
    ours: Callable[[], Any], first: Any, torch_out: Any, io: int, backward: bool
) -> dict[str, Any]:
    """Peak extra memory of one call, run-to-run identity, and agreement with torch (values
    forward; with backward the input gradients, ``first`` being ``(out, grads)``)."""
    traced, again = traced_peak_extra(ours)
    return {
        "memory": {
            "io_bytes": io,
            "peak_extra_bytes": traced,
            "peak_extra_over_io": traced / io,
            "scratch_bytes": max(0, traced - _nbytes(again)),
            "rss_peak_extra_bytes": rss_peak_extra(ours),
        },
        "deterministic": _identical(first, again),
        "max_rel_diff_vs_torch": _max_rel_diff(first[1] if backward else first, torch_out),
    }


# =========================================================================== the THP worker


class ThpWorker:
    """A subprocess with ``THP_MEM_ALLOC_ENABLE=1`` that runs torch calls on request.

    Protocol: one JSON line each way. ``{"cmd": "prepare", "case": name}`` builds a case's
    inputs (the same as here: :func:`case_rng`); ``{"cmd": "call", "pass": ..., "variant":
    ...}`` runs and times one call and answers ``{"s": seconds}``; ``{"cmd": "quit"}``.
    """

    def __init__(self, args: argparse.Namespace):
        self.errors = tempfile.TemporaryFile(mode="w+")
        child = [sys.executable, str(RUN), "--_thp-worker", *child_flags(args)]
        self.process = subprocess.Popen(
            child,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            env=dict(os.environ, THP_MEM_ALLOC_ENABLE="1"),
        )
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
    gc.disable()  # as in time_alternating
    for line in sys.stdin:
        message = json.loads(line)
        if message["cmd"] == "quit":
            break
        if message["cmd"] == "prepare":
            calls = {}
            gc.collect()
            case = cases[message["case"]]
            apply_threads(case.threads or args.threads)
            p = prepare(case)
            calls = {label: torch_callables(p, label == "forward+backward") for label in PASSES}
            del p
            answer: dict[str, Any] = {"ok": True}
        elif message["cmd"] == "call":
            fn = calls[message["pass"]][message["variant"]]
            start = time.perf_counter()
            out = fn()
            answer = {"s": time.perf_counter() - start}
            del out
            quiesce()  # idle before the next call, anywhere
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
            apply_threads(case.threads or args.threads)
            p = prepare(case)
            worker.ask(cmd="prepare", case=case.name)
            for label in case.passes:
                log(f"  {case.name} {label}")
                rows.append(run_pass(upsample, p, label == PASSES[1], args, limits, worker))
                _limit_numba(case.threads or args.threads)  # an op may have imported numba just now
            del p
            apply_threads(args.threads)
            collect()
    finally:
        worker.close()
    return rows


def measure_limits(args: argparse.Namespace) -> dict[str, Any]:
    log("limits: copy bandwidth, matmul peak")
    copy_bytes = (32 if args.quick else 512) * 2**20
    return {
        "copy": copy_bandwidth(copy_bytes, args.threads, 3 if args.quick else 7),
        "matmul": matmul_peak(512 if args.quick else 3072, 2 if args.quick else 5),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """One whole benchmark: this process, the THP worker, and the start-up subprocesses."""
    share = CpuShare()
    import torch  # noqa: F401  -- loaded before the threads are fixed

    threads = limit_threads(args.threads)
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "meta": {
            **machine_info(),
            "threading": threads,
            "repeat": args.repeat,
            "warmup": args.warmup,
            "scale": args.scale,
            "quick": args.quick,
            "argv": sys.argv[1:],
        },
    }
    result["blas"] = blas_info()
    result["limits"] = limits = measure_limits(args)
    log("cases: upsample, torch and torch with THP (worker process), alternating")
    result["cases"] = run_cases(args, limits)
    result["blas_after_cases"] = blas_info()  # numba or an op may have loaded more
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
                log(
                    f"=== {label}: environment unchanged, "
                    + ", ".join(f"{v}={os.environ.get(v)}" for v in BLAS_VARIABLES)
                )
            out = Path(tmp) / f"{label}.json"
            child = [sys.executable, str(RUN), "--json", str(out), *child_flags(args)]
            subprocess.run(child, env=env, check=True, stdout=subprocess.DEVNULL)
            runs[label] = json.loads(out.read_text())
    result: dict[str, Any] = {"schema": SCHEMA, "mode": "both-blas", "runs": runs}
    if all(os.environ.get(v) is None for v in BLAS_VARIABLES):
        result["note"] = "neither OPENBLAS variable was set, so both runs used the same kernel"
    return result
