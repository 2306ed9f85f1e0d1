"""Plain-text rendering of an :class:`Explanation`, in the article's style.

Each step prints the input with only the cells it read, the kernel it used (when there is
one and it is small), and the partial output it produced, blanks everywhere else; the
end prints the partial outputs summed into the result. Only the records are drawn:
nothing here knows how an op works.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .records import Cell, Explanation, Step
from .steps import fmt

__all__ = ["render", "grid", "side_by_side"]

WIDTH = 110  # the widest line a side-by-side layout may take
SMALL_KERNEL = 6  # kernels (or matrices) with more rows or columns are not drawn per step


# --------------------------------------------------------------------------- blocks of lines


def _split(shape: tuple[int, ...], dims: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(*lead, *grid): the last ``min(dims, 2)`` axes form one printed grid."""
    g = 1 if dims == 1 else 2
    return shape[:-g], shape[-g:]


def grid(
    array: np.ndarray,
    dims: int,
    visible: np.ndarray | None = None,
    *,
    width: int | None = None,
    labels: bool = True,
    horizontal: bool | None = None,
) -> list[str]:
    """The lines that print ``array`` (*lead, *spatial): one bracketed grid per lead index.

    Cells where ``visible`` is False are blank. Grids of several channels go side by side
    when they fit in about 60 characters, otherwise one under the other.
    """
    array = np.asarray(array)
    if visible is None:
        visible = np.ones(array.shape, dtype=bool)
    width = width or max([len(fmt(v)) for v in array.ravel()] + [1])
    lead, cells = _split(array.shape, dims)
    if len(cells) == 1:
        cells = (1, cells[0])
    blocks = []
    for index in np.ndindex(*lead):
        values = array[index].reshape(cells)
        shown = visible[index].reshape(cells)
        rows = [
            "[ " + " ".join(fmt(v).rjust(width) if s else " " * width for v, s in zip(row, srow)) + " ]"
            for row, srow in zip(values, shown)
        ]
        if labels and lead and math.prod(lead) > 1:
            rows.insert(0, _label(index, lead))
        blocks.append(rows)
    if not blocks:
        return ["[ ]"]
    if len(blocks) == 1:
        return _pad(blocks[0])
    together = side_by_side(blocks, ["  "] * (len(blocks) - 1))
    if horizontal is True or horizontal is None and len(together[0]) <= 60:
        return together
    lines = []
    for block in blocks:
        lines += block
    return _pad(lines)


def _label(index: tuple[int, ...], lead: tuple[int, ...]) -> str:
    """``c1`` for a channel; ``(1,0)`` for an (out, in) kernel slice, ``c1`` if one axis varies."""
    varying = [i for i, n in zip(index, lead) if n > 1]
    return f"c{varying[0]}" if len(varying) == 1 else ",".join(map(str, index)).join("()")


def _pad(lines: list[str]) -> list[str]:
    width = max((len(line) for line in lines), default=0)
    return [line.ljust(width) for line in lines]


def side_by_side(blocks: Sequence[list[str]], separators: Sequence[str]) -> list[str]:
    """Blocks of lines next to each other, top-aligned, each separator on the middle row."""
    blocks = [_pad(b) for b in blocks]
    height = max(len(b) for b in blocks)
    middle = (min(len(b) for b in blocks) - 1) // 2
    lines = []
    for row in range(height):
        parts = []
        for i, block in enumerate(blocks):
            parts.append(block[row] if row < len(block) else " " * len(block[0]))
            if i < len(separators):
                sep = separators[i]
                parts.append(sep if row == middle else " " * len(sep))
        lines.append("".join(parts).rstrip())
    return lines


def _mask(shape: tuple[int, ...], cells: Sequence[Cell]) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    for cell in cells:
        mask[cell] = True
    return mask


def _size(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape))


def _indent(lines: list[str], by: str = "  ") -> list[str]:
    return [by + line if line else line for line in lines]


# --------------------------------------------------------------------------- steps


def _kernel_block(ex: Explanation, step: Step) -> list[str] | None:
    """The kernel with the cells this step used, or None when there is none or it is large."""
    used = step.weight_cells
    if ex.kernel is None or not used:
        return None
    dims = ex.kernel_dims or ex.spatial_dims
    lead, cells = _split(ex.kernel.shape, dims)
    if max(cells) > SMALL_KERNEL:
        return None
    touched = sorted({cell[: len(lead)] for cell in used})
    if len(touched) > 4:
        return None
    visible = _mask(ex.kernel.shape, used)
    if len(touched) == math.prod(lead):  # every slice is used: print the kernel as it is
        return grid(ex.kernel, dims, visible)
    return grid(np.stack([ex.kernel[t] for t in touched]), dims, np.stack([visible[t] for t in touched]))


def _partial(ex: Explanation, step: Step) -> np.ndarray:
    """This step's contribution as an array: what was added (or set) in each written cell."""
    part = np.zeros(ex.output.shape, dtype=np.result_type(ex.output.dtype, np.float64))
    for write in step.writes:
        part[write.cell] = write.added
    return part


def _step_lines(ex: Explanation, number: int, step: Step, width: int) -> list[str]:
    lines = [f"step {number}/{len(ex.steps)}: {step.caption}"]
    read = grid(ex.input, ex.spatial_dims, _mask(ex.input.shape, step.reads), width=width)
    wrote = grid(_partial(ex, step), ex.spatial_dims, _mask(ex.output.shape, step.written), width=width)
    kernel = _kernel_block(ex, step)
    read, wrote, kernel = _align_labels(read, wrote, kernel)
    if kernel is not None:
        picture = side_by_side([read, kernel, wrote], ["  x  ", "  =  "])
    else:
        picture = side_by_side([read, wrote], ["  ->  "])
    if (
        kernel is not None
        and max(len(line) for line in picture) > WIDTH
        and len(step.weight_cells) == ex.kernel.size
    ):  # the whole kernel, as printed above
        picture = side_by_side([read, wrote], ["  x kernel  =  "])
    if max(len(line) for line in picture) > WIDTH:  # too wide: one under the other
        picture = read + ([""] + kernel if kernel is not None else []) + ["  ="] + wrote
    lines += _indent(picture)
    if step.equation:
        lines.append("  " + _clip(step.equation))
    return lines


def _align_labels(*blocks: list[str] | None) -> list[list[str] | None]:
    """Give grids without a label row (``c0 c1``) a blank one when another block has it."""
    labelled = any(b is not None and "[" not in b[0] for b in blocks)
    return [b if b is None or not labelled or "[" not in b[0] else [""] + b for b in blocks]


def _clip(text: str, limit: int = 2 * WIDTH) -> str:
    return text if len(text) <= limit else text[: limit - 5] + " ..."


# --------------------------------------------------------------------------- the whole thing


def _header(ex: Explanation, width: int) -> list[str]:
    lines = [ex.title, "=" * min(len(ex.title), WIDTH)]
    lines += ex.notes
    extras = [
        [f"{name} ({_shape_text(array, ex.spatial_dims)}):"] + grid(array, ex.spatial_dims)
        for name, array in ex.extras.items()
        if name != "indices"
    ]
    name = "input after zero insertion" if ex.view == "zero_insertion" else "input"
    blocks = extras + [
        [f"{name} ({_shape_text(ex.input, ex.spatial_dims)}):"] + grid(ex.input, ex.spatial_dims, width=width)
    ]
    if "indices" in ex.extras and ex.op != "max_pool":  # max_pool prints its indices at the end
        blocks.append(["indices:"] + grid(ex.extras["indices"], ex.spatial_dims))
    if ex.kernel is not None:
        dims = ex.kernel_dims or ex.spatial_dims
        name = {"matrix": "C^T, the transposed convolution matrix", "zero_insertion": "flipped kernel"}.get(
            ex.view or "", "kernel"
        )
        blocks.append([f"{name} ({_shape_text(ex.kernel, dims)}):"] + grid(ex.kernel, dims))
    picture = side_by_side(blocks, ["    "] * (len(blocks) - 1))
    if max(len(line) for line in picture) > WIDTH:
        picture = [line for block in blocks for line in block + [""]]
    return lines + [""] + picture


def _shape_text(array: np.ndarray, dims: int) -> str:
    """``3x3``, or ``3x3, 2 channels`` / ``1x3x3x3`` when the leading axes matter."""
    lead = array.shape[: array.ndim - dims]
    while len(lead) > 1 and lead[0] == 1:
        lead = lead[1:]
    spatial = _size(array.shape[array.ndim - dims :])
    if math.prod(lead) == 1:
        return spatial
    if len(lead) == 1:
        return f"{spatial}, {lead[0]} channels"
    return _size(array.shape)


def _summary(ex: Explanation, width: int) -> list[str]:
    lines = []
    counts: dict[Cell, int] = {}
    for step in ex.steps:
        for cell in step.written:
            counts[cell] = counts.get(cell, 0) + 1
    overlapping = any(n > 1 for n in counts.values())
    many_cells = any(len(step.writes) > 1 for step in ex.steps)
    result = grid(ex.output, ex.spatial_dims, width=width)
    if (overlapping or many_cells) and ex.steps:
        partials = [
            grid(_partial(ex, s), ex.spatial_dims, _mask(ex.output.shape, s.written), width=width)
            for s in ex.steps
        ]
        summed = side_by_side(partials + [result], ["  +  "] * (len(partials) - 1) + ["  =  "])
        if max(len(line) for line in summed) <= WIDTH:
            verb = (
                "added up"
                if not any(w.replaced is not None for s in ex.steps for w in s.writes)
                else "put together (a later value replaces an earlier one)"
            )
            lines += ["", f"the {len(partials)} partial outputs, {verb}:"] + _indent(summed)
    if ex.op == "max_pool" and "indices" in ex.extras:
        winners = [t.source for s in ex.steps for t in s.terms if t.weight == 1]
        maxima = grid(ex.input, ex.spatial_dims, _mask(ex.input.shape, winners), width=width)
        indices = grid(ex.extras["indices"], ex.spatial_dims)
        lines += ["", "the maxima where they were, and their flat indices (for max_unpool):"]
        lines += _indent(side_by_side([maxima, indices], ["    "]))
    unwritten = int(ex.output.size - len(counts))
    lines += [
        "",
        f"result ({_shape_text(ex.output, ex.spatial_dims)}"
        f"{f'; {unwritten} cells no step wrote stay 0' if unwritten else ''}):",
    ]
    return lines + _indent(result)


def render(ex: Explanation, *, detail: str = "full") -> str:
    """The explanation as text. ``detail`` is ``"full"`` (grids per step) or ``"brief"``."""
    if detail not in ("full", "brief"):
        raise ValueError(f"text: detail must be 'full' or 'brief', got {detail!r}")
    values = [ex.input.ravel(), ex.output.ravel()] + [_partial(ex, s).ravel() for s in ex.steps[:64]]
    width = max(len(fmt(v)) for array in values for v in array) if any(a.size for a in values) else 1
    lines = _header(ex, width)
    for number, step in enumerate(ex.steps, start=1):
        if detail == "full":
            lines += [""] + _step_lines(ex, number, step, width)
        else:
            lines.append(
                f"step {number}/{len(ex.steps)}: {step.caption}"
                + (f"   [{_clip(step.equation, WIDTH)}]" if step.equation else "")
            )
    lines += _summary(ex, width)
    return "\n".join(line.rstrip() for line in lines)
