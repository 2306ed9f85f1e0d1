"""upsample.compat.pillow against Pillow itself: modes L, I;16, F, RGB and RGBA, every filter,
box, reducing_gap, and the refusals. The exhaustive size sweep of L, I;16 and F is in
test_sweep.py; here RGBA (premultiplied) and reducing_gap get sweeps of their own over input and
output lengths 1..33."""

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


#: (in, out) lengths for the sweeps below: every in 1..33 once per axis with outs spread over
#: 1..33 (shrinking by up to 33, growing by up to 33), the H and W pairs drawn apart
LENGTHS = range(1, 34)
SWEEP = [(i, o) for i in LENGTHS for o in (1, 2, 3, 5, 8, 13, 21, 33)]
SWEEP_W = [SWEEP[k] for k in np.random.default_rng(18).permutation(len(SWEEP))]


def _sweep_calls(channels, dtype=np.uint8, step=1):
    """(x, (width, height)) over SWEEP (every ``step``-th pair), uint8 or float32 pixels."""
    for k in range(0, len(SWEEP), step):
        (in_h, out_h), (in_w, out_w) = SWEEP[k], SWEEP_W[k]
        shape = (in_h, in_w) if channels is None else (in_h, in_w, channels)
        yield _image(shape, dtype), (out_w, out_h)


def _rgba(shape):
    """RGBA pixels whose alpha takes 0 and 255 often (the values the conversion back leaves
    alone) and every other value too."""
    x = _image(shape, np.uint8)
    alpha = x[..., 3]
    alpha[alpha < 40] = 0
    alpha[alpha > 215] = 255
    return x


@pytest.mark.parametrize("name", FILTERS)
def test_rgba_is_resized_premultiplied_every_filter_and_size(name):
    code = getattr(Image.Resampling, name)
    bad = []
    for k in range(len(SWEEP)):
        (in_h, out_h), (in_w, out_w) = SWEEP[k], SWEEP_W[k]
        x = _rgba((in_h, in_w, 4))
        ours, theirs = (
            upil.resize(x, (out_w, out_h), code),
            np.asarray(Image.fromarray(x).resize((out_w, out_h), code)),
        )
        if not np.array_equal(ours, theirs):
            bad.append((x.shape, (out_w, out_h)))
    assert not bad, f"{len(bad)} of {len(SWEEP)} calls differ, e.g. {bad[:3]}"


def test_rgba_with_box_and_same_size():
    x = _rgba((7, 9, 4))
    for code in (upil.BILINEAR, upil.LANCZOS, upil.BOX):
        for size, box in [
            ((9, 7), None),
            ((9, 7), (0, 0, 9, 7)),
            ((9, 7), [0, 0, 9, 7]),
            ((4, 5), (1.5, 0.25, 8, 6.5)),
        ]:
            _same(upil.resize(x, size, code, box), np.asarray(Image.fromarray(x).resize(size, code, box)))
    assert upil.resize(x, (9, 7), upil.BILINEAR) is not x


GAPS = [1.0, 1.5, 2, 3]
GAP_LAYOUTS = [(None, np.uint8), (3, np.uint8), (4, np.uint8), (None, np.float32)]


@pytest.mark.parametrize("gap", GAPS)
@pytest.mark.parametrize("channels, dtype", GAP_LAYOUTS, ids=["L", "RGB", "RGBA", "F"])
def test_reducing_gap_sweep(channels, dtype, gap):
    """Every filter, rotating over the calls, over the size sweep: the reduce() pre-pass (its
    factors, its grown box, the short blocks at the box's far edges) and the resize after it."""
    bad, reduced = [], 0
    for k, (x, size) in enumerate(_sweep_calls(channels, dtype, step=2)):
        if channels == 4:
            x = _rgba(x.shape)
        code = getattr(Image.Resampling, FILTERS[k % len(FILTERS)])
        theirs = np.asarray(Image.fromarray(x).resize(size, code, reducing_gap=gap))
        ours = upil.resize(x, size, code, reducing_gap=gap)
        reduced += code != 0 and (x.shape[1] // size[0] >= 2 * gap or x.shape[0] // size[1] >= 2 * gap)
        try:
            _same(ours, theirs)
        except AssertionError:
            bad.append((x.shape, size, FILTERS[k % len(FILTERS)]))
    assert not bad, f"{len(bad)} calls differ, e.g. {bad[:3]}"
    assert reduced > 20  # the pre-pass ran in many of them


@pytest.mark.parametrize("gap", GAPS)
@pytest.mark.parametrize("name", FILTERS)
def test_reducing_gap_with_box(name, gap):
    code = getattr(Image.Resampling, name)
    boxes = [(0.5, 1, 31.5, 20.25), (3, 2, 29, 24), (0, 0.25, 33, 24.5), (10.3, 4.7, 11.9, 6.1)]
    for layout in [
        ((25, 33), np.uint8),
        ((25, 33, 3), np.uint8),
        ((25, 33, 4), np.uint8),
        ((25, 33), np.float32),
    ]:
        x = _rgba(layout[0]) if layout[0][-1:] == (4,) else _image(*layout)
        for box in boxes:
            for size in [(4, 3), (7, 9), (2, 11), (1, 1)]:
                theirs = np.asarray(Image.fromarray(x).resize(size, code, box, gap))
                _same(upil.resize(x, size, code, box, gap), theirs)


def test_reducing_gap_on_i16_reduces_as_pillow_does_or_refuses_as_it_does():
    x = _image((6, 9), np.uint16)
    # no factor above 1: resized as without a gap
    _same(
        upil.resize(x, (5, 4), upil.BILINEAR, reducing_gap=2.0),
        np.asarray(Image.fromarray(x).resize((5, 4), 2, None, 2.0)),
    )
    with pytest.raises(ValueError):
        Image.fromarray(x).resize((2, 2), 2, None, 1.0)
    assert_refused(
        lambda: upil.resize(x, (2, 2), upil.BILINEAR, reducing_gap=1.0),
        ValueError,
        ["PIL.Image.resize", "reducing_gap", "I;16", "reduce"],
    )
    # NEAREST never reduces
    _same(
        upil.resize(x, (2, 2), upil.NEAREST, reducing_gap=1.0),
        np.asarray(Image.fromarray(x).resize((2, 2), 0, None, 1.0)),
    )


def test_inputs_are_not_modified():
    for x in (_rgba((8, 9, 4)), _image((8, 9), np.uint8), _image((8, 9), np.float32)):
        before = x.copy()
        upil.resize(x, (3, 2), upil.LANCZOS, (1, 1, 8, 7), 1.5)
        np.testing.assert_array_equal(x, before)


BAD = [
    (
        lambda: upil.resize(np.zeros((2, 3), np.float64), (4, 4)),
        ValueError,
        ["PIL.Image.resize", "array", "float64"],
    ),
    (
        lambda: upil.resize(np.zeros((2, 3), np.uint8), (4, 4), 7),
        ValueError,
        ["PIL.Image.resize", "resample", "7"],
    ),
    (
        lambda: upil.resize(np.zeros((2, 3), np.uint8), (4, 4), box=(0, 0, 5, 2)),
        ValueError,
        ["PIL.Image.resize", "box", "3x2"],
    ),
    (
        lambda: upil.resize(np.zeros((2, 3), np.uint8), (4, 4), reducing_gap=0.5),
        ValueError,
        ["PIL.Image.resize", "reducing_gap", ">= 1.0", "0.5"],
    ),
    (
        lambda: upil.resize(np.zeros((2, 3), np.uint8), (4, 4), reducing_gap="2"),
        TypeError,
        ["PIL.Image.resize", "reducing_gap", "number", "str"],
    ),
]


@pytest.mark.parametrize("call, exception, fragments", BAD)
def test_bad_input_is_refused_clearly(call, exception, fragments):
    assert_refused(call, exception, fragments)
