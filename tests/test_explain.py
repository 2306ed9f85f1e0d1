"""Explanations: the steps add up exactly to the real op, the three transposed-convolution
views agree, and the text and GIF renderers draw what the records say."""

import itertools
import subprocess
import sys

import numpy as np
import pytest

import upsample
from upsample import explain
from upsample.explain import EXPLAINERS, VIEWS

# --------------------------------------------------------------------------- helpers


def batch(x):
    """The example as the op sees it: (L,) / (H, W) -> (1, 1, ...), (C, ...) -> (1, C, ...)."""
    x = np.asarray(x)
    return x[None, None] if x.ndim in (1, 2) else x[None]


def check_records(ex, *, additive=True):
    """The running outputs follow from the writes, and each write from its terms, exactly."""
    previous = np.zeros_like(ex.output)
    for step in ex.steps:
        expected = previous.copy()
        for write in step.writes:
            if write.replaced is not None:
                assert previous[write.cell] == write.replaced
                expected[write.cell] = write.added
            else:
                expected[write.cell] += write.added
        np.testing.assert_array_equal(step.output, expected)
        if additive:
            for write in step.writes:
                products = [ex.input[t.source] * t.weight for t in step.terms if t.target == write.cell]
                assert sum(products) == write.added
        assert step.output.shape == ex.output.shape and not step.output.flags.writeable
        previous = step.output


def check_exact(ex, expected, *, additive=True):
    """Final running output == the op's output == ``expected`` (the public op's result), exactly."""
    assert ex.steps, "an explanation needs at least one step"
    np.testing.assert_array_equal(ex.steps[-1].output, expected)
    np.testing.assert_array_equal(ex.output, expected)
    assert ex.output.dtype == expected.dtype
    check_records(ex, additive=additive)


def integers(rng, shape, low=-4, high=6):
    return rng.integers(low, high, size=shape)


# --------------------------------------------------------------------------- conv

CONV_GRID = [
    # spatial, c_in, c_out, kernel, stride, padding, dilation
    ((7,), 1, 1, (3,), 1, 0, 1),
    ((8,), 2, 1, (2,), 2, 1, 1),
    ((9,), 2, 3, (3,), 2, ((1, 2),), 2),
    ((5, 5), 1, 1, (3, 3), 1, 0, 1),
    ((5, 5), 3, 1, (3, 3), 1, 0, 1),  # the article's 5x5x3 with a 3x3x3 filter
    ((6, 5), 2, 2, (2, 3), (2, 1), 1, 1),
    ((7, 6), 1, 2, (3, 2), 2, "same", 1),
    ((6, 7), 2, 1, (2, 2), 1, "valid", (2, 3)),
    ((4, 4), 1, 1, (3, 3), 3, ((1, 0), (2, 1)), 1),
]


@pytest.mark.parametrize("spatial, c_in, c_out, kernel, stride, padding, dilation", CONV_GRID)
def test_conv_steps_sum_to_conv(rng, spatial, c_in, c_out, kernel, stride, padding, dilation):
    x = integers(rng, (c_in, *spatial))
    w = integers(rng, (c_out, c_in, *kernel))
    ex = explain.conv(x, w, stride=stride, padding=padding, dilation=dilation, spatial_dims=len(spatial))
    expected = upsample.conv(x[None], w, stride=stride, padding=padding, dilation=dilation)[0]
    check_exact(ex, expected)
    assert len(ex.steps) == expected.size  # one step per output cell
    assert all(len(s.writes) == 1 for s in ex.steps)


@pytest.mark.parametrize("c_in, c_out, groups", [(2, 2, 2), (4, 2, 2), (2, 4, 2), (6, 3, 3), (4, 4, 4)])
def test_grouped_conv_steps_sum_to_conv(rng, c_in, c_out, groups):
    x = integers(rng, (c_in, 5, 4))
    w = integers(rng, (c_out, c_in // groups, 2, 3))
    ex = explain.conv(x, w, stride=(2, 1), padding=1, groups=groups)
    expected = upsample.conv(x[None], w, stride=(2, 1), padding=1, groups=groups)[0]
    check_exact(ex, expected)
    per_group = c_out // groups
    for step in ex.steps:  # each output reads its group only
        group = step.written[0][0] // per_group
        assert {c[0] // (c_in // groups) for c in step.reads} == {group}
    assert ex.params["groups"] == groups and f"groups={groups}" in str(ex)


def test_conv_kernel_layouts(rng):
    x = integers(rng, (3, 5, 5))
    full = integers(rng, (1, 3, 3, 3))
    a = explain.conv(x, full[0])  # (C_in, *k): one filter
    b = explain.conv(x, full)
    np.testing.assert_array_equal(a.output, b.output)
    shared = explain.conv(x, full[0, 0])  # (*k): same slice for every channel
    np.testing.assert_array_equal(
        shared.output, upsample.conv(x[None], np.broadcast_to(full[0, 0], (1, 3, 3, 3)))[0]
    )


def test_conv_padding_is_drawn_and_masked():
    ex = explain.conv(np.arange(1, 10).reshape(3, 3), np.ones((3, 3)), padding=1)
    assert ex.input.shape == (1, 5, 5)
    assert ex.input_mask.sum() == 9 and not ex.input_mask[0, 0, 0]
    assert ex.steps[0].equation.startswith("0*1 + 0*1 + 0*1 + 0*1 + 1*1")


# --------------------------------------------------------------------------- conv_transpose

TRANSPOSE_GRID = [
    # spatial, c_in, c_out, kernel, stride, padding, output_padding, dilation
    ((2, 2), 1, 1, (2, 2), 1, 0, 0, 1),  # the article's example
    ((4,), 1, 1, (3,), 2, 0, 0, 1),
    ((4,), 2, 1, (3,), 2, 1, 1, 1),
    ((5,), 1, 2, (2,), 3, 0, 2, 1),
    ((3,), 2, 2, (3,), 1, 2, 1, 2),  # output_padding < dilation
    ((3, 3), 1, 1, (3, 3), 2, 1, 0, 1),
    ((3, 2), 2, 1, (2, 3), (2, 1), (0, 1), (1, 0), 1),
    ((2, 3), 1, 2, (3, 3), 2, 0, 1, (1, 2)),
    ((3, 3), 1, 1, (4, 4), 2, 1, 0, 1),  # k = 2s: the usual doubling
    ((2, 2), 2, 1, (2, 2), 2, "same", 0, 1),
    ((6, 5), 1, 1, (3, 3), 1, 3, 0, 1),  # padding larger than the overhang: cropping the bed
]


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize(
    "spatial, c_in, c_out, kernel, stride, padding, output_padding, dilation", TRANSPOSE_GRID
)
def test_conv_transpose_views_sum_to_conv_transpose(
    rng, view, spatial, c_in, c_out, kernel, stride, padding, output_padding, dilation
):
    x = integers(rng, (c_in, *spatial))
    w = integers(rng, (c_in, c_out, *kernel))
    ex = explain.conv_transpose(
        x,
        w,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        view=view,
        spatial_dims=len(spatial),
    )
    expected = upsample.conv_transpose(
        x[None], w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation
    )[0]
    check_exact(ex, expected)
    assert ex.view == view


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize(
    "c_in, c_out, groups, stride, padding, output_padding, dilation",
    [
        (2, 2, 2, 2, 0, 1, 1),
        (4, 2, 2, 1, 1, 0, 1),
        (2, 4, 2, 2, ((0, 1), (1, 0)), 0, 1),
        (3, 3, 3, 2, 0, 0, 2),
        (4, 4, 4, 3, 1, 2, 1),
    ],
)
def test_grouped_conv_transpose_views_sum_to_conv_transpose(
    rng, view, c_in, c_out, groups, stride, padding, output_padding, dilation
):
    x = integers(rng, (c_in, 3, 2))
    w = integers(rng, (c_in, c_out // groups, 2, 3))
    kwargs = dict(
        stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups
    )
    ex = explain.conv_transpose(x, w, view=view, **kwargs)
    expected = upsample.conv_transpose(x[None], w, **kwargs)[0]
    check_exact(ex, expected)


@pytest.mark.parametrize("case", TRANSPOSE_GRID[:6])
def test_the_three_views_agree_step_by_step_totals(rng, case):
    spatial, c_in, c_out, kernel, stride, padding, output_padding, dilation = case
    x = integers(rng, (c_in, *spatial))
    w = integers(rng, (c_in, c_out, *kernel))
    kwargs = dict(
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        spatial_dims=len(spatial),
    )
    views = {v: explain.conv_transpose(x, w, view=v, **kwargs) for v in VIEWS}
    finals = [ex.steps[-1].output for ex in views.values()]
    for other in finals[1:]:
        np.testing.assert_array_equal(finals[0], other)
    # the scatter view has one step per input cell, the others one per (reached) output cell
    assert len(views["scatter"].steps) == x.size
    assert len(views["zero_insertion"].steps) == finals[0].size


def test_matrix_view_is_the_transpose_of_the_conv_matrix(rng):
    x = integers(rng, (1, 3, 3))
    w = integers(rng, (1, 1, 3, 3))
    ex = explain.conv_transpose(x, w, stride=2, padding=1, view="matrix")
    c_t = ex.kernel  # C^T, (output cells, input cells)
    assert c_t.shape == (ex.output.size, x.size)
    np.testing.assert_array_equal(c_t @ x.ravel(), ex.output.ravel())  # conv_transpose = C^T y
    image = integers(rng, ex.output.shape)
    conv = upsample.conv(image[None].astype(float), w.astype(float), stride=2, padding=1)[0]
    np.testing.assert_array_equal(c_t.T @ image.ravel(), conv.ravel())  # conv = C x


def test_zero_insertion_view_draws_the_bed_of_nails():
    ex = explain.conv_transpose([[1, 2], [3, 4]], np.full((2, 2), 5), stride=2, view="zero_insertion")
    # the nails: stride - 1 = 1 zero between inputs, a border of k - 1 = 1 zero around
    np.testing.assert_array_equal(
        ex.input[0], [[0, 0, 0, 0, 0], [0, 1, 0, 2, 0], [0, 0, 0, 0, 0], [0, 3, 0, 4, 0], [0, 0, 0, 0, 0]]
    )
    assert ex.input_mask.sum() == 4 and ex.input_mask[0, 1, 1]


def test_the_articles_transposed_convolution():
    ex = explain.conv_transpose([[1, 2], [3, 4]], [[5, 5], [5, 5]])
    np.testing.assert_array_equal(ex.output[0], [[5, 15, 10], [20, 50, 30], [15, 35, 20]])
    # the article's four partial matrices, one per input element
    partials = [[w.added for w in step.writes] for step in ex.steps]
    assert partials == [[5.0] * 4, [10.0] * 4, [15.0] * 4, [20.0] * 4]
    assert [step.reads for step in ex.steps] == [((0, 0, 0),), ((0, 0, 1),), ((0, 1, 0),), ((0, 1, 1),)]
    assert ex.steps[1].written == ((0, 0, 1), (0, 0, 2), (0, 1, 1), (0, 1, 2))


# --------------------------------------------------------------------------- resampling


@pytest.mark.parametrize(
    "shape, scale_factor, size",
    [
        ((2, 2), 2, None),
        ((3,), 3, None),
        ((2, 3), (2, 3), None),
        ((2, 2, 3), 2, None),
        ((3, 3), 1.5, None),
        ((4, 4), None, (6, 5)),
        ((5,), 0.5, None),
    ],
)
def test_nearest_steps_sum_to_nearest(rng, shape, scale_factor, size):
    x = integers(rng, shape)
    ex = explain.nearest(x, scale_factor, size=size)
    check_exact(ex, upsample.nearest(batch(x), scale_factor, size=size)[0])


@pytest.mark.parametrize(
    "shape, scale_factor, size, align_corners",
    [
        ((2, 2), 2, None, False),  # the article's example
        ((3,), 4, None, False),
        ((2, 3, 2), 2, None, False),
        ((3, 3), None, (5, 5), True),  # (3-1)/(5-1) = 0.5: weights in halves
        ((2,), None, (3,), True),
        ((4, 2), (0.5, 2), None, False),  # downsampling one axis
    ],
)
def test_bilinear_steps_sum_to_bilinear_exactly(rng, shape, scale_factor, size, align_corners):
    # integer inputs and weights that are sums of powers of two: every product and sum is exact
    x = integers(rng, shape) * 4
    ex = explain.bilinear(x, scale_factor, size=size, align_corners=align_corners)
    check_exact(ex, upsample.bilinear(batch(x), scale_factor, size=size, align_corners=align_corners)[0])


@pytest.mark.parametrize("scale_factor, align_corners", [(3, False), (1.5, False), (3, True), (2.5, True)])
def test_bilinear_steps_match_bilinear_to_rounding(rng, scale_factor, align_corners):
    x = rng.normal(size=(2, 3, 3))
    ex = explain.bilinear(x, scale_factor, align_corners=align_corners)
    expected = upsample.bilinear(x[None], scale_factor, align_corners=align_corners)[0]
    np.testing.assert_allclose(ex.steps[-1].output, expected, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(ex.output, expected)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear", "cubic", "area"])
@pytest.mark.parametrize(
    "scale_factor, size, align_corners",
    [(2, None, None), (None, (3, 5), None), (1.5, None, True), (None, (1, 2), None), (0.5, None, False)],
)
def test_interpolate_steps_sum_to_interpolate_in_every_mode(rng, mode, scale_factor, size, align_corners):
    if mode in ("nearest", "nearest-exact", "area"):
        align_corners = None
    x = integers(rng, (2, 4, 4))
    ex = explain.interpolate(x, scale_factor, size=size, mode=mode, align_corners=align_corners)
    expected = upsample.interpolate(x[None], size, scale_factor, mode=mode, align_corners=align_corners)[0]
    np.testing.assert_array_equal(ex.output, expected)
    np.testing.assert_allclose(ex.steps[-1].output, expected, rtol=1e-13, atol=1e-13)
    assert len(ex.steps) == expected.size and ex.output.dtype == expected.dtype
    if mode.startswith("nearest"):
        check_exact(ex, expected)  # gathers: one term of weight 1 per output
        assert all(len(step.terms) == 1 and step.terms[0].weight == 1 for step in ex.steps)


def test_bilinear_weights_come_from_the_sampling_plan():
    ex = explain.bilinear([[10, 20], [30, 40]], 2)
    np.testing.assert_array_equal(
        ex.output[0], [[10, 12.5, 17.5, 20], [15, 17.5, 22.5, 25], [25, 27.5, 32.5, 35], [30, 32.5, 37.5, 40]]
    )
    step = ex.steps[5]  # output (1, 1)
    assert sorted((t.source, t.weight) for t in step.terms) == [
        ((0, 0, 0), 0.5625),
        ((0, 0, 1), 0.1875),
        ((0, 1, 0), 0.1875),
        ((0, 1, 1), 0.0625),
    ]
    assert "input point (0.25, 0.25)" in step.caption
    # at the border the plan reads one pixel twice: listed once, with the summed weight
    assert [(t.source, t.weight) for t in ex.steps[3].terms] == [((0, 0, 1), 1.0)]


@pytest.mark.parametrize(
    "shape, scale_factor, size, offset",
    [((2, 2), 2, None, 0), ((3,), 3, None, 1), ((2, 2, 2), (2, 3), None, (1, 0)), ((2, 2), 2, (5, 4), 0)],
)
def test_bed_of_nails_steps_sum_to_bed_of_nails(rng, shape, scale_factor, size, offset):
    x = integers(rng, shape)
    ex = explain.bed_of_nails(x, scale_factor, size=size, offset=offset)
    check_exact(ex, upsample.bed_of_nails(batch(x), scale_factor, size=size, offset=offset)[0])
    assert len(ex.steps) == x.size


@pytest.mark.parametrize(
    "shape, r, spatial_dims",
    [((4, 2, 2), 2, None), ((8, 1, 3), 2, None), ((9, 2, 2), 3, None), ((6, 3), 3, 1)],
)
def test_pixel_shuffle_steps_sum_to_pixel_shuffle(rng, shape, r, spatial_dims):
    x = integers(rng, shape)
    ex = explain.pixel_shuffle(x, r, spatial_dims=spatial_dims)
    check_exact(ex, upsample.pixel_shuffle(x[None], r)[0])
    assert len(ex.steps) == shape[0]  # one step per input channel


# --------------------------------------------------------------------------- pooling


@pytest.mark.parametrize(
    "shape, kernel, stride, padding, dilation, ceil_mode",
    [
        ((4, 4), 2, None, 0, 1, False),  # the article's example
        ((7,), 3, 2, 1, 1, False),
        ((2, 5, 5), 2, 1, 0, 1, False),
        ((5, 6), (2, 3), (2, 1), (1, 1), 1, True),
        ((7, 7), 2, 2, 0, 2, False),
    ],
)
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool_steps_match_max_pool(rng, shape, kernel, stride, padding, dilation, ceil_mode, ties):
    x = integers(rng, shape, 0, 3) if ties else rng.permutation(int(np.prod(shape))).reshape(shape)
    ex = explain.max_pool(x, kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)
    values, indices = upsample.max_pool(
        batch(x),
        kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=ceil_mode,
        return_indices=True,
    )
    check_exact(ex, values[0])
    np.testing.assert_array_equal(ex.extras["indices"], indices[0])
    for step in ex.steps:  # exactly one winner per window
        assert sorted(t.weight for t in step.terms)[-2:][-1] == 1.0
        assert sum(t.weight for t in step.terms) == 1.0


@pytest.mark.parametrize("shape, kernel, stride", [((4, 4), 2, None), ((6,), 3, 1), ((2, 4, 5), 2, 1)])
def test_max_unpool_steps_match_max_unpool(rng, shape, kernel, stride):
    nd = 1 if len(shape) == 1 else 2
    x = integers(rng, shape, 0, 3)  # ties: overlapping windows share indices
    values, indices = upsample.max_pool(batch(x), kernel, stride=stride, return_indices=True)
    y = integers(rng, values.shape, 1, 9)  # (1, C, *o): new values to put back
    size = shape[-nd:]
    ex = explain.max_unpool(y[0], indices[0], kernel, stride=stride, output_size=size, spatial_dims=nd)
    expected = upsample.max_unpool(y, indices, kernel, stride=stride, output_size=size)[0]
    check_exact(ex, expected, additive=False)


def test_max_unpool_later_values_replace_earlier_ones():
    ex = explain.max_unpool([5, 7, 9], [1, 1, 2], 2, stride=1)
    np.testing.assert_array_equal(ex.output[0], [0, 7, 9, 0])
    replaced = [w for s in ex.steps for w in s.writes if w.replaced is not None]
    assert [(w.cell, w.added, w.replaced) for w in replaced] == [((0, 1), 7, 5)]
    assert "replacing 5" in ex.steps[1].caption


# --------------------------------------------------------------------------- the table, the boundary


def test_every_explainer_is_an_op_in_the_table():
    assert set(EXPLAINERS) <= set(upsample.ops.OPS)
    article = {
        "conv",
        "conv_transpose",
        "nearest",
        "bilinear",
        "bed_of_nails",
        "max_pool",
        "max_unpool",
        "pixel_shuffle",
    }
    assert article <= set(EXPLAINERS)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: explain.conv(np.zeros((1, 2, 3, 3)), np.ones((2, 2))), "explain.conv: x must be"),
        (lambda: explain.conv(np.zeros((3, 3)), np.ones((2, 2, 2))), "2 channel slices but x has 1"),
        (lambda: explain.conv_transpose([[1]], [[1]], view="sideways"), "view must be one of"),
        (lambda: explain.conv(np.zeros((60, 60)), np.ones((2, 2))), "too large to explain"),
        (lambda: explain.max_unpool([1, 2], [0], 2), "indices must have the shape of x"),
        (lambda: explain.nearest("1 2", 2), "must be an array of numbers"),
        (lambda: explain.conv([[1, 2]], [[1, 1, 1]]), "conv: the kernel"),
    ],
)
def test_bad_examples_raise_clear_errors(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_importing_upsample_loads_no_renderer():
    code = (
        "import sys, upsample; from upsample import explain; "
        "explain.conv_transpose([[1, 2], [3, 4]], [[5, 5], [5, 5]]); "
        "print(sorted(m for m in ('PIL', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- text


def test_text_prints_the_articles_partial_matrices_and_their_sum():
    text = str(explain.conv_transpose([[1, 2], [3, 4]], [[5, 5], [5, 5]]))
    assert "step 1/4: input (0, 0) = 1 times the kernel" in text
    # partial outputs with blanks for untouched cells, then their sum
    assert "[  5  5    ]" in text and "[    10 10 ]" in text
    sum_line = [line for line in text.splitlines() if "  +  " in line and "  =  " in line]
    assert sum_line and sum_line[0].split("=")[-1].strip() == "[ 20 50 30 ]"
    assert text.rstrip().endswith("[ 15 35 20 ]")


def test_text_brief_has_one_line_per_step_and_bilinear_lists_weights():
    ex = explain.bilinear([[10, 20], [30, 40]], 2)
    brief = ex.text(detail="brief")
    lines = [line for line in brief.splitlines() if line.startswith("step ")]
    assert len(lines) == 16
    assert "0.5625 x (0, 0); 0.1875 x (0, 1); 0.1875 x (1, 0); 0.0625 x (1, 1)" in brief
    assert "not whole numbers" in brief
    assert "12.5" in str(ex)
    with pytest.raises(ValueError, match="detail"):
        ex.text(detail="loud")


@pytest.mark.parametrize("name", sorted(EXPLAINERS))
def test_every_explainer_renders_as_text(name):
    examples = {
        "conv": lambda: explain.conv(np.arange(9).reshape(3, 3), np.ones((2, 2))),
        "conv_transpose": lambda: explain.conv_transpose([[1, 2], [3, 4]], np.ones((2, 2)), stride=2),
        "nearest": lambda: explain.nearest([1, 2, 3], 2),
        "bilinear": lambda: explain.bilinear([1, 2, 3], 2),
        "interpolate": lambda: explain.interpolate([[1, 2], [3, 4]], 2, mode="bicubic"),
        "bed_of_nails": lambda: explain.bed_of_nails(np.arange(4).reshape(2, 2), 2),
        "max_pool": lambda: explain.max_pool(np.arange(16).reshape(4, 4), 2),
        "avg_pool": lambda: explain.avg_pool(np.arange(16).reshape(4, 4), 3, stride=2, padding=1),
        "max_unpool": lambda: explain.max_unpool([[1, 2], [3, 4]], [[0, 3], [9, 15]], 2),
        "pixel_shuffle": lambda: explain.pixel_shuffle(np.arange(8).reshape(4, 1, 2), 2),
    }
    ex = examples[name]()
    text = str(ex)
    assert text.startswith(name)
    assert f"step {len(ex.steps)}/{len(ex.steps)}" in text
    assert "result (" in text


@pytest.mark.parametrize("view", list(VIEWS))
def test_to_dict_is_json_and_holds_the_records(view):
    import json

    ex = explain.conv_transpose(
        [[1, 2], [3, 4]], [[5, 5], [5, 5]], stride=2, padding=((0, 1), (1, 1)), view=view
    )
    data = json.loads(json.dumps(ex.to_dict(), allow_nan=False))
    np.testing.assert_array_equal(data["output"], ex.output)
    np.testing.assert_array_equal(data["input"], ex.input)
    np.testing.assert_array_equal(data["kernel"], ex.kernel)
    assert data["view"] == view and data["notes"] == list(ex.notes)
    assert data["params"]["padding"] == [[0, 1], [1, 1]]
    for step, record in zip(ex.steps, data["steps"]):
        np.testing.assert_array_equal(record["output"], step.output)
        assert record["caption"] == step.caption and record["equation"] == step.equation
        assert [tuple(c) for c in record["reads"]] == list(step.reads)
        assert [(tuple(w["cell"]), w["added"]) for w in record["writes"]] == [
            (w.cell, w.added) for w in step.writes
        ]
        assert [tuple(t["weight_cell"]) for t in record["terms"]] == [t.weight_cell for t in step.terms]
    slim = ex.to_dict(step_outputs=False, terms=False)["steps"][0]
    assert "output" not in slim and "terms" not in slim and slim["reads"] == data["steps"][0]["reads"]


def test_to_dict_writes_non_finite_numbers_as_strings():
    import json

    ex = explain.max_pool([[1.0, -np.inf], [np.nan, 2.0]], 1)
    text = json.dumps(ex.to_dict(), allow_nan=False)
    assert json.loads(text)["output"] == [[[1.0, "-inf"], ["nan", 2.0]]]
    assert (
        explain.max_unpool([[1, 2]], [[1, 0]], (1, 2)).to_dict()["steps"][1]["writes"][0]["replaced"] is None
    )


# --------------------------------------------------------------------------- GIF


def _pixels(image):
    return np.asarray(image.convert("RGB")).reshape(-1, 3)


def _colours(image):
    return len(np.unique(_pixels(image), axis=0))


def test_frames_one_per_step_plus_first_and_last():
    ex = explain.conv_transpose([[1, 2], [3, 4]], [[5, 5], [5, 5]])
    frames = ex.frames()
    assert len(frames) == len(ex.steps) + 2
    first, last = frames[0], frames[-1]
    assert last.size == first.size and last.width >= 400
    assert _colours(last) > 10  # not blank
    assert first.tobytes() != last.tobytes()  # the output has filled in
    # every step frame differs from the one before it
    for before, after in itertools.pairwise(frames):
        assert before.tobytes() != after.tobytes()


def test_last_frame_shows_the_result_in_the_output_grid():
    ex = explain.nearest([[1, 2], [3, 4]], 2)
    frames = ex.frames()
    from upsample.explain.gif import STYLES

    done_fill = STYLES["done"][0]
    assert (_pixels(frames[-1]) == done_fill).all(axis=1).any()  # finished cells are tinted
    assert not (_pixels(frames[0]) == done_fill).all(axis=1).any()  # nothing finished at the start


def test_save_gif_and_png_frames(tmp_path):
    from PIL import Image

    ex = explain.max_pool([[1, 2, 4, 1], [3, 4, 2, 3], [1, 4, 1, 2], [2, 3, 4, 3]], 2)
    written = ex.save_gif(tmp_path / "pool.gif", png_dir=tmp_path / "frames")
    assert written[0] == tmp_path / "pool.gif"
    with Image.open(written[0]) as gif:
        assert gif.n_frames == len(ex.steps) + 2
        assert gif.info.get("loop") == 0
    pngs = sorted((tmp_path / "frames").glob("*.png"))
    assert len(pngs) == len(ex.steps) + 2 == len(written) - 1
    with Image.open(pngs[-1]) as png:
        assert _colours(png) > 10


def test_conv3d_picture(tmp_path):
    from PIL import Image

    written = explain.conv3d_picture(tmp_path / "conv3d.gif")
    with Image.open(written[0]) as gif:
        assert gif.n_frames == 9 + 2  # a 3x3 output, one step each
        gif.seek(gif.n_frames - 1)
        last = gif.convert("RGB")
        gif.seek(0)
        first = gif.convert("RGB")
    assert _colours(last) > 10 and last.tobytes() != first.tobytes()


@pytest.mark.parametrize(
    "ex",
    [
        explain.conv(np.arange(12).reshape(3, 4), np.ones((2, 2)), padding=1),
        explain.conv_transpose(np.arange(4).reshape(2, 2), np.ones((2, 2)), view="matrix"),
        explain.conv_transpose(np.arange(4).reshape(2, 2), np.ones((3, 3)), stride=2, view="zero_insertion"),
        explain.bilinear([1, 2, 3], 2),
        explain.pixel_shuffle(np.arange(8).reshape(4, 2, 1), 2),
    ],
    ids=["conv-padded", "matrix", "zero-insertion", "bilinear-1d", "pixel-shuffle"],
)
def test_every_kind_of_explanation_renders(ex):
    frames = ex.frames()
    assert len(frames) == len(ex.steps) + 2
    assert frames[-1].tobytes() != frames[0].tobytes()


def test_the_learning_guide_shows_real_output():
    import re
    from pathlib import Path

    guide = (Path(__file__).parent.parent / "docs" / "guides" / "learn.md").read_text()
    shown = re.search(r"```text\n(.*?)```", guide, flags=re.S).group(1)
    text = str(explain.conv_transpose([[1, 2], [3, 4]], [[5, 5], [5, 5]]))
    assert shown.strip() in text


def test_long_animations_need_max_steps():
    ex = explain.nearest(np.arange(700), 1.0)
    with pytest.raises(ValueError, match="max_steps"):
        ex.frames()
    frames = ex.frames(max_steps=3)
    assert len(frames) == 3 + 2
