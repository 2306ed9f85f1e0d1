"""The generic dot-product test: for every linear op, vdot(op(x), y) == vdot(x, vjp(y)) in float64.

It also checks that each op's VJP is the op it names as its adjoint: conv_transpose's
forward is conv's input-gradient, pixel_shuffle's VJP is pixel_unshuffle, and so on.
"""

import numpy as np
import pytest

import upsample
from upsample.ops import OPS

rng = np.random.default_rng(7)
X = rng.standard_normal((2, 4, 5, 6))
X3 = rng.standard_normal((1, 8, 3, 2, 4))

# One or more example calls per linear op: (x, extra positional args, keyword args).
EXAMPLES = {
    "conv": [
        (
            X,
            (rng.standard_normal((6, 2, 3, 2)),),
            dict(stride=(2, 1), padding=((1, 0), (2, 1)), dilation=(1, 2), groups=2),
        ),
        (X, (rng.standard_normal((3, 4, 3, 3)),), dict(padding=2, padding_mode="reflect")),
        (X, (rng.standard_normal((3, 4, 3, 3)),), dict(padding=(1, 3), padding_mode="circular")),
        (X, (rng.standard_normal((3, 4, 2, 2)),), dict(padding=(2, 1), padding_mode="replicate")),
        (X3, (rng.standard_normal((2, 8, 2, 2, 3)),), dict(stride=2, padding="same")),
    ],
    "conv_transpose": [
        (X, (rng.standard_normal((4, 3, 3, 3)),), dict(stride=2, padding=1, output_padding=1)),
        (
            X,
            (rng.standard_normal((4, 1, 3, 2)),),
            dict(stride=(1, 3), dilation=(2, 1), groups=4, padding="same"),
        ),
        (X3, (rng.standard_normal((8, 2, 2, 3, 2)),), dict(stride=2, padding=((0, 1), (1, 1), (0, 0)))),
    ],
    "bed_of_nails": [(X, (2,), {}), (X, ((3, 2),), dict(offset=(1, 1), size=(14, 13))), (X3, (2,), {})],
    "subsample": [(X, (2,), {}), (X, ((3, 2),), dict(offset=(2, 1)))],
    "pixel_shuffle": [(X, (2,), {}), (X3, (2,), {})],
    "pixel_unshuffle": [(rng.standard_normal((2, 3, 4, 6)), (2,), {}), (X, ((5, 3),), {})],
    # repeated indices included: the adjoint of "last write wins" gathers only at the winner
    "interpolate": [
        (X, (), dict(size=(7, 3), mode="cubic")),
        (X, (), dict(scale_factor=1.5, mode="linear")),
        (X, (), dict(size=(3, 4), mode="area")),
        (X, (), dict(size=(3, 4), mode="linear", antialias=True)),
        (X3, (), dict(scale_factor=(2, 1.5, 0.5), mode="nearest-exact")),
        (X, (), dict(size=(9, 11), mode="linear", align_corners=True)),
        # other frameworks' conventions and ONNX's options: the same plans, transposed
        (X, (), dict(size=(3, 13), mode="cubic", convention="tf2")),
        (X, (), dict(size=(2, 3), mode="lanczos3", convention="jax")),
        (X3, (), dict(size=(5, 1, 7), mode="lanczos5", convention="jax", antialias=False)),
        (X, (), dict(size=(7, 4), mode="area", convention="opencv")),
        (X, (), dict(size=(3, 4), mode="area", convention="tf1", align_corners=True)),
        (
            X,
            (),
            dict(
                size=(9, 2),
                mode="nearest",
                convention="onnx",
                nearest_mode="ceil",
                coordinate_transformation_mode="asymmetric",
            ),
        ),
        (X3, (), dict(size=(4, 3, 6), mode="cubic", convention="onnx", exclude_outside=True, antialias=True)),
        (
            X,
            (),
            dict(
                size=(4, 9),
                mode="linear",
                convention="onnx",
                coordinate_transformation_mode="tf_crop_and_resize",
                roi=[(0.2, 1.2), (-0.1, 0.6)],
            ),
        ),
    ],
    "nearest": [(X, (2,), {}), (X3, (1.5,), {})],
    "bilinear": [
        (X, (2,), {}),
        (X3, (), dict(size=(5, 4, 3), align_corners=True)),
        (X, (), dict(size=(7, 3), convention="tf1")),
    ],
    "avg_pool": [
        (X, (2,), {}),
        (X, ((3, 2),), dict(stride=(2, 1), padding=1, ceil_mode=True)),
        (X, (3,), dict(stride=2, padding=1, count_include_pad=False)),
        (X3, ((2, 1, 3),), dict(stride=1, divisor_override=5)),
    ],
    "max_unpool": [
        (X, (rng.integers(0, 120, size=X.shape), 2), {}),
        (X3, (rng.integers(0, 6 * 4 * 8, size=X3.shape), 2), {}),
    ],
}


def test_every_linear_op_has_an_example():
    linear = {name for name, op in OPS.items() if op.linear}
    assert linear <= set(EXAMPLES), f"add adjoint examples for {sorted(linear - set(EXAMPLES))}"


@pytest.mark.parametrize("name, example", [(n, e) for n, examples in EXAMPLES.items() for e in examples])
def test_dot_product(name, example):
    op = OPS[name]
    x, extra, kwargs = example
    y, pullback = upsample.vjp(op.forward, x, *extra, **kwargs)
    probe = rng.standard_normal(y.shape)
    (gx, *_) = pullback(probe)
    assert gx.shape == x.shape
    lhs, rhs = np.vdot(y, probe), np.vdot(x, gx)
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs)), (lhs, rhs)


def test_conv_transpose_is_the_input_gradient_of_conv():
    w = rng.standard_normal((6, 2, 3, 2))
    kw = dict(stride=(2, 3), padding=(1, 0), dilation=(1, 2), groups=2)
    y, pullback = upsample.vjp(upsample.conv, X, w, **kw)
    probe = rng.standard_normal(y.shape)
    extra = tuple(
        np.array(X.shape[2:])
        - np.array(
            upsample.shapes.conv_transpose_output_size(
                y.shape[2:], w.shape[2:], kw["stride"], kw["padding"], 0, kw["dilation"]
            )
        )
    )
    np.testing.assert_allclose(
        pullback(probe)[0], upsample.conv_transpose(probe, w, output_padding=extra, **kw), atol=1e-12
    )


@pytest.mark.parametrize(
    "name",
    [
        n
        for n, op in OPS.items()
        if op.adjoint_of in OPS and n in ("bed_of_nails", "subsample", "pixel_shuffle", "pixel_unshuffle")
    ],
)
def test_vjp_is_the_named_adjoint_op(name):
    op, partner = OPS[name], OPS[OPS[name].adjoint_of]
    x, extra, _ = EXAMPLES[name][0]
    y, pullback = upsample.vjp(op.forward, x, *extra)
    probe = rng.standard_normal(y.shape)
    expected = (
        partner.forward(probe, *extra)
        if name not in ("subsample",)
        else upsample.bed_of_nails(probe, *extra, size=x.shape[2:])
    )
    np.testing.assert_array_equal(pullback(probe)[0], expected)
