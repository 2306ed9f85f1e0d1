"""The case table: every benchmark row, and the torch equivalent each is timed against.

A row is one line of :func:`build_cases`. The constructors (:func:`conv`,
:func:`conv_transpose`, :func:`interpolate`) fill in the torch baseline and the work; the
options of :class:`Case` add a variant of a row: another dtype, a thread count, a
preallocated ``out=`` buffer, or a member of a family whose cost is followed as the work
grows.
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

PASSES = ("forward", "forward+backward")


@dataclass(frozen=True)
class Size:
    """How the issue's shapes shrink: ``scale`` multiplies spatial sides; ``quick`` also
    takes batch 1 and an eighth of the channels, for a smoke run in seconds."""

    scale: float = 1.0
    quick: bool = False

    def n(self, value: int) -> int:
        return 1 if self.quick else value

    def c(self, value: int) -> int:
        return max(4, value // 8) if self.quick else value

    def s(self, value: int) -> int:
        """A spatial side, kept a multiple of 4 (pooling and x2 factors divide it)."""
        return value if self.scale == 1 else max(4, 4 * round(value * self.scale / 4))


@dataclass
class Case:
    """One benchmark case: an upsample op on random inputs, and its torch equivalents.

    ``inputs`` are the positional arrays in order; the first ``n_grad`` are differentiable.
    ``torch`` maps a variant's description to a function of the torch tensors.

    Variants of a row: ``dtype``; ``threads`` (every library, this row only; None: the
    run's ``--threads``); ``out`` (upsample writes into a buffer allocated once, NumPy's
    ``out=`` convention; forward only); ``family`` and ``work`` (rows of one family at
    growing work, for the linearity report); ``base`` (the row this one varies, for the
    thread and dtype comparisons); ``passes`` (the passes timed).
    """

    name: str
    op: str
    inputs: dict[str, tuple[int, ...]]
    kwargs: dict[str, Any]
    torch: dict[str, Callable[..., Any]]
    bound: str  # "matmul" (GFLOP/s vs matmul peak) or "memory" (GB/s vs copy)
    macs: int = 0  # multiply-adds of the forward, for "matmul" cases
    n_grad: int = 1
    make: Callable[[np.random.Generator, dict[str, tuple[int, ...]]], list[np.ndarray]] | None = None
    note: str = ""
    dtype: str = "float32"
    threads: int | None = None
    out: bool = False
    family: str | None = None
    work: int | None = None
    base: str | None = None
    passes: tuple[str, ...] = PASSES

    def arrays(self, rng: np.random.Generator) -> list[np.ndarray]:
        if self.make is not None:
            return self.make(rng, self.inputs)
        return [
            rng.standard_normal(shape, dtype=np.float32).astype(self.dtype, copy=False)
            for shape in self.inputs.values()
        ]

    def meta(self) -> dict[str, Any]:
        """The variant fields a report row carries."""
        return {
            "dtype": self.dtype,
            "threads": self.threads,
            "out": self.out,
            "family": self.family,
            "work_units": self.work,
            "base": self.base,
        }


def variant(case: Case, suffix: str, **changes: Any) -> Case:
    """``case`` with some fields changed, named ``"<name> <suffix>"``, forward only unless
    ``passes`` is given; ``base`` names the original."""
    changes.setdefault("passes", ("forward",))
    return dataclasses.replace(case, name=f"{case.name} {suffix}", base=case.name, **changes)


def growing(make: Callable[[int], Case], family: str, batches: tuple[int, ...] = (1, 2, 4, 8)) -> list[Case]:
    """One forward row per batch size: the same op at work proportional to the batch."""
    return [
        dataclasses.replace(make(b), name=f"{family} n{b}", family=family, work=b, passes=("forward",))
        for b in batches
    ]


# --------------------------------------------------------------------------- torch equivalents
# Imported lazily: the JIT probe must run without torch loaded.


def _t_conv(op, x, w, **kwargs):
    """torch's F.convNd or F.conv_transposeNd (``op``), N from the input's rank."""
    import torch.nn.functional as F

    return getattr(F, f"{op}{x.dim() - 2}d")(x, w, **kwargs)


def _t_interpolate(x, **kwargs):
    import torch.nn.functional as F

    return F.interpolate(x, **kwargs)


def _t_nails_assign(x):
    """Bed of nails x2 as zeros plus a strided assignment (two kernels)."""
    n, c, h, w = x.shape
    y = x.new_zeros((n, c, 2 * h, 2 * w))
    y[:, :, ::2, ::2] = x
    return y


def _t_nails_pad(x):
    """Bed of nails x2 as one constant pad of (N, C, H, 1, W, 1) to (N, C, H, 2, W, 2)."""
    import torch.nn.functional as F

    n, c, h, w = x.shape
    return F.pad(x[:, :, :, None, :, None], (0, 1, 0, 0, 0, 1)).reshape(n, c, 2 * h, 2 * w)


def _t_nails_conv_transpose(x):
    """Bed of nails x2 as a depthwise stride-2 transposed conv with a one-hot 2x2 kernel."""
    import torch.nn.functional as F

    c = x.shape[1]
    w = x.new_zeros((c, 1, 2, 2))
    w[:, :, 0, 0] = 1
    return F.conv_transpose2d(x, w, stride=2, groups=c)


def _t_max_pool(x, **kwargs):
    import torch.nn.functional as F

    return F.max_pool2d(x, **kwargs)


def _t_max_unpool(x, indices, **kwargs):
    import torch.nn.functional as F

    return F.max_unpool2d(x, indices, **kwargs)


def _t_pixel_shuffle(x, **kwargs):
    import torch.nn.functional as F

    return F.pixel_shuffle(x, **kwargs)


def _pooled_2x2(rng: np.random.Generator, inputs: dict[str, tuple[int, ...]]) -> list[np.ndarray]:
    """max_unpool's inputs: 2x2 max pooling of a random (N, C, 2H, 2W) array, in plain NumPy
    (neither library's max_pool), with torch's flat per-plane indices."""
    n, c, h, w = inputs["x"]
    x = rng.standard_normal((n, c, 2 * h, 2 * w), dtype=np.float32)
    windows = x.reshape(n, c, h, 2, w, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h, w, 4)
    tap = windows.argmax(axis=-1)  # (N, C, H, W)
    values = np.take_along_axis(windows, tap[..., None], axis=-1)[..., 0]
    row = 2 * np.arange(h)[:, None] + tap // 2
    col = 2 * np.arange(w)[None, :] + tap % 2
    return [np.ascontiguousarray(values), (row * (2 * w) + col).astype(np.int64)]


def _conv_macs(x, w, stride=1, padding=0, dilation=1, groups=1) -> int:
    """N * C_out * prod(o) * C_in/G * prod(k) for a convolution (w is (C_out, C_in/G, *k))."""
    out = [(i + 2 * padding - dilation * (k - 1) - 1) // stride + 1 for i, k in zip(x[2:], w[2:])]
    return x[0] * w[0] * math.prod(out) * w[1] * math.prod(w[2:])


def _conv_transpose_macs(x, w, **geometry: Any) -> int:
    """N * C_in * prod(i) * C_out/G * prod(k): every input element times the whole kernel,
    whatever the stride, padding or groups."""
    return x[0] * math.prod(x[1:]) * w[1] * math.prod(w[2:])


def _case_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The :class:`Case` options among a constructor's keywords, taken out of ``kwargs`` (the
    rest are the op's own arguments)."""
    return {key: kwargs.pop(key) for key in list(kwargs) if key in CASE_OPTIONS}


def _conv_case(op: str, macs: Callable[..., int], name: str, x, w, kwargs: dict[str, Any]) -> Case:
    """A conv-family row: the input and the weight both differentiable, against torch's
    F.<op>Nd with the same arguments; ``macs`` counts the forward's multiply-adds."""
    options = _case_options(kwargs)
    return Case(
        name,
        op,
        {"x": x, "weight": w},
        kwargs,
        {f"F.{op}{len(x) - 2}d": partial(_t_conv, op, **kwargs)},
        "matmul",
        macs=macs(x, w, **{k: v for k, v in kwargs.items() if k != "bias"}),
        n_grad=2,
        **options,
    )


def conv(name: str, x: tuple[int, ...], w: tuple[int, ...], **kwargs: Any) -> Case:
    """A conv row: x (N, C_in, *S), weight w (C_out, C_in/groups, *k), torch's F.convNd."""
    return _conv_case("conv", _conv_macs, name, x, w, kwargs)


def conv_transpose(name: str, x: tuple[int, ...], w: tuple[int, ...], **kwargs: Any) -> Case:
    """A conv_transpose row: x (N, C_in, *S), weight w (C_in, C_out/groups, *k)."""
    return _conv_case("conv_transpose", _conv_transpose_macs, name, x, w, kwargs)


def interpolate(name: str, x: tuple[int, ...], **kwargs: Any) -> Case:
    """An interpolate row against F.interpolate with the same arguments."""
    options = _case_options(kwargs)
    return Case(
        name,
        "interpolate",
        {"x": x},
        kwargs,
        {f"F.interpolate {kwargs['mode']}": partial(_t_interpolate, **kwargs)},
        "memory",
        **options,
    )


CASE_OPTIONS = ("dtype", "threads", "out", "family", "work", "base", "passes", "note")


def build_cases(size: Size) -> list[Case]:
    """Every row, at ``size``: issue 6's cases, then issue 12's variants."""
    n, c, s = size.n, size.c, size.s
    image = (n(8), c(64), s(128), s(128))
    pooled = {"x": image, "indices": image}
    cases = [
        conv_transpose(
            "conv_transpose 2d k4", (n(8), c(64), s(64), s(64)), (c(64), c(32), 4, 4), stride=2, padding=1
        ),
        conv_transpose(
            "conv_transpose 2d k3 op1",
            (n(1), c(256), s(128), s(128)),
            (c(256), c(128), 3, 3),
            stride=2,
            padding=1,
            output_padding=1,
        ),
        conv_transpose(
            "conv_transpose 3d k4",
            (n(2), c(32), s(16), s(32), s(32)),
            (c(32), c(16), 4, 4, 4),
            stride=2,
            padding=1,
        ),
        conv("conv 2d k4", (n(8), c(32), s(128), s(128)), (c(64), c(32), 4, 4), stride=2, padding=1),
        conv("conv 2d k3", (n(1), c(128), s(256), s(256)), (c(256), c(128), 3, 3), stride=2, padding=1),
        conv("conv 2d depthwise k3", image, (c(64), 1, 3, 3), padding=1, groups=c(64)),
        conv("conv 2d grouped k3 g4", image, (c(64), c(64) // 4, 3, 3), padding=1, groups=4),
        conv(
            "conv 2d dilated k3 d2",
            (n(8), c(32), s(128), s(128)),
            (c(32), c(32), 3, 3),
            padding=2,
            dilation=2,
        ),
        conv("conv 1d k4", (n(8), c(64), s(4096)), (c(64), c(64), 4), stride=2, padding=1),
        conv("conv 3d k4", (n(2), c(16), s(32), s(64), s(64)), (c(32), c(16), 4, 4, 4), stride=2, padding=1),
        conv_transpose(
            "conv_transpose 1d k4", (n(8), c(64), s(2048)), (c(64), c(64), 4), stride=2, padding=1
        ),
        interpolate("nearest x2", image, scale_factor=2, mode="nearest"),
        interpolate("bilinear x2", image, scale_factor=2, mode="bilinear", align_corners=False),
        interpolate("bilinear x2 align_corners", image, scale_factor=2, mode="bilinear", align_corners=True),
        interpolate("bicubic x2", image, scale_factor=2, mode="bicubic", align_corners=False),
        Case(
            "bed_of_nails x2",
            "bed_of_nails",
            {"x": image},
            {"scale_factor": 2},
            {
                "zeros + strided assign": _t_nails_assign,
                "F.pad (N,C,H,1,W,1) + reshape": _t_nails_pad,
                "F.conv_transpose2d one-hot depthwise": _t_nails_conv_transpose,
            },
            "memory",
            note="torch has no bed of nails: the fastest of three equivalents",
        ),
        Case(
            "max_pool 2x2 indices",
            "max_pool",
            {"x": (n(8), c(64), s(256), s(256))},
            {"kernel_size": 2, "return_indices": True},
            {"F.max_pool2d return_indices": partial(_t_max_pool, kernel_size=2, return_indices=True)},
            "memory",
        ),
        Case(
            "max_unpool 2x2",
            "max_unpool",
            pooled,
            {"kernel_size": 2},
            {"F.max_unpool2d": partial(_t_max_unpool, kernel_size=2)},
            "memory",
            make=_pooled_2x2,
            note="inputs: 2x2 max pooling of (N, C, 2H, 2W)",
        ),
        Case(
            "pixel_shuffle r2",
            "pixel_shuffle",
            {"x": (n(8), c(256), s(64), s(64))},
            {"upscale_factor": 2},
            {"F.pixel_shuffle": partial(_t_pixel_shuffle, upscale_factor=2)},
            "memory",
        ),
    ]
    row = {case.name: case for case in cases}
    cases += [
        # cost as the work grows: one family per kind of op, batch 1, 2, 4, 8
        *growing(
            lambda b: conv("", (b, c(32), s(128), s(128)), (c(64), c(32), 4, 4), stride=2, padding=1),
            "grow conv 2d k4",
        ),
        *growing(
            lambda b: conv_transpose("", (b, c(64), s(64), s(64)), (c(64), c(32), 4, 4), stride=2, padding=1),
            "grow conv_transpose 2d k4",
        ),
        *growing(
            lambda b: interpolate(
                "", (b, c(64), s(128), s(128)), scale_factor=2, mode="bilinear", align_corners=False
            ),
            "grow bilinear x2",
        ),
        *growing(
            lambda b: dataclasses.replace(
                row["max_pool 2x2 indices"], inputs={"x": (b, c(64), s(256), s(256))}
            ),
            "grow max_pool 2x2",
        ),
        *growing(
            lambda b: dataclasses.replace(row["pixel_shuffle r2"], inputs={"x": (b, c(256), s(64), s(64))}),
            "grow pixel_shuffle r2",
        ),
        # one thread against the run's threads (two by default)
        variant(row["conv 2d k4"], "1 thread", threads=1),
        variant(row["conv_transpose 2d k4"], "1 thread", threads=1),
        variant(row["bilinear x2"], "1 thread", threads=1),
        variant(row["max_pool 2x2 indices"], "1 thread", threads=1),
        variant(row["pixel_shuffle r2"], "1 thread", threads=1),
        # float64 beside float32
        variant(row["conv 2d k4"], "float64", dtype="float64"),
        variant(row["conv_transpose 2d k4"], "float64", dtype="float64"),
        variant(row["bilinear x2"], "float64", dtype="float64"),
        variant(row["max_pool 2x2 indices"], "float64", dtype="float64"),
        variant(row["pixel_shuffle r2"], "float64", dtype="float64"),
        # a caller's buffer (out=) against a fresh output on every call
        variant(row["max_unpool 2x2"], "out=", out=True),
        variant(row["pixel_shuffle r2"], "out=", out=True),
        variant(row["bed_of_nails x2"], "out=", out=True),
        variant(row["nearest x2"], "out=", out=True),
        variant(row["bilinear x2"], "out=", out=True),
        variant(row["bicubic x2"], "out=", out=True),
    ]
    return cases


def select(cases: list[Case], filters: str | None) -> list[Case]:
    """Cases whose name contains any of the comma-separated substrings."""
    if not filters:
        return cases
    wanted = [f.strip() for f in filters.split(",") if f.strip()]
    return [case for case in cases if any(f in case.name for f in wanted)]


def case_rng(case: Case) -> np.random.Generator:
    """The same inputs for a case in every process and whatever ``--cases`` selects."""
    return np.random.default_rng(zlib.crc32(case.name.encode()))
