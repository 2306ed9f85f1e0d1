"""``upsample.compat.onnx.run_node`` against ONNX's backend node cases, onnxruntime and the onnx reference.

1. ONNX's own backend node cases for Conv, ConvTranspose, MaxPool, MaxUnpool, DepthToSpace
   and SpaceToDepth, generated in memory by importing the case modules (their ``export*``
   functions run on import and record each node with its inputs and expected outputs):
   every case is compared with its expected outputs, with onnxruntime and with the onnx
   reference evaluator.
2. Grids of attributes (asymmetric pads, auto_pad, ceil_mode, dilations, storage_order,
   the Indices output, output_shape, output_padding, group, modes) against onnxruntime.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import onnx_cases
import required
from upsample.compat import _onnx_resize
from upsample.compat.onnx import OP_TYPES, run_node

onnx, ort = required.modules("onnx", "onnxruntime")  # under CI a missing one is a failure
from onnx import helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

OURS = ("Conv", "ConvTranspose", "MaxPool", "MaxUnpool", "DepthToSpace", "SpaceToDepth")
CASE_MODULES = ("conv", "convtranspose", "maxpool", "maxunpool", "depthtospace", "spacetodepth")

# ONNX's expected output (and its reference evaluator) read MaxUnpool's indices in the layout
# of the default output (4x4 here) and then pad to output_shape; onnxruntime, like PyTorch,
# reads them in the layout of the requested output (5x5), which is where MaxPool on a 5x5
# input puts them. run_node follows onnxruntime; the test below pins the difference.
READS_INDICES_IN_THE_DEFAULT_LAYOUT = {"test_maxunpool_export_with_output_shape"}


def _backend_cases() -> list:
    return onnx_cases.cases(*OURS)


def _ort(model, feeds: dict) -> list:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def _same(ours: list, theirs: list, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        b = np.asarray(b)
        assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.shape, b.dtype)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def test_every_op_type_has_backend_cases():
    found = {case.model.graph.node[0].op_type for case in _backend_cases()}
    assert found == set(OURS)
    assert set(OURS) < set(OP_TYPES) and {"Resize", "Upsample"} < set(OP_TYPES)


@pytest.fixture(scope="module")
def backend_cases():
    return _backend_cases()


def test_backend_node_cases(backend_cases):
    """Every case against its expected outputs, onnxruntime and the onnx reference."""
    counts = {"expected": 0, "onnxruntime": 0, "reference": 0}
    for case in backend_cases:
        graph = case.model.graph
        inputs, expected = case.data_sets[0]
        feeds = {value.name: array for value, array in zip(graph.input, inputs)}
        before = [np.array(a, copy=True) for a in inputs]
        ours = run_node(graph.node[0], list(inputs))
        for a, b in zip(inputs, before):
            np.testing.assert_array_equal(a, b)
        _same(ours, _ort(case.model, feeds))
        counts["onnxruntime"] += 1
        reference = onnx_cases.reference_run(case.model, feeds)
        if case.name in READS_INDICES_IN_THE_DEFAULT_LAYOUT:
            _check_default_layout_reading(graph.node[0], inputs, expected, reference)
            continue
        _same(ours, expected)
        counts["expected"] += 1
        _same(ours, reference)
        counts["reference"] += 1
    total = len(backend_cases)
    print(onnx_cases.tally("ONNX", counts, total))
    assert total == 44 and counts == {"expected": 43, "onnxruntime": 44, "reference": 43}


def _check_default_layout_reading(node, inputs, expected, reference):
    """The one case where ONNX's expectation differs from onnxruntime, explained exactly:
    unpooling into the default size and padding the result with zeros up to output_shape."""
    x, indices, output_shape = inputs
    without = helper.make_node(
        "MaxUnpool",
        node.input[:2],
        node.output,
        **{a.name: helper.get_attribute_value(a) for a in node.attribute},
    )
    default = run_node(without, [x, indices])[0]
    grown = np.pad(default, [(0, o - d) for o, d in zip(output_shape, default.shape)])
    _same([grown], expected)
    _same([grown], reference)


# --------------------------------------------------------------------------- grids vs onnxruntime


def _model(node, inputs: list[np.ndarray], opset: int = 22):
    """A one-node model whose inputs are named after node.input (empty names left out)."""
    values = [
        helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
        for name, a in zip(node.input, inputs)
        if name
    ]
    outputs = [onnx.ValueInfoProto(name=name) for name in node.output]  # types inferred
    graph = helper.make_graph([node], "one", values, outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _against_ort(node, inputs: list[np.ndarray], **tolerance) -> list[np.ndarray]:
    ours = run_node(node, inputs)
    feeds = {name: a for name, a in zip(node.input, inputs) if name}
    _same(ours, _ort(_model(node, inputs), feeds), **tolerance)
    return ours


def _pad_attrs(auto_pad, pads):
    return {"auto_pad": auto_pad} if auto_pad != "NOTSET" else {"pads": list(pads)}


def _spec_pads(auto_pad, size, kernel, strides, dilations) -> list[int]:
    """The pads ONNX's spec gives auto_pad: o = ceil(i / s), total = (o-1)*s + (k-1)*d + 1 - i."""
    begins, ends = [], []
    for i, k, s, d in zip(size, kernel, strides, dilations):
        total = max(0, (-(-i // s) - 1) * s + (k - 1) * d + 1 - i)
        small, large = total // 2, total - total // 2
        begins.append(large if auto_pad == "SAME_LOWER" else small)
        ends.append(small if auto_pad == "SAME_LOWER" else large)
    return begins + ends


def _same_with_dilation(node, inputs, auto_pad, size, kernel, strides, dilations, **tolerance):
    """onnxruntime sizes SAME pads without the dilation for pooling (its output then differs from
    the spec's ceil(i / s) and from onnx's own shape inference) and refuses them for Conv: so
    compare with onnxruntime running the pads the spec gives."""
    explicit = helper.make_node(
        node.op_type,
        node.input,
        node.output,
        **{a.name: helper.get_attribute_value(a) for a in node.attribute if a.name != "auto_pad"},
        pads=_spec_pads(auto_pad, size, kernel, strides, dilations),
    )
    ours = run_node(node, inputs)
    feeds = {name: a for name, a in zip(node.input, inputs) if name}
    _same(ours, _ort(_model(explicit, inputs), feeds), **tolerance)
    assert ours[0].shape[2:] == tuple(-(-i // s) for i, s in zip(size, strides))
    return ours


POOL_GRID = [
    # size, kernel, strides, auto_pad or pads (begins then ends), ceil_mode, dilations
    ((7,), [3], [2], [0, 1], 0, [1]),
    ((7,), [3], [2], [1, 2], 1, [1]),
    ((6,), [2], [1], "SAME_UPPER", 0, [1]),
    ((6,), [2], [1], "SAME_LOWER", 0, [1]),
    ((5, 6), [3, 2], [2, 1], [1, 0, 2, 1], 0, [1, 1]),
    ((5, 6), [3, 2], [2, 2], [0, 1, 1, 0], 1, [1, 1]),
    ((5, 7), [3, 3], [2, 3], "SAME_UPPER", 0, [1, 1]),
    ((5, 7), [3, 3], [2, 3], "SAME_LOWER", 0, [1, 1]),
    ((6, 6), [2, 3], [1, 2], "SAME_LOWER", 0, [2, 1]),
    ((6, 7), [3, 2], [2, 2], [1, 1, 1, 1], 1, [2, 2]),
    ((5, 6), [2, 2], [2, 2], "VALID", 1, [1, 1]),
    ((4, 5, 6), [2, 3, 2], [2, 1, 3], [1, 0, 1, 0, 2, 1], 1, [1, 1, 2]),
    ((4, 5, 6), [3, 2, 2], [1, 2, 2], "SAME_UPPER", 0, [1, 2, 1]),
]


@pytest.mark.parametrize("storage_order", [0, 1])
@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
@pytest.mark.parametrize("size, kernel, strides, pads, ceil_mode, dilations", POOL_GRID)
def test_max_pool_matches_onnxruntime(
    size, kernel, strides, pads, ceil_mode, dilations, dtype, storage_order
):
    rng = np.random.default_rng(0)
    x = rng.permutation(2 * 3 * int(np.prod(size))).reshape(2, 3, *size).astype(dtype)  # no ties
    if dtype == np.uint8:
        x = (x % 251).astype(dtype)
    auto = pads if isinstance(pads, str) else "NOTSET"
    node = helper.make_node(
        "MaxPool",
        ["x"],
        ["y", "i"],
        kernel_shape=kernel,
        strides=strides,
        ceil_mode=ceil_mode,
        dilations=dilations,
        storage_order=storage_order,
        **_pad_attrs(auto, pads),
    )
    if auto in ("SAME_UPPER", "SAME_LOWER") and max(dilations) > 1:
        values, indices = _same_with_dilation(node, [x], auto, size, kernel, strides, dilations)
    else:
        values, indices = _against_ort(node, [x])
    np.testing.assert_array_equal(
        values.reshape(-1), x.reshape(-1, order="C")[_c_order(indices, x.shape, storage_order)]
    )
    only_values = helper.make_node(
        "MaxPool",
        ["x"],
        ["y"],
        kernel_shape=kernel,
        strides=strides,
        ceil_mode=ceil_mode,
        dilations=dilations,
        **_pad_attrs(auto, pads),
    )
    _same(run_node(only_values, [x]), [values])


@pytest.mark.parametrize(
    "size, kernel, strides, pads",
    [
        ((6, 6), [7, 7], [7, 7], [0, 0, 0, 0]),  # one window, one cell past the input
        ((5,), [6], [2], [0, 0]),
        ((4, 3), [5, 4], [3, 2], [1, 0, 0, 0]),
        ((2, 3, 4), [4, 3, 6], [3, 1, 3], [0, 0, 1, 0, 0, 0]),
    ],
)
def test_max_pool_keeps_a_lone_window_that_overhangs_by_less_than_the_stride(size, kernel, strides, pads):
    # onnxruntime divides rounding toward zero: such a window is kept, reading only real cells
    x = np.random.default_rng(3).permutation(2 * int(np.prod(size))).reshape(1, 2, *size).astype(np.float32)
    node = helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=kernel, strides=strides, pads=pads)
    values, _ = _against_ort(node, [x])
    assert values.shape == (1, 2, *(1,) * len(size))  # each case has one window
    np.testing.assert_array_equal(values.reshape(2, -1).max(axis=1), x.reshape(2, -1).max(axis=1))


def test_max_pool_refuses_a_window_that_overhangs_by_the_stride_or_more():
    node = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[8], strides=[2])
    with pytest.raises(ValueError, match="run_node: MaxPool kernel_shape 8 .* by 2, at least the stride 2"):
        run_node(node, [np.zeros((1, 1, 6), np.float32)])


def _c_order(indices: np.ndarray, shape: tuple[int, ...], storage_order: int) -> np.ndarray:
    """ONNX Indices (flat over the tensor, the plane part column-major if storage_order=1) -> C order."""
    plane = int(np.prod(shape[2:]))
    flat = indices.reshape(-1)
    within = flat % plane
    if storage_order:
        within = np.ravel_multi_index(np.unravel_index(within, shape[2:], order="F"), shape[2:])
    return flat - flat % plane + within


@pytest.mark.parametrize("output_shape", [(1, 1, 4, 4), (1, 1, 5, 7), (1, 1, 9, 9)])
def test_max_unpool_takes_any_output_shape_from_the_inferred_one_up(output_shape):
    x = np.array([[[[5, 6], [7, 8]]]], np.float32)
    indices = np.array([[[[5, 7], [13, 15]]]], np.int64)
    node = helper.make_node("MaxUnpool", ["x", "i", "shape"], ["y"], kernel_shape=[2, 2], strides=[2, 2])
    y = _against_ort(node, [x, indices, np.array(output_shape, np.int64)])[0]
    assert y.shape == output_shape
    np.testing.assert_array_equal(y.reshape(-1)[indices.reshape(-1)], x.reshape(-1))
    with pytest.raises(
        ValueError, match=r"run_node: MaxUnpool output_shape .* at least the inferred \(4, 4\)"
    ):
        run_node(node, [x, indices, np.array((1, 1, 3, 4))])


@pytest.mark.parametrize(
    "size, kernel, strides, pads",
    [
        ((6,), [2], [2], [0, 0]),
        ((7,), [3], [2], [1, 1]),
        ((5, 6), [2, 3], [2, 2], [0, 1, 1, 0]),
        ((4, 5, 6), [2, 2, 3], [2, 2, 2], [0, 0, 1, 0, 1, 0]),
    ],
)
def test_max_unpool_undoes_max_pool_like_onnxruntime(size, kernel, strides, pads):
    rng = np.random.default_rng(1)
    x = rng.permutation(2 * 2 * int(np.prod(size))).reshape(2, 2, *size).astype(np.float32)
    pool = helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=kernel, strides=strides, pads=pads)
    values, indices = run_node(pool, [x])
    unpool = helper.make_node("MaxUnpool", ["y", "i"], ["z"], kernel_shape=kernel, strides=strides, pads=pads)
    z = _against_ort(unpool, [values, indices])[0]
    with_shape = helper.make_node(
        "MaxUnpool", ["y", "i", "shape"], ["z"], kernel_shape=kernel, strides=strides, pads=pads
    )
    z_full = _against_ort(with_shape, [values, indices, np.array(x.shape, dtype=np.int64)])[0]
    assert z_full.shape == x.shape
    kept = z_full != 0
    np.testing.assert_array_equal(z_full[kept], x[kept])  # each maximum back in its place
    np.testing.assert_array_equal(np.sort(z_full[kept]), np.unique(values))
    assert z.shape[2:] == tuple(
        (i - 1) * s + k - lo - hi
        for i, k, s, lo, hi in zip(values.shape[2:], kernel, strides, pads[: len(size)], pads[len(size) :])
    )


CONV_GRID = [
    # size, kernel, strides, auto_pad or pads, dilations, group
    ((7,), 3, [2], [0, 1], [1], 1),
    ((7,), 3, [1], "SAME_LOWER", [2], 1),
    ((6, 5), (3, 2), [2, 1], [1, 0, 2, 1], [1, 1], 1),
    ((6, 5), (2, 3), [2, 2], "SAME_UPPER", [1, 1], 2),
    ((6, 5), (2, 3), [2, 2], "SAME_LOWER", [1, 2], 2),
    ((6, 5), (3, 3), [1, 2], "VALID", [2, 1], 1),
    ((4, 5, 4), (2, 3, 2), [1, 2, 2], [1, 0, 0, 0, 1, 1], [1, 1, 2], 2),
]


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("size, kernel, strides, pads, dilations, group", CONV_GRID)
def test_conv_matches_onnxruntime(size, kernel, strides, pads, dilations, group, bias):
    rng = np.random.default_rng(2)
    kernel = np.broadcast_to(kernel, len(size)).tolist()
    x = rng.standard_normal((2, 4, *size)).astype(np.float32)
    w = rng.standard_normal((6, 4 // group, *kernel)).astype(np.float32)
    inputs = [x, w] + ([rng.standard_normal(6).astype(np.float32)] if bias else [])
    auto = pads if isinstance(pads, str) else "NOTSET"
    node = helper.make_node(
        "Conv",
        ["x", "w", "b"][: len(inputs)],
        ["y"],
        strides=strides,
        dilations=dilations,
        group=group,
        kernel_shape=kernel,
        **_pad_attrs(auto, pads),
    )
    if auto in ("SAME_UPPER", "SAME_LOWER") and max(dilations) > 1:
        _same_with_dilation(node, inputs, auto, size, kernel, strides, dilations, rtol=1e-4, atol=1e-5)
    else:
        _against_ort(node, inputs, rtol=1e-4, atol=1e-5)


CONV_TRANSPOSE_GRID = [
    # size, kernel, strides, attributes, group
    ((4,), 3, [2], dict(pads=[1, 0]), 1),
    ((4,), 3, [2], dict(pads=[0, 2], output_padding=[1]), 1),
    ((4,), 3, [3], dict(output_shape=[13]), 1),
    ((4,), 3, [3], dict(output_shape=[12], output_padding=[1]), 1),
    ((4,), 2, [2], dict(auto_pad="SAME_UPPER"), 1),
    ((4,), 3, [2], dict(auto_pad="SAME_LOWER"), 1),
    ((3, 4), (3, 2), [2, 3], dict(pads=[1, 0, 0, 1], dilations=[1, 2]), 2),
    ((3, 4), (3, 3), [3, 2], dict(output_shape=[10, 8]), 1),
    ((3, 4), (3, 3), [3, 2], dict(output_shape=[10, 8], auto_pad="SAME_UPPER"), 1),
    ((3, 4), (2, 3), [2, 2], dict(auto_pad="SAME_UPPER", dilations=[2, 1]), 2),
    ((3, 4), (2, 3), [2, 2], dict(auto_pad="VALID", output_padding=[1, 1]), 1),
    ((2, 3, 2), (2, 2, 3), [2, 1, 2], dict(pads=[0, 1, 1, 1, 0, 0], output_padding=[1, 0, 1]), 2),
]


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("size, kernel, strides, attributes, group", CONV_TRANSPOSE_GRID)
def test_conv_transpose_matches_onnxruntime(size, kernel, strides, attributes, group, bias):
    rng = np.random.default_rng(3)
    kernel = np.broadcast_to(kernel, len(size)).tolist()
    x = rng.standard_normal((2, 4, *size)).astype(np.float32)
    w = rng.standard_normal((4, 6 // group, *kernel)).astype(np.float32)
    inputs = [x, w] + ([rng.standard_normal(6).astype(np.float32)] if bias else [])
    node = helper.make_node(
        "ConvTranspose", ["x", "w", "b"][: len(inputs)], ["y"], strides=strides, group=group, **attributes
    )
    y = _against_ort(node, inputs, rtol=1e-4, atol=1e-5)[0]
    if "output_shape" in attributes:
        assert list(y.shape[2:]) == attributes["output_shape"]


@pytest.mark.parametrize(
    "op, mode", itertools.product(["DepthToSpace", "SpaceToDepth"], [None, "DCR", "CRD"])
)
@pytest.mark.parametrize("blocksize", [1, 2, 3])
def test_depth_and_space_match_onnxruntime(op, mode, blocksize):
    if op == "SpaceToDepth":
        x = np.arange(2 * 3 * 6 * 12, dtype=np.float32).reshape(2, 3, 6, 12)
    else:
        x = np.arange(2 * 3 * blocksize**2 * 8, dtype=np.float32).reshape(2, 3 * blocksize**2, 2, 4)
    node = helper.make_node(op, ["x"], ["y"], blocksize=blocksize, **({"mode": mode} if mode else {}))
    ours = run_node(node, [x])
    feeds = {"x": x}
    opset = 28 if op == "SpaceToDepth" and mode else 22  # SpaceToDepth's mode: opset 28
    if opset == 22:
        _same(ours, _ort(_model(node, [x]), feeds))
    _same(ours, ReferenceEvaluator(_model(node, [x], opset)).run(None, feeds))


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "node, inputs, error, fragment",
    [
        (
            helper.make_node("Gemm", ["a", "b"], ["c"]),
            [np.ones((2, 2))] * 2,
            ValueError,
            "op_type must be one of Conv",
        ),
        (
            helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2], pads=[1]),
            [np.ones((1, 1, 4))],
            ValueError,
            "pads must have 2 * 1 = 2 entries",
        ),
        (
            helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2], auto_pad="SAME"),
            [np.ones((1, 1, 4))],
            ValueError,
            "auto_pad must be NOTSET, SAME_UPPER",
        ),
        (
            helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[1]),
            [np.ones((1, 1, 4, 4))],
            ValueError,
            "MaxPool strides must be 2 integers >= 1, one per spatial axis of the input, got",
        ),
        (
            helper.make_node("MaxPool", ["x"], ["y"], strides=[1]),
            [np.ones((1, 1, 4))],
            ValueError,
            "MaxPool needs the attribute kernel_shape",
        ),
        (
            helper.make_node("Conv", ["x", "w"], ["y"], dilations=[0]),
            [np.ones((1, 1, 4)), np.ones((1, 1, 2))],
            ValueError,
            "Conv dilations must be 1 integers >= 1",
        ),
        (
            helper.make_node("DepthToSpace", ["x"], ["y"], blocksize=2, mode="XYZ"),
            [np.ones((1, 4, 1, 1))],
            ValueError,
            "mode must be 'DCR' or 'CRD'",
        ),
        (
            helper.make_node("Conv", ["x"], ["y"]),
            [np.ones((1, 1, 4))],
            ValueError,
            "wrong number of inputs for Conv",
        ),
        (
            helper.make_node("Conv", ["x", "w"], ["y"]),
            [np.ones((1, 1, 4))] * 3,
            ValueError,
            "Conv node has 2 inputs",
        ),
        ("MaxPool", [np.ones((1, 1, 4))], TypeError, "node must be an onnx.NodeProto"),
        (
            helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2], domain="com.microsoft"),
            [np.ones((1, 1, 4))],
            ValueError,
            "default ONNX domain",
        ),
    ],
)
def test_bad_input(node, inputs, error, fragment):
    with pytest.raises(error, match="run_node: .*" + fragment.replace("(", r"\(").replace("*", r"\*")):
        run_node(node, inputs)


# --------------------------------------------------------------------------- drawn settings


@st.composite
def max_pool_settings(draw):
    nd = draw(st.integers(1, 3))
    kernel = [draw(st.integers(1, 3)) for _ in range(nd)]
    dilations = [draw(st.integers(1, 2)) for _ in range(nd)]
    spans = [(k - 1) * d + 1 for k, d in zip(kernel, dilations)]
    pads = (
        [draw(st.integers(0, k - 1)) for k in kernel]  # onnxruntime: each pad < kernel
        + [draw(st.integers(0, k - 1)) for k in kernel]
    )
    size = [draw(st.integers(max(1, span - lo - hi), 6)) for span, lo, hi in zip(spans, pads[:nd], pads[nd:])]
    return dict(
        size=size,
        kernel_shape=kernel,
        strides=[draw(st.integers(1, 3)) for _ in range(nd)],
        pads=pads,
        dilations=dilations,
        ceil_mode=draw(st.integers(0, 1)),
        storage_order=draw(st.integers(0, 1)) if nd == 2 else 0,
    )


@settings(max_examples=40, deadline=None)
@given(drawn=max_pool_settings(), seed=st.integers(0, 2**16))
def test_max_pool_drawn_settings_match_onnxruntime(drawn, seed):
    size = drawn.pop("size")
    x = np.random.default_rng(seed).permutation(2 * int(np.prod(size))).reshape(1, 2, *size)
    node = helper.make_node("MaxPool", ["x"], ["y", "i"], **drawn)
    try:
        ours = run_node(node, [x.astype(np.float32)])
    except ValueError as error:  # a window of only padding: ONNX leaves it undefined
        assert "only padding" in str(error)
        return
    _same(ours, _ort(_model(node, [x.astype(np.float32)]), {"x": x.astype(np.float32)}))


def test_resize_and_upsample_nodes_run_through_run_node():
    """run_node hands Resize and Upsample to their own module: ONNX's backend cases for them
    give its numbers."""
    ran = 0
    for case in onnx_cases.cases("Resize", "Upsample"):
        node = case.model.graph.node[0]
        feed = dict(zip([i.name for i in case.model.graph.input], case.data_sets[0][0]))
        args = [feed.get(name) if name else None for name in node.input]
        ours = run_node(node, args)
        np.testing.assert_array_equal(ours[0], _onnx_resize.run(node, args)[0])
        expected = case.data_sets[0][1][0]
        np.testing.assert_allclose(
            ours[0], expected, rtol=0, atol=1e-5 * max(1.0, float(np.abs(expected).max()))
        )
        ran += 1
    assert ran >= 35
