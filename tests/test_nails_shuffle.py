"""bed_of_nails / subsample and pixel_shuffle / pixel_unshuffle."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oracle
import reference
import upsample
from expect import assert_refused

F = oracle.torch.nn.functional


def test_article_bed_of_nails():
    y = upsample.bed_of_nails(np.array([[1, 2], [3, 4]]).reshape(1, 1, 2, 2), 2)
    np.testing.assert_array_equal(y[0, 0], [[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])
    assert y.dtype == np.int64 or y.dtype == np.dtype(int)


@pytest.mark.parametrize("shape, s", [((1, 1, 2, 2), 2), ((2, 3, 3), 3), ((1, 2, 2, 3, 2), (2, 1, 3))])
def test_bed_of_nails_is_conv_transpose_with_a_one_hot_kernel(shape, s):
    x = np.arange(np.prod(shape), dtype=float).reshape(shape)
    nd, c = len(shape) - 2, shape[1]
    s = s if isinstance(s, tuple) else (s,) * nd
    kernel = np.zeros((c, 1, *s))
    kernel[(slice(None), 0, *(0,) * nd)] = 1
    np.testing.assert_array_equal(
        upsample.bed_of_nails(x, s), upsample.conv_transpose(x, kernel, stride=s, groups=c)
    )


@pytest.mark.parametrize("offset", [0, 1, (2, 0)])
def test_subsample_undoes_bed_of_nails(offset):
    x = np.arange(24).reshape(1, 2, 3, 4)
    assert np.array_equal(upsample.subsample(upsample.bed_of_nails(x, 3, offset=offset), 3, offset=offset), x)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.data())
def test_bed_of_nails_matches_reference(nd, data):
    shape = (
        data.draw(st.integers(0, 2)),
        data.draw(st.integers(1, 3)),
        *data.draw(st.lists(st.integers(1, 4), min_size=nd, max_size=nd)),
    )
    s = tuple(data.draw(st.lists(st.integers(1, 3), min_size=nd, max_size=nd)))
    offset = tuple(data.draw(st.integers(0, f - 1)) for f in s)
    x = np.arange(np.prod(shape), dtype=np.int32).reshape(shape)
    y = upsample.bed_of_nails(x, s, offset=offset)
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y, reference.bed_of_nails(x, s, offset=offset))


def test_bed_of_nails_size_extends_the_border():
    y = upsample.bed_of_nails(np.ones((1, 1, 2)), 2, size=5)
    np.testing.assert_array_equal(y[0, 0], [1, 0, 1, 0, 0])


# torch mishandles an empty batch here (pixel_unshuffle returns its input's shape), so N = 0
# is checked against the loop reference below instead
@pytest.mark.parametrize("shape, r", [((2, 8, 3, 5), 2), ((1, 9, 2, 2), 3)])
def test_pixel_shuffle_matches_torch(shape, r):
    x = np.random.default_rng(0).standard_normal(shape)
    oracle.check(upsample.pixel_shuffle, lambda t: F.pixel_shuffle(t, r), [x], dict(upscale_factor=r))
    y = upsample.pixel_shuffle(x, r)
    oracle.check(upsample.pixel_unshuffle, lambda t: F.pixel_unshuffle(t, r), [y], dict(downscale_factor=r))


@pytest.mark.parametrize(
    "shape, r",
    [((1, 4, 5), 2), ((0, 4, 2, 2), 2), ((2, 16, 2, 3), 2), ((1, 8, 2, 1, 3), 2), ((1, 12, 2, 2), (3, 2))],
)
def test_pixel_shuffle_any_rank_matches_reference_and_round_trips(shape, r):
    x = np.arange(np.prod(shape)).reshape(shape)
    y = upsample.pixel_shuffle(x, r)
    np.testing.assert_array_equal(y, reference.pixel_shuffle(x, r))
    np.testing.assert_array_equal(upsample.pixel_unshuffle(y, r), x)
    np.testing.assert_array_equal(reference.pixel_unshuffle(y, r), x)


BAD_INPUT = [
    (
        lambda: upsample.bed_of_nails(np.ones((1, 1, 2, 2)), 1.5),
        TypeError,
        ["bed_of_nails", "scale_factor", "integer", "1.5"],
    ),
    (
        lambda: upsample.bed_of_nails(np.ones((1, 1, 2, 2)), 0),
        ValueError,
        ["bed_of_nails", "scale_factor", ">= 1"],
    ),
    (
        lambda: upsample.bed_of_nails(np.ones((1, 1, 2, 2)), 2, offset=2),
        ValueError,
        ["bed_of_nails", "offset (2)", "scale_factor (2)"],
    ),
    (
        lambda: upsample.bed_of_nails(np.ones((1, 1, 2, 2)), 2, size=2),
        ValueError,
        ["bed_of_nails", "size", "(3, 3)"],
    ),
    (
        lambda: upsample.bed_of_nails(np.ones((2, 2)), 2),
        ValueError,
        ["bed_of_nails", "x", "(N, C, *spatial)"],
    ),
    (
        lambda: upsample.bed_of_nails(np.ones((1, 1, 2), dtype=complex), 2),
        TypeError,
        ["bed_of_nails", "x", "complex"],
    ),
    (
        lambda: upsample.pixel_shuffle(np.ones((1, 6, 2, 2)), 2),
        ValueError,
        ["pixel_shuffle", "channels (6)", "4"],
    ),
    (
        lambda: upsample.pixel_shuffle(np.ones((1, 4, 2, 2)), (2, 2, 2)),
        ValueError,
        ["pixel_shuffle", "upscale_factor"],
    ),
    (
        lambda: upsample.pixel_unshuffle(np.ones((1, 1, 3, 2)), 2),
        ValueError,
        ["pixel_unshuffle", "downscale_factor", "(3, 2)"],
    ),
    (lambda: upsample.subsample(np.ones((1, 1, 3)), 2, offset=1.0), TypeError, ["subsample", "offset"]),
]


@pytest.mark.parametrize("call, exception, fragments", BAD_INPUT)
def test_bad_input(call, exception, fragments):
    assert_refused(call, exception, fragments)


def test_size_limit():
    with upsample.size_limit(10_000):
        with pytest.raises(ValueError, match="bed_of_nails: the output of shape"):
            upsample.bed_of_nails(np.ones((1, 1, 10, 10)), 100)
