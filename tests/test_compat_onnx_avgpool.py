"""``run_node`` for ONNX's AveragePool against its backend node cases, onnxruntime and the reference.

1. Every AveragePool backend node case (made in memory by ``onnx_cases``) against its
   expected output, onnxruntime and the onnx reference evaluator.
2. A fixed grid of 1-D, 2-D and 3-D settings against onnxruntime: asymmetric pads,
   ceil_mode, count_include_pad, dilations, strides and each auto_pad.
3. Where onnxruntime leaves the spec (auto_pad SAME with dilations, or with a stride so
   much larger than the kernel that the spec's padding would be negative), the difference
   is pinned, and run_node matches onnxruntime given the spec's pads explicitly.
4. With symmetric pads of at most half the kernel and no dilation, the node is
   ``upsample.avg_pool`` (PyTorch's rules), ceil_mode and count_include_pad included.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import onnx_cases
import required
import upsample
from upsample.compat.onnx import OP_TYPES, run_node

onnx, ort = required.modules("onnx", "onnxruntime")
from onnx import helper  # noqa: E402

# The expected output of this case is stored to 4 decimals (onnxruntime and the reference
# agree with each other to float32 precision and differ from it by up to 6e-5).
STORED_TO_4_DECIMALS = {"test_averagepool_2d_ceil_last_window_starts_on_pad"}


def _model(node, x: np.ndarray, opset: int = 22):
    value = helper.make_tensor_value_info("x", helper.np_dtype_to_tensor_dtype(x.dtype), x.shape)
    graph = helper.make_graph([node], "one", [value], [onnx.ValueInfoProto(name="y")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _ort(model, feeds: dict) -> list:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3  # refusals come back as exceptions, not log lines
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def _same(ours: np.ndarray, theirs: np.ndarray, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (
        ours.shape,
        ours.dtype,
        theirs.shape,
        theirs.dtype,
    )
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def _node(**attrs):
    return helper.make_node("AveragePool", ["x"], ["y"], **attrs)


def _against_ort(node, x: np.ndarray, opset: int = 22, **tolerance) -> np.ndarray:
    before = x.copy()
    ours = run_node(node, [x])
    np.testing.assert_array_equal(x, before)  # the input is left as it was
    assert len(ours) == 1
    _same(ours[0], _ort(_model(node, x, opset), {"x": x})[0], **tolerance)
    return ours[0]


# --------------------------------------------------------------------------- backend cases


def test_backend_node_cases():
    cases = onnx_cases.module_cases("AveragePool", "averagepool")
    assert "AveragePool" in OP_TYPES
    counts = {"expected": 0, "onnxruntime": 0, "reference": 0}
    for case in cases:
        graph = case.model.graph
        (x,), (expected,) = case.data_sets[0]
        feeds = {graph.input[0].name: x}
        before = x.copy()
        (ours,) = run_node(graph.node[0], [x])
        np.testing.assert_array_equal(x, before)
        _same(ours, expected, atol=1e-4 if case.name in STORED_TO_4_DECIMALS else 1e-6)
        counts["expected"] += 1
        _same(ours, _ort(case.model, feeds)[0])
        counts["onnxruntime"] += 1
        _same(ours, onnx_cases.reference_run(case.model, feeds)[0])
        counts["reference"] += 1
    total = len(cases)
    print(onnx_cases.tally("AveragePool", counts, total))
    assert total == 20 and counts == {"expected": 20, "onnxruntime": 20, "reference": 20}


# --------------------------------------------------------------------------- grid vs onnxruntime


def _explicit_grid() -> list[tuple]:
    """(size, kernel, strides, pads, dilations, ceil_mode, count_include_pad), drawn once from a
    fixed seed: 1-D, 2-D and 3-D, pads below the kernel (onnxruntime refuses more), begins
    and ends drawn apart, every window inside the padded input."""
    rng = np.random.default_rng(18)
    grid = []
    for nd, count in ((1, 40), (2, 32), (3, 16)):
        for _ in range(count):
            kernel = rng.integers(1, 4, nd).tolist()
            dilations = rng.integers(1, 3, nd).tolist()
            strides = rng.integers(1, 4, nd).tolist()
            pads = [int(rng.integers(0, k)) for k in kernel * 2]
            size = [
                int(rng.integers(max(1, (k - 1) * d + 1 - lo - hi), 8 if nd < 3 else 6))
                for k, d, lo, hi in zip(kernel, dilations, pads[:nd], pads[nd:])
            ]
            for ceil_mode, count_include_pad in itertools.product((0, 1), (0, 1)):
                grid.append((tuple(size), kernel, strides, pads, dilations, ceil_mode, count_include_pad))
    return grid


EXPLICIT_GRID = _explicit_grid()
#: the node attributes of a grid row after its size
GRID_ATTRIBUTES = ("kernel_shape", "strides", "pads", "dilations", "ceil_mode", "count_include_pad")


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_explicit_pads_grid_matches_onnxruntime(nd):
    rng = np.random.default_rng(nd)
    cases = [case for case in EXPLICIT_GRID if len(case[0]) == nd]
    for size, *values in cases:
        x = rng.standard_normal((2, 3, *size)).astype(np.float32)
        _against_ort(_node(**dict(zip(GRID_ATTRIBUTES, values, strict=True))), x)
    assert len(cases) == {1: 160, 2: 128, 3: 64}[nd]


def test_explicit_pads_grid_reaches_the_ceil_mode_rules():
    """The grid holds windows that ceil_mode adds, last windows it drops for starting in the end
    padding, and asymmetric pads."""
    added = dropped = asymmetric = 0
    for size, kernel, strides, pads, dilations, ceil_mode, _ in EXPLICIT_GRID:
        nd = len(size)
        asymmetric += pads[:nd] != pads[nd:]
        for i, k, s, lo, hi, d in zip(size, kernel, strides, pads[:nd], pads[nd:], dilations):
            reach = i + lo + hi - (k - 1) * d - 1
            added += ceil_mode and reach % s != 0 and (reach // s + 1) * s < i + lo
            dropped += ceil_mode and reach % s != 0 and (reach // s + 1) * s >= i + lo
    assert added > 20 and dropped > 20 and asymmetric > 200, (added, dropped, asymmetric)


def _spec_pairs(auto_pad, size, kernel, strides, dilations):
    """The spec's auto_pad padding: o = ceil(i / s), total (o-1)*s + (k-1)*d + 1 - i, none if negative."""
    pairs = []
    for i, k, s, d in zip(size, kernel, strides, dilations):
        total = (-(-i // s) - 1) * s + (k - 1) * d + 1 - i
        if auto_pad == "VALID" or total < 0:
            pairs.append((0, 0, total))
            continue
        small = total // 2
        pairs.append(
            (total - small, small, total) if auto_pad == "SAME_LOWER" else (small, total - small, total)
        )
    return pairs


AUTO_GRID = [
    # size, kernel, strides, dilations
    ((7,), [3], [2], [1]),
    ((6,), [2], [1], [1]),
    ((8,), [3], [3], [1]),
    ((5,), [1], [3], [1]),  # the spec's padding would be negative: none
    ((7,), [2], [1], [2]),
    ((5, 6), [3, 2], [2, 1], [1, 1]),
    ((6, 6), [2, 3], [2, 2], [1, 1]),
    ((6, 7), [3, 3], [1, 2], [2, 1]),
    ((4, 5, 6), [2, 3, 2], [2, 1, 3], [1, 1, 1]),
    ((4, 5, 6), [3, 2, 2], [1, 2, 2], [1, 2, 1]),
]


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER", "VALID"])
@pytest.mark.parametrize("size, kernel, strides, dilations", AUTO_GRID)
def test_auto_pad_grid_matches_onnxruntime(size, kernel, strides, dilations, auto_pad):
    """onnxruntime's auto_pad where it follows the spec; elsewhere onnxruntime given the spec's pads."""
    x = np.random.default_rng(4).standard_normal((1, 2, *size)).astype(np.float32)
    pairs = _spec_pairs(auto_pad, size, kernel, strides, dilations)
    follows_the_spec = auto_pad == "VALID" or (max(dilations) == 1 and all(total >= 0 for *_, total in pairs))
    for ceil_mode, count_include_pad in itertools.product((0, 1), (0, 1)):
        attrs = dict(
            kernel_shape=kernel,
            strides=strides,
            dilations=dilations,
            ceil_mode=ceil_mode,
            count_include_pad=count_include_pad,
        )
        node = _node(auto_pad=auto_pad, **attrs)
        explicit = _node(pads=[lo for lo, *_ in pairs] + [hi for _, hi, _ in pairs], **attrs)
        ours = run_node(node, [x])[0]
        _same(ours, _ort(_model(explicit, x), {"x": x})[0])
        if follows_the_spec:
            _same(ours, _ort(_model(node, x), {"x": x})[0])
        if auto_pad != "VALID":
            assert ours.shape[2:] == tuple(-(-i // s) for i, s in zip(size, strides))


def test_where_onnxruntime_auto_pad_leaves_the_spec():
    """Pinned: onnxruntime pads SAME without the dilation (one output fewer here), and where the
    spec's padding is negative it pads negatively (starting the window inside the input)."""
    x = np.arange(1.0, 8.0, dtype=np.float32).reshape(1, 1, 7)
    dilated = _node(kernel_shape=[2], dilations=[2], auto_pad="SAME_UPPER")
    assert run_node(dilated, [x])[0].shape == (1, 1, 7)
    assert _ort(_model(dilated, x), {"x": x})[0].shape == (1, 1, 6)
    x = np.arange(1.0, 4.0, dtype=np.float32).reshape(1, 1, 3)
    sparse = _node(kernel_shape=[1], strides=[3], auto_pad="SAME_UPPER")
    np.testing.assert_array_equal(run_node(sparse, [x])[0], [[[1.0]]])
    np.testing.assert_array_equal(_ort(_model(sparse, x), {"x": x})[0], [[[2.0]]])


@pytest.mark.parametrize("opset", [7, 10, 11, 19])
def test_earlier_opsets_match_onnxruntime(opset):
    """onnxruntime applies one rule to every opset's AveragePool: ceil_mode from 10, dilations from 19."""
    x = np.random.default_rng(5).standard_normal((1, 2, 7, 6)).astype(np.float32)
    for ceil_mode, count_include_pad, dilations in itertools.product((0, 1), (0, 1), ([1, 1], [2, 1])):
        if (ceil_mode and opset < 10) or (dilations != [1, 1] and opset < 19):
            continue
        attrs = dict(
            kernel_shape=[3, 2], strides=[2, 3], pads=[1, 0, 2, 1], count_include_pad=count_include_pad
        )
        if opset >= 10:
            attrs["ceil_mode"] = ceil_mode
        if opset >= 19:
            attrs["dilations"] = dilations
        _against_ort(_node(**attrs), x, opset)


def test_float16_matches_onnxruntime_and_float64_keeps_its_dtype():
    x = np.random.default_rng(6).standard_normal((2, 3, 6, 7))
    node = _node(kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 1, 1], ceil_mode=1)
    half = _against_ort(node, x.astype(np.float16), rtol=1e-3, atol=1e-3)
    double = run_node(node, [x])[0]
    assert half.dtype == np.float16 and double.dtype == np.float64
    np.testing.assert_allclose(double, run_node(node, [x.astype(np.float32)])[0], rtol=1e-6, atol=1e-6)


def test_a_window_of_padding_only_gives_zero_as_in_onnxruntime():
    x = np.array([[[5.0]]], dtype=np.float32)
    node = _node(kernel_shape=[2], pads=[1, 1], dilations=[2])
    np.testing.assert_array_equal(_against_ort(node, x), [[[0.0]]])


@pytest.mark.parametrize(
    "size, attrs",
    [
        ((6, 6), dict(kernel_shape=[7, 7], strides=[7, 7])),  # a 7x7 head on a 6x6 map
        ((6, 6), dict(kernel_shape=[7, 7], strides=[7, 7], count_include_pad=1)),
        ((5,), dict(kernel_shape=[4], strides=[3], pads=[1, 0], count_include_pad=1)),
        ((5,), dict(kernel_shape=[3], strides=[3], dilations=[3], pads=[0, 1], ceil_mode=1)),
        ((3, 4), dict(kernel_shape=[4, 2], strides=[2, 2], auto_pad="VALID")),
    ],
)
def test_a_window_overhanging_by_less_than_the_stride_is_kept_as_in_onnxruntime(size, attrs):
    """The spec's floor gives no output here; onnxruntime (and onnx's shape inference) round
    toward 0 and keep the one window, its count cut at the end pad like a ceil-mode window's."""
    x = np.random.default_rng(8).standard_normal((2, 3, *size)).astype(np.float32)
    node = _node(**attrs)
    y = _against_ort(node, x)
    assert 1 in y.shape[2:]
    inferred = onnx.shape_inference.infer_shapes(_model(node, x)).graph.output[0].type.tensor_type.shape
    assert tuple(dim.dim_value for dim in inferred.dim) == y.shape


def test_a_window_overhanging_by_the_stride_is_refused():
    x = np.ones((1, 1, 4), np.float32)
    with pytest.raises(
        ValueError, match=r"run_node: AveragePool kernel_shape 6 .* by 2, at least the stride 2"
    ):
        run_node(_node(kernel_shape=[6], strides=[2]), [x])


# --------------------------------------------------------------------------- the core op


@pytest.mark.parametrize("ceil_mode", [0, 1])
@pytest.mark.parametrize("count_include_pad", [0, 1])
@pytest.mark.parametrize(
    "size, kernel, strides, padding",
    [
        ((7,), [3], [2], [1]),
        ((2, 2), [3, 3], [3, 3], [1, 1]),
        ((5, 6), [2, 4], [2, 3], [1, 2]),
        ((4, 5, 5), [2, 3, 2], [2, 2, 1], [0, 1, 1]),
    ],
)
def test_symmetric_pads_are_avg_pool(size, kernel, strides, padding, ceil_mode, count_include_pad):
    """ONNX's ceil_mode rule is PyTorch's (a last window starting in the end padding is dropped)
    and so are both divisors: the node is avg_pool."""
    x = np.random.default_rng(7).standard_normal((2, 2, *size)).astype(np.float32)
    node = _node(
        kernel_shape=kernel,
        strides=strides,
        pads=padding * 2,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
    )
    core = upsample.avg_pool(
        x,
        kernel,
        stride=strides,
        padding=padding,
        ceil_mode=bool(ceil_mode),
        count_include_pad=bool(count_include_pad),
    )
    _same(_against_ort(node, x), core)


# --------------------------------------------------------------------------- bad attributes


#: a float32 input of one spatial axis, for the attribute checks
X1D = np.ones((1, 1, 4), np.float32)


@pytest.mark.parametrize(
    "attrs, fragment",
    [
        ({}, "AveragePool needs the attribute kernel_shape"),
        (
            dict(kernel_shape=[2, 2]),
            "AveragePool kernel_shape must be 1 integers >= 1, one per spatial axis of the input, got [2, 2]",
        ),
        (dict(kernel_shape=[2], strides=[0]), "AveragePool strides must be 1 integers >= 1"),
        (dict(kernel_shape=[2], pads=[1]), "AveragePool pads must be 2 integers >= 0"),
        (dict(kernel_shape=[2], pads=[-1, 0]), "AveragePool pads must be 2 integers >= 0"),
        (dict(kernel_shape=[2], dilations=[1, 1]), "AveragePool dilations must be 1 integers"),
        (
            dict(kernel_shape=[2], auto_pad="SAME"),
            "AveragePool auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got 'SAME'",
        ),
        (dict(kernel_shape=[2], ceil_mode=2), "AveragePool ceil_mode must be 0 or 1, got 2"),
        (
            dict(kernel_shape=[2], count_include_pad=-1),
            "AveragePool count_include_pad must be 0 or 1, got -1",
        ),
        (dict(kernel_shape=[2], storage_order=1), "AveragePool takes the attributes kernel_shape, strides"),
        (
            dict(kernel_shape=[6], pads=[1, 0]),
            "AveragePool kernel_shape 6 (spanning 6 with dilation 1) is larger than the padded input "
            "(1 + 4 + 0) by 1, at least the stride 1, along spatial axis 0: no window fits",
        ),
    ],
)
def test_bad_attributes(attrs, fragment):
    with pytest.raises(ValueError, match="run_node: .*" + re.escape(fragment)):
        run_node(_node(**attrs), [X1D])


@pytest.mark.parametrize(
    "x, error, fragment",
    [
        (np.ones((1, 1, 4), np.int64), TypeError, "AveragePool X must be float16, float32"),
        (np.ones((1, 4), np.float32), ValueError, "at least one spatial axis, got shape (1, 4)"),
    ],
)
def test_bad_input(x, error, fragment):
    with pytest.raises(error, match="run_node: .*" + re.escape(fragment)):
        run_node(_node(kernel_shape=[2]), [x])
