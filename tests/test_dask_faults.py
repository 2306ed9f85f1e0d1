"""Dask jobs that fail or are interrupted leave nothing behind, and say why in one line.

Each cluster is a LocalCluster of worker processes on 127.0.0.1 without a dashboard,
with small memory limits, started and stopped by its test with bounded timeouts. The
writes are made slow on purpose with a strong compressor (zstd level 22 takes about
0.1 s per 256 KiB of random floats), so that a worker is busy writing when another
fails or the job is interrupted: the case where a store removed too early gets written
into again.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import dask_jobs
import required
import upsample
from upsample import cli

dask, da, distributed, zarr = required.modules("dask", "dask.array", "distributed", "zarr")
from upsample import dask as udask  # noqa: E402  (imports dask: after the check)

ROOT = dask_jobs.ROOT
SLOW = {"compressors": zarr.codecs.ZstdCodec(level=22)}


def _stray(folder: Path) -> list[str]:
    """Everything a run to ``out.zarr`` in ``folder`` may have left: the store, temporaries, marks."""
    return sorted(p.name for p in folder.iterdir() if "out.zarr" in p.name)


def _slow_source(planes: int = 16) -> da.Array:
    """Planes of 256 x 256 random floats, upsampled x2: one block of 1 MiB to write per plane."""
    x = np.random.default_rng(0).standard_normal((planes, 1, 256, 256)).astype(np.float32)
    return upsample.nearest(da.from_array(x, chunks=(1, 1, 256, 256)), 2)


def _die_once_others_write(folder: str, written: int):
    """A block function: the worker running block 1 dies once ``written`` blocks are in the
    temporary store, so another worker is then busy writing the next ones."""

    def block(values, block_info=None):
        if block_info and block_info[0]["chunk-location"][0] == 1:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                found = [p for p in Path(folder).glob(".out.zarr.partial-*/c/**/*") if p.is_file()]
                if len(found) >= written:
                    break
                time.sleep(0.02)
            os._exit(1)
        return values

    return block


def test_a_worker_killed_with_retries_off_leaves_no_stray_data(tmp_path):
    y = _slow_source(32).map_blocks(_die_once_others_write(str(tmp_path), 3), dtype=np.float32)
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        dask_jobs.local_cluster(memory_limit="512MiB") as cluster,
        distributed.Client(cluster, timeout="20s") as client,
    ):
        with pytest.raises(distributed.KilledWorker):
            udask.to_zarr(
                y, tmp_path / "out.zarr", **SLOW, compute=lambda w: client.compute(w).result(timeout=120)
            )
        time.sleep(2.0)  # the surviving worker had time to write more
        assert _stray(tmp_path) == []
    assert _stray(tmp_path) == []


SCRIPT = """
import os, sys, time
import numpy as np, dask.array as da, zarr
import upsample
from upsample import dask as udask
from upsample import resize

def main():
    x = np.random.default_rng(0).standard_normal((64, 1, 256, 256)).astype(np.float32)
    y = upsample.nearest(da.from_array(x, chunks=(1, 1, 256, 256)), 2)
    slow = {"compressors": zarr.codecs.ZstdCodec(level=22)}
    try:
        with resize.scheduler(workers=WORKERS, memory_limit="512MiB", progress=False) as compute:
            print("started", flush=True)
            udask.to_zarr(y, sys.argv[1], compute=compute, **slow)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
    print("finished", flush=True)

if __name__ == "__main__":
    main()
"""


def _start(tmp_path: Path, workers: str) -> subprocess.Popen:
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent(SCRIPT).replace("WORKERS", workers))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    return dask_jobs.start([sys.executable, str(script), str(tmp_path / "out.zarr")], cwd=tmp_path, env=env)


def test_an_interrupted_job_on_a_cluster_leaves_no_stray_data(tmp_path):
    job = _start(tmp_path, "2")
    _, out, err = dask_jobs.stop_once_writing(tmp_path, job)
    assert job.returncode == 130 and "interrupted" in out, err[-3000:]
    assert _stray(tmp_path) == []


def test_ctrl_c_in_the_resize_command_leaves_nothing_and_says_so(tmp_path):
    """The command on the threaded scheduler: 1024 small blocks take seconds to write."""
    image = np.random.default_rng(5).standard_normal((1, 512, 512)).astype(np.float32)
    da.from_array(image, chunks=(1, 256, 256)).to_zarr(str(tmp_path / "in.zarr"))
    job = dask_jobs.start(
        dask_jobs.resize_command(
            tmp_path / "in.zarr", tmp_path / "out.zarr", "--scale", "2", "--chunks", "16"
        ),
        cwd=ROOT,
    )
    _, out, err = dask_jobs.stop_once_writing(tmp_path, job)
    assert job.returncode == 130, err[-3000:]
    assert f"interrupted; nothing was written to {tmp_path / 'out.zarr'}" in err and "Traceback" not in err
    assert "wrote" not in out and _stray(tmp_path) == []


def test_a_killed_run_leaves_an_incomplete_store_that_from_zarr_refuses_and_the_next_run_removes(tmp_path):
    job = _start(tmp_path, "None")  # the threaded scheduler, one process
    partial, _, _ = dask_jobs.stop_once_writing(tmp_path, job, signal.SIGKILL, timeout=60)  # no clean-up
    assert partial.exists() and not udask.is_complete(partial)
    with pytest.raises(ValueError, match="incomplete .* require_complete=False"):
        udask.from_zarr(partial)
    assert udask.from_zarr(partial, require_complete=False).shape == (64, 1, 512, 512)
    x = np.arange(24.0).reshape(1, 1, 4, 6)
    udask.to_zarr(upsample.nearest(da.from_array(x, chunks=2), 2), tmp_path / "out.zarr")
    assert _stray(tmp_path) == ["out.zarr"] and udask.is_complete(tmp_path / "out.zarr")
    np.testing.assert_array_equal(udask.from_zarr(tmp_path / "out.zarr").compute(), upsample.nearest(x, 2))


def _resize(tmp_path: Path, *flags: str, allowed_failures: int = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(allowed_failures)}
    return subprocess.run(
        dask_jobs.resize_command(tmp_path / "in.zarr", tmp_path / "out.zarr", "--no-progress", *flags),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_a_worker_out_of_memory_is_one_line_naming_the_flags(tmp_path):
    planes = np.random.default_rng(1).standard_normal((2, 1000, 1000)).astype(np.float32)
    da.from_array(planes, chunks=(1, 1000, 1000)).to_zarr(str(tmp_path / "in.zarr"))
    done = _resize(tmp_path, "--scale", "4", "--workers", "1", "--memory-limit", "200MiB")
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and len(lines) == 1, done.stderr[-3000:]
    assert "KilledWorker" in lines[0] and "--memory-limit 200MiB" in lines[0] and "--chunks" in lines[0]
    assert _stray(tmp_path) == []


def test_progress_counts_bytes_and_the_last_line_gives_time_and_throughput(tmp_path, capsys):
    x = np.random.default_rng(2).standard_normal((2, 20, 24)).astype(np.float32)
    da.from_array(x, chunks=(1, 8, 8)).to_zarr(str(tmp_path / "in.zarr"))
    assert cli.main(["resize", str(tmp_path / "in.zarr"), str(tmp_path / "out.zarr"), "--scale", "2"]) == 0
    captured = capsys.readouterr()
    nbytes = 2 * 40 * 48 * 4  # 15 KiB of float32
    assert "100%  15.0 KiB of 15.0 KiB written" in captured.err
    assert "wrote" in captured.out and "15.0 KiB in " in captured.out and " KiB/s)" in captured.out
    assert udask.from_zarr(tmp_path / "out.zarr").nbytes == nbytes


def test_an_output_an_image_cannot_hold_is_refused_before_computing(tmp_path, capsys):
    np.save(tmp_path / "in.npy", np.zeros((2, 3, 10, 12), dtype=np.float32))
    with pytest.raises(SystemExit) as stop:
        cli.main(["resize", str(tmp_path / "in.npy"), str(tmp_path / "out.png"), "--scale", "2"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "out.png cannot hold the output of shape (2, 3, 20, 24)" in err
    assert "Completed" not in err and "written" not in err  # nothing was computed
    assert not (tmp_path / "out.png").exists()
    np.save(tmp_path / "rgba.npy", np.zeros((4, 10, 12), dtype=np.float32))
    with pytest.raises(SystemExit):  # JPEG has no alpha
        cli.main(["resize", str(tmp_path / "rgba.npy"), str(tmp_path / "out.jpg"), "--scale", "2"])
    assert "out.jpg cannot hold" in capsys.readouterr().err


def test_size_errors_give_cli_users_flags_and_library_users_calls(tmp_path, capsys):
    np.save(tmp_path / "in.npy", np.zeros((2, 10, 12), dtype=np.float32))
    with pytest.raises(SystemExit) as stop:
        cli.main(["resize", str(tmp_path / "in.npy"), str(tmp_path / "out.zarr"), "--scale", "30000"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "--chunks" in err and "--scale" in err
    assert "rechunk" not in err and "size_limit" not in err
    with pytest.raises(SystemExit):
        cli.main(["resize", str(tmp_path / "in.npy"), str(tmp_path / "out.zarr"), "--scale", "3e6"])
    err = capsys.readouterr().err
    assert "--scale or --size" in err and "total_limit" not in err
    with pytest.raises(ValueError, match=r"x\.rechunk.*upsample\.size_limit"):
        upsample.bilinear(da.zeros((2, 1, 10, 12), chunks=(2, 1, 10, 12)), 30000)
