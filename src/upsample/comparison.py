"""One resize in every framework's dialect, side by side: :func:`upsample.compare` and
``upsample compare MODE INPUT -f 2``.

Each convention of :data:`upsample.conventions.CONVENTIONS` that has the mode resizes the
same input; the result lists every output with its largest difference from PyTorch's, so
a port that silently changes numbers shows where. Conventions without the mode, or that
refuse the input (a 1-D signal for the image libraries), say why instead.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _args
from .conventions import CONVENTIONS
from .interpolation import interpolate

__all__ = ["compare", "Comparison"]


@dataclass(frozen=True)
class Comparison:
    """Every convention's output for one input.

    Attributes:
        mode: the mode compared (our name).
        x: the input as an (H, W) image (a signal (L,) is the image (1, L)).
        outputs: convention -> its output, or the reason it has none (a string).
        names: convention -> what that framework calls the mode.
        differences: convention -> the largest ``|output - torch's output|`` (None when
            either side has no output).
    """

    mode: str
    x: np.ndarray
    outputs: dict[str, np.ndarray | str]
    names: dict[str, str]
    differences: dict[str, float | None]

    def __str__(self) -> str:
        return self.text()

    def text(self, width: int = 100) -> str:
        """The outputs as blocks side by side, wrapped at ``width`` characters."""
        blocks = [self._block(name) for name in self.outputs]
        lines: list[str] = []
        row: list[list[str]] = []
        used = 0
        for block in blocks + [None]:
            wide = 0 if block is None else max(len(line) for line in block) + 3
            if block is None or (row and used + wide > width):
                height = max(len(b) for b in row)
                pads = [max(len(line) for line in b) for b in row]
                for i in range(height):
                    lines.append(
                        "   ".join((b[i] if i < len(b) else "").ljust(p) for b, p in zip(row, pads)).rstrip()
                    )
                lines.append("")
                row, used = [], 0
            if block is not None:
                row.append(block)
                used += wide
        return "\n".join(lines).rstrip() + "\n"

    def _block(self, name: str) -> list[str]:
        out = self.outputs[name]
        head = [f"{name} ({self.names[name]})" if name in self.names else name]
        if isinstance(out, str):
            return head + [out]
        diff = self.differences[name]
        head.append("max |diff| vs torch: " + ("-" if diff is None else f"{diff:.4g}"))
        return head + _matrix(out)


def _matrix(a: np.ndarray) -> list[str]:
    rows = np.atleast_2d(a)
    cells = [[_number(v) for v in row] for row in rows]
    wide = max(len(c) for row in cells for c in row)
    return ["[ " + " ".join(c.rjust(wide) for c in row) + " ]" for row in cells]


def _number(value: Any) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.4g}"


def compare(
    x: Any, mode: str = "linear", *, size: Any = None, scale_factor: Any = None, **options: Any
) -> Comparison:
    """Resize one (H, W) image (or (L,) signal) in every convention that has ``mode``.

    Shapes: ``x`` is (H, W), or (L,), which is taken as the (1, L) image; each convention
    gets it as (1, 1, H, W) and the outputs are (OH, OW). Output size as for
    :func:`upsample.interpolate`.

    Args:
        mode: our mode name (``"nearest"``, ``"linear"``, ``"cubic"``, ``"area"``, ...).
        size, scale_factor: as for :func:`upsample.interpolate` (exactly one).
        options: further :func:`upsample.interpolate` options for every convention.

    Returns:
        a :class:`Comparison`; ``str()`` prints it.

    >>> import upsample
    >>> c = upsample.compare([[1, 2], [3, 4]], "linear", scale_factor=2)
    >>> c.outputs["tf1"][0]                       # asymmetric: the samples start at a corner
    array([1. , 1.5, 2. , 2. ])
    >>> c.differences["tf1"], c.differences["jax"]
    (0.75, 0.0)
    """
    op = "compare"
    x = _args.as_array(op, "x", x)
    if x.ndim not in (1, 2):
        raise ValueError(f"compare: x must be (L,) or (H, W), got shape {x.shape}")
    if x.ndim == 1:  # a signal is a one-row image, which every framework takes
        x = x[None]
        size = None if size is None else (1, size) if np.ndim(size) == 0 else (1, *size)
        scale_factor = (
            None
            if scale_factor is None
            else (1, scale_factor)
            if np.ndim(scale_factor) == 0
            else (1, *scale_factor)
        )
    batch = x.astype(np.float64 if x.dtype.kind != "f" else x.dtype)[None, None]
    outputs: dict[str, np.ndarray | str] = {}
    names: dict[str, str] = {}
    for name, row in CONVENTIONS.items():
        if mode not in row.modes:
            outputs[name] = f"no {mode!r} mode in {row.call}"
            continue
        names[name] = row.modes[mode]
        data = batch
        if row.dtypes is not None and batch.dtype.name not in row.dtypes:  # Pillow: float32 only
            data = batch.astype(np.float32)
            names[name] += ", in float32"
        try:
            outputs[name] = interpolate(data, size, scale_factor, mode=mode, convention=name, **options)[0, 0]
        except ValueError as error:
            outputs[name] = str(error).removeprefix("interpolate: ")
    base = outputs.get("torch")
    differences = {
        name: float(np.abs(out - base).max())
        if isinstance(out, np.ndarray) and isinstance(base, np.ndarray)
        else None
        for name, out in outputs.items()
    }
    return Comparison(mode, x, outputs, names, differences)


# --------------------------------------------------------------------------- the command line


def configure(parser: argparse.ArgumentParser) -> None:
    """``upsample compare MODE INPUT [-f F | --size S]``."""
    from ._parse import ints as _ints
    from ._parse import numbers as _numbers

    modes = sorted({m for row in CONVENTIONS.values() for m in row.modes})
    parser.add_argument("mode", choices=modes + ["bilinear", "bicubic"], help="the mode to compare")
    parser.add_argument("x", help='the input: "1 2; 3 4" (rows end with ;) or JSON; (L,) or (H, W)')
    parser.add_argument(
        "-f", "--scale-factor", type=_numbers, default=None, help="the scale factor (default 2)"
    )
    parser.add_argument("--size", type=_ints, default=None, help="the output size instead")
    parser.add_argument("--width", type=int, default=100, help="wrap the table at this width")


def run(args: argparse.Namespace) -> int:
    from ._parse import parse_array

    mode = {"bilinear": "linear", "bicubic": "cubic"}.get(args.mode, args.mode)
    factor = None if args.size is not None else (2 if args.scale_factor is None else args.scale_factor)
    print(
        compare(parse_array(args.x, "x"), mode, size=args.size, scale_factor=factor).text(args.width), end=""
    )
    return 0
