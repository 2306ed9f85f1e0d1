"""upsample.compat.cv2 against cv2 itself: layouts (H, W) and (H, W, C), every dtype OpenCV
resizes, dsize or fx/fy, dst, both OpenCV rows, and the refusals. The exhaustive size sweep
is in test_sweep.py."""

import contextlib

import numpy as np
import pytest

import required
from expect import assert_refused
from upsample.compat import cv2 as ucv2

cv2 = required.module("cv2")
rng = np.random.default_rng(7)
FLAGS = [
    "INTER_NEAREST",
    "INTER_LINEAR",
    "INTER_CUBIC",
    "INTER_AREA",
    "INTER_NEAREST_EXACT",
    "INTER_LINEAR_EXACT",
    "INTER_LANCZOS4",
]


def _image(shape, dtype):
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype)


def _same(ours, theirs, levels=0):
    """Equal shapes and dtypes; floats within 1e-5 of the largest value, integers within
    ``levels`` (0: byte for byte)."""
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    if levels:
        assert np.abs(ours.astype(np.int64) - theirs).max() <= levels
    elif ours.dtype.kind == "f":
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5 * max(1.0, float(np.abs(theirs).max())))
    else:
        np.testing.assert_array_equal(ours, theirs)


#: (flag, dtypes) the pip wheels hand to Intel IPP, whose rounding differs from OpenCV's own
#: code (resize.cpp) by one level in some pixels
IPP_ROUNDS = {
    "INTER_CUBIC": (np.uint8, np.uint16, np.int16),
    "INTER_LINEAR": (np.uint16, np.int16),
}


@contextlib.contextmanager
def _opencv_own_code(flag, dtype):
    """OpenCV's own resize.cpp for the calls in IPP_ROUNDS (Intel IPP switched off; see
    test_with_ipp_is_within_one_level); other calls are unchanged."""
    off = np.dtype(dtype) in [np.dtype(d) for d in IPP_ROUNDS.get(flag, ())] and cv2.ipp.useIPP()
    if off:
        cv2.ipp.setUseIPP(False)
    try:
        yield
    finally:
        if off:
            cv2.ipp.setUseIPP(True)


@pytest.mark.parametrize(
    "flag, dtype",
    [(flag, dtype) for flag, dtypes in IPP_ROUNDS.items() for dtype in dtypes],
    ids=lambda v: v if isinstance(v, str) else np.dtype(v).name,
)
def test_with_ipp_is_within_one_level(flag, dtype):
    # the wheel's default: IPP computes these, one level off in some pixels (exact without it)
    before = cv2.ipp.useIPP()
    cv2.ipp.setUseIPP(True)
    try:
        x = _image((31, 47, 3), dtype)
        for dsize in [(70, 20), (13, 61), (94, 62)]:
            theirs = cv2.resize(x, dsize, interpolation=getattr(cv2, flag))
            _same(ucv2.resize(x, dsize, interpolation=getattr(ucv2, flag)), theirs, levels=1)
    finally:
        cv2.ipp.setUseIPP(before)


def test_constants_have_opencvs_values():
    for name in FLAGS:
        assert getattr(ucv2, name) == getattr(cv2, name)


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.uint16, np.int16, np.float32, np.float64], ids=lambda d: np.dtype(d).name
)
@pytest.mark.parametrize(
    "flag",
    [
        "INTER_NEAREST",
        "INTER_LINEAR",
        "INTER_CUBIC",
        "INTER_AREA",
        "INTER_NEAREST_EXACT",
        "INTER_LANCZOS4",
        "INTER_LINEAR_EXACT",
    ],
)
@pytest.mark.parametrize(
    "shape, dsize",
    [((6, 9), (13, 4)), ((6, 9, 3), (4, 11)), ((5, 7, 4), (7, 5)), ((8, 12, 1), (6, 4)), ((1, 5), (3, 1))],
)
def test_dsize(shape, dsize, flag, dtype):
    x = _image(shape, dtype)
    code = getattr(cv2, flag)
    with _opencv_own_code(flag, dtype):
        theirs = cv2.resize(x, dsize, interpolation=code)
    _same(ucv2.resize(x, dsize, interpolation=code), theirs)


@pytest.mark.parametrize("flag", ["INTER_NEAREST", "INTER_LINEAR", "INTER_CUBIC", "INTER_LANCZOS4"])
@pytest.mark.parametrize("fx, fy", [(2, 3), (0.5, 1.7), (1.25, 0.3), (2.5, 2.5)])
def test_fx_fy_round_the_size_and_place_the_samples(fx, fy, flag):
    x = _image((7, 9, 3), np.float32)
    code = getattr(cv2, flag)
    _same(
        ucv2.resize(x, None, fx=fx, fy=fy, interpolation=code),
        cv2.resize(x, None, fx=fx, fy=fy, interpolation=code),
    )
    _same(
        ucv2.resize(x, (0, 0), fx=fx, fy=fy, interpolation=code),
        cv2.resize(x, (0, 0), fx=fx, fy=fy, interpolation=code),
    )


#: the factors people pass as fx/fy; each sweep call also takes two random ones per size
FACTORS = [0.5, 1 / 3, 0.25, 0.3, 0.7, 1.5, 2, 2.5, 3]


def _fx_calls(dtype, seed):
    """(x, fx, fy) over every height 1..33, each with a width 1..33 (a permutation), every
    factor of FACTORS as fx with fy the same or the next factor, and two random pairs (fx !=
    fy); 1 or 3 channels in turn. Calls whose rounded size is empty are left out."""
    r = np.random.default_rng(seed)
    widths = r.permutation(33) + 1
    for h, w in zip(range(1, 34), widths):
        pairs = [(f, f if k % 2 else FACTORS[(k + h) % len(FACTORS)]) for k, f in enumerate(FACTORS)]
        pairs += [tuple(float(v) for v in r.uniform(0.05, 3.5, 2)) for _ in range(2)]
        for k, (fx, fy) in enumerate(pairs):
            if round(w * fx) < 1 or round(h * fy) < 1:
                continue
            shape = (h, w) if (h + k) % 2 else (h, w, 3)
            if np.dtype(dtype).kind == "f":
                x = r.standard_normal(shape).astype(dtype)
            else:
                info = np.iinfo(dtype)
                x = r.integers(info.min, info.max, shape, endpoint=True).astype(dtype)
            yield x, fx, fy


@pytest.mark.parametrize(
    "dtype",
    [np.uint8, np.uint16, np.int16, np.float32, np.float64],
    ids=lambda d: np.dtype(d).name,
)
@pytest.mark.parametrize("flag", FLAGS)
def test_fx_fy_sweep(flag, dtype):
    # cv2.resize(src, None, fx=..., fy=...) keeps fx as its scale: the samples, INTER_AREA's
    # integer fast path (fx=0.5 on 5 columns: blocks 0-1 and 2-3 of a 5 -> 2 resize; on 3
    # columns the last block is cut by the image's end), its shrink-or-grow choice, the 2x2
    # shrink INTER_LINEAR runs as INTER_AREA, and a copy when the rounded size is unchanged
    code = getattr(cv2, flag)
    bad = []
    for x, fx, fy in _fx_calls(dtype, seed=FLAGS.index(flag)):
        with _opencv_own_code(flag, dtype):
            theirs = cv2.resize(x, None, fx=fx, fy=fy, interpolation=code)
        ours = ucv2.resize(x, None, fx=fx, fy=fy, interpolation=code)
        try:
            _same(ours, theirs)
        except AssertionError:
            bad.append((x.shape, fx, fy))
    assert not bad, f"{len(bad)} fx/fy calls differ, e.g. {bad[:3]}"


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("flag", ["INTER_AREA", "INTER_LINEAR", "INTER_LINEAR_EXACT"])
@pytest.mark.parametrize("width", [3, 5, 7])
def test_half_on_odd_sizes_is_the_2x2_fast_path(width, flag, dtype):
    # fx=fy=0.5 on odd sizes: scale 2 although the sizes are 5 -> 2 (cvRound(2.5) = 2, the
    # last column left out) or 3 -> 2 (the last block cut by the image's end)
    for channels in (1, 2, 3):
        x = _image((width + 2, width, channels), dtype)
        with _opencv_own_code(flag, dtype):
            theirs = cv2.resize(x, None, fx=0.5, fy=0.5, interpolation=getattr(cv2, flag))
        _same(ucv2.resize(x, None, fx=0.5, fy=0.5, interpolation=getattr(ucv2, flag)), theirs)


@pytest.mark.parametrize("flag", FLAGS)
def test_unchanged_size_is_a_copy(flag):
    # fx=1.02 on 10 columns rounds to 10: cv2 copies src, whatever the flag
    x = _image((9, 10, 3), np.uint8)
    theirs = cv2.resize(x, None, fx=1.02, fy=0.96, interpolation=getattr(cv2, flag))
    np.testing.assert_array_equal(theirs, x)
    _same(ucv2.resize(x, None, fx=1.02, fy=0.96, interpolation=getattr(ucv2, flag)), theirs)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("ipp", [True, False], ids=["ipp", "own"])
def test_lanczos4_integers_are_exact_with_or_without_ipp(dtype, ipp):
    # 8 taps clamped at the borders, shrinking without widening, growing, and channels
    # (int16's vertical vector loop sums in another order over the first multiple of 8 values)
    before = cv2.ipp.useIPP()
    cv2.ipp.setUseIPP(ipp)
    try:
        for shape, dsize in [
            ((31, 47, 3), (70, 20)),
            ((9, 5, 4), (3, 17)),
            ((40, 3), (11, 9)),
            ((2, 2, 2), (9, 1)),
        ]:
            x = _image(shape, dtype)
            theirs = cv2.resize(x, dsize, interpolation=cv2.INTER_LANCZOS4)
            _same(ucv2.resize(x, dsize, interpolation=ucv2.INTER_LANCZOS4), theirs)
    finally:
        cv2.ipp.setUseIPP(before)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_linear_shrinking_by_2_is_area(dtype, channels):
    # OpenCV runs INTER_AREA for an exact 2x2 shrink: half up in integers, but 2 channels
    # (and 16-bit) take its float path, rounded half to even
    x = _image((20, 30, channels), dtype)
    with _opencv_own_code("INTER_LINEAR", dtype):
        theirs = cv2.resize(x, (15, 10), interpolation=cv2.INTER_LINEAR)
    _same(ucv2.resize(x, (15, 10), interpolation=ucv2.INTER_LINEAR), theirs)


@pytest.mark.parametrize("dtype", [np.uint16, np.int16], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("flag", ["INTER_LINEAR", "INTER_CUBIC"])
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_16_bit_linear_and_cubic_as_opencvs_own_code(flag, dtype, channels):
    # float32 passes: x3 growth puts the first sample at -1/3 (its fraction rounds in float32),
    # one row or column reads a clamped border twice, 2x2 shrinks run INTER_AREA, and cubic's
    # vertical vector loop covers the first multiple of 8 values of a row
    for size, dsize in [
        ((6, 5), (15, 18)),
        ((1, 7), (9, 3)),
        ((9, 1), (5, 20)),
        ((20, 30), (15, 10)),
        ((33, 29), (61, 13)),
    ]:
        x = _image(size + (channels,), dtype)
        with _opencv_own_code(flag, dtype):
            theirs = cv2.resize(x, dsize, interpolation=getattr(cv2, flag))
        _same(ucv2.resize(x, dsize, interpolation=getattr(ucv2, flag)), theirs)


@pytest.mark.parametrize("dtype", [np.uint16, np.int16], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_area_16_bit_sums_as_opencv(dtype, channels):
    # integer factors: float32 block sums four pixels at a time (3x3 and 5x2 leave a rest),
    # 2x2 half up in integers (but not with 2 channels); other factors: float32 weighted sums
    for size, dsize in [((30, 30), (10, 10)), ((20, 20), (10, 10)), ((20, 35), (7, 4)), ((33, 29), (13, 10))]:
        x = _image(size + (channels,), dtype)
        _same(
            ucv2.resize(x, dsize, interpolation=ucv2.INTER_AREA),
            cv2.resize(x, dsize, interpolation=cv2.INTER_AREA),
        )


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("channels", [1, 2, 3, 5])
def test_linear_exact_on_integers_is_opencvs_fixed_point(dtype, channels):
    # 8 (uint8) or 16 fractional bits; a 2x2 shrink runs INTER_AREA (but not on 2 channels,
    # and 5 channels round that average half to even); borders copy the edge pixel; fx/fy
    # place the samples by 1/fx
    x = _image((20, 14, channels), dtype)
    for dsize, fx, fy in [((7, 10), 0, 0), ((31, 47), 0, 0), ((1, 3), 0, 0), (None, 1.7, 0.45)]:
        _same(
            ucv2.resize(x, dsize, fx=fx, fy=fy, interpolation=ucv2.INTER_LINEAR_EXACT),
            cv2.resize(x, dsize, fx=fx, fy=fy, interpolation=cv2.INTER_LINEAR_EXACT),
        )


def test_lanczos4_is_an_interpolate_mode_of_the_opencv_row():
    import upsample

    x = _image((2, 3, 7, 9), np.float32)  # (N, C, H, W)
    ours = upsample.interpolate(x, size=(12, 5), mode="lanczos4", convention="opencv")
    theirs = np.stack(
        [cv2.resize(np.moveaxis(plane, 0, -1), (5, 12), interpolation=cv2.INTER_LANCZOS4) for plane in x]
    )
    _same(ours, np.moveaxis(theirs, -1, 1))


def test_linear_exact_on_floats_is_linear_and_dst_is_written():
    x = _image((5, 6), np.float32)
    _same(
        ucv2.resize(x, (9, 4), interpolation=ucv2.INTER_LINEAR_EXACT),
        cv2.resize(x, (9, 4), interpolation=cv2.INTER_LINEAR_EXACT),
    )
    dst = np.empty((4, 9), np.float32)
    assert ucv2.resize(x, (9, 4), dst) is dst
    _same(dst, cv2.resize(x, (9, 4)))


def test_input_is_not_modified():
    x = _image((5, 6, 3), np.uint8)
    before = x.copy()
    ucv2.resize(x, (3, 2), interpolation=ucv2.INTER_AREA)
    np.testing.assert_array_equal(x, before)


def test_opencv4_row_keeps_the_16_16_rule():
    # OpenCV 4's INTER_NEAREST_EXACT (resizeNN_bitexact, 16.16 fixed point) and OpenCV 5's
    # (a double sum from half a step) differ at 2 -> 7: output 3 sits on the tie 0.5
    x = np.arange(2, dtype=np.uint8).reshape(1, 2)
    five = ucv2.resize(x, (7, 1), interpolation=ucv2.INTER_NEAREST_EXACT)
    four = ucv2.resize(x, (7, 1), interpolation=ucv2.INTER_NEAREST_EXACT, convention="opencv4")
    assert five.tolist() == [[0, 0, 0, 0, 1, 1, 1]] and four.tolist() == [[0, 0, 0, 1, 1, 1, 1]]
    if cv2.__version__.startswith("5"):
        _same(five, cv2.resize(x, (7, 1), interpolation=cv2.INTER_NEAREST_EXACT))


BAD = [
    (lambda: ucv2.resize(np.zeros((2, 3)), (0, 0)), ValueError, ["cv2.resize", "fx", "0"]),
    (
        lambda: ucv2.resize(np.zeros((2, 3)), (4, 4), interpolation=9),
        ValueError,
        ["cv2.resize", "interpolation", "9"],
    ),
    (lambda: ucv2.resize(np.zeros((2, 3, 4, 5)), (4, 4)), ValueError, ["cv2.resize", "src", "(2, 3, 4, 5)"]),
    (
        lambda: ucv2.resize(np.zeros((2, 3), np.int64), (4, 4)),
        ValueError,
        ["cv2.resize", "uint8, uint16, int16, float32, float64", "int64"],
    ),
    (
        lambda: ucv2.resize(np.zeros((2, 3), np.float32), (4, 4), np.zeros((3, 3))),
        ValueError,
        ["cv2.resize", "dst", "(4, 4)"],
    ),
]


@pytest.mark.parametrize("call, exception, fragments", BAD)
def test_bad_input_is_refused_clearly(call, exception, fragments):
    assert_refused(call, exception, fragments)


def test_compat_modules_import_no_framework():
    import subprocess
    import sys

    code = (
        "import sys, upsample.compat.cv2, upsample.compat.pillow, upsample.compat.tf, "
        "upsample.compat.jax, upsample.compat._onnx_resize; "
        "print(sorted({'cv2', 'PIL', 'tensorflow', 'jax', 'onnx', 'onnxruntime', 'torch'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
