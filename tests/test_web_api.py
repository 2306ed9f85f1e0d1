"""The JSON API of `upsample serve`: every op answers with the library's own numbers, bad input
is a 4xx with the library's message and the field it is about (never a 500), sizes are capped,
and a bounded load test against a real server on loopback."""

import asyncio
import json
import os
import statistics
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import upsample
from upsample import explain
from upsample.web import api
from web_server import need, running_server

need("starlette", "httpx")
from starlette.testclient import TestClient  # noqa: E402

from upsample.web.server import create_app  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(), base_url="http://localhost") as c:
        yield c


JSON = {"Content-Type": "application/json"}


def post(client, body, path="/api/explain"):
    return client.post(path, content=json.dumps(body), headers=JSON)


def grid(array):
    """A (H, W) array as the page sends one channel: "1 2; 3 4"."""
    return "; ".join(" ".join(str(v) for v in row) for row in np.asarray(array).tolist())


def running_outputs(ex):
    """Each step's running output: the snapshot if sent, else the writes added up."""
    out = np.zeros(np.shape(ex["output"]))
    for step in ex["steps"]:
        if ex["step_outputs"]:
            out = np.asarray(step["output"], dtype=float)
        else:
            for w in step["writes"]:
                cell = tuple(w["cell"])
                out[cell] = w["added"] if w["replaced"] is not None else out[cell] + w["added"]
        yield out


# --------------------------------------------------------------------------- the ops


def test_ops_describes_every_explainer(client):
    data = client.get("/api/ops").json()
    assert {o["name"] for o in data["ops"]} == set(explain.EXPLAINERS)
    assert data["limits"] == api.LIMITS and data["frameworks"] == ["upsample", "torch", "tensorflow", "jax"]
    ct = next(o for o in data["ops"] if o["name"] == "conv_transpose")
    assert [p["name"] for p in ct["params"]] == ["stride", "padding", "output_padding", "dilation", "groups"]
    assert ct["views"] == ["scatter", "zero_insertion", "matrix"] and ct["preset"]["weight"] == ["5 5; 5 5"]
    assert data["conventions"][0] == "torch" or len(data["conventions"]) > 1


def test_the_articles_transposed_convolution_in_three_views(client):
    answer = post(client, {"op": "conv_transpose", "x": ["1 2; 3 4"], "weight": ["5 5; 5 5"]}).json()
    assert answer["output"] == [[[5, 15, 10], [20, 50, 30], [15, 35, 20]]]
    assert list(answer["explanations"]) == ["scatter", "zero_insertion", "matrix"]
    for name, ex in answer["explanations"].items():
        assert ex["view"] == name and ex["output"] == answer["output"]
        *_, final = running_outputs(ex)
        np.testing.assert_array_equal(final, answer["output"])
    scatter = answer["explanations"]["scatter"]
    assert [s["caption"] for s in scatter["steps"]][
        0
    ] == "input (0, 0) = 1 times the kernel, added at output rows 0-1, cols 0-1"
    assert "terms" not in scatter["steps"][0] and scatter["steps"][0]["reads"] == [[0, 0, 0]]
    assert answer["formula"] == [
        "output size: o = (i - 1)*s - p_lo - p_hi + d*(k - 1) + output_padding + 1",
        "each axis: (2 - 1)*1 - 0 - 0 + 1*(2 - 1) + 0 + 1 = 3",
    ]
    assert answer["overlap"] == {"period": [[4]], "full": [[1, 2, 1], [2, 4, 2], [1, 2, 1]], "even": True}
    assert "F.conv_transpose2d(x, w)" in answer["code"]["torch"]["code"]


#: one 5 x 5 plane for the pooling cases: as typed in the form, and as the array it means
POOLED_TEXT = "1 2 4 1 5; 3 4 2 3 0; 1 4 1 2 9; 2 3 4 3 1; 1 1 1 1 8"
POOLED = np.array([[[[1, 2, 4, 1, 5], [3, 4, 2, 3, 0], [1, 4, 1, 2, 9], [2, 3, 4, 3, 1], [1, 1, 1, 1, 8]]]])

CASES = [
    # (request, the library's own call giving the expected output)
    (
        {
            "op": "conv_transpose",
            "x": ["1 2 0; 3 4 -1"],
            "weight": ["1 2 3; 4 5 6"],
            "params": {"stride": "2", "padding": "1", "output_padding": "1"},
        },
        lambda: upsample.conv_transpose(
            np.array([[[[1, 2, 0], [3, 4, -1]]]]),
            np.array([[[[1, 2, 3], [4, 5, 6]]]]),
            stride=2,
            padding=1,
            output_padding=1,
        ),
    ),
    (
        {
            "op": "conv_transpose",
            "x": ["1 2; 3 4", "0 1; 2 -1"],
            "weight": ["1 2; 3 4", "2 0; 1 1"],
            "params": {"stride": "2,3", "padding": "0 1; 1 0", "groups": "2"},
        },
        lambda: upsample.conv_transpose(
            np.array([[[[1, 2], [3, 4]], [[0, 1], [2, -1]]]]),
            np.array([[[[1, 2], [3, 4]]], [[[2, 0], [1, 1]]]]),
            stride=(2, 3),
            padding=((0, 1), (1, 0)),
            groups=2,
        ),
    ),
    (
        {
            "op": "conv_transpose",
            "x": ["1 2 3; 3 4 5"],
            "weight": ["1 2 3; 4 5 6; 1 0 1"],
            "params": {"stride": 2, "padding": "same", "dilation": 2},
        },
        lambda: upsample.conv_transpose(
            np.array([[[[1, 2, 3], [3, 4, 5]]]]),
            np.array([[[[1, 2, 3], [4, 5, 6], [1, 0, 1]]]]),
            stride=2,
            padding="same",
            dilation=2,
        ),
    ),
    (
        {
            "op": "conv",
            "x": ["1 2 3 4; 5 6 7 8; 9 1 2 3; 4 5 6 7"],
            "weight": ["1 0; 0 -1"],
            "params": {"stride": "2", "padding": "same"},
        },
        lambda: upsample.conv(
            np.array([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 1, 2, 3], [4, 5, 6, 7]]]]),
            np.array([[[[1, 0], [0, -1]]]]),
            stride=2,
            padding="same",
        ),
    ),
    (
        {
            "op": "conv",
            "x": ["1 2 3; 4 5 6; 7 8 9", "1 0 1; 0 1 0; 1 1 1"],
            "weight": ["1 0; 0 1", "1 1; 1 1"],
            "params": {"groups": "2", "padding": "0 1; 1 0"},
        },
        lambda: upsample.conv(
            np.array([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0, 1], [0, 1, 0], [1, 1, 1]]]]),
            np.array([[[[1, 0], [0, 1]]], [[[1, 1], [1, 1]]]]),
            groups=2,
            padding=((0, 1), (1, 0)),
        ),
    ),
    (
        {"op": "nearest", "x": ["1 2; 3 4"], "params": {"scale_factor": "3,2"}},
        lambda: upsample.nearest(np.array([[[[1, 2], [3, 4]]]]), (3, 2)),
    ),
    (
        {"op": "bilinear", "x": ["10 20; 30 40"], "params": {"scale_factor": "2", "align_corners": True}},
        lambda: upsample.bilinear(np.array([[[[10, 20], [30, 40]]]]), 2, align_corners=True),
    ),
    (
        {"op": "interpolate", "x": ["10 20 5; 30 40 7"], "params": {"scale_factor": "1.5", "mode": "cubic"}},
        lambda: upsample.interpolate(
            np.array([[[[10, 20, 5], [30, 40, 7]]]]), scale_factor=1.5, mode="cubic"
        ),
    ),
    (
        {
            "op": "interpolate",
            "x": ["10 20 5 1; 30 40 7 2"],
            "params": {"scale_factor": "0.5", "mode": "area"},
        },
        lambda: upsample.interpolate(
            np.array([[[[10, 20, 5, 1], [30, 40, 7, 2]]]]), scale_factor=0.5, mode="area"
        ),
    ),
    (
        {"op": "interpolate", "x": ["1 2 3"], "params": {"scale_factor": "2", "mode": "nearest-exact"}},
        lambda: upsample.interpolate(np.array([[[[1, 2, 3]]]]), scale_factor=2, mode="nearest-exact"),
    ),
    (
        {"op": "bed_of_nails", "x": ["1 2; 3 4"], "params": {"scale_factor": 2}},
        lambda: upsample.bed_of_nails(np.array([[[[1, 2], [3, 4]]]]), 2),
    ),
    (
        {
            "op": "max_pool",
            "x": [POOLED_TEXT],
            "params": {"kernel_size": "3", "stride": "2", "padding": "1", "ceil_mode": True},
        },
        lambda: upsample.max_pool(POOLED, 3, stride=2, padding=1, ceil_mode=True),
    ),
    (
        {
            "op": "avg_pool",
            "x": [POOLED_TEXT],
            "params": {"kernel_size": "3", "stride": "2", "padding": "1", "count_include_pad": False},
        },
        lambda: upsample.avg_pool(POOLED, 3, stride=2, padding=1, count_include_pad=False),
    ),
    (
        {"op": "avg_pool", "x": ["1 2 4 1; 3 4 2 3; 1 4 1 2; 2 3 4 3"], "params": {"divisor_override": "3"}},
        lambda: upsample.avg_pool(
            np.array([[[[1, 2, 4, 1], [3, 4, 2, 3], [1, 4, 1, 2], [2, 3, 4, 3]]]]), 2, divisor_override=3
        ),
    ),
    (
        {"op": "max_unpool", "x": ["1 2; 3 4"], "indices": ["5 2; 9 14"], "params": {"kernel_size": "2"}},
        lambda: upsample.max_unpool(np.array([[[[1, 2], [3, 4]]]]), np.array([[[[5, 2], [9, 14]]]]), 2),
    ),
    (
        {
            "op": "pixel_shuffle",
            "x": ["1 2; 3 4", "5 6; 7 8", "9 10; 11 12", "13 14; 15 16"],
            "params": {"upscale_factor": "2"},
        },
        lambda: upsample.pixel_shuffle(np.arange(1, 17).reshape(1, 4, 2, 2), 2),
    ),
]


@pytest.mark.parametrize("body, expected", CASES, ids=[f"{c[0]['op']}-{i}" for i, c in enumerate(CASES)])
def test_every_op_answers_with_the_librarys_output(client, body, expected):
    response = post(client, body)
    assert response.status_code == 200, response.text
    answer = response.json()
    np.testing.assert_array_equal(answer["output"], expected()[0])
    for ex in answer["explanations"].values():
        steps = list(running_outputs(ex))
        np.testing.assert_allclose(steps[-1], answer["output"], rtol=1e-12, atol=1e-12)
        assert len(steps) == len(ex["steps"]) > 0 and ex["notes"]
    if body["op"] == "max_pool":
        _, indices = upsample.max_pool(POOLED, 3, stride=2, padding=1, ceil_mode=True, return_indices=True)
        np.testing.assert_array_equal(answer["explanations"]["main"]["extras"]["indices"], indices[0])


def test_large_examples_send_writes_instead_of_every_snapshot(client):
    ones = "; ".join([" ".join(["1"] * 16)] * 16)
    answer = post(client, {"op": "bilinear", "x": [ones], "params": {"scale_factor": 2}}).json()
    ex = answer["explanations"]["main"]
    assert ex["step_outputs"] is False and "output" not in ex["steps"][0]
    *_, final = running_outputs(ex)
    np.testing.assert_allclose(final, answer["output"], rtol=1e-12)


def test_a_view_too_large_for_the_matrix_is_declined_alone(client):
    ones = "; ".join([" ".join(["1"] * 16)] * 16)
    kernel = "; ".join(["1 1 1 1"] * 4)
    answer = post(client, {"op": "conv_transpose", "x": [ones] * 3, "weight": [kernel] * 3}).json()
    assert list(answer["explanations"]) == ["scatter", "zero_insertion"]
    assert answer["view_errors"]["matrix"].startswith(
        "explain.conv_transpose: the example is too large for the matrix view (a 768x361 matrix)"
    )


def test_solver(client):
    answer = post(client, {"in_size": "64", "out_size": 128}, "/api/solve").json()
    assert answer["settings"][0] == {
        "kernel_size": 4,
        "stride": 2,
        "padding": 1,
        "output_padding": 0,
        "dilation": 1,
    }
    assert answer["settings"] == [c._asdict() for c in upsample.shapes.solve_conv_transpose(64, 128)[:12]]
    assert answer["more"] is (len(upsample.shapes.solve_conv_transpose(64, 128)) > 12)
    many = post(client, {"in_size": 1, "out_size": 16384}, "/api/solve").json()  # took hours
    assert len(many["settings"]) == 12 and many["more"] is True
    few = post(client, {"in_size": 4096, "out_size": 4096, "kernel_size": 1}, "/api/solve").json()
    assert few["more"] is False and len(few["settings"]) == 1
    fixed = post(client, {"in_size": 7, "out_size": 14, "stride": "2"}, "/api/solve").json()
    assert {s["stride"] for s in fixed["settings"]} == {2}
    bad = post(client, {"in_size": "x", "out_size": 3}, "/api/solve")
    assert bad.status_code == 422 and bad.json()["field"] == "in_size"


def test_the_page_and_its_files_are_served_with_a_strict_policy(client):
    page = client.get("/")
    assert page.status_code == 200 and "app.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/../api.py").status_code == 404


# --------------------------------------------------------------------------- bad input

ARTICLE = {"op": "conv_transpose", "x": ["1 2; 3 4"], "weight": ["5 5; 5 5"]}
ONES16 = "; ".join([" ".join(["1"] * 16)] * 16)

BAD = [
    # (changes to the article request, field, the message, or its start)
    ({"x": ["1 2; 3 x"]}, "x", "x: 'x' is not a number"),
    ({"x": ["1 2; 3"]}, "x", "x: the rows must all have the same length"),
    (
        {"params": {"stride": 2, "output_padding": 2}},
        "output_padding",
        "conv_transpose: output_padding (2) must be smaller than stride (2) or dilation (1)",
    ),
    ({"params": {"stride": "two"}}, "stride", "stride: expected an integer or integers like 3,4; got 'two'"),
    ({"params": {"stride": 0}}, "stride", "conv_transpose: stride must be >= 1, got 0"),
    ({"params": {"padding": "sideways"}}, "padding", "padding: expected an integer"),
    ({"params": {"groups": 2}}, "groups", "conv_transpose: groups (2) must divide"),
    ({"params": {"speed": 2}}, "speed", "conv_transpose does not take speed"),
    (
        {"op": "conv", "weight": ["1 1 1; 1 1 1; 1 1 1"]},
        "weight",
        "conv: the kernel (3 with dilation) is larger than the padded input (2)",
    ),
    ({"op": "fft"}, "op", "op must be one of"),
    ({"x": [ONES16 + " 1"]}, "x", "x: the rows must all have the same length"),
    (
        {"x": ["; ".join([" ".join(["1"] * 17)] * 17)]},
        "x",
        "x: 17x17 with 1 channels is larger than the page allows",
    ),
    ({"x": ["1 2; 3 4"] * 9, "weight": ["5 5; 5 5"] * 9}, "x", "x: 2x2 with 9 channels is larger"),
    ({"weight": ["; ".join([" ".join(["1"] * 9)] * 9)]}, "weight", "weight: 9x9 with 1 channels is larger"),
    ({"params": {"stride": 9}}, "stride", "stride: 9 is more than the page allows (at most 8)"),
    (
        {"x": [ONES16] * 8, "weight": [" | ".join(["; ".join([" ".join(["1"] * 8)] * 8)] * 8)] * 8},
        None,
        "the output would be 23x23 with 8 channels",
    ),
    (
        {"x": [ONES16] * 4, "weight": [" | ".join(["; ".join([" ".join(["1"] * 8)] * 8)] * 2)] * 4},
        None,
        "the steps would record",
    ),
    ({"x": "1 2; 3 4", "weight": "5"}, "weight", "weight: expected one kernel text per channel"),
    ({"x": [{"a": 1}]}, "x", "x: expected text"),
    ({"x": []}, "x", "x: expected 1 to 8 channels"),
    ({"x": ["1e400"]}, "x", "x: '1e400' is not a finite number"),
    ({"x": ["1e10"]}, "x", "x: values must be at most 1e9"),
    ({"params": []}, "params", "params must be an object"),
    (
        {"op": "interpolate", "params": {"mode": "sideways"}},
        "mode",
        "mode must be one of nearest, nearest-exact",
    ),
    (
        {"op": "nearest", "params": {"scale_factor": 0}},
        "scale_factor",
        "nearest: scale_factor must be a finite number > 0",
    ),
    (
        {"op": "max_unpool", "indices": ["5 2; 9 99"], "params": {"kernel_size": 2}},
        "indices",
        "max_unpool: indices must lie in [0, 16)",
    ),
    ({"op": "max_unpool", "indices": ["5 2; 9 1.5"]}, "indices", "indices: must hold whole numbers"),
    ({"op": "pixel_shuffle", "x": ["1 2; 3 4"] * 3}, "upscale_factor", "pixel_shuffle: the channels (3)"),
    (
        {"op": "max_pool", "params": {"kernel_size": 2, "padding": 2}},
        "padding",
        "max_pool: padding (2) must be",
    ),
]


@pytest.mark.parametrize("change, field, message", BAD, ids=[b[2][:40] for b in BAD])
def test_bad_input_names_the_field_with_the_librarys_message(client, change, field, message):
    body = {**ARTICLE, **change}
    if change.get("op") in ("interpolate", "nearest", "pixel_shuffle", "max_pool", "max_unpool"):
        body.pop("weight")
        body.setdefault("indices", ["5 2; 9 14"])
        if body["op"] != "max_unpool":
            body.pop("indices")
    response = post(client, body)
    assert response.status_code == 422, response.text
    data = response.json()
    assert data["error"].startswith(message), data["error"]
    assert data["field"] == field


def test_body_size_and_malformed_json(client):
    huge = json.dumps({**ARTICLE, "x": ["1 " * 40000]})
    assert len(huge) > api.LIMITS["body_bytes"]
    response = client.post("/api/explain", content=huge, headers=JSON)
    assert response.status_code == 413 and "larger than 64 KB" in response.json()["error"]
    for text in ("{", '{"op": NaN}', "\xff", "", "[" * 30000):
        response = client.post("/api/explain", content=text.encode("latin-1"), headers=JSON)
        assert response.status_code == 400 and "not valid JSON" in response.json()["error"]
    assert post(client, ["conv"]).status_code == 422


JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["same", "valid", "1 2; 3 4", "2,1", "0 1; 1 0", "1e308", "-3", ""]),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    op=st.sampled_from(sorted(api.OP_SPECS)),
    x=JUNK,
    weight=JUNK,
    indices=JUNK,
    params=st.dictionaries(
        st.sampled_from(
            [
                "stride",
                "padding",
                "output_padding",
                "dilation",
                "groups",
                "scale_factor",
                "align_corners",
                "mode",
                "kernel_size",
                "ceil_mode",
                "upscale_factor",
            ]
        ),
        JUNK,
        max_size=4,
    ),
)
def test_no_request_gets_a_500(client, op, x, weight, indices, params):
    body = {"op": op, "x": x, "weight": weight, "indices": indices, "params": params}
    response = post(client, body)  # json.dumps writes inf as Infinity, which JSON lacks: 400
    assert response.status_code in (200, 400, 422), response.text
    if response.status_code != 200:
        assert response.json()["error"]
    if response.status_code == 400:
        assert "not a number JSON allows" in response.json()["error"]


# --------------------------------------------------------------------------- load


def test_100_concurrent_requests_are_shed_with_retry_after_and_all_answered_on_retry():
    """More requests than the server computes at once: the excess gets 503 with Retry-After at
    once (not a queue without end), and clients that retry as told all get their answer."""
    import random

    (httpx,) = need("httpx")
    bodies = [
        ARTICLE,
        {"op": "bilinear", "x": ["10 20; 30 40"], "params": {"scale_factor": 2}},
        {**ARTICLE, "params": {"stride": 2, "padding": 1, "output_padding": 1}},
    ]
    rng = random.Random(0)

    async def one(client, i):
        start, shed = time.perf_counter(), 0
        for _ in range(60):  # bounded retries
            response = await client.post("/api/explain", json=bodies[i % len(bodies)])
            if response.status_code != 503:
                break
            assert int(response.headers["retry-after"]) >= 1
            shed += 1
            await asyncio.sleep(rng.uniform(0.05, 0.5))  # sooner than told: a bounded test
        return response.status_code, response.json(), shed, time.perf_counter() - start

    async def run(url):
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
            alone = [await one(client, i) for i in range(6)]
            together = await asyncio.wait_for(asyncio.gather(*(one(client, i) for i in range(100))), 300)
            return alone, together

    with running_server(computations=1, waiting=1) as url:
        alone, results = asyncio.run(run(url))
    assert [r[0] for r in results] == [200] * 100
    expected = [post_direct(b) for b in bodies]
    assert all(r[1]["output"] == expected[i % 3] for i, r in enumerate(results))
    shed = sum(r[2] for r in results)
    assert shed > 0  # the bound was reached
    latencies = sorted(r[3] for r in results)
    print(
        f"\n100 concurrent /api/explain on loopback, 1 computing and 1 waiting at most: {shed} 503s retried, p50 {statistics.median(latencies):.2f} s, "
        f"max {latencies[-1]:.2f} s; one alone {statistics.median(r[3] for r in alone) * 1000:.0f} ms "
        f"({os.cpu_count()} cores)"
    )


def post_direct(body):
    return api.explain_request(json.loads(json.dumps(body)))["output"]


# --------------------------------------------------------------------------- the command


def test_upsample_serve_port_0_prints_the_url_serves_and_opens_it(tmp_path):
    """`upsample serve --port 0 --open` in a subprocess: the printed URL answers, the browser
    command (``$BROWSER``, a script here that writes the URL down) was given it."""
    import os
    import subprocess
    import sys
    import urllib.request

    need("uvicorn")
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    env = {**os.environ, "BROWSER": str(browser), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "upsample", "serve", "--port", "0", "--open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()  # blocks until the URL is printed
        assert line.startswith("upsample serve: http://127.0.0.1:"), line + process.stderr.read()
        url = line.split()[2]
        port = int(url.rsplit(":", 1)[1].strip("/"))
        assert port > 0
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "api/ops", timeout=5) as response:
                    assert response.status == 200 and b"conv_transpose" in response.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert opened.read_text().strip() == url
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()


def test_serve_refuses_a_bad_port_and_a_busy_one(capsys):
    import socket

    from upsample.cli import main

    need("uvicorn")
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "70000"])
    assert exit_.value.code == 2 and "--port must be between 0 and 65535" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        with pytest.raises(SystemExit) as exit_:
            main(["serve", "--port", str(busy.getsockname()[1])])
    assert exit_.value.code == 2 and "cannot listen on 127.0.0.1:" in capsys.readouterr().err


def test_importing_upsample_or_the_api_loads_no_web_server():
    import subprocess
    import sys

    code = (
        "import sys, upsample, upsample.web.api, upsample.cli; "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stderr


def test_the_tours_page_links_to_upsample_serve():
    from upsample.explain import tour

    page = tour.index_html([])
    assert "upsample serve --open" in page and f'href="{tour.SERVE_URL}"' in page
    assert tour.SERVE_URL == "http://127.0.0.1:8000/"
