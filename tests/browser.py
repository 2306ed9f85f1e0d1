"""Debian's chromium for the browser tests: where it is, the flags it runs with, a playwright launch.

Every browser test starts chromium the same way: headless, no sandbox (the tests run as
root), no GPU, nothing fetched from the network, no first-run pages. Playwright drives that
binary; its own browser downloads are never used.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import required

#: chromium's command-line flags, for playwright and for a direct command line alike
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def chromium() -> str:
    """The chromium binary (required under CI; elsewhere a missing one skips the test)."""
    return required.program("chromium", "chromium-browser")


@contextlib.contextmanager
def launched(**options: Any) -> Iterator[Any]:
    """A headless playwright browser on Debian's chromium, closed on the way out."""
    sync_playwright = required.module("playwright.sync_api").sync_playwright
    executable = chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=FLAGS, **options)
        try:
            yield browser
        finally:
            browser.close()
