"""A second, independent oracle: the onnx package's reference evaluator.

Used only where it is correct: Conv, ConvTranspose (not grouped, or depthwise),
Resize, DepthToSpace (CRD) and MaxUnpool without output_shape. Its MaxUnpool with
output_shape and its grouped ConvTranspose disagree with PyTorch, so they are not used.
"""

import numpy as np
import pytest

import required
import upsample

onnx = required.module("onnx")
from onnx import TensorProto, helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402


def run_node(op_type, inputs, outputs=1, **attributes):
    """Evaluate one ONNX node on float64 numpy inputs and return its outputs."""
    names = [f"in{i}" for i in range(len(inputs))]
    node = helper.make_node(
        op_type,
        [n if a is not None else "" for n, a in zip(names, inputs)],
        [f"out{i}" for i in range(outputs)],
        **attributes,
    )
    kinds = {np.dtype(np.float64): TensorProto.DOUBLE, np.dtype(np.int64): TensorProto.INT64}
    graph = helper.make_graph(
        [node],
        "g",
        [
            helper.make_tensor_value_info(n, kinds[a.dtype], a.shape)
            for n, a in zip(names, inputs)
            if a is not None
        ],
        [helper.make_tensor_value_info(f"out{i}", TensorProto.UNDEFINED, None) for i in range(outputs)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    feeds = {n: a for n, a in zip(names, inputs) if a is not None}
    return ReferenceEvaluator(model).run(None, feeds)


rng = np.random.default_rng(3)


@pytest.mark.parametrize(
    "nd, stride, padding, dilation, groups",
    [
        (1, 2, ((1, 0),), 1, 1),
        (2, (2, 1), ((1, 1), (0, 2)), (1, 2), 2),
        (2, 1, ((2, 2), (1, 1)), 2, 4),
        (3, 2, ((1, 0), (1, 1), (0, 1)), 1, 1),
    ],
)
def test_conv_matches_onnx(nd, stride, padding, dilation, groups):
    x = rng.standard_normal((2, 4, *(7,) * nd))
    w = rng.standard_normal((4, 4 // groups, *(3,) * nd))
    b = rng.standard_normal(4)
    ours = upsample.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    expand = lambda v: list(v) if isinstance(v, tuple) else [v] * nd
    (theirs,) = run_node(
        "Conv",
        [x, w, b],
        strides=expand(stride),
        dilations=expand(dilation),
        group=groups,
        pads=[lo for lo, _ in padding] + [hi for _, hi in padding],
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "nd, stride, padding, output_padding, dilation, depthwise",
    [
        (1, 2, 1, 1, 1, False),
        (2, 2, 1, 0, 1, False),
        (2, (3, 2), (0, 1), (2, 1), 1, False),
        (2, 2, 1, 1, 2, False),
        (2, 2, 0, 0, 1, True),
        (3, 2, 1, 0, 1, False),
    ],
)
def test_conv_transpose_matches_onnx(nd, stride, padding, output_padding, dilation, depthwise):
    c = 3
    x = rng.standard_normal((2, c, *(4,) * nd))
    w = rng.standard_normal((c, 1 if depthwise else 2, *(3,) * nd))
    groups = c if depthwise else 1
    ours = upsample.conv_transpose(
        x, w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups
    )
    expand = lambda v: list(v) if isinstance(v, tuple) else [v] * nd
    (theirs,) = run_node(
        "ConvTranspose",
        [x, w],
        strides=expand(stride),
        dilations=expand(dilation),
        group=groups,
        pads=expand(padding) * 2,
        output_padding=expand(output_padding),
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


RESIZE = [
    # our arguments, ONNX Resize attributes
    (
        dict(mode="nearest"),
        dict(mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
    ),
    (
        dict(mode="linear", align_corners=False),
        dict(mode="linear", coordinate_transformation_mode="pytorch_half_pixel"),
    ),
    (
        dict(mode="linear", align_corners=True),
        dict(mode="linear", coordinate_transformation_mode="align_corners"),
    ),
    (
        dict(mode="cubic", align_corners=True),
        dict(mode="cubic", cubic_coeff_a=-0.75, coordinate_transformation_mode="align_corners"),
    ),
]


@pytest.mark.parametrize("ours, attributes", RESIZE)
@pytest.mark.parametrize("size", [(9, 4), (3, 5), (8, 8)])
def test_resize_matches_onnx(ours, attributes, size):
    x = rng.standard_normal((2, 3, 4, 6))
    (theirs,) = run_node("Resize", [x, None, None, np.array([2, 3, *size], dtype=np.int64)], **attributes)
    # the evaluator computes its cubic coefficients in float32
    tolerance = 1e-5 if ours["mode"] == "cubic" else 1e-10
    np.testing.assert_allclose(
        upsample.interpolate(x, size=size, **ours), theirs, rtol=tolerance, atol=tolerance
    )


@pytest.mark.parametrize("r", [2, 3])
def test_pixel_shuffle_is_depth_to_space_crd(r):
    x = rng.standard_normal((2, 2 * r * r, 3, 4))
    (theirs,) = run_node("DepthToSpace", [x], blocksize=r, mode="CRD")
    np.testing.assert_array_equal(upsample.pixel_shuffle(x, r), theirs)


@pytest.mark.parametrize("shape, kernel", [((2, 3, 6, 8), 2), ((1, 2, 6, 9), (3, 3)), ((2, 2, 8), 4)])
def test_max_unpool_matches_onnx(shape, kernel):
    x = rng.standard_normal(shape)
    values, indices = upsample.max_pool(x, kernel, return_indices=True)
    planes = np.prod(shape[2:])
    offsets = (np.arange(shape[0] * shape[1]) * planes).reshape(shape[0], shape[1], *(1,) * (len(shape) - 2))
    nd = len(shape) - 2
    k = list(kernel) if isinstance(kernel, tuple) else [kernel] * nd
    (theirs,) = run_node("MaxUnpool", [values, indices + offsets], kernel_shape=k, strides=k)
    ours = upsample.max_unpool(values, indices, kernel)
    np.testing.assert_array_equal(ours, theirs[(Ellipsis, *(slice(0, o) for o in ours.shape[2:]))])
    assert theirs.shape == ours.shape
