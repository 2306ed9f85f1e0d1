"""The benchmark harness keeps working: benchmarks/run.py on tiny shapes, checked for shape
of the report only. It never asserts a time."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import required

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "benchmarks" / "run.py"

required.module("torch")  # the baseline


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--repeat", "2", "--json", str(out)],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "ratio" in done.stdout  # the table was printed
    return json.loads(out.read_text())


def test_every_case_has_a_ratio_or_is_missing(report):
    spec = importlib.util.spec_from_file_location("benchmark_run", RUN)
    harness = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = harness  # dataclasses look their module up
    spec.loader.exec_module(harness)
    cases = harness.build_cases(harness.Size(1 / 16, quick=True))
    assert len({case.name for case in cases}) == len(cases) >= 13 + 6 + 5 * 4 + 2 * 5 + 3
    rows = {(row["case"], row["pass"]): row for row in report["cases"]}
    assert set(rows) == {(case.name, p) for case in cases for p in case.passes}
    for key, row in rows.items():
        assert row["torch_s"] > 0, key
        assert row["status"] in ("ok", "missing"), (key, row.get("reason"))
        if row["status"] == "ok":
            assert row["ratio"] > 0 and row["upsample_s"] > 0, key
            assert row["ratio_thp"] > 0 and row["torch_thp_s"] > 0, key
            assert row["achieved"]["unit"] == ("GFLOP/s" if row["bound"] == "matmul" else "GB/s")
            assert row["memory"]["peak_extra_over_io"] >= 0, key
            assert isinstance(row["deterministic"], bool), key
        else:
            assert row["reason"], key


def test_limits_blas_and_startup_are_reported(report):
    limits = report["limits"]
    assert limits["copy"]["gbps"] > 0 and limits["matmul"]["gflops"] > 0
    assert any(lib.get("user_api") == "blas" for lib in report["blas"])
    startup = report["startup"]
    assert startup["import"]["after_numpy_s"] > 0 and startup["import"]["total_s"] > 0
    jit = startup["jit"]
    assert jit == "no JIT" or (isinstance(jit, dict) and {"cold", "warm"} <= set(jit)), jit
    assert report["meta"]["threading"]["threads"] == 2


def test_variant_rows_are_reported(report):
    # issue 12's variants: a row per thread count, dtype and out=, and four sizes per family
    rows = report["cases"]
    assert {row["threads"] for row in rows} >= {None, 1}
    assert {row["dtype"] for row in rows} == {"float32", "float64"}
    assert any(row["out"] and row["status"] == "ok" for row in rows)
    families = {}
    for row in rows:
        if row["family"]:
            families.setdefault(row["family"], []).append(row["work_units"])
    assert len(families) >= 4 and all(sorted(w) == [1, 2, 4, 8] for w in families.values())


def test_conv_phases_account_runs():
    # the per-phase account of a compiled convolution (the README's "where the time goes")
    script = ROOT / "benchmarks" / "conv_phases.py"
    done = subprocess.run(
        [sys.executable, str(script), "--cases", "conv_transpose 1d", "--repeat", "1"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    lines = done.stdout.splitlines()
    assert "matmul peak" in lines[0] and lines[1].split()[:2] == ["case", "total"]
    row = lines[2].split()
    assert row[:2] == ["conv_transpose", "1d"] and all(float(v) >= 0 for v in row[3:8])
