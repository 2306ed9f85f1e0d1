"""The documentation site: it builds with no warnings, every example on it runs, every public
name has a reference entry, the gallery is drawn by the build, and Chromium shows the pages.

The site is built once per run into a temporary directory (``mkdocs build --strict``, the
same build as ``bash scripts/docs.sh``), served from 127.0.0.1 on a free port by a static
server the tests start and stop, and looked at in Debian's chromium through Playwright. Set
UPSAMPLE_SCREENSHOT_DIR to keep the screenshots.
"""

import contextlib
import doctest
import functools
import http.server
import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import browser as browser_
import upsample

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MODULES = ["upsample.shapes", "upsample.explain", "upsample.nn", "upsample.optim", "upsample.dask"]


# --------------------------------------------------------------------------- examples


def markdown_pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "hooks" not in p.parts)


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_every_example_in_the_docs_runs(page):
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    names = {}  # a page reads top to bottom: its blocks share their names
    for i, block in enumerate(blocks):
        assert ">>>" in block, f"{page.name} block {i}: write Python examples as doctests so they run"
        test = parser.get_doctest(block, names, f"{page.name} block {i}", str(page), 0)
        runner.run(test, clear_globs=False)
        names = test.globs
    assert runner.failures == 0, f"{runner.failures} example(s) in {page.name} failed"


def test_the_guides_start_from_a_task():
    for page in sorted((DOCS / "guides").glob("*.md")):
        assert "**The task:**" in "\n".join(page.read_text().splitlines()[:5]), page.name


def test_no_generated_image_is_committed():
    images = [p for p in DOCS.rglob("*") if p.suffix in (".gif", ".png") and p.name != "serve.png"]
    assert not images, f"the gallery is drawn by the build; do not commit {images}"


# --------------------------------------------------------------------------- the build


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = dict(
        os.environ,
        NO_MKDOCS_2_WARNING="1",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p),
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert not warnings, warnings
    return out


def inventory(site: Path) -> set[str]:
    """The identifiers mkdocstrings rendered (objects.inv, Sphinx's inventory format)."""
    header, _, body = site.joinpath("objects.inv").read_bytes().partition(b"zlib.\n")
    return {line.split(" ", 1)[0] for line in zlib.decompress(body).decode().splitlines()}


def compat_modules() -> list[str]:
    """Every public module of upsample.compat, found by importing the package (none before it exists)."""
    try:
        compat = importlib.import_module("upsample.compat")
    except ModuleNotFoundError:
        return []
    names = ["upsample.compat"]
    for info in pkgutil.walk_packages(compat.__path__, "upsample.compat."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def public_names() -> list[tuple[str, set[str]]]:
    """(public name, identifiers that count as its entry), derived from the package itself."""

    def entries(module_name: str, name: str, value) -> set[str]:
        found = {f"{module_name}.{name}"}
        if inspect.isfunction(value) or inspect.isclass(value) or inspect.ismodule(value):
            found.add(
                value.__name__ if inspect.ismodule(value) else f"{value.__module__}.{value.__qualname__}"
            )
        return found

    names = [(f"upsample.{n}", entries("upsample", n, getattr(upsample, n))) for n in upsample.__all__]
    for module_name in MODULES + compat_modules():
        module = importlib.import_module(module_name)
        names.append((module_name, {module_name}))
        public = getattr(module, "__all__", None) or [
            n
            for n, v in vars(module).items()
            if not n.startswith("_")
            and (inspect.isfunction(v) or inspect.isclass(v))
            and v.__module__ == module_name
        ]
        names += [(f"{module_name}.{n}", entries(module_name, n, getattr(module, n))) for n in public]
    return names


def test_every_public_name_has_a_reference_entry(site):
    rendered = inventory(site)
    names = public_names()
    assert len(names) > 60
    missing = [name for name, accepted in names if not accepted & rendered]
    assert not missing, f"no reference entry for {missing}"


def test_the_reference_shows_signatures_and_docstrings(site):
    page = site.joinpath("reference", "upsample", "index.html").read_text()
    assert "conv_transpose" in page and "output_padding" in page and "keyword-only" not in page
    assert 'class="doc-signature' in page or "doc-signature" in page
    text = re.sub(r"<[^>]+>", "", page)
    assert "N-dimensional transposed convolution" in text
    assert "&gt;&gt;&gt;" in page or ">>>" in text  # the doctests render as code


def test_the_cli_reference_holds_every_subcommands_help(site):
    top = subprocess.run(
        [sys.executable, "-m", "upsample", "--help"],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
        timeout=120,
    ).stdout
    commands = re.findall(
        r"^    (\w+)\s", top.split("positional arguments:")[1].split("options:")[0], flags=re.M
    )
    assert "tour" in commands and "serve" in commands
    page = re.sub(r"<[^>]+>", "", site.joinpath("reference", "cli", "index.html").read_text())
    for command in commands:
        assert f"upsample {command}" in page, command
        assert f"usage: upsample {command}" in page, command


def test_the_gallery_is_drawn_by_the_build(site):
    from upsample.explain import tour

    gallery = site / "gallery"
    page = gallery.joinpath("index.html").read_text()
    for section in tour.sections():
        gif = Image.open(gallery / f"{section.slug}.gif")
        assert gif.n_frames > 1, section.slug
        assert f"{section.slug}.gif" in page
    pairs = sorted(p.name.removesuffix("-before.png") for p in gallery.glob("*-before.png"))
    assert {"nearest", "bilinear", "bed_of_nails", "max_unpool", "conv_transpose", "pixel_shuffle"} <= set(
        pairs
    )
    for name in pairs:
        before = np.asarray(Image.open(gallery / f"{name}-before.png"))
        after = np.asarray(Image.open(gallery / f"{name}-after.png"))
        assert before.shape == after.shape and after.std() > 10, name  # a photograph, not a blank


# --------------------------------------------------------------------------- in chromium


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(directory: Path):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with browser_.launched() as chromium:
        yield chromium


def look(browser, url: str, name: str, tmp_path: Path) -> tuple[object, Path, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, outside = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(("http://127.0.0.1", "data:")) else outside.append(request.url)
        ),
    )
    page.goto(url, wait_until="load")
    keep = os.environ.get("UPSAMPLE_SCREENSHOT_DIR")
    shot = Path(keep) / f"docs-{name}.png" if keep else tmp_path / f"docs-{name}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    return page, shot, errors, outside


def not_blank(shot: Path) -> None:
    pixels = np.asarray(Image.open(shot).convert("RGB"))
    colours = len(np.unique(pixels.reshape(-1, 3), axis=0))
    assert pixels.std() > 20 and colours > 50, f"{shot} looks blank"


def test_the_front_page_in_chromium(site, browser, tmp_path):
    with serving(site) as base:
        page, shot, errors, outside = look(browser, base + "/", "front", tmp_path)
        assert page.title().startswith("upsample")
        assert page.inner_text("article h1").rstrip("¶") == "upsample"
        text = page.inner_text("article")
        assert "Transpose Convolution" in text and "Start from your task" in text
        nav = page.inner_text("nav.md-nav--primary")
        for entry in ("Guides", "Learn the techniques", "Gallery", "Reference"):
            assert entry in nav, entry
        page.click("input.md-search__input")  # the search works offline
        page.keyboard.type("conv_transpose", delay=20)
        page.wait_for_selector(".md-search-result__item", timeout=15_000)
        assert "matching document" in page.inner_text(".md-search-result__meta")
        page.close()
    assert not errors and not outside, (errors, outside)
    not_blank(shot)


def test_a_reference_page_in_chromium(site, browser, tmp_path):
    with serving(site) as base:
        page, shot, errors, outside = look(
            browser, base + "/reference/upsample/#upsample.convolution.conv_transpose", "reference", tmp_path
        )
        heading = page.locator('[id="upsample.convolution.conv_transpose"]')
        assert heading.is_visible()
        assert "conv_transpose" in heading.inner_text()
        signature = page.inner_text("article")
        assert "output_padding" in signature and "stride" in signature
        page.close()
    assert not errors and not outside, (errors, outside)
    not_blank(shot)
