"""Pillow rendering of an :class:`Explanation`: one frame per step, saved as an animated GIF.

Each frame shows the input grid, the kernel (if any) and the output grid filling in,
with the numbers written in the cells and the cells of the current step highlighted:
orange for the input cells read, blue for the kernel weights used, green for the output
cells written. The first frame shows the empty output and the last one the result.
Only the records are drawn. Pillow is imported here, never by ``import upsample``;
the font is Pillow's own (``ImageFont.load_default``), so no system font is needed.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .records import Cell, Explanation, Step
from .steps import fmt

__all__ = ["frames", "save_gif", "volume_frames", "save_volume_gif", "write"]

# colours: (fill, outline)
BACKGROUND = (255, 255, 255)
INK = (33, 33, 33)
FAINT = (150, 150, 150)
LINE = (170, 170, 170)
STYLES = {
    "plain": ((255, 255, 255), LINE),
    "masked": ((238, 238, 238), LINE),  # padding / inserted zeros
    "read": ((255, 204, 128), (230, 81, 0)),
    "weight": ((144, 202, 249), (21, 101, 192)),
    "written": ((165, 214, 167), (27, 94, 32)),
    "done": ((232, 245, 233), LINE),
    "empty": ((255, 255, 255), (215, 215, 215)),
}
BOLD = {"read", "weight", "written"}

MAX_FRAMES = 600  # an animation of more steps needs an explicit max_steps
STEP_MS = 900
FIRST_MS = 1200
LAST_MS = 3000


@functools.cache
def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)  # Pillow >= 10.1: a scalable font
    except TypeError:  # older Pillow: the small bitmap font
        return ImageFont.load_default()


def _text_size(text: str, font) -> tuple[int, int]:
    left, top, right, bottom = font.getbbox(text)
    return right - left, bottom - top


def _centred(draw, box: tuple[float, float, float, float], text: str, font, fill) -> None:
    left, top, right, bottom = font.getbbox(text)
    x0, y0, x1, y1 = box
    draw.text(
        ((x0 + x1 - (right - left)) / 2 - left, (y0 + y1 - (bottom - top)) / 2 - top),
        text,
        font=font,
        fill=fill,
    )


def _wrap(text: str, font, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels, measured with the font."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + [line] if line or not lines else lines


# --------------------------------------------------------------------------- panels


@dataclass
class _Panel:
    """One array drawn as grids of cells: (*lead, *spatial), one grid per lead index."""

    title: str
    array: np.ndarray
    dims: int  # trailing axes that form one grid (1 -> a row, 2 -> rows x cols)
    cell: int
    x: int = 0
    y: int = 0

    def __post_init__(self) -> None:
        g = 1 if self.dims == 1 else 2
        self.lead = self.array.shape[: self.array.ndim - g]
        spatial = self.array.shape[self.array.ndim - g :]
        self.rows, self.cols = (1, spatial[0]) if g == 1 else spatial[-2:]
        self.grids = list(np.ndindex(*self.lead))
        self.label = 18 if len(self.grids) > 1 else 0  # room for "c1" above each grid
        self.grid_height = self.rows * self.cell + self.label
        self.gap = 10

    @property
    def width(self) -> int:
        return self.cols * self.cell

    @property
    def height(self) -> int:
        return len(self.grids) * self.grid_height + (len(self.grids) - 1) * self.gap

    def box(self, cell: Cell) -> tuple[int, int, int, int]:
        lead, rest = cell[: len(self.lead)], cell[len(self.lead) :]
        r, c = (0, rest[0]) if len(rest) == 1 else rest[-2:]
        top = self.y + self.grids.index(tuple(lead)) * (self.grid_height + self.gap) + self.label
        left = self.x + c * self.cell
        return left, top + r * self.cell, left + self.cell, top + (r + 1) * self.cell

    def draw(self, draw, shown: np.ndarray, styles: dict[Cell, str], base: str, fonts) -> None:
        number, small = fonts
        for g, lead in enumerate(self.grids):
            if self.label:
                top = self.y + g * (self.grid_height + self.gap)
                draw.text((self.x, top), _grid_label(lead, self.lead), font=small, fill=FAINT)
        for cell in np.ndindex(*self.array.shape):
            style = styles.get(cell, base)
            fill, outline = STYLES[style]
            box = self.box(cell)
            draw.rectangle(box, fill=fill, outline=outline, width=3 if style in BOLD else 1)
            if shown[cell]:
                colour = FAINT if style == "masked" else INK
                _centred(draw, box, fmt(self.array[cell]), number, colour)


def _grid_label(index: tuple[int, ...], lead: tuple[int, ...]) -> str:
    varying = [i for i, n in zip(index, lead) if n > 1]
    return f"c{varying[0]}" if len(varying) == 1 else ",".join(map(str, index)).join("()")


# --------------------------------------------------------------------------- layout


@dataclass
class _Layout:
    panels: list[_Panel]
    symbols: list[tuple[int, int, str]]  # (x, y, text) between the panels
    width: int
    height: int
    top: int  # where the panels start
    text_top: int  # where the caption starts
    fonts: tuple


def _layout(ex: Explanation, values: Sequence[np.ndarray], scale: float) -> _Layout:
    number = _font(round(16 * scale))
    small = _font(round(13 * scale))
    widest = max(_text_size(fmt(v), number)[0] for array in values for v in array.ravel())
    cell = max(round(34 * scale), widest + round(12 * scale))
    panels = [
        _Panel(
            "input after zero insertion" if ex.view == "zero_insertion" else "input",
            ex.input,
            ex.spatial_dims,
            cell,
        )
    ]
    if ex.kernel is not None:
        dims = ex.kernel_dims or ex.spatial_dims
        name = {"matrix": "C^T", "zero_insertion": "flipped kernel"}.get(ex.view or "", "kernel")
        panels.append(_Panel(name, ex.kernel, dims, cell))
    panels.append(_Panel("output", ex.output, ex.spatial_dims, cell))
    margin, between = round(20 * scale), round(56 * scale)
    title_height = round(56 * scale)
    label_height = round(22 * scale)
    top = margin + title_height + label_height
    x = margin
    symbols = []
    for i, panel in enumerate(panels):
        panel.x, panel.y = x, top
        x += panel.width
        if i < len(panels) - 1:
            symbol = "x" if i < len(panels) - 2 else ("=" if ex.kernel is not None else "->")
            symbols.append((x + between // 2, top + min(p.rows for p in panels) * cell // 2, symbol))
            x += between
    width = max(x + margin, round(520 * scale))
    text_top = top + max(p.height for p in panels) + round(18 * scale)
    height = text_top + round(5 * 21 * scale) + margin  # caption + equation + step counter
    return _Layout(panels, symbols, width, height, top, text_top, (number, small))


# --------------------------------------------------------------------------- frames


def frames(ex: Explanation, *, scale: float = 1.0, max_steps: int | None = None) -> list:
    """The animation as a list of RGB PIL images: the setup, one frame per step, the result.

    ``scale`` enlarges everything; ``max_steps`` keeps only the first steps (the last
    frame still shows the full result).
    """
    from PIL import Image, ImageDraw

    if max_steps is None and len(ex.steps) > MAX_FRAMES:
        raise ValueError(
            f"frames: {len(ex.steps)} steps would make an animation of "
            f"{len(ex.steps) + 2} frames; pass max_steps (at most {MAX_FRAMES}) "
            "or use a smaller example"
        )
    steps = ex.steps if max_steps is None else ex.steps[:max_steps]
    partials = [s.output for s in steps[:64]]
    layout = _layout(
        ex, [ex.input, ex.output] + ([ex.kernel] if ex.kernel is not None else []) + partials, scale
    )
    title_font, text_font = _font(round(18 * scale)), _font(round(15 * scale))
    name, _, params = ex.title.partition(": ")
    title_lines = [name] + _wrap(params, text_font, layout.width - 2 * layout.panels[0].x)[:1]
    input_panel, *_, output_panel = layout.panels
    kernel_panel = layout.panels[1] if ex.kernel is not None else None
    masked = {} if ex.input_mask is None else {cell: "masked" for cell in zip(*np.nonzero(~ex.input_mask))}
    masked = {tuple(int(i) for i in cell): style for cell, style in masked.items()}

    def frame(
        caption: str,
        equation: str,
        counter: str,
        step: Step | None,
        done: set[Cell],
        output: np.ndarray,
        final: bool = False,
    ):
        image = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
        draw = ImageDraw.Draw(image)
        margin = layout.panels[0].x
        for i, line in enumerate(title_lines):
            draw.text(
                (margin, margin + i * round(22 * scale)),
                line,
                font=title_font if i == 0 else text_font,
                fill=INK if i == 0 else FAINT,
            )
        for panel in layout.panels:
            draw.text((panel.x, layout.top - round(22 * scale)), panel.title, font=text_font, fill=FAINT)
        for x, y, symbol in layout.symbols:
            _centred(draw, (x - 20, y - 20, x + 20, y + 20), symbol, title_font, INK)
        # input: read cells highlighted
        styles = dict(masked)
        if step is not None:
            styles.update({cell: "read" for cell in step.reads})
        input_panel.draw(draw, np.ones(ex.input.shape, dtype=bool), styles, "plain", layout.fonts)
        if step is not None and ex.op == "bilinear":
            _mark_point(draw, input_panel, step, scale)
        if kernel_panel is not None:
            used = {} if step is None else {cell: "weight" for cell in step.weight_cells}
            kernel_panel.draw(draw, np.ones(ex.kernel.shape, dtype=bool), used, "plain", layout.fonts)
        # output: filled in so far, this step's cells highlighted
        shown = np.ones(ex.output.shape, dtype=bool) if final else np.zeros(ex.output.shape, dtype=bool)
        styles = {}
        for cell in done:
            shown[cell] = True
            styles[cell] = "done"
        if step is not None:
            for cell in step.written:
                shown[cell] = True
                styles[cell] = "written"
        output_panel.array = output
        output_panel.draw(draw, shown, styles, "done" if final else "empty", layout.fonts)
        y = layout.text_top
        for line in _wrap(caption, text_font, layout.width - 2 * margin)[:2]:
            draw.text((margin, y), line, font=text_font, fill=INK)
            y += round(21 * scale)
        lines = _wrap(equation, text_font, layout.width - 2 * margin)
        if len(lines) > 2:
            lines = [lines[0], lines[1] + " ..."]
        for line in lines:
            draw.text((margin, y), line, font=text_font, fill=(21, 101, 192))
            y += round(21 * scale)
        draw.text(
            (margin, layout.height - margin - round(14 * scale)),
            counter,
            font=_font(round(13 * scale)),
            fill=FAINT,
        )
        return image

    images = [
        frame(
            "the input" + (" and the kernel" if ex.kernel is not None else "") + "; the output starts empty",
            "",
            f"0/{len(ex.steps)}",
            None,
            set(),
            np.zeros_like(ex.output),
        )
    ]
    done: set[Cell] = set()
    for number, step in enumerate(steps, start=1):
        images.append(
            frame(step.caption, step.equation, f"step {number}/{len(ex.steps)}", step, done, step.output)
        )
        done |= set(step.written)
    images.append(frame("the result: " + _summary(ex), "", "done", None, done, ex.output, final=True))
    return images


def _mark_point(draw, panel: _Panel, step: Step, scale: float) -> None:
    """A red dot where the step's output sits in the input: the weighted mean of its reads."""
    total = sum(t.weight for t in step.terms)
    if not step.terms or total == 0:
        return
    point = [
        sum(t.weight * t.source[a] for t in step.terms) / total for a in range(1, len(step.terms[0].source))
    ]
    x0, y0, _, _ = panel.box(step.terms[0].source[:1] + (0,) * len(point))
    r, c = (0.0, point[0]) if len(point) == 1 else point[-2:]
    cx, cy = x0 + (c + 0.5) * panel.cell, y0 + (r + 0.5) * panel.cell
    radius = round(5 * scale)
    draw.ellipse(
        (cx - radius, cy - radius, cx + radius, cy + radius), fill=(211, 47, 47), outline=(255, 255, 255)
    )


def _summary(ex: Explanation) -> str:
    if ex.output.size <= 16:
        rows = ex.output.reshape(-1, ex.output.shape[-1])
        return "; ".join(" ".join(fmt(v) for v in row) for row in rows)
    return f"{'x'.join(map(str, ex.output.shape[1:]))} output"


def write(
    images: Sequence,
    path: Any,
    *,
    durations: Sequence[int] | None = None,
    png_dir: Any = None,
    stem: str = "frame",
) -> list[Path]:
    """Save images as an animated GIF at ``path`` (and as PNGs in ``png_dir``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if durations is None:
        durations = [FIRST_MS] + [STEP_MS] * (len(images) - 2) + [LAST_MS] if len(images) > 1 else [LAST_MS]
    images[0].save(path, save_all=True, append_images=list(images[1:]), duration=list(durations), loop=0)
    written = [path]
    if png_dir is not None:
        folder = Path(png_dir)
        folder.mkdir(parents=True, exist_ok=True)
        digits = len(str(len(images)))
        for i, image in enumerate(images):
            png = folder / f"{stem}_{i:0{digits}d}.png"
            image.save(png)
            written.append(png)
    return written


def save_gif(ex: Explanation, path: Any, *, png_dir: Any = None, **options: Any) -> list[Path]:
    """Render ``ex`` and write the GIF (and PNG frames); returns the paths written."""
    images = frames(ex, **options)
    step_ms = STEP_MS if len(images) <= 20 else max(300, STEP_MS * 20 // len(images))
    durations = [FIRST_MS] + [step_ms] * (len(images) - 2) + [LAST_MS]
    return write(images, path, durations=durations, png_dir=png_dir, stem=Path(path).stem)


# --------------------------------------------------------------------------- the 3-D picture


def _layer_box(x: int, y: int, cell: int, depth: int, c: int, r: int, col: int):
    """The corners of cell (r, col) of layer c, layers stacked back-right and up."""
    left = x + c * depth + col * cell
    top = y - c * depth + r * cell
    return left, top, left + cell, top + cell


def _draw_volume(
    draw,
    array: np.ndarray,
    x: int,
    y: int,
    cell: int,
    depth: int,
    styles: dict[Cell, str],
    base: str,
    shown: np.ndarray,
    font,
) -> None:
    """A (C, H, W) array as C layers of cells seen from the front, the first layer in front."""
    channels, rows, cols = array.shape
    for c in reversed(range(channels)):
        for r in range(rows):
            for col in range(cols):
                style = styles.get((c, r, col), base)
                fill, outline = STYLES[style]
                box = _layer_box(x, y, cell, depth, c, r, col)
                draw.rectangle(box, fill=fill, outline=outline, width=3 if style in BOLD else 1)
                if shown[c, r, col]:
                    _centred(draw, box, fmt(array[c, r, col]), font, INK if c == 0 else FAINT)


def volume_frames(ex: Explanation, *, scale: float = 1.0) -> list:
    """The article's 3-D convolution picture for a conv explanation of a (C, H, W) input:
    the input and the kernel as stacks of channel layers, the output filling in."""
    from PIL import Image, ImageDraw

    if ex.input.ndim != 3 or ex.kernel is None or ex.kernel.ndim != 4 or ex.kernel.shape[0] != 1:
        raise ValueError("volume_frames: needs a conv explanation of a (C, H, W) input with one filter")
    channels, rows, cols = ex.input.shape
    kernel = ex.kernel[0]  # (C, kH, kW)
    out = ex.output  # (1, oH, oW)
    number, small = _font(round(15 * scale)), _font(round(15 * scale))
    title_font = _font(round(18 * scale))
    cell = round(38 * scale)
    depth = round(14 * scale)
    margin, between = round(24 * scale), round(60 * scale)
    top = margin + round(70 * scale) + channels * depth
    xs = [margin]
    xs.append(xs[0] + cols * cell + channels * depth + between)
    xs.append(xs[1] + kernel.shape[2] * cell + channels * depth + between)
    width = xs[2] + out.shape[2] * cell + depth + margin
    height = top + rows * cell + round(90 * scale)
    sizes = [
        f"input {rows}x{cols}x{channels}",
        f"kernel {kernel.shape[1]}x{kernel.shape[2]}x{channels}",
        f"output {out.shape[1]}x{out.shape[2]}x1",
    ]

    def frame(step: Step | None, done: set[Cell], final: bool, caption: str):
        image = Image.new("RGB", (width, height), BACKGROUND)
        draw = ImageDraw.Draw(image)
        draw.text(
            (margin, margin), "convolution: every filter spans all input channels", font=title_font, fill=INK
        )
        for x, label in zip(xs, sizes):
            draw.text((x, top - channels * depth - round(26 * scale)), label, font=small, fill=FAINT)
        reads = {} if step is None else {cell_: "read" for cell_ in step.reads}
        _draw_volume(
            draw,
            ex.input,
            xs[0],
            top,
            cell,
            depth,
            reads,
            "plain",
            np.ones(ex.input.shape, dtype=bool),
            number,
        )
        used = {} if step is None else {c[1:]: "weight" for c in step.weight_cells}
        _draw_volume(
            draw, kernel, xs[1], top, cell, depth, used, "plain", np.ones(kernel.shape, dtype=bool), number
        )
        shown = np.ones(out.shape, dtype=bool) if final else np.zeros(out.shape, dtype=bool)
        styles = {c: "done" for c in done}
        for c in done:
            shown[c] = True
        if step is not None:
            for c in step.written:
                shown[c] = True
                styles[c] = "written"
        values = ex.output if step is None else step.output
        _draw_volume(
            draw, values, xs[2], top, cell, depth, styles, "done" if final else "empty", shown, number
        )
        mid = top + rows * cell // 2
        for x, symbol in ((xs[1] - between // 2, "*"), (xs[2] - between // 2, "=")):
            _centred(draw, (x - 20, mid - 20, x + 20, mid + 20), symbol, title_font, INK)
        y = top + rows * cell + round(20 * scale)
        for line in _wrap(caption, small, width - 2 * margin)[:3]:
            draw.text((margin, y), line, font=small, fill=INK)
            y += round(20 * scale)
        return image

    images = [
        frame(
            None, set(), False, f"{channels} channels in, one kernel of depth {channels}, one output channel"
        )
    ]
    done: set[Cell] = set()
    for step in ex.steps:
        total = step.writes[0].added if step.writes else 0
        images.append(
            frame(step, done, False, f"{step.caption}: {len(step.terms)} products summed = {fmt(total)}")
        )
        done |= set(step.written)
    images.append(frame(None, done, True, "; ".join(n.strip() for n in ex.notes[:2])))
    return images


def save_volume_gif(ex: Explanation, path: Any, *, png_dir: Any = None, **options: Any) -> list[Path]:
    """Render the 3-D convolution picture of ``ex`` to a GIF (and PNG frames)."""
    return write(volume_frames(ex, **options), path, png_dir=png_dir, stem=Path(path).stem)
