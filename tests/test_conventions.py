"""Every convention against the real library it names: TensorFlow, JAX, OpenCV, Pillow, the
onnx reference evaluator and PyTorch's uint8 path, over grids of sizes (up, down, odd, size 1,
large factors), modes and dtypes; ONNX's options also against the loop reference.

Tolerances: float32 and float64 to 1e-5 of the largest value, float32 being what every
framework here computes in (TensorFlow returns float32 for float64 input, and JAX without
jax_enable_x64 computes float64 arrays in float32); uint8 exactly, except OpenCV's
INTER_CUBIC, which is within one grey level: its 11-bit integer cubic weights sometimes
differ by one unit from the rounded float weights, by a rule not reproduced here (the
vertical pass alone, with the width kept, matches; the horizontal one does not).
"""

import os

import numpy as np
import pytest

import reference
import required
import upsample
from expect import assert_refused
from upsample.conventions import CONVENTIONS, COORDINATE_MODES, NEAREST_MODES
from upsample.interpolation import MODES

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

rng = np.random.default_rng(11)
IN = (5, 7)
#: (H, W) outputs of a (5, 7) input: up, down, odd, mixed, size 1, the same, x8
OUT = [(10, 14), (3, 4), (1, 1), (7, 5), (40, 56), (2, 3), (5, 7), (1, 9), (11, 1), (4, 12), (16, 40)]


#: input (1, 6), an axis of size 1, and the outputs it is resized to
ONE = [(3, 12), (1, 2), (4, 1)]


def _grid(dtype):
    """(x, size) pairs: the (5, 7) input to every OUT, and a (1, 6) input to ONE."""
    x, one = _image(dtype), _image(dtype, spatial=(1, 6))
    return [(x, size) for size in OUT] + [(one, size) for size in ONE]


def _image(dtype, spatial=IN, batch=(2, 3)):
    if np.dtype(dtype) == np.uint8:
        return rng.integers(0, 256, (*batch, *spatial)).astype(np.uint8)
    return rng.standard_normal((*batch, *spatial)).astype(dtype)


def _close(ours, theirs, *, exact=False, atol=0.0):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    if exact:
        diff = np.abs(ours.astype(np.int64) - theirs.astype(np.int64))
        assert diff.max() <= atol, f"{int((diff > atol).sum())} of {diff.size} values differ"
        return
    scale = max(1.0, float(np.abs(theirs).max()))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5 * scale)


def _planes(fn, x, size):
    """Run a 2-D image function plane by plane on (N, C, H, W)."""
    return np.stack(
        [fn(np.ascontiguousarray(x[n, c]), size) for n in range(x.shape[0]) for c in range(x.shape[1])]
    ).reshape(*x.shape[:2], *size)


# --------------------------------------------------------------------------- TensorFlow

tf = required.module("tensorflow")

#: the modes tf.image.resize has; it calls linear and cubic "bilinear" and "bicubic"
TF2_MODES = ["nearest", "linear", "cubic", "area", "lanczos3", "lanczos5"]
TF2_NAMES = {"linear": "bilinear", "cubic": "bicubic"}


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8], ids=["f32", "f64", "u8"])
@pytest.mark.parametrize(
    "mode, antialias",
    [(m, False) for m in TF2_MODES]  # nearest and area
    + [(m, True) for m in TF2_MODES if m not in ("nearest", "area")],
)  # ignore it
def test_tf2(mode, antialias, dtype):
    for x, size in _grid(dtype):
        theirs = tf.image.resize(
            np.moveaxis(x, 1, -1), size, method=TF2_NAMES.get(mode, mode), antialias=antialias
        ).numpy()
        ours = upsample.interpolate(x, size=size, mode=mode, convention="tf2", antialias=antialias)
        if mode == "nearest":
            assert ours.dtype == x.dtype
        else:
            assert ours.dtype == (np.float32 if dtype != np.float64 else np.float64)
        _close(ours, np.moveaxis(theirs, -1, 1))


TF1_FLAGS = [{}, {"align_corners": True}, {"half_pixel_centers": True}]


@pytest.mark.parametrize("dtype", [np.float32, np.uint8], ids=["f32", "u8"])
@pytest.mark.parametrize(
    "mode, flags",
    [
        (m, f)
        for m in ["nearest", "linear", "cubic", "area"]
        for f in TF1_FLAGS
        if not (m == "area" and "half_pixel_centers" in f)
    ],
)
def test_tf1(mode, flags, dtype):
    calls = {
        "nearest": tf.compat.v1.image.resize_nearest_neighbor,
        "linear": tf.compat.v1.image.resize_bilinear,
        "cubic": tf.compat.v1.image.resize_bicubic,
        "area": tf.compat.v1.image.resize_area,
    }
    ours_kw = (
        {"align_corners": True}
        if "align_corners" in flags
        else {"coordinate_transformation_mode": "half_pixel"}
        if flags
        else {}
    )
    for x, size in _grid(dtype):
        theirs = np.asarray(calls[mode](np.moveaxis(x, 1, -1), size, **flags))
        _close(
            upsample.interpolate(x, size=size, mode=mode, convention="tf1", **ours_kw),
            np.moveaxis(theirs, -1, 1),
        )


# --------------------------------------------------------------------------- JAX

jax = required.module("jax")


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8], ids=["f32", "f64", "u8"])
@pytest.mark.parametrize(
    "mode, antialias",
    [(m, True) for m in ["nearest", "linear", "cubic", "lanczos3", "lanczos5"]]
    + [(m, False) for m in ["linear", "cubic", "lanczos3", "lanczos5"]],
)
def test_jax(mode, antialias, dtype):
    for x, size in _grid(dtype):
        theirs = jax.image.resize(x, (*x.shape[:2], *size), method=mode, antialias=antialias)
        ours = upsample.interpolate(
            x, size=size, mode=mode, convention="jax", **({} if antialias else {"antialias": False})
        )
        _close(ours, np.asarray(theirs))


def test_jax_resizes_any_number_of_dims():
    x = _image(np.float32, spatial=(3, 4, 5), batch=(1, 2))
    for size in [(6, 2, 9), (1, 8, 5)]:
        theirs = jax.image.resize(x, (1, 2, *size), method="cubic")
        _close(upsample.interpolate(x, size=size, mode="cubic", convention="jax"), np.asarray(theirs))


# --------------------------------------------------------------------------- OpenCV

cv2 = required.module("cv2")

#: the modes cv2.resize has, each as the flag INTER_<MODE> (nearest-exact: INTER_NEAREST_EXACT)
CV2_MODES = ["nearest", "nearest-exact", "linear", "cubic", "area"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8], ids=["f32", "f64", "u8"])
@pytest.mark.parametrize("mode", CV2_MODES)
def test_opencv(mode, dtype):
    flag = getattr(cv2, "INTER_" + mode.upper().replace("-", "_"))
    for x, size in (
        _grid(dtype)
        + [(_image(dtype), s) for s in [(10, 7), (5, 14), (3, 7)]]
        + [(_image(dtype, spatial=(10, 14)), (5, 7))]
    ):  # one axis kept, exact 2x down
        source = x
        theirs = _planes(lambda p, s: cv2.resize(p, (s[1], s[0]), interpolation=flag), source, size)
        ours = upsample.interpolate(source, size=size, mode=mode, convention="opencv")
        assert ours.dtype == source.dtype if dtype != np.uint8 or mode != "area" else True
        u8 = dtype == np.uint8
        _close(ours, theirs, exact=u8, atol=1 if u8 and mode == "cubic" else 0)


# --------------------------------------------------------------------------- Pillow

from PIL import Image  # noqa: E402  -- Pillow is in the test extra: never a silent skip

PIL_FILTERS = {
    "nearest": "NEAREST",
    "linear": "BILINEAR",
    "cubic": "BICUBIC",
    "lanczos3": "LANCZOS",
    "area": "BOX",
}


@pytest.mark.parametrize("dtype", [np.float32, np.uint8], ids=["F", "L"])
@pytest.mark.parametrize("mode", list(PIL_FILTERS))
def test_pillow(mode, dtype):
    method = getattr(Image.Resampling, PIL_FILTERS[mode])
    for x, size in _grid(dtype):
        theirs = _planes(lambda p, s: np.asarray(Image.fromarray(p).resize((s[1], s[0]), method)), x, size)
        ours = upsample.interpolate(x, size=size, mode=mode, convention="pillow")
        assert ours.dtype == x.dtype
        _close(ours, theirs, exact=dtype == np.uint8)


# --------------------------------------------------------------------------- ONNX

onnx = required.module("onnx")
from onnx import TensorProto, helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402


def _onnx_resize(x, size, mode, roi=None, **attributes):
    elem = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE}[x.dtype]
    node = helper.make_node("Resize", ["X", "roi", "", "sizes"], ["Y"], mode=mode, **attributes)
    inits = [
        helper.make_tensor("sizes", TensorProto.INT64, [x.ndim], [*x.shape[:2], *size]),
        helper.make_tensor(
            "roi", TensorProto.FLOAT, [0 if roi is None else 2 * x.ndim], [] if roi is None else roi
        ),
    ]
    graph = helper.make_graph(
        [node],
        "resize",
        [helper.make_tensor_value_info("X", elem, x.shape)],
        [helper.make_tensor_value_info("Y", elem, None)],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    return ReferenceEvaluator(model).run(None, {"X": x})[0]


def _onnx_cases():
    for rule in [c for c in COORDINATE_MODES if c not in ("pytorch", "tf_crop_and_resize")]:
        for mode in ["nearest", "linear", "cubic"]:
            yield mode, dict(coordinate_transformation_mode=rule)
    for nearest_mode in NEAREST_MODES:
        for rule in ["half_pixel", "asymmetric", "align_corners"]:
            yield "nearest", dict(nearest_mode=nearest_mode, coordinate_transformation_mode=rule)
    yield "cubic", dict(exclude_outside=True, cubic_coeff_a=-0.5)
    yield "cubic", dict(exclude_outside=True, coordinate_transformation_mode="align_corners")
    yield "linear", dict(antialias=True)
    yield "cubic", dict(antialias=True)
    yield "cubic", dict(antialias=True, exclude_outside=True)


def _onnx_evaluator_is_off(mode, options, size):
    """onnx's reference evaluator maps a pytorch_half_pixel output of size 1 to -0.5, where
    the specification says 0: only cubic can tell (linear and nearest clamp -0.5 to pixel 0).
    Those cases are checked against the loop reference in test_onnx_options_match_the_loop_reference."""
    return (
        options.get("coordinate_transformation_mode") == "pytorch_half_pixel"
        and mode == "cubic"
        and 1 in size
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("mode, options", list(_onnx_cases()))
def test_onnx(mode, options, dtype):
    attributes = {k: int(v) if isinstance(v, bool) else v for k, v in options.items()}
    for x, size in _grid(dtype):
        if _onnx_evaluator_is_off(mode, options, size):
            continue
        ours = upsample.interpolate(x, size=size, mode=mode, convention="onnx", **options)
        _close(ours, _onnx_resize(x, size, mode, **attributes))


def test_onnx_crop_and_resize():
    x = _image(np.float32)
    roi = [0, 0, 0.2, 0.1, 1, 1, 0.9, 1.3]  # starts (N, C, H, W), then ends
    for mode in ["nearest", "linear", "cubic"]:
        for size in [(4, 6), (1, 9), (9, 3)]:
            ours = upsample.interpolate(
                x,
                size=size,
                mode=mode,
                convention="onnx",
                coordinate_transformation_mode="tf_crop_and_resize",
                roi=[(0.2, 0.9), (0.1, 1.3)],
                extrapolation_value=-7.0,
            )
            theirs = _onnx_resize(
                x,
                size,
                mode,
                roi=roi,
                extrapolation_value=-7.0,
                coordinate_transformation_mode="tf_crop_and_resize",
            )
            _close(ours, theirs)
            assert (ours == -7).any() == (size[1] > 1)  # the right end of W is past the image


# --------------------------------------------------------------------------- the loop reference

LOOP_CASES = [
    ("cubic", dict(coordinate_transformation_mode="pytorch_half_pixel")),
    ("linear", dict(coordinate_transformation_mode="half_pixel_symmetric")),
    ("nearest", dict(coordinate_transformation_mode="asymmetric", nearest_mode="ceil")),
    ("cubic", dict(exclude_outside=True, cubic_coeff_a=-0.6)),
    ("lanczos3", dict(antialias=True, exclude_outside=True)),
    ("lanczos5", dict(exclude_outside=True)),
    (
        "linear",
        dict(
            coordinate_transformation_mode="tf_crop_and_resize",
            roi=[(0.1, 0.8), (-0.2, 0.5)],
            extrapolation_value=3.5,
        ),
    ),
]


@pytest.mark.parametrize("mode, options", LOOP_CASES)
def test_onnx_options_match_the_loop_reference(mode, options):
    # Lanczos runs through the JAX row (ONNX has none), whose coordinates are float32
    lanczos = mode.startswith("lanczos")
    options = {"antialias": False, **options} if lanczos else options
    tolerance = 1e-5 if lanczos else 1e-12
    x = _image(np.float64)
    for size in OUT:
        ours = upsample.interpolate(
            x, size=size, mode=mode, convention="jax" if lanczos else "onnx", **options
        )
        np.testing.assert_allclose(
            ours, reference.resize(x, size, mode, **options), rtol=tolerance, atol=tolerance
        )


def test_scale_factor_places_the_samples_as_onnx_scales_do():
    x = _image(np.float64)
    for factor in [(1.5, 0.7), (2.3, 3.1)]:
        for mode, rule in [
            ("linear", "half_pixel"),
            ("cubic", "asymmetric"),
            ("linear", "half_pixel_symmetric"),
        ]:
            ours = upsample.interpolate(
                x, scale_factor=factor, mode=mode, convention="onnx", coordinate_transformation_mode=rule
            )
            size = ours.shape[2:]
            np.testing.assert_allclose(
                ours,
                reference.resize(x, size, mode, coordinate_transformation_mode=rule, scale_factor=factor),
                rtol=1e-12,
                atol=1e-12,
            )


# --------------------------------------------------------------------------- PyTorch's uint8

torch = required.module("torch")


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [False, True], ids=["", "aa"])
@pytest.mark.parametrize("align_corners", [False, True], ids=["", "ac"])
@pytest.mark.parametrize("channels", [1, 3, 5])
def test_torch_uint8_is_rounded_as_torch_does(mode, antialias, align_corners, channels):
    # PyTorch's CPU kernels use int16 weights for uint8 (with and without antialias, with an
    # AVX2 path for up to 4 channels); the bytes agree either way
    x = _image(np.uint8, spatial=(6, 8), batch=(2, channels))
    for size in [(7, 9), (3, 4), (16, 20), (6, 3), (2, 12), (1, 9), (12, 3)]:
        theirs = torch.nn.functional.interpolate(
            torch.tensor(x), size=size, mode=mode, antialias=antialias, align_corners=align_corners
        )
        ours = upsample.interpolate(x, size=size, mode=mode, antialias=antialias, align_corners=align_corners)
        assert ours.dtype == np.uint8
        np.testing.assert_array_equal(ours, theirs.numpy())
    np.testing.assert_array_equal(
        upsample.bilinear(x, 2),
        torch.nn.functional.interpolate(torch.tensor(x), scale_factor=2, mode="bilinear").numpy(),
    )


# --------------------------------------------------------------------------- the table


def test_every_convention_names_modes_the_plans_have():
    for convention in CONVENTIONS.values():
        assert set(convention.modes) <= set(MODES), convention.name
        assert set(convention.integer) <= set(convention.modes), convention.name


def test_torch_is_the_default_bit_for_bit():
    x = _image(np.float32, spatial=(6, 9))
    for mode in CONVENTIONS["torch"].modes:
        for kwargs in [dict(size=(13, 4)), dict(scale_factor=1.7)]:
            np.testing.assert_array_equal(
                upsample.interpolate(x, mode=mode, **kwargs),
                upsample.interpolate(x, mode=mode, convention="torch", **kwargs),
            )


def test_conventions_disagree_where_the_frameworks_do():
    # the same call, seven dialects: bilinear 2x up agrees except TF1 (asymmetric), cubic does not
    x = _image(np.float32, spatial=(4, 4))
    linear = {c: upsample.interpolate(x, size=(8, 8), mode="linear", convention=c) for c in CONVENTIONS}
    assert all(np.allclose(v, linear["torch"]) for c, v in linear.items() if c != "tf1")
    assert not np.allclose(linear["tf1"], linear["torch"])
    cubic = {
        c: upsample.interpolate(x, size=(8, 8), mode="cubic", convention=c)
        for c in CONVENTIONS
        if "cubic" in CONVENTIONS[c].modes
    }
    assert not np.allclose(cubic["jax"], cubic["torch"])  # a = -0.5 against -0.75
    np.testing.assert_allclose(cubic["opencv"], cubic["torch"], atol=1e-5)


# --------------------------------------------------------------------------- bad input

X4 = np.zeros((1, 2, 5, 5))
BAD_INPUT = [
    (
        lambda: upsample.interpolate(X4, size=4, convention="keras"),
        ValueError,
        [
            "interpolate",
            "convention",
            "'keras'",
            "'torch'",
            "'tf2'",
            "'jax'",
            "'opencv'",
            "'pillow'",
            "'onnx'",
        ],
    ),
    (
        lambda: upsample.interpolate(X4, size=4, mode="lanczos3"),
        ValueError,
        ["interpolate", "'torch'", "no mode 'lanczos3'", "'nearest'"],
    ),
    (
        lambda: upsample.interpolate(X4, size=4, mode="hamming", convention="jax"),
        ValueError,
        ["interpolate", "'jax'", "jax.image.resize", "no mode 'hamming'"],
    ),
    (
        lambda: upsample.interpolate(X4, size=4, mode="linear", coordinate_transformation_mode="centre"),
        ValueError,
        ["interpolate", "coordinate_transformation_mode", "'centre'", "'half_pixel'", "'tf_crop_and_resize'"],
    ),
    (
        lambda: upsample.interpolate(X4, size=4, nearest_mode="round"),
        ValueError,
        ["interpolate", "nearest_mode", "'round'", "'round_prefer_floor'", "'ceil'"],
    ),
    (
        lambda: upsample.interpolate(np.zeros((1, 1, 3, 4, 5)), size=2, mode="linear", convention="opencv"),
        ValueError,
        ["interpolate", "'opencv'", "cv2.resize", "2-D", "got 3 spatial dimensions"],
    ),
    (
        lambda: upsample.interpolate(
            X4, size=4, mode="linear", coordinate_transformation_mode="tf_crop_and_resize"
        ),
        ValueError,
        ["interpolate", "tf_crop_and_resize", "needs roi"],
    ),
    (
        lambda: upsample.interpolate(X4, size=4, mode="linear", roi=[(0, 1), (0, 1)]),
        ValueError,
        ["interpolate", "roi", "only applies", "tf_crop_and_resize"],
    ),
    (
        lambda: upsample.interpolate(
            X4, size=4, mode="linear", coordinate_transformation_mode="tf_crop_and_resize", roi=[0, 1]
        ),
        ValueError,
        ["interpolate", "roi", "4 numbers", "[0, 1]"],
    ),
    (
        lambda: upsample.interpolate(X4, size=4, mode="linear", convention="pillow"),
        ValueError,
        ["interpolate", "'pillow'", "uint8, uint16, float32", "float64"],
    ),
    (
        lambda: upsample.interpolate(X4, size=4, mode="linear", convention="opencv", antialias=True),
        ValueError,
        ["interpolate", "'opencv'", "has no antialias", "True"],
    ),
    (
        lambda: upsample.interpolate(
            X4.astype(np.float32), size=4, mode="linear", convention="pillow", antialias=False
        ),
        ValueError,
        ["interpolate", "'pillow'", "always antialiases"],
    ),
    (
        lambda: upsample.interpolate(
            X4, size=4, mode="linear", align_corners=True, coordinate_transformation_mode="asymmetric"
        ),
        ValueError,
        ["interpolate", "align_corners=True", "'asymmetric'"],
    ),
    (
        lambda: upsample.interpolate(X4, size=4, mode="cubic", cubic_coeff_a="a"),
        TypeError,
        ["interpolate", "cubic_coeff_a", "number", "'a'"],
    ),
    (
        lambda: upsample.interpolate(X4, size=4, mode="cubic", cubic_coeff_a=float("nan")),
        ValueError,
        ["interpolate", "cubic_coeff_a", "finite"],
    ),
    (
        lambda: upsample.interpolate(X4, size=4, mode="cubic", exclude_outside=1),
        TypeError,
        ["interpolate", "exclude_outside", "True or False", "1"],
    ),
    (
        lambda: upsample.interpolate(X4, size=4, mode="nearest", convention="jax", antialias=True),
        ValueError,
        ["interpolate", "antialias", "'nearest'"],
    ),
    (
        lambda: upsample.interpolation.sampling_plans(X4, size=4, colour="red"),
        TypeError,
        ["sampling_plans", "'colour'", "coordinate_transformation_mode"],
    ),
]


@pytest.mark.parametrize("call, exception, fragments", BAD_INPUT)
def test_bad_input_is_refused_clearly(call, exception, fragments):
    assert_refused(call, exception, fragments)


def test_docs_print_the_table():
    from pathlib import Path

    from upsample.conventions import table

    page = (Path(__file__).parent.parent / "docs" / "conventions.md").read_text()
    assert table() in page, "docs/conventions.md's table is out of date: paste conventions.table()"


def test_docs_compat_examples_run():
    import doctest
    from pathlib import Path

    page = Path(__file__).parent.parent / "docs" / "compat.md"
    result = doctest.testfile(
        str(page), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    )
    assert result.failed == 0 and result.attempted >= 10


def test_crop_gradient_skips_the_extrapolated_outputs():
    # outside the crop the output is a constant: no gradient flows back from there
    x = _image(np.float64)
    kwargs = dict(
        size=(4, 9),
        mode="linear",
        convention="onnx",
        roi=[(0.2, 1.2), (-0.1, 0.6)],
        coordinate_transformation_mode="tf_crop_and_resize",
        extrapolation_value=2.0,
    )
    y, pullback = upsample.vjp(upsample.interpolate, x, **kwargs)
    outside = y == 2.0
    assert outside.any() and not outside.all()
    probe = np.where(outside, rng.standard_normal(y.shape), 0)
    np.testing.assert_array_equal(pullback(probe)[0], 0)


def test_compare_command_prints_what_the_docs_show(capsys):
    from pathlib import Path

    from upsample.cli import main

    assert main(["compare", "bilinear", "1 2; 3 4", "-f", "2"]) == 0
    printed = capsys.readouterr().out
    for name, row in CONVENTIONS.items():
        assert f"{name} ({row.modes['linear']}" in printed
    assert "max |diff| vs torch: 0.75" in printed  # TF1's asymmetric corners
    page = (Path(__file__).parent.parent / "docs" / "conventions.md").read_text()
    assert printed in page, "docs/conventions.md's `upsample compare` output is out of date"


def test_compare_reports_missing_modes_and_refusals():
    c = upsample.compare([1, 2, 3, 4], "area", size=3)
    assert "no 'area' mode in onnx Resize" in c.outputs["onnx"]
    assert c.outputs["torch"].shape == (1, 3) and c.differences["tf2"] is not None
    with pytest.raises(ValueError, match="compare: x must be"):
        upsample.compare(np.zeros((1, 2, 3)), "linear", scale_factor=2)


def test_explain_moves_the_sampling_positions():
    ex_torch = upsample.explain.bilinear([[10, 20], [30, 40]], 2)
    ex_tf1 = upsample.explain.bilinear([[10, 20], [30, 40]], 2, convention="tf1")
    assert "(0, 0.25)" in ex_torch.steps[1].caption and "(0, 0.5)" in ex_tf1.steps[1].caption
    np.testing.assert_array_equal(
        ex_tf1.output, upsample.bilinear(np.array([[[[10.0, 20], [30, 40]]]]), 2, convention="tf1")[0]
    )
    assert upsample.explain.nearest([[1, 2, 3]], size=(1, 2), convention="onnx").output.tolist() == [[[1, 3]]]
