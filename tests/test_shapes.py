"""Shape arithmetic: the article's numbers, independent brute-force counts, and the error style."""

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
@given(st.integers(1, 30), st.integers(1, 6), st.integers(1, 4), st.integers(0, 3), st.integers(0, 3),
       st.integers(1, 3))
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


@pytest.mark.parametrize("call, message", [
    (lambda: shapes.conv_output_size(5, 0), "conv_output_size: kernel_size must be >= 1, got 0"),
    (lambda: shapes.conv_output_size(5, 3, padding="full"), "conv_output_size: padding must be one of"),
    (lambda: shapes.conv_output_size((5, 5), (3, 3, 3)), "conv_output_size: per-dimension arguments"),
    (lambda: shapes.conv_transpose_output_size(4, 3, 2, output_padding=2),
     "output_padding (2) must be smaller than stride (2) or dilation (1)"),
    (lambda: shapes.interpolate_output_size(4, -1.0), "interpolate_output_size: scale_factor must be"),
    (lambda: shapes.interpolate_output_size(4, float("nan")), "scale_factor must be a finite number > 0"),
    (lambda: shapes.undo_conv(2, 5), "undo_conv: the dilated kernel (5) is larger than the padded input (2)"),
])
def test_errors_name_the_function_and_parameter(call, message):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert message in str(info.value)
