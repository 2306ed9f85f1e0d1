"""Zarr in and out for ops on Dask arrays: a store is complete, or it is not there.

:func:`to_zarr` writes to a temporary store beside the target and moves it into place
only once every block is written and the store is marked :data:`COMPLETE`;
:func:`from_zarr` refuses a store that a run of :func:`to_zarr` did not finish.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from typing import Any

import dask
import dask.array as da

#: The attribute :func:`to_zarr` sets on a store once every block is written.
COMPLETE = "upsample_complete"


def from_zarr(path: str | os.PathLike, component: str | None = None, *, chunks: Any = None,
              require_complete: bool = True) -> da.Array:
    """``da.from_zarr``, refusing a store that :func:`to_zarr` did not finish.

    A store written by someone else (no completion attribute at all) is read as is.
    """
    import zarr

    group = zarr.open(str(path), mode="r")
    node = group[component] if component else group
    if require_complete and node.attrs.get(COMPLETE) is False:
        raise ValueError(f"{path}: this store was not finished (attribute {COMPLETE} is False); "
                         "the run that wrote it failed")
    return da.from_zarr(str(path), component=component, chunks=chunks)


def is_complete(path: str | os.PathLike) -> bool:
    """Whether a store at ``path`` exists and carries :data:`COMPLETE` = True."""
    import zarr

    try:
        return zarr.open(str(path), mode="r").attrs.get(COMPLETE) is True
    except (FileNotFoundError, ValueError, KeyError, OSError):
        return False
    except Exception as error:  # zarr's own "nothing here" errors
        if type(error).__name__ in ("PathNotFoundError", "GroupNotFoundError", "NodeNotFoundError",
                                    "ArrayNotFoundError"):
            return False
        raise


def to_zarr(y: da.Array, path: str | os.PathLike, *, overwrite: bool = False,
            check_space: bool = True, compute: Callable[[Any], Any] | None = None,
            **zarr_kwargs: Any) -> str:
    """Write ``y`` to a Zarr array at ``path``: complete, or not there at all.

    The blocks go to a temporary store beside ``path``; only when every block is
    written does it get the attribute :data:`COMPLETE` = True and move to ``path``. A
    failure (a task error, a worker lost for good, an interrupt) removes the temporary
    store and re-raises, so ``path`` never holds a partial result. Irregular chunks are
    made regular first (Zarr needs equal chunks).

    Args:
        overwrite: replace an existing store at ``path`` (after the new one is complete).
        check_space: refuse an output larger than the free disk space (uncompressed size).
        compute: how to run the delayed write, e.g. ``client.compute`` plus waiting;
            default ``dask.compute`` on the current scheduler.
        zarr_kwargs: passed on to ``da.to_zarr`` (e.g. ``compressors=None``).

    Returns:
        the path written.
    """
    path = os.fspath(path)
    if os.path.exists(path) and not overwrite:
        raise ValueError(f"to_zarr: {path} exists; pass overwrite=True to replace it")
    parent = os.path.dirname(os.path.abspath(path)) or "."
    if check_space:
        free = shutil.disk_usage(parent).free
        if y.nbytes > free:
            raise ValueError(f"to_zarr: the output of shape {y.shape} takes {y.nbytes / 2**30:.3g} GiB "
                             f"uncompressed, more than the {free / 2**30:.3g} GiB free at {parent}; "
                             "pass check_space=False if it compresses well")
    irregular = {a: max(c) for a, c in enumerate(y.chunks)
                 if len(c) > 1 and (len(set(c[:-1])) > 1 or c[-1] > c[0])}
    if irregular:  # Zarr needs equal chunks, the last one possibly smaller
        y = y.rechunk(irregular)
    temporary = os.path.join(parent, f".{os.path.basename(path)}.partial-{uuid.uuid4().hex[:8]}")
    try:
        write = da.to_zarr(y, temporary, compute=False, **zarr_kwargs)
        (compute or dask.compute)(write)
        import zarr

        zarr.open_array(temporary, mode="r+").attrs[COMPLETE] = True
        if os.path.exists(path):
            shutil.rmtree(path)
        os.replace(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return path
