"""Build hook: the gallery, drawn by the library while the site is built.

Each technique of the article gets its animation (the ``upsample tour`` explanations,
rendered by ``Explanation.save_gif``) and a before/after picture on a photograph from
scikit-image's data (read offline from its wheel). Nothing here is committed: the images
exist only in the built site, so they always show what the code does today.
"""

from __future__ import annotations

import html
import sys
import tempfile
from pathlib import Path

import numpy as np
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]

FACTOR = 4  # the photograph is shrunk by this much, then every technique enlarges it back
CROP = (slice(40, 200), slice(150, 310))  # the astronaut's face and badge, 160x160


def _photograph() -> np.ndarray:
    """(1, 3, 160, 160) float64 in [0, 1]: a crop of scikit-image's astronaut."""
    from skimage import data

    rgb = data.astronaut()[CROP].astype(np.float64) / 255.0
    return np.moveaxis(rgb, -1, 0)[None]


def _png(array: np.ndarray, path: Path, scale: int = 1) -> None:
    """(3, H, W) or (1, H, W) in [0, 1] -> an RGB PNG, each pixel a scale x scale block."""
    from PIL import Image

    image = np.clip(array, 0.0, 1.0)
    if image.shape[0] == 1:
        image = np.repeat(image, 3, axis=0)
    image = (np.moveaxis(image, 0, -1) * 255.0 + 0.5).astype(np.uint8)
    if scale > 1:
        image = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
    Image.fromarray(image).save(path)


def befores_and_afters() -> dict[str, tuple[np.ndarray, np.ndarray, str]]:
    """slug -> (before (C, H, W), after (C, H, W), what was done), every one by the library."""
    import upsample
    from upsample import nn

    photo = _photograph()
    c = photo.shape[1]
    box = np.full((c, 1, FACTOR, FACTOR), 1.0 / FACTOR**2)
    small = upsample.conv(photo, box, stride=FACTOR, groups=c)  # (1, 3, 40, 40): 4x4 means
    pooled, indices = upsample.max_pool(photo, FACTOR, return_indices=True)
    k = 2 * FACTOR
    tent = np.outer(nn.bilinear_kernel(k), nn.bilinear_kernel(k))
    tent = np.broadcast_to(tent, (c, 1, k, k)).copy()
    phases = upsample.pixel_unshuffle(photo, FACTOR)  # (1, 48, 40, 40)
    return {
        "conv": (
            photo[0],
            small[0],
            f"conv with a {FACTOR}x{FACTOR} averaging kernel, stride {FACTOR}, one group per "
            f"colour: 160x160 becomes 40x40",
        ),
        "nearest": (
            small[0],
            upsample.nearest(small, FACTOR)[0],
            f"nearest(x, {FACTOR}): every pixel becomes a {FACTOR}x{FACTOR} block",
        ),
        "bilinear": (
            small[0],
            upsample.bilinear(small, FACTOR)[0],
            f"bilinear(x, {FACTOR}): each output blends the 2x2 inputs around it",
        ),
        "bicubic": (
            small[0],
            upsample.interpolate(small, scale_factor=FACTOR, mode="cubic")[0],
            f'interpolate(x, scale_factor={FACTOR}, mode="cubic"): 4x4 inputs per output',
        ),
        "bed_of_nails": (
            small[0],
            upsample.bed_of_nails(small, FACTOR)[0],
            f"bed_of_nails(x, {FACTOR}): one pixel in each {FACTOR}x{FACTOR} cell, the rest zero",
        ),
        "max_unpool": (
            pooled[0],
            upsample.max_unpool(pooled, indices, FACTOR)[0],
            f"max_pool(photo, {FACTOR}, return_indices=True), then max_unpool: each "
            f"maximum goes back where it was",
        ),
        "conv_transpose": (
            small[0],
            upsample.conv_transpose(small, tent, stride=FACTOR, padding=FACTOR // 2, groups=c)[0],
            f"conv_transpose with the {k}x{k} bilinear kernel (nn.bilinear_kernel), "
            f"stride {FACTOR}, padding {FACTOR // 2}: the edges see zeros",
        ),
        "pixel_shuffle": (
            phases[0, :3],
            upsample.pixel_shuffle(phases, FACTOR)[0],
            f"pixel_shuffle(x, {FACTOR}) of the {FACTOR**2 * c} channels "
            f"pixel_unshuffle made: the photograph again, exactly (before: the "
            f"first three channels)",
        ),
    }


def _figure(src: str, alt: str, caption: str) -> str:
    return (
        f'<figure><img src="{src}" alt="{html.escape(alt)}" width="240" height="240">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def render(out: Path) -> str:
    """Write every image into ``out`` and return the gallery page's Markdown."""
    from upsample.explain import tour

    out.mkdir(parents=True, exist_ok=True)
    sections = {s.slug: s for s in tour.sections()}
    pictures = befores_and_afters()
    lines = [
        "# Gallery",
        "",
        "Drawn by the library while this site was built: each technique of the article "
        "as an animation of its steps on the article's own numbers (orange: the inputs a "
        "step reads, blue: the kernel weights, green: the outputs it writes), and on a "
        "photograph (a crop of the astronaut from scikit-image's data). The small inputs "
        f"are drawn {FACTOR} times larger, pixel for pixel, so both sides have one size.",
        "",
    ]
    for slug, section in sections.items():
        section.explanation.save_gif(out / f"{slug}.gif")
        lines += [
            f"## {section.title}",
            "",
            section.blurb,
            "",
            f"![{section.title}: the steps, animated]({slug}.gif)",
            "",
        ]
        if slug in pictures:
            for name in [slug, "bicubic"] if slug == "bilinear" else [slug]:
                before, after, what = pictures[name]
                grow = max(1, after.shape[-1] // before.shape[-1])  # the smaller side is drawn
                shrink = max(1, before.shape[-1] // after.shape[-1])  # larger, pixel for pixel
                _png(before, out / f"{name}-before.png", scale=grow)
                _png(after, out / f"{name}-after.png", scale=shrink)
                lines += [
                    '<div class="before-after">',
                    _figure(f"{name}-before.png", f"{name}: before", "before"),
                    _figure(f"{name}-after.png", f"{name}: after", "after"),
                    f'<p class="what">{html.escape(what)}</p>',
                    "</div>",
                    "",
                ]
    return "\n".join(lines)


_TMP: list[tempfile.TemporaryDirectory] = []


def on_files(files, config):
    if sys.path[:1] != [str(ROOT / "src")]:  # this checkout's upsample (reference.py
        sys.path.insert(0, str(ROOT / "src"))  # has put it first already, in on_config)
    tmp = tempfile.TemporaryDirectory(prefix="upsample-gallery-")
    _TMP.append(tmp)
    out = Path(tmp.name) / "gallery"
    page = render(out)
    files.append(File.generated(config, "gallery/index.md", content=page))
    for path in sorted(out.iterdir()):
        files.append(File.generated(config, f"gallery/{path.name}", abs_src_path=str(path)))
    return files


def on_post_build(config):
    while _TMP:
        _TMP.pop().cleanup()
