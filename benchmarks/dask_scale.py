"""Larger than memory: upsample a float32 volume from Zarr to Zarr on a memory-limited LocalCluster.

For each op (x2 trilinear interpolation, and conv_transpose k4 s2 p1) and each output
size, the input volume (1, 1, D, H, W) is read from a Zarr store, upsampled lazily by
the op on Dask arrays, and written to a new Zarr store by ``upsample.dask.to_zarr`` on
a LocalCluster whose workers are each limited in memory (default 2 x 1 GiB), while the
largest output plus its input is several times that. Measured per run: wall time,
peak resident memory of every worker (sampled every 0.2 s with psutil through
``client.run``), output GB/s, bytes moved between workers, tasks, and the halo (input
cells read beyond each block's own share, from the blocks' cuts), and the CPU time the
workers used, which other jobs on a shared machine stretch far less than wall time. The
in-memory op on one block-sized slice, in this process, just before each run, is the
throughput reference;
the sizes give time per GiB, which should be flat (linear scaling).

    python benchmarks/dask_scale.py                      # the README run: 1.5, 3, 6 GiB
    python benchmarks/dask_scale.py --quick --json /tmp/r.json   # tiny, for the smoke test

The stores are written under --dir (default: a temporary folder in /tmp) and deleted
after each run. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import dask  # noqa: E402
import dask.array as da  # noqa: E402
import distributed  # noqa: E402

import upsample  # noqa: E402
from upsample import dask as udask  # noqa: E402
from upsample.dask import plans as dask_plans  # noqa: E402

WEIGHT = np.full((1, 1, 4, 4, 4), 1 / 8, dtype=np.float32)  # k4 s2 p1: trilinear-like


def _ops():
    return {
        "trilinear x2": (upsample.bilinear, (2,), {}),
        "conv_transpose k4 s2 p1": (upsample.conv_transpose, (WEIGHT,), dict(stride=2, padding=1)),
    }


def _rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def _cpu() -> float:
    """CPU seconds the worker process has used: unlike wall time, not stretched by other load."""
    import psutil

    times = psutil.Process().cpu_times()
    return times.user + times.system


class Sampler(threading.Thread):
    """Peak RSS of every worker, sampled until stopped."""

    def __init__(self, client: distributed.Client, every: float = 0.2):
        super().__init__(daemon=True)
        self.client, self.every = client, every
        self.peak: dict[str, int] = {}
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                for worker, rss in self.client.run(_rss).items():
                    self.peak[worker] = max(self.peak.get(worker, 0), rss)
                self.samples += 1
            except Exception:  # a worker restarting: keep sampling the others
                pass
            self._stop_event.wait(self.every)

    def stop(self) -> dict[str, int]:
        self._stop_event.set()
        self.join(timeout=10)
        return self.peak


def _warm() -> None:
    """Import and compile each op's loops in a worker, so the first run does not pay for it."""
    x = np.zeros((1, 1, 4, 6, 6), dtype=np.float32)
    for fn, args, kwargs in _ops().values():
        fn(x, *args, **kwargs)


def _clear_transfers(dask_worker) -> None:
    dask_worker.transfer_incoming_log.clear()


def _transferred(dask_worker) -> int:
    return int(sum(entry.get("total", 0) for entry in dask_worker.transfer_incoming_log))


def _halo(fn, x, args, kwargs) -> tuple[float, int]:
    """Input cells read beyond the input (as a fraction), and the number of output blocks."""
    plan = dask_plans.planner(fn.__name__)(x, *args, **kwargs)
    read = math.prod(sum(c.hi - c.lo for c in cuts) for cuts in plan.cuts)
    return read / math.prod(x.shape) - 1, math.prod(len(cuts) for cuts in plan.cuts)


def in_memory(fn, args, kwargs, chunk: tuple[int, ...], repeat: int) -> dict:
    """The in-memory op on one block-sized slice: best of ``repeat``."""
    x = np.random.default_rng(1).random((1, 1, *chunk), dtype=np.float32)
    fn(x, *args, **kwargs)  # warm: compiled loops, page cache
    best, cpu = math.inf, 0.0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        y = fn(x, *args, **kwargs)
        best = min(best, time.perf_counter() - start)
        cpu += time.process_time() - start_cpu
    return {
        "slice": list(x.shape),
        "seconds": best,
        "output_bytes": int(y.nbytes),
        "gb_per_s": y.nbytes / best / 1e9,
        "cpu_s_per_gib": cpu / repeat / (y.nbytes / 2**30),
    }


def run(args: argparse.Namespace) -> dict:
    chunk = tuple(int(c) for c in args.chunk.split(","))
    sizes = [float(s) for s in args.sizes.split(",")]
    plane = args.plane
    depth_of = {
        s: max(chunk[0], round(s * 2**30 / 8 / (plane * plane * 4) / chunk[0]) * chunk[0]) for s in sizes
    }
    work = Path(args.dir or tempfile.mkdtemp(prefix="upsample-dask-scale-", dir="/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    limit = dask.utils.parse_bytes(args.memory_limit)
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": os.getloadavg(),
            "note": "shared with four other agents' jobs; times are loaded",
        },
        "cluster": {
            "workers": args.workers,
            "threads_per_worker": 1,
            "memory_limit_bytes": limit,
            "total_limit_bytes": limit * args.workers,
        },
        "chunk": list(chunk),
        "plane": plane,
        "runs": [],
        "in_memory": {},
        "ratio": {},
        "linearity": {},
    }
    source = work / "in.zarr"
    with (
        dask.config.set({"distributed.worker.memory.spill": False}),
        distributed.LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=args.memory_limit,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # loopback, a free port (None still serves 8787)
        ) as cluster,
        distributed.Client(cluster, timeout="30s") as client,
    ):
        compute = lambda c: client.compute(c).result()  # noqa: E731
        depth = max(depth_of.values())
        volume = da.random.default_rng(0).random(
            (1, 1, depth, plane, plane), dtype=np.float32, chunks=(1, 1, *chunk)
        )
        compute(volume.to_zarr(str(source), compute=False))
        client.run(_warm)
        for name, (fn, op_args, op_kwargs) in _ops().items():
            report["in_memory"][name] = []
            for size in sizes:
                # the reference just before each run, so that both see the same load
                reference = in_memory(fn, op_args, op_kwargs, chunk, args.repeat)
                report["in_memory"][name].append(reference)
                x = udask.from_zarr(source)[:, :, : depth_of[size]]
                y = fn(x, *op_args, **op_kwargs)
                halo, blocks = _halo(fn, x, op_args, op_kwargs)
                target = work / "out.zarr"
                client.run(_clear_transfers)
                cpu_before = client.run(_cpu)
                load_before = os.getloadavg()[0]
                sampler = Sampler(client)
                sampler.start()
                start = time.perf_counter()
                udask.to_zarr(y, target, compute=compute, compressors=None)
                wall = time.perf_counter() - start
                peak = sampler.stop()
                cpu = sum(t - cpu_before.get(w, 0.0) for w, t in client.run(_cpu).items())
                moved = sum(client.run(_transferred).values())
                graph = da.to_zarr(y, str(work / "unused.zarr"), compute=False).__dask_graph__()
                shutil.rmtree(work / "unused.zarr", ignore_errors=True)
                row = {
                    "op": name,
                    "output_gib": y.nbytes / 2**30,
                    "in_shape": list(x.shape),
                    "out_shape": list(y.shape),
                    "input_bytes": int(x.nbytes),
                    "output_bytes": int(y.nbytes),
                    "wall_s": wall,
                    "gb_per_s": y.nbytes / wall / 1e9,
                    "worker_cpu_s": cpu,
                    "load_1min": [load_before, os.getloadavg()[0]],
                    "peak_rss_bytes": peak,
                    "max_peak_rss_bytes": max(peak.values()) if peak else None,
                    "rss_samples": sampler.samples,
                    "under_limit": bool(peak) and max(peak.values()) < limit,
                    "input_plus_output_over_cluster_limit": (x.nbytes + y.nbytes) / (limit * args.workers),
                    "tasks": len(graph),
                    "blocks": blocks,
                    "halo_fraction": halo,
                    "moved_between_workers_bytes": moved,
                    "moved_over_input": moved / x.nbytes,
                    "complete": udask.is_complete(target),
                    "in_memory_gb_per_s": reference["gb_per_s"],
                    "vs_in_memory": y.nbytes / wall / 1e9 / reference["gb_per_s"],
                    # CPU per GiB, blocks + Zarr + Dask against the bare op: load stretches it less
                    "cpu_over_in_memory": cpu / (y.nbytes / 2**30) / reference["cpu_s_per_gib"],
                }
                report["runs"].append(row)
                shutil.rmtree(target)
                print(
                    f"{name:24} out {row['output_gib']:6.2f} GiB  {wall:7.1f} s  cpu {cpu:6.1f} s  "
                    f"{row['gb_per_s']:.3f} GB/s  peak RSS "
                    f"{(row['max_peak_rss_bytes'] or 0) / 2**20:6.0f} MiB (limit {limit / 2**20:.0f})  "
                    f"halo {halo:.1%}  moved {row['moved_over_input']:.2f}x input",
                    flush=True,
                )
            runs = [r for r in report["runs"] if r["op"] == name]
            per_gib = [r["wall_s"] / r["output_gib"] for r in runs]
            cpu_per_gib = [r["worker_cpu_s"] / r["output_gib"] for r in runs]
            report["linearity"][name] = {
                "output_gib": [r["output_gib"] for r in runs],
                "s_per_gib": per_gib,
                "spread": max(per_gib) / min(per_gib),
                "cpu_s_per_gib": cpu_per_gib,
                "cpu_spread": max(cpu_per_gib) / min(cpu_per_gib),
            }
            largest = max(runs, key=lambda r: r["output_bytes"])
            report["ratio"][name] = largest["vs_in_memory"]
    shutil.rmtree(source, ignore_errors=True)
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    report["machine"]["load_after"] = os.getloadavg()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1.5,3,6", help="output sizes in GiB (default 1.5,3,6)")
    parser.add_argument("--plane", type=int, default=1024, help="H = W of the input (default 1024)")
    parser.add_argument("--chunk", default="16,256,256", help="input chunk D,H,W (default 16,256,256)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="1GiB", help="per worker (default 1GiB)")
    parser.add_argument("--repeat", type=int, default=5, help="in-memory reference runs")
    parser.add_argument("--dir", default=None, help="where the stores go (default: a /tmp folder)")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "dask_results.json"))
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.plane, args.chunk, args.workers = "0.002,0.004,0.008", 64, "8,32,32", 1
        args.memory_limit, args.repeat = "1GiB", 1
    report = run(args)
    Path(args.json).write_text(json.dumps(report, indent=1))
    for name, ratio in report["ratio"].items():
        line = report["linearity"][name]
        print(
            f"{name}: {ratio:.2f}x the in-memory op's GB/s; per GiB, wall time spreads "
            f"{line['spread']:.2f}x and worker CPU time {line['cpu_spread']:.2f}x over the sizes"
        )
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
