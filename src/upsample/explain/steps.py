"""Step generators: each op's work on a small example, as a sequence of :class:`Step` records.

Every generator takes normalised arrays, ``(C, *spatial)`` without the batch axis, and the
data an op's real implementation produced or uses (padding pairs from ``upsample.shapes``,
sampling plans from ``upsample.interpolation``, indices from ``max_pool``, the positions
that ``bed_of_nails`` and ``pixel_shuffle`` move each value to). They never re-derive an
op's rules: where the rule is more than "a window at ``o*s - p + t*d``", they read it from
the op itself.

Each step adds its products into a running output, in the op's output dtype, so the
final running output can be compared with the real op exactly.

Axis legend: C channels, S input spatial, O output spatial, k kernel spatial, Ci/Co the
input/output channels of a kernel.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from .records import Cell, Step, Term, Write

__all__ = [
    "conv_steps",
    "scatter_steps",
    "matrix_steps",
    "interpolation_steps",
    "copy_steps",
    "max_pool_steps",
    "avg_pool_steps",
    "max_unpool_steps",
    "fmt",
]


def fmt(value: float) -> str:
    """A number as printed in explanations: ``5`` for 5.0, ``12.5``, ``0.5625``, ``-inf``."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:.6g}"


def _cell_text(cell: Cell, channels: int) -> str:
    """``(0, 1)`` for a cell of a one-channel array, ``c1 (0, 1)`` otherwise."""
    spatial = ", ".join(str(i) for i in cell[1:])
    return f"({spatial})" if channels == 1 else f"c{cell[0]} ({spatial})"


def _ranges(cells: Sequence[Cell]) -> str:
    """The spatial extent of some cells: ``rows 0-1, cols 0-1`` (or ``positions 2-3`` in 1-D)."""
    spatial = np.array([c[1:] for c in cells])
    names = (
        ("positions",)
        if spatial.shape[1] == 1
        else ("rows", "cols")
        if spatial.shape[1] == 2
        else tuple(f"axis {a}" for a in range(spatial.shape[1]))
    )
    parts = []
    for name, values in zip(names, spatial.T):
        values = sorted(set(int(v) for v in values))
        lo, hi = values[0], values[-1]
        if lo == hi:
            parts.append(f"{name} {lo}")
        elif len(values) == hi - lo + 1:
            parts.append(f"{name} {lo}-{hi}")
        else:
            parts.append(f"{name} {','.join(map(str, values))}")
    return ", ".join(parts)


class _Recorder:
    """The running output, and the steps taken so far."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype):
        self.out = np.zeros(shape, dtype=dtype)
        self.dtype = np.dtype(dtype)

    def add(
        self, caption: str, terms: Iterable[Term], values: dict[Cell, object], equation: str = ""
    ) -> Step:
        """Add ``values[cell]`` to each cell and record the step."""
        writes = []
        for cell, added in values.items():
            self.out[cell] += added
            writes.append(Write(cell, added.item() if hasattr(added, "item") else added))
        return self._step(caption, terms, writes, equation)

    def overwrite(
        self, caption: str, terms: Iterable[Term], values: dict[Cell, object], equation: str = ""
    ) -> Step:
        """Set each cell to ``values[cell]``, discarding what it held, and record the step."""
        writes = []
        for cell, value in values.items():
            previous = self.out[cell].item()
            self.out[cell] = value
            writes.append(Write(cell, self.out[cell].item(), replaced=previous))
        return self._step(caption, terms, writes, equation)

    def _step(self, caption, terms, writes, equation) -> Step:
        snapshot = self.out.copy()
        snapshot.flags.writeable = False
        return Step(caption, tuple(terms), tuple(writes), snapshot, equation)


def _weighted_sum(x: np.ndarray, terms: Sequence[Term], dtype: np.dtype):
    """``sum of x[source] * weight`` over the terms, in ``dtype``, in term order."""
    total = dtype.type(0)
    for term in terms:
        total = total + dtype.type(x[term.source]) * dtype.type(term.weight)
    return total


def _equation(x: np.ndarray, terms: Sequence[Term], result) -> str:
    products = " + ".join(f"{fmt(x[t.source])}*{fmt(t.weight)}" for t in terms)
    return f"{products} = {fmt(result)}" if products else f"nothing = {fmt(result)}"


# --------------------------------------------------------------------------- convolution


def conv_steps(
    xp: np.ndarray,
    weight: np.ndarray,
    stride: Sequence[int],
    dilation: Sequence[int],
    out: Sequence[int],
    dtype: np.dtype,
    groups: int = 1,
) -> Iterator[Step]:
    """Convolution as gathers: one step per output cell, the kernel laid over its window.

    ``xp`` (Ci, *P) is the already padded input and ``weight`` (Co, Ci/G, *k); output cell
    ``(co, *o)`` reads ``xp[g*Ci/G + ci, *(o*s + t*d)]`` for every input channel ``ci`` of
    its group ``g = co // (Co/G)`` and every tap ``t``.
    """
    c_out, c_in, *k = weight.shape  # c_in: input channels per group
    per_group = c_out // groups
    rec = _Recorder((c_out, *out), dtype)
    for co in range(c_out):
        first = (co // per_group) * c_in
        for o in itertools.product(*map(range, out)):
            target = (co, *o)
            terms = [
                Term(
                    (first + ci, *(oo * s + t * d for oo, t, s, d in zip(o, tap, stride, dilation))),
                    weight[(co, ci, *tap)].item(),
                    target,
                    (co, ci, *tap),
                )
                for ci in range(c_in)
                for tap in itertools.product(*map(range, k))
            ]
            value = _weighted_sum(xp, terms, rec.dtype)
            caption = (
                f"output {_cell_text(target, c_out)}: the kernel over input "
                f"{_ranges([t.source for t in terms])}"
            )
            yield rec.add(caption, terms, {target: value}, _equation(xp, terms, value))


def scatter_steps(
    x: np.ndarray,
    weight: np.ndarray,
    stride: Sequence[int],
    dilation: Sequence[int],
    crop_lo: Sequence[int],
    out: Sequence[int],
    dtype: np.dtype,
    groups: int = 1,
) -> Iterator[Step]:
    """Transposed convolution as the article draws it: one step per input cell.

    ``x`` (Ci, *S), ``weight`` (Ci, Co/G, *k). Input cell ``(ci, *i)`` times the kernel lands
    at ``i*s + t*d - p_lo`` for tap ``t``, in the output channels of its group; products
    that land in the cropped border (``padding``) are dropped, and output_padding cells
    are never reached.
    """
    c_in, c_out, *k = weight.shape  # c_out: output channels per group
    per_group = c_in // groups
    rec = _Recorder((c_out * groups, *out), dtype)
    for ci in range(c_in):
        first = (ci // per_group) * c_out
        for i in itertools.product(*map(range, x.shape[1:])):
            source = (ci, *i)
            terms, dropped = [], 0
            for co in range(c_out):
                for tap in itertools.product(*map(range, k)):
                    target = tuple(
                        ii * s + t * d - lo for ii, t, s, d, lo in zip(i, tap, stride, dilation, crop_lo)
                    )
                    if all(0 <= p < o for p, o in zip(target, out)):
                        terms.append(
                            Term(source, weight[(ci, co, *tap)].item(), (first + co, *target), (ci, co, *tap))
                        )
                    else:
                        dropped += 1
            values = {t.target: _weighted_sum(x, [t], rec.dtype) for t in terms}
            where = f"added at output {_ranges(list(values))}" if values else "lands nowhere"
            caption = f"input {_cell_text(source, c_in)} = {fmt(x[source])} times the kernel, {where}"
            if dropped:
                caption += f" ({dropped} product{'s' * (dropped > 1)} fall in the cropped border)"
            products = dict.fromkeys(
                f"{fmt(x[source])}*{fmt(t.weight)} = {fmt(values[t.target])}" for t in terms
            )
            equation = ", ".join(list(products)[:6]) + (", ..." if len(products) > 6 else "")
            yield rec.add(caption, terms, values, equation)


def matrix_steps(y: np.ndarray, matrix_t: np.ndarray, out: Sequence[int], dtype: np.dtype) -> Iterator[Step]:
    """``Cᵀ · vec(y)`` one row at a time: output cell ``r`` is row ``r`` of Cᵀ dotted with y.

    ``y`` (Ci, *S) is the input; ``matrix_t`` is Cᵀ, (Co*prod(O), Ci*prod(S)). Zero
    entries of a row are skipped; a row of zeros (an output_padding cell) is no step.
    """
    rec = _Recorder(tuple(out), dtype)
    for row in range(matrix_t.shape[0]):
        target = tuple(int(v) for v in np.unravel_index(row, tuple(out)))
        terms = [
            Term(
                tuple(int(v) for v in np.unravel_index(col, y.shape)),
                matrix_t[row, col].item(),
                target,
                (row, col),
            )
            for col in np.flatnonzero(matrix_t[row])
        ]
        if not terms:
            continue
        value = _weighted_sum(y, terms, rec.dtype)
        caption = f"output {_cell_text(target, out[0])} = row {row} of C^T times vec(y)"
        yield rec.add(caption, terms, {target: value}, _equation(y, terms, value))


# --------------------------------------------------------------------------- resampling


def _merged_taps(plan, o: int) -> list[tuple[int, np.floating]]:
    """Output ``o``'s taps along one axis as (source, weight), weight-0 taps left out and a
    source read twice (the border, where the next pixel is clamped back) listed once."""
    taps: dict[int, np.floating] = {}
    for t in range(plan.taps):
        w = plan.weight[o, t]
        if w != 0:
            i = int(plan.index[o, t])
            taps[i] = taps[i] + w if i in taps else w
    return list(taps.items())


def interpolation_steps(x: np.ndarray, plans: Sequence, dtype: np.dtype) -> Iterator[Step]:
    """Interpolation from per-axis sampling plans: one step per output cell.

    Output ``(c, *o)`` reads ``x[c, *(plan_a.index[o_a, t_a])]`` with weight
    ``prod_a plan_a.weight[o_a, t_a]``; taps of weight 0 are left out and a source read
    twice along an axis is listed once with the summed weight. The source point
    an output sits at is the weighted mean of its taps' positions.
    """
    channels = x.shape[0]
    out = tuple(p.out_size for p in plans)
    rec = _Recorder((channels, *out), dtype)
    for c in range(channels):
        for o in itertools.product(*map(range, out)):
            target = (c, *o)
            taps = [_merged_taps(p, oo) for p, oo in zip(plans, o)]
            terms = []
            for combo in itertools.product(*taps):
                weight = dtype.type(1)
                for _, w in combo:
                    weight = weight * dtype.type(w)
                terms.append(Term((c, *(i for i, _ in combo)), weight.item(), target))
            value = _weighted_sum(x, terms, rec.dtype)
            point = ", ".join(fmt(sum(i * float(w) for i, w in axis)) for axis in taps)
            sources = "; ".join(f"{fmt(t.weight)} x {_cell_text(t.source, channels)}" for t in terms)
            caption = f"output {_cell_text(target, channels)} sits at input point ({point}): {sources}"
            yield rec.add(caption, terms, {target: value}, _equation(x, terms, value))


def copy_steps(
    x: np.ndarray, sources: np.ndarray, out_dtype: np.dtype, *, group: str = "cell", verb: str = "copied to"
) -> Iterator[Step]:
    """Pure data movement: output cell ``(c, *o)`` receives input cell ``sources[c, *o]``.

    ``sources`` (C_out, *O) holds flat input positions, -1 for output cells that receive
    nothing (the zeros of a bed of nails). One step per input cell (``group="cell"``) or
    per input channel (``group="channel"``), in row-major order.
    """
    rec = _Recorder(sources.shape, out_dtype)
    targets: dict[int, list[Cell]] = {}
    for cell in itertools.product(*map(range, sources.shape)):
        flat = int(sources[cell])
        if flat >= 0:
            targets.setdefault(flat, []).append(cell)
    if group == "channel":
        per_channel = int(np.prod(x.shape[1:]))
        groups = [range(c * per_channel, (c + 1) * per_channel) for c in range(x.shape[0])]
    else:
        groups = [[flat] for flat in range(x.size)]
    for flats in groups:
        terms = [
            Term(tuple(int(v) for v in np.unravel_index(flat, x.shape)), 1.0, target)
            for flat in flats
            for target in targets.get(flat, [])
        ]
        if not terms:
            continue
        values = {t.target: out_dtype.type(x[t.source]) for t in terms}
        written = ", ".join(_cell_text(t.target, sources.shape[0]) for t in terms[:6])
        written += ", ..." if len(terms) > 6 else ""
        if group == "channel":
            caption = f"input channel {terms[0].source[0]} {verb} output {_ranges(list(values))}"
        else:
            caption = f"input {_cell_text(terms[0].source, x.shape[0])} = {fmt(x[terms[0].source])} {verb} {written}"
        equation = ", ".join(
            f"{fmt(x[t.source])} -> {_cell_text(t.target, sources.shape[0])}" for t in terms[:8]
        )
        equation += ", ..." if len(terms) > 8 else ""
        yield rec.add(caption, terms, values, equation)


# --------------------------------------------------------------------------- pooling


def max_pool_steps(
    x: np.ndarray,
    values: np.ndarray,
    indices: np.ndarray,
    kernel: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
) -> Iterator[Step]:
    """Max pooling: one step per window; the winner ``max_pool`` reported gets weight 1.

    Window ``(c, *o)`` covers the in-bounds cells ``o*s - p + t*d``; padding is never
    read. The winner is taken from ``indices`` (so ties and NaNs follow the op).
    """
    channels, *size = x.shape
    rec = _Recorder(values.shape, values.dtype)
    for c in range(channels):
        for o in itertools.product(*map(range, values.shape[1:])):
            target = (c, *o)
            winner = (c, *(int(v) for v in np.unravel_index(int(indices[target]), tuple(size))))
            cells = []
            for tap in itertools.product(*map(range, kernel)):
                pos = tuple(oo * s - p + t * d for oo, t, s, p, d in zip(o, tap, stride, padding, dilation))
                if all(0 <= q < n for q, n in zip(pos, size)):
                    cells.append((c, *pos))
            terms = [Term(cell, 1.0 if cell == winner else 0.0, target) for cell in cells]
            value = values[target]
            window = " ".join(fmt(x[cell]) for cell in cells)
            caption = (
                f"window {_ranges(cells)} -> max {fmt(value)} at {_cell_text(winner, channels)}"
                f" (flat index {int(indices[target])})"
            )
            yield rec.add(caption, terms, {target: value}, f"max({window}) = {fmt(value)}")


def avg_pool_steps(
    x: np.ndarray,
    values: np.ndarray,
    divisor: np.ndarray,
    kernel: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
) -> Iterator[Step]:
    """Average pooling: one step per window, each in-bounds cell with weight ``1/divisor``.

    Window ``(c, *o)`` covers the cells ``o*s - p + t``; padding adds nothing to the sum.
    ``divisor`` (*O) is the op's own per-window divisor (padding counted or not, or the
    override), and the value written is the op's output.
    """
    channels, *size = x.shape
    rec = _Recorder(values.shape, values.dtype)
    for c in range(channels):
        for o in itertools.product(*map(range, values.shape[1:])):
            target = (c, *o)
            cells = []
            for tap in itertools.product(*map(range, kernel)):
                pos = tuple(oo * s - p + t for oo, t, s, p in zip(o, tap, stride, padding))
                if all(0 <= q < n for q, n in zip(pos, size)):
                    cells.append((c, *pos))
            share = float(divisor[o])
            terms = [Term(cell, 1.0 / share, target) for cell in cells]
            value = values[target]
            window = " + ".join(fmt(x[cell]) for cell in cells)
            counted = f"{len(cells)} value" + ("s" * (len(cells) != 1))
            caption = f"window {_ranges(cells)}: {counted} summed, divided by {fmt(share)} -> {fmt(value)}"
            yield rec.add(caption, terms, {target: value}, f"({window}) / {fmt(share)} = {fmt(value)}")


def max_unpool_steps(
    x: np.ndarray, indices: np.ndarray, out: Sequence[int], dtype: np.dtype
) -> Iterator[Step]:
    """Max unpooling: one step per input cell, put back at its flat index within its channel.

    When two values share an index, the later one in row-major order replaces the
    earlier, as the op keeps it.
    """
    channels = x.shape[0]
    rec = _Recorder((channels, *out), dtype)
    written: set[Cell] = set()
    for cell in itertools.product(*map(range, x.shape)):
        target = (cell[0], *(int(v) for v in np.unravel_index(int(indices[cell]), tuple(out))))
        terms = [Term(cell, 1.0, target)]
        caption = (
            f"input {_cell_text(cell, channels)} = {fmt(x[cell])} goes back to flat index "
            f"{int(indices[cell])}, output {_cell_text(target, channels)}"
        )
        equation = f"{fmt(x[cell])} -> {_cell_text(target, channels)}"
        if target in written:
            caption += f", replacing {fmt(rec.out[target])}"
            yield rec.overwrite(caption, terms, {target: x[cell]}, equation)
        else:
            yield rec.add(caption, terms, {target: dtype.type(x[cell])}, equation)
        written.add(target)
