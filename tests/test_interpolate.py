"""interpolate, nearest and bilinear: the article's examples, PyTorch parity, the loop reference,
identities of the sampling plans, and bad input."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import oracle
import reference
import upsample
from expect import assert_refused
from upsample import shapes
from upsample.conventions import CONVENTIONS
from upsample.interpolation import ALIASES, SamplingPlan, sampling_plan, sampling_plans

torch = oracle.torch
F = torch.nn.functional

# float64 parity is rounding-level (measured <= 4e-15 relative to the largest value).
# float32: both sides round every coordinate, weight and product to float32; measured
# <= 2e-6 relative to the largest value (cubic, whose float32 Keys weights differ from
# PyTorch's by an ulp or two), so 1e-5 leaves room without hiding a wrong tap (>= 1e-2).
TOLERANCE = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-5)}


# --------------------------------------------------------------------------- the article


def test_article_nearest_example():
    # [[1, 2], [3, 4]] to 4x4: each pixel becomes a 2x2 block ("K = 4" copies per pixel)
    x = np.array([[1, 2], [3, 4]]).reshape(1, 1, 2, 2)
    y = upsample.nearest(x, 2)
    np.testing.assert_array_equal(y[0, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])
    assert y.dtype == x.dtype


def test_article_bilinear_example():
    x = np.array([[10.0, 20.0], [30.0, 40.0]]).reshape(1, 1, 2, 2)
    y = upsample.bilinear(x, 2, align_corners=False)[0, 0]
    np.testing.assert_array_equal(
        y, [[10, 12.5, 17.5, 20], [15, 17.5, 22.5, 25], [25, 27.5, 32.5, 35], [30, 32.5, 37.5, 40]]
    )
    # the article prints the result rounded down
    np.testing.assert_array_equal(
        np.floor(y), [[10, 12, 17, 20], [15, 17, 22, 25], [25, 27, 32, 35], [30, 32, 37, 40]]
    )
    np.testing.assert_array_equal(upsample.interpolate(x, size=4, mode="bilinear")[0, 0], y)


# --------------------------------------------------------------------------- torch parity

TORCH_MODE = {
    ("linear", 1): "linear",
    ("linear", 2): "bilinear",
    ("linear", 3): "trilinear",
    ("cubic", 2): "bicubic",
}

SHAPES = {1: [(5,), (1,)], 2: [(4, 5), (7, 3)], 3: [(3, 4, 2)]}

# (size, scale_factor); each scale_factor runs with recompute_scale_factor None and True.
# 1.1 on 5, 4 and 3 keeps the size: PyTorch's "O == I" shortcuts apply.
RESIZES = [
    ((9, 2, 6), None),
    ((2, 8, 3), None),
    ((1, 1, 1), None),
    (None, 2),
    (None, 1.5),
    (None, 0.6),
    (None, 2.3),
    (None, (1.1, 0.5, 3)),
    (None, (0.75, 1.7, 0.9)),
]


def _per_dim(value, nd):
    return value[:nd] if isinstance(value, tuple) else value


def _out_sizes(spatial, size, factor):
    if size is not None:
        return tuple(size[: len(spatial)])
    factors = factor[: len(spatial)] if isinstance(factor, tuple) else (factor,) * len(spatial)
    return tuple(math.floor(i * f) for i, f in zip(spatial, factors))


def _parity_cases():
    for mode in ["nearest", "nearest-exact", "area", "linear", "cubic"]:
        for nd, spatial in ((d, s) for d in (1, 2, 3) for s in SHAPES[d]):
            if mode == "cubic" and nd != 2:
                continue
            for (size, factor), recompute in itertools.product(RESIZES, [None, True]):
                if (size is not None and recompute) or min(_out_sizes(spatial, size, factor)) < 1:
                    continue
                corners = [None, False, True] if mode in ("linear", "cubic") else [None]
                antialias = [False, True] if mode in ("linear", "cubic") and nd == 2 else [False]
                for ac, aa in itertools.product(corners, antialias):
                    if aa and _torch_antialias_width_one_bug(_out_sizes(spatial, size, factor)):
                        continue
                    yield (mode, spatial, _per_dim(size, nd), _per_dim(factor, nd), recompute, ac, aa)


def _torch_antialias_width_one_bug(out):
    """PyTorch's antialias output is wrong when the last axis shrinks to 1 and the other does not:
    every row repeats the first (see test_torch_antialias_width_one_bug)."""
    return out[-1] == 1 and out[0] > 1


PARITY = list(_parity_cases())


def _torch_keeps_shortcut_out_of_backward(mode, spatial, size, factor, recompute, antialias):
    """The two places where PyTorch's backward is not the adjoint of its forward.

    Both need a scale_factor that keeps an axis's size while not being 1 (1.1 on 5):
    the antialias forward copies such an axis, its backward resamples it; the bicubic
    forward resamples when every axis keeps its size, its backward copies. Ours is the
    adjoint of the forward (checked by the dot-product test), so only values are compared.
    """
    if factor is None or recompute:
        return False
    out = _out_sizes(spatial, size, factor)
    kept = [o == i for o, i in zip(out, spatial)]
    return (antialias and any(kept)) or (mode == "cubic" and all(kept))


def _torch_nearest_2d_rule(t, size, factor, recompute, mode):
    """PyTorch's 2-D nearest rule applied along each axis in turn (any number of dims).

    PyTorch's 1-D and 3-D nearest forwards compute the source index in the input's
    dtype and skip the "O == I" / "O == 2I" shortcuts, while its 2-D forward and its
    backward in every dim use ``nearest_idx`` (float32, with the shortcuts). We follow
    the latter everywhere, so for 1-D and 3-D we compare with the 2-D kernel run
    axis by axis on a (N, rest, 1, I) view; autograd carries the gradient through.
    """
    nd = t.dim() - 2
    for axis in range(nd):
        moved = t.movedim(axis + 2, -1)  # (N, C, *others, I)
        flat = moved.reshape(moved.shape[0], -1, 1, moved.shape[-1])  # (N, rest, 1, I)
        if size is not None:
            out = F.interpolate(flat, size=(1, size[axis]), mode=mode)
        else:
            f = factor[axis] if isinstance(factor, tuple) else factor
            out = F.interpolate(flat, scale_factor=(1.0, f), mode=mode, recompute_scale_factor=recompute)
        t = out.reshape(*moved.shape[:-1], out.shape[-1]).movedim(-1, axis + 2)
    return t


def _options(mode, size, factor, recompute, ac, aa):
    """interpolate's keyword arguments from a case's fields (torch's F.interpolate takes the same)."""
    names = ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor", "antialias")
    return dict(zip(names, (size, factor, mode, ac, recompute, aa), strict=True))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("mode, spatial, size, factor, recompute, ac, aa", PARITY)
def test_matches_torch(mode, spatial, size, factor, recompute, ac, aa, dtype, rng):
    nd = len(spatial)
    x = rng.standard_normal((2, 3, *spatial)).astype(dtype)
    kwargs = _options(mode, size, factor, recompute, ac, aa)
    if mode.startswith("nearest") and nd != 2:

        def theirs(t):
            return _torch_nearest_2d_rule(t, size, factor, recompute, mode)
    else:

        def theirs(t):
            return F.interpolate(
                t, **_options(TORCH_MODE.get((mode, nd), mode), size, factor, recompute, ac, aa)
            )

    grad = not _torch_keeps_shortcut_out_of_backward(mode, spatial, size, factor, recompute, aa)
    oracle.check(upsample.interpolate, theirs, [x], kwargs, grad=grad, **TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize(
    "spatial, size", [((5,), (13,)), ((6,), (4,)), ((3, 4, 2), (7, 3, 5)), ((2, 5, 3), (4, 10, 6))]
)
def test_nearest_1d_3d_with_a_size_matches_torch_natively(spatial, size, mode, dtype, rng):
    # with an explicit size the index rules of PyTorch's 1-D/3-D and 2-D kernels agree
    x = rng.standard_normal((2, 3, *spatial)).astype(dtype)
    oracle.check(
        upsample.interpolate,
        lambda t: F.interpolate(t, size=size, mode=mode),
        [x],
        dict(size=size, mode=mode),
        **TOLERANCE[dtype],
    )


def test_nearest_shortcuts_follow_torch(rng):
    # i = 5, scale_factor 1.1 -> o = 5: copied, although floor(o / 1.1) would repeat input 0;
    # i = 5, scale_factor 2.1 -> o = 10: o // 2, although floor(o / 2.1) differs at o = 5
    x = np.arange(10.0).reshape(1, 2, 5)
    np.testing.assert_array_equal(upsample.nearest(x, 1.1), x)
    np.testing.assert_array_equal(upsample.nearest(x, 2.1), np.repeat(x, 2, axis=-1))
    x2 = rng.standard_normal((1, 2, 3, 5))
    for factor in [(1.0, 1.1), (1.0, 2.1)]:
        oracle.check(
            upsample.interpolate,
            lambda t: F.interpolate(t, scale_factor=factor),
            [x2],
            dict(scale_factor=factor),
            rtol=0,
            atol=0,
        )


def test_float32_coordinates_match_torch_closely(rng):
    # Plans are computed in float32 for float32 input, as PyTorch does: linear then agrees
    # to an ulp (1.2e-7 for values in [0, 1)); float64 coordinates would give ~1.3e-6.
    x = rng.random((2, 3, 17, 23)).astype(np.float32)
    for ac, size in itertools.product([True, False], [(64, 50), (100, 97), (9, 11)]):
        ours = upsample.interpolate(x, size=size, mode="bilinear", align_corners=ac)
        theirs = F.interpolate(torch.tensor(x), size=size, mode="bilinear", align_corners=ac).numpy()
        assert ours.dtype == np.float32
        assert np.abs(ours - theirs).max() <= 2.5e-7, (ac, size)


def _torch_matrix(in_size, out_size, mode, dtype, **kwargs):
    """PyTorch's weights along one axis, read off by resampling the one-hot signals e_j."""
    eye = torch.tensor(np.eye(in_size, dtype=dtype)[:, None, None, :])  # (I, 1, 1, I)
    y = F.interpolate(eye, size=(1, out_size), mode=mode, **kwargs)  # (I, 1, 1, O)
    return y[:, 0, 0, :].numpy().T  # (O, I)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("in_size, out_size", [(2, 5), (3, 10), (5, 3), (7, 16), (10, 4), (6, 1)])
def test_plans_equal_torch_weights(in_size, out_size, dtype):
    # linear (align_corners) and area: bit for bit, also in float32
    for mode, ours, kwargs in [("bilinear", "linear", dict(align_corners=True)), ("area", "area", {})]:
        plan = sampling_plan(in_size, out_size, ours, dtype=dtype, **kwargs)
        np.testing.assert_array_equal(plan.matrix(), _torch_matrix(in_size, out_size, mode, dtype, **kwargs))
    # half-pixel linear: float32 bit for bit (PyTorch's fused multiply-add is reproduced);
    # float64 within an ulp (PyTorch fuses there too, NumPy cannot in float64)
    plan = sampling_plan(in_size, out_size, "linear", dtype=dtype)
    theirs = _torch_matrix(in_size, out_size, "bilinear", dtype)
    if dtype == np.float32:
        np.testing.assert_array_equal(plan.matrix(), theirs)
    np.testing.assert_allclose(plan.matrix(), theirs, rtol=0, atol=1e-15)
    # cubic and antialias: within a few float32 ulps (the compiler's contraction of
    # the Keys polynomials is not reproduced)
    for mode, ours, kwargs in [
        ("bicubic", "cubic", {}),
        ("bicubic", "cubic", dict(align_corners=True)),
        ("bilinear", "linear", dict(antialias=True)),
        ("bicubic", "cubic", dict(antialias=True)),
    ]:
        plan = sampling_plan(in_size, out_size, ours, dtype=dtype, **kwargs)
        np.testing.assert_allclose(
            plan.matrix(),
            _torch_matrix(in_size, out_size, mode, dtype, **kwargs),
            rtol=0,
            atol=2e-6 if dtype == np.float32 else 1e-14,
        )


@pytest.mark.parametrize("mode, ours", [("bilinear", "linear"), ("bicubic", "cubic")])
def test_torch_antialias_width_one_bug(mode, ours, rng):
    # PyTorch 2.13 repeats the first row when antialiasing to width 1; on the transposed
    # problem (height 1) it is right, and that is what we match
    x = rng.standard_normal((2, 3, 7, 3))
    y = upsample.interpolate(x, size=(4, 1), mode=ours, antialias=True)
    transposed = F.interpolate(torch.tensor(x.swapaxes(2, 3)), size=(1, 4), mode=mode, antialias=True)
    np.testing.assert_allclose(y, transposed.numpy().swapaxes(2, 3), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        y, reference.interpolate(x, size=(4, 1), mode=ours, antialias=True), rtol=1e-12, atol=1e-12
    )
    assert not np.allclose(y[:, :, 1:], y[:, :, :1])  # the rows differ, unlike torch's answer


def test_antialias_upsampling_linear_is_plain_linear(rng):
    # when upsampling, the antialias tent has support 1 and is exactly linear interpolation
    x = rng.standard_normal((2, 3, 4, 5))
    for size in [(9, 11), (8, 10), (5, 7)]:
        np.testing.assert_allclose(
            upsample.interpolate(x, size=size, mode="linear", antialias=True),
            upsample.interpolate(x, size=size, mode="linear"),
            rtol=0,
            atol=1e-14,
        )
    # ... but the antialias cubic uses Keys a = -0.5, so it differs from plain cubic (a = -0.75)
    assert not np.allclose(
        upsample.interpolate(x, size=(9, 11), mode="cubic", antialias=True),
        upsample.interpolate(x, size=(9, 11), mode="cubic"),
    )


def test_integer_input_against_torch_uint8():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.uint8).reshape(2, 3, 4, 5)
    for mode, factor in [("nearest", 2), ("nearest-exact", 1.5), ("nearest", 0.6)]:
        ours = upsample.interpolate(x, scale_factor=factor, mode=mode)
        assert ours.dtype == np.uint8
        np.testing.assert_array_equal(
            ours, F.interpolate(torch.tensor(x), scale_factor=factor, mode=mode).numpy()
        )


# --------------------------------------------------------------------------- the loop reference


def _reference_cases():
    """Every mode in every dim, including those PyTorch lacks (cubic and antialias in 1-D/3-D)."""
    for mode in ["nearest", "nearest-exact", "area", "linear", "cubic"]:
        for nd, spatial in ((d, s) for d in (1, 2, 3) for s in SHAPES[d]):
            for (size, factor), recompute in itertools.product(RESIZES, [None, True]):
                if (size is not None and recompute) or min(_out_sizes(spatial, size, factor)) < 1:
                    continue
                corners = [None, True] if mode in ("linear", "cubic") else [None]
                antialias = [False, True] if mode in ("linear", "cubic") else [False]
                if _reference_takes_torch_1d_3d_nearest(mode, spatial, _per_dim(factor, nd), recompute):
                    continue
                for ac, aa in itertools.product(corners, antialias):
                    yield (mode, spatial, _per_dim(size, nd), _per_dim(factor, nd), recompute, ac, aa)


def _reference_takes_torch_1d_3d_nearest(mode, spatial, factor, recompute):
    """tests/reference.py follows PyTorch's 1-D/3-D nearest forward, which skips the
    "O == I" / "O == 2I" shortcuts; we take them in every dim, as PyTorch's 2-D forward
    and its backward in every dim do (see test_nearest_shortcuts_follow_torch)."""
    if mode != "nearest" or len(spatial) == 2 or factor is None or recompute:
        return False
    factors = factor if isinstance(factor, tuple) else (factor,) * len(spatial)
    return any(
        (o == i and f != 1) or (o == 2 * i and f != 2)
        for i, f, o in zip(spatial, factors, _out_sizes(spatial, None, factor))
    )


@pytest.mark.parametrize("mode, spatial, size, factor, recompute, ac, aa", list(_reference_cases()))
def test_matches_reference(mode, spatial, size, factor, recompute, ac, aa, rng):
    x = rng.standard_normal((2, 2, *spatial))
    kwargs = _options(mode, size, factor, recompute, ac, aa)
    np.testing.assert_allclose(
        upsample.interpolate(x, **kwargs), reference.interpolate(x, **kwargs), rtol=1e-12, atol=1e-12
    )


FACTORS = [0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 1 / 3]


@st.composite
def interpolate_calls(draw):
    nd = draw(st.integers(1, 3))
    spatial = tuple(draw(st.lists(st.integers(1, 5), min_size=nd, max_size=nd)))
    n, c = draw(st.integers(0, 2)), draw(st.integers(1, 2))
    mode = draw(st.sampled_from(sorted([*CONVENTIONS["torch"].modes, *ALIASES])))  # PyTorch's modes
    kind = ALIASES.get(mode, mode)
    if draw(st.booleans()):
        size = tuple(draw(st.lists(st.integers(1, 7), min_size=nd, max_size=nd)))
        factor, recompute = None, None
    else:
        size = None
        factor = tuple(draw(st.lists(st.sampled_from(FACTORS), min_size=nd, max_size=nd)))
        recompute = draw(st.sampled_from([None, False, True]))
        assume(min(_out_sizes(spatial, None, factor)) >= 1)
        assume(not _reference_takes_torch_1d_3d_nearest(kind, spatial, factor, recompute))
    ac = draw(st.sampled_from([None, False, True])) if kind in ("linear", "cubic") else None
    aa = draw(st.booleans()) if kind in ("linear", "cubic") else False
    seed = draw(st.integers(0, 2**32 - 1))
    x = np.random.default_rng(seed).standard_normal((n, c, *spatial))
    return x, _options(mode, size, factor, recompute, ac, aa)


@settings(max_examples=60, deadline=None)
@given(interpolate_calls())
def test_property_matches_reference(call):
    x, kwargs = call
    y = upsample.interpolate(x, **kwargs)
    np.testing.assert_allclose(y, reference.interpolate(x, **kwargs), rtol=1e-12, atol=1e-12)
    out = y.shape[2:]
    if kwargs["size"] is None:
        assert out == shapes.interpolate_output_size(x.shape[2:], kwargs["scale_factor"])


@settings(max_examples=40, deadline=None)
@given(interpolate_calls())
def test_property_vjp_is_the_adjoint(call):
    x, kwargs = call
    y, pullback = upsample.vjp(upsample.interpolate, x, **kwargs)
    probe = np.random.default_rng(1).standard_normal(y.shape)
    (gx,) = pullback(probe)
    assert gx.shape == x.shape and gx.dtype == x.dtype
    scale = max(1.0, np.abs(y).sum() * np.abs(probe).max(initial=0.0))
    assert abs(np.vdot(y, probe) - np.vdot(x, gx)) <= 1e-12 * scale


# --------------------------------------------------------------------------- identities


@pytest.mark.parametrize(
    "spatial, factors", [((5,), (3,)), ((3, 4), (2, 3)), ((2, 3, 2), (2, 1, 4)), ((4, 1), (1, 5))]
)
def test_nearest_by_an_integer_factor_is_repeat(spatial, factors):
    x = np.arange(2 * 3 * math.prod(spatial)).reshape(2, 3, *spatial)
    expected = x
    for axis, s in enumerate(factors, start=2):
        expected = np.repeat(expected, s, axis=axis)
    for mode in ["nearest", "nearest-exact"]:
        y = upsample.interpolate(x, scale_factor=factors, mode=mode)
        assert y.dtype == x.dtype
        np.testing.assert_array_equal(y, expected)
    np.testing.assert_array_equal(upsample.nearest(x, factors), expected)


@pytest.mark.parametrize("spatial, factors", [((5,), (3,)), ((3, 4), (2, 3)), ((2, 3, 2), (2, 1, 4))])
def test_nearest_vjp_by_an_integer_factor_is_a_block_sum(spatial, factors):
    x = np.arange(2 * 3 * math.prod(spatial), dtype=np.float64).reshape(2, 3, *spatial)
    y, pullback = upsample.vjp(upsample.nearest, x, factors)
    g = np.arange(y.size, dtype=np.float64).reshape(y.shape)
    blocks = g.reshape(
        2, 3, *itertools.chain.from_iterable(zip(spatial, factors))
    )  # (N, C, H, sH, W, sW, ...)
    expected = blocks.sum(axis=tuple(range(3, 3 + 2 * len(spatial), 2)))
    np.testing.assert_array_equal(pullback(g)[0], expected)


ADJOINT = [
    (mode, kwargs)
    for mode in ["nearest", "nearest-exact", "area", "linear", "cubic"]
    for kwargs in [
        dict(size=(7, 3, 5)),
        dict(scale_factor=(1.5, 0.6, 2.3)),
        dict(scale_factor=(1.1, 2.1, 0.5), recompute_scale_factor=False),
    ]
] + [
    (mode, dict(kwargs, **extra))
    for mode in ["linear", "cubic"]
    for kwargs in [dict(size=(7, 3, 5)), dict(scale_factor=(1.5, 0.6, 2.3))]
    for extra in [dict(align_corners=True), dict(antialias=True), dict(antialias=True, align_corners=True)]
]


@pytest.mark.parametrize("mode, kwargs", ADJOINT)
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_vjp_is_the_adjoint(mode, kwargs, nd, rng):
    kwargs = {k: _per_dim(v, nd) for k, v in kwargs.items()}
    x = rng.standard_normal((2, 3, *(5, 4, 3)[:nd]))
    y, pullback = upsample.vjp(upsample.interpolate, x, mode=mode, **kwargs)
    probe = rng.standard_normal(y.shape)
    (gx,) = pullback(probe)
    lhs, rhs = np.vdot(y, probe), np.vdot(x, gx)
    assert abs(lhs - rhs) <= 1e-12 * max(1.0, abs(lhs)), (lhs, rhs)


PLAN_CASES = [
    (i, o, mode, kwargs)
    for i, o in [(1, 4), (4, 1), (3, 7), (7, 3), (5, 5), (4, 12), (12, 4)]
    for mode, kwargs in [
        ("nearest", {}),
        ("nearest-exact", {}),
        ("area", {}),
        ("linear", {}),
        ("linear", dict(align_corners=True)),
        ("cubic", {}),
        ("cubic", dict(align_corners=True)),
        ("linear", dict(antialias=True)),
        ("cubic", dict(antialias=True)),
        ("linear", dict(scale_factor=1.1)),
        ("nearest", dict(scale_factor=0.45)),
    ]
]


@pytest.mark.parametrize("in_size, out_size, mode, kwargs", PLAN_CASES)
def test_plan_is_its_dense_matrix(in_size, out_size, mode, kwargs, rng):
    plan = sampling_plan(in_size, out_size, mode, **kwargs)
    assert isinstance(plan, SamplingPlan)
    assert plan.index.shape == plan.weight.shape == (out_size, plan.taps)
    assert plan.index.dtype == np.int64 and plan.weight.dtype == np.float64
    assert plan.index.min() >= 0 and plan.index.max() < in_size
    np.testing.assert_allclose(plan.weight.sum(axis=1), 1, rtol=0, atol=1e-14)  # weights average
    dense = plan.matrix()  # (O, I)
    x = rng.standard_normal((2, in_size, 3))
    np.testing.assert_allclose(plan.apply(x, 1), np.einsum("oi,nic->noc", dense, x), atol=1e-14)
    g = rng.standard_normal((2, out_size, 3))
    np.testing.assert_allclose(plan.apply_transpose(g, 1), np.einsum("oi,noc->nic", dense, g), atol=1e-14)


def test_sampling_plans_reproduce_interpolate(rng):
    # the explanations read these plans: applying them must give interpolate's output
    x = rng.standard_normal((1, 2, 3, 4))
    for kwargs in [
        dict(scale_factor=2, mode="nearest"),
        dict(size=(5, 7), mode="bilinear"),
        dict(size=(2, 2), mode="area"),
        dict(scale_factor=0.75, mode="cubic", antialias=True),
    ]:
        y = x
        for axis, plan in enumerate(sampling_plans(x, **kwargs), start=2):
            y = np.einsum("oi,...i->...o", plan.matrix(), np.moveaxis(y, axis, -1))
            y = np.moveaxis(y, -1, axis)
        np.testing.assert_allclose(y, upsample.interpolate(x, **kwargs), rtol=0, atol=1e-14)


def test_area_is_adaptive_average_pooling():
    x = np.arange(2 * 7, dtype=np.float64).reshape(1, 2, 7)
    y = upsample.interpolate(x, size=3, mode="area")
    # bins [floor(o*7/3), ceil((o+1)*7/3)): [0, 3), [2, 5), [4, 7)
    np.testing.assert_array_equal(y[0, 0], [1.0, 3.0, 5.0])


def test_aliases_work_in_every_dimension(rng):
    x1, x3 = rng.standard_normal((1, 2, 5)), rng.standard_normal((1, 2, 3, 4, 2))
    for alias, mode in ALIASES.items():
        for x in (x1, x3):
            np.testing.assert_array_equal(
                upsample.interpolate(x, scale_factor=2, mode=alias),
                upsample.interpolate(x, scale_factor=2, mode=mode),
            )
    np.testing.assert_array_equal(
        upsample.bilinear(x3, 2), upsample.interpolate(x3, scale_factor=2, mode="linear")
    )


def test_shorthands_equal_interpolate_and_have_vjps(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    np.testing.assert_array_equal(upsample.nearest(x, 1.5), upsample.interpolate(x, scale_factor=1.5))
    np.testing.assert_array_equal(upsample.nearest(x, size=(3, 9)), upsample.interpolate(x, size=(3, 9)))
    np.testing.assert_array_equal(
        upsample.bilinear(x, 2, align_corners=True),
        upsample.interpolate(x, scale_factor=2, mode="linear", align_corners=True),
    )
    for fn, args, kwargs in [(upsample.nearest, (2,), {}), (upsample.bilinear, (), dict(size=(7, 3)))]:
        y, pullback = upsample.vjp(fn, x, *args, **kwargs)
        probe = rng.standard_normal(y.shape)
        assert abs(np.vdot(y, probe) - np.vdot(x, pullback(probe)[0])) <= 1e-12 * np.abs(y).sum()


def test_dtypes():
    x = np.arange(24).reshape(1, 2, 3, 4)
    assert upsample.interpolate(x, scale_factor=2).dtype == x.dtype
    y = upsample.interpolate(x, scale_factor=2, mode="linear")
    assert y.dtype == np.float64
    np.testing.assert_array_equal(
        y, upsample.interpolate(x.astype(np.float64), scale_factor=2, mode="linear")
    )
    assert upsample.interpolate(x.astype(np.float32), size=5, mode="cubic").dtype == np.float32
    assert upsample.interpolate(x.astype(np.float32), size=5, mode="area").dtype == np.float32
    assert upsample.interpolate(x.astype(np.float16), size=5).dtype == np.float16
    assert upsample.interpolate(x.astype(np.float16), size=5, mode="linear").dtype == np.float32
    with pytest.raises(TypeError, match="vjp: interpolate x has dtype int"):
        upsample.vjp(upsample.interpolate, x, scale_factor=2)


def test_empty_batch_and_channels(rng):
    for shape in [(0, 3, 4, 5), (2, 0, 4, 5)]:
        x = rng.standard_normal(shape)
        for mode in ["nearest", "linear", "cubic", "area"]:
            y, pullback = upsample.vjp(upsample.interpolate, x, size=(7, 2), mode=mode)
            assert y.shape == (*shape[:2], 7, 2)
            assert pullback(np.zeros(y.shape))[0].shape == shape


def test_inputs_are_not_modified_and_outputs_are_new(rng):
    x = rng.standard_normal((1, 2, 4, 5))
    x.setflags(write=False)
    before = x.copy()
    for mode in ["nearest", "linear"]:
        y, pullback = upsample.vjp(upsample.interpolate, x, size=(4, 5), mode=mode)  # identity plans
        np.testing.assert_array_equal(y, x)
        assert not np.shares_memory(y, x)
        g = np.ones(y.shape)
        g.setflags(write=False)
        (gx,) = pullback(g)
        assert not np.shares_memory(gx, g)
    np.testing.assert_array_equal(x, before)


def test_pullback_checks_the_gradient_shape(rng):
    _, pullback = upsample.vjp(upsample.interpolate, rng.standard_normal((1, 1, 3)), size=6)
    with pytest.raises(ValueError, match=r"interpolate: the output gradient must have shape \(1, 1, 6\)"):
        pullback(np.ones((1, 1, 5)))


# --------------------------------------------------------------------------- bad input

X = np.ones((1, 2, 5, 5))

BAD_INPUT = [
    # (call, exception, fragments that must appear in the message)
    (
        lambda: upsample.interpolate(X, scale_factor=0),
        ValueError,
        ["interpolate", "scale_factor", "> 0", "0.0"],
    ),
    (lambda: upsample.interpolate(X, scale_factor=-2), ValueError, ["interpolate", "scale_factor", "-2.0"]),
    (
        lambda: upsample.interpolate(X, scale_factor=float("nan")),
        ValueError,
        ["interpolate", "scale_factor", "nan"],
    ),
    (
        lambda: upsample.interpolate(X, scale_factor=(2, float("inf"))),
        ValueError,
        ["interpolate", "scale_factor", "inf"],
    ),
    (
        lambda: upsample.interpolate(X, scale_factor=(2, 2, 2)),
        ValueError,
        ["interpolate", "scale_factor", "2 numbers"],
    ),
    (lambda: upsample.interpolate(X, scale_factor="2"), TypeError, ["interpolate", "scale_factor", "'2'"]),
    (
        lambda: upsample.interpolate(X, scale_factor=0.1),
        ValueError,
        ["interpolate", "scale_factor", "empty", "floor(5 * 0.1)"],
    ),
    (
        lambda: upsample.interpolate(X, size=4, scale_factor=2),
        ValueError,
        ["interpolate", "size", "scale_factor", "both"],
    ),
    (lambda: upsample.interpolate(X), ValueError, ["interpolate", "size", "scale_factor", "neither"]),
    (lambda: upsample.interpolate(X, size=(4, 4, 4)), ValueError, ["interpolate", "size", "2 ints"]),
    (lambda: upsample.interpolate(X, size=0), ValueError, ["interpolate", "size", ">= 1", "0"]),
    (lambda: upsample.interpolate(X, size=(3, 0)), ValueError, ["interpolate", "size", ">= 1", "(3, 0)"]),
    (lambda: upsample.interpolate(X, size=2.5), TypeError, ["interpolate", "size", "integer", "2.5"]),
    (
        lambda: upsample.interpolate(X, size=4, align_corners=True),
        ValueError,
        ["interpolate", "align_corners", "'nearest'", "interpolating modes"],
    ),
    (
        lambda: upsample.interpolate(X, size=4, mode="area", align_corners=False),
        ValueError,
        ["interpolate", "align_corners", "'area'"],
    ),
    (
        lambda: upsample.interpolate(X, size=4, mode="linear", align_corners="yes"),
        TypeError,
        ["interpolate", "align_corners", "'yes'"],
    ),
    (
        lambda: upsample.interpolate(X, size=4, mode="bilinearr"),
        ValueError,
        [
            "interpolate",
            "mode",
            "'bilinearr'",
            "'nearest'",
            "'nearest-exact'",
            "'linear'",
            "'cubic'",
            "'area'",
            "'bilinear'",
            "'trilinear'",
            "'bicubic'",
        ],
    ),
    (lambda: upsample.interpolate(X, size=4, mode=None), ValueError, ["interpolate", "mode", "None"]),
    (
        lambda: upsample.interpolate(X, size=4, antialias=True),
        ValueError,
        ["interpolate", "antialias", "'nearest'"],
    ),
    (
        lambda: upsample.interpolate(X, size=4, recompute_scale_factor=True),
        ValueError,
        ["interpolate", "recompute_scale_factor", "size"],
    ),
    (
        lambda: upsample.interpolate(np.ones((5, 5)), size=4),
        ValueError,
        ["interpolate", "x", "at least 3", "(5, 5)"],
    ),
    (
        lambda: upsample.interpolate(np.ones((1, 2, 0, 3)), size=4),
        ValueError,
        ["interpolate", "x", "non-empty", "(1, 2, 0, 3)"],
    ),
    (lambda: upsample.interpolate(X.astype(bool), size=4), TypeError, ["interpolate", "x", "dtype", "bool"]),
    (lambda: upsample.interpolate(X.astype(complex), size=4), TypeError, ["interpolate", "x", "complex"]),
    (lambda: upsample.interpolate("image", size=4), TypeError, ["interpolate", "x", "'image'"]),
    (
        lambda: upsample.interpolate(X, scale_factor=1e6),
        ValueError,
        ["interpolate", "output of shape (1, 2, 5000000, 5000000)", "size limit"],
    ),
    (lambda: upsample.nearest(X, 0), ValueError, ["nearest", "scale_factor", "> 0"]),
    (lambda: upsample.nearest(X), ValueError, ["nearest", "size", "scale_factor", "neither"]),
    (lambda: upsample.nearest(X, size=(2, 2, 2)), ValueError, ["nearest", "size", "2 ints"]),
    (lambda: upsample.bilinear(X, 2, align_corners=None), TypeError, ["bilinear", "align_corners", "None"]),
    (lambda: upsample.bilinear(X, float("inf")), ValueError, ["bilinear", "scale_factor", "inf"]),
    (lambda: upsample.bilinear(np.ones(3), 2), ValueError, ["bilinear", "x", "at least 3"]),
    (lambda: sampling_plan(0, 3), ValueError, ["sampling_plan", "in_size", ">= 1"]),
    (lambda: sampling_plan(3, 3, "cube"), ValueError, ["sampling_plan", "mode", "'cube'"]),
    (
        lambda: sampling_plan(3, 3, "area", antialias=True),
        ValueError,
        ["sampling_plan", "antialias", "'area'"],
    ),
    (
        lambda: sampling_plan(3, 3, "nearest", align_corners=True),
        ValueError,
        ["sampling_plan", "align_corners"],
    ),
    (lambda: sampling_plan(3, 3, dtype=np.int32), TypeError, ["sampling_plan", "dtype", "int32"]),
    (lambda: sampling_plan(3, 3, scale_factor=0), ValueError, ["sampling_plan", "scale_factor"]),
]


@pytest.mark.parametrize("call, exception, fragments", BAD_INPUT)
def test_bad_input_is_refused_clearly(call, exception, fragments):
    assert_refused(call, exception, fragments)


def test_size_limit_is_checked_before_any_work():
    # refused before the plans (5e6 rows each) or the output are built
    shape = r"\(1, 1, 5000000, 5000000, 5000000\)"
    with pytest.raises(ValueError, match=rf"interpolate: the output of shape {shape}"):
        upsample.interpolate(np.ones((1, 1, 5, 5, 5)), scale_factor=1e6, mode="cubic")
    with upsample.size_limit(1000):
        with pytest.raises(ValueError, match=r"interpolate: the output of shape \(1, 2, 20, 20\)"):
            upsample.interpolate(X, scale_factor=4, mode="linear")
