"""``upsample tour``: every example of the article, in order, step by step.

Each section is data: an explanation of the real op on the article's numbers, a line of
prose, and the numbers the article printed, checked against the result. The tour prints
each explanation, writes one GIF per technique and an ``index.html`` that shows them all,
with a progress bar (rich) while it renders.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import (
    bed_of_nails,
    bilinear,
    conv,
    conv_transpose,
    max_pool,
    max_unpool,
    nearest,
    pixel_shuffle,
    volume_example,
)
from .records import Explanation
from .steps import fmt

__all__ = ["Section", "sections", "run", "volume_example", "DEFAULT_OUT"]

DEFAULT_OUT = "upsample-tour"


@dataclass(frozen=True)
class Section:
    """One stop of the tour.

    Attributes:
        slug: file name stem of the section's GIF and its anchor in index.html.
        title: the heading.
        blurb: one line saying what happens, in our own words.
        explanation: the op on the article's example.
        article: what the article printed as the result, or None when it printed none.
        article_rounded: the article printed the result rounded down.
        article_shape: the output shape (C, *spatial) the article states, when it gives no numbers.
        volume: also draw the 3-D convolution picture.
    """

    slug: str
    title: str
    blurb: str
    explanation: Explanation
    article: np.ndarray | None = None
    article_rounded: bool = False
    article_shape: tuple[int, ...] | None = None
    volume: bool = False

    def check(self) -> tuple[bool, str]:
        """Does the result match what the article printed? -> (ok, one line saying so)."""
        result = self.explanation.output[0]
        if self.article is None and self.article_shape is not None:
            shape = self.explanation.output.shape
            ok = shape == tuple(self.article_shape)
            size = "x".join(map(str, shape[1:])) + f"x{shape[0]}"
            return ok, (
                f"output {size}, as in the article"
                if ok
                else f"output {size} DIFFERS from the article's "
                f"{'x'.join(map(str, self.article_shape[1:]))}x{self.article_shape[0]}"
            )
        if self.article is None:
            return True, f"the result has shape {'x'.join(map(str, result.shape))}"
        article = np.asarray(self.article)
        if article.shape != result.shape:
            return False, f"the article printed shape {article.shape}, the op gives {result.shape}"
        if self.article_rounded:
            ok = np.array_equal(np.floor(result), article)
            exact = int(np.count_nonzero(result != article))
            return ok, (
                f"the article printed these values rounded down ({exact} of {result.size} "
                f"differ from the exact ones, e.g. {fmt(result.flat[np.argmax(result != article)])} "
                f"printed as {fmt(article.flat[np.argmax(result != article)])})"
                if ok
                else "the article's numbers are NOT the rounded result"
            )
        ok = np.array_equal(result, article)
        return ok, "matches the article" if ok else "DIFFERS from the article"


ARTICLE_MAX_POOL_INPUT = np.array([[1, 2, 4, 1], [3, 4, 2, 3], [1, 4, 1, 2], [2, 3, 4, 3]])
ARTICLE_INPUT = np.array([[1, 2], [3, 4]])
ARTICLE_KERNEL = np.full((2, 2), 5)


def sections() -> list[Section]:
    """The tour, in the article's order, then two more views of transposed convolution."""
    x3, w3 = volume_example()
    downsample = conv(x3, w3).with_notes(
        "the article's form of the size rule: W_out = 1 + (W_in - W_kernel + 2P) / S "
        "= 1 + (5 - 3 + 2*0) / 1 = 3, the same for H"
    )
    pooled = max_pool(ARTICLE_MAX_POOL_INPUT, 2)
    indices = pooled.extras["indices"][0]
    scatter = conv_transpose(ARTICLE_INPUT, ARTICLE_KERNEL).with_notes(
        "the article's form: W_out = (W_in - 1)*S - 2P + W_kernel = (2 - 1)*1 - 2*0 + 2 = 3"
    )
    transposed = np.array([[5, 15, 10], [20, 50, 30], [15, 35, 20]])
    return [
        Section(
            "conv",
            "Downsampling with a convolution",
            "One filter, as deep as the input has channels, slides over the 5x5x3 input; at "
            "each stop the 27 products collapse into one number, so 5x5x3 shrinks to 3x3x1.",
            downsample,
            article_shape=(1, 3, 3),
            volume=True,
        ),
        Section(
            "nearest",
            "Nearest neighbour",
            "Every value is repeated: a factor of 2 along both axes turns each number into a "
            "2x2 block of copies (the article's K = 4 counts the copies).",
            nearest(ARTICLE_INPUT, 2),
            np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]),
        ),
        Section(
            "bilinear",
            "Bilinear interpolation",
            "Each output sits at a point between the input pixels and blends the inputs "
            "around it, the closer ones counting more; the corners keep the input values.",
            bilinear(10 * ARTICLE_INPUT, 2),
            np.array([[10, 12, 17, 20], [15, 17, 22, 25], [25, 27, 32, 35], [30, 32, 37, 40]]),
            article_rounded=True,
        ),
        Section(
            "bed_of_nails",
            "Bed of nails",
            "Each value is pinned to the top-left corner of its enlarged 2x2 cell; the rest "
            "of the cell stays zero.",
            bed_of_nails(ARTICLE_INPUT, 2),
            np.array([[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]),
        ),
        Section(
            "max_pool",
            "Max pooling, keeping the positions",
            "Each 2x2 window keeps only its largest value and notes where in the input that "
            "value was; the unpooling below needs those positions.",
            pooled,
            np.array([[4, 4], [4, 4]]),
        ),
        Section(
            "max_unpool",
            "Max unpooling",
            "New values go back to the positions the pooling recorded, and every other "
            "position is zero, so detail returns to where it came from.",
            max_unpool(ARTICLE_INPUT, indices, 2),
            np.array([[0, 0, 2, 0], [0, 1, 0, 0], [0, 3, 0, 0], [0, 0, 4, 0]]),
        ),
        Section(
            "conv_transpose",
            "Transposed convolution",
            "Each input value scales the whole (trainable) kernel; the scaled copies are "
            "dropped into the output one stride apart and added up where they overlap.",
            scatter,
            transposed,
        ),
        Section(
            "conv_transpose_zero_insertion",
            "The same, as zeros plus a convolution",
            "Spread the input out with zeros (a bed of nails), pad it, and slide the flipped "
            "kernel over it with an ordinary convolution: the same numbers come out.",
            conv_transpose(ARTICLE_INPUT, ARTICLE_KERNEL, view="zero_insertion"),
            transposed,
        ),
        Section(
            "conv_transpose_matrix",
            "The same, as a matrix: why it is called transpose",
            "Write the matching convolution as a matrix C; multiplying the flattened input "
            "by C transposed gives the transposed convolution.",
            conv_transpose(ARTICLE_INPUT, ARTICLE_KERNEL, view="matrix"),
            transposed,
        ),
        Section(
            "pixel_shuffle",
            "Beyond the article: pixel shuffle",
            "Four channels of 2x2 become one channel of 4x4: each channel fills one position "
            "of every 2x2 block, trading depth for resolution.",
            pixel_shuffle(np.arange(1, 17).reshape(4, 2, 2), 2),
        ),
    ]


# --------------------------------------------------------------------------- index.html

#: where ``upsample serve`` listens by default; the tour's page links to it
SERVE_URL = "http://127.0.0.1:8000/"

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #212121; background: #fafafa; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 1rem 1.5rem;
          margin: 1.5rem 0; }
h2 { margin-top: 0; }
.blurb { font-size: 1.05rem; }
.pictures img { max-width: 100%; border: 1px solid #eee; margin: 0.5rem 1rem 0.5rem 0; }
.numbers { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.numbers figure { margin: 0; }
table { border-collapse: collapse; margin-bottom: 0.4rem; }
td { border: 1px solid #bbb; min-width: 2.2rem; padding: 0.2rem 0.35rem; text-align: right;
     font-family: ui-monospace, monospace; }
figcaption { color: #666; font-size: 0.9rem; }
.check { font-weight: 600; }
.ok { color: #2e7d32; } .bad { color: #c62828; }
.notes { color: #555; font-size: 0.9rem; white-space: pre-wrap; }
.live { background: #e8eaf6; border-radius: 6px; padding: 0.6rem 0.9rem; }
"""


def _table(array: np.ndarray, dims: int) -> str:
    """An array (*lead, *spatial) as HTML tables, one per lead index."""
    array = np.asarray(array)
    g = 1 if dims == 1 else 2
    lead = array.shape[: array.ndim - g]
    parts = []
    for index in np.ndindex(*lead):
        grid = array[index].reshape(-1, array.shape[-1]) if g == 2 else array[index].reshape(1, -1)
        rows = "".join("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>" for row in grid)
        parts.append(f"<table>{rows}</table>")
    return "".join(parts)


def _numbers(section: Section) -> str:
    ex = section.explanation
    figures = [
        (
            "input after zero insertion" if ex.view == "zero_insertion" else "input",
            _table(ex.input, ex.spatial_dims),
        )
    ]
    if ex.kernel is not None:
        name = {"matrix": "C<sup>T</sup>", "zero_insertion": "flipped kernel"}.get(ex.view or "", "kernel")
        figures.append((name, _table(ex.kernel, ex.kernel_dims or ex.spatial_dims)))
    figures.append(("output", _table(ex.output, ex.spatial_dims)))
    if "indices" in ex.extras:
        figures.append(("indices", _table(ex.extras["indices"], ex.spatial_dims)))
    if section.article is not None and not np.array_equal(section.article, ex.output[0]):
        figures.append(("as the article printed it", _table(section.article, 2)))
    return "".join(f"<figure>{table}<figcaption>{name}</figcaption></figure>" for name, table in figures)


def index_html(items: list[tuple[Section, list[str], tuple[bool, str]]]) -> str:
    """The page: a section per technique with its GIF(s), numbers, and one line of prose."""
    body = []
    for number, (section, images, (ok, verdict)) in enumerate(items, start=1):
        ex = section.explanation
        pictures = "".join(
            f'<img src="{html.escape(name)}" alt="{html.escape(section.title)}, animated step by step">'
            for name in images
        )
        body.append(f"""
<section id="{section.slug}">
<h2>{number}. {html.escape(section.title)}</h2>
<p class="blurb">{html.escape(section.blurb)}</p>
<p><code>{html.escape(ex.title)}</code> &middot; {len(ex.steps)} steps &middot;
<span class="check {"ok" if ok else "bad"}">{html.escape(verdict)}</span></p>
<div class="pictures">{pictures}</div>
<div class="numbers">{_numbers(section)}</div>
<p class="notes">{html.escape(chr(10).join(ex.notes))}</p>
</section>""")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>upsample tour: every example of "Transpose Convolution", step by step</title>
<style>{STYLE}</style>
</head>
<body>
<h1>upsample tour</h1>
<p>Every example of the article <em>Transpose Convolution</em>, computed by the <code>upsample</code>
library and animated step by step: orange cells are the inputs a step reads, blue the
kernel weights it uses, green the outputs it writes.</p>
<p class="live">To change these examples and watch every step live, in the browser:
<code>pip install -e ".[web]" &amp;&amp; upsample serve --open</code> (in the upsample clone), which serves the page at
<a href="{SERVE_URL}">{SERVE_URL}</a> (this machine only).</p>
{"".join(body)}
</body>
</html>
"""


# --------------------------------------------------------------------------- running it


def run(
    out: Any = DEFAULT_OUT,
    *,
    quiet: bool = False,
    gifs: bool = True,
    print_text: Callable[[str], None] | None = None,
) -> int:
    """Run the tour into ``out``: print every section, write its GIF(s) and ``index.html``.

    Returns 0, or 1 when a result does not match the article's numbers.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .gif import save_volume_gif

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    console = Console()
    say = print_text or (lambda text: console.print(text, markup=False, soft_wrap=True))
    start = time.perf_counter()
    tour = sections()
    items, failures = [], 0
    columns = (
        TextColumn("[bold]rendering[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("", total=len(tour) + 1)
        for number, section in enumerate(tour, start=1):
            progress.update(task, description=section.slug)
            ok, verdict = section.check()
            failures += not ok
            if not quiet:
                heading = f"{number}. {section.title}"
                say(
                    f"\n{heading}\n{'#' * len(heading)}\n{section.blurb}\n\n{section.explanation}\n"
                    f"\n=> {verdict}"
                )
            images = []
            if gifs:
                if section.volume:
                    save_volume_gif(section.explanation, out / f"{section.slug}_3d.gif")
                    images.append(f"{section.slug}_3d.gif")
                section.explanation.save_gif(out / f"{section.slug}.gif")
                images.append(f"{section.slug}.gif")
            items.append((section, images, (ok, verdict)))
            progress.advance(task)
        progress.update(task, description="index.html")
        (out / "index.html").write_text(index_html(items), encoding="utf-8")
        progress.advance(task)
    say(
        f"\nwrote {sum(len(i[1]) for i in items)} GIFs and index.html to {out} "
        f"in {time.perf_counter() - start:.1f} s; open {out / 'index.html'} in a browser"
    )
    if failures:
        say(f"{failures} section(s) do not match the article")
    return 1 if failures else 0
