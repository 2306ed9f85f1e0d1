"""conv and conv_transpose: the article's examples, PyTorch parity, the loop reference, bad input."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oracle
import reference
import upsample
from expect import assert_refused
from upsample import _correlation, shapes

torch = oracle.torch
F = torch.nn.functional


@pytest.fixture(params=["tiles", "numpy"])
def engine(request, monkeypatch):
    """Run a test on the compiled register tiles (upsample._direct) and on the NumPy
    strategies: float32/float64 convolutions take the tiles unless told not to."""

    monkeypatch.setattr(_correlation, "DIRECT", request.param == "tiles")
    return request.param


@pytest.fixture
def numpy_strategies(monkeypatch):
    """Tests of the NumPy strategies switch the compiled tiles off."""

    monkeypatch.setattr(_correlation, "DIRECT", False)


# --------------------------------------------------------------------------- the article


def test_article_conv_3d_example_shape():
    # input (5, 5, 3) and kernel (3, 3, 3) at stride 1 give (3, 3, 1), written channels first
    x = np.arange(75.0).reshape(1, 3, 5, 5)
    y = upsample.conv(x, np.ones((1, 3, 3, 3)))
    assert y.shape == (1, 1, 3, 3)
    assert shapes.conv_output_size((5, 5), 3) == (3, 3)  # W_out = 1 + (5 - 3 + 2*0) / 1
    assert y[0, 0, 0, 0] == x[0, :, :3, :3].sum()


def test_article_transpose_conv_example():
    x = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    y = upsample.conv_transpose(x, np.full((1, 1, 2, 2), 5.0))
    np.testing.assert_array_equal(y[0, 0], [[5, 15, 10], [20, 50, 30], [15, 35, 20]])
    assert shapes.conv_transpose_output_size(2, 2, stride=1, padding=0) == 3  # (2-1)*1 - 0 + 2


# --------------------------------------------------------------------------- torch parity

CONV_GRID = [
    # nd, size, kernel, stride, padding, dilation, groups, c_in, c_out
    (1, 7, 3, 1, 0, 1, 1, 2, 3),
    (1, 8, 4, 2, 1, 1, 2, 4, 2),
    (1, 5, 3, 3, 2, 2, 1, 1, 1),
    (1, 1, 3, 1, 1, 1, 1, 2, 2),  # size-1 axis, kernel larger than the input
    (1, 6, 2, 1, "same", 1, 1, 2, 3),
    (1, 6, 3, 1, "valid", 2, 1, 2, 3),
    (2, (6, 5), (3, 2), (2, 1), (1, 0), (1, 2), 2, 4, 6),
    (2, 5, 3, 1, "same", 2, 1, 3, 2),
    (2, 4, 5, 1, 2, 1, 1, 2, 2),  # kernel larger than the input, with padding
    (2, (1, 6), (1, 3), 2, 0, 1, 3, 3, 3),  # depthwise, size-1 axis
    (2, 7, 3, 2, ((1, 0), (0, 2)), 1, 1, 2, 2),  # asymmetric (lo, hi) pairs
    (3, 5, 3, 2, 1, 1, 1, 2, 2),
    (3, (4, 5, 3), 2, 1, (0, 1, 1), (1, 2, 1), 2, 2, 4),
]


def _conv_args(case, rng, dtype=np.float64, n=2):
    nd, size, kernel, stride, padding, dilation, groups, c_in, c_out = case
    size = size if isinstance(size, tuple) else (size,) * nd
    kernel = kernel if isinstance(kernel, tuple) else (kernel,) * nd
    x = rng.standard_normal((n, c_in, *size)).astype(dtype)
    w = rng.standard_normal((c_out, c_in // groups, *kernel)).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype)
    return x, w, b, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


def _mode_allows(case, mode):
    """reflect padding must be smaller than the size, circular at most the size."""
    nd, size, kernel, stride, padding, dilation = case[:6]
    size = size if isinstance(size, tuple) else (size,) * nd
    pairs = shapes.conv_padding(size, kernel, stride, padding, dilation)
    limit = {"reflect": -1, "circular": 0}.get(mode, float("inf"))
    return all(max(p) <= i + limit for p, i in zip(pairs, size))


@pytest.mark.parametrize(
    "case, mode",
    [(c, m) for c in CONV_GRID for m in ["zeros", "reflect", "replicate", "circular"] if _mode_allows(c, m)],
)
def test_conv_matches_torch(case, mode, rng, engine):
    x, w, b, kw = _conv_args(case, rng)
    nd = x.ndim - 2
    pairs = shapes.conv_padding(x.shape[2:], w.shape[2:], kw["stride"], kw["padding"], kw["dilation"])

    def theirs(xt, wt, bt):
        flat = [p for pair in reversed(pairs) for p in pair]  # F.pad wants last dim first
        padded = F.pad(xt, flat, mode="constant" if mode == "zeros" else mode)
        fn = getattr(F, f"conv{nd}d")
        return fn(padded, wt, bt, stride=kw["stride"], dilation=kw["dilation"], groups=kw["groups"])

    y = oracle.check(upsample.conv, theirs, [x, w, b], dict(kw, padding_mode=mode))
    assert y.shape[2:] == shapes.conv_output_size(
        x.shape[2:], w.shape[2:], kw["stride"], kw["padding"], kw["dilation"]
    )


def _torch_accepts_padding(case):
    """torch's functional conv takes neither (lo, hi) pairs nor "same" at stride > 1."""
    padding, stride = case[4], case[3]
    pairs = isinstance(padding, tuple) and isinstance(padding[0], tuple)
    return not pairs and (padding != "same" or stride == 1)


# torch says its padding="same" with an even kernel may copy the input: a note on its speed
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")
@pytest.mark.parametrize("case", [c for c in CONV_GRID if _torch_accepts_padding(c)])
def test_conv_padding_argument_matches_torch(case, rng, engine):
    # torch's own padding argument (no F.pad), including "same" and "valid"
    x, w, b, kw = _conv_args(case, rng)
    fn = getattr(F, f"conv{x.ndim - 2}d")
    oracle.check(upsample.conv, lambda xt, wt, bt: fn(xt, wt, bt, **kw), [x, w, b], kw)


def test_conv_float32_and_no_bias(rng, engine):
    x, w, _, kw = _conv_args(CONV_GRID[6], rng, dtype=np.float32)
    y = oracle.check(upsample.conv, lambda xt, wt: F.conv2d(xt, wt, **kw), [x, w], kw, rtol=1e-5, atol=1e-5)
    assert y.dtype == np.float32


def test_conv_empty_batch(rng):
    x, w, b, kw = _conv_args(CONV_GRID[6], rng, n=0)
    y = oracle.check(upsample.conv, lambda xt, wt, bt: F.conv2d(xt, wt, bt, **kw), [x, w, b], kw)
    assert y.shape[0] == 0


TRANSPOSE_GRID = [
    # nd, size, kernel, stride, padding, output_padding, dilation, groups, c_in, c_out
    (1, 4, 3, 2, 1, 1, 1, 1, 2, 3),
    (1, 5, 4, 2, 1, 0, 1, 2, 4, 2),
    (1, 3, 2, 3, 0, 2, 1, 1, 1, 1),
    (1, 1, 3, 1, 1, 0, 2, 1, 2, 2),  # size-1 axis
    (1, 4, 3, 1, 2, 1, 2, 1, 2, 2),  # output_padding < dilation although stride is 1
    (2, (3, 4), (3, 2), (2, 1), (1, 0), (1, 0), (1, 2), 2, 4, 6),
    (2, 4, 4, 2, 1, 0, 1, 1, 3, 2),
    (2, (2, 5), 1, 2, 0, 1, 1, 3, 3, 3),  # depthwise, stride larger than the kernel
    (3, 3, 3, 2, 1, 1, 1, 1, 2, 2),
    (3, (2, 3, 2), 2, (2, 1, 2), 0, (1, 0, 0), 1, 2, 2, 4),
]


def _transpose_args(case, rng, dtype=np.float64, n=2):
    nd, size, kernel, stride, padding, out_pad, dilation, groups, c_in, c_out = case
    size = size if isinstance(size, tuple) else (size,) * nd
    kernel = kernel if isinstance(kernel, tuple) else (kernel,) * nd
    x = rng.standard_normal((n, c_in, *size)).astype(dtype)
    w = rng.standard_normal((c_in, c_out // groups, *kernel)).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype)
    return (
        x,
        w,
        b,
        dict(stride=stride, padding=padding, output_padding=out_pad, dilation=dilation, groups=groups),
    )


@pytest.mark.parametrize("case", TRANSPOSE_GRID)
def test_conv_transpose_matches_torch(case, rng, engine):
    x, w, b, kw = _transpose_args(case, rng)
    fn = getattr(F, f"conv_transpose{x.ndim - 2}d")
    y = oracle.check(upsample.conv_transpose, lambda xt, wt, bt: fn(xt, wt, bt, **kw), [x, w, b], kw)
    assert y.shape[2:] == shapes.conv_transpose_output_size(
        x.shape[2:], w.shape[2:], kw["stride"], kw["padding"], kw["output_padding"], kw["dilation"]
    )


@pytest.mark.parametrize("case", TRANSPOSE_GRID[:6])
def test_conv_transpose_output_size_matches_torch_module(case, rng):
    x, w, b, kw = _transpose_args(case, rng)
    nd = x.ndim - 2
    module = getattr(torch.nn, f"ConvTranspose{nd}d")(
        x.shape[1],
        w.shape[1] * kw["groups"],
        w.shape[2:],
        stride=kw["stride"],
        padding=kw["padding"],
        dilation=kw["dilation"],
        groups=kw["groups"],
    ).double()
    module.weight.data = torch.tensor(w)
    module.bias.data = torch.tensor(b)
    kw.pop("output_padding")
    for extra in range(max(max(np.atleast_1d(kw["stride"])), max(np.atleast_1d(kw["dilation"])))):
        target = (
            np.array(
                shapes.conv_transpose_output_size(
                    x.shape[2:], w.shape[2:], kw["stride"], kw["padding"], 0, kw["dilation"]
                )
            )
            + extra
        )
        try:
            expected = module(torch.tensor(x), output_size=list(target)).detach().numpy()
        except ValueError:
            with pytest.raises(ValueError, match="output_size"):
                upsample.conv_transpose(x, w, b, output_size=tuple(target), **kw)
            continue
        np.testing.assert_allclose(
            upsample.conv_transpose(x, w, b, output_size=tuple(target), **kw),
            expected,
            rtol=1e-10,
            atol=1e-10,
        )


def test_conv_transpose_float32(rng, engine):
    x, w, b, kw = _transpose_args(TRANSPOSE_GRID[6], rng, dtype=np.float32)
    y = oracle.check(
        upsample.conv_transpose,
        lambda xt, wt, bt: F.conv_transpose2d(xt, wt, bt, **kw),
        [x, w, b],
        kw,
        rtol=1e-5,
        atol=1e-5,
    )
    assert y.dtype == np.float32


def test_conv_transpose_asymmetric_padding_crops(rng):
    x, w, b, kw = _transpose_args(TRANSPOSE_GRID[6], rng)
    kw["padding"], kw["output_padding"] = 0, 0
    full = upsample.conv_transpose(x, w, b, **kw)
    cropped = upsample.conv_transpose(x, w, b, **dict(kw, padding=((1, 2), (0, 1))))
    np.testing.assert_array_equal(cropped, full[:, :, 1:-2, 0:-1])


@pytest.mark.parametrize("k, s", [(4, 2), (3, 2), (2, 2), (1, 3), (5, 1), (3, 3)])
def test_conv_transpose_same_is_the_gradient_of_same_conv(k, s, rng):
    # TensorFlow's rule: "same" conv_transpose of i is the input-gradient of a "same" conv of i*s
    x = rng.standard_normal((1, 2, 5, 4))
    w = rng.standard_normal((2, 3, k, k))
    y = upsample.conv_transpose(x, w, stride=s, padding="same")
    assert y.shape[2:] == (5 * s, 4 * s)
    probe = rng.standard_normal((1, 3, 5 * s, 4 * s))
    _, pullback = upsample.vjp(upsample.conv, probe, w, stride=s, padding="same")
    np.testing.assert_allclose(pullback(x)[0], y, rtol=1e-12, atol=1e-12)


def test_conv_transpose_same_vs_torch_shift(rng):
    # k - s odd: torch's padding=ceil(t/2), output_padding=t%2 is shifted one pixel from "same"
    x = rng.standard_normal((1, 1, 4, 4))
    w = rng.standard_normal((1, 1, 3, 3))
    ours = upsample.conv_transpose(x, w, stride=2, padding="same")
    theirs = F.conv_transpose2d(
        torch.tensor(x), torch.tensor(w), stride=2, padding=1, output_padding=1
    ).numpy()
    full = upsample.conv_transpose(x, w, stride=2)  # 9 x 9
    np.testing.assert_allclose(ours, full[:, :, 0:8, 0:8], atol=1e-12)
    np.testing.assert_allclose(theirs, full[:, :, 1:9, 1:9], atol=1e-12)


# --------------------------------------------------------------------------- loop reference


@pytest.mark.parametrize("shifted", [True, False])
@pytest.mark.parametrize("case", CONV_GRID)
def test_conv_matches_reference(case, shifted, rng, monkeypatch, numpy_strategies):
    # stride-1 correlations skip im2col unless told not to: check both ways

    monkeypatch.setattr(_correlation, "SHIFTED_CORRELATION", shifted)
    x, w, b, kw = _conv_args(case, rng)
    np.testing.assert_allclose(
        upsample.conv(x, w, b, **kw), reference.conv(x, w, b, **kw), rtol=1e-10, atol=1e-10
    )


@pytest.mark.parametrize("stack", [True, False])
@pytest.mark.parametrize("case", CONV_GRID)
def test_both_tap_sums_match_reference(case, stack, rng, monkeypatch, numpy_strategies):
    # the im2col-free correlation stacks the taps into one matmul or sums one per tap

    monkeypatch.setattr(_correlation, "STACK_TAPS", stack)
    x, w, b, kw = _conv_args(case, rng)
    np.testing.assert_allclose(
        upsample.conv(x, w, b, **kw), reference.conv(x, w, b, **kw), rtol=1e-10, atol=1e-10
    )
    xt, wt, bt, kwt = _transpose_args(TRANSPOSE_GRID[CONV_GRID.index(case) % len(TRANSPOSE_GRID)], rng)
    np.testing.assert_allclose(
        upsample.conv_transpose(xt, wt, bt, **kwt),
        reference.conv_transpose(xt, wt, bt, **kwt),
        rtol=1e-10,
        atol=1e-10,
    )


@pytest.mark.parametrize("case", TRANSPOSE_GRID)
def test_conv_transpose_matches_reference(case, rng, engine):
    x, w, b, kw = _transpose_args(case, rng)
    np.testing.assert_allclose(
        upsample.conv_transpose(x, w, b, **kw),
        reference.conv_transpose(x, w, b, **kw),
        rtol=1e-10,
        atol=1e-10,
    )


@st.composite
def conv_cases(draw, transpose=False):
    nd = draw(st.integers(1, 3))
    groups = draw(st.sampled_from([1, 2]))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.lists(st.integers(1, 3), min_size=nd, max_size=nd)))
    stride = tuple(draw(st.lists(st.integers(1, 3), min_size=nd, max_size=nd)))
    dilation = tuple(draw(st.lists(st.integers(1, 2), min_size=nd, max_size=nd)))
    size = tuple(draw(st.lists(st.integers(1, 5), min_size=nd, max_size=nd)))
    n = draw(st.integers(0, 2))
    if transpose:
        padding = tuple(draw(st.integers(0, d * (k - 1))) for k, d in zip(kernel, dilation))
        out_pad = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
        if any(
            (i - 1) * s - 2 * p + d * (k - 1) + a + 1 < 1
            for i, s, p, d, k, a in zip(size, stride, padding, dilation, kernel, out_pad)
        ):
            padding = (0,) * nd
        shape_w = (c_in, c_out // groups, *kernel)
        kw = dict(stride=stride, padding=padding, output_padding=out_pad, dilation=dilation, groups=groups)
    else:
        padding = tuple(draw(st.tuples(st.integers(0, 2), st.integers(0, 2))) for _ in range(nd))
        size = tuple(
            max(i, d * (k - 1) + 1 - lo - hi) for i, k, d, (lo, hi) in zip(size, kernel, dilation, padding)
        )
        shape_w = (c_out, c_in // groups, *kernel)
        kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal((n, c_in, *size)),
        rng.standard_normal(shape_w),
        rng.standard_normal(shape_w[0] if not transpose else c_out),
        kw,
    )


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_conv_property_matches_reference(case):
    x, w, b, kw = case
    np.testing.assert_allclose(
        upsample.conv(x, w, b, **kw), reference.conv(x, w, b, **kw), rtol=1e-10, atol=1e-10
    )


@settings(max_examples=60, deadline=None)
@given(conv_cases(transpose=True))
def test_conv_transpose_property_matches_reference(case):
    x, w, b, kw = case
    np.testing.assert_allclose(
        upsample.conv_transpose(x, w, b, **kw),
        reference.conv_transpose(x, w, b, **kw),
        rtol=1e-10,
        atol=1e-10,
    )


# --------------------------------------------------------------------------- dtypes and inputs


def test_integer_input_computes_in_float64():
    y = upsample.conv(np.arange(10).reshape(1, 1, 10), np.ones((1, 1, 3), dtype=np.int32))
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y[0, 0], np.arange(10)[:-2] * 3 + 3)


def test_read_only_inputs_are_not_modified(rng):
    x, w, b, kw = _conv_args(CONV_GRID[6], rng)
    copies = [a.copy() for a in (x, w, b)]
    for a in (x, w, b):
        a.setflags(write=False)
    _, pullback = upsample.vjp(upsample.conv, x, w, b, **kw)
    pullback(np.ones(upsample.conv(x, w, b, **kw).shape))
    wt = np.ones((x.shape[1], 3, 2, 2))
    wt.setflags(write=False)
    _, pullback = upsample.vjp(upsample.conv_transpose, x, wt, stride=2)
    pullback(np.ones(upsample.conv_transpose(x, wt, stride=2).shape))
    for a, c in zip((x, w, b), copies):
        np.testing.assert_array_equal(a, c)


# --------------------------------------------------------------------------- shapes and solving


@pytest.mark.parametrize("in_size, out_size", [(64, 128), (7, 14), (5, 9), (1, 4), (3, 3), (16, 33)])
def test_solve_conv_transpose_answers_run(in_size, out_size):
    answers = shapes.solve_conv_transpose(in_size, out_size)
    assert answers, "expected at least one solution"
    x = np.ones((1, 1, in_size))
    for k, s, p, a, d in answers:
        y = upsample.conv_transpose(x, np.ones((1, 1, k)), stride=s, padding=p, output_padding=a, dilation=d)
        assert y.shape[-1] == out_size, (k, s, p, a)


@pytest.mark.parametrize(
    "size, k, s, p, d", itertools.product([5, 6, 7, 8], [1, 3, 4], [1, 2, 3], [0, 1], [1, 2])
)
def test_undo_conv_round_trips(size, k, s, p, d):
    if size + 2 * p < d * (k - 1) + 1:
        return
    y = upsample.conv(np.ones((1, 1, size)), np.ones((1, 1, k)), stride=s, padding=p, dilation=d)
    k2, s2, p2, a2, d2 = shapes.undo_conv(size, k, stride=s, padding=p, dilation=d)
    back = upsample.conv_transpose(
        y, np.ones((1, 1, k2)), stride=s2, padding=p2, output_padding=a2, dilation=d2
    )
    assert back.shape[-1] == size


def test_solutions_are_ranked_naturally():
    best = shapes.solve_conv_transpose(32, 64)[0]
    assert (best.kernel_size, best.stride, best.padding, best.output_padding) == (4, 2, 1, 0)


# --------------------------------------------------------------------------- bad input

X2 = np.ones((1, 2, 5, 5))
W2 = np.ones((3, 2, 3, 3))
WT = np.ones((2, 3, 3, 3))

BAD_INPUT = [
    # (call, exception, fragments that must appear in the message)
    (lambda: upsample.conv(np.ones((2, 5, 5)), W2), ValueError, ["conv", "x", "dimensions", "(2, 5, 5)"]),
    (lambda: upsample.conv(X2, np.ones((3, 2))), ValueError, ["conv", "weight", "at least 3"]),
    (lambda: upsample.conv(np.ones((1, 3, 5, 5)), W2), ValueError, ["conv", "channels", "3", "2"]),
    (
        lambda: upsample.conv(np.ones((1, 4, 5, 5)), np.ones((3, 2, 3, 3)), groups=2),
        ValueError,
        ["conv", "groups (2)", "output channels (3)"],
    ),
    (lambda: upsample.conv(X2, W2, groups=0), ValueError, ["conv", "groups", ">= 1", "0"]),
    (lambda: upsample.conv(X2, W2, stride=0), ValueError, ["conv", "stride", ">= 1"]),
    (lambda: upsample.conv(X2, W2, dilation=(1, 0)), ValueError, ["conv", "dilation", ">= 1", "(1, 0)"]),
    (lambda: upsample.conv(X2, W2, padding=-1), ValueError, ["conv", "padding", ">= 0", "-1"]),
    (lambda: upsample.conv(X2, W2, padding="full"), ValueError, ["conv", "padding", "'same'", "'full'"]),
    (lambda: upsample.conv(X2, np.ones((3, 2, 7, 7))), ValueError, ["conv", "kernel", "padded input"]),
    (lambda: upsample.conv(X2, W2, stride=(1, 2, 3)), ValueError, ["conv", "stride", "2"]),
    (lambda: upsample.conv(X2.astype(bool), W2), TypeError, ["conv", "x", "dtype", "bool"]),
    (lambda: upsample.conv(X2.astype(complex), W2), TypeError, ["conv", "x", "complex"]),
    (lambda: upsample.conv(X2, W2.astype(object)), TypeError, ["conv", "weight", "object"]),
    (lambda: upsample.conv("image", W2), TypeError, ["conv", "x", "'image'"]),
    (lambda: upsample.conv({"a": 1}, W2), TypeError, ["conv", "x"]),
    (lambda: upsample.conv([[1, 2], [3]], W2), TypeError, ["conv", "x"]),
    (lambda: upsample.conv(X2, W2, stride=1.5), TypeError, ["conv", "stride", "integer", "1.5"]),
    (lambda: upsample.conv(X2, W2, bias=np.ones(2)), ValueError, ["conv", "bias", "(3,)", "(2,)"]),
    (
        lambda: upsample.conv(X2, W2, padding=5, padding_mode="reflect"),
        ValueError,
        ["conv", "padding", "reflect", "4"],
    ),
    (
        lambda: upsample.conv(X2, W2, padding_mode="mirror"),
        ValueError,
        ["conv", "padding_mode", "'zeros'", "'mirror'"],
    ),
    (
        lambda: upsample.conv_transpose(X2, WT, stride=2, output_padding=2),
        ValueError,
        ["conv_transpose", "output_padding (2)", "stride (2)", "dilation (1)"],
    ),
    (
        lambda: upsample.conv_transpose(X2, WT, stride=2, output_size=(20, 20)),
        ValueError,
        ["conv_transpose", "output_size", "(20, 20)", "(11, 11)", "(12, 12)"],
    ),
    (
        lambda: upsample.conv_transpose(X2, WT, output_size=(7, 7, 7)),
        ValueError,
        ["conv_transpose", "output_size"],
    ),
    (
        lambda: upsample.conv_transpose(X2, WT, padding=5),
        ValueError,
        ["conv_transpose", "padding", "whole output"],
    ),
    (lambda: upsample.conv_transpose(X2, W2), ValueError, ["conv_transpose", "channels"]),
    (lambda: upsample.conv_transpose(X2, WT, padding=-2), ValueError, ["conv_transpose", "padding", ">= 0"]),
]


@pytest.mark.parametrize("call, exception, fragments", BAD_INPUT)
def test_bad_input_is_refused_clearly(call, exception, fragments):
    assert_refused(call, exception, fragments)


def test_size_limit_refuses_before_allocating():
    with upsample.size_limit(1000):
        with pytest.raises(ValueError, match=r"conv_transpose: the output of shape \(1, 3, 101, 101\)"):
            upsample.conv_transpose(np.ones((1, 2, 50, 50)), WT, stride=2)
    assert upsample.get_size_limit() > 1000


@pytest.mark.parametrize("budget", [64, 4096])
def test_chunked_im2col_gives_the_same_result(budget, monkeypatch, rng, numpy_strategies):
    # tiny chunk budgets force splitting by sample and by output row

    module = _correlation
    x, w, b, kw = _conv_args(CONV_GRID[6], rng, n=3)
    expected = reference.conv(x, w, b, **kw)
    xt, wt, bt, kwt = _transpose_args(TRANSPOSE_GRID[5], rng, n=3)
    expected_t = reference.conv_transpose(xt, wt, bt, **kwt)
    monkeypatch.setattr(module, "CHUNK_BYTES", budget)
    np.testing.assert_allclose(upsample.conv(x, w, b, **kw), expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(upsample.conv_transpose(xt, wt, bt, **kwt), expected_t, rtol=1e-10, atol=1e-10)
    oracle.check(upsample.conv, lambda a, c, d: F.conv2d(a, c, d, **kw), [x, w, b], kw)


@pytest.mark.parametrize("strategy", ["subpixel", "col2im"])
@pytest.mark.parametrize("case", TRANSPOSE_GRID)
def test_both_adjoint_strategies_match_torch(case, strategy, monkeypatch, rng, numpy_strategies):

    monkeypatch.setattr(_correlation, "ADJOINT_STRATEGY", strategy)
    x, w, b, kw = _transpose_args(case, rng)
    fn = getattr(F, f"conv_transpose{x.ndim - 2}d")
    oracle.check(upsample.conv_transpose, lambda xt, wt, bt: fn(xt, wt, bt, **kw), [x, w, b], kw)


# the same note of torch's, which it gives once per process: here when this test runs first
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")
@pytest.mark.parametrize("case", [c for c in CONV_GRID if _torch_accepts_padding(c)] + TRANSPOSE_GRID)
def test_im2col_everywhere_matches_torch(case, monkeypatch, rng, numpy_strategies):
    # with the im2col-free paths switched off, every correlation and weight-gradient uses im2col

    monkeypatch.setattr(_correlation, "SHIFTED_CORRELATION", False)
    if len(case) == 9:
        x, w, b, kw = _conv_args(case, rng)
        fn, ours = getattr(F, f"conv{x.ndim - 2}d"), upsample.conv
    else:
        x, w, b, kw = _transpose_args(case, rng)
        fn, ours = getattr(F, f"conv_transpose{x.ndim - 2}d"), upsample.conv_transpose
    oracle.check(ours, lambda xt, wt, bt: fn(xt, wt, bt, **kw), [x, w, b], kw)


# --------------------------------------------------------------------------- the compiled tiles

TILE_CASES = [
    # (transpose, x shape, weight shape, kwargs): big enough for full tiles and partial ones
    (False, (2, 8, 12, 70), (13, 8, 3, 3), dict(padding=1)),
    (False, (2, 6, 21, 45), (10, 3, 4, 4), dict(stride=2, padding=1, groups=2)),
    (False, (3, 4, 90), (7, 4, 3), dict(stride=3, padding=2, dilation=2)),
    (False, (1, 3, 6, 9, 40), (5, 3, 3, 2, 3), dict(stride=(1, 2, 2), padding=1)),
    (False, (2, 8, 17, 37), (8, 1, 3, 3), dict(padding=1, groups=8)),
    (True, (2, 8, 9, 40), (8, 5, 4, 4), dict(stride=2, padding=1)),
    (True, (2, 6, 11, 23), (6, 4, 3, 3), dict(stride=2, padding=1, output_padding=1, groups=2)),
    (True, (3, 4, 50), (4, 9, 5), dict(stride=3, padding=(2,), dilation=2)),
    (True, (1, 4, 5, 6, 30), (4, 3, 2, 3, 4), dict(stride=(2, 1, 2), padding=1)),
]


def _tile_case(case, rng, dtype):
    transpose, xs, ws, kw = case
    op = upsample.conv_transpose if transpose else upsample.conv
    nd = len(xs) - 2
    name = f"conv_transpose{nd}d" if transpose else f"conv{nd}d"
    x = rng.standard_normal(xs).astype(dtype)
    w = rng.standard_normal(ws).astype(dtype)
    return op, (lambda xt, wt: getattr(F, name)(xt, wt, **kw)), [x, w], kw


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 2e-4)])
@pytest.mark.parametrize("case", TILE_CASES)
def test_tiles_match_torch_on_full_and_partial_tiles(case, dtype, tol, rng):
    # rows longer than a tile and channel counts that are not a multiple of R: the full
    # tiles store straight into the output, the cut ones through the scratch block
    op, theirs, arrays, kw = _tile_case(case, rng, dtype)
    oracle.check(op, theirs, arrays, kw, rtol=tol, atol=tol)


@pytest.mark.parametrize("shape", [(6, 4), (8, 3), (10, 2), (8, 2), (4, 4), (24, 1), (16, 1), (2, 4), (1, 4)])
def test_every_tile_shape_at_band_and_chunk_borders(shape, monkeypatch, rng):
    # one tile shape at a time; one output row per band and 16 positions per weight
    # chunk put band and chunk borders everywhere
    from upsample import _direct

    assert shape in _direct.TILE_SHAPES
    monkeypatch.setattr(_direct, "TILE_SHAPES", {shape: 1.0})
    monkeypatch.setattr(_direct, "BAND_BYTES", 1)
    monkeypatch.setattr(_direct, "WEIGHT_CHUNK", 16)
    for case in TILE_CASES:
        op, theirs, arrays, kw = _tile_case(case, rng, np.float64)
        oracle.check(op, theirs, arrays, kw, rtol=1e-10, atol=1e-10)
