"""Show the work: every op on a small example, step by step, as data.

Each function takes a small example ``x`` of shape ``(L,)``, ``(H, W)`` or ``(C, H, W)``
(pass ``spatial_dims`` for other layouts, e.g. ``spatial_dims=1`` for ``(C, L)``), runs
the real op on it, and returns an :class:`Explanation`: the op's output and the steps
that add up to it exactly. ``str(explanation)`` prints the steps like the article;
``explanation.save_gif(path)`` animates them (Pillow, ``pip install -e ".[cli]"``).

>>> import numpy as np
>>> from upsample import explain
>>> ex = explain.conv_transpose(np.array([[1, 2], [3, 4]]), np.full((2, 2), 5))
>>> len(ex.steps), ex.output
(4, array([[[ 5., 15., 10.],
        [20., 50., 30.],
        [15., 35., 20.]]]))
>>> ex.steps[0].caption
'input (0, 0) = 1 times the kernel, added at output rows 0-1, cols 0-1'

Every generator lives in :mod:`upsample.explain.steps`; the renderers in ``text`` and
``gif`` draw the records and nothing else. ``EXPLAINERS`` maps op names (the names of
``upsample.ops.OPS``) to the functions here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import upsample as _up

from .. import _args, shapes
from ..ops import OPS
from ._boundary import (
    MAX_RECORDED_CELLS,
    _check_size,
    _example,
    _formula_notes,
    _frozen,
    _per_axis,
    _weight,
)
from .pooling import avg_pool, max_pool, max_unpool
from .records import Cell, Explanation, Step, Term, Write
from .steps import (
    conv_steps,
    copy_steps,
    fmt,
    interpolation_steps,
    matrix_steps,
    scatter_steps,
)

__all__ = [
    "conv",
    "conv_transpose",
    "nearest",
    "bilinear",
    "interpolate",
    "bed_of_nails",
    "max_pool",
    "avg_pool",
    "max_unpool",
    "pixel_shuffle",
    "conv3d_picture",
    "volume_example",
    "Explanation",
    "Step",
    "Term",
    "Write",
    "Cell",
    "EXPLAINERS",
    "VIEWS",
]

# --------------------------------------------------------------------------- convolution


def conv(
    x: Any,
    weight: Any,
    *,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
    spatial_dims: int | None = None,
) -> Explanation:
    """Convolution (downsampling), one output cell per step: the kernel over its window.

    ``weight`` is ``(*k)`` (one kernel, summed over every input channel), ``(C_in, *k)``
    (one filter spanning the channels, like the article's 3x3x3) or ``(C_out, C_in/groups, *k)``
    (with ``groups``, output channel ``co`` reads only the input channels of its group).
    Zero padding is part of the drawn input (``input_mask`` marks the real cells).

    >>> from upsample import explain
    >>> ex = explain.conv([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, 1]])
    >>> ex.output
    array([[[ 6.,  8.],
            [12., 14.]]])
    >>> ex.steps[0].equation
    '1*1 + 2*0 + 4*0 + 5*1 = 6'
    """
    op = "explain.conv"
    x, nd = _example(op, x, spatial_dims)
    w = _weight(op, weight, nd, x.shape[0], transpose=False)
    settings = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    y = _up.conv(x[None], w, **settings)[0]
    _check_size(op, y.size, y.size)
    k = w.shape[2:]
    s = _args.int_tuple(op, "stride", stride, nd)
    d = _args.int_tuple(op, "dilation", dilation, nd)
    pads = shapes.conv_padding(x.shape[1:], k, s, padding, d)
    xp = np.pad(x.astype(y.dtype), ((0, 0), *pads))  # (C_in, *P)
    mask = np.pad(np.ones(x.shape, dtype=bool), ((0, 0), *pads))
    groups = _args.int_tuple(op, "groups", groups, 1, minimum=1)[0]
    steps = tuple(conv_steps(xp, w.astype(y.dtype), s, d, y.shape[1:], y.dtype, groups))
    notes = _formula_notes(
        "output size",
        "o = floor((i + p_lo + p_hi - d*(k - 1) - 1) / s) + 1",
        [
            (f"floor(({i} + {lo} + {hi} - {dd}*({kk} - 1) - 1) / {ss}) + 1", o)
            for i, kk, ss, (lo, hi), dd, o in zip(x.shape[1:], k, s, pads, d, y.shape[1:])
        ],
    )
    if groups > 1:
        notes.append(
            f"groups={groups}: the {x.shape[0]} input channels split into {groups} groups of "
            f"{w.shape[1]}; each of the {w.shape[0]} filters spans only its group's channels"
        )
    elif x.shape[0] > 1:
        filters = "the filter spans" if w.shape[0] == 1 else f"each of the {w.shape[0]} filters spans"
        notes.append(f"{filters} all {x.shape[0]} input channels and gives one output channel")
    if mask.all():
        mask = None
    else:
        notes.append("the input is drawn with its zero padding")
    return Explanation(
        "conv",
        _shown(settings),
        _frozen(xp),
        _frozen(y),
        steps,
        nd,
        kernel=_frozen(w),
        kernel_dims=nd,
        input_mask=mask,
        notes=tuple(notes),
    )


def _shown(settings: dict[str, Any]) -> dict[str, Any]:
    """A convolution's settings as an explanation shows them: ``groups`` only when not 1."""
    return {name: v for name, v in settings.items() if name != "groups" or v != 1}


def _transpose_setup(op: str, x: Any, weight: Any, settings: dict[str, Any], spatial_dims: int | None):
    x, nd = _example(op, x, spatial_dims)
    w = _weight(op, weight, nd, x.shape[0], transpose=True)  # (C_in, C_out/G, *k)
    y = _up.conv_transpose(x[None], w, **settings)[0]
    k = w.shape[2:]
    s = _args.int_tuple(op, "stride", settings["stride"], nd)
    d = _args.int_tuple(op, "dilation", settings["dilation"], nd)
    pairs, extra = shapes.conv_transpose_padding(
        x.shape[1:], k, s, settings["padding"], settings["output_padding"], d
    )
    notes = _formula_notes(
        "output size",
        "o = (i - 1)*s - p_lo - p_hi + d*(k - 1) + output_padding + 1",
        [
            (f"({i} - 1)*{ss} - {lo} - {hi} + {dd}*({kk} - 1) + {a} + 1", o)
            for i, kk, ss, (lo, hi), a, dd, o in zip(x.shape[1:], k, s, pairs, extra, d, y.shape[1:])
        ],
    )
    groups = _args.int_tuple(op, "groups", settings["groups"], 1, minimum=1)[0]
    if groups > 1:
        notes.append(
            f"groups={groups}: input channels {x.shape[0] // groups} at a time go to "
            f"their own {w.shape[1]} output channels"
        )
    return x, w, y, nd, k, s, d, pairs, extra, groups, notes


def _scatter_view(op, x, w, y, nd, k, s, d, pairs, extra, groups, notes, params) -> Explanation:
    _check_size(op, x.size, y.size)
    steps = tuple(
        scatter_steps(
            x.astype(y.dtype), w.astype(y.dtype), s, d, [lo for lo, _ in pairs], y.shape[1:], y.dtype, groups
        )
    )
    notes = notes + [
        "each input value multiplies the whole kernel; the scaled kernels are placed stride apart and summed"
    ]
    return Explanation(
        "conv_transpose",
        params,
        _frozen(x),
        _frozen(y),
        steps,
        nd,
        kernel=_frozen(w),
        kernel_dims=nd,
        view="scatter",
        notes=tuple(notes),
    )


def _zero_insertion_view(op, x, w, y, nd, k, s, d, pairs, extra, groups, notes, params) -> Explanation:
    _check_size(op, y.size, y.size)
    spread = tuple((i - 1) * ss + 1 for i, ss in zip(x.shape[1:], s))
    nails = _up.bed_of_nails(x[None].astype(y.dtype), s, size=spread)[0]  # (C_in, *Z)
    real = _up.bed_of_nails(np.ones((1, *x.shape), dtype=bool).view(np.uint8), s, size=spread)[0] > 0
    border = [(dd * (kk - 1), dd * (kk - 1) + a) for kk, dd, a in zip(k, d, extra)]
    crop = (
        slice(None),
        *(slice(lo, n + b_lo + b_hi - hi) for (lo, hi), n, (b_lo, b_hi) in zip(pairs, spread, border)),
    )
    bed = np.pad(nails, ((0, 0), *border))[crop]  # (C_in, *(O + d*(k-1)))
    mask = np.pad(real, ((0, 0), *border))[crop]
    # the conv's weight: (C_in, C_out/G, *k) -> (G, C_in/G, C_out/G, *k) -> swap the two
    # channel axes -> (C_out, C_in/G, *k), flipped in every spatial axis
    c_in, per_group_out = w.shape[:2]
    regrouped = w.reshape(groups, c_in // groups, per_group_out, *k).swapaxes(1, 2)
    regrouped = regrouped.reshape(groups * per_group_out, c_in // groups, *k)
    flipped = np.flip(regrouped, axis=tuple(range(2, 2 + nd)))  # (C_out, C_in/G, *k)
    steps = tuple(conv_steps(bed, flipped.astype(y.dtype), (1,) * nd, d, y.shape[1:], y.dtype, groups))
    pad_text = _per_axis(
        [
            f"{dd * (kk - 1)} - {lo} = {dd * (kk - 1) - lo} before, "
            f"{dd * (kk - 1)} - {hi} + {a} = {dd * (kk - 1) - hi + a} after"
            for kk, dd, (lo, hi), a in zip(k, d, pairs, extra)
        ]
    )
    gaps = _per_axis([f"{ss} - 1 = {ss - 1}" for ss in s])
    notes = notes + [
        f"1. bed of nails: stride - 1 zeros between neighbouring inputs: {gaps}",
        f"2. a border of d*(k - 1) - padding zeros (+ output_padding after; negative crops): {pad_text}",
        "3. an ordinary stride-1 convolution with the kernel flipped in every spatial axis "
        "(and its in/out channels swapped)",
    ]
    return Explanation(
        "conv_transpose",
        params,
        _frozen(bed),
        _frozen(y),
        steps,
        nd,
        kernel=_frozen(flipped),
        kernel_dims=nd,
        input_mask=_frozen(mask),
        view="zero_insertion",
        notes=tuple(notes),
        extras={"x": _frozen(x), "kernel before flipping": _frozen(w)},
    )


def _matrix_view(op, x, w, y, nd, k, s, d, pairs, extra, groups, notes, params) -> Explanation:
    n_out, n_in = y.size, x.size
    if n_out * n_in > MAX_RECORDED_CELLS // 4 or n_out > 1024:
        raise ValueError(
            f"{op}: the example is too large for the matrix view (a {n_in}x{n_out} "
            f"matrix); use a smaller example"
        )
    _check_size(op, n_out, n_out)
    # Column j of C is conv(e_j): run the real conv on every basis image of the
    # conv_transpose's output space at once, (n_out, C_out, *O) -> (n_out, C_in, *I).
    basis = np.eye(n_out, dtype=y.dtype).reshape(n_out, *y.shape)
    images = _up.conv(basis, w.astype(y.dtype), stride=s, padding=pairs, dilation=d, groups=groups)
    images = images[(..., *(slice(0, i) for i in x.shape[1:]))]  # output_padding: extra rows unused
    matrix_t = np.ascontiguousarray(images.reshape(n_out, n_in))  # C^T, (prod(O)*C_out, prod(I)*C_in)
    steps = tuple(matrix_steps(x.astype(y.dtype), matrix_t, y.shape, y.dtype))
    notes = notes + [
        f"C is the {n_in}x{n_out} matrix of x -> conv(x, kernel) (same stride, padding and "
        f"dilation): column j of C is conv of the j-th basis image",
        "conv_transpose(y) = C^T . vec(y): each output cell is one row of C^T times the flattened input",
    ]
    return Explanation(
        "conv_transpose",
        params,
        _frozen(x),
        _frozen(y),
        steps,
        nd,
        kernel=_frozen(matrix_t),
        kernel_dims=2,
        view="matrix",
        notes=tuple(notes),
        extras={"kernel": _frozen(w)},
    )


#: The three views of conv_transpose: the same output, computed three ways.
VIEWS: dict[str, Callable[..., Explanation]] = {
    "scatter": _scatter_view,
    "zero_insertion": _zero_insertion_view,
    "matrix": _matrix_view,
}


def conv_transpose(
    x: Any,
    weight: Any,
    *,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
    view: str = "scatter",
    spatial_dims: int | None = None,
) -> Explanation:
    """Transposed convolution (learnable upsampling), in one of three views that agree.

    * ``"scatter"`` (the article's): one step per input cell, which multiplies the whole
      kernel and is added into the output at ``stride`` apart;
    * ``"zero_insertion"`` (Dumoulin & Visin): insert ``stride - 1`` zeros between the
      inputs (a bed of nails), pad, and run an ordinary convolution with the flipped
      kernel, one step per output cell;
    * ``"matrix"``: with ``C`` the matrix of the matching convolution,
      ``conv_transpose(y) == C^T . vec(y)``, one step per row of ``C^T``.

    ``weight`` is ``(*k)``, ``(C_in, *k)`` or ``(C_in, C_out/groups, *k)``.

    >>> from upsample import explain
    >>> x, w = [[1, 2], [3, 4]], [[5, 5], [5, 5]]
    >>> views = [explain.conv_transpose(x, w, view=v) for v in explain.VIEWS]
    >>> [ex.steps[-1].output.tolist() for ex in views] == [views[0].output.tolist()] * 3
    True
    """
    op = "explain.conv_transpose"
    view = _args.choice(op, "view", view, VIEWS)
    settings = {
        "stride": stride,
        "padding": padding,
        "output_padding": output_padding,
        "dilation": dilation,
        "groups": groups,
    }
    setup = _transpose_setup(op, x, weight, settings, spatial_dims)
    return VIEWS[view](op, *setup, _shown(settings))


# --------------------------------------------------------------------------- resampling


def _sources(plans, channels: int, in_spatial: tuple[int, ...]) -> np.ndarray:
    """Flat input position each output cell copies, from one-tap (gather) plans: (C, *O)."""
    per_axis = np.meshgrid(*[p.index[:, 0] for p in plans], indexing="ij")  # each (*O)
    flat = np.ravel_multi_index(per_axis, in_spatial)  # (*O)
    plane = math.prod(in_spatial)
    return np.arange(channels).reshape(-1, *(1,) * len(plans)) * plane + flat


def _resize_notes(op: str, x: np.ndarray, y: np.ndarray, scale_factor: Any, size: Any, nd: int) -> list[str]:
    if scale_factor is None:
        return [f"output size: given, {'x'.join(map(str, y.shape[1:]))}"]
    factors = shapes.scale_factors(op, scale_factor, nd)
    return _formula_notes(
        "output size",
        "o = floor(i * scale_factor)",
        [(f"floor({i} * {fmt(f)})", o) for i, f, o in zip(x.shape[1:], factors, y.shape[1:])],
    )


def nearest(
    x: Any,
    scale_factor: Any = None,
    *,
    size: Any = None,
    spatial_dims: int | None = None,
    convention: str = "torch",
) -> Explanation:
    """Nearest-neighbour upsampling, one step per input cell: its copies in the output.

    The copies are read from ``upsample.interpolation``'s sampling plan, in the dialect
    of ``convention`` (see :mod:`upsample.conventions`).

    >>> from upsample import explain
    >>> explain.nearest([[1, 2], [3, 4]], 2).steps[1].caption
    'input (0, 1) = 2 copied to (0, 2), (0, 3), (1, 2), (1, 3)'
    """
    from ..interpolation import sampling_plans

    op = "explain.nearest"
    x, nd = _example(op, x, spatial_dims)
    y = _up.nearest(x[None], scale_factor, size=size, convention=convention)[0]
    _check_size(op, x.size, y.size)
    plans = sampling_plans(x[None], size, scale_factor, mode="nearest", convention=convention)
    steps = tuple(copy_steps(x, _sources(plans, x.shape[0], x.shape[1:]), y.dtype))
    notes = _resize_notes(op, x, y, scale_factor, size, nd)
    if convention == "torch":
        notes.append("output o copies input floor(o * i / o_size): every value becomes a block of copies")
    else:
        notes.append(_dialect_note(convention, "nearest"))
    params = {"scale_factor": scale_factor, "size": size}
    if convention != "torch":
        params["convention"] = convention
    return Explanation("nearest", params, _frozen(x), _frozen(y), steps, nd, notes=tuple(notes))


def _dialect_note(convention: str, mode: str) -> str:
    """Where another framework puts the samples, from its row of the conventions table."""
    from ..conventions import CONVENTIONS

    row = CONVENTIONS[convention]
    coordinate = row.per_mode.get(mode, {}).get("coordinate", row.coordinate)
    rounding = row.per_mode.get(mode, {}).get("nearest_mode", row.nearest_mode)
    how = f", rounded {rounding}" if mode == "nearest" else ""
    return (
        f"{convention} ({row.call}, {row.modes[mode]}): source points by the "
        f"{coordinate} rule{how}; the input points each output reads are listed per step"
    )


def bilinear(
    x: Any,
    scale_factor: Any = None,
    *,
    size: Any = None,
    align_corners: bool = False,
    spatial_dims: int | None = None,
    convention: str = "torch",
) -> Explanation:
    """Bilinear (linear along every axis) upsampling, one step per output cell.

    Each step lists the output's source point and the input cells around it with their
    weights, read from ``upsample.interpolation``'s sampling plan, in the dialect of
    ``convention`` (TF1's asymmetric rule moves every source point by a quarter pixel):

    >>> from upsample import explain
    >>> explain.bilinear([[10, 20], [30, 40]], 2, convention="tf1").steps[1].equation
    '10*0.5 + 20*0.5 = 15'

    >>> from upsample import explain
    >>> ex = explain.bilinear([[10, 20], [30, 40]], 2)
    >>> ex.steps[1].equation
    '10*0.75 + 20*0.25 = 12.5'
    """
    from ..interpolation import sampling_plans

    op = "explain.bilinear"
    x, nd = _example(op, x, spatial_dims)
    y = _up.bilinear(x[None], scale_factor, size=size, align_corners=align_corners, convention=convention)[0]
    _check_size(op, y.size, y.size)
    plans = sampling_plans(
        x[None], size, scale_factor, mode="linear", align_corners=align_corners, convention=convention
    )
    steps = tuple(interpolation_steps(x.astype(y.dtype), plans, y.dtype))
    rule = (
        "o * (i - 1) / (o_size - 1)"
        if align_corners
        else "(o + 0.5) / scale - 0.5, clamped at 0 (pixel centres line up)"
    )
    notes = _resize_notes(op, x, y, scale_factor, size, nd)
    if convention == "torch":
        notes.append(
            f"output o sits at input point {rule}; it averages the 2 inputs around "
            "that point along each axis, the nearer one weighted more"
        )
    else:
        notes.append(_dialect_note(convention, "linear"))
    fractional = int(np.count_nonzero(y != np.floor(y)))
    if fractional:
        notes.append(
            f"{fractional} of the {y.size} outputs are not whole numbers; they are "
            "printed exactly (a print in whole numbers would round them)"
        )
    params = {"scale_factor": scale_factor, "size": size, "align_corners": align_corners}
    if convention != "torch":
        params["convention"] = convention
    return Explanation("bilinear", params, _frozen(x), _frozen(y), steps, nd, notes=tuple(notes))


def interpolate(
    x: Any,
    scale_factor: Any = None,
    *,
    size: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    antialias: bool | None = None,
    spatial_dims: int | None = None,
) -> Explanation:
    """Interpolation in any mode of ``upsample.interpolate``, one step per output cell.

    Each step lists the input cells the output reads and their weights, from
    ``upsample.interpolation``'s sampling plan for that mode (nearest and nearest-exact
    read one cell with weight 1, linear 2 per axis, cubic 4, area the cells it averages).

    >>> from upsample import explain
    >>> explain.interpolate([[1, 2, 3, 4]], size=(1, 2), mode="area").steps[1].equation
    '3*0.5 + 4*0.5 = 3.5'
    >>> explain.interpolate([[10, 20], [30, 40]], 2, mode="bicubic").output[0, 0]
    array([ 6.8359375, 10.15625  , 15.625    , 18.9453125])
    """
    from ..interpolation import sampling_plans

    op = "explain.interpolate"
    x, nd = _example(op, x, spatial_dims)
    settings = {"mode": mode, "align_corners": align_corners, "antialias": antialias}
    y = _up.interpolate(x[None], size, scale_factor, **settings)[0]
    _check_size(op, y.size, y.size)
    plans = sampling_plans(x[None], size, scale_factor, **settings)
    steps = tuple(interpolation_steps(x.astype(y.dtype), plans, y.dtype))
    notes = _resize_notes(op, x, y, scale_factor, size, nd)
    taps = "/".join(str(p.taps) for p in plans)
    notes.append(
        f"mode {mode!r}: each output reads up to {taps} input cells per axis, "
        "with the sampling plan's weights"
    )
    return Explanation(
        "interpolate",
        {"scale_factor": scale_factor, "size": size, **settings},
        _frozen(x),
        _frozen(y),
        steps,
        nd,
        notes=tuple(notes),
    )


def bed_of_nails(
    x: Any, scale_factor: Any, *, size: Any = None, offset: Any = 0, spatial_dims: int | None = None
) -> Explanation:
    """Bed of nails, one step per input cell: the one output cell it is nailed to.

    The positions come from ``upsample.bed_of_nails`` itself, run on the cell numbers.

    >>> from upsample import explain
    >>> explain.bed_of_nails([[1, 2], [3, 4]], 2).steps[3].caption
    'input (1, 1) = 4 nailed to (2, 2)'
    """
    op = "explain.bed_of_nails"
    x, nd = _example(op, x, spatial_dims)
    y = _up.bed_of_nails(x[None], scale_factor, size=size, offset=offset)[0]
    _check_size(op, x.size, y.size)
    numbers = np.arange(1, x.size + 1).reshape(1, *x.shape)  # cell number + 1; 0 = no cell
    sources = _up.bed_of_nails(numbers, scale_factor, size=size, offset=offset)[0] - 1
    steps = tuple(copy_steps(x, sources, y.dtype, verb="nailed to"))
    notes = ["each value goes to one corner of its scale_factor-sized cell; every other output is 0"]
    return Explanation(
        "bed_of_nails",
        {"scale_factor": scale_factor, "size": size, "offset": offset},
        _frozen(x),
        _frozen(y),
        steps,
        nd,
        notes=tuple(notes),
    )


def pixel_shuffle(x: Any, upscale_factor: Any, *, spatial_dims: int | None = None) -> Explanation:
    """Pixel shuffle, one step per input channel: where its values land in the output.

    ``x`` is ``(C * r**d, *spatial)``; the positions come from ``upsample.pixel_shuffle``
    itself, run on the cell numbers.

    >>> import numpy as np
    >>> from upsample import explain
    >>> ex = explain.pixel_shuffle(np.arange(4).reshape(4, 1, 1), 2)
    >>> ex.output, len(ex.steps)
    (array([[[0, 1],
            [2, 3]]]), 4)
    """
    op = "explain.pixel_shuffle"
    x, nd = _example(op, x, spatial_dims)
    y = _up.pixel_shuffle(x[None], upscale_factor)[0]
    _check_size(op, x.shape[0], y.size)
    numbers = np.arange(x.size).reshape(1, *x.shape)
    sources = _up.pixel_shuffle(numbers, upscale_factor)[0]
    steps = tuple(copy_steps(x, sources, y.dtype, group="channel", verb="spread over"))
    notes = [
        "each group of r**d input channels becomes one output channel: channel j of "
        "the group fills offset j (row-major) of every r x r block"
    ]
    return Explanation(
        "pixel_shuffle",
        {"upscale_factor": upscale_factor},
        _frozen(x),
        _frozen(y),
        steps,
        nd,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- the table

#: op name -> the function that explains it, for every row of the op table that has one
EXPLAINERS: dict[str, Callable[..., Explanation]] = {
    op.name: globals()[op.name] for op in OPS.values() if op.explainer
}


def volume_example() -> tuple[np.ndarray, np.ndarray]:
    """The article's convolution sizes: a 5x5x3 input (channels first) and a 3x3x3 kernel.

    The article gives no numbers; these are small ones that are easy to add up: the
    kernel is all ones, so each output is the sum of the 27 inputs under it.
    """
    x = np.arange(75).reshape(3, 5, 5) % 4
    return x, np.ones((3, 3, 3), dtype=np.int64)


def conv3d_picture(path: Any, *, x: Any = None, weight: Any = None, png_dir: Any = None) -> list:
    """Draw the article's 3-D convolution: a 5x5x3 input, a 3x3x3 kernel, a 3x3x1 output.

    ``x`` (C, H, W) and ``weight`` (C, kH, kW) default to :func:`volume_example`. Writes an
    animated GIF to ``path`` (and PNG frames to ``png_dir``); returns the paths written.
    """
    from .gif import save_volume_gif

    if x is None or weight is None:
        x, weight = volume_example()
    ex = conv(x, weight)
    if ex.input.ndim != 3:
        raise ValueError(f"conv3d_picture: x must be (C, H, W), got shape {np.shape(x)}")
    return save_volume_gif(ex, path, png_dir=png_dir)
