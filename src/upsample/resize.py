"""``upsample resize``: interpolate an array file of any size, streamed with Dask.

Reads a Zarr store (any size: it is never loaded whole), a ``.npy`` file (memory-mapped)
or an image (Pillow), resizes its trailing spatial axes with :func:`upsample.interpolate`
on a Dask array, and writes a Zarr store (complete or absent, see
:func:`upsample.dask.to_zarr`), a ``.npy`` file or an image (checked to fit the format
before anything is computed). It runs on Dask's threaded scheduler by default, on a
``dask.distributed`` cluster given ``--scheduler ADDRESS``, or on a ``LocalCluster`` of
``--workers N`` processes on 127.0.0.1, with a progress bar counting bytes written and
a last line giving the time and the throughput. Size limits and cluster failures are
one line naming the flag to change (``--chunks``, ``--memory-limit``); an interrupt
leaves nothing behind (docs/dask-faults.md).

Layout: the last ``--spatial-dims`` axes (default 2) are resized; the axes before
them are independent planes. An image's colour axis is a plane axis too.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import math
import os
import sys
import time
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
    raise ValueError(
        f"resize: {path!r} is neither a .zarr store, a .npy file nor an image ({', '.join(IMAGE_SUFFIXES)})"
    )


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``upsample resize``."""
    parser.add_argument("input", help="a .zarr store, a .npy file or an image")
    parser.add_argument("output", help="where to write: .zarr, .npy or an image file")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--scale", type=_numbers, help="scale factor, one or one per spatial axis (2 or 2,1.5)")
    size.add_argument("--size", type=_numbers, help="output spatial size, one or one per axis")
    parser.add_argument(
        "--mode",
        default="bilinear",
        help="nearest, nearest-exact, bilinear/linear, bicubic/cubic, area (default bilinear)",
    )
    parser.add_argument("--align-corners", action="store_true", help="linear and cubic only")
    parser.add_argument("--antialias", action="store_true", help="linear and cubic only")
    parser.add_argument(
        "--spatial-dims",
        type=int,
        default=2,
        help="how many trailing axes are spatial (default 2; 3 for a volume)",
    )
    parser.add_argument(
        "--chunks",
        type=int,
        default=None,
        help="input chunk length along each spatial axis (default: the store's)",
    )
    parser.add_argument(
        "--dtype", default=None, help="output dtype (default: the op's; images keep their own)"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running dask.distributed scheduler, e.g. tcp://10.0.0.5:8786",
    )
    where.add_argument(
        "--workers", type=int, metavar="N", help="start a LocalCluster of N worker processes on 127.0.0.1"
    )
    parser.add_argument("--threads-per-worker", type=int, default=1, help="with --workers (default 1)")
    parser.add_argument(
        "--memory-limit",
        default="auto",
        help="per worker with --workers, e.g. 1GiB (default: Dask's share of RAM)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _numbers(text: str) -> float | tuple[float, ...]:
    from ._parse import numbers as parse

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
        except Exception as error:  # noqa: BLE001  zarr's own errors for a folder that holds no array
            raise ValueError(
                f"resize: cannot read {path} as a Zarr array ({type(error).__name__}: {error})"
            ) from None
    elif kind == "npy":
        x = da.from_array(np.load(path, mmap_mode="r"), chunks="auto")
    else:
        from PIL import Image

        with Image.open(path) as image:
            pixels = np.asarray(image)
        if pixels.ndim == 3:  # (H, W, colour) -> (colour, H, W)
            pixels = np.moveaxis(pixels, -1, 0)
        x = da.from_array(pixels, chunks="auto")
    if chunks is not None:
        x = x.rechunk({a: chunks for a in range(max(x.ndim - 2, 0), x.ndim)})
    return x, kind


def _planes(x: Any, spatial_dims: int) -> tuple[Any, tuple[int, ...]]:
    """(*lead, *spatial) -> (prod(lead), 1, *spatial), and the lead shape to restore."""
    if not 1 <= spatial_dims <= x.ndim:
        raise ValueError(
            f"resize: --spatial-dims must be between 1 and {x.ndim} for an input of "
            f"shape {x.shape}, got {spatial_dims}"
        )
    lead = tuple(x.shape[: x.ndim - spatial_dims])
    return x.reshape((math.prod(lead), 1, *x.shape[x.ndim - spatial_dims :])), lead


# --------------------------------------------------------------------------- progress


def _size(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if nbytes < 1024 or unit == "TiB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} TiB"


class Meter:
    """A one-line progress bar on stderr counting bytes written (or computed), not tasks."""

    def __init__(self, total: int, out: Any = None, width: int = 30, every: float = 0.2) -> None:
        self.total, self.done, self.width, self.every = max(int(total), 0), 0, width, every
        self.out = out if out is not None else sys.stderr
        self.start = self.drawn = time.perf_counter()

    def add(self, nbytes: int) -> None:
        self.done += int(nbytes)
        now = time.perf_counter()
        if now - self.drawn >= self.every:
            self.draw(now)

    def draw(self, now: float | None = None) -> None:
        now = time.perf_counter() if now is None else now
        self.drawn = now
        share = min(self.done / self.total, 1.0) if self.total else 1.0
        bar = "#" * int(self.width * share)
        print(
            f"\r[{bar:<{self.width}}] {share:4.0%}  {_size(self.done)} of {_size(self.total)} "
            f"written  {now - self.start:.1f} s",
            end="",
            file=self.out,
            flush=True,
        )

    def close(self) -> None:
        self.draw()
        print(file=self.out, flush=True)


def _measure(written: bool) -> Callable[[Any], int]:
    """Bytes of one finished block: what a write task reports, or the block's own size."""
    if written:
        return lambda result: int(np.sum(result))
    return lambda result: int(getattr(result, "nbytes", 0))


def _same(block: Any) -> Any:
    return block


def _marked(collection: Any) -> Any:
    """The collection behind one task per block under a name of its own, so that a
    callback sees each block finish (computed without graph optimisation, which would
    fuse these tasks into their neighbours)."""
    import dask.array as da
    from dask.base import tokenize
    from dask.core import flatten
    from dask.highlevelgraph import HighLevelGraph

    name = f"upsample-block-{tokenize(collection)}"
    layer = {(name, *key[1:]): (_same, key) for key in flatten(collection.__dask_keys__())}
    graph = HighLevelGraph.from_collections(name, layer, dependencies=[collection])
    return da.Array(graph, name, collection.chunks, meta=collection._meta)


# --------------------------------------------------------------------------- schedulers


@contextlib.contextmanager
def scheduler(
    address: str | None = None,
    workers: int | None = None,
    *,
    threads_per_worker: int = 1,
    memory_limit: str = "auto",
    progress: bool = True,
    timeout: float = CONNECT_TIMEOUT,
) -> Iterator[Callable[..., Any]]:
    """A function that computes a Dask array, with a progress bar in bytes, on the chosen scheduler.

    The function is ``compute(collection, *, total=None, written=False)``: ``total`` is
    the bytes the bar counts up to (default the collection's size), and ``written``
    says that each block holds the bytes it wrote (the write tasks of
    :func:`upsample.dask.to_zarr`) rather than data. On a failure or an interrupt the
    pending tasks are cancelled before the error goes on.

    No address and no workers: Dask's threaded scheduler. Otherwise a
    ``distributed.Client`` (to ``address``, or to a new ``LocalCluster`` on 127.0.0.1
    without a dashboard). An address that does not answer within ``timeout`` seconds,
    and workers that cannot start, are errors naming the cause.
    """
    import dask

    if address is None and workers is None:
        from dask.callbacks import Callback

        def compute(collection: Any, *, total: int | None = None, written: bool = False) -> Any:
            if not progress:
                return dask.compute(collection, scheduler="threads")[0]
            meter, measure = Meter(collection.nbytes if total is None else total), _measure(written)
            marked = _marked(dask.optimize(collection)[0])  # fused first, then one task per block

            def count(key: Any, result: Any, *_: Any) -> None:
                if isinstance(key, tuple) and key[0] == marked.name:
                    meter.add(measure(result))

            try:
                with Callback(posttask=count):  # no second fusion: the marks stay
                    return dask.compute(marked, scheduler="threads", optimize_graph=False)[0]
            finally:
                meter.close()

        yield compute
        return

    import logging

    import distributed

    with contextlib.ExitStack() as stack:
        if address is not None:
            try:
                client = stack.enter_context(distributed.Client(address, timeout=timeout))
            except (OSError, TimeoutError) as error:
                raise ValueError(
                    f"resize: cannot reach the Dask scheduler at {address} within "
                    f"{timeout:g} s ({type(error).__name__}: {error})"
                ) from None
        else:
            if workers < 1:
                raise ValueError(f"resize: --workers must be >= 1, got {workers}")
            try:
                cluster = stack.enter_context(
                    distributed.LocalCluster(
                        n_workers=workers,
                        threads_per_worker=threads_per_worker,
                        memory_limit=memory_limit,
                        host="127.0.0.1",
                        dashboard_address="127.0.0.1:0",  # loopback, a free port (None still serves 8787)
                        processes=True,
                        silence_logs=logging.CRITICAL,
                    )
                )
            except RuntimeError as error:  # "Nanny failed to start."
                raise ValueError(
                    f"resize: could not start a LocalCluster of {workers} worker(s) on "
                    f"127.0.0.1 ({error}); check --memory-limit and "
                    "--threads-per-worker, or start a cluster yourself and pass "
                    "--scheduler"
                ) from None
            client = stack.enter_context(distributed.Client(cluster))

        def compute(collection: Any, *, total: int | None = None, written: bool = False) -> Any:
            sizes = {
                key: math.prod(shape) * collection.dtype.itemsize
                for key, shape in zip(
                    dask.core.flatten(collection.__dask_keys__()), itertools.product(*collection.chunks)
                )
            }
            meter = Meter(collection.nbytes if total is None else total) if progress else None
            persisted = client.persist(collection)
            futures = distributed.futures_of(persisted)
            try:
                for future in distributed.as_completed(futures):
                    if future.status != "finished":
                        future.result()  # raises the task's error
                    if meter is not None:
                        meter.add(int(np.sum(future.result())) if written else sizes.get(future.key, 0))
                return client.compute(persisted).result()
            except BaseException:
                client.cancel(futures)
                raise
            finally:
                if meter is not None:
                    meter.close()

        yield compute


# --------------------------------------------------------------------------- the command


def _check_image(target: str, shape: tuple[int, ...], dtype: Any) -> None:
    """Refuse, before computing, an output that an image file of this format cannot hold."""
    import io

    from PIL import Image

    suffix = os.path.splitext(target)[1].lower()
    form = Image.registered_extensions().get(suffix)
    why, hint = None, ""
    if len(shape) not in (2, 3):
        why = f"it has {len(shape)} dimensions"
    else:
        probe = np.zeros((*shape[:-2], 2, 2), dtype=dtype)  # the output's layout, 2 x 2 pixels
        if probe.ndim == 3:  # (colour, H, W) -> (H, W, colour)
            probe = np.moveaxis(probe, 0, -1)
        try:
            Image.fromarray(probe).save(io.BytesIO(), format=form)
        except (TypeError, ValueError, OSError, KeyError) as error:
            why, hint = str(error) or type(error).__name__, ", or pass --dtype uint8"
    if why is not None:
        raise ValueError(
            f"resize: {target} cannot hold the output of shape {tuple(shape)} and dtype "
            f"{np.dtype(dtype)} ({why}); an image holds (H, W) or (colour, H, W) with 3 "
            "or 4 colours, 8 bits each in most formats; write a .npy file or a .zarr "
            f"store{hint}"
        )


def resize(
    source: str,
    target: str,
    *,
    scale: Any = None,
    size: Any = None,
    mode: str = "bilinear",
    align_corners: bool = False,
    antialias: bool = False,
    spatial_dims: int = 2,
    chunks: int | None = None,
    dtype: Any = None,
    compute: Callable[..., Any] | None = None,
    overwrite: bool = False,
) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Resize the file or store ``source`` into ``target``.

    Returns the input shape, the output shape and the bytes written (uncompressed).
    ``compute`` is a function of :func:`scheduler`; default Dask's current scheduler.
    """
    import dask

    from . import _args, interpolation
    from . import dask as udask

    kind = _kind(target)
    if os.path.exists(target) and not overwrite:
        raise ValueError(f"resize: {target} exists; pass --overwrite to replace it")
    x, _ = read(source, chunks)
    planes, lead = _planes(x, spatial_dims)
    y = interpolation.interpolate(
        planes,
        size=size,
        scale_factor=scale,
        mode=mode,
        align_corners=True if align_corners else None,
        antialias=antialias,
    )
    y = y.reshape((*lead, *y.shape[2:]))
    if kind == "image" and dtype is None:  # an image file holds integers
        dtype = x.dtype if x.dtype.kind in "iu" else np.uint8
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.kind in "iu" and y.dtype.kind == "f":  # round and clip, as an image needs
            info = np.iinfo(dtype)
            y = y.round().clip(info.min, info.max)
        y = y.astype(dtype)
    if compute is None:

        def compute(collection: Any, **_: Any) -> Any:
            return dask.compute(collection)[0]

    if kind == "zarr":
        udask.to_zarr(
            y, target, overwrite=overwrite, compute=functools.partial(compute, total=y.nbytes, written=True)
        )
        return tuple(x.shape), tuple(y.shape), int(y.nbytes)
    if y.nbytes > _args.get_size_limit():
        raise ValueError(
            f"resize: the output of shape {y.shape} takes {y.nbytes / 2**30:.3g} GiB, "
            f"too much for a .npy or image file in memory; write a .zarr store"
        )
    if kind == "image":
        _check_image(target, tuple(y.shape), y.dtype)
    result = np.asarray(compute(y))
    if kind == "npy":
        np.save(target, result)
    else:
        from PIL import Image

        if result.ndim == 3:  # (colour, H, W) -> (H, W, colour)
            result = np.moveaxis(result, 0, -1)
        Image.fromarray(result).save(target)
    return tuple(x.shape), tuple(y.shape), int(y.nbytes)


def _cli_advice(error: Any, args: argparse.Namespace) -> str:
    """A size limit's message for someone at the command line: flags, not library calls."""
    if error.limit == "block":
        now = f"now {args.chunks}" if args.chunks else "now the input's own chunks"
        return (
            f"resize: one {error.what} of shape {error.shape} would take {_size(error.nbytes)}, "
            f"over the {_size(error.allowed)} one block may take in memory; pass a smaller "
            f"--chunks (the chunk length along each spatial axis, {now}) or a smaller "
            "--scale or --size; with --workers, each block must also fit in --memory-limit"
        )
    if error.limit == "total":
        return (
            f"resize: the output of shape {error.shape} would take {_size(error.nbytes)}, over "
            f"the limit of {_size(error.allowed)}; ask for a smaller --scale or --size"
        )
    return (
        f"resize: the output of shape {error.shape} takes {_size(error.nbytes)} uncompressed, "
        f"more than the {_size(error.allowed)} free beside {args.output}; free some space or "
        "write the store elsewhere"
    )


def _cluster_failure(error: BaseException, args: argparse.Namespace) -> str | None:
    """One line for a failure of the Dask cluster itself, naming the cause and what to change."""
    name = type(error).__name__
    memory = f"--memory-limit {args.memory_limit}" if args.workers else "the workers' memory limit"
    if name == "KilledWorker":
        return (
            f"resize: a Dask worker died while computing a block (KilledWorker), most often "
            f"because it ran past its memory ({memory}); raise --memory-limit, or pass a "
            "smaller --chunks so each block needs less"
        )
    if isinstance(error, MemoryError):
        return (
            "resize: a block did not fit in memory (MemoryError); pass a smaller --chunks, or "
            "raise --memory-limit with --workers"
        )
    if name in ("CommClosedError", "FutureCancelledError", "CancelledError"):
        return (
            f"resize: the connection to the Dask cluster was lost ({name}: {error}); check the "
            f"scheduler and its workers ({memory}) and run again"
        )
    return None


def run(args: argparse.Namespace) -> int:
    """``upsample resize``: parse, resize, report one line with the time and throughput."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
        import zarr  # noqa: F401
    except ModuleNotFoundError as error:
        print(
            f"upsample: error: {error.name} is missing; resize needs "
            'pip install -e ".[dask]" in the upsample clone',
            file=sys.stderr,
        )
        return 1
    from .dask.graph import LimitError

    try:
        with scheduler(
            args.scheduler,
            args.workers,
            threads_per_worker=args.threads_per_worker,
            memory_limit=args.memory_limit,
            progress=not args.no_progress,
        ) as compute:
            start = time.perf_counter()  # the job, not the cluster's start
            before, after, nbytes = resize(
                args.input,
                args.output,
                scale=args.scale,
                size=args.size,
                mode=args.mode,
                align_corners=args.align_corners,
                antialias=args.antialias,
                spatial_dims=args.spatial_dims,
                chunks=args.chunks,
                dtype=args.dtype,
                compute=compute,
                overwrite=args.overwrite,
            )
            seconds = time.perf_counter() - start
    except LimitError as error:
        raise ValueError(_cli_advice(error, args)) from None
    except KeyboardInterrupt:
        print(f"upsample: interrupted; nothing was written to {args.output}", file=sys.stderr)
        return 130
    except Exception as error:
        message = _cluster_failure(error, args)
        if message is None:
            raise
        print(f"upsample: error: {message}", file=sys.stderr)
        return 1
    print(
        f"wrote {args.output}: {before} -> {after}, {_size(nbytes)} in {seconds:.1f} s "
        f"({_size(nbytes / max(seconds, 1e-9))}/s)"
    )
    return 0
