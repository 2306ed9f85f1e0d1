"""Explanations as self-contained HTML: what an :class:`Explanation` shows in Jupyter.

``Explanation._repr_html_`` calls :func:`render`: the grids with the cells each step reads,
weights and writes highlighted, a step slider and a play button, and for a transposed
convolution its three views (:data:`upsample.explain.VIEWS`) side by side on one slider.
The drawing is the page's own (``upsample/web/static/draw.js``, embedded verbatim) and it
draws the same JSON records the page receives (:meth:`Explanation.to_dict`); the HTML needs
no server and loads nothing from the network.

>>> from upsample import explain
>>> from upsample.explain import html
>>> page = html.render(explain.conv_transpose([[1, 2], [3, 4]], [[5, 5], [5, 5]]))
>>> "UpsampleDraw" in page, "<script src" in page, "http" in page     # self-contained
(True, False, False)
"""

from __future__ import annotations

import html
import json
import uuid
from pathlib import Path
from typing import Any

from .records import Explanation

__all__ = ["render", "views", "SNAPSHOT_NUMBERS"]

#: Each step's running output is embedded while steps x output cells stay under this;
#: beyond it the script adds up the steps' writes instead (the page does the same).
SNAPSHOT_NUMBERS = 200_000

DRAW_JS = Path(__file__).resolve().parent.parent / "web" / "static" / "draw.js"

# The grid colours of the page (web/static/style.css), scoped to one explanation's box.
STYLE = """
.upsample-explain { --read: #ffb74d; --weight: #64b5f6; --write: #81c784; --pad: #eceff1;
  --line: #d5dbe1; --muted: #5f6b76; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto,
  "DejaVu Sans", sans-serif; color: #1f2328; background: #fff; padding: 0.6rem; }
.upsample-explain .ux-title { font-weight: 600; margin: 0 0 0.4rem; }
.upsample-explain .ux-stepper { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center; }
.upsample-explain .ux-stepper button { border: 1px solid var(--line); background: #fff; border-radius: 5px;
  padding: 0.15rem 0.6rem; cursor: pointer; font: inherit; }
.upsample-explain .ux-stepper input[type="range"] { flex: 1 1 10rem; min-width: 8rem; }
.upsample-explain .ux-stepper output { color: var(--muted); font-size: 0.85rem; flex-basis: 100%; }
.upsample-explain .ux-legend { font-size: 0.8rem; color: var(--muted); margin: 0.3rem 0; }
.upsample-explain .sw { display: inline-block; width: 0.85rem; height: 0.85rem; border-radius: 3px;
  vertical-align: -2px; margin: 0 0.2rem 0 0.5rem; border: 1px solid #0002; }
.upsample-explain .sw.read { background: var(--read); } .upsample-explain .sw.weight { background: var(--weight); }
.upsample-explain .sw.write { background: var(--write); } .upsample-explain .sw.pad { background: var(--pad); }
.upsample-explain .views { display: grid; gap: 0.7rem; grid-template-columns: minmax(0, 1fr); }
.upsample-explain .views.three { grid-template-columns: repeat(auto-fit, minmax(min(100%, 260px), 1fr)); }
.upsample-explain .view { border: 1px solid var(--line); border-radius: 8px; padding: 0.6rem; min-width: 0; }
.upsample-explain .view h3 { font-size: 0.88rem; margin: 0 0 0.3rem; }
.upsample-explain .view h4 { font-size: 0.72rem; font-weight: 600; color: var(--muted); text-transform: uppercase;
  letter-spacing: 0.04em; margin: 0 0 0.3rem; }
.upsample-explain .counter { margin: 0; font-size: 0.78rem; color: var(--muted); }
.upsample-explain .caption { margin: 0.3rem 0 0.1rem; font-size: 0.88rem; min-height: 2.5em; }
.upsample-explain .equation { margin: 0 0 0.5rem; font-family: ui-monospace, "DejaVu Sans Mono", monospace;
  font-size: 0.8rem; overflow-wrap: anywhere; min-height: 1.3em; }
.upsample-explain .arrays { display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: flex-start; overflow-x: auto; }
.upsample-explain .array { display: flex; flex-wrap: wrap; gap: 0.4rem; }
.upsample-explain figure { margin: 0; }
.upsample-explain figcaption { font-size: 0.72rem; color: var(--muted); text-align: center; }
.upsample-explain table.grid { border-collapse: collapse; font-family: ui-monospace, "DejaVu Sans Mono", monospace;
  font-size: 0.8rem; }
.upsample-explain table.grid td { border: 1px solid #c3cbd3; min-width: 2rem; height: 1.7rem; padding: 0 0.3rem;
  text-align: right; background: #fff; }
.upsample-explain table.grid td.pad { background: var(--pad); color: #90a4ae; }
.upsample-explain table.grid td.empty { color: transparent; }
.upsample-explain table.grid td.pending { color: #b0bec5; }
.upsample-explain table.grid td.read { background: var(--read); }
.upsample-explain table.grid td.weight { background: var(--weight); }
.upsample-explain table.grid td.write { background: var(--write); font-weight: 700; }
.upsample-explain details { margin-top: 0.4rem; font-size: 0.8rem; color: var(--muted); }
.upsample-explain details pre { white-space: pre-wrap; margin: 0.3rem 0 0; }
"""

# The controls: one slider shared by every view, as on the page; drawing is draw.js's.
CONTROLLER = """
(function () {
  const root = document.getElementById(%(id)s);
  const data = JSON.parse(root.querySelector("script.ux-data").textContent);
  const D = window.UpsampleDraw;
  const views = root.querySelector(".views");
  const names = Object.keys(data.explanations);
  views.classList.toggle("three", names.length > 1);
  const drawn = names.map((name) => {
    const d = D.viewPanel(name, data.explanations[name]);
    views.appendChild(d.panel);
    return d;
  });
  Object.entries(data.view_errors).forEach(([name, message]) => views.appendChild(D.declinedPanel(name, message)));
  const total = D.totalSteps(data.explanations);
  const slider = root.querySelector("input.ux-step");
  const label = root.querySelector("output.ux-label");
  const playButton = root.querySelector("button.ux-play");
  slider.max = String(total);
  let position = total, timer = null;
  function show() {
    position = Math.max(0, Math.min(position, total));
    slider.value = String(position);
    const parts = drawn.map((d) => D.drawViewStep(d, position, total));
    label.textContent = `step ${position} of ${total}` + (drawn.length > 1 ? ` (${parts.join(", ")})` : "");
    slider.setAttribute("aria-valuetext", label.textContent);
  }
  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    playButton.textContent = "\\u25B6 play";
    playButton.setAttribute("aria-label", "play");
  }
  function go(to) { stop(); position = to; show(); }
  function play() {
    if (timer) { stop(); return; }
    if (position >= total) position = 0;
    playButton.textContent = "\\u23F8 pause";
    playButton.setAttribute("aria-label", "pause");
    timer = setInterval(() => {
      if (position >= total) { stop(); return; }
      position += 1;
      show();
      if (position >= total) stop();
    }, 650);
  }
  slider.addEventListener("input", () => go(parseInt(slider.value, 10)));
  root.querySelector("button.ux-first").addEventListener("click", () => go(0));
  root.querySelector("button.ux-prev").addEventListener("click", () => go(position - 1));
  root.querySelector("button.ux-next").addEventListener("click", () => go(position + 1));
  root.querySelector("button.ux-last").addEventListener("click", () => go(total));
  playButton.addEventListener("click", play);
  show();
  root.dataset.ready = "true";
})();
"""

TEMPLATE = """<div class="upsample-explain" id="%(id)s">
<style>%(style)s</style>
<p class="ux-title">%(title)s</p>
<div class="ux-stepper" role="group" aria-label="steps">
<button type="button" class="ux-first" aria-label="first step">&laquo;</button>
<button type="button" class="ux-prev" aria-label="previous step">&#x25C0;</button>
<button type="button" class="ux-play" aria-label="play">&#x25B6; play</button>
<button type="button" class="ux-next" aria-label="next step">&#x25B6;</button>
<button type="button" class="ux-last" aria-label="last step">&raquo;</button>
<input type="range" class="ux-step" min="0" max="0" value="0" aria-label="step">
<output class="ux-label">step 0</output>
</div>
<p class="ux-legend"><span class="sw read"></span>read <span class="sw weight"></span>weight
<span class="sw write"></span>written <span class="sw pad"></span>padding / inserted zero</p>
<div class="views"></div>
<script type="application/json" class="ux-data">%(data)s</script>
<script>%(draw)s</script>
<script>%(controller)s</script>
</div>
"""


def views(explanation: Explanation) -> tuple[dict[str, Explanation], dict[str, str]]:
    """The views to draw side by side: ``({view: Explanation}, {view: why it was declined})``.

    A transposed convolution in the scatter view brings the other two views of the same
    example (recomputed by :func:`upsample.explain.conv_transpose`); any other explanation
    is drawn alone.
    """
    from . import VIEWS, conv_transpose

    if explanation.op not in ("conv_transpose", "explain.conv_transpose") or explanation.view != "scatter":
        return {explanation.view or "main": explanation}, {}
    found: dict[str, Explanation] = {}
    declined: dict[str, str] = {}
    for view in VIEWS:
        if view == explanation.view:
            found[view] = explanation
            continue
        try:
            found[view] = conv_transpose(
                explanation.input,
                explanation.kernel,
                view=view,
                spatial_dims=explanation.spatial_dims,
                **explanation.params,
            )
        except ValueError as error:  # e.g. a matrix too large to record
            declined[view] = str(error)
    return found, declined


def _record(explanation: Explanation) -> dict[str, Any]:
    snapshots = len(explanation.steps) * explanation.output.size <= SNAPSHOT_NUMBERS
    data = explanation.to_dict(step_outputs=snapshots, terms=False)
    data["step_outputs"] = snapshots
    return data


def render(explanation: Explanation) -> str:
    """The explanation (and, for a transposed convolution, its other views) as one HTML block."""
    found, declined = views(explanation)
    data = {"explanations": {name: _record(ex) for name, ex in found.items()}, "view_errors": declined}
    box = f"upsample-explain-{uuid.uuid4().hex[:12]}"
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "<\\!--")
    return TEMPLATE % {
        "id": box,
        "style": STYLE,
        "title": html.escape(explanation.title),
        "data": payload,
        "draw": DRAW_JS.read_text(encoding="utf-8"),
        "controller": CONTROLLER % {"id": json.dumps(box)},
    }
