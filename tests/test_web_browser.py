"""`upsample serve` in a real browser: Playwright driving Debian's chromium against a server the
tests start on a free 127.0.0.1 port.

What a person sees: the article's numbers on opening; stride 2 gives the library's
conv_transpose; stepping shows the partial sums adding up in all three views; a bad value
shows the library's message and keeps the previous result; a shared URL restores the state;
the page works from the keyboard and is not blank at 1280 and 360 px. Under CI a missing
chromium or playwright fails; elsewhere the tests skip. Set UPSAMPLE_SCREENSHOT_DIR to keep
the screenshots (the README's docs/serve.png is the 1280 px one).
"""

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

import upsample
from browser import FLAGS, chromium
from upsample.web import api
from web_server import need, running_server

TIMEOUT = 20_000  # ms, for every wait


@pytest.fixture(scope="module")
def url():
    with running_server() as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    need("playwright")
    from playwright.sync_api import sync_playwright

    executable = chromium()
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data-dir
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser, url):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url + "/")
    wait_answer(page, 0)
    yield page
    page.close()
    assert not errors, errors


def answers(page) -> int:
    return int(page.evaluate("document.body.dataset.answered || '0'"))


def _wait_count(page, name: str, before: int) -> None:
    """Wait (bounded) until the page has counted one more answer or refusal on <body>.

    Polled from here: the page's Content-Security-Policy forbids the string evaluation
    that Playwright's wait_for_function would do inside the page."""
    deadline = time.monotonic() + TIMEOUT / 1000
    while int(page.evaluate(f"document.body.dataset.{name} || '0'")) <= before:
        if time.monotonic() > deadline:
            raise AssertionError(f"the page gave no new {name} answer within {TIMEOUT} ms")
        page.wait_for_timeout(40)


def wait_answer(page, before: int) -> None:
    _wait_count(page, "answered", before)


def wait_refusal(page, before: int) -> None:
    _wait_count(page, "refused", before)


def grid(page, selector: str) -> list[list[str]]:
    """The numbers of the first table under ``selector``, as the page shows them."""
    return page.eval_on_selector(
        selector + " table",
        """t => Array.from(t.rows).map(
        r => Array.from(r.cells).map(c => c.textContent))""",
    )


def numbers(rows) -> np.ndarray:
    return np.array([[float(v) if v != "" else np.nan for v in row] for row in rows])


def set_param(page, name: str, value: str) -> None:
    before = answers(page)
    page.fill(f"#param-{name}", value)
    wait_answer(page, before)


ARTICLE = [[5, 15, 10], [20, 50, 30], [15, 35, 20]]


def test_the_page_opens_on_the_articles_example(page):
    assert numbers(grid(page, "#output")).tolist() == ARTICLE
    assert page.input_value("#op") == "conv_transpose"
    cells = page.eval_on_selector_all("#x-grids input", "els => els.map(e => e.value)")
    assert cells == ["1", "2", "3", "4"]
    assert page.eval_on_selector_all("#w-grids input", "els => els.map(e => e.value)") == ["5"] * 4
    assert "= 3" in page.inner_text("#formula")
    assert page.inner_text("#code-text").strip().endswith("y = F.conv_transpose2d(x, w)")


def test_stride_two_gives_the_librarys_conv_transpose(page):
    set_param(page, "stride", "2")
    expected = upsample.conv_transpose(np.array([[[[1, 2], [3, 4]]]]), np.full((1, 1, 2, 2), 5), stride=2)[
        0, 0
    ]
    np.testing.assert_array_equal(numbers(grid(page, "#output")), expected)
    assert numbers(grid(page, "#output")).shape == (4, 4)
    assert "(2 - 1)*2" in page.inner_text("#formula")


def test_stepping_shows_the_partial_sums_adding_up_in_all_three_views(page):
    answer = api.explain_request({"op": "conv_transpose", "x": ["1 2; 3 4"], "weight": ["5 5; 5 5"]})
    page.click("#first")
    total = int(page.get_attribute("#step", "max"))
    assert total == 9
    seen = {view: set() for view in answer["explanations"]}
    for position in range(total + 1):
        for view, ex in answer["explanations"].items():
            panel = f".view[data-view={view}]"
            counter = page.inner_text(panel + " .counter")  # "step k of n"
            k, n = int(counter.split()[1]), int(counter.split()[3])
            assert n == len(ex["steps"])
            shown = numbers(grid(page, panel + " .running"))
            if k == 0:
                assert np.isnan(shown).all()
                continue
            seen[view].add(k)
            step = ex["steps"][k - 1]
            np.testing.assert_array_equal(shown, step["output"][0])  # the running output
            assert page.inner_text(panel + " .caption") == step["caption"]
            written = page.eval_on_selector_all(panel + " .running td.write", "els => els.length")
            assert written == len(step["written"])
        if position < total:
            page.click("#next")
    for view, ex in answer["explanations"].items():  # every step was shown
        assert seen[view] == set(range(1, len(ex["steps"]) + 1)), view
    # the scatter view's partial sums are the input cells times the kernel, added up
    scatter = answer["explanations"]["scatter"]["steps"]
    partial = [
        np.asarray(b["output"][0]) - np.asarray(a["output"][0])
        for a, b in zip([{"output": [np.zeros((3, 3))]}] + scatter, scatter)
    ]
    assert [p.max() for p in partial] == [5, 10, 15, 20]
    np.testing.assert_array_equal(sum(partial), ARTICLE)


def test_the_three_views_agree(page):
    set_param(page, "stride", "2")
    set_param(page, "padding", "1")
    set_param(page, "output_padding", "1")
    page.click("#last")
    final = numbers(grid(page, "#output"))
    expected = upsample.conv_transpose(
        np.array([[[[1, 2], [3, 4]]]]), np.full((1, 1, 2, 2), 5), stride=2, padding=1, output_padding=1
    )[0, 0]
    np.testing.assert_array_equal(final, expected)
    for view in ("scatter", "zero_insertion", "matrix"):
        np.testing.assert_array_equal(numbers(grid(page, f".view[data-view={view}] .running")), expected)


def test_a_bad_value_shows_the_librarys_error_and_keeps_the_previous_result(page):
    set_param(page, "stride", "2")
    before_output = grid(page, "#output")
    refused = int(page.evaluate("document.body.dataset.refused || '0'"))
    page.fill("#param-output_padding", "2")
    wait_refusal(page, refused)
    message = page.inner_text("#error-output_padding")
    assert "output_padding (2) must be smaller than stride (2) or dilation (1)" in message
    assert page.get_attribute("#param-output_padding", "aria-invalid") == "true"
    assert grid(page, "#output") == before_output and page.is_visible("#stale")
    # a malformed cell: the parser's message beside the input grid, the cell marked
    set_param(page, "output_padding", "0")
    refused = int(page.evaluate("document.body.dataset.refused || '0'"))
    page.fill("#x-grids input >> nth=3", "4x")
    wait_refusal(page, refused)
    assert page.inner_text("#error-x") == "x: '4x' is not a number"
    assert "bad" in page.get_attribute("#x-grids input >> nth=3", "class")
    assert grid(page, "#output") == before_output
    before = answers(page)
    page.fill("#x-grids input >> nth=3", "4")
    wait_answer(page, before)
    assert page.inner_text("#error-x") == "" and not page.is_visible("#stale")


def test_a_shared_url_restores_the_state(page, browser):
    page.select_option("#op", "bilinear")
    wait_answer(page, 0)
    set_param(page, "scale_factor", "3")
    before = answers(page)
    page.check("#param-align_corners")
    wait_answer(page, before)
    page.fill("#step", "5")
    page.dispatch_event("#step", "input")
    shared = page.url
    assert "op=bilinear" in shared and "p_scale_factor=3" in shared and "step=5" in shared
    other = browser.new_page()
    try:
        other.goto(shared)
        wait_answer(other, 0)
        assert other.input_value("#op") == "bilinear"
        assert other.input_value("#param-scale_factor") == "3" and other.is_checked("#param-align_corners")
        assert grid(other, "#output") == grid(page, "#output")
        assert other.input_value("#step") == "5"
        assert other.inner_text(".view .caption") == page.inner_text(".view .caption")
    finally:
        other.close()


def test_every_op_from_the_picker_shows_the_librarys_result(page):
    for op, spec in api.OP_SPECS.items():
        before = answers(page)
        page.select_option("#op", op)
        wait_answer(page, before)
        body = {"op": op, **spec.preset}
        expected = np.asarray(api.explain_request(body)["output"], dtype=float)
        shown = [
            numbers(t)
            for t in page.eval_on_selector_all(
                "#output .labelled:first-child table",
                "ts => ts.map(t => Array.from(t.rows).map(r => Array.from(r.cells).map(c => c.textContent)))",
            )
        ]
        np.testing.assert_allclose(np.stack(shown), expected, rtol=1e-5, err_msg=op)


def test_the_keyboard_moves_between_cells_and_steps(page):
    page.focus("#x-grids input >> nth=0")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "input channel 0 row 0 col 1"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "input channel 0 row 1 col 1"
    before = answers(page)
    page.keyboard.press("Control+A")
    page.keyboard.type("6")
    wait_answer(page, before)
    expected = upsample.conv_transpose(np.array([[[[1, 2], [3, 6]]]]), np.full((1, 1, 2, 2), 5))[0, 0]
    np.testing.assert_array_equal(numbers(grid(page, "#output")), expected)
    page.focus("#step")
    page.keyboard.press("Home")
    assert page.input_value("#step") == "0"
    page.keyboard.press("ArrowRight")
    assert page.input_value("#step") == "1"


def test_the_shape_solver_and_its_use_button(page):
    page.fill("#solve-in", "4")
    page.fill("#solve-out", "8")
    page.click("#solver button[type=submit]")
    page.wait_for_selector("#solutions table")
    first = page.eval_on_selector(
        "#solutions tbody tr", "r => Array.from(r.cells).slice(0, 5).map(c => c.textContent)"
    )
    best = upsample.shapes.solve_conv_transpose(4, 8)[0]
    assert first == [str(v) for v in best]
    before = answers(page)
    page.click("#solutions tbody tr button")
    wait_answer(page, before)
    assert numbers(grid(page, "#output")).shape == (8, 8)


README_STATE = "?op=conv_transpose&x=1+2%3B+3+4&w=5+5%3B+5+5&step=5"


@pytest.mark.parametrize("width", [1280, 360])
def test_screenshots_are_not_blank(page, width, tmp_path):
    from PIL import Image

    page.set_viewport_size({"width": width, "height": 900})
    before = answers(page)
    page.goto(page.url.split("?")[0] + README_STATE)  # the article's example, half-way through
    wait_answer(page, before - before)
    page.wait_for_timeout(200)
    assert page.inner_text(".view[data-view=scatter] .counter") == "step 2 of 4"
    shot = tmp_path / f"serve-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    image = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert image.shape[1] == width and image.shape[0] > 600
    assert image.std() > 20  # drawn, not one flat colour
    rows = (
        image.reshape(-1, 20, width).std(axis=(1, 2))
        if image.shape[0] % 20 == 0
        else image[: image.shape[0] // 20 * 20].reshape(-1, 20, width).std(axis=(1, 2))
    )
    assert (rows > 5).mean() > 0.4  # content down the page, not one band
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width + 1, f"the page is {overflow} px wide at a {width} px viewport"
    keep = os.environ.get("UPSAMPLE_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


def test_a_view_the_library_declines_says_why_and_the_others_stay(page):
    from urllib.parse import urlencode

    ones = "; ".join([" ".join(["1"] * 16)] * 16)
    kernel = "; ".join(["1 1 1 1"] * 4)
    before = answers(page)
    page.goto(
        page.url.split("?")[0]
        + "?"
        + urlencode({"op": "conv_transpose", "x": "|".join([ones] * 3), "w": "/".join([kernel] * 3)})
    )
    wait_answer(page, before - before)
    assert page.eval_on_selector_all(".view", "els => els.map(e => e.dataset.view)") == [
        "scatter",
        "zero_insertion",
        "matrix",
    ]
    assert "too large for the matrix view" in page.inner_text(".view.declined[data-view=matrix] .caption")
    assert numbers(grid(page, "#output")).shape == (19, 19)


def test_channels_groups_and_the_random_preset_reshape_the_kernel(page):
    for selector, value in (("#x-channels", "2"), ("#w-channels", "2")):
        before = answers(page)
        page.fill(selector, value)
        page.dispatch_event(selector, "change")
        wait_answer(page, before)
    assert page.eval_on_selector_all("#w-grids figure", "els => els.length") == 4  # (2, 2, kH, kW)
    set_param(page, "groups", "2")
    assert page.eval_on_selector_all("#w-grids figure", "els => els.length") == 2  # (2, 1, kH, kW)
    before = answers(page)
    page.click("#preset-random")
    wait_answer(page, before)
    x = page.eval_on_selector_all("#x-grids input", "els => els.map(e => Number(e.value))")
    w = page.eval_on_selector_all("#w-grids input", "els => els.map(e => Number(e.value))")
    expected = upsample.conv_transpose(
        np.array(x, dtype=float).reshape(1, 2, 2, 2), np.array(w, dtype=float).reshape(2, 1, 2, 2), groups=2
    )[0]
    shown = page.eval_on_selector_all(
        "#output .labelled:first-child table",
        """ts => ts.map(
        t => Array.from(t.rows).map(r => Array.from(r.cells).map(c => Number(c.textContent))))""",
    )
    np.testing.assert_array_equal(np.array(shown), expected)


@pytest.mark.parametrize("op", ["constructor", "__proto__", "toString", "hasOwnProperty", "fft"])
def test_a_link_to_an_unknown_op_shows_the_article_and_says_why(browser, url, op):
    """?op=constructor found Object's constructor in the page's table: a blank page."""
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{url}/?op={op}&x=1+2")
        wait_answer(page, 0)
        assert page.input_value("#op") == "conv_transpose"
        np.testing.assert_array_equal(numbers(grid(page, "#output")), ARTICLE)
        assert "an op this page does not have" in page.inner_text("#error-general")
    finally:
        page.close()
    assert not errors, errors


def test_a_link_with_an_oversized_grid_is_refused_before_building_cells(browser, url):
    """A 150x150 grid in the URL built 22,500 cells before the server refused it."""
    big = "%3B".join(["+".join(["1"] * 150)] * 150)
    page = browser.new_page()
    try:
        page.goto(f"{url}/?op=conv_transpose&x={big}")
        wait_answer(page, 0)
        assert page.eval_on_selector_all("#x-grids input", "cells => cells.length") == 4
        np.testing.assert_array_equal(numbers(grid(page, "#output")), ARTICLE)
        assert "larger than the page allows" in page.inner_text("#error-general")
        page.goto(f"{url}/?op=conv_transpose&w=" + "/".join(["5"] * 40))
        wait_answer(page, 0)
        assert "larger than the page allows" in page.inner_text("#error-general")
    finally:
        page.close()
