"""One image, channels-last or channels-first, uint8 or float: the row loops.

* the compiled integer loops (``upsample._integer_loops``) give the bytes of the NumPy
  rules (``upsample._integer``) for every rule, layout, channel count and odd size;
* the row loops (``upsample._resample_cl``) give the bits of the planar loops, and the
  NumPy path within the float tolerances;
* the three uint8 rules made exact here match the real frameworks byte for byte:
  Pillow's pass order, cv2.INTER_AREA and cv2.INTER_CUBIC (OpenCV's own arithmetic,
  Intel IPP switched off: with IPP, cv2 resizes INTER_CUBIC uint8 in IPP's code).
"""

import itertools

import numba  # noqa: F401  -- a core dependency: the loops compared here must compile
import numpy as np
import pytest

import upsample
from upsample import _integer, _integer_loops, _resample, _resample_cl
from upsample import interpolation as interp

#: (convention, mode) of every uint8 rule
INTEGER_MODES = [
    ("torch", "bilinear"),
    ("torch", "bicubic"),
    ("pillow", "linear"),
    ("pillow", "cubic"),
    ("pillow", "lanczos3"),
    ("pillow", "area"),
    ("opencv", "linear"),
    ("opencv", "cubic"),
    ("opencv", "area"),
    ("opencv", "lanczos4"),
    ("opencv", "linear-exact"),
    ("onnx", "linear"),
    ("onnx", "cubic"),
]

#: (H, W) -> (OH, OW): growing, shrinking, mixed, integer factors, size 1, unchanged
SIZES = [
    ((7, 9), (13, 5)),
    ((16, 16), (24, 24)),
    ((30, 20), (11, 7)),
    ((1, 5), (3, 1)),
    ((20, 30), (10, 15)),
    ((12, 12), (4, 6)),
    ((9, 40), (30, 13)),
    ((40, 9), (13, 30)),
    ((5, 5), (5, 5)),
    ((8, 8), (4, 4)),
    ((9, 9), (3, 3)),
    ((1, 1), (2, 3)),
]


def _call(x, size, mode, convention):
    return interp.plan_call(x, size, mode=mode, convention=convention)


@pytest.mark.parametrize("convention, mode", INTEGER_MODES)
def test_compiled_integer_rules_give_the_numpy_rules_bytes(convention, mode, rng):
    for (shape, size), channels in itertools.product(SIZES, (1, 3, 4)):
        image = rng.integers(0, 256, (2, *shape, channels)).astype(np.uint8)  # (N, H, W, C)
        for x in (image.transpose(0, 3, 1, 2), np.ascontiguousarray(image.transpose(0, 3, 1, 2))):
            call = _call(x, size, mode, convention)
            if all(plan.is_identity for plan in call.plans):
                continue  # an unchanged size in a row that copies: no rule runs (run_call copies)
            assert call.integer and _integer_loops.supports(call.integer, call.x, call.plans)
            expected = _integer.apply(call.integer, call.x, call.plans)
            got = _integer_loops.apply(call.integer, call.x, call.plans)
            assert got.dtype == np.uint8 and got.shape == expected.shape
            np.testing.assert_array_equal(
                got, expected, err_msg=f"{call.integer} {shape}->{size} C={channels}"
            )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "area"])
def test_row_loops_give_the_planar_loops_bits(dtype, mode, rng):
    for (shape, size), channels in itertools.product(SIZES[:8], (1, 3, 4, 6)):
        image = rng.standard_normal((2, *shape, channels)).astype(dtype)
        planar = np.ascontiguousarray(image.transpose(0, 3, 1, 2))
        call = _call(planar, size, mode, "torch")
        expected = _resample.apply(call.x, call.plans, call.out_shape)
        for x in (image.transpose(0, 3, 1, 2), planar):
            got = _resample_cl.apply(x, *call.plans, call.out_shape, dtype)
            np.testing.assert_array_equal(got, expected)
        # a channels-last input gives a channels-last result: moving the axes back is free
        assert (
            _resample_cl.apply(image.transpose(0, 3, 1, 2), *call.plans, call.out_shape, dtype)
            .transpose(0, 2, 3, 1)
            .flags.c_contiguous
        )


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize(
    "convention, mode",
    [("torch", "nearest"), ("opencv", "nearest"), ("pillow", "nearest"), ("torch", "nearest-exact")],
)
def test_channels_last_nearest_is_the_gather(dtype, convention, mode, rng):
    for (shape, size), channels in itertools.product(SIZES, (1, 3, 4)):
        image = rng.integers(0, 200, (2, *shape, channels)).astype(dtype)
        try:
            got = upsample.interpolate(
                image, size=size, mode=mode, convention=convention, data_format="channels_last"
            )
        except ValueError:  # a dtype the convention does not take
            continue
        plans = interp.sampling_plans(np.zeros((1, 1, *shape), dtype), size, mode=mode, convention=convention)
        expected = image[:, plans[0].index[:, 0]][:, :, plans[1].index[:, 0]]
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == dtype and got.flags.c_contiguous


CONVENTIONS = [
    ("torch", "bilinear"),
    ("torch", "bicubic"),
    ("opencv", "linear"),
    ("opencv", "cubic"),
    ("opencv", "area"),
    ("opencv", "lanczos4"),
    ("pillow", "linear"),
    ("pillow", "cubic"),
    ("tf2", "bilinear"),
    ("tf2", "bicubic"),
    ("jax", "linear"),
    ("tf2", "area"),
]


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("convention, mode", CONVENTIONS)
def test_channels_last_equals_channels_first_and_the_numpy_path(convention, mode, dtype, rng, monkeypatch):
    for shape, size in SIZES[:6]:
        for channels in (1, 3, 4):
            image = (
                rng.integers(0, 256, (1, *shape, channels)).astype(dtype)
                if dtype == np.uint8
                else 255 * rng.random((1, *shape, channels)).astype(dtype)
            )
            try:
                last = upsample.interpolate(
                    image, size=size, mode=mode, convention=convention, data_format="channels_last"
                )
            except ValueError:
                continue
            first = upsample.interpolate(
                np.ascontiguousarray(image.transpose(0, 3, 1, 2)), size=size, mode=mode, convention=convention
            )
            monkeypatch.setenv("UPSAMPLE_JIT", "0")
            numpy_path = upsample.interpolate(
                image, size=size, mode=mode, convention=convention, data_format="channels_last"
            )
            monkeypatch.setenv("UPSAMPLE_JIT", "1")
            assert last.flags.c_contiguous and last.dtype == numpy_path.dtype
            np.testing.assert_array_equal(last, first.transpose(0, 2, 3, 1))
            if last.dtype == np.uint8:
                np.testing.assert_array_equal(last, numpy_path)
            else:
                tolerance = 1e-4 if last.dtype == np.float32 else 1e-9
                np.testing.assert_allclose(last, numpy_path, rtol=tolerance, atol=255 * tolerance)


def test_the_input_is_not_modified_and_n_zero_works(rng):
    image = rng.integers(0, 256, (1, 9, 11, 3)).astype(np.uint8)
    kept = image.copy()
    upsample.interpolate(image, size=(5, 20), mode="linear", convention="opencv", data_format="channels_last")
    np.testing.assert_array_equal(image, kept)
    empty = upsample.interpolate(
        np.zeros((0, 9, 11, 3), np.uint8),
        size=(5, 20),
        mode="cubic",
        convention="pillow",
        data_format="channels_last",
    )
    assert empty.shape == (0, 5, 20, 3) and empty.dtype == np.uint8


def test_one_image_does_not_depend_on_the_thread_count(rng, monkeypatch):
    image = rng.integers(0, 256, (1, 300, 301, 3)).astype(np.uint8)
    for convention, mode in [("opencv", "cubic"), ("pillow", "linear"), ("torch", "bicubic")]:
        results = []
        for threads in ("1", "2", "3"):
            monkeypatch.setenv("UPSAMPLE_THREADS", threads)
            results.append(
                upsample.interpolate(
                    image, size=(401, 200), mode=mode, convention=convention, data_format="channels_last"
                )
            )
        for result in results[1:]:
            np.testing.assert_array_equal(result, results[0])


def test_out_receives_a_channels_last_result(rng):
    image = rng.random((1, 10, 12, 3)).astype(np.float32)
    out = np.empty((1, 20, 24, 3), np.float32)
    returned = upsample.interpolate(
        image, size=(20, 24), mode="bilinear", data_format="channels_last", out=out
    )
    assert returned is out
    np.testing.assert_array_equal(
        out, upsample.interpolate(image, size=(20, 24), mode="bilinear", data_format="channels_last")
    )


# --------------------------------------------------------------------------- the real frameworks

#: per axis (in, out) pairs: shrinking, growing, integer and non-integer factors, size 1
AXIS_PAIRS = [
    (1, 3),
    (2, 1),
    (3, 7),
    (5, 2),
    (7, 7),
    (8, 4),
    (9, 3),
    (10, 13),
    (13, 5),
    (17, 33),
    (33, 17),
    (6, 2),
]


def _grid():
    return [((h, w), (oh, ow)) for (h, oh), (w, ow) in itertools.product(AXIS_PAIRS, AXIS_PAIRS[::3])]


@pytest.fixture
def cv2_without_ipp():
    import cv2  # a test oracle, installed with the test extras

    used = cv2.ipp.useIPP()
    cv2.ipp.setUseIPP(False)
    yield cv2
    cv2.ipp.setUseIPP(used)


@pytest.mark.parametrize(
    "mode, flag",
    [
        ("linear", "INTER_LINEAR"),
        ("cubic", "INTER_CUBIC"),
        ("area", "INTER_AREA"),
        ("lanczos4", "INTER_LANCZOS4"),
        ("linear-exact", "INTER_LINEAR_EXACT"),
    ],
)
def test_opencv_uint8_is_cv2_byte_for_byte(mode, flag, cv2_without_ipp, rng):
    cv2 = cv2_without_ipp
    for (shape, (oh, ow)), channels in itertools.product(_grid(), (1, 3, 4)):
        image = rng.integers(0, 256, (*shape, channels)).astype(np.uint8)
        expected = cv2.resize(image, (ow, oh), interpolation=getattr(cv2, flag)).reshape(oh, ow, channels)
        got = upsample.interpolate(
            image[None], size=(oh, ow), mode=mode, convention="opencv", data_format="channels_last"
        )[0]
        np.testing.assert_array_equal(got, expected, err_msg=f"{shape}->{(oh, ow)} C={channels}")
        call = _call(image[None].transpose(0, 3, 1, 2), (oh, ow), mode, "opencv")
        reference = _integer.apply(call.integer, call.x, call.plans)[0].transpose(1, 2, 0)
        np.testing.assert_array_equal(reference, expected)


@pytest.mark.parametrize(
    "mode, name", [("linear", "BILINEAR"), ("cubic", "BICUBIC"), ("lanczos3", "LANCZOS")]
)
def test_pillow_uint8_is_pillow_byte_for_byte(mode, name, rng):
    from PIL import (
        Image as image_module,  # a test oracle, installed with the test extras
    )

    for (shape, (oh, ow)), channels in itertools.product(_grid(), (1, 3)):
        image = rng.integers(0, 256, (*shape, channels)).astype(np.uint8)
        source = image_module.fromarray(image[..., 0] if channels == 1 else image)
        expected = np.asarray(source.resize((ow, oh), getattr(image_module, name)))
        got = upsample.interpolate(
            image[None], size=(oh, ow), mode=mode, convention="pillow", data_format="channels_last"
        )[0]
        np.testing.assert_array_equal(
            got.reshape(expected.shape), expected, err_msg=f"{shape}->{(oh, ow)} C={channels}"
        )
