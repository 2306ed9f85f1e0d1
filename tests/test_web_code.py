"""The page's "code" panel: every snippet, run in its own framework, gives the page's output.

Each case goes through the API exactly as the page sends it; the answer's upsample, PyTorch,
TensorFlow and JAX snippets are executed (test code may exec; the server never does) and
their ``y`` compared with the page's output. Under CI every framework must be importable.
"""

import os

import numpy as np
import pytest

import upsample
from upsample.ops import OPS
from upsample.web import api, code
from web_server import need

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def case(op, x, weight=None, *, indices=None, expected="tf jax", **params):
    """A request as the page sends it (planes ``x``, the kernel's ``weight`` where the op has
    one, ``params`` its settings as typed), and the frameworks besides upsample and torch,
    which always do, that must have a snippet."""
    body = {"op": op, "x": x}
    if weight is not None:
        body["weight"] = weight
    if indices is not None:
        body["indices"] = indices
    if params:
        body["params"] = params
    return body, expected


# the 5 x 5 plane three of the max_pool cases pool
POOL_PLANE = "1 2 4 1 5; 3 4 2 3 0; 1 4 1 2 9; 2 3 4 3 1; 1 1 1 1 8"

CASES = [
    case("conv_transpose", ["1 2; 3 4"], ["5 5; 5 5"]),
    case("conv_transpose", ["1 2 0; 3 4 -1"], ["1 2 3; 4 5 6"], stride="2", padding="1", output_padding="1"),
    case(
        "conv_transpose",
        ["1 2; 3 4", "0 1; 2 -1"],
        ["1 2; 3 4", "2 0; 1 1"],
        stride="2,3",
        padding="0 1; 1 0",
        groups="2",
    ),
    case(
        "conv_transpose", ["1 2 3; 3 4 5"], ["1 2 3; 4 5 6; 1 0 1"], stride="2", padding="same", dilation="2"
    ),
    case("conv_transpose", ["1 2; 3 4"], ["1 -1; 2 1"], stride="3", padding="same"),
    case(
        "conv_transpose", ["1 2; 3 4"], ["1 -1 2; 2 1 0; 1 1 1"], stride="1", dilation="3", output_padding="2"
    ),
    case(
        "conv_transpose",
        ["1 2; 3 4", "2 2; 1 0", "0 1; 1 0", "3 1; 2 2"],
        ["1 2; 3 4 | 1 0; 0 1", "2 0; 1 1 | 0 1; 1 0", "1 1; 1 1 | 2 2; 0 0", "0 0; 1 2 | 1 -1; 1 -1"],
        stride="2",
        padding="1",
        groups="2",
    ),
    case("conv", ["1 2 3 4; 5 6 7 8; 9 1 2 3; 4 5 6 7"], ["1 0; 0 1"], stride="2", padding="same"),
    case(
        "conv",
        ["1 2 3 4 5; 5 6 7 8 9; 9 1 2 3 1; 4 5 6 7 2; 1 1 1 1 1"],
        ["1 0; 0 1"],
        stride="2",
        padding="1",
        dilation="2",
    ),
    case(
        "conv",
        ["1 2 3; 4 5 6; 7 8 9", "1 0 1; 0 1 0; 1 1 1"],
        ["1 0; 0 1", "1 1; 1 1"],
        groups="2",
        padding="0 1; 1 0",
    ),
    case(
        "conv",
        ["0 1 2 3 0; 1 2 3 0 1; 2 3 0 1 2; 3 0 1 2 3; 0 1 2 3 0"] * 3,
        ["1 1 1; 1 1 1; 1 1 1 | 1 0 1; 0 1 0; 1 0 1 | 0 0 0; 0 1 0; 0 0 0"],
    ),
    case("nearest", ["1 2; 3 4"], scale_factor="2"),
    case("nearest", ["1 2 3; 3 4 5"], scale_factor="3,2"),
    case("nearest", ["1 2 3; 3 4 5"], expected="", scale_factor="1.5"),
    case("bilinear", ["10 20; 30 40"], scale_factor="2"),
    case("bilinear", ["10 20 5; 30 40 7"], expected="tf", scale_factor="2", align_corners=True),
    case("bilinear", ["10 20 5 1; 30 40 7 2"], expected="tf", scale_factor="0.5"),
    case("interpolate", ["10 20 5; 30 40 7; 1 2 3"], scale_factor="2", mode="nearest-exact"),
    case("interpolate", ["10 20 5; 30 40 7; 1 2 3"], scale_factor="3", mode="linear"),
    case("interpolate", ["10 20 5; 30 40 7; 1 2 3"], expected="", scale_factor="2", mode="cubic"),
    case("interpolate", ["10 20 5 1; 30 40 7 2"], expected="", scale_factor="2", mode="area"),
    case("bed_of_nails", ["1 2; 3 4"], scale_factor="2,3"),
    case("max_pool", ["1 2 4 1; 3 4 2 3; 1 4 1 2; 2 3 4 3"], kernel_size="2"),
    case("max_pool", [POOL_PLANE], kernel_size="3", stride="2", padding="1", ceil_mode=True),
    case("max_pool", [POOL_PLANE], expected="jax", kernel_size="2", dilation="2"),
    # the last column in no window
    case("max_pool", [POOL_PLANE], kernel_size="3,2", stride="1,2", padding="1,0"),
    case("max_unpool", ["1 2; 3 4", "5 6; 7 8"], indices=["5 2; 9 14", "0 3; 12 15"], kernel_size="2"),
    case("pixel_shuffle", [f"{i} {i + 1}; {i + 2} {i + 3}" for i in range(0, 32, 4)], upscale_factor="2"),
]
IDS = [f"{body['op']}-{i}" for i, (body, _) in enumerate(CASES)]


def run(code: str):
    namespace: dict = {}
    exec(compile(code, "<snippet>", "exec"), namespace)  # noqa: S102 -- the test runs what the page shows
    return namespace


def check(answer, framework, *, exact=False):
    snippet = answer["code"][framework]
    ns = run(snippet["code"])
    y = np.asarray(ns["y"], dtype=float)
    expected = np.asarray(answer["output"], dtype=float)[None]
    assert y.shape == expected.shape, snippet["code"]
    if exact:
        np.testing.assert_array_equal(y, expected)
    else:  # float32 in TensorFlow and JAX
        np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(expected).max()))
    return ns


@pytest.mark.parametrize("body, expected", CASES, ids=IDS)
def test_upsample_and_torch_snippets_reproduce_the_page(body, expected):
    (torch,) = need("torch")
    answer = api.explain_request(body)
    check(answer, "upsample", exact=True)
    ns = check(answer, "torch")
    if body["op"] == "max_pool":
        np.testing.assert_array_equal(
            ns["indices"].numpy()[0], answer["explanations"]["main"]["extras"]["indices"]
        )


@pytest.mark.parametrize("body, expected", CASES, ids=IDS)
def test_tensorflow_snippets_reproduce_the_page(body, expected):
    need("tensorflow")
    answer = api.explain_request(body)
    snippet = answer["code"]["tensorflow"]
    assert (snippet["code"] is not None) == ("tf" in expected.split()), snippet["note"]
    assert snippet["note"]
    if snippet["code"] is not None:
        check(answer, "tensorflow")


@pytest.mark.parametrize("body, expected", CASES, ids=IDS)
def test_jax_snippets_reproduce_the_page(body, expected):
    need("jax")
    answer = api.explain_request(body)
    snippet = answer["code"]["jax"]
    assert (snippet["code"] is not None) == ("jax" in expected.split()), snippet["note"]
    assert snippet["note"]
    if snippet["code"] is not None:
        check(answer, "jax")


def test_random_conv_transposes_in_every_framework():
    """A grid of geometries with random numbers: stride x padding form x output_padding x groups."""
    need("torch", "tensorflow", "jax")
    rng = np.random.default_rng(0)
    text = lambda a: "; ".join(" ".join(str(v) for v in row) for row in a)  # noqa: E731
    count = 0
    for stride in (1, 2, "2,3"):
        for padding in (0, 1, "same", "1 0; 0 2"):
            for output_padding in (0, 1):
                for groups in (1, 2):
                    s = max(int(v) for v in str(stride).split(","))
                    if output_padding >= s or (padding == "same" and output_padding):
                        continue
                    x = [text(rng.integers(-3, 5, (3, 4))) for _ in range(2)]
                    w = [
                        " | ".join(text(rng.integers(-2, 3, (3, 2))) for _ in range(2 // groups))
                        for _ in range(2)
                    ]
                    body, _ = case(
                        "conv_transpose",
                        x,
                        w,
                        stride=str(stride),
                        padding=str(padding),
                        output_padding=str(output_padding),
                        groups=str(groups),
                    )
                    answer = api.explain_request(body)
                    for framework in ("upsample", "torch", "tensorflow", "jax"):
                        check(answer, framework, exact=framework == "upsample")
                    count += 1
    assert count == 36


# avg_pool's snippets, called as the page calls them (x (C, H, W), the settings dict) and
# compared with upsample.avg_pool: (input size (C, H, W), settings, why the case is here)
AVG_POOL_CASES = [
    ((1, 4, 4), {"kernel_size": 2, "stride": None, "padding": 0}, "every window full"),
    ((2, 5, 5), {"kernel_size": 3, "stride": 2, "padding": 1}, "padding counts"),
    (
        (2, 5, 5),
        {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
        "padding does not count",
    ),
    (
        (1, 5, 5),
        {"kernel_size": 2, "stride": None, "padding": 0, "ceil_mode": True},
        "ceil_mode: the last window overhangs the input",
    ),
    (
        (1, 6, 6),
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
        "ceil_mode: the last window overhangs the padding, which counts",
    ),
    (
        (1, 6, 6),
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
        "ceil_mode, only the input counts",
    ),
    (
        (1, 5, 5),
        {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True},
        "ceil_mode drops a last window that would start in the padding",
    ),
    ((1, 5, 5), {"kernel_size": 2, "stride": 2, "padding": 0}, "the last row and column in no window"),
    (
        (2, 5, 7),
        {"kernel_size": (3, 2), "stride": (1, 3), "padding": (1, 0), "count_include_pad": False},
        "stride != kernel, per axis",
    ),
    (
        (1, 5, 5),
        {
            "kernel_size": 3,
            "stride": 2,
            "padding": 1,
            "ceil_mode": True,
            "count_include_pad": False,
            "divisor_override": 3,
        },
        "divisor_override",
    ),
]
AVG_POOL_IDS = [why.replace(" ", "_") for _, _, why in AVG_POOL_CASES]


def avg_pool_case(size, settings):
    """The input, the page's full settings, and what upsample.avg_pool gives (N, C, H, W)."""
    x = np.random.default_rng(sum(size)).integers(-9, 10, size).astype(float)
    s = {"ceil_mode": False, "count_include_pad": True, **settings}
    y = upsample.avg_pool(
        x[None],
        s["kernel_size"],
        stride=s["stride"],
        padding=s["padding"],
        ceil_mode=s["ceil_mode"],
        count_include_pad=s["count_include_pad"],
        divisor_override=s.get("divisor_override"),
    )
    return x, s, y


@pytest.mark.parametrize("framework", code.FRAMEWORKS)
@pytest.mark.parametrize("size, settings, why", AVG_POOL_CASES, ids=AVG_POOL_IDS)
def test_avg_pool_snippets_reproduce_upsample(size, settings, why, framework):
    need({"upsample": "numpy"}.get(framework, framework))
    x, s, expected = avg_pool_case(size, settings)
    snippet = code.snippets("avg_pool", x, None, None, s, expected.shape[1:])[framework]
    assert snippet["code"] is not None and snippet["note"], snippet
    y = np.asarray(run(snippet["code"])["y"], dtype=float)
    assert y.shape == expected.shape, snippet["code"]
    if framework == "upsample":
        np.testing.assert_array_equal(y, expected)
    else:  # float32 in TensorFlow and JAX
        np.testing.assert_allclose(
            y, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max(), err_msg=snippet["code"]
        )


def row_call(op):
    """A small call of ``op`` from its table row alone: x (4, 4, 4), every setting as the page
    starts it, a weight of ones where the page shows a kernel, indices where the op takes them."""
    x = np.arange(64.0).reshape(4, 4, 4)
    w = np.ones((4, 4, 2, 2)) if op.kernel else None
    # the top-left of each 2x2 cell of an 8x8 plane, (C, H, W)
    idx = (
        np.broadcast_to(16 * np.arange(4)[:, None] + 2 * np.arange(4), (4, 4, 4))
        if "indices" in op.data
        else None
    )
    from upsample.web import api

    return x, w, idx, api._settings(api.OP_SPECS[op.name], {})


@pytest.mark.parametrize("name", [name for name, op in OPS.items() if op.page])
def test_every_page_op_has_its_own_snippets_in_every_framework(name):
    """Walks the op table: a row the page shows declares a snippet for each framework."""
    op = OPS[name]
    declared = code.family(name)
    missing = [framework for framework in code.FRAMEWORKS if not callable(getattr(declared, framework, None))]
    assert not missing, f"{name} has no snippet for {', '.join(missing)}"
    x, w, idx, settings = row_call(op)
    answer = code.snippets(name, x, w, idx, settings, (4, 8, 8))
    assert list(answer) == list(code.FRAMEWORKS)
    assert all(snippet["note"] for snippet in answer.values()), answer
    own = answer["upsample"]["code"]
    assert f"y = upsample.{name}(x" in own or f"y, indices = upsample.{name}(x" in own, own
    assert np.asarray(run(own)["y"]).ndim == 4, own


@pytest.mark.parametrize("settings", [{}, {"convention": "onnx"}])
def test_an_unknown_op_is_an_error_naming_it(settings):
    with pytest.raises(ValueError, match="no_such_op"):
        code.snippets("no_such_op", np.ones((1, 2, 2)), None, None, settings, (1, 2, 2))


def test_a_page_op_without_snippets_is_an_error_not_another_ops_code(monkeypatch):
    monkeypatch.delitem(code._FAMILIES, "avg_pool")
    x, w, idx, settings = row_call(OPS["avg_pool"])
    with pytest.raises(ValueError, match="avg_pool has no code snippets"):
        code.snippets("avg_pool", x, w, idx, settings, (4, 2, 2))
