"""The op table: the one seam where an op declares what every surface needs.

One :class:`Op` row per op holds its forward and VJP, the inputs that get a gradient,
the op it is the adjoint of, its output-size function in :mod:`upsample.shapes`, its
parameters as data (name, kind, surface default, help), whether it has an explainer,
a Dask form and a place on the page, and how the page shows it. The package namespace
(``upsample.__all__`` and the lazy imports), ``upsample.vjp``, ``upsample.explain``'s
table, the command line, the page's API and Dask's dispatch all read these rows. The
surfaces that need more than data keep one entry per op under the row's name, the way
a JAX primitive's rules are registered by the transform that uses them: the explainer
``upsample.explain.<name>``, the block planner ``upsample.dask.plans.PLANNERS[name]``,
the code panel's ``upsample.web.code`` snippets. ``tests/test_op_table.py`` walks the
table and fails when a surface lacks an op, so a new op is one module plus one row here
plus its entries there.

Functions are named, not imported (``"module:attribute"`` under ``upsample``), so that
``import upsample`` stays light: a row resolves a name on first use. By convention an
op ``name`` in family module ``m`` is ``upsample.m.name`` and its VJP ``upsample.m.name_vjp``
(``(*args, **kwargs) -> (out, pullback)``, written beside the forward).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["Param", "Op", "OPS", "by_function", "resolve"]


@functools.cache
def resolve(ref: str) -> Any:
    """``"module:attribute"`` under the ``upsample`` package -> the object (imported on first use)."""
    module, _, attribute = ref.partition(":")
    value = importlib.import_module(f"upsample.{module}" if module else "upsample")
    for part in attribute.split("."):
        value = getattr(value, part)
    return value


@dataclass(frozen=True)
class Param:
    """One keyword setting of an op, as data for the command line and the page.

    ``kind`` says how a surface reads it from text: ``"ints"`` (one int or one per spatial
    axis), ``"padding"`` (ints, (lo, hi) pairs, ``"same"``/``"valid"``), ``"numbers"`` (one
    float or one per axis), ``"int"``, ``"bool"`` or ``"choice"`` (one of ``choices``).
    ``default`` is the value a surface passes when its user gives none (None: the op's own
    default, read from its signature); ``page`` the text the page's control starts with
    (None: the page does not show it); ``flag`` the command line's short option. A setting
    only an explanation takes (transposed convolution's ``view``) belongs to the explainer.
    """

    name: str
    kind: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    page: str | bool | None = None
    flag: str | None = None
    #: another setting that, when given, replaces this one's default (size for scale_factor)
    unless: str | None = None

    @property
    def option(self) -> str:
        """The long command-line option, e.g. ``--kernel-size``."""
        return "--" + self.name.replace("_", "-")

    def describe(self) -> dict[str, Any]:
        """The page's view of this setting (``/api/ops``)."""
        data = {"name": self.name, "kind": self.kind, "default": self.page, "help": self.help}
        if self.choices:
            data["choices"] = list(self.choices)
        return data


@dataclass(frozen=True)
class Op:
    """One op and what every surface needs of it.

    Attributes:
        name: the public name, ``upsample.<name>``.
        family: the module under ``upsample`` that holds the forward and ``<name>_vjp``.
        inputs: the leading positional arguments that get a gradient (max_unpool's
            indices do not; by default ``x`` alone); ``data`` the leading arguments that
            are arrays at all.
        linear: linear in ``x`` (the adjoint test covers it); most ops are.
        adjoint_of: the op this one is the transpose of, e.g. conv_transpose -> conv.
        output_size: the :mod:`upsample.shapes` function giving the output's spatial size
            from the input's and ``size_params`` (keywords named as the op's parameters).
        params: the keyword settings surfaces offer, as :class:`Param` rows.
        explainer: ``upsample.explain``'s function for it (None: no explanation).
        dask: the Dask block planner's name in ``upsample.dask`` (None: no Dask form).
        title, blurb, preset, kernel, views: how the page shows it (``page`` False: not shown).
    """

    name: str
    family: str
    inputs: tuple[str, ...] = ("x",)
    linear: bool = True
    data: tuple[str, ...] = ("x",)
    adjoint_of: str | None = None
    output_size: str | None = None
    size_params: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    explainer: bool = True
    dask: bool = True
    page: bool = True
    title: str = ""
    blurb: str = ""
    kernel: str | None = None
    views: tuple[str, ...] = ()
    preset: dict[str, Any] = field(default_factory=dict)

    @property
    def forward(self) -> Callable[..., Any]:
        return resolve(f"{self.family}:{self.name}")

    @property
    def vjp(self) -> Callable[..., tuple[Any, Callable[[Any], tuple[Any, ...]]]]:
        return resolve(f"{self.family}:{self.name}_vjp")

    @property
    def explain(self) -> Callable[..., Any] | None:
        """The explainer in :mod:`upsample.explain`, or None."""
        return resolve(f"explain:{self.name}") if self.explainer else None

    def size(self, in_size: Any, **params: Any) -> tuple[int, ...]:
        """The output's spatial size for an input of spatial size ``in_size``."""
        if self.output_size is None:
            raise ValueError(f"{self.name}: its output size depends on its data, not on settings")
        fn = resolve(f"shapes:{self.output_size}")
        return fn(in_size, **{k: v for k, v in params.items() if k in self.size_params})

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


# --------------------------------------------------------------------------- parameters
# Shared rows: the same setting means the same thing (and reads the same way) everywhere.

STRIDE = Param(
    "stride", "ints", 1, "step between windows (or between scaled kernels); 2 or 2,1", page="1", flag="-s"
)
POOL_STRIDE = Param(
    "stride", "ints", None, "step between windows; empty: the window size", page="", flag="-s"
)
PADDING = Param(
    "padding", "padding", 0, "1, 1,2 (rows,cols), lo-hi pairs 0 1; 1 0, same or valid", page="0", flag="-p"
)
POOL_PADDING = Param("padding", "ints", 0, "implicit padding on each side", page="0", flag="-p")
OUTPUT_PADDING = Param("output_padding", "ints", 0, "extra rows/cols at the end (< stride)", page="0")
DILATION = Param("dilation", "ints", 1, "spacing between kernel taps", page="1", flag="-d")
GROUPS = Param("groups", "int", 1, "split the channels into groups that do not mix", page="1")
KERNEL_SIZE = Param("kernel_size", "ints", 2, "window size", page="2", flag="-k")
CEIL_MODE = Param("ceil_mode", "bool", False, "round the output size up", page=False)
SCALE = Param(
    "scale_factor",
    "numbers",
    2,
    "output size = floor(input size x factor); 2 or 2,1.5",
    page="2",
    flag="-f",
    unless="size",
)
NAILS_SCALE = replace(SCALE, unless=None)  # bed_of_nails always takes its factor
SIZE = Param("size", "ints", None, "the output size instead of a scale factor")
ALIGN = Param("align_corners", "bool", None, "linear and cubic: corner pixel centres line up", page=False)
MODE = Param(
    "mode",
    "choice",
    "nearest",
    "the interpolation mode",
    ("nearest", "nearest-exact", "linear", "cubic", "area"),
    page="cubic",
)
CONVENTION = Param("convention", "choice", "torch", "whose resize rules to follow")
VIEW = Param(
    "view",
    "choice",
    "scatter",
    "how to show a transposed convolution",
    ("scatter", "zero_insertion", "matrix"),
)
OFFSET = Param("offset", "ints", 0, "where in its cell each value lands")

_ARTICLE = {"x": ["1 2; 3 4"], "weight": ["5 5; 5 5"]}
_POOL_INPUT = {"x": ["1 2 4 1; 3 4 2 3; 1 4 1 2; 2 3 4 3"]}


def _convolution(name: str, **fields: Any) -> Op:
    """The row of conv or conv_transpose: x, weight and bias get gradients, the page shows a kernel."""
    return Op(
        name, "convolution", inputs=("x", "weight", "bias"), data=("x", "weight"), kernel=name, **fields
    )


def _resize(name: str, params: tuple[Param, ...], title: str, blurb: str, x: str) -> Op:
    """The row of one of the resize ops of ``upsample.interpolation`` (they share their size rule)."""
    return Op(
        name,
        "interpolation",
        output_size="interpolate_output_size",
        size_params=("scale_factor",),
        params=params,
        title=title,
        blurb=blurb,
        preset={"x": [x]},
    )


OPS: dict[str, Op] = {
    op.name: op
    for op in [
        _convolution(
            "conv_transpose",
            adjoint_of="conv",
            output_size="conv_transpose_output_size",
            size_params=("kernel_size", "stride", "padding", "output_padding", "dilation"),
            params=(STRIDE, PADDING, OUTPUT_PADDING, DILATION, GROUPS, VIEW),
            title="transposed convolution",
            blurb="each input value scales the whole kernel; the copies land stride apart and add up",
            views=("scatter", "zero_insertion", "matrix"),
            preset=_ARTICLE,
        ),
        _convolution(
            "conv",
            output_size="conv_output_size",
            size_params=("kernel_size", "stride", "padding", "dilation"),
            params=(STRIDE, PADDING, DILATION, GROUPS),
            title="convolution (downsampling)",
            blurb="the kernel slides over the input; each stop sums its products into one output",
            preset={"volume": True},
        ),
        _resize(
            "nearest",
            (SCALE, SIZE, CONVENTION),
            "nearest neighbour",
            "every value is copied into a block",
            "1 2; 3 4",
        ),
        _resize(
            "bilinear",
            (SCALE, SIZE, ALIGN, CONVENTION),
            "bilinear",
            "each output blends the inputs around its source point",
            "10 20; 30 40",
        ),
        _resize(
            "interpolate",
            (SCALE, SIZE, MODE, ALIGN, CONVENTION),
            "interpolate (every mode)",
            "upsample.interpolate: nearest, nearest-exact, linear, cubic or area",
            "10 20; 30 40",
        ),
        Op(
            "bed_of_nails",
            "nails",
            adjoint_of="subsample",
            output_size="bed_of_nails_output_size",
            size_params=("scale_factor", "offset"),
            params=(NAILS_SCALE, SIZE, OFFSET),
            title="bed of nails",
            blurb="each value is pinned to one corner of its cell",
            preset={"x": ["1 2; 3 4"]},
        ),
        Op(
            "subsample",
            "nails",
            adjoint_of="bed_of_nails",
            output_size="subsample_output_size",
            size_params=("factor", "offset"),
            params=(Param("factor", "ints", 2, "keep every factor-th value", page="2", flag="-f"), OFFSET),
            explainer=False,
            page=False,
        ),
        Op(
            "max_pool",
            "pool",
            linear=False,
            output_size="pool_output_size",
            size_params=("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
            params=(KERNEL_SIZE, POOL_STRIDE, POOL_PADDING, DILATION, CEIL_MODE),
            title="max pooling",
            blurb="each window keeps its largest value and where it was",
            preset=_POOL_INPUT,
        ),
        Op(
            "avg_pool",
            "pool",
            output_size="pool_output_size",
            size_params=("kernel_size", "stride", "padding", "ceil_mode"),
            params=(
                KERNEL_SIZE,
                POOL_STRIDE,
                Param(
                    "padding",
                    "ints",
                    0,
                    "zeros around the input (at most half the window)",
                    page="0",
                    flag="-p",
                ),
                CEIL_MODE,
                Param("count_include_pad", "bool", True, "the padding's zeros count in the mean", page=True),
                Param(
                    "divisor_override",
                    "int",
                    None,
                    "empty: the window's count; else divide every window sum by this",
                    page="",
                ),
            ),
            title="average pooling",
            blurb="each window is replaced by the mean of its values",
            preset=_POOL_INPUT,
        ),
        Op(
            "max_unpool",
            "pool",
            data=("x", "indices"),
            output_size="unpool_output_size",
            size_params=("kernel_size", "stride", "padding"),
            params=(
                Param("kernel_size", "ints", 2, "window size of the max_pool undone", page="2", flag="-k"),
                POOL_STRIDE,
                Param("padding", "ints", 0, "the max_pool's padding", page="0", flag="-p"),
            ),
            title="max unpooling",
            blurb="values go back to the positions max_pool recorded",
            preset={"x": ["1 2; 3 4"], "indices": ["5 2; 9 14"]},
        ),
        Op(
            "pixel_shuffle",
            "shuffle",
            adjoint_of="pixel_unshuffle",
            output_size="pixel_shuffle_output_size",
            size_params=("upscale_factor",),
            params=(
                Param(
                    "upscale_factor", "int", 2, "r: channels must be a multiple of r*r", page="2", flag="-f"
                ),
            ),
            title="pixel shuffle",
            blurb="r*r channels become one channel r times larger",
            preset={"x": ["1 2; 3 4", "5 6; 7 8", "9 10; 11 12", "13 14; 15 16"]},
        ),
        Op(
            "pixel_unshuffle",
            "shuffle",
            adjoint_of="pixel_shuffle",
            output_size="pixel_unshuffle_output_size",
            size_params=("downscale_factor",),
            params=(
                Param(
                    "downscale_factor", "int", 2, "r: each spatial size must be a multiple of r", flag="-f"
                ),
            ),
            explainer=False,
            page=False,
        ),
    ]
}


@functools.cache
def _by_function() -> dict[Any, Op]:
    return {op.forward: op for op in OPS.values()}


def by_function(fn: Callable[..., Any]) -> Op:
    """The table entry of a public op function, or a TypeError naming the known ops."""
    try:
        return _by_function()[fn]
    except (KeyError, TypeError):
        known = ", ".join(sorted(OPS))
        name = getattr(fn, "__name__", repr(fn))
        raise TypeError(f"vjp: {name} is not an upsample op; the ops are: {known}") from None
