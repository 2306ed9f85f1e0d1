"""Zarr in and out for ops on Dask arrays: a store is complete, or it is not there.

:func:`to_zarr` writes to a temporary store beside the target, ``.NAME.partial-XXXXXXXX``,
marked :data:`COMPLETE` = False from its first byte, and moves it into place only once
every block is written and the mark is True; :func:`from_zarr` refuses a store marked
False.

**Nothing left behind.** Every block goes through one guarded write: it first leaves a
token in the temporary store's ``.upsample-writing`` folder, then writes only if the run
has not been given up (no ``.NAME.partial-XXXXXXXX.aborted`` beside it), then takes its
token back. A failed or interrupted run sets the abort mark, waits until no token is
left (a token of a dead process on this host does not count), and only then removes the
temporary store, so a worker still busy with a block cannot write into a deleted store.
A run that could not clean up (killed outright, or a writer on another host that never
answered) leaves its temporary store with an owner file; the next :func:`to_zarr` to the
same path removes it once that owner is gone.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

import dask
import dask.array as da
import numpy as np
from dask.highlevelgraph import HighLevelGraph

from .graph import LimitError

#: The attribute :func:`to_zarr` sets on a store: False while it is written, True once complete.
COMPLETE = "upsample_complete"

#: Inside a temporary store: one token per block write in flight.
WRITING = ".upsample-writing"
#: Inside a temporary store: the host and process id of the run writing it.
OWNER = ".upsample-owner"
#: Seconds a failed run waits for writers it cannot see die (another host) before removing.
WAIT = 60.0


def from_zarr(
    path: str | os.PathLike,
    component: str | None = None,
    *,
    chunks: Any = None,
    require_complete: bool = True,
) -> da.Array:
    """``da.from_zarr``, refusing a store that :func:`to_zarr` did not finish.

    A store that :func:`to_zarr` began but did not finish (:data:`COMPLETE` is False: a
    temporary ``.NAME.partial-*`` store of a failed, killed or running job) is an error
    unless ``require_complete=False``. A store written by someone else (no completion
    attribute at all) is read as is.
    """
    import zarr

    group = zarr.open(str(path), mode="r")
    node = group[component] if component else group
    if require_complete and node.attrs.get(COMPLETE) is False:
        raise ValueError(
            f"from_zarr: {path} is incomplete (its attribute {COMPLETE} is False): "
            "the run writing it failed, was killed or is still running; pass "
            "require_complete=False to read what it holds"
        )
    return da.from_zarr(str(path), component=component, chunks=chunks)


def is_complete(path: str | os.PathLike) -> bool:
    """Whether a store at ``path`` exists and carries :data:`COMPLETE` = True."""
    import zarr

    try:
        return zarr.open(str(path), mode="r").attrs.get(COMPLETE) is True
    except (FileNotFoundError, ValueError, KeyError, OSError):
        return False
    except Exception as error:  # zarr's own "nothing here" errors
        if type(error).__name__ in (
            "PathNotFoundError",
            "GroupNotFoundError",
            "NodeNotFoundError",
            "ArrayNotFoundError",
        ):
            return False
        raise


def _token_owner(name: str) -> tuple[int, str]:
    pid, host, _ = name.split("@", 2)
    return int(pid), host


def _alive(pid: int, host: str) -> bool:
    """Whether process ``pid`` on ``host`` may still run (always True for another host)."""
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write(block: np.ndarray, array: Any, folder: str, region: tuple[slice, ...]) -> np.ndarray:
    """One block into the temporary store, unless the run was given up: the bytes written."""
    written = np.zeros((1,) * block.ndim, dtype=np.int64)
    token = os.path.join(folder, WRITING, f"{os.getpid()}@{socket.gethostname()}@{uuid.uuid4().hex}")
    try:
        with open(token, "x"):
            pass
    except FileNotFoundError:  # the store is gone: the run was given up
        return written
    try:
        if os.path.exists(folder + ".aborted"):
            return written
        array[region] = block
        written[...] = block.nbytes
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(token)
    return written


def _writes(y: da.Array, array: Any, folder: str) -> da.Array:
    """A Dask array with one task per block of y writing it: each holds the bytes written."""
    name = f"upsample-write-{uuid.uuid4().hex}"
    edges = [np.concatenate([[0], np.cumsum(c)]).astype(int) for c in y.chunks]
    layer = {}
    for index in itertools.product(*(range(len(c)) for c in y.chunks)):
        region = tuple(slice(int(e[i]), int(e[i + 1])) for e, i in zip(edges, index))
        layer[(name, *index)] = (_write, (y.name, *index), array, folder, region)
    graph = HighLevelGraph.from_collections(name, layer, dependencies=[y])
    return da.Array(
        graph, name, tuple((1,) * len(c) for c in y.chunks), meta=np.empty((0,) * y.ndim, dtype=np.int64)
    )


def discard(folder: str, wait: float = WAIT) -> None:
    """Give up the temporary store ``folder``: stop new writes, wait for those in flight, remove it."""
    aborted = folder + ".aborted"
    with contextlib.suppress(OSError):
        open(aborted, "w").close()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            tokens = os.listdir(os.path.join(folder, WRITING))
        except FileNotFoundError:
            break
        if not any(_alive(*_token_owner(t)) for t in tokens):
            break
        time.sleep(0.05)
    for _ in range(50):  # a write finishing now can refill a folder
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.exists(folder):
            break
        time.sleep(0.05)
    if not os.path.exists(folder):
        with contextlib.suppress(FileNotFoundError):
            os.remove(aborted)


def _remove_stale(parent: str, base: str) -> None:
    """Remove temporary stores of earlier runs to the same path whose owner is gone."""
    prefix = f".{base}.partial-"
    for entry in os.listdir(parent):
        if not entry.startswith(prefix) or entry.endswith(".aborted"):
            continue
        folder = os.path.join(parent, entry)
        try:
            with open(os.path.join(folder, OWNER)) as owner:
                pid, host = owner.read().split()
            gone = not _alive(int(pid), host)
        except (OSError, ValueError):  # no owner file: the run never got that far
            gone = True
        if gone:
            discard(folder, wait=0)
    for entry in os.listdir(parent):  # abort marks whose store is gone
        if (
            entry.startswith(prefix)
            and entry.endswith(".aborted")
            and not os.path.exists(os.path.join(parent, entry[: -len(".aborted")]))
        ):
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(parent, entry))


def to_zarr(
    y: da.Array,
    path: str | os.PathLike,
    *,
    overwrite: bool = False,
    check_space: bool = True,
    compute: Callable[[Any], Any] | None = None,
    **zarr_kwargs: Any,
) -> str:
    """Write ``y`` to a Zarr array at ``path``: complete, or not there at all.

    The blocks go to a temporary store beside ``path``, marked :data:`COMPLETE` = False;
    only when every block is written does the mark become True and the store move to
    ``path``. A failure (a task error, a worker lost for good, an interrupt) stops the
    writes, waits for those in flight, removes the temporary store and re-raises, so
    ``path`` never holds a partial result and nothing is left beside it. Irregular
    chunks are made regular first (Zarr needs equal chunks).

    Args:
        overwrite: replace an existing store at ``path`` (after the new one is complete).
        check_space: refuse an output larger than the free disk space (uncompressed size).
        compute: how to run the writes, given a Dask array whose blocks hold the bytes
            each block wrote (e.g. ``lambda w: client.compute(w).result()``); default
            ``dask.compute`` on the current scheduler.
        zarr_kwargs: passed on to ``zarr.create_array`` (e.g. ``compressors=None``).

    Returns:
        the path written.
    """
    import zarr

    path = os.fspath(path)
    if os.path.exists(path) and not overwrite:
        raise ValueError(f"to_zarr: {path} exists; pass overwrite=True to replace it")
    parent = os.path.dirname(os.path.abspath(path)) or "."
    _remove_stale(parent, os.path.basename(path))  # before counting the free space
    if check_space:
        free = shutil.disk_usage(parent).free
        if y.nbytes > free:
            raise LimitError(
                f"to_zarr: the output of shape {y.shape} takes {y.nbytes / 2**30:.3g} GiB "
                f"uncompressed, more than the {free / 2**30:.3g} GiB free at {parent}; "
                "pass check_space=False if it compresses well",
                limit="disk",
                shape=tuple(y.shape),
                nbytes=int(y.nbytes),
                allowed=free,
            )
    irregular = {
        a: max(c) for a, c in enumerate(y.chunks) if len(c) > 1 and (len(set(c[:-1])) > 1 or c[-1] > c[0])
    }
    if irregular:  # Zarr needs equal chunks, the last one possibly smaller
        y = y.rechunk(irregular)
    temporary = os.path.join(parent, f".{os.path.basename(path)}.partial-{uuid.uuid4().hex[:8]}")
    try:
        array = zarr.create_array(
            store=temporary,
            shape=y.shape,
            dtype=y.dtype,
            chunks=tuple(max(c[0], 1) for c in y.chunks),
            **zarr_kwargs,
        )
        array.attrs[COMPLETE] = False
        os.makedirs(os.path.join(temporary, WRITING))
        with open(os.path.join(temporary, OWNER), "w") as owner:
            owner.write(f"{os.getpid()} {socket.gethostname()}\n")
        result = (compute or (lambda w: dask.compute(w)[0]))(_writes(y, array, temporary))
        if result is not None and int(np.sum(np.asarray(result))) != y.nbytes:
            raise RuntimeError(
                f"to_zarr: {int(np.sum(np.asarray(result)))} of {y.nbytes} bytes "
                f"were written to {temporary}; the run was given up"
            )
        os.rmdir(os.path.join(temporary, WRITING))
        os.remove(os.path.join(temporary, OWNER))
        zarr.open_array(temporary, mode="r+").attrs[COMPLETE] = True
        if os.path.exists(path):
            shutil.rmtree(path)
        os.replace(temporary, path)
    except BaseException:
        discard(temporary)
        raise
    return path
