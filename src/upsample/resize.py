"""``upsample resize``: interpolate an array file of any size, streamed with Dask.

Reads a Zarr store (any size: it is never loaded whole), a ``.npy`` file (memory-mapped)
or an image (Pillow), resizes its trailing spatial axes with :func:`upsample.interpolate`
on a Dask array, and writes a Zarr store (complete or absent, see
:func:`upsample.dask.to_zarr`), a ``.npy`` file or an image. It runs on Dask's threaded
scheduler by default, on a ``dask.distributed`` cluster given ``--scheduler ADDRESS``,
or on a ``LocalCluster`` of ``--workers N`` processes on 127.0.0.1, with Dask's own
progress bar in each case.

Layout: the last ``--spatial-dims`` axes (default 2) are resized; the axes before
them are independent planes. An image's colour axis is a plane axis too.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp")

#: Seconds to wait for a scheduler given with ``--scheduler`` before giving up.
CONNECT_TIMEOUT = 5.0


def _kind(path: str) -> str:
    lowered = path.rstrip("/").lower()
    if lowered.endswith(".zarr"):
        return "zarr"
    if lowered.endswith(".npy"):
        return "npy"
    if lowered.endswith(IMAGE_SUFFIXES):
        return "image"
    raise ValueError(f"resize: {path!r} is neither a .zarr store, a .npy file nor an image "
                     f"({', '.join(IMAGE_SUFFIXES)})")


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``upsample resize``."""
    parser.add_argument("input", help="a .zarr store, a .npy file or an image")
    parser.add_argument("output", help="where to write: .zarr, .npy or an image file")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--scale", type=_numbers, help="scale factor, one or one per spatial axis (2 or 2,1.5)")
    size.add_argument("--size", type=_numbers, help="output spatial size, one or one per axis")
    parser.add_argument("--mode", default="bilinear",
                        help="nearest, nearest-exact, bilinear/linear, bicubic/cubic, area "
                             "(default bilinear)")
    parser.add_argument("--align-corners", action="store_true", help="linear and cubic only")
    parser.add_argument("--antialias", action="store_true", help="linear and cubic only")
    parser.add_argument("--spatial-dims", type=int, default=2,
                        help="how many trailing axes are spatial (default 2; 3 for a volume)")
    parser.add_argument("--chunks", type=int, default=None,
                        help="input chunk length along each spatial axis (default: the store's)")
    parser.add_argument("--dtype", default=None,
                        help="output dtype (default: the op's; images keep their own)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="a running dask.distributed scheduler, e.g. tcp://10.0.0.5:8786")
    where.add_argument("--workers", type=int, metavar="N",
                       help="start a LocalCluster of N worker processes on 127.0.0.1")
    parser.add_argument("--threads-per-worker", type=int, default=1,
                        help="with --workers (default 1)")
    parser.add_argument("--memory-limit", default="auto",
                        help="per worker with --workers, e.g. 1GiB (default: Dask's share of RAM)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _numbers(text: str) -> float | tuple[float, ...]:
    from .cli import _numbers as parse

    return parse(text)


# --------------------------------------------------------------------------- reading

def read(path: str, chunks: int | None = None) -> tuple[Any, str]:
    """The input as a Dask array, and how it was stored (``"zarr"``, ``"npy"``, ``"image"``)."""
    import dask.array as da

    from . import dask as udask

    kind = _kind(path)
    if not os.path.exists(path):
        raise FileNotFoundError(2, "no such file or store", path)
    if kind == "zarr":
        try:
            x = udask.from_zarr(path)
        except (ValueError, TypeError):
            raise
        except Exception as error:   # zarr's own errors for a folder that holds no array
            raise ValueError(f"resize: cannot read {path} as a Zarr array "
                             f"({type(error).__name__}: {error})") from None
    elif kind == "npy":
        x = da.from_array(np.load(path, mmap_mode="r"), chunks="auto")
    else:
        from PIL import Image

        with Image.open(path) as image:
            pixels = np.asarray(image)
        if pixels.ndim == 3:                                  # (H, W, colour) -> (colour, H, W)
            pixels = np.moveaxis(pixels, -1, 0)
        x = da.from_array(pixels, chunks="auto")
    if chunks is not None:
        x = x.rechunk({a: chunks for a in range(max(x.ndim - 2, 0), x.ndim)})
    return x, kind


def _planes(x: Any, spatial_dims: int) -> tuple[Any, tuple[int, ...]]:
    """(*lead, *spatial) -> (prod(lead), 1, *spatial), and the lead shape to restore."""
    if not 1 <= spatial_dims <= x.ndim:
        raise ValueError(f"resize: --spatial-dims must be between 1 and {x.ndim} for an input of "
                         f"shape {x.shape}, got {spatial_dims}")
    lead = tuple(x.shape[:x.ndim - spatial_dims])
    return x.reshape((math.prod(lead), 1, *x.shape[x.ndim - spatial_dims:])), lead


# --------------------------------------------------------------------------- schedulers

@contextlib.contextmanager
def scheduler(address: str | None = None, workers: int | None = None, *, threads_per_worker: int = 1,
              memory_limit: str = "auto", progress: bool = True,
              timeout: float = CONNECT_TIMEOUT) -> Iterator[Callable[[Any], Any]]:
    """A function that computes a Dask collection with a progress bar, on the chosen scheduler.

    No address and no workers: Dask's threaded scheduler with ``dask.diagnostics.ProgressBar``.
    Otherwise a ``distributed.Client`` (to ``address``, or to a new ``LocalCluster`` on
    127.0.0.1 without a dashboard) and ``distributed.progress``. An address that does not
    answer within ``timeout`` seconds is an error naming it.
    """
    import dask

    if address is None and workers is None:
        def compute(collection: Any) -> Any:
            if not progress:
                return dask.compute(collection, scheduler="threads")[0]
            from dask.diagnostics import ProgressBar

            with ProgressBar(out=sys.stderr):
                return dask.compute(collection, scheduler="threads")[0]
        yield compute
        return

    import distributed

    with contextlib.ExitStack() as stack:
        if address is not None:
            try:
                client = stack.enter_context(distributed.Client(address, timeout=timeout))
            except (OSError, TimeoutError) as error:
                raise ValueError(f"resize: cannot reach the Dask scheduler at {address} within "
                                 f"{timeout:g} s ({type(error).__name__}: {error})") from None
        else:
            if workers < 1:
                raise ValueError(f"resize: --workers must be >= 1, got {workers}")
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=workers, threads_per_worker=threads_per_worker,
                memory_limit=memory_limit, host="127.0.0.1", dashboard_address=None,
                processes=True))
            client = stack.enter_context(distributed.Client(cluster))

        def compute(collection: Any) -> Any:
            future = client.compute(collection)
            if progress:
                distributed.progress(future)
                print(file=sys.stderr)
            return future.result()
        yield compute


# --------------------------------------------------------------------------- the command

def resize(source: str, target: str, *, scale: Any = None, size: Any = None, mode: str = "bilinear",
           align_corners: bool = False, antialias: bool = False, spatial_dims: int = 2,
           chunks: int | None = None, dtype: Any = None, compute: Callable[[Any], Any] | None = None,
           overwrite: bool = False) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Resize the file or store ``source`` into ``target``; returns (input shape, output shape)."""
    import dask

    from . import _args, interpolation
    from . import dask as udask

    kind = _kind(target)
    if os.path.exists(target) and not overwrite:
        raise ValueError(f"resize: {target} exists; pass --overwrite to replace it")
    x, source_kind = read(source, chunks)
    planes, lead = _planes(x, spatial_dims)
    y = interpolation.interpolate(planes, size=size, scale_factor=scale, mode=mode,
                                  align_corners=True if align_corners else None,
                                  antialias=antialias)
    y = y.reshape((*lead, *y.shape[2:]))
    if kind == "image" and dtype is None:                    # an image file holds integers
        dtype = x.dtype if x.dtype.kind in "iu" else np.uint8
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.kind in "iu" and y.dtype.kind == "f":      # round and clip, as an image needs
            info = np.iinfo(dtype)
            y = y.round().clip(info.min, info.max)
        y = y.astype(dtype)
    compute = compute or (lambda c: dask.compute(c)[0])
    if kind == "zarr":
        udask.to_zarr(y, target, overwrite=overwrite, compute=compute)
        return tuple(x.shape), tuple(y.shape)
    if y.nbytes > _args.get_size_limit():
        raise ValueError(f"resize: the output of shape {y.shape} takes {y.nbytes / 2**30:.3g} GiB, "
                         f"too much for a .npy or image file in memory; write a .zarr store")
    result = np.asarray(compute(y))
    if kind == "npy":
        np.save(target, result)
    else:
        from PIL import Image

        if result.ndim == 3:                                  # (colour, H, W) -> (H, W, colour)
            result = np.moveaxis(result, 0, -1)
        Image.fromarray(result).save(target)
    return tuple(x.shape), tuple(y.shape)


def run(args: argparse.Namespace) -> int:
    """``upsample resize``: parse, resize, report one line."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
        import zarr  # noqa: F401
    except ModuleNotFoundError as error:
        print(f"upsample: error: {error.name} is missing; resize needs "
              "pip install -e \".[dask]\" in the upsample clone", file=sys.stderr)
        return 1
    with scheduler(args.scheduler, args.workers, threads_per_worker=args.threads_per_worker,
                   memory_limit=args.memory_limit, progress=not args.no_progress) as compute:
        before, after = resize(args.input, args.output, scale=args.scale, size=args.size,
                               mode=args.mode, align_corners=args.align_corners,
                               antialias=args.antialias, spatial_dims=args.spatial_dims,
                               chunks=args.chunks, dtype=args.dtype, compute=compute,
                               overwrite=args.overwrite)
    print(f"wrote {args.output}: {before} -> {after}")
    return 0
