"""The training report's picture (``report.png``): crops of every method, their impulse
responses, the checkerboard pattern and the loss curves, drawn with Pillow from a
:class:`~upsample.train.Result`, which holds all it draws (so this module needs nothing
else of the training).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import images, shapes

__all__ = ["draw"]


_PALETTE = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
]


def _wrap(text: str, width: int = 24) -> list[str]:
    """Greedy line breaking at spaces, for captions under narrow tiles."""
    lines: list[str] = []
    for part in text.split("\n"):
        line = ""
        for word in part.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines


class _Canvas:
    """Tiles with captions above them, laid out left to right in rows, on a white page."""

    def __init__(self, width: int) -> None:
        from PIL import Image, ImageDraw, ImageFont

        self.Image, self.ImageDraw = Image, ImageDraw
        self.font = ImageFont.load_default(size=13)  # Pillow >= 10.1
        self.width, self.pad, self.line, self.min_tile = width, 12, 15, 160
        self.texts: list[tuple[int, int, str, str]] = []  # x, y, text, colour
        self.tiles: list[tuple[int, int, Any]] = []  # x, y, image
        self.y = self.pad

    def heading(self, text: str) -> None:
        self.y += self.pad
        self.texts.append((self.pad, self.y, text, "black"))
        self.y += self.line + 8

    def row(self, tiles: list[tuple[str, Any]]) -> None:
        """Captioned tiles, wrapping onto further rows when the page is full."""
        captions = [_wrap(caption) if caption else [] for caption, _ in tiles]
        top = self.line * max(len(c) for c in captions) + 4  # caption height of this row
        x, tallest = self.pad, 0
        for caption, (_, tile) in zip(captions, tiles):
            width = max(tile.width, self.min_tile)
            if x + width > self.width - self.pad and x > self.pad:
                self.y += top + tallest + self.pad
                x, tallest = self.pad, 0
            for i, text in enumerate(caption):
                self.texts.append((x, self.y + i * self.line, text, "#3c3c3c"))
            self.tiles.append((x, self.y + top, tile))
            x += width + self.pad
            tallest = max(tallest, tile.height)
        self.y += top + tallest + self.pad

    def render(self) -> Any:
        page = self.Image.new("RGB", (self.width, self.y + self.pad), "white")
        for x, y, tile in self.tiles:
            page.paste(tile, (x, y))
        draw = self.ImageDraw.Draw(page)
        for x, y, text, colour in self.texts:
            draw.text((x, y), text, fill=colour, font=self.font)
        return page


def _gray(canvas: _Canvas, image: np.ndarray, zoom: int, low: float = 0.0, high: float = 1.0) -> Any:
    """An (H, W) array as a gray tile, each pixel a ``zoom`` x ``zoom`` block."""
    scaled = np.clip((image - low) / (high - low), 0, 1) * 255
    blocks = np.repeat(np.repeat(scaled.round().astype(np.uint8), zoom, 0), zoom, 1)
    return canvas.Image.fromarray(blocks, mode="L").convert("RGB")


def _diverging(canvas: _Canvas, values: np.ndarray, zoom: int, limit: float) -> Any:
    """Red for positive, blue for negative, white at zero; ``limit`` is full colour."""
    t = np.clip(values / limit, -1, 1)[..., None]  # (H, W, 1)
    red, blue, white = np.array([200, 30, 30]), np.array([30, 60, 200]), np.full(3, 255)
    rgb = np.where(t >= 0, white + t * (red - white), white - t * (blue - white))
    blocks = np.repeat(np.repeat(rgb.round().astype(np.uint8), zoom, 0), zoom, 1)
    return canvas.Image.fromarray(blocks, mode="RGB")


def _curves(canvas: _Canvas, losses: dict[str, list[float]], labels: dict[str, str]) -> Any:
    """log10 of the smoothed training loss of every design against the step, with a legend."""
    width, height, left, bottom = 620, 220, 40, 22
    smooth = {}
    for name, values in losses.items():
        window = max(len(values) // 50, 1)
        smooth[name] = np.log10(np.convolve(values, np.ones(window) / window, mode="valid"))
    low = min(v.min() for v in smooth.values())
    high = max(v.max() for v in smooth.values())
    high = high if high > low else low + 1
    rows = (len(smooth) + 1) // 2
    tile = canvas.Image.new("RGB", (width, height + 6 + 16 * rows), "white")
    draw = canvas.ImageDraw.Draw(tile)
    draw.rectangle((left, 4, width - 4, height - bottom), outline=(150, 150, 150))
    draw.text((2, 0), f"{high:.1f}", fill="black", font=canvas.font)
    draw.text((2, height - bottom - 12), f"{low:.1f}", fill="black", font=canvas.font)
    steps = max(len(v) for v in losses.values())
    draw.text((left, height - bottom + 4), f"step 0 ... {steps}", fill="black", font=canvas.font)
    for i, (name, values) in enumerate(smooth.items()):
        colour = _PALETTE[i % len(_PALETTE)]
        xs = left + (width - 4 - left) * np.arange(len(values)) / max(len(values) - 1, 1)
        ys = 4 + (height - bottom - 4) * (high - values) / (high - low)
        draw.line(list(zip(xs.tolist(), ys.tolist())), fill=colour, width=2)
        x, y = (i % 2) * (width // 2), height + 6 + (i // 2) * 16
        draw.rectangle((x, y + 4, x + 10, y + 12), fill=colour)
        draw.text((x + 14, y), labels[name], fill="black", font=canvas.font)
    return tile


def _detail_window(truth: np.ndarray, reference: np.ndarray, size: int, border: int) -> tuple[int, int]:
    """Top-left corner (even) of the ``size`` window, clear of ``border``, where ``reference``
    errs most."""
    error = np.abs(reference - truth)
    best, corner = -1.0, (0, 0)
    h, w = truth.shape
    step = size // 4
    for y in range(border, h - size - border + 1, step):  # a few hundred windows
        for x in range(border, w - size - border + 1, step):
            total = float(error[y : y + size, x : x + size].sum())
            if total > best:
                best, corner = total, (y - y % 2, x - x % 2)
    return corner


def draw(result: Any) -> Any:
    """The report: crops of every method, their kernels, the checkerboard, the losses."""
    canvas = _Canvas(1320)
    photo = result.settings["test_images"][0]
    size, zoom = 64, 3
    y, x = _detail_window(result.truth, result.outputs["bicubic"], size, result.settings["shave"])
    crop = (slice(y, y + size), slice(x, x + size))
    low = images.downscale(result.truth)[y // 2 : (y + size) // 2, x // 2 : (x + size) // 2]

    canvas.heading(
        f"Held-out photograph '{photo}', a {size}x{size} crop (x{zoom}); PSNR of the whole photograph"
    )
    tiles = [
        ("ground truth", _gray(canvas, result.truth[crop], zoom)),
        ("input (half size)", _gray(canvas, low, 2 * zoom)),
    ]
    for name, pred in result.outputs.items():
        caption = f"{result.labels[name]}\n{result.psnr[name][photo]:.2f} dB"
        tiles.append((caption, _gray(canvas, pred[crop], zoom)))
    canvas.row(tiles)

    canvas.heading(
        "Impulse responses: what one input pixel adds to the output "
        "(for a transposed convolution, its kernel); red > 0 > blue"
    )
    tiles = []
    for name, kernel in result.kernels.items():
        limit = float(np.abs(kernel).max()) or 1.0
        tap = max(6, 128 // max(kernel.shape))
        tiles.append(
            (
                f"{result.labels[name]}\n{kernel.shape[0]}x{kernel.shape[1]}, "
                f"max {limit:.2f}" + ("" if result.linear[name] else " (nonlinear: not a kernel)"),
                _diverging(canvas, kernel, tap, limit),
            )
        )
    canvas.row(tiles)

    canvas.heading(
        "Checkerboard artifacts (Odena, Dumoulin & Olah, Distill 2016): "
        "uneven overlap of the kernel taps, and the error it leaves after training"
    )
    tiles = []
    for name, (k, extra) in {"k3 s2 p1": (3, 1), "k4 s2 p1": (4, 0)}.items():
        counts = np.array(
            shapes.overlap_map((k, k), 2, size=(8, 8), padding=1, output_padding=extra), dtype=np.float64
        )
        tiles.append(
            (
                f"transpose conv {name}: kernel taps per output (8x8 input)",
                _gray(canvas, counts, 10, 0, counts.max()),
            )
        )
    pairs = [m for m in ("transpose_k3_random", "transpose_k4_random") if m in result.phase_rmse]
    if pairs:
        low_rmse = min(result.phase_rmse[m].min() for m in pairs)
        high_rmse = max(result.phase_rmse[m].max() for m in pairs)
        for name in pairs:
            rmse = result.phase_rmse[name]
            values = " / ".join(" ".join(f"{1000 * v:.1f}" for v in row) for row in rmse)
            tiles.append(
                (
                    f"{result.labels[name]}: held-out RMS error by output phase (x1000: {values})",
                    _gray(canvas, np.tile(rmse, (8, 8)), 10, low_rmse, high_rmse),
                )
            )
        for name in pairs:
            error = result.ramp_errors[name]
            tiles.append(
                (
                    f"{result.labels[name]}: output - truth on a smooth ramp (+-0.01 full scale)",
                    _gray(canvas, error, zoom, -0.01, 0.01),
                )
            )
    canvas.row(tiles)

    if result.losses and all(len(v) >= 2 for v in result.losses.values()):
        canvas.heading("Training loss (log10 MSE, smoothed)")
        canvas.row([("", _curves(canvas, result.losses, result.labels))])
    return canvas.render()
