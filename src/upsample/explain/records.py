"""The records an explanation is made of: plain data, drawn by the text and GIF renderers.

A :class:`Step` says which input cells were read, with which weights, what was added to
which output cells, and what the whole output looks like afterwards. An
:class:`Explanation` is the input, the kernel (if any), the steps and the op's real
output. Nothing here knows how to compute an op; nothing in the renderers does either.

Cells are index tuples ``(c, *spatial)`` into a ``(C, *spatial)`` array: the batch axis
of the op is always 1 in an explanation and is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

__all__ = ["Cell", "Term", "Write", "Step", "Explanation"]

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

    def frames(self, **options: Any) -> list:
        """The animation frames as PIL images (needs Pillow: ``pip install upsample[cli]``)."""
        from .gif import frames
        return frames(self, **options)

    def save_gif(self, path: Any, *, png_dir: Any = None, **options: Any) -> list:
        """Write the animation to ``path``; with ``png_dir`` also write each frame as a PNG.

        Returns the paths written.
        """
        from .gif import save_gif
        return save_gif(self, path, png_dir=png_dir, **options)


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"<array {value.shape}>"
    return repr(value)
