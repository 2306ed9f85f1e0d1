"""Ops on a real dask.distributed cluster, the ``upsample resize`` command, and failures.

Each cluster is a LocalCluster on 127.0.0.1 without a dashboard, started and torn down
by its fixture or test (also when the test fails), with bounded timeouts.
"""

import os
import socket
import subprocess
from pathlib import Path

import numpy as np
import pytest

import dask_jobs
import required
import upsample
from upsample import resize

dask, da, distributed, _ = required.modules("dask", "dask.array", "distributed", "zarr")
from upsample import dask as udask  # noqa: E402  (imports dask: after the check)

ROOT = dask_jobs.ROOT
X = np.random.default_rng(0).standard_normal((2, 3, 20, 24)).astype(np.float32)


@pytest.fixture(scope="module")
def client():
    with dask_jobs.local_cluster() as cluster, distributed.Client(cluster, timeout="20s") as client:
        yield client


def test_ops_on_a_local_cluster_equal_the_in_memory_ops(client):
    x = da.from_array(X, chunks=(1, 3, 7, 5))
    w = np.random.default_rng(1).standard_normal((3, 2, 4, 4)).astype(np.float32)
    jobs = {
        "conv_transpose": (
            upsample.conv_transpose(x, w, stride=2, padding=1),
            upsample.conv_transpose(X, w, stride=2, padding=1),
        ),
        "nearest": (upsample.nearest(x, 3), upsample.nearest(X, 3)),
        "bilinear": (upsample.bilinear(x, 2), upsample.bilinear(X, 2)),
    }
    results = client.compute({name: lazy for name, (lazy, _) in jobs.items()}).result(timeout=120)
    for name, (_, want) in jobs.items():
        np.testing.assert_allclose(results[name], want, rtol=1e-5, atol=1e-5, err_msg=name)
    np.testing.assert_array_equal(results["nearest"], jobs["nearest"][1])


def test_zarr_to_zarr_on_the_cluster(client, tmp_path):
    source = tmp_path / "in.zarr"
    da.from_array(X, chunks=(1, 1, 8, 8)).to_zarr(str(source))
    y = upsample.bilinear(udask.from_zarr(source), 2)
    udask.to_zarr(y, tmp_path / "out.zarr", compute=lambda c: client.compute(c).result(timeout=120))
    assert udask.is_complete(tmp_path / "out.zarr")
    np.testing.assert_allclose(
        da.from_zarr(str(tmp_path / "out.zarr")).compute(), upsample.bilinear(X, 2), rtol=1e-6, atol=1e-6
    )


def _die_in_block(marker):
    """A block function that kills its worker process the first time (or every time) it runs."""

    def die(block, block_info=None):
        if block_info and block_info[0]["chunk-location"][2:] == (1, 1):
            if marker is None or not os.path.exists(marker):
                if marker is not None:
                    Path(marker).touch()
                os._exit(1)  # the worker process dies, now
        return block

    return die


def test_a_worker_killed_for_good_leaves_no_partial_store(tmp_path):
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with (
            dask_jobs.local_cluster(n_workers=1) as cluster,
            distributed.Client(cluster, timeout="20s") as client,
        ):
            x = da.from_array(X, chunks=(2, 3, 8, 8))
            y = upsample.nearest(x, 2).map_blocks(_die_in_block(None), dtype=X.dtype)
            with pytest.raises(distributed.KilledWorker):
                udask.to_zarr(
                    y, tmp_path / "out.zarr", compute=lambda c: client.compute(c).result(timeout=120)
                )
    assert list(tmp_path.iterdir()) == []  # neither out.zarr nor a temporary
    assert not udask.is_complete(tmp_path / "out.zarr")


def test_a_worker_killed_once_is_replaced_and_the_store_is_complete(tmp_path):
    marker = tmp_path / "killed-once"
    with (
        dask_jobs.local_cluster(n_workers=1) as cluster,
        distributed.Client(cluster, timeout="20s") as client,
    ):
        x = da.from_array(X, chunks=(2, 3, 8, 8))
        y = upsample.nearest(x, 2).map_blocks(_die_in_block(str(marker)), dtype=X.dtype)
        udask.to_zarr(y, tmp_path / "out.zarr", compute=lambda c: client.compute(c).result(timeout=120))
    assert marker.exists() and udask.is_complete(tmp_path / "out.zarr")
    np.testing.assert_array_equal(da.from_zarr(str(tmp_path / "out.zarr")).compute(), upsample.nearest(X, 2))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, capsys):
    np.save(tmp_path / "in.npy", X[0, 0])
    address = f"tcp://127.0.0.1:{_free_port()}"  # nobody listens there
    with pytest.raises(SystemExit) as stop:
        dask_jobs.resize(tmp_path / "in.npy", tmp_path / "out.npy", "--scale", "2", "--scheduler", address)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"cannot reach the Dask scheduler at {address} within 5 s" in err and "Traceback" not in err
    assert not (tmp_path / "out.npy").exists()


def test_resize_npy_and_images_on_the_threaded_scheduler(tmp_path, capsys):
    from PIL import Image

    np.save(tmp_path / "in.npy", X[0])  # (3, 20, 24): 3 planes
    assert (
        dask_jobs.resize(tmp_path / "in.npy", tmp_path / "out.npy", "--scale", "2", "--mode", "bicubic") == 0
    )
    captured = capsys.readouterr()
    assert "100%  22.5 KiB of 22.5 KiB written" in captured.err  # the bar counts bytes
    assert "22.5 KiB in " in captured.out and "/s)" in captured.out
    np.testing.assert_allclose(
        np.load(tmp_path / "out.npy"),
        upsample.interpolate(X[0][:, None], scale_factor=2, mode="bicubic")[:, 0],
        rtol=1e-6,
        atol=1e-6,
    )
    pixels = (np.random.default_rng(3).random((10, 12, 3)) * 255).astype(np.uint8)
    Image.fromarray(pixels).save(tmp_path / "in.png")
    assert (
        dask_jobs.resize(tmp_path / "in.png", tmp_path / "out.png", "--size", "25,30", "--no-progress") == 0
    )
    with Image.open(tmp_path / "out.png") as image:
        got = np.asarray(image)
    want = upsample.bilinear(np.moveaxis(pixels, -1, 0)[:, None], size=(25, 30))[:, 0]
    want = np.moveaxis(np.clip(np.round(want), 0, 255), 0, -1)
    assert got.dtype == np.uint8 and got.shape == want.shape
    assert np.abs(got - want).max() <= 1  # float rounding can tip a .5 either way
    with pytest.raises(SystemExit) as stop:  # never overwritten by surprise
        dask_jobs.resize(tmp_path / "in.png", tmp_path / "out.png", "--scale", "2")
    assert stop.value.code == 2 and "exists" in capsys.readouterr().err


def test_resize_zarr_with_workers_from_the_shell(tmp_path):
    volume = np.random.default_rng(4).standard_normal((6, 10, 12)).astype(np.float32)
    da.from_array(volume, chunks=(3, 4, 4)).to_zarr(str(tmp_path / "in.zarr"))
    flags = ("--scale", "2", "--spatial-dims", "3", "--workers", "1", "--memory-limit", "1GiB")
    done = subprocess.run(
        dask_jobs.resize_command(tmp_path / "in.zarr", tmp_path / "out.zarr", *flags),
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "(6, 10, 12) -> (12, 20, 24)" in done.stdout
    assert udask.is_complete(tmp_path / "out.zarr")
    np.testing.assert_allclose(
        da.from_zarr(str(tmp_path / "out.zarr")).compute(),
        upsample.bilinear(volume[None, None], 2)[0, 0],
        rtol=1e-6,
        atol=1e-6,
    )


def test_resize_scheduler_context_refuses_zero_workers():
    with pytest.raises(ValueError, match="--workers must be >= 1"):
        with resize.scheduler(workers=0):
            pass
