"""ONNX Resize and Upsample nodes through upsample.compat._onnx_resize.run: ONNX's own backend
node cases (generated in memory) under the specification's convention, and onnxruntime over
every size pair 1..33 per axis (plus ties) under its own convention, with sizes and with
scales, for every nearest_mode and coordinate rule.

onnxruntime computes coordinates in float32 and divides align_corners by the integer output
length; the specification (and its reference evaluator) computes in double and divides by
``in * scale``. onnxruntime's round modes take a coordinate within 1e-6 of a half as a tie,
and a scale that leaves the output shape equal to the input's returns the input. Floats
must agree within 1e-5 of the largest value.
"""

import numpy as np
import pytest

import onnx_cases
import required
import sweep_sizes
from upsample.compat import _onnx_resize

onnx = required.module("onnx")
ort = required.module("onnxruntime")
from onnx import TensorProto, helper  # noqa: E402

#: and two more exact-half ties (asymmetric 6 -> 4 and 10 -> 4 land on 1.5 and 2.5)
PAIRS, PERM = sweep_sizes.table((6, 4), (10, 4))


def _backend_cases():
    return onnx_cases.cases("Resize", "Upsample")


BACKEND = _backend_cases()


def test_every_backend_case_is_collected():
    assert len(BACKEND) >= 35


@pytest.mark.parametrize("case", BACKEND, ids=lambda c: c.name)
def test_backend_node_case(case):
    node = case.model.graph.node[0]
    names = [i.name for i in case.model.graph.input]
    for inputs, outputs in case.data_sets:
        feed = dict(zip(names, inputs))
        args = [feed.get(name) if name else None for name in node.input]
        y = _onnx_resize.run(node, args, opset=case.model.opset_import[0].version)[0]
        assert y.shape == outputs[0].shape and y.dtype == outputs[0].dtype
        np.testing.assert_allclose(
            y, outputs[0], rtol=0, atol=1e-5 * max(1.0, float(np.abs(outputs[0]).max()))
        )


# --------------------------------------------------------------------------- onnxruntime


def _session(with_scales, **attributes):
    """One session for every shape: X and sizes (or scales) are inputs."""
    last = "scales" if with_scales else "sizes"
    node = helper.make_node(
        "Resize", ["X", "", "scales", ""] if with_scales else ["X", "", "", "sizes"], ["Y"], **attributes
    )
    kind = TensorProto.FLOAT if with_scales else TensorProto.INT64
    graph = helper.make_graph(
        [node],
        "resize",
        [
            helper.make_tensor_value_info("X", TensorProto.FLOAT, ["n", "c", "h", "w"]),
            helper.make_tensor_value_info(last, kind, [4]),
        ],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return node, session, last


def _sweep(with_scales, **attributes):
    node, session, last = _session(with_scales, **attributes)
    rng = np.random.default_rng(5)
    bad = []
    for k, (in_h, out_h) in enumerate(PAIRS):
        in_w, out_w = PAIRS[PERM[k]]
        x = rng.standard_normal((1, 1, in_h, in_w)).astype(np.float32)
        if with_scales:
            value = np.array([1, 1, out_h / in_h, out_w / in_w], dtype=np.float32)
            args = [x, None, value, None]
        else:
            value = np.array([1, 1, out_h, out_w], dtype=np.int64)
            args = [x, None, None, value]
        theirs = session.run(None, {"X": x, last: value})[0]
        ours = _onnx_resize.run(node, args, convention="onnxruntime")[0]
        if ours.shape != theirs.shape:
            bad.append((x.shape, theirs.shape, ours.shape))
        elif np.abs(ours - theirs).max(initial=0) > 1e-5 * max(1.0, float(np.abs(theirs).max(initial=0))):
            bad.append((x.shape, theirs.shape, "values"))
    assert not bad, f"{len(bad)} of {len(PAIRS)} calls differ, e.g. {bad[:3]}"


NEAREST = [
    (rule, mode)
    for rule in ["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"]
    for mode in ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]
]


@pytest.mark.parametrize("with_scales", [False, True], ids=["sizes", "scales"])
@pytest.mark.parametrize("rule, nearest_mode", NEAREST)
def test_onnxruntime_nearest(rule, nearest_mode, with_scales):
    _sweep(with_scales, mode="nearest", coordinate_transformation_mode=rule, nearest_mode=nearest_mode)


@pytest.mark.parametrize("with_scales", [False, True], ids=["sizes", "scales"])
@pytest.mark.parametrize("mode", ["linear", "cubic"])
@pytest.mark.parametrize("rule", ["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"])
def test_onnxruntime_linear_and_cubic(mode, rule, with_scales):
    _sweep(with_scales, mode=mode, coordinate_transformation_mode=rule)


@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_onnxruntime_returns_the_input_when_the_shape_is_unchanged(mode):
    """A scale of 30/29 on 29 pixels gives 29 (float32 truncation): onnxruntime copies."""
    node, session, last = _session(True, mode=mode, coordinate_transformation_mode="asymmetric")
    x = np.random.default_rng(1).standard_normal((1, 1, 29, 3)).astype(np.float32)
    scales = np.array([1, 1, 30 / 29, 1], dtype=np.float32)
    theirs = session.run(None, {"X": x, last: scales})[0]
    ours = _onnx_resize.run(node, [x, None, scales, None], convention="onnxruntime")[0]
    np.testing.assert_array_equal(theirs, x)
    np.testing.assert_array_equal(ours, x)


@pytest.mark.parametrize("policy", ["not_larger", "not_smaller"])
def test_keep_aspect_ratio_policy_with_axes(policy):
    x = np.random.default_rng(0).standard_normal((1, 2, 5, 7)).astype(np.float32)
    node = helper.make_node(
        "Resize", ["X", "", "", "sizes"], ["Y"], mode="linear", axes=[2, 3], keep_aspect_ratio_policy=policy
    )
    sizes = np.array([9, 4], dtype=np.int64)
    graph = helper.make_graph(
        [node],
        "r",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, x.shape)],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
        [helper.make_tensor("sizes", TensorProto.INT64, [2], sizes)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    theirs = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        None, {"X": x}
    )[0]
    ours = _onnx_resize.run(node, [x, None, None, sizes], convention="onnxruntime")[0]
    assert ours.shape == theirs.shape == ((1, 2, 3, 4) if policy == "not_larger" else (1, 2, 9, 13))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5 * float(np.abs(theirs).max()))


def test_refuses_other_ops_and_both_scales_and_sizes():
    x = np.zeros((1, 1, 2, 2), dtype=np.float32)
    with pytest.raises(ValueError, match="onnx Conv: run takes Resize and Upsample"):
        _onnx_resize.run(helper.make_node("Conv", ["X", "W"], ["Y"]), [x, x])
    node = helper.make_node("Resize", ["X", "", "scales", "sizes"], ["Y"])
    with pytest.raises(ValueError, match="exactly one of scales and sizes"):
        _onnx_resize.run(node, [x, None, np.ones(4, np.float32), np.ones(4, np.int64)])
