"""Every framework's resize dialect as one row of data.

"bilinear" does not mean the same thing everywhere. Frameworks differ in where an output
pixel's centre lands in the input (the *coordinate rule*), how nearest rounds a source
coordinate, the cubic kernel's coefficient, whether the kernel widens when shrinking
(antialias), whether taps that fall outside the image are dropped or repeat the border,
and what they do with integer images. Each framework's answer is one :class:`Convention`
in :data:`CONVENTIONS`; :func:`upsample.interpolate` (``convention=NAME``) reads the row
and builds its per-axis sampling plans from it. There is no other implementation: a
convention only changes the plan's source positions and weights (and, for ``uint8``, the
integer arithmetic that applies them).

The coordinate rules are ONNX's ``coordinate_transformation_mode`` formulas, with
``scale = in / out`` (or ``1 / scale_factor`` where a framework uses the caller's factor):

==========================  ======================================================
half_pixel                  ``(o + 0.5) * scale - 0.5``
pytorch_half_pixel          the same, but ``0`` when the output has one pixel
align_corners               ``o * (in - 1) / (out - 1)`` (``0`` when out == 1)
asymmetric                  ``o * scale``
half_pixel_symmetric        half_pixel, shifted so the sampled span stays centred
                            when ``in * scale_factor`` is not an integer
tf_crop_and_resize          ``start * (in - 1) + o * (end - start) * (in - 1) / (out - 1)``
                            for ``roi = (start, end)``; outside ``[0, in - 1]`` the
                            output is ``extrapolation_value``
pytorch                     PyTorch's own rules (:func:`upsample.interpolation.sampling_plan`),
                            half_pixel or align_corners by the ``align_corners`` flag
==========================  ======================================================

and the nearest rounding rules are ONNX's ``nearest_mode``: ``floor``, ``ceil``,
``round_prefer_floor`` (halves go down) and ``round_prefer_ceil`` (halves go up), plus three
rules computed in a framework's own arithmetic (:data:`FIXED_POINT_NEAREST`): ``opencv_exact``
(OpenCV 4's 16.16 fixed point), ``stepped`` (OpenCV 5 and Pillow: the step summed in double)
and ``affine`` (Pillow's generic transform, each centre computed afresh).

Where a framework's result depends on its version (OpenCV 4 and 5), on the input's dtype
(Pillow's I;16), on antialias (TensorFlow's scale_and_translate) or on its runtime (the ONNX
specification and onnxruntime), that is a row, a ``per_dtype`` entry, an ``antialiased``
entry or a second row: data, read by the plan builders, never a branch in an op.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from . import _args

__all__ = [
    "Convention",
    "CONVENTIONS",
    "COORDINATE_MODES",
    "NEAREST_MODES",
    "ARITHMETIC",
    "INTEGER_RULES",
    "Settings",
    "settings",
    "table",
]


# --------------------------------------------------------------------------- rules as data

# Each rule maps output indices ``o`` to source coordinates; ``scaled(v)`` is ``v * in/out``
# (or ``v / scale_factor``) computed in the convention's arithmetic.


def _half_pixel(o, in_size, out_size, scaled, roi):
    return scaled(o + 0.5) - 0.5


def _pytorch_half_pixel(o, in_size, out_size, scaled, roi):
    return scaled(o + 0.5) - 0.5 if out_size > 1 else o * 0


def _align_corners(o, in_size, out_size, scaled, roi):
    if out_size == 1:
        return o * 0
    if o.dtype != np.float32:
        return o * ((in_size - 1) / (out_size - 1))
    if getattr(scaled, "product_first", False):  # onnxruntime: (o * (in-1)) / (out-1)
        return o * o.dtype.type(in_size - 1) / o.dtype.type(out_size - 1)
    return o * (o.dtype.type(in_size - 1) / o.dtype.type(out_size - 1))  # TF's float scale


def _asymmetric(o, in_size, out_size, scaled, roi):
    return scaled(o)


def _half_pixel_symmetric(o, in_size, out_size, scaled, roi):
    adjustment = out_size * float(scaled(np.float64(1))) / in_size  # 1 unless in*factor is fractional
    offset = in_size / 2 * (1 - adjustment)
    return offset + scaled(o + 0.5) - 0.5


def _crop_and_resize(o, in_size, out_size, scaled, roi):
    start, end = roi
    if out_size == 1:
        return o * 0 + (end - start) * (in_size - 1) / 2 + start * (in_size - 1)
    return start * (in_size - 1) + o * ((end - start) * (in_size - 1) / (out_size - 1))


#: ONNX's coordinate_transformation_mode formulas: output indices -> source coordinates.
COORDINATE_MODES: Mapping[str, Any] = MappingProxyType(
    {
        "half_pixel": _half_pixel,
        "pytorch_half_pixel": _pytorch_half_pixel,
        "align_corners": _align_corners,
        "asymmetric": _asymmetric,
        "half_pixel_symmetric": _half_pixel_symmetric,
        "tf_crop_and_resize": _crop_and_resize,
        "pytorch": None,  # PyTorch's own builders; half_pixel / align_corners elsewhere
    }
)


def _times(dtype):
    def arithmetic(in_size, out_size, factor):
        scale = dtype(in_size) / dtype(out_size) if factor is None else dtype(1.0 / factor)
        return np.dtype(dtype), lambda v: v * scale

    return arithmetic


def _onnx(in_size, out_size, factor):
    ratio = out_size / in_size if factor is None else factor
    return np.dtype(np.float64), lambda v: v / ratio


def _folded32(in_size, out_size, factor):
    f32 = np.float32  # XLA folds ``v * in / out`` into one constant: in * (1 / out), in float32
    scale = f32(f32(in_size) * (f32(1) / f32(out_size)))
    return np.dtype(f32), lambda v: v * scale


def _float32_divide(in_size, out_size, factor):
    scale = np.float32(factor) if factor is not None else np.float32(out_size) / np.float32(in_size)

    def scaled(v):
        return v / scale

    scaled.product_first = True  # align_corners: (o * (in-1)) / (out-1), as written
    return np.dtype(np.float32), scaled


def _opencv(in_size, out_size, factor):
    scale = 1.0 / (out_size / in_size if factor is None else factor)
    return np.dtype(np.float64), lambda v: v * scale


#: How a framework computes ``v * in/out``: (in, out, scale_factor or None) -> (dtype, scaled).
#: The source coordinates of "opencv" are then rounded to float32, as cv2.resize stores them.
ARITHMETIC: Mapping[str, Any] = MappingProxyType(
    {
        "float64": _times(np.float64),  # multiply by in/out in double
        "float32": _times(np.float32),  # multiply by float(in)/float(out) (TensorFlow)
        "float32_folded": _folded32,  # times float(in) * (1/float(out)) (JAX nearest, under XLA)
        "onnx": _onnx,  # divide by out/in in double (the ONNX specification)
        "float32_divide": _float32_divide,  # divide by float(out)/float(in) in float32 (onnxruntime)
        "opencv": _opencv,  # multiply by 1/(out/in) in double (cv2.resize)
    }
)

#: ONNX's nearest_mode: source coordinate -> source index (before clipping to the image).
NEAREST_MODES: Mapping[str, Any] = MappingProxyType(
    {
        "round_prefer_floor": lambda src: np.ceil(src - 0.5),
        "round_prefer_ceil": lambda src: np.floor(src + 0.5),
        "floor": np.floor,
        "ceil": np.ceil,
    }
)


def _opencv_exact(in_size, out_size, start, length):
    """cv2.INTER_NEAREST_EXACT: half-pixel centres in 16.16 fixed point, as OpenCV computes them."""
    step = ((in_size << 16) + out_size // 2) // out_size
    first = step // 2 - in_size % 2
    return (step * np.arange(out_size, dtype=np.int64) + first) >> 16


def _cumulative(start, step, count):
    """``start, start + step, ...`` (count terms) summed one at a time in double, as C's loop does."""
    terms = np.full(count, step)
    terms[0] = start
    return np.cumsum(terms)


#: nearest rules computed by a framework's own arithmetic:
#: (in, out, start, length of the span sampled) -> source indices.
FIXED_POINT_NEAREST: Mapping[str, Any] = MappingProxyType(
    {
        "opencv_exact": _opencv_exact,  # OpenCV 4.x: 16.16 fixed point
        "stepped": lambda i, o, start, length: np.floor(  # OpenCV 5, Pillow
            _cumulative(start + 0.5 * (length / o), length / o, o)
        ),
        "affine": lambda i, o, start, length: np.floor(  # Pillow, I;16
            (length / o) * (np.arange(o) + 0.5) + start
        ),
    }
)

#: What a convention does with a uint8 image in the modes that compute (see upsample._integer):
INTEGER_RULES: Mapping[str, str] = MappingProxyType(
    {
        "torch": "fixed point per axis (int16 weights, precision from the largest weight), "
        "last axis first, rounded to uint8 between axes",
        "pillow": "fixed point per axis (22 fractional bits), last axis first, rounded to uint8 between axes",
        "opencv_linear": "11-bit weights per axis, the horizontal sums kept exact, the vertical "
        "sum shifted as OpenCV's vector loop does; a 2x2 shrink is opencv_area's",
        "opencv_area": "cv2.INTER_AREA's: shrinking by integer factors, block sums (in integers "
        "for uint8, in float32 four pixels at a time for 16-bit images; (sum + 2) >> 2 for 2x2, "
        "else times a float32 1/area, rounded half to even); by other factors, float32 sums "
        "rounded half to even; growing, the opencv_linear arithmetic (uint8) or opencv_float's "
        "(16-bit) on INTER_AREA's weights",
        "opencv_cubic": "cv2.INTER_CUBIC's own (Intel IPP off): 11-bit weights per tap, the "
        "horizontal sums kept exact, the vertical sum in float32 over the vector "
        "loop's lanes and shifted in integers in the tail",
        "round": "computed in float64, rounded half to even and clipped to the dtype's range "
        "(uint8, uint16, int16)",
        "opencv_float": "cv2.INTER_LINEAR on 16-bit images: both passes in float32 with float32 "
        "weights, the horizontal first (a border column clamped to one tap of weight 1), each "
        "product rounded, then rounded half to even and clipped; a 2x2 shrink is opencv_area's",
        "opencv_cubic_wide": "cv2.INTER_CUBIC on 16-bit images (Intel IPP off): as opencv_float "
        "with OpenCV's float32 cubic weights, border taps kept, the vertical vector loop "
        "(8 lanes) adding from the last tap",
        "opencv_lanczos4": "cv2.INTER_LANCZOS4's: 11-bit weights per tap (OpenCV's float32 "
        "Lanczos-4 weights), the horizontal sums kept exact, the vertical sum shifted in integers",
        "opencv_linear_exact": "cv2.INTER_LINEAR_EXACT's fixed point: weights with 8 (uint8) or 16 "
        "(16-bit) fractional bits, exact horizontal sums, the vertical sum rounded half up; a 2x2 "
        "shrink is opencv_area's",
        "opencv_lanczos4_wide": "cv2.INTER_LANCZOS4 on 16-bit images: as opencv_float, with "
        "int16's vertical vector loop (8 lanes) summing from the last tap",
        "pillow_wide": "each pass in float64, rounded half away from zero and clipped to the "
        "dtype's range (Pillow's I;16)",
        "float32": "computed in float32 and returned as float32",
        "float64": "computed in float64 and returned as float64",
    }
)


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Convention:
    """One framework's resize dialect: the settings the sampling plans read.

    Attributes:
        name: the ``convention=`` name.
        call: the framework call this row reproduces.
        modes: our mode name -> what the framework calls it; modes missing here are refused.
        coordinate: the default coordinate rule (a key of :data:`COORDINATE_MODES`).
        nearest_mode: how nearest rounds (a key of :data:`NEAREST_MODES`), or
            ``"opencv_exact"`` (OpenCV's 16.16 fixed-point half-pixel rounding).
        cubic_a: Keys' cubic coefficient.
        exclude_outside: taps outside the image get weight 0 and the rest are
            renormalised (True), or they repeat the border pixel (False).
        antialias: the default; ``antialias_options`` lists the values the framework takes.
            Antialias widens the kernel by ``in/out`` when shrinking and normalises it.
        scale_from: ``"factor"``: a given ``scale_factor`` places the samples (``1/factor``);
            ``"sizes"``: always ``in/out`` (the framework only takes sizes).
        arithmetic: how the source coordinates are computed (a key of :data:`ARITHMETIC`).
        cubic_table: cubic weights read from a table of this many steps per pixel (TF), or None.
        area: ``"adaptive"`` (adaptive average pooling bins), ``"overlap"`` (each input
            pixel weighted by how much of it the output pixel covers), ``"opencv"``
            (overlap when every axis shrinks, else OpenCV's INTER_AREA upscaling rule).
        integer: mode -> rule for uint8 input (a key of :data:`INTEGER_RULES`); modes not
            listed compute in float64.
        spatial_dims: the numbers of spatial dims the framework takes (None: any).
        dtypes: the input dtypes the framework takes (None: any).
        per_mode: mode -> settings that differ for that mode.
        per_coordinate: coordinate rule -> settings that differ with it.
        taps: which taps a kernel reads and where it is evaluated: ``"support"`` (every
            pixel within the kernel's support of the source point) or ``"pillow"``
            (Pillow's ``precompute_coeffs``: the window ``[int(c - r + 0.5), int(c + r + 0.5))``
            around the centre ``c`` in pixel-edge coordinates, the kernel read at
            ``(x + 0.5 - c) / scale``).
        wide_integer: the rule (a key of :data:`INTEGER_RULES`, or mode -> rule) for uint16 and
            int16 input in the modes that compute, or None (computed in float64, returned as
            float64).
        size_rounding: how a ``scale_factor`` gives the output size: ``"floor"`` or
            ``"round"`` (half to even, OpenCV's ``cvRound(in * fx)``) or ``"float32"`` (the
            product in float32, truncated: onnxruntime).
        per_dtype: input dtype name -> settings that differ for it (Pillow's I;16 images take
            its generic transform, whose nearest computes each centre afresh).
        corner_length: the output length align_corners divides by: ``"size"`` (the output
            size) or ``"scaled"`` (``in * scale_factor`` when a scale is given, a fraction:
            the ONNX specification's ``length_resized``).
        antialiased: settings that differ when antialias is on (TensorFlow then runs
            scale_and_translate instead of its resize kernels).
        nearest_tie: how far from a half (in the coordinate's own arithmetic) a source
            coordinate is still a tie for the round_prefer modes (onnxruntime: 1e-6), or 0.
        copies_same_shape: the input comes back unchanged when the output shape equals
            it, whatever the scale, roi or mode (onnxruntime; cv2.resize, whatever fx/fy).
        versions: the framework versions this row was verified against, exhaustively.
    """

    name: str
    call: str
    modes: Mapping[str, str]
    coordinate: str = "half_pixel"
    nearest_mode: str = "round_prefer_floor"
    cubic_a: float = -0.75
    exclude_outside: bool = False
    antialias: bool = False
    antialias_options: tuple[bool, ...] = (False,)
    scale_from: str = "sizes"
    arithmetic: str = "float64"
    cubic_table: int | None = None
    area: str = "overlap"
    integer: Mapping[str, str] = field(default_factory=dict)
    spatial_dims: tuple[int, ...] | None = None
    dtypes: tuple[str, ...] | None = None
    per_mode: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    per_coordinate: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    taps: str = "support"
    size_rounding: str = "floor"
    wide_integer: str | Mapping[str, str] | None = None
    per_dtype: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    antialiased: Mapping[str, Any] = field(default_factory=dict)
    corner_length: str = "size"
    nearest_tie: float = 0.0
    copies_same_shape: bool = False
    versions: str = ""


_TF_FLOAT = {"linear": "float32", "cubic": "float32", "area": "float32"}
#: the cubic of TensorFlow 2, JAX and Pillow (and tf1 with half-pixel centres): Keys' a = -0.5,
#: its weights renormalised over the taps that fall inside the image
_KEYS_INSIDE = {"cubic_a": -0.5, "exclude_outside": True}
#: the tf.image.resize methods that always run scale_and_translate
_TF_SCALE_AND_TRANSLATE = ("lanczos3", "lanczos5", "gaussian", "mitchellcubic")


def kind_widens(mode: str) -> bool:
    """The modes whose kernel antialias widens (every kernel but nearest and area)."""
    return mode not in ("nearest", "nearest-exact", "area")


_ROWS = [
    Convention(
        "torch",
        "torch.nn.functional.interpolate",
        {
            "nearest": "nearest",
            "nearest-exact": "nearest-exact",
            "linear": "bilinear",
            "cubic": "bicubic",
            "area": "area",
        },
        coordinate="pytorch",
        nearest_mode="floor",
        antialias_options=(False, True),
        scale_from="factor",
        area="adaptive",
        integer={"linear": "torch", "cubic": "torch"},
        versions="torch 2.13.0",
        per_mode={
            "nearest": {"coordinate": "asymmetric", "nearest_mode": "floor"},
            "nearest-exact": {"coordinate": "half_pixel", "nearest_mode": "round_prefer_ceil"},
        },
    ),
    Convention(
        "onnx",
        "onnx Resize (opset 19)",
        {"nearest": "nearest", "linear": "linear", "cubic": "cubic"},
        antialias_options=(False, True),
        scale_from="factor",
        arithmetic="onnx",
        integer={"linear": "round", "cubic": "round"},
        corner_length="scaled",
        versions="onnx 1.23.2 (its backend node cases)",
    ),
    Convention(
        "onnxruntime",
        "onnxruntime Resize (opset 19, CPU)",
        {"nearest": "nearest", "linear": "linear", "cubic": "cubic"},
        antialias_options=(False, True),
        scale_from="factor",
        arithmetic="float32_divide",
        size_rounding="float32",
        integer={"linear": "round", "cubic": "round"},
        nearest_tie=1e-6,
        copies_same_shape=True,
        versions="onnxruntime 1.32.0",
    ),
    Convention(
        "tf2",
        "tf.image.resize",
        {
            "nearest": "nearest",
            "linear": "bilinear",
            "cubic": "bicubic",
            "area": "area",
            "lanczos3": "lanczos3",
            "lanczos5": "lanczos5",
            "gaussian": "gaussian",
            "mitchellcubic": "mitchellcubic",
        },
        nearest_mode="round_prefer_ceil",
        **_KEYS_INSIDE,
        antialias_options=(False, True),
        arithmetic="float32",
        cubic_table=1024,
        integer={**_TF_FLOAT, **{m: "float32" for m in _TF_SCALE_AND_TRANSLATE}},
        per_mode={m: {"taps": "tf"} for m in _TF_SCALE_AND_TRANSLATE},
        antialiased={"taps": "tf"},
        spatial_dims=(2,),
        versions="tensorflow-cpu 2.21.0",
    ),
    Convention(
        "tf1",
        "tf.compat.v1.image.resize_* (align_corners, half_pixel_centers)",
        {
            "nearest": "resize_nearest_neighbor",
            "linear": "resize_bilinear",
            "cubic": "resize_bicubic",
            "area": "resize_area",
        },
        coordinate="asymmetric",
        nearest_mode="floor",
        arithmetic="float32",
        cubic_table=1024,
        integer=_TF_FLOAT,
        spatial_dims=(2,),
        versions="tensorflow-cpu 2.21.0",
        per_coordinate={
            "half_pixel": {"nearest_mode": "round_prefer_ceil", **_KEYS_INSIDE},
            "align_corners": {"nearest_mode": "round_prefer_ceil"},
        },
    ),
    Convention(
        "jax",
        "jax.image.resize",
        {
            "nearest": "nearest",
            "linear": "linear",
            "cubic": "cubic",
            "lanczos3": "lanczos3",
            "lanczos5": "lanczos5",
            "area": "area",
        },
        nearest_mode="round_prefer_ceil",
        **_KEYS_INSIDE,
        antialias=True,
        antialias_options=(False, True),
        arithmetic="float32",
        integer={m: "float32" for m in ("linear", "cubic", "lanczos3", "lanczos5", "area")},
        per_mode={"nearest": {"arithmetic": "float32_folded"}},
        versions="jax 0.10.2",
    ),
    Convention(
        "opencv",
        "cv2.resize",
        {
            "nearest": "INTER_NEAREST",
            "nearest-exact": "INTER_NEAREST_EXACT",
            "linear": "INTER_LINEAR",
            "cubic": "INTER_CUBIC",
            "area": "INTER_AREA",
            "lanczos4": "INTER_LANCZOS4",
            "linear-exact": "INTER_LINEAR_EXACT",
        },
        coordinate="half_pixel",
        arithmetic="opencv",
        area="opencv",
        scale_from="factor",
        size_rounding="round",
        wide_integer={
            "linear": "opencv_float",
            "cubic": "opencv_cubic_wide",
            "lanczos4": "opencv_lanczos4_wide",
            "linear-exact": "opencv_linear_exact",
            "area": "opencv_area",
        },
        integer={
            "linear": "opencv_linear",
            "cubic": "opencv_cubic",
            "lanczos4": "opencv_lanczos4",
            "linear-exact": "opencv_linear_exact",
            "area": "opencv_area",
        },
        spatial_dims=(2,),
        dtypes=("uint8", "uint16", "int16", "float32", "float64"),
        copies_same_shape=True,  # cv2.resize copies src when the size is unchanged, whatever fx
        per_mode={
            "nearest": {"coordinate": "asymmetric", "nearest_mode": "floor"},
            "nearest-exact": {"nearest_mode": "stepped"},
        },
        versions="opencv-python-headless 5.1.0",
    ),
    Convention(
        "pillow",
        "PIL.Image.Image.resize",
        {
            "nearest": "Image.NEAREST",
            "linear": "Image.BILINEAR",
            "cubic": "Image.BICUBIC",
            "lanczos3": "Image.LANCZOS",
            "area": "Image.BOX",
            "hamming": "Image.HAMMING",
        },
        nearest_mode="stepped",
        **_KEYS_INSIDE,
        antialias=True,
        antialias_options=(True,),
        area="box",
        taps="pillow",
        integer={m: "pillow" for m in ("linear", "cubic", "lanczos3", "area", "hamming")},
        spatial_dims=(2,),
        dtypes=("uint8", "uint16", "float32"),
        wide_integer="pillow_wide",
        per_dtype={"uint16": {"nearest_mode": "affine"}},
        versions="Pillow 13.0.0",
    ),
]


def _opencv4(row: Convention) -> Convention:
    """OpenCV 4.x differs from OpenCV 5 in one place: INTER_NEAREST_EXACT computed its
    half-pixel centres in 16.16 fixed point (``resizeNN_bitexact`` in 4.x's resize.cpp),
    where 5.x steps in double from half a step, as Pillow does."""
    nearest_exact = {**row.per_mode["nearest-exact"], "nearest_mode": "opencv_exact"}
    return replace(
        row,
        name="opencv4",
        call="cv2.resize (OpenCV 4.x)",
        per_mode={**row.per_mode, "nearest-exact": nearest_exact},
        versions="OpenCV 4.x source (modules/imgproc/src/resize.cpp, resizeNN_bitexact)",
    )


_ROWS.append(_opencv4(next(r for r in _ROWS if r.name == "opencv")))

CONVENTIONS: Mapping[str, Convention] = MappingProxyType({c.name: c for c in _ROWS})


# --------------------------------------------------------------------------- one call's settings


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one call: a convention's row, its per-mode and per-coordinate
    entries, then the caller's explicit options, in that order. The plan builders read these."""

    convention: str
    mode: str
    coordinate: str
    nearest_mode: str
    cubic_a: float
    exclude_outside: bool
    antialias: bool
    scale_from: str
    arithmetic: str
    cubic_table: int | None
    area: str
    integer: str
    taps: str = "support"
    size_rounding: str = "floor"
    wide_integer: str | None = None
    corner_length: str = "size"
    roi: tuple[tuple[float, float], ...] | None = None
    #: per spatial axis, the span ``[start, end)`` of the input (in pixel edges) the output
    #: covers, or None for the whole axis (Pillow's ``box``, JAX's scale_and_translate)
    window: tuple[tuple[float, float], ...] | None = None
    extrapolation_value: float = 0.0
    #: PyTorch's own plan builders apply: convention "torch" with no ONNX-level option changed
    legacy: bool = False
    nearest_tie: float = 0.0
    copies_same_shape: bool = False


def _convention(op: str, name: Any) -> Convention:
    return CONVENTIONS[_args.choice(op, "convention", name, CONVENTIONS)]


def settings(
    op: str,
    name: Any,
    mode: str,
    *,
    nd: int | None,
    dtype: np.dtype | None,
    coordinate_transformation_mode: Any = None,
    nearest_mode: Any = None,
    cubic_coeff_a: Any = None,
    exclude_outside: Any = None,
    antialias: Any = None,
    align_corners: bool | None = None,
    roi: Any = None,
    extrapolation_value: Any = 0.0,
    window: Any = None,
) -> Settings:
    """Resolve one call's settings from convention ``name`` and the caller's explicit options.

    Refuses, naming the valid choices: an unknown convention, a mode the framework does
    not have, a coordinate or nearest mode name that does not exist, a number of spatial
    dims or a dtype the framework does not take, antialias where it cannot be chosen, and
    ``tf_crop_and_resize`` without ``roi`` (or ``roi`` with any other coordinate rule).
    """
    row = _convention(op, name)
    if mode not in row.modes:
        have = ", ".join(repr(m) for m in row.modes)
        raise ValueError(f"{op}: convention {row.name!r} ({row.call}) has no mode {mode!r}; it has {have}")
    if row.spatial_dims is not None and nd is not None and nd not in row.spatial_dims:
        dims = " or ".join(str(d) for d in row.spatial_dims)
        raise ValueError(
            f"{op}: convention {row.name!r} ({row.call}) resizes {dims}-D images "
            f"(N, C, H, W); got {nd} spatial dimension{'s' if nd != 1 else ''}"
        )
    if row.dtypes is not None and dtype is not None and dtype.name not in row.dtypes:
        raise ValueError(
            f"{op}: convention {row.name!r} ({row.call}) takes dtypes {', '.join(row.dtypes)}; got {dtype}"
        )
    values: dict[str, Any] = {
        f: getattr(row, f)
        for f in (
            "coordinate",
            "nearest_mode",
            "cubic_a",
            "exclude_outside",
            "antialias",
            "scale_from",
            "arithmetic",
            "cubic_table",
            "area",
            "taps",
        )
    }
    values.update(row.per_mode.get(mode, {}))
    values.update(row.per_coordinate.get(values["coordinate"], {}))
    if dtype is not None:
        values.update(row.per_dtype.get(dtype.name, {}))
    baseline = dict(values)

    if align_corners and coordinate_transformation_mode not in (None, "align_corners"):
        raise ValueError(
            f"{op}: align_corners=True means coordinate_transformation_mode="
            f"'align_corners'; got coordinate_transformation_mode="
            f"{coordinate_transformation_mode!r} too"
        )
    if align_corners and row.coordinate != "pytorch":
        coordinate_transformation_mode = "align_corners"
    if coordinate_transformation_mode is not None:
        values["coordinate"] = _args.choice(
            op,
            "coordinate_transformation_mode",
            coordinate_transformation_mode,
            [c for c in COORDINATE_MODES if c != "pytorch"],
        )
        values.update(row.per_coordinate.get(values["coordinate"], {}))
    if nearest_mode is not None:
        values["nearest_mode"] = _args.choice(op, "nearest_mode", nearest_mode, NEAREST_MODES)
    if cubic_coeff_a is not None:
        values["cubic_a"] = _args.finite(op, "cubic_coeff_a", cubic_coeff_a)
    if exclude_outside is not None:
        values["exclude_outside"] = _args.flag(op, "exclude_outside", exclude_outside)
    if antialias is not None:
        antialias = _args.flag(op, "antialias", antialias)
        if antialias not in row.antialias_options:
            what = "always antialiases" if row.antialias_options == (True,) else "has no antialias"
            raise ValueError(
                f"{op}: convention {row.name!r} ({row.call}) {what}; antialias "
                f"must be {row.antialias_options[0]} or None, got {antialias}"
            )
        values["antialias"] = antialias
    baseline["antialias"] = values["antialias"]
    if values["antialias"] and kind_widens(mode):
        values.update(row.antialiased)
        baseline.update(row.antialiased)
    legacy = row.coordinate == "pytorch" and values == baseline
    if values["coordinate"] == "pytorch" and not legacy:  # PyTorch's rule, in ONNX's words
        values["coordinate"] = "align_corners" if align_corners else "half_pixel"

    crop = values["coordinate"] == "tf_crop_and_resize"
    if crop and roi is None:
        raise ValueError(
            f"{op}: coordinate_transformation_mode='tf_crop_and_resize' needs roi, "
            "one (start, end) pair per spatial dimension in [0, 1] coordinates"
        )
    if roi is not None and not crop:
        raise ValueError(
            f"{op}: roi only applies with coordinate_transformation_mode="
            f"'tf_crop_and_resize', got {values['coordinate']!r}"
        )
    pairs = _args.roi_pairs(op, roi, nd) if crop else None
    span = None
    if window is not None:
        if (
            values["coordinate"] not in ("half_pixel", "pytorch_half_pixel")
            or values["nearest_mode"] == "opencv_exact"
        ):
            raise ValueError(
                f"{op}: window (the input span the output covers) needs half-pixel "
                f"centres; convention {row.name!r} with mode {mode!r} samples by "
                f"{values['coordinate']!r}"
            )
        span = _args.window_pairs(op, window, nd)
    return Settings(
        row.name,
        mode,
        values["coordinate"],
        values["nearest_mode"],
        float(values["cubic_a"]),
        bool(values["exclude_outside"]),
        bool(values["antialias"]),
        values["scale_from"],
        values["arithmetic"],
        values["cubic_table"],
        values["area"],
        row.integer.get(mode, "float64"),
        values["taps"],
        row.size_rounding,
        row.wide_integer.get(mode) if isinstance(row.wide_integer, Mapping) else row.wide_integer,
        row.corner_length,
        pairs,
        span,
        _args.finite(op, "extrapolation_value", extrapolation_value),
        legacy,
        row.nearest_tie,
        row.copies_same_shape,
    )


def for_axis(s: Settings, axis: int) -> Settings:
    """The settings of one spatial axis (its own roi and window pairs)."""
    if s.roi is not None:
        s = replace(s, roi=(s.roi[axis],))
    if s.window is not None:
        s = replace(s, window=(s.window[axis],))
    return s


# --------------------------------------------------------------------------- documentation


def table() -> str:
    """The conventions as a Markdown table: one row per framework (the README prints it).

    >>> print(table().splitlines()[0])
    | convention | reproduces | modes (ours: theirs) | linear and cubic sample at | nearest | cubic a | taps outside | antialias | uint8 | verified against |
    """
    head = (
        "| convention | reproduces | modes (ours: theirs) | linear and cubic sample at | nearest "
        "| cubic a | taps outside | antialias | uint8 | verified against |"
    )
    lines = [head, "| " + " | ".join(["---"] * 10) + " |"]
    for c in CONVENTIONS.values():
        modes = ", ".join(f"{ours}: {theirs}" for ours, theirs in c.modes.items())
        nearest = c.per_mode.get("nearest", {})
        rounding = f"{nearest.get('coordinate', c.coordinate)}, {nearest.get('nearest_mode', c.nearest_mode)}"
        cubic = f"{c.cubic_a}" + (f" ({c.cubic_table}-step table)" if c.cubic_table else "")
        outside = "dropped" if c.exclude_outside else "border"
        for rule, changes in c.per_coordinate.items():
            said = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in changes.items())
            cubic += f"; with {rule}: {said}"
        aa = {(False,): "no", (True,): "always", (False, True): "optional"}[c.antialias_options]
        if c.antialias_options == (False, True):
            aa += f", default {'on' if c.antialias else 'off'}"
        uint8 = ", ".join(f"{m} {r}" for m, r in c.integer.items()) or "float64"
        coordinate = "PyTorch's (half_pixel, or align_corners)" if c.coordinate == "pytorch" else c.coordinate
        lines.append(
            f"| `{c.name}` | `{c.call}` | {modes} | {coordinate} | {rounding} | {cubic} "
            f"| {outside} | {aa} | {uint8} | {c.versions or 'not verified'} |"
        )
    return "\n".join(lines)
