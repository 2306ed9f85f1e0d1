"""What the Dask test files (tests/test_dask_cluster.py, tests/test_dask_faults.py) start:
local clusters, the ``upsample resize`` command, in this process or in a fresh interpreter,
and a job stopped once its first block has landed.

Imports dask's distributed only when a cluster is asked for, so a test file checks for it
with ``required.modules`` first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from upsample import cli

ROOT = Path(__file__).resolve().parent.parent


def local_cluster(**overrides):
    """A LocalCluster of worker processes on the loopback, on a free dashboard port (``None``
    still serves 8787), with bounded memory; ``overrides`` replace any of these settings."""
    import distributed

    settings = {
        "n_workers": 2,
        "threads_per_worker": 1,
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": "127.0.0.1:0",
        "memory_limit": "1GiB",
        **overrides,
    }
    return distributed.LocalCluster(**settings)


def resize(*args) -> int:
    """``upsample resize ARGS`` in this process (paths may be Path objects); its exit code."""
    return cli.main(["resize", *map(str, args)])


def resize_command(*args) -> list[str]:
    """The argv of ``python -m upsample resize ARGS``, for a subprocess."""
    return [sys.executable, "-m", "upsample", "resize", *map(str, args)]


def start(argv: list[str], **options) -> subprocess.Popen:
    """``argv`` as a subprocess with text pipes, answering Ctrl-C as a terminal's user would see
    it. A test runner started in the background ignores SIGINT and its children inherit that
    (Python then never raises KeyboardInterrupt), so the child starts with SIGINT's default
    action: set here around the start, since a ``preexec_fn`` would run every at-fork hook the
    loaded libraries registered."""
    env = {**options.pop("env", os.environ), "PYTHONFAULTHANDLER": "1"}  # SIGABRT prints its threads
    previous = signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        return subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **options
        )
    finally:
        signal.signal(signal.SIGINT, previous)


def wait_for_chunks(tmp_path: Path, job: subprocess.Popen, timeout: float = 120) -> Path:
    """The temporary store of a job writing ``out.zarr`` in ``tmp_path``, once at least one
    block has landed in it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert job.poll() is None, job.communicate()
        for partial in tmp_path.glob(".out.zarr.partial-*"):
            if partial.is_dir() and any(p.is_file() for p in (partial / "c").rglob("*")):
                return partial
        time.sleep(0.05)
    job.kill()
    raise AssertionError(f"no block written within {timeout} s")


def stop_once_writing(
    tmp_path: Path, job: subprocess.Popen, how: int = signal.SIGINT, timeout: float = 120
) -> tuple[Path, str, str]:
    """Send ``how`` to the job once its first block is written, and wait for it to end (it is
    killed if it is still running when this returns or raises): (temporary store, out, err).
    A job that outlives ``timeout`` fails the test with the stack of each of its threads."""
    try:
        partial = wait_for_chunks(tmp_path, job)
        job.send_signal(how)
        try:
            out, err = job.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            job.send_signal(signal.SIGABRT)  # a job from start() prints its threads' stacks
            _, err = job.communicate(timeout=30)
            raise AssertionError(
                f"the job was still running {timeout} s after {signal.Signals(how).name}:\n{err[-8000:]}"
            ) from None
    finally:
        if job.poll() is None:
            job.kill()
            job.communicate()
    return partial, out, err
