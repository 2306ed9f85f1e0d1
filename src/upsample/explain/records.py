"""The records an explanation is made of: plain data, drawn by the text and GIF renderers.

A :class:`Step` says which input cells were read, with which weights, what was added to
which output cells, and what the whole output looks like afterwards. An
:class:`Explanation` is the input, the kernel (if any), the steps and the op's real
output. Nothing here knows how to compute an op; nothing in the renderers does either.

Cells are index tuples ``(c, *spatial)`` into a ``(C, *spatial)`` array: the batch axis
of the op is always 1 in an explanation and is left out.

``to_dict()`` gives each record as JSON-ready data (lists, numbers, strings, None) for
clients such as the web page of ``upsample serve``: the same records, not a second format.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

__all__ = ["Cell", "Term", "Write", "Step", "Explanation", "to_json"]

Cell = tuple[int, ...]


@dataclass(frozen=True)
class Term:
    """One product of a step: ``input[source] * weight`` goes into ``output[target]``.

    ``weight_cell`` is where the weight sits in :attr:`Explanation.kernel` (a kernel tap,
    or an entry of the convolution matrix); None when the weight is not drawn from a
    kernel (interpolation weights, copies, the winner of a pooling window).
    """

    source: Cell
    weight: float
    target: Cell
    weight_cell: Cell | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"source": [c, i, j], "weight": 5.0, "target": [...], "weight_cell": [...] or None}``."""
        return {
            "source": _cell(self.source),
            "weight": _number(self.weight),
            "target": _cell(self.target),
            "weight_cell": None if self.weight_cell is None else _cell(self.weight_cell),
        }


@dataclass(frozen=True)
class Write:
    """What one step did to one output cell: ``output[cell] += added``.

    When ``replaced`` is not None the cell's previous value (``replaced``) was discarded
    and the cell now holds ``added``: max_unpool keeps the last of several values sent
    to one place.
    """

    cell: Cell
    added: float
    replaced: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"cell": [c, i, j], "added": 15.0, "replaced": None}``."""
        return {
            "cell": _cell(self.cell),
            "added": _number(self.added),
            "replaced": None if self.replaced is None else _number(self.replaced),
        }


@dataclass(frozen=True, eq=False)
class Step:
    """One step of an op's work.

    Attributes:
        caption: one short line saying what happened, with the numbers.
        terms: the products that were formed (which input cells were read, with which
            weights, and where each product went).
        writes: what was added to each output cell touched by this step.
        output: the running output after the step, (C, *spatial); after the last step
            it equals the op's output exactly.
        equation: the arithmetic written out, e.g. ``"1*5 + 2*5 = 15"`` (may be empty).
    """

    caption: str
    terms: tuple[Term, ...]
    writes: tuple[Write, ...]
    output: np.ndarray
    equation: str = ""

    @property
    def reads(self) -> tuple[Cell, ...]:
        """The input cells this step read, each once, in the order first read."""
        return tuple(dict.fromkeys(t.source for t in self.terms))

    @property
    def written(self) -> tuple[Cell, ...]:
        """The output cells this step wrote to."""
        return tuple(w.cell for w in self.writes)

    @property
    def weight_cells(self) -> tuple[Cell, ...]:
        """The kernel (or matrix) cells whose weights this step used."""
        return tuple(dict.fromkeys(t.weight_cell for t in self.terms if t.weight_cell is not None))

    def to_dict(self, *, output: bool = True, terms: bool = True) -> dict[str, Any]:
        """The step as JSON-ready data: caption, equation, terms, writes, the cells it read,
        wrote and weighted, and (unless ``output=False``) the running output as nested lists.
        ``terms=False`` leaves out the products (the cells they read, weighted and wrote
        stay), for a client that draws cells."""
        data = {
            "caption": self.caption,
            "equation": self.equation,
            "writes": [w.to_dict() for w in self.writes],
            "reads": [_cell(c) for c in self.reads],
            "written": [_cell(c) for c in self.written],
            "weight_cells": [_cell(c) for c in self.weight_cells],
        }
        if terms:
            data["terms"] = [t.to_dict() for t in self.terms]
        if output:
            data["output"] = to_json(self.output)
        return data


@dataclass(frozen=True, eq=False)
class Explanation:
    """An op's work on a small example, step by step.

    Attributes:
        op: the op's name, e.g. ``"conv_transpose"``.
        params: the op's arguments besides the arrays, as given.
        input: (C, *spatial), the array the steps read from. For a padded convolution
            it includes the padding; for the zero-insertion view it is the bed of nails.
        output: (C, *spatial), the op's output, computed by the real op.
        steps: the steps, in order.
        spatial_dims: 1 or 2 (or more), the number of spatial axes.
        kernel: the array that :attr:`Term.weight_cell` indexes, or None.
        kernel_dims: the number of trailing axes of ``kernel`` drawn as one grid.
        input_mask: (C, *spatial) bool, True where ``input`` holds a value of the user's
            input, False on padding or inserted zeros; None when every cell is real.
        view: the view of the op (``"scatter"``, ``"zero_insertion"``, ``"matrix"``), if any.
        notes: lines of context printed before the steps (formulas, caveats).
        extras: named arrays a renderer may show, e.g. ``{"indices": ...}``.
    """

    op: str
    params: dict[str, Any]
    input: np.ndarray
    output: np.ndarray
    steps: tuple[Step, ...]
    spatial_dims: int
    kernel: np.ndarray | None = None
    kernel_dims: int | None = None
    input_mask: np.ndarray | None = None
    view: str | None = None
    notes: tuple[str, ...] = ()
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def title(self) -> str:
        """``"conv_transpose (scatter view): stride=1, padding=0"``."""
        name = self.op if self.view is None else f"{self.op} ({self.view.replace('_', ' ')} view)"
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())
        return f"{name}: {args}" if args else name

    def to_dict(self, *, step_outputs: bool = True, terms: bool = True) -> dict[str, Any]:
        """The whole explanation as JSON-ready data: every field, arrays as nested lists.

        Non-finite numbers, which JSON has no literal for, become the strings ``"inf"``,
        ``"-inf"`` and ``"nan"``. ``step_outputs=False`` leaves out each step's running
        output (the largest part) when a client only needs the final one (or adds up the
        writes); ``terms=False`` each step's products (see :meth:`Step.to_dict`).

        >>> from upsample import explain
        >>> data = explain.conv_transpose([[1, 2], [3, 4]], [[5, 5], [5, 5]]).to_dict()
        >>> data["output"], data["steps"][0]["written"][:2]
        ([[[5.0, 15.0, 10.0], [20.0, 50.0, 30.0], [15.0, 35.0, 20.0]]], [[0, 0, 0], [0, 0, 1]])
        """
        return {
            "op": self.op,
            "view": self.view,
            "title": self.title,
            "params": to_json(self.params),
            "spatial_dims": self.spatial_dims,
            "input": to_json(self.input),
            "output": to_json(self.output),
            "kernel": None if self.kernel is None else to_json(self.kernel),
            "kernel_dims": self.kernel_dims,
            "input_mask": None if self.input_mask is None else to_json(self.input_mask),
            "notes": list(self.notes),
            "extras": {name: to_json(value) for name, value in self.extras.items()},
            "steps": [step.to_dict(output=step_outputs, terms=terms) for step in self.steps],
        }

    def with_notes(self, *notes: str) -> Explanation:
        """A copy with more notes appended."""
        return replace(self, notes=self.notes + tuple(notes))

    # ------------------------------------------------------------------ rendering
    def text(self, *, detail: str = "full") -> str:
        """The explanation as plain text; ``detail="brief"`` prints one line per step."""
        from .text import render

        return render(self, detail=detail)

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        """What Jupyter shows: the steps drawn as on the page of ``upsample serve``, with a
        slider and a play button (see :mod:`upsample.explain.html`); self-contained HTML."""
        from .html import render

        return render(self)

    def frames(self, **options: Any) -> list:
        """The animation frames as PIL images (needs Pillow: ``pip install -e ".[cli]"``)."""
        from .gif import frames

        return frames(self, **options)

    def save_gif(self, path: Any, *, png_dir: Any = None, **options: Any) -> list:
        """Write the animation to ``path``; with ``png_dir`` also write each frame as a PNG.

        Returns the paths written.
        """
        from .gif import save_gif

        return save_gif(self, path, png_dir=png_dir, **options)


def _cell(cell: Cell) -> list[int]:
    return [int(i) for i in cell]


def _number(value: Any) -> float | int | str:
    """A number for JSON: ints and finite floats as they are, the others as strings."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    if math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def to_json(value: Any) -> Any:
    """Arrays, tuples and numbers as JSON-ready lists and numbers (see :meth:`Explanation.to_dict`).

    >>> to_json((np.array([1.5, np.inf]), {"stride": (2, 2)}))
    [[1.5, 'inf'], {'stride': [2, 2]}]
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "b":
            return value.tolist()
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            return [to_json(v) for v in value] if value.ndim else _number(value)
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (bool, np.bool_, int, float, np.number)):
        return _number(value)
    return value


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"<array {value.shape}>"
    return repr(value)
