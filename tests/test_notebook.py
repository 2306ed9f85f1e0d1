"""Explanations in notebooks: the HTML an Explanation shows in Jupyter, and the docs' notebook.

* ``_repr_html_`` is self-contained (no server, nothing from the network) and carries the
  same records the page of ``upsample serve`` draws, with the page's own drawing code;
* in Chromium (Debian's, through Playwright) that HTML shows what a person should see: the
  three views of a transposed convolution side by side, the cells a step reads, weights and
  writes, the running output, and a slider and play button that move every view;
* ``docs/notebooks/techniques.ipynb`` runs from top to bottom (nbclient) and each of its
  explanations comes out as that HTML.
"""

import json
import os
import re
from pathlib import Path

import nbformat
import numpy as np
from nbclient import NotebookClient

from browser import launched
from upsample import explain
from upsample.explain import html as explain_html

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "notebooks" / "techniques.ipynb"
DRAW_JS = ROOT / "src" / "upsample" / "web" / "static" / "draw.js"
X, W = [[1, 2], [3, 4]], [[5, 5], [5, 5]]
ARTICLE = [[5, 15, 10], [20, 50, 30], [15, 35, 20]]


def records(page: str) -> dict:
    return json.loads(
        re.search(r'<script type="application/json" class="ux-data">(.*?)</script>', page, flags=re.S)
        .group(1)
        .replace("<\\/", "</")
    )


def test_the_html_is_self_contained_and_shares_the_pages_drawing():
    page = explain.conv_transpose(X, W)._repr_html_()
    assert "<script src" not in page and "<link" not in page and "http" not in page
    assert DRAW_JS.read_text() in page  # the page's draw.js, verbatim
    data = records(page)
    assert list(data["explanations"]) == list(explain.VIEWS)
    for view, drawn in data["explanations"].items():
        expected = explain.conv_transpose(X, W, view=view).to_dict(terms=False)
        assert drawn["steps"] == expected["steps"] and drawn["output"] == [ARTICLE]


def test_other_ops_draw_one_view_and_large_examples_leave_out_the_snapshots():
    data = records(explain.bilinear([[10, 20], [30, 40]], 2)._repr_html_())
    assert list(data["explanations"]) == ["main"] and data["view_errors"] == {}
    big = explain.conv_transpose(np.ones((12, 12)), np.ones((4, 4)), stride=2)
    data = records(big._repr_html_())
    assert set(data["view_errors"]) <= {"matrix"}
    scatter = data["explanations"]["scatter"]
    assert scatter["step_outputs"] is (len(big.steps) * big.output.size <= explain_html.SNAPSHOT_NUMBERS)


def test_the_html_in_chromium_shows_the_steps(tmp_path):
    ex = explain.conv_transpose(X, W)
    path = tmp_path / "explanation.html"
    path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body>" + ex._repr_html_() + "</body></html>"
    )
    with launched() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        page.wait_for_selector(".upsample-explain[data-ready='true']", timeout=10_000)
        views = page.eval_on_selector_all(".view", "els => els.map(e => e.dataset.view)")
        assert views == list(explain.VIEWS)
        # side by side: three panels on one row
        tops = page.eval_on_selector_all(
            ".view", "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
        )
        assert len(set(tops)) == 1
        # it opens on the last step: every running output is the op's output
        for view in explain.VIEWS:
            assert running(page, view) == [[str(v) for v in row] for row in ARTICLE]
        total = int(page.get_attribute("input.ux-step", "max"))
        assert total == max(len(explain.conv_transpose(X, W, view=v).steps) for v in explain.VIEWS)
        # the first step of the scatter view: input (0, 0) read, the whole kernel, four outputs written
        page.click("button.ux-first")
        assert page.inner_text("output.ux-label").startswith(f"step 0 of {total}")
        page.click("button.ux-next")
        page.click("button.ux-next")  # one slider for all: the scatter view's 4 steps span 9
        assert "scatter 1/4" in page.inner_text("output.ux-label")
        scatter = '.view[data-view="scatter"]'
        step = ex.steps[0]
        assert cells(page, scatter, 0, "read") == [list(c[1:]) for c in step.reads]
        assert cells(page, scatter, 1, "weight") == [list(c[2:]) for c in step.weight_cells]
        assert cells(page, scatter, 2, "write") == [list(c[1:]) for c in step.written]
        assert running(page, "scatter") == [["5", "5", ""], ["5", "5", ""], ["", "", ""]]
        assert page.inner_text(f"{scatter} .caption") == step.caption
        # play runs to the end and stops there
        page.click("button.ux-play")
        page.wait_for_function(
            f"() => document.querySelector('output.ux-label').textContent.startsWith('step {total} of')",
            timeout=20_000,
        )
        assert page.inner_text("button.ux-play").endswith("play")
        assert running(page, "matrix") == [[str(v) for v in row] for row in ARTICLE]
        assert not errors, errors


def running(page, view: str) -> list[list[str]]:
    """The running output as a person reads it: cells no step has reached yet are blank (grey)."""
    return page.eval_on_selector(
        f'.view[data-view="{view}"] .running table',
        """t => Array.from(t.rows).map(
        r => Array.from(r.cells).map(c => c.classList.contains("empty") || c.classList.contains("pending") ? "" : c.textContent))""",
    )


def cells(page, panel: str, which: int, cls: str) -> list[list[int]]:
    """[row, col] of the cells marked ``cls`` in the panel's which-th grid (input, kernel, output)."""
    return page.eval_on_selector_all(
        f"{panel} .arrays > .labelled:nth-child({which + 1}) table",
        f"""ts =>
        ts.flatMap(t => Array.from(t.rows).flatMap((r, i) => Array.from(r.cells).flatMap(
            (c, j) => c.classList.contains("{cls}") ? [[i, j]] : [])))""",
    )


def test_the_notebook_runs_and_draws_its_explanations():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code"), (
        "commit the notebook without outputs"
    )
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env_path) if p)
    try:
        NotebookClient(
            notebook,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        ).execute()
    finally:
        os.environ["PYTHONPATH"] = env_path
    shown = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "text/html" in o.get("data", {})
    ]
    assert len(shown) >= 8
    assert all('class="upsample-explain"' in o["data"]["text/html"] for o in shown)
    errors = [
        o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o["output_type"] == "error"
    ]
    assert not errors
