"""upsample.compat.tf against TensorFlow itself: tf.image.resize (every method, antialias,
preserve_aspect_ratio, (H, W, C) and (N, H, W, C), dtypes), resize_with_pad, the
compat.v1 resize_* calls and nn.depth_to_space / space_to_depth. The exhaustive size sweep
is in test_sweep.py."""

import os

import numpy as np
import pytest

import required
from expect import assert_refused, assert_same_as_framework
from upsample.compat import tf as utf

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = required.module("tensorflow")
rng = np.random.default_rng(4)
METHODS = ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic"]


_same = assert_same_as_framework


@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "dtype", [np.float32, np.float64, np.uint8, np.int32], ids=lambda d: np.dtype(d).name
)
def test_resize(method, antialias, dtype):
    for shape, size in [((2, 6, 9, 3), (13, 4)), ((5, 7, 1), (2, 11)), ((1, 4, 4, 2), (4, 4))]:
        x = (rng.random(shape) * 200).astype(dtype)
        _same(
            utf.image.resize(x, size, method, antialias=antialias),
            tf.image.resize(x, size, method, antialias=antialias),
        )


@pytest.mark.parametrize("method", ["bilinear", "nearest", "area"])
@pytest.mark.parametrize("size", [(10, 10), (3, 20), (8, 5)])
def test_preserve_aspect_ratio(size, method):
    x = rng.standard_normal((1, 6, 9, 2)).astype(np.float32)
    _same(
        utf.image.resize(x, size, method, preserve_aspect_ratio=True),
        tf.image.resize(x, size, method, preserve_aspect_ratio=True),
    )


@pytest.mark.parametrize("method", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("target", [(9, 4), (3, 11), (6, 9), (20, 20)])
def test_resize_with_pad(target, method):
    x = rng.standard_normal((6, 9, 2)).astype(np.float32)
    _same(
        utf.image.resize_with_pad(x, *target, method=method),
        tf.image.resize_with_pad(x, *target, method=method),
    )


@pytest.mark.parametrize(
    "flags",
    [{}, {"align_corners": True}, {"half_pixel_centers": True}],
    ids=["default", "align_corners", "half_pixel_centers"],
)
@pytest.mark.parametrize("name", ["bilinear", "nearest_neighbor", "bicubic", "area"])
def test_v1(name, flags):
    if name == "area" and "half_pixel_centers" in flags:
        pytest.raises(
            ValueError,
            utf.compat.v1.image.resize_area,
            np.zeros((1, 2, 2, 1)),
            (3, 3),
            half_pixel_centers=True,
        )
        return
    for shape, size in [((2, 6, 9, 3), (13, 4)), ((1, 5, 7, 1), (2, 11)), ((1, 1, 5, 1), (3, 1))]:
        for dtype in (np.float32, np.uint8):
            x = (rng.random(shape) * 200).astype(dtype)
            _same(
                getattr(utf.compat.v1.image, f"resize_{name}")(x, size, **flags),
                getattr(tf.compat.v1.image, f"resize_{name}")(x, size, **flags),
            )


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_depth_to_space_and_back(data_format):
    x = np.arange(2 * 3 * 4 * 8, dtype=np.float32).reshape(2, 3, 4, 8)
    if data_format == "NCHW":  # TF's CPU kernels take NHWC only: compare through transposes
        xc = np.ascontiguousarray(np.moveaxis(x, -1, 1))
        ours = utf.nn.depth_to_space(xc, 2, data_format="NCHW")
        _same(np.moveaxis(ours, 1, -1).copy(), tf.nn.depth_to_space(x, 2))
        np.testing.assert_array_equal(utf.nn.space_to_depth(ours, 2, data_format="NCHW"), xc)
    else:
        _same(utf.nn.depth_to_space(x, 2), tf.nn.depth_to_space(x, 2))
        y = rng.standard_normal((2, 6, 4, 3)).astype(np.float32)
        _same(utf.nn.space_to_depth(y, 2), tf.nn.space_to_depth(y, 2))


BAD = [
    (
        lambda: utf.image.resize(np.zeros((2, 3, 1)), (4, 4), "bicubicc"),
        ValueError,
        ["tf.image.resize", "method", "'bicubicc'", "'mitchellcubic'"],
    ),
    (lambda: utf.image.resize(np.zeros((2, 3)), (4, 4)), ValueError, ["tf.image.resize", "images"]),
    (
        lambda: utf.compat.v1.image.resize_bilinear(np.zeros((1, 2, 3, 1)), (4, 4), True, True),
        ValueError,
        ["resize_bilinear", "align_corners", "half_pixel_centers"],
    ),
    (
        lambda: utf.compat.v1.image.resize_area(np.zeros((2, 3, 1)), (4, 4)),
        ValueError,
        ["tf.compat.v1.image.resize_area", "4-D", "(2, 3, 1)"],
    ),
    (
        lambda: utf.nn.depth_to_space(np.zeros((1, 2, 2, 4)), 2, data_format="NCHW_VECT_C"),
        ValueError,
        ["tf.nn.depth_to_space", "data_format", "'NCHW_VECT_C'"],
    ),
]


@pytest.mark.parametrize("call, exception, fragments", BAD)
def test_bad_input_is_refused_clearly(call, exception, fragments):
    assert_refused(call, exception, fragments)
