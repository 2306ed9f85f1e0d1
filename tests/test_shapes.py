"""Shape arithmetic: the article's numbers, independent brute-force counts, and the error style."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upsample import shapes


def test_article_numbers():
    # W_out = 1 + (W_in - W_kernel + 2P) / S = 1 + (5 - 3 + 0) / 1 = 3
    assert shapes.conv_output_size(5, 3, stride=1, padding=0) == 3
    # W_out = (W_in - 1) * S - 2P + W_kernel = (2 - 1) * 1 - 0 + 2 = 3
    assert shapes.conv_transpose_output_size(2, 2, stride=1, padding=0) == 3
    assert shapes.interpolate_output_size((2, 2), 2) == (4, 4)
    assert shapes.pool_output_size((4, 4), 2) == (2, 2)
    assert shapes.unpool_output_size((2, 2), 2) == (4, 4)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 30),
    st.integers(1, 6),
    st.integers(1, 4),
    st.integers(0, 3),
    st.integers(0, 3),
    st.integers(1, 3),
)
def test_conv_output_size_counts_window_positions(i, k, s, lo, hi, d):
    span = d * (k - 1) + 1
    positions = [start for start in range(0, i + lo + hi, s) if start + span <= i + lo + hi]
    if not positions:
        return
    assert shapes.conv_output_size(i, k, s, ((lo, hi),), d) == (len(positions),)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 30), st.integers(1, 6), st.integers(1, 4), st.integers(1, 3))
def test_same_padding_gives_ceil(i, k, s, d):
    assert shapes.conv_output_size(i, k, s, "same", d) == -(-i // s)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 20), st.integers(1, 6), st.integers(1, 4), st.integers(1, 3), st.data())
def test_conv_transpose_output_size_inverts_conv(i, k, s, d, data):
    # the transposed conv of a conv's output returns to one of the inputs that conv accepts
    p = data.draw(st.integers(0, (d * (k - 1)) // 2))
    if i + 2 * p < d * (k - 1) + 1:
        return
    o = shapes.conv_output_size(i, k, s, p, d)
    settings_ = shapes.undo_conv(i, k, s, p, d)
    assert shapes.conv_transpose_output_size(o, k, s, p, settings_.output_padding, d) == i


def test_per_dimension_tuples_and_pairs():
    assert shapes.conv_output_size((5, 6), (3, 2), (1, 2), ((1, 0), (0, 0))) == (4, 3)
    assert shapes.conv_transpose_output_size((2, 3), 4, 2, "same") == (4, 6)


def test_pool_ceil_mode_drops_a_window_starting_in_the_right_padding():
    # i=4, k=2, s=2, p=1: ceil((4+2-2)/2)+1 = 3, and the third window starts at 4 = i + p - 1 + 1
    assert shapes.pool_output_size(4, 2, 2, 1, ceil_mode=True) == 3
    assert shapes.pool_output_size(5, 3, 3, 1, ceil_mode=True) == 2  # window 3 would start at 6 >= 5+1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: shapes.conv_output_size(5, 0), "conv_output_size: kernel_size must be >= 1, got 0"),
        (lambda: shapes.conv_output_size(5, 3, padding="full"), "conv_output_size: padding must be one of"),
        (lambda: shapes.conv_output_size((5, 5), (3, 3, 3)), "conv_output_size: per-dimension arguments"),
        (
            lambda: shapes.conv_transpose_output_size(4, 3, 2, output_padding=2),
            "output_padding (2) must be smaller than stride (2) or dilation (1)",
        ),
        (lambda: shapes.interpolate_output_size(4, -1.0), "interpolate_output_size: scale_factor must be"),
        (lambda: shapes.interpolate_output_size(4, float("nan")), "scale_factor must be a finite number > 0"),
        (
            lambda: shapes.undo_conv(2, 5),
            "undo_conv: the dilated kernel (5) is larger than the padded input (2)",
        ),
    ],
)
def test_errors_name_the_function_and_parameter(call, message):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert message in str(info.value)


# --------------------------------------------------------------------------- impossible sizes


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: shapes.conv_output_size((3, 3), 5),
            "conv_output_size: the kernel (5 with dilation) is larger than the padded input (3 + 0 + 0 = 3)",
        ),
        (lambda: shapes.conv_output_size(4, 3, dilation=2, padding=(0, 0)), "the kernel (5 with dilation)"),
        (
            lambda: shapes.conv_transpose_output_size(1, 1, 1, 2),
            "conv_transpose_output_size: padding (2, 2) crops more than the whole output",
        ),
        (
            lambda: shapes.pool_output_size(1, 3),
            "pool_output_size: kernel_size (3) is larger than the padded input (1 + 2*0 = 1)",
        ),
        (
            lambda: shapes.unpool_output_size(1, 2, padding=1),
            "unpool_output_size: padding 1 leaves no output: (i-1)*stride - padding before - "
            "padding after + kernel_size gives (0,)",
        ),
        (
            lambda: shapes.unpool_output_size((3, 1), 2, padding=((0, 0), (2, 1))),
            "unpool_output_size: padding (0, (2, 1)) leaves no output",
        ),
        (
            lambda: shapes.interpolate_output_size((4, 3), (1.0, 0.25)),
            "interpolate_output_size: scale_factor 0.25 gives an empty output along spatial axis 1 "
            "(floor(3 * 0.25) = 0)",
        ),
        (
            lambda: shapes.interpolate_output_size(3, 0.1, rounding="round"),
            "(round(3 * 0.1) = 0); it must give at least 1",
        ),
        (
            lambda: shapes.interpolate_output_size(3, 2.0, rounding="ceil"),
            "interpolate_output_size: rounding must be one of",
        ),
    ],
)
def test_impossible_sizes_raise_instead_of_answering_a_negative_size(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


def test_the_smallest_possible_sizes_still_answer():
    assert shapes.conv_output_size(5, 5) == 1
    assert shapes.conv_output_size(3, 5, padding=1) == 1
    assert shapes.conv_transpose_output_size(1, 3, padding=1) == 1
    assert shapes.pool_output_size(3, 3) == 1
    assert shapes.unpool_output_size(1, 3, padding=1) == 1
    assert shapes.interpolate_output_size(4, 0.25) == 1
    assert shapes.interpolate_output_size(0, 0.25) == 0  # an empty axis stays empty


@pytest.mark.parametrize("i", [1, 2, 3, 5, 7, 10, 33, 641])
@pytest.mark.parametrize("f", [0.3, 0.5, 1 / 3, 1.5, 2.5, 7 / 3, 2.675])
def test_interpolate_size_roundings_are_each_frameworks_rule(i, f):
    # PyTorch floors the double product; OpenCV's cvRound rounds half to even; onnxruntime
    # truncates the float32 product: each checked by its own arithmetic here
    expect = {
        "floor": math.floor(i * f),
        "round": int(np.rint(i * f)),
        "float32": int(np.float32(i) * np.float32(f)),
    }
    for rounding, o in expect.items():
        if o < 1:
            with pytest.raises(ValueError, match="gives an empty output"):
                shapes.interpolate_output_size(i, f, rounding=rounding)
        else:
            assert shapes.interpolate_output_size(i, f, rounding=rounding) == o


# --------------------------------------------------------------------------- the solver


def every_setting(i, o, kernel_size=None, stride=None, dilation=1):
    """The solver's contract by brute force: every (k, s, p, a) in its bounds, sorted."""
    d = dilation
    found = []
    for s in [stride] if stride else range(1, max(o // max(i - 1, 1), 1) + 2):
        for k in [kernel_size] if kernel_size else range(1, max(2 * s + 2, 7) + 1):
            for p in range(d * (k - 1) // 2 + 1):
                for a in range(max(s, d)):
                    if (i - 1) * s - 2 * p + d * (k - 1) + a + 1 == o:
                        found.append(shapes.ConvTransposeSettings(k, s, p, a, d))
    return sorted(
        found,
        key=lambda c: (
            c.output_padding > 0,
            c.kernel_size % c.stride != 0,
            c.kernel_size < c.stride,
            c.kernel_size != 2 * c.stride,
            c.stride,
            c.kernel_size,
            c.padding,
        ),
    )


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 9),
    st.integers(1, 40),
    st.sampled_from([None, 1, 2, 3, 4, 7]),
    st.sampled_from([None, 1, 2, 3, 5]),
    st.integers(1, 4),
    st.integers(0, 30),
)
def test_the_solver_yields_every_setting_best_first(i, o, k, s, d, limit):
    expected = every_setting(i, o, k, s, d)
    assert shapes.solve_conv_transpose(i, o, kernel_size=k, stride=s, dilation=d) == expected
    assert (
        shapes.solve_conv_transpose(i, o, kernel_size=k, stride=s, dilation=d, limit=limit)
        == expected[:limit]
    )


def test_the_solver_stops_at_the_limit_for_sizes_with_millions_of_answers():
    """1 -> 16384 has far more settings than memory holds; the first few come at once (before,
    the whole list was built: hours for this call)."""
    first = shapes.solve_conv_transpose(1, 16384, limit=12)
    assert len(first) == 12 and all(
        shapes.conv_transpose_output_size(1, c.kernel_size, c.stride, c.padding, c.output_padding) == 16384
        for c in first
    )
    assert shapes.solve_conv_transpose(64, 128, limit=1) == [
        shapes.ConvTransposeSettings(kernel_size=4, stride=2, padding=1, output_padding=0, dilation=1)
    ]
    for i, o, k, s in [
        (1, 16383, None, None),
        (2, 16381, 2, None),
        (4096, 16384, 64, None),
        (1, 10740, None, None),
        (3, 16384, None, 64),
    ]:
        assert len(shapes.solve_conv_transpose(i, o, kernel_size=k, stride=s, limit=13)) <= 13
    with pytest.raises(ValueError, match="solve_conv_transpose: limit must be >= 0"):
        shapes.solve_conv_transpose(4, 8, limit=-1)
