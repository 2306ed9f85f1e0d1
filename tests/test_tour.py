"""`upsample tour` end to end: it reproduces the article, and its index.html works in a real browser.

The browser is Debian's ``chromium`` (scripts/test.sh installs it), run headless. Under CI a
missing chromium fails the test; elsewhere it skips.
"""

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import browser
from upsample.explain import tour

# a direct command line: headless itself, and time enough for the page's images to load
FLAGS = ["--headless", *browser.FLAGS, "--virtual-time-budget=5000"]

REPORT = """<script>
window.addEventListener("load", function () {
  var rows = Array.prototype.map.call(document.images, function (img) {
    return {src: img.getAttribute("src"), complete: img.complete,
            width: img.naturalWidth, height: img.naturalHeight};
  });
  var out = document.createElement("pre");
  out.id = "image-report";
  out.textContent = JSON.stringify(rows);
  document.body.appendChild(out);
});
</script>"""


def browse(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"  # a fresh one per run
    return subprocess.run(
        [browser.chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def tour_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    result = subprocess.run(
        [sys.executable, "-m", "upsample", "tour", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def test_tour_writes_a_gif_per_technique_and_an_index(tour_dir):
    out, _ = tour_dir
    sections = tour.sections()
    gifs = sorted(p.name for p in out.glob("*.gif"))
    expected = sorted(
        [f"{s.slug}.gif" for s in sections] + [f"{s.slug}_3d.gif" for s in sections if s.volume]
    )
    assert gifs == expected
    page = (out / "index.html").read_text()
    assert sorted(re.findall(r'<img src="([^"]+)"', page)) == expected
    for section in sections:
        assert f'id="{section.slug}"' in page and html.escape(section.blurb) in page


def test_tour_prints_every_example_in_the_articles_order(tour_dir):
    _, stdout = tour_dir
    order = [
        "Downsampling with a convolution",
        "Nearest neighbour",
        "Bilinear interpolation",
        "Bed of nails",
        "Max pooling",
        "Max unpooling",
        "Transposed convolution",
    ]
    positions = [stdout.index(title) for title in order]
    assert positions == sorted(positions)
    assert stdout.count("=> matches the article") == 7
    assert "output 3x3x1, as in the article" in stdout
    assert "12.5 printed as 12" in stdout  # the article rounded bilinear down
    assert "[ 20 50 30 ]" in stdout  # the transposed convolution's sum
    assert "step 4/4: input (1, 1) = 4 times the kernel" in stdout


def test_every_section_matches_the_article():
    for section in tour.sections():
        ok, verdict = section.check()
        assert ok, f"{section.slug}: {verdict}"
    bilinear = next(s for s in tour.sections() if s.slug == "bilinear")
    assert np.array_equal(np.floor(bilinear.explanation.output[0]), bilinear.article)
    assert not np.array_equal(bilinear.explanation.output[0], bilinear.article)


def test_index_html_images_load_in_chromium(tour_dir, tmp_path):
    out, _ = tour_dir
    page = (out / "index.html").read_text()
    # the page as shipped, plus a script that writes what the browser loaded into the DOM,
    # plus one deliberately missing image to prove the check can fail
    probe = page.replace("</body>", '<img src="missing.gif" alt="control">' + REPORT + "</body>")
    check = out / "check.html"
    check.write_text(probe, encoding="utf-8")
    result = browse(tmp_path, check.as_uri(), "--dump-dom")
    match = re.search(r'<pre id="image-report">(.*?)</pre>', result.stdout, flags=re.S)
    assert match, f"chromium printed no report (status {result.returncode}): {result.stderr[-2000:]}"
    report = {row["src"]: row for row in json.loads(match.group(1).replace("&quot;", '"'))}
    assert report.pop("missing.gif")["width"] == 0  # the control image did not load
    shipped = re.findall(r'<img src="([^"]+)"', page)
    assert sorted(report) == sorted(shipped) and shipped
    for src, row in report.items():
        assert row["complete"] and row["width"] > 0 and row["height"] > 0, f"{src} did not load: {row}"


def test_index_html_screenshot_is_not_blank(tour_dir, tmp_path):
    from PIL import Image

    out, _ = tour_dir
    shot = tmp_path / "shot.png"
    result = browse(
        tmp_path, (out / "index.html").as_uri(), f"--screenshot={shot}", "--window-size=1200,1600"
    )
    assert shot.exists(), f"no screenshot (status {result.returncode}): {result.stderr[-2000:]}"
    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3)
    colours = np.unique(pixels, axis=0)
    assert len(colours) > 50, "the screenshot is (nearly) one colour"
    # the GIFs' highlight colours show up: the first frames of the grids are drawn
    assert pixels.std() > 10
