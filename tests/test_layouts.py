"""Layouts: channels-last data, TensorFlow's depth order and TF/Keras/JAX kernels.

(a) For every op in the table, ``data_format="channels_last"`` is exactly ``moveaxis`` of
    the channels-first result, values and every gradient, 1-D to 3-D.
(b) The real TensorFlow, Keras and JAX ops, in their own NHWC layouts, against upsample
    with ``data_format="channels_last"`` and the converted kernels.
(c) Bad ``data_format`` and ``order`` values.

Tolerance of (b): the inputs are float32 and upsample computes in float64 from them, so
its result is exact to about 1e-15; TensorFlow (oneDNN) and XLA compute in float32 with
their own summation order. Each output sums at most C_in * prod(k) <= 200 products of
standard normals, so their float32 rounding is a few ulps of the largest partial sums:
``rtol=1e-5`` with ``atol=1e-5`` (values are of order 1-30) covers it, and a wrong tap,
crop or channel order is off by order 1. Permutations (depth_to_space, pooling,
nearest) are compared exactly.
"""

from __future__ import annotations

import inspect
import itertools
import os

import numpy as np
import pytest

import required
import upsample
from expect import assert_refused
from upsample import ops

rng = np.random.default_rng(11)


# --------------------------------------------------------------------------- (a) every op


class Channels:
    """Marks an extra positional argument that carries a channel axis (max_unpool's indices)."""

    def __init__(self, value: np.ndarray) -> None:
        self.value = value


def _x(*shape):
    return rng.standard_normal(shape)


X1, X2, X3 = _x(2, 4, 7), _x(2, 4, 5, 6), _x(1, 8, 3, 4, 4)
_, IDX2 = upsample.max_pool(_x(2, 4, 10, 12), 2, return_indices=True)
_, IDX3 = upsample.max_pool(_x(1, 8, 6, 8, 8), 2, return_indices=True)

#: (x, extra positional args, keyword args); a Channels(...) extra is moved like x.
EXAMPLES = {
    "conv": [
        (X1, (_x(6, 2, 3),), dict(stride=2, padding=1, groups=2)),
        (X2, (_x(6, 2, 3, 2), _x(6)), dict(stride=(2, 1), padding="same", dilation=(1, 2), groups=2)),
        (X3, (_x(2, 8, 2, 2, 3),), dict(stride=2, padding="valid")),
    ],
    "conv_transpose": [
        (X1, (_x(4, 3, 3),), dict(stride=2, padding=1, output_padding=1)),
        (X2, (_x(4, 3, 3, 3), _x(3)), dict(stride=2, padding="same")),
        (X2, (_x(4, 2, 3, 3),), dict(stride=2, output_size=(2, 12, 14, 2))),
        (X3, (_x(8, 1, 2, 3, 2),), dict(stride=2, padding="valid", groups=2)),
    ],
    "bed_of_nails": [(X1, (2,), {}), (X2, ((3, 2),), dict(offset=(1, 1), size=(16, 13))), (X3, (2,), {})],
    "subsample": [(X1, (2,), dict(offset=1)), (X2, ((3, 2),), {}), (X3, (2,), {})],
    "pixel_shuffle": [
        (_x(2, 6, 5), (3,), {}),
        (X2, (2,), {}),
        (X2, (2,), dict(order="dcr")),
        (X3, (2,), dict(order="dcr")),
    ],
    "pixel_unshuffle": [
        (_x(2, 3, 6), (2,), dict(order="dcr")),
        (_x(2, 3, 4, 6), (2,), {}),
        (_x(2, 3, 4, 6), (2,), dict(order="dcr")),
        (_x(1, 2, 4, 2, 4), (2,), {}),
    ],
    "max_pool": [
        (X1, (3,), dict(stride=2, padding=1)),
        (X2, (2,), dict(return_indices=True)),
        (X3, ((2, 2, 3),), dict(stride=1, ceil_mode=True)),
    ],
    "avg_pool": [
        (X1, (3,), dict(stride=2, padding=1)),
        (X2, (2,), dict(count_include_pad=False)),
        (X3, ((2, 2, 3),), dict(stride=1, ceil_mode=True)),
    ],
    "max_unpool": [
        (_x(2, 4, 5, 6), (Channels(IDX2), 2), {}),
        (_x(2, 4, 5, 6), (Channels(IDX2), 2), dict(output_size=(2, 11, 13, 4))),
        (_x(1, 8, 3, 4, 4), (Channels(IDX3), 2), {}),
    ],
    "interpolate": [
        (X1, (), dict(scale_factor=2.5, mode="linear")),
        (X2, (), dict(size=(7, 3), mode="bicubic")),
        (X3, (), dict(scale_factor=(2, 1.5, 0.5), mode="nearest-exact")),
    ],
    "nearest": [(X1, (3,), {}), (X2, (2,), {}), (X3, (1.5,), {})],
    "bilinear": [(X1, (2,), {}), (X2, (), dict(size=(9, 4), align_corners=True)), (X3, (2,), {})],
}

CASES = [(name, i) for name, examples in EXAMPLES.items() for i in range(len(examples))]


def _last(a):
    return np.moveaxis(a, 1, -1)


def _first(a):
    return np.moveaxis(a, -1, 1)


def _call_args(x, extra, layout):
    """The positional arguments in one layout: x and every Channels(...) extra moved."""
    move = _last if layout == "channels_last" else (lambda a: a)
    return [move(x), *(move(e.value) if isinstance(e, Channels) else e for e in extra)]


def test_every_op_has_an_example_and_takes_data_format():
    assert set(ops.OPS) <= set(EXAMPLES), f"add examples for {sorted(set(ops.OPS) - set(EXAMPLES))}"
    for op in ops.OPS.values():
        for fn in (op.forward, op.vjp):
            parameter = inspect.signature(fn).parameters["data_format"]
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
            assert parameter.default == "channels_first"
        assert "data_format" in op.forward.__doc__, f"{op.name}'s docstring does not name data_format"
        assert ops.by_function(op.forward) is op


@pytest.mark.parametrize("name, i", CASES)
def test_channels_last_is_moveaxis_of_channels_first(name, i):
    op = ops.OPS[name]
    x, extra, kwargs = EXAMPLES[name][i]
    kwargs_last = dict(kwargs)
    first_kwargs = dict(kwargs)
    if "output_size" in kwargs and len(kwargs["output_size"]) == x.ndim:  # given channels-last
        n, *spatial, c = kwargs["output_size"]
        first_kwargs["output_size"] = (n, c, *spatial)
    expected = op.forward(*_call_args(x, extra, "channels_first"), **first_kwargs)
    got = op.forward(*_call_args(x, extra, "channels_last"), data_format="channels_last", **kwargs_last)
    for e, g in zip(*(v if isinstance(v, tuple) else (v,) for v in (expected, got))):
        assert g.dtype == e.dtype
        assert g.flags.c_contiguous, "a channels-last output is a real channels-last array"
        np.testing.assert_array_equal(g, _last(e))

    # the VJP: a channels-last cotangent in, channels-last gradients of x out, weights as they are
    y, pullback = upsample.vjp(op.forward, *_call_args(x, extra, "channels_first"), **first_kwargs)
    y_last, pullback_last = upsample.vjp(
        op.forward, *_call_args(x, extra, "channels_last"), data_format="channels_last", **kwargs_last
    )
    values = y[0] if isinstance(y, tuple) else y
    np.testing.assert_array_equal(y_last[0] if isinstance(y_last, tuple) else y_last, _last(values))
    cotangent = rng.standard_normal(values.shape)
    grads = pullback(cotangent)
    grads_last = pullback_last(_last(cotangent))
    assert len(grads) == len(grads_last)
    for position, (g, g_last) in enumerate(zip(grads, grads_last)):
        if op.inputs[position] == "x":
            assert g_last.flags.c_contiguous
            np.testing.assert_array_equal(g_last, _last(g))
        else:  # weight and bias keep their layout
            np.testing.assert_array_equal(g_last, g)


def test_channels_last_accepts_views_and_lists_and_leaves_inputs_alone():
    x = _x(2, 5, 6, 3)
    base = x.copy()
    w = _x(4, 3, 3, 3)
    expected = upsample.conv(x, w, data_format="channels_last")
    strided = np.ascontiguousarray(np.moveaxis(x, -1, 1)).transpose(0, 2, 3, 1)  # not contiguous
    assert not strided.flags.c_contiguous
    np.testing.assert_array_equal(upsample.conv(strided, w, data_format="channels_last"), expected)
    np.testing.assert_array_equal(upsample.conv(x.tolist(), w, data_format="channels_last"), expected)
    np.testing.assert_array_equal(x, base)


def test_channels_last_keeps_dtypes_and_empty_batches():
    image = rng.integers(0, 256, size=(2, 3, 4, 3)).astype(np.uint8)
    y = upsample.nearest(image, 2, data_format="channels_last")
    assert y.dtype == np.uint8 and y.flags.c_contiguous
    np.testing.assert_array_equal(y, _last(upsample.nearest(_first(image), 2)))
    empty = upsample.conv(np.zeros((0, 5, 5, 3)), np.ones((2, 3, 3, 3)), data_format="channels_last")
    assert empty.shape == (0, 3, 3, 2)


def test_help_shows_data_format():
    import pydoc

    text = pydoc.render_doc(upsample.conv_transpose, renderer=pydoc.plaintext)
    assert "data_format: 'str' = 'channels_first'" in text
    assert "order: 'str' = 'crd'" in str(inspect.signature(upsample.pixel_shuffle))


def test_dcr_order_is_tensorflows_channel_layout():
    # output channel c at block offset (i, j) reads input channel (i*r + j)*C + c
    r, c = 2, 3
    x = np.arange(2 * r * r * c * 2 * 3).reshape(2, r * r * c, 2, 3)
    y = upsample.pixel_shuffle(x, r, order="dcr")
    for ch, i, j, h, w in itertools.product(range(c), range(r), range(r), range(2), range(3)):
        assert y[1, ch, h * r + i, w * r + j] == x[1, (i * r + j) * c + ch, h, w]
    np.testing.assert_array_equal(upsample.pixel_unshuffle(y, r, order="dcr"), x)


# --------------------------------------------------------------------------- (c) bad input


@pytest.mark.parametrize("value", ["NHWC", "channels-last", None, 1, "CHANNELS_LAST"])
def test_bad_data_format_is_refused_naming_op_and_values(value):
    for name, (x, extra, kwargs) in ((n, e[0]) for n, e in EXAMPLES.items()):
        fn = ops.OPS[name].forward
        args = _call_args(x, extra, "channels_first")
        assert_refused(
            lambda: fn(*args, data_format=value, **kwargs),
            ValueError,
            [f"{name}: data_format must be one of", "'channels_first'", "'channels_last'", f"got {value!r}"],
        )
        assert_refused(
            lambda: ops.OPS[name].vjp(*args, data_format=value, **kwargs),
            ValueError,
            [f"{name}: data_format must be one of", f"got {value!r}"],
        )


def test_bad_order_and_shapes_are_refused():
    x = _x(1, 8, 2, 2)
    assert_refused(
        lambda: upsample.pixel_shuffle(x, 2, order="DCR"),
        ValueError,
        ["pixel_shuffle: order must be one of 'crd', 'dcr'", "got 'DCR'"],
    )
    assert_refused(
        lambda: upsample.conv(np.ones((3, 4)), np.ones((1, 1, 2)), data_format="channels_last"),
        ValueError,
        ["conv: x must have at least 3 dimensions (N, *spatial, C)", "(3, 4)"],
    )
    assert_refused(
        lambda: upsample.conv(np.ones((1, 5, 3)), np.ones((1, 2, 2)), data_format="channels_last"),
        ValueError,
        ["conv: x has 3 channels", "channels-first"],
    )
    assert_refused(
        lambda: upsample.pixel_shuffle(_x(1, 2, 2, 6), 2, data_format="channels_last", order="dcr"),
        ValueError,
        ["pixel_shuffle: the channels (6) must be divisible"],
    )
    assert_refused(
        lambda: upsample.conv("abc", np.ones((1, 1, 2)), data_format="channels_last"),
        TypeError,
        ["conv: x must be an array of numbers"],
    )


def test_conv_transpose_string_padding_output_size_is_checked():
    x, w = _x(1, 1, 4), _x(1, 1, 3)
    assert_refused(
        lambda: upsample.conv_transpose(x, w, stride=2, padding="same", output_size=9),
        ValueError,
        ["conv_transpose: output_size 9 cannot be reached with padding='same'", "7 <= o <= 8"],
    )
    assert_refused(
        lambda: upsample.conv_transpose(x, w, stride=2, padding="valid", output_size=8),
        ValueError,
        ["padding='valid'", "between 9 and 10"],
    )
    assert_refused(
        lambda: upsample.conv_transpose(x, w, stride=2, padding="valid", output_padding=1),
        ValueError,
        ["output_padding must be 0 with padding='valid'"],
    )


# --------------------------------------------------------------------------- (b) the real frameworks

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

TOL = dict(rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def tf():
    tf = required.module("tensorflow")
    try:  # one thread keeps TF's float32 sums in one order; only possible before TF's first op
        tf.config.threading.set_intra_op_parallelism_threads(1)
    except RuntimeError:  # another test module ran TF first: its thread count stands
        pass
    return tf


@pytest.fixture(scope="module")
def keras(tf):
    keras = required.module("keras")
    assert keras.backend.backend() == "tensorflow"
    return keras


@pytest.fixture(scope="module")
def lax():
    required.module("jax")
    from jax import lax

    return lax


def _f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def _channels_last(op, x, *args, **kwargs):
    """upsample's ``op`` on the float32 channels-last ``x``, computed in float64."""
    return op(x.astype(np.float64), *args, data_format="channels_last", **kwargs)


def _layer_output(layer, x, kernel, bias):
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    return np.asarray(layer(x))


KERAS_CONV = [
    # nd, kernel, stride, dilation, groups; run with padding valid and same
    *((2, k, s, 1, 1) for k in (1, 2, 3, 4, 5) for s in (1, 2, 3)),
    (2, 3, 1, 2, 1),
    (2, (2, 3), 1, (3, 2), 1),
    (2, 3, (1, 3), 1, 1),
    (2, 3, 2, 1, 3),
    (2, (3, 1), 1, 1, 6),
    (1, 3, 1, 1, 1),
    (1, 4, 3, 1, 1),
    (1, 3, 1, 3, 2),
    (1, 5, 2, 1, 1),
    (3, 3, 1, 1, 1),
    (3, 2, 2, 1, 1),
    (3, (3, 2, 1), (2, 1, 3), 1, 1),
    (3, 3, 1, 2, 1),
]


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("case", KERAS_CONV)
def test_keras_conv_matches(keras, case, padding):
    nd, k, s, d, groups = case
    cls = {1: keras.layers.Conv1D, 2: keras.layers.Conv2D, 3: keras.layers.Conv3D}[nd]
    c_in, c_out = 6, 6 if groups == 6 else 3 * groups
    x = _f32(2, *(9, 8, 7)[:nd], c_in)
    k = k if isinstance(k, tuple) else (k,) * nd
    kernel, bias = _f32(*k, c_in // groups, c_out), _f32(c_out)
    layer = cls(c_out, k, strides=s, padding=padding, dilation_rate=d, groups=groups)
    expected = _layer_output(layer, x, kernel, bias)
    weight = upsample.from_tf_kernel(kernel)
    ours = _channels_last(
        upsample.conv, x, weight, bias, stride=s, padding=padding, dilation=d, groups=groups
    )
    np.testing.assert_allclose(ours, expected, **TOL)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize(
    "nd, k, s, d, multiplier",
    [
        (2, 3, 1, 1, 1),
        (2, 3, 2, 1, 2),
        (2, (2, 3), (1, 2), 1, 3),
        (2, 3, 1, 2, 2),
        (1, 3, 1, 1, 2),
        (1, 4, 2, 1, 1),
        (1, 3, 1, 2, 3),
    ],
)
def test_keras_depthwise_conv_matches(keras, nd, k, s, d, multiplier, padding):
    cls = {1: keras.layers.DepthwiseConv1D, 2: keras.layers.DepthwiseConv2D}[nd]
    c_in = 4
    x = _f32(2, *(9, 8)[:nd], c_in)
    k = k if isinstance(k, tuple) else (k,) * nd
    kernel, bias = _f32(*k, c_in, multiplier), _f32(c_in * multiplier)
    layer = cls(k, strides=s, padding=padding, depth_multiplier=multiplier, dilation_rate=d)
    expected = _layer_output(layer, x, kernel, bias)
    weight = upsample.from_tf_kernel(kernel, depthwise=True)
    ours = _channels_last(upsample.conv, x, weight, bias, stride=s, padding=padding, dilation=d, groups=c_in)
    np.testing.assert_allclose(ours, expected, **TOL)
    np.testing.assert_array_equal(upsample.to_tf_kernel(weight, depth_multiplier=multiplier), kernel)


KERAS_TRANSPOSE = [
    # nd, kernel, stride, dilation
    *((2, k, s, 1) for k in (1, 2, 3, 4, 5) for s in (1, 2, 3)),
    (2, (2, 3), (3, 2), 1),
    (2, 3, 1, 2),
    (2, 2, 1, (1, 3)),
    (1, 3, 2, 1),
    (1, 1, 3, 1),
    (1, 4, 3, 1),
    (1, 3, 1, 2),
    (3, 3, 2, 1),
    (3, (2, 3, 1), (1, 2, 3), 1),
    (3, 4, 2, 1),
]


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("case", KERAS_TRANSPOSE)
def test_keras_conv_transpose_matches(keras, case, padding):
    nd, k, s, d = case
    cls = {1: keras.layers.Conv1DTranspose, 2: keras.layers.Conv2DTranspose, 3: keras.layers.Conv3DTranspose}[
        nd
    ]
    c_in, c_out = 3, 2
    x = _f32(2, *(5, 4, 3)[:nd], c_in)
    k = k if isinstance(k, tuple) else (k,) * nd
    kernel, bias = _f32(*k, c_out, c_in), _f32(c_out)  # Keras 3 stores (*k, C_out, C_in)
    layer = cls(c_out, k, strides=s, padding=padding, dilation_rate=d)
    expected = _layer_output(layer, x, kernel, bias)
    assert layer.kernel.shape == kernel.shape
    weight = upsample.from_tf_kernel(kernel)
    ours = _channels_last(upsample.conv_transpose, x, weight, bias, stride=s, padding=padding, dilation=d)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, **TOL)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize(
    "k, s, output_padding",
    [(3, 2, 0), (3, 2, 1), (4, 3, 2), (5, 2, 1), (4, 2, 0), (4, 2, 1), (2, 3, 1), (1, 2, 1)],
)
def test_keras_conv_transpose_output_padding_is_an_output_size(keras, k, s, output_padding, padding):
    # Keras turns output_padding into tf.nn.conv_transpose's output_shape:
    # (i-1)*s + k - 2*pad + output_padding, pad = k // 2 for "same" and 0 for "valid"
    x = _f32(1, 4, 5, 3)
    kernel, bias = _f32(k, k, 2, 3), _f32(2)
    layer = keras.layers.Conv2DTranspose(2, k, strides=s, padding=padding, output_padding=output_padding)
    pad = k // 2 if padding == "same" else 0
    size = [(i - 1) * s + k - 2 * pad + output_padding for i in x.shape[1:3]]
    weight = upsample.from_tf_kernel(kernel)
    try:
        expected = _layer_output(layer, x, kernel, bias)
    except Exception as error:  # an output_shape TensorFlow cannot reach: upsample refuses it too
        with pytest.raises(ValueError, match="cannot be reached"):
            upsample.conv_transpose(
                x, weight, bias, stride=s, padding=padding, output_size=size, data_format="channels_last"
            )
        assert "output" in str(error).lower() or "shape" in str(error).lower()
        return
    ours = _channels_last(
        upsample.conv_transpose, x, weight, bias, stride=s, padding=padding, output_size=size
    )
    np.testing.assert_allclose(ours, expected, **TOL)


def _reachable(padding, i, k, s, d=1):
    """Every output size tf.nn.conv_transpose accepts for one dim."""
    full = (i - 1) * s + d * (k - 1) + 1
    return range((i - 1) * s + 1, i * s + 1) if padding == "same" else range(full, full + s)


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("k, s", [(1, 1), (2, 2), (3, 2), (4, 2), (3, 3), (5, 3), (1, 3), (2, 4)])
def test_tf_conv2d_transpose_every_output_shape(tf, k, s, padding):
    x = _f32(2, 3, 4, 3)
    kernel = _f32(k, k + 1, 2, 3)
    weight = upsample.from_tf_kernel(kernel)
    for h, w in itertools.product(
        _reachable(padding.lower(), 3, k, s), _reachable(padding.lower(), 4, k + 1, s)
    ):
        shape = (2, h, w, 2)
        expected = tf.nn.conv2d_transpose(x, kernel, shape, s, padding).numpy()
        ours = _channels_last(
            upsample.conv_transpose, x, weight, stride=s, padding=padding.lower(), output_size=shape
        )
        np.testing.assert_allclose(ours, expected, **TOL, err_msg=f"output_shape {shape}")


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
def test_tf_conv1d_and_conv3d_transpose_output_shapes(tf, padding):
    x1, k1 = _f32(2, 5, 3), _f32(3, 2, 3)
    for o in _reachable(padding.lower(), 5, 3, 2):
        expected = tf.nn.conv1d_transpose(x1, k1, (2, o, 2), 2, padding).numpy()
        ours = _channels_last(
            upsample.conv_transpose,
            x1,
            upsample.from_tf_kernel(k1),
            stride=2,
            padding=padding.lower(),
            output_size=o,
        )
        np.testing.assert_allclose(ours, expected, **TOL)
    x3, k3 = _f32(1, 3, 2, 3, 2), _f32(2, 3, 1, 3, 2)
    stride = (2, 1, 3)
    sizes = [_reachable(padding.lower(), i, k, s) for i, k, s in zip((3, 2, 3), (2, 3, 1), stride)]
    for size in itertools.product(*sizes):
        expected = tf.nn.conv3d_transpose(x3, k3, (1, *size, 3), (1, *stride, 1), padding).numpy()
        ours = _channels_last(
            upsample.conv_transpose,
            x3,
            upsample.from_tf_kernel(k3),
            stride=stride,
            padding=padding.lower(),
            output_size=size,
        )
        np.testing.assert_allclose(ours, expected, **TOL, err_msg=f"output_shape {size}")


@pytest.mark.parametrize("block", [2, 3])
def test_tf_depth_to_space_and_space_to_depth(tf, block):
    x = rng.integers(-100, 100, size=(2, 3, 4, block * block * 5)).astype(np.float32)
    expected = tf.nn.depth_to_space(x, block).numpy()
    ours = upsample.pixel_shuffle(x, block, order="dcr", data_format="channels_last")
    np.testing.assert_array_equal(ours, expected)
    back = tf.nn.space_to_depth(expected, block).numpy()
    np.testing.assert_array_equal(
        upsample.pixel_unshuffle(expected, block, order="dcr", data_format="channels_last"), back
    )
    np.testing.assert_array_equal(back, x)
    # and PyTorch's order is a different permutation of the same channels
    assert not np.array_equal(upsample.pixel_shuffle(x, block, data_format="channels_last"), expected)


@pytest.mark.parametrize(
    "k, s, size, padding",
    [
        (2, 2, (6, 8), "VALID"),
        (3, 2, (7, 9), "VALID"),
        (3, 2, (7, 9), "SAME"),
        (3, 1, (5, 6), "SAME"),
        ((2, 3), (1, 2), (5, 7), "VALID"),
    ],
)
def test_tf_max_pool_with_argmax(tf, k, s, size, padding):
    # tie-free input; "SAME" here pads symmetrically, which is upsample's padding=k//2
    c = 3
    x = rng.permutation(2 * np.prod(size) * c).reshape(2, *size, c).astype(np.float32)
    values, argmax = (
        t.numpy() for t in tf.nn.max_pool_with_argmax(x, k, s, padding, include_batch_in_index=False)
    )
    kk = k if isinstance(k, tuple) else (k, k)
    pad = tuple(q // 2 for q in kk) if padding == "SAME" else 0
    ours, indices = upsample.max_pool(
        x, k, stride=s, padding=pad, return_indices=True, data_format="channels_last"
    )
    np.testing.assert_array_equal(ours, values)
    # TensorFlow flattens (h, w, c) of the NHWC input, upsample (h, w) of each channel's plane
    channel = np.arange(c)
    np.testing.assert_array_equal(indices * c + channel, argmax)
    _, argmax_batch = tf.nn.max_pool_with_argmax(x, k, s, padding, include_batch_in_index=True)
    batch = np.arange(2).reshape(2, 1, 1, 1)
    np.testing.assert_array_equal((batch * np.prod(size) + indices) * c + channel, argmax_batch.numpy())


@pytest.mark.parametrize("nd, factor", [(1, 3), (2, 2), (2, (2, 3)), (3, (1, 2, 2))])
def test_keras_upsampling_nearest_and_bilinear(keras, nd, factor):
    cls = {1: keras.layers.UpSampling1D, 2: keras.layers.UpSampling2D, 3: keras.layers.UpSampling3D}[nd]
    x = _f32(2, *(4, 5, 3)[:nd], 3)
    expected = np.asarray(cls(factor)(x))
    np.testing.assert_array_equal(upsample.nearest(x, factor, data_format="channels_last"), expected)
    if nd == 2:  # Keras' bilinear is tf.image.resize: half-pixel centres, no antialias when upsampling
        expected = np.asarray(keras.layers.UpSampling2D(factor, interpolation="bilinear")(x))
        ours = _channels_last(upsample.bilinear, x, factor)
        np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)


def test_keras_max_pooling(keras):
    x = rng.permutation(2 * 7 * 8 * 3).reshape(2, 7, 8, 3).astype(np.float32)
    expected = np.asarray(keras.layers.MaxPooling2D(3, strides=2)(x))
    np.testing.assert_array_equal(upsample.max_pool(x, 3, stride=2, data_format="channels_last"), expected)


# ---- JAX


def _jax_transpose_padding(pairs, k, d=1):
    """lax.conv_transpose's explicit (lo, hi) pads of the dilated input as upsample's crops.

    JAX pads the zero-inserted input by (lo, hi) and correlates, so the full transposed
    convolution is the padding (d*(k-1), d*(k-1)); less padding crops the difference.
    A high pad beyond that appends zeros: upsample's output_padding.
    """
    reach = [d_ * (k_ - 1) for k_, d_ in zip(k, d)]
    crops = tuple((r - lo, max(r - hi, 0)) for (lo, hi), r in zip(pairs, reach))
    extra = tuple(max(hi - r, 0) for (_, hi), r in zip(pairs, reach))
    return crops, extra


def _lax_nhwc(fn, x, rhs, s, padding, d, **kwargs):
    """A lax convolution ``fn`` of NHWC data with an HWIO kernel, as a NumPy array."""
    return np.asarray(
        fn(x, rhs, s, padding, rhs_dilation=d, dimension_numbers=("NHWC", "HWIO", "NHWC"), **kwargs)
    )


JAX_TRANSPOSE = [
    ((3, 3), (2, 2), (1, 1)),
    ((4, 4), (2, 2), (1, 1)),
    ((1, 2), (3, 3), (1, 1)),
    ((2, 3), (1, 2), (1, 1)),
    ((3, 2), (2, 1), (2, 1)),
    ((3, 3), (1, 1), (2, 2)),
]
JAX_PADDING = ["SAME", "VALID", ((1, 2), (0, 1)), ((2, 3), (2, 2))]


def _expressible(k, s, d, padding):
    """Explicit JAX pads whose low side stays within the full transposed convolution (upsample
    crops, and appends zeros only at the end: a low pad beyond d*(k-1) would prepend zeros)."""
    if isinstance(padding, str):
        return True
    crops, extra = _jax_transpose_padding(padding, k, d)
    return all(lo >= 0 for lo, _ in crops) and all(e < max(s_, d_) for e, s_, d_ in zip(extra, s, d))


@pytest.mark.parametrize("transpose_kernel", [True, False])
@pytest.mark.parametrize(
    "k, s, d, padding", [(*case, p) for case in JAX_TRANSPOSE for p in JAX_PADDING if _expressible(*case, p)]
)
def test_jax_conv_transpose(lax, k, s, d, padding, transpose_kernel):
    x = _f32(2, 5, 6, 3)
    # HWIO, where transpose_kernel=True reads I as the output channels (Keras' layout)
    rhs = _f32(*k, 4, 3) if transpose_kernel else _f32(*k, 3, 4)
    if transpose_kernel:
        weight = upsample.from_tf_kernel(rhs)
    else:  # not the adjoint's kernel: a plain correlation, so the taps come flipped
        weight = np.flip(np.moveaxis(rhs, (-2, -1), (0, 1)), axis=(2, 3))
    if isinstance(padding, str):
        settings = dict(padding=padding.lower())
    else:
        crops, extra = _jax_transpose_padding(padding, k, d)
        settings = dict(padding=crops, output_padding=extra)
    expected = _lax_nhwc(lax.conv_transpose, x, rhs, s, padding, d, transpose_kernel=transpose_kernel)
    ours = _channels_last(upsample.conv_transpose, x, weight, stride=s, dilation=d, **settings)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, **TOL)


@pytest.mark.parametrize("padding", ["SAME", "VALID", ((1, 0), (2, 1))])
@pytest.mark.parametrize(
    "k, s, d, groups",
    [
        ((3, 3), (1, 1), (1, 1), 1),
        ((3, 2), (2, 3), (1, 2), 1),
        ((4, 4), (2, 2), (1, 1), 2),
        ((2, 3), (1, 1), (3, 1), 6),
        ((5, 1), (3, 1), (1, 1), 3),
    ],
)
def test_jax_conv_general_dilated_nhwc(lax, k, s, d, groups, padding):
    x = _f32(2, 9, 8, 6)
    rhs = _f32(*k, 6 // groups, 6)
    expected = _lax_nhwc(lax.conv_general_dilated, x, rhs, s, padding, d, feature_group_count=groups)
    ours = _channels_last(
        upsample.conv,
        x,
        upsample.from_tf_kernel(rhs),
        stride=s,
        padding=padding.lower() if isinstance(padding, str) else padding,
        dilation=d,
        groups=groups,
    )
    np.testing.assert_allclose(ours, expected, **TOL)


def test_jax_conv_general_dilated_1d_and_3d(lax):
    x1, k1 = _f32(2, 9, 4), _f32(3, 4, 5)
    expected = np.asarray(
        lax.conv_general_dilated(x1, k1, (2,), "SAME", dimension_numbers=("NWC", "WIO", "NWC"))
    )
    ours = _channels_last(upsample.conv, x1, upsample.from_tf_kernel(k1), stride=2, padding="same")
    np.testing.assert_allclose(ours, expected, **TOL)
    x3, k3 = _f32(1, 5, 6, 4, 2), _f32(2, 3, 2, 2, 3)
    expected = np.asarray(
        lax.conv_general_dilated(
            x3, k3, (1, 2, 1), "VALID", rhs_dilation=(2, 1, 1), dimension_numbers=("NDHWC", "DHWIO", "NDHWC")
        )
    )
    ours = _channels_last(
        upsample.conv, x3, upsample.from_tf_kernel(k3), stride=(1, 2, 1), dilation=(2, 1, 1)
    )
    np.testing.assert_allclose(ours, expected, **TOL)


# --------------------------------------------------------------------------- the nn layers


def _layers(data_format):
    from upsample import nn

    kw = dict(data_format=data_format)
    return [
        nn.Conv(4, 6, 3, stride=2, padding=1, groups=2, rng=0, dtype=np.float64, **kw),
        nn.ConvTranspose(4, 2, 4, stride=2, padding="same", rng=1, dtype=np.float64, **kw),
        nn.SubPixel(4, 2, 3, 2, rng=2, dtype=np.float64, **kw),
        nn.SubPixel(4, 2, 3, 2, rng=2, dtype=np.float64, order="dcr", **kw),
        nn.Upsample(scale_factor=2, mode="bilinear", **kw),
        nn.BedOfNails(2, offset=1, **kw),
        nn.PixelShuffle(2, order="dcr", **kw),
        nn.PixelUnshuffle(2, **kw),
        nn.MaxPool(2, **kw),
        nn.Sequential(pool := nn.MaxPool(2, stride=2, **kw), nn.MaxUnpool(2, indices_from=pool, **kw)),
    ]


@pytest.mark.parametrize("i", range(len(_layers("channels_first"))))
def test_nn_layers_channels_last_are_moveaxis(i):
    first, last = _layers("channels_first")[i], _layers("channels_last")[i]
    x = rng.standard_normal((2, 4, 8, 6))
    y = first(x)
    y_last = last(_last(x))
    np.testing.assert_array_equal(y_last, _last(y))
    g = rng.standard_normal(y.shape)
    np.testing.assert_array_equal(last.backward(_last(g)), _last(first.backward(g)))
    for (name, p), (_, p_last) in zip(first.named_parameters().items(), last.named_parameters().items()):
        np.testing.assert_array_equal(p_last.grad, p.grad, err_msg=name)


def test_nn_subpixel_dcr_starts_as_nearest():
    from upsample import nn

    up = nn.SubPixel(1, 2, 3, 2, rng=0, order="dcr", data_format="channels_last")
    y = up(np.ones((1, 3, 3, 1), np.float32))
    assert y.shape == (1, 6, 6, 2)
    assert (y[:, ::2, ::2] == y[:, 1::2, 1::2]).all() and (y[:, ::2, ::2] == y[:, 1::2, ::2]).all()


def test_nn_bad_data_format():
    from upsample import nn

    assert_refused(
        lambda: nn.Conv(1, 1, 3, data_format="NHWC"),
        ValueError,
        ["Conv: data_format must be one of 'channels_first', 'channels_last'", "'NHWC'"],
    )
    assert_refused(
        lambda: nn.PixelShuffle(2, order="cdr"),
        ValueError,
        ["PixelShuffle: order must be one of 'crd', 'dcr'"],
    )
    assert_refused(
        lambda: nn.Conv(1, 2, 3).load_keras([np.ones((3, 3, 1, 2))]),
        ValueError,
        ["Conv.load_keras: expected 2 arrays (kernel, bias), got 1"],
    )


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_nn_layers_load_keras_weights_and_match_keras(keras, tf, padding):
    from upsample import nn

    x = _f32(2, 7, 6, 3)
    conv_k = keras.layers.Conv2D(8, 3, strides=2, padding=padding)
    conv_k.build(x.shape)
    up_k = keras.layers.Conv2DTranspose(2, 3, strides=2, padding=padding)
    up_k.build(conv_k.compute_output_shape(x.shape))
    for layer in (conv_k, up_k):  # Keras' own random kernels, random biases
        layer.set_weights([layer.get_weights()[0], _f32(*layer.get_weights()[1].shape)])
    expected = np.asarray(up_k(conv_k(x)))
    conv, up = (
        nn.Conv(3, 8, 3, stride=2, padding=padding, data_format="channels_last"),
        nn.ConvTranspose(8, 2, 3, stride=2, padding=padding, data_format="channels_last"),
    )
    conv.load_keras(conv_k.get_weights())
    up.load_keras(up_k.get_weights())
    np.testing.assert_allclose(nn.Sequential(conv, up)(x), expected, rtol=1e-4, atol=1e-5)

    # a sub-pixel layer: Keras' Conv2D then tf.nn.depth_to_space is SubPixel with order="dcr"
    conv4 = keras.layers.Conv2D(2 * 4, 3, padding="same")
    conv4.build(x.shape)
    expected = tf.nn.depth_to_space(conv4(x), 2).numpy()
    sub = nn.SubPixel(3, 2, 3, 2, order="dcr", data_format="channels_last")
    sub[0].load_keras(conv4.get_weights())
    np.testing.assert_allclose(sub(x), expected, rtol=1e-4, atol=1e-5)
