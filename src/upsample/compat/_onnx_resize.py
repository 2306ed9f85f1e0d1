"""ONNX Resize (opsets 10-19) and Upsample (opsets 7-9) nodes, run by upsample.

``run(node, inputs)`` takes an ``onnx.NodeProto`` and its input arrays (None or an empty
array for an omitted optional input) and returns the list of outputs. It reads the node's
attributes from the protobuf fields, so :mod:`onnx` itself is not imported here;
``upsample.compat.onnx.run_node`` calls it for these two op types.

The node maps onto :func:`upsample.interpolate`: the resized axes (``axes``, default all;
those whose size, scale or crop changes anything) become the spatial dims of one
(1, C, *spatial) call, the others are folded into C. ``convention="onnx"`` follows the
specification (the reference evaluator and the backend node tests, double arithmetic,
align_corners dividing by ``in * scale`` when scales are given); ``"onnxruntime"``
follows onnxruntime's CPU kernel (float32 coordinates, the integer output length).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..interpolation import interpolate

__all__ = ["run"]

#: AttributeProto.AttributeType values, read without importing onnx
_FLOAT, _INT, _STRING, _FLOATS, _INTS = 1, 2, 3, 6, 7


def _attributes(node: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for a in node.attribute:
        values[a.name] = {
            _FLOAT: lambda: a.f,
            _INT: lambda: a.i,
            _STRING: lambda: a.s.decode() if isinstance(a.s, bytes) else a.s,
            _FLOATS: lambda: list(a.floats),
            _INTS: lambda: list(a.ints),
        }[a.type]()
    return values


def _given(inputs: list, k: int) -> np.ndarray | None:
    """Input ``k`` if present and non-empty."""
    if k >= len(inputs) or inputs[k] is None:
        return None
    value = np.asarray(inputs[k])
    return value if value.size else None


def run(node: Any, inputs: list, *, opset: int | None = None, convention: str = "onnx") -> list:
    """Run one Resize or Upsample node on NumPy arrays; returns ``[Y]``.

    Args:
        node: an ``onnx.NodeProto`` with ``op_type`` "Resize" or "Upsample".
        inputs: X, then (Resize 11+) roi, scales, sizes; (Resize 10, Upsample 9) scales.
        opset: the model's opset; by default inferred (two inputs: opset 10 semantics).
        convention: ``"onnx"`` (the specification) or ``"onnxruntime"``.
    """
    op = f"onnx {node.op_type}"
    if node.op_type not in ("Resize", "Upsample"):
        raise ValueError(f"{op}: run takes Resize and Upsample nodes, got {node.op_type!r}")
    attrs = _attributes(node)
    x = np.asarray(inputs[0])
    legacy = (
        node.op_type == "Upsample"
        or (opset is not None and opset < 11)
        or (opset is None and len(inputs) == 2)
    )
    if legacy:  # Resize-10 and Upsample: scales only, asymmetric, floor
        scales = _given(inputs, 1) if len(inputs) > 1 else None
        if scales is None:
            scales = np.asarray(attrs.get("scales", []), dtype=np.float32)
        roi, sizes = None, None
        attrs.setdefault("coordinate_transformation_mode", "asymmetric")
    else:
        roi, scales, sizes = _given(inputs, 1), _given(inputs, 2), _given(inputs, 3)
    mode = attrs.get("mode", "nearest")
    if (scales is None) == (sizes is None):
        raise ValueError(f"{op}: exactly one of scales and sizes must be given")
    axes = [int(a) % x.ndim for a in attrs.get("axes", range(x.ndim))]
    ctm = attrs.get("coordinate_transformation_mode", "half_pixel")
    policy = attrs.get("keep_aspect_ratio_policy", "stretch")
    out: dict[int, int] = {}
    factors = None
    if sizes is not None:
        out = dict(zip(axes, (int(v) for v in sizes.ravel())))
    else:
        factors = dict(zip(axes, (float(f) for f in scales.ravel())))
    roi_pairs = None
    if roi is not None and ctm == "tf_crop_and_resize":
        flat = roi.ravel().tolist()
        roi_pairs = dict(zip(axes, zip(flat[: len(axes)], flat[len(axes) :])))
    crop = ctm == "tf_crop_and_resize"
    moving = [
        a
        for a in axes
        if crop
        or policy != "stretch"
        or (factors is not None and factors[a] != 1)
        or (factors is None and out[a] != x.shape[a])
    ]
    if not moving:
        return [x.copy()]
    rest = [a for a in range(x.ndim) if a not in moving]
    planes = np.transpose(x, rest + moving)  # (*rest, *moving)
    kept = planes.shape[: len(rest)]
    planes = planes.reshape(1, -1, *planes.shape[len(rest) :])  # (1, prod(rest), *moving)
    options: dict[str, Any] = {
        "mode": mode,
        "convention": convention,
        "coordinate_transformation_mode": ctm,
        "cubic_coeff_a": float(attrs.get("cubic_coeff_a", -0.75)),
        "exclude_outside": bool(attrs.get("exclude_outside", 0)),
        "extrapolation_value": float(attrs.get("extrapolation_value", 0.0)),
        "antialias": bool(attrs.get("antialias", 0)),
    }
    if mode == "nearest":
        options["nearest_mode"] = attrs.get("nearest_mode", "round_prefer_floor")
        del options["antialias"]
        if legacy:  # onnxruntime's "simple": ceil when shrinking, else floor
            shrinking = factors is not None and any(factors[a] < 1 for a in moving)
            options["nearest_mode"] = "ceil" if shrinking else "floor"
    if crop:
        options["roi"] = [roi_pairs[a] if roi_pairs else (0.0, 1.0) for a in moving]
    if factors is not None:
        y = interpolate(planes, scale_factor=[factors[a] for a in moving], **options)
    else:  # keep_aspect_ratio_policy: one scale over every axis in axes
        y = interpolate(
            planes,
            size=[out[a] for a in moving],
            **options,
            **({} if policy == "stretch" else {"keep_aspect_ratio_policy": policy}),
        )
    y = y.reshape(*kept, *y.shape[2:])
    y = np.transpose(y, np.argsort(rest + moving))
    return [y.astype(x.dtype, copy=False) if x.dtype.kind == "f" else y]
