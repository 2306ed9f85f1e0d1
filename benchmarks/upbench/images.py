"""The ``images`` family: one (H, W, 3) image resized in each framework's dialect, against
that framework called as its users call it, with OpenCV's time on every row as the anchor.

Single-image latency is what counts here (issue 19), not batch throughput. Per row, in one
process and alternating call by call (the order rotates every round): upsample's
``interpolate(img[None], size=..., convention=..., data_format="channels_last")``, the
framework's own call, and ``cv2.resize`` with the matching ``INTER_*`` on the same image
and dtype; medians of ``repeat`` rounds after warm-up. ``fraction_of_copy``: (input +
output bytes) / upsample's time, over the copy bandwidth measured in the same run.

The frameworks' calls:

* opencv: ``cv2.resize(img, (OW, OH), interpolation=cv2.INTER_*)``;
* pillow: ``Image.fromarray(img).resize((OW, OH), Image.BILINEAR/BICUBIC)`` (uint8 only:
  Pillow has no 3-channel float mode), the conversion from the array included;
* torch: ``F.interpolate(t, size, mode=..., align_corners=False)`` on the image as a
  (1, 3, H, W) tensor in channels_last memory (``torch.from_numpy(img).permute(2, 0, 1)[None]``),
  uint8 or float32, the conversion back to an (H, W, 3) array not included;
* tf2: ``tf.image.resize(img, (OH, OW), method)``, returning float32;
* jax: ``jax.image.resize(img, (OH, OW, 3), method)`` under ``jax.jit`` (compiled once per
  shape), ``block_until_ready``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import log

#: (name, (H, W), (OH, OW)): the issue's sizes; x1.5 and x0.37 are non-integer factors
SIZES = (
    ("512x512->768x768", (512, 512), (768, 768)),
    ("540x960->1080x1920", (540, 960), (1080, 1920)),
    ("1080x1920->540x960", (1080, 1920), (540, 960)),
    ("512x768 x1.5", (512, 768), (768, 1152)),
    ("1080x1920 x0.37", (1080, 1920), (399, 710)),
)

#: (convention, mode) rows per dtype; the framework call is the convention's
MODES = {
    "opencv": ("linear", "cubic", "area", "nearest"),
    "pillow": ("linear", "cubic"),
    "torch": ("bilinear", "bicubic"),
    "tf2": ("bilinear", "bicubic"),
    "jax": ("linear", "cubic"),
}

_CV2_FLAGS = {
    "linear": "INTER_LINEAR",
    "bilinear": "INTER_LINEAR",
    "cubic": "INTER_CUBIC",
    "bicubic": "INTER_CUBIC",
    "area": "INTER_AREA",
    "nearest": "INTER_NEAREST",
}


@dataclass
class Row:
    size: str
    dtype: str
    convention: str
    mode: str
    shape_in: tuple[int, int]
    shape_out: tuple[int, int]


def rows(sizes=SIZES, dtypes=("uint8", "float32"), conventions=None) -> list[Row]:
    out = []
    for name, shape_in, shape_out in sizes:
        for dtype in dtypes:
            for convention, modes in MODES.items():
                if conventions and convention not in conventions:
                    continue
                if convention == "pillow" and dtype != "uint8":
                    continue
                for mode in modes:
                    out.append(Row(name, dtype, convention, mode, shape_in, shape_out))
    return out


def _framework_call(row: Row, img: np.ndarray) -> tuple[Callable[[], Any], str]:
    """The framework's own call on ``img`` and how it is described."""
    (oh, ow) = row.shape_out
    if row.convention == "opencv":
        import cv2

        flag = getattr(cv2, _CV2_FLAGS[row.mode])
        return (lambda: cv2.resize(img, (ow, oh), interpolation=flag)), f"cv2.resize {_CV2_FLAGS[row.mode]}"
    if row.convention == "pillow":
        from PIL import Image

        flag = {"linear": Image.BILINEAR, "cubic": Image.BICUBIC}[row.mode]
        return (lambda: Image.fromarray(img).resize((ow, oh), flag)), f"PIL.Image.resize {row.mode}"
    if row.convention == "torch":
        import torch
        import torch.nn.functional as F

        tensor = torch.from_numpy(img).permute(2, 0, 1)[None]  # (1, 3, H, W), channels_last
        return (
            lambda: F.interpolate(tensor, size=(oh, ow), mode=row.mode, align_corners=False)
        ), f"F.interpolate {row.mode} {row.dtype} channels_last"
    if row.convention == "tf2":
        import tensorflow as tf

        tensor = tf.constant(img)
        return (lambda: tf.image.resize(tensor, (oh, ow), row.mode)), f"tf.image.resize {row.mode}"
    if row.convention == "jax":
        import jax

        resize = jax.jit(lambda a: jax.image.resize(a, (oh, ow, 3), row.mode))
        array = jax.device_put(img)
        return (lambda: resize(array).block_until_ready()), f"jax.jit(jax.image.resize) {row.mode}"
    raise ValueError(row.convention)


def _upsample_call(row: Row, img: np.ndarray) -> Callable[[], Any]:
    import upsample

    batch = img[None]  # (1, H, W, 3)
    return lambda: upsample.interpolate(
        batch, size=row.shape_out, mode=row.mode, convention=row.convention, data_format="channels_last"
    )


def _anchor_call(row: Row, img: np.ndarray) -> Callable[[], Any]:
    import cv2

    (oh, ow), flag = row.shape_out, getattr(cv2, _CV2_FLAGS[row.mode])
    return lambda: cv2.resize(img, (ow, oh), interpolation=flag)


def _timed(calls: list[Callable[[], Any]], repeat: int, warmup: int) -> list[float]:
    """Medians of each call, alternating call by call, the order rotating every round."""
    for _ in range(warmup):
        for call in calls:
            call()
    times: list[list[float]] = [[] for _ in calls]
    for round_ in range(repeat):
        for k in range(len(calls)):
            i = (k + round_) % len(calls)
            start = time.perf_counter()
            calls[i]()
            times[i].append(time.perf_counter() - start)
    return [float(np.median(t)) for t in times]


def run_images(
    repeat: int, warmup: int, threads: int, copy_bandwidth: float, selected: list[Row] | None = None
) -> list[dict[str, Any]]:
    """Time every row; returns one record per row (times in seconds, ratios)."""
    import cv2

    cv2.setNumThreads(threads)
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:
        pass
    rng = np.random.default_rng(19)
    records = []
    for row in selected if selected is not None else rows():
        h, w = row.shape_in
        img = rng.integers(0, 256, (h, w, 3)).astype(row.dtype)
        record: dict[str, Any] = {
            "size": row.size,
            "dtype": row.dtype,
            "convention": row.convention,
            "mode": row.mode,
            "shape_in": [h, w, 3],
            "shape_out": [*row.shape_out, 3],
        }
        try:
            framework, described = _framework_call(row, img)
        except ImportError as error:
            record.update(status="missing", reason=str(error))
            records.append(record)
            continue
        ours = _upsample_call(row, img)
        produced = ours()
        t_ours, t_framework, t_anchor = _timed([ours, framework, _anchor_call(row, img)], repeat, warmup)
        moved = img.nbytes + produced.nbytes
        record.update(
            status="ok",
            framework=described,
            upsample_s=t_ours,
            framework_s=t_framework,
            opencv_s=t_anchor,
            ratio=t_ours / t_framework,
            ratio_opencv=t_ours / t_anchor,
            fraction_of_copy=moved / t_ours / copy_bandwidth if copy_bandwidth else None,
        )
        log(
            f"images {row.size} {row.dtype} {row.convention} {row.mode}: "
            f"{t_ours * 1e3:.2f} ms, {record['ratio']:.2f}x {described}, "
            f"{record['ratio_opencv']:.2f}x cv2"
        )
        records.append(record)
    return records


#: A record's row in each table, as format templates over its fields: ``ms`` is upsample's
#: time in milliseconds and ``copy`` its share of the copy bandwidth (blank when unknown).
_TEXT_KEY = "{size:22s} {dtype:7s} {convention:10s} {mode:8s}"
_TEXT_ROW = _TEXT_KEY + " {ms:8.2f}ms {ratio:11.2f}x {ratio_opencv:7.2f}x {copy:>8s}"
_MARKDOWN_ROW = (
    "| {size} | {dtype} | {convention} | {mode} | {ms:.2f} ms | {ratio:.2f}x | {ratio_opencv:.2f}x | {copy} |"
)


def _timed_row(r: dict[str, Any], template: str, percent: str) -> str:
    """A timed record through one table's ``template``, the share of the copy bandwidth as
    ``percent`` (a format spec)."""
    fraction = r.get("fraction_of_copy")
    copy = "" if fraction is None else f"{100 * fraction:{percent}}%"
    return template.format(**r, ms=r["upsample_s"] * 1e3, copy=copy)


def format_images(records: list[dict[str, Any]]) -> str:
    """A text table of the family (ratios: upsample's time over the other's)."""
    header = _TEXT_KEY.format(size="image", dtype="dtype", convention="convention", mode="mode")
    lines = [f"{header} {'upsample':>10s} {'vs framework':>12s} {'vs cv2':>8s} {'of copy':>8s}"]
    for r in records:
        if r.get("status") == "ok":
            lines.append(_timed_row(r, _TEXT_ROW, "6.1f"))
        else:
            lines.append(_TEXT_KEY.format(**r) + f" missing: {r.get('reason', '')}")
    return "\n".join(lines)


def markdown_images(records: list[dict[str, Any]]) -> str:
    """The README's images table: per row, upsample's time and its ratios."""
    lines = [
        "| image | dtype | convention | mode | upsample | vs its framework | vs cv2 | of copy bandwidth |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [_timed_row(r, _MARKDOWN_ROW, ".0f") for r in records if r.get("status") == "ok"]
    return "\n".join(lines)
