"""upsample.compat.pillow against Pillow itself: modes L, I;16, F, RGB and RGBA, every filter,
box, and the refusals. The exhaustive size sweep is in test_sweep.py."""

import numpy as np
import pytest

import required
from expect import assert_refused
from upsample.compat import pillow as upil

Image = required.module("PIL.Image")
rng = np.random.default_rng(3)
FILTERS = ["NEAREST", "BOX", "BILINEAR", "HAMMING", "BICUBIC", "LANCZOS"]


def _image(shape, dtype):
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(0, np.iinfo(dtype).max, shape, endpoint=True).astype(dtype)


def _same(ours, theirs):
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    if ours.dtype.kind == "f":
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5 * max(1.0, float(np.abs(theirs).max())))
    else:
        np.testing.assert_array_equal(ours, theirs)


def test_constants_have_pillows_values():
    for name in FILTERS:
        assert getattr(upil, name) == getattr(Image.Resampling, name)


@pytest.mark.parametrize("name", FILTERS)
@pytest.mark.parametrize(
    "shape, dtype",
    [((6, 9), np.float32), ((6, 9), np.uint8), ((6, 9), np.uint16), ((7, 5, 3), np.uint8)],
    ids=["F", "L", "I;16", "RGB"],
)
@pytest.mark.parametrize("size", [(13, 4), (4, 11), (9, 6), (1, 1), (20, 2)])
def test_filters(size, shape, dtype, name):
    x = _image(shape, dtype)
    code = getattr(Image.Resampling, name)
    _same(upil.resize(x, size, code), np.asarray(Image.fromarray(x).resize(size, code)))


@pytest.mark.parametrize("name", FILTERS)
@pytest.mark.parametrize("box", [(0.5, 1, 4.5, 4.25), (1, 1, 3, 4), (0, 0.25, 9, 5.5)])
def test_box_is_the_span_resized(box, name):
    x = _image((6, 9), np.float32)
    code = getattr(Image.Resampling, name)
    _same(upil.resize(x, (5, 7), code, box), np.asarray(Image.fromarray(x).resize((5, 7), code, box)))


def test_rgba_nearest_and_default_filter():
    x = _image((5, 6, 4), np.uint8)
    _same(upil.resize(x, (9, 3), upil.NEAREST), np.asarray(Image.fromarray(x).resize((9, 3), 0)))
    y = _image((5, 6), np.float32)
    _same(upil.resize(y, (9, 3)), np.asarray(Image.fromarray(y).resize((9, 3))))


BAD = [
    (
        lambda: upil.resize(np.zeros((2, 3), np.float64), (4, 4)),
        ValueError,
        ["pillow.resize", "array", "float64"],
    ),
    (
        lambda: upil.resize(np.zeros((2, 3), np.uint8), (4, 4), 7),
        ValueError,
        ["pillow.resize", "resample", "7"],
    ),
    (
        lambda: upil.resize(np.zeros((2, 3), np.uint8), (4, 4), box=(0, 0, 5, 2)),
        ValueError,
        ["pillow.resize", "box", "3x2"],
    ),
    (
        lambda: upil.resize(np.zeros((2, 3), np.uint8), (4, 4), reducing_gap=2.0),
        ValueError,
        ["pillow.resize", "reducing_gap", "2.0"],
    ),
    (
        lambda: upil.resize(np.zeros((2, 3, 4), np.uint8), (4, 4), upil.BILINEAR),
        ValueError,
        ["pillow.resize", "RGBA", "premultiplied"],
    ),
]


@pytest.mark.parametrize("call, exception, fragments", BAD)
def test_bad_input_is_refused_clearly(call, exception, fragments):
    assert_refused(call, exception, fragments)
