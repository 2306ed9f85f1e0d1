"""benchmarks/dask_scale.py keeps working: the Zarr-to-Zarr run on a LocalCluster at tiny
sizes, checked for the report's contents only. It never asserts a time."""

import json
import os
import subprocess
import sys
from pathlib import Path

import required

required.modules("distributed", "zarr", "psutil")

ROOT = Path(__file__).resolve().parent.parent


def test_the_scale_benchmark_runs_on_tiny_sizes(tmp_path):
    out = tmp_path / "dask_results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "dask_scale.py"),
            "--quick",
            "--json",
            str(out),
            "--dir",
            str(tmp_path / "stores"),
        ],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(out.read_text())
    assert len(report["machine"]["load_before"]) == 3
    runs = report["runs"]
    assert {r["op"] for r in runs} == {"trilinear x2", "conv_transpose k4 s2 p1"}
    assert len(runs) == 6
    for r in runs:
        assert r["complete"] and r["under_limit"] and r["wall_s"] > 0 and r["worker_cpu_s"] > 0, r
        assert r["out_shape"][2:] == [2 * n for n in r["in_shape"][2:]]
        assert r["peak_rss_bytes"] and 0 < r["halo_fraction"] < 1 and r["tasks"] > r["blocks"]
    for name in report["ratio"]:
        assert report["ratio"][name] > 0 and len(report["linearity"][name]["s_per_gib"]) == 3
    assert not any((tmp_path / "stores").iterdir())  # the stores were deleted
