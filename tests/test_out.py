"""out=: the ops that take a caller's buffer write the same result into it, return it,
overwrite whatever it held, and refuse a buffer of the wrong kind, on both paths."""

import numpy as np
import pytest

import upsample
from expect import assert_refused
from upsample import _jit


def _pooled(rng):
    x = rng.standard_normal((2, 3, 6, 8)).astype(np.float32)
    values, indices = upsample.max_pool(x, 2, return_indices=True)
    return values, indices


CALLS = {
    "pixel_shuffle": (
        lambda rng: (rng.standard_normal((2, 8, 3, 5)).astype(np.float32),),
        lambda x, **kw: upsample.pixel_shuffle(x, 2, **kw),
    ),
    "pixel_unshuffle": (
        lambda rng: (rng.standard_normal((2, 2, 6, 4, 2)),),
        lambda x, **kw: upsample.pixel_unshuffle(x, 2, **kw),
    ),
    "bed_of_nails": (
        lambda rng: (rng.standard_normal((2, 3, 4, 5)).astype(np.float32),),
        lambda x, **kw: upsample.bed_of_nails(x, (2, 3), offset=(1, 0), **kw),
    ),
    "max_unpool": (_pooled, lambda x, i, **kw: upsample.max_unpool(x, i, 2, **kw)),
    "interpolate": (
        lambda rng: (rng.standard_normal((2, 3, 5, 7)).astype(np.float32),),
        lambda x, **kw: upsample.interpolate(x, scale_factor=2, mode="bicubic", **kw),
    ),
    "nearest": (
        lambda rng: (np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5),),
        lambda x, **kw: upsample.nearest(x, (2, 3), **kw),
    ),
    "bilinear": (
        lambda rng: (rng.standard_normal((1, 2, 3, 4, 5)),),
        lambda x, **kw: upsample.bilinear(x, 2, align_corners=True, **kw),
    ),
}


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("name", CALLS)
def test_out_receives_the_same_result(name, compiled, rng, monkeypatch):
    if not compiled:
        monkeypatch.setattr(_jit, "enabled", lambda: False)
    make, call = CALLS[name]
    inputs = make(rng)
    expected = call(*inputs)
    stale = np.nan if expected.dtype.kind == "f" else -1
    out = np.full(expected.shape, stale, dtype=expected.dtype)  # stale contents to overwrite
    assert call(*inputs, out=out) is out
    np.testing.assert_array_equal(out, expected)
    assert call(*inputs, out=out) is out  # reused: the same again
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("name", CALLS)
def test_bad_out_is_refused(name, rng):
    make, call = CALLS[name]
    inputs = make(rng)
    y = call(*inputs)
    assert_refused(lambda: call(*inputs, out=y.tolist()), TypeError, [name, "out", "numpy.ndarray"])
    assert_refused(
        lambda: call(*inputs, out=np.empty(y.shape[:-1] + (y.shape[-1] + 1,), y.dtype)),
        ValueError,
        [name, "out", str(y.shape)],
    )
    other = np.float64 if y.dtype == np.float32 else np.float32
    assert_refused(
        lambda: call(*inputs, out=np.empty(y.shape, other)), ValueError, [name, "dtype", str(y.dtype)]
    )
    strided = np.empty((*y.shape[:-1], 2 * y.shape[-1]), y.dtype)[..., ::2]
    assert_refused(lambda: call(*inputs, out=strided), ValueError, [name, "C-contiguous"])
    frozen = np.empty_like(y)
    frozen.flags.writeable = False
    assert_refused(lambda: call(*inputs, out=frozen), ValueError, [name, "writeable"])


def test_out_may_not_alias_the_input(rng):
    x = rng.standard_normal((1, 4, 2, 2))
    assert_refused(
        lambda: upsample.pixel_unshuffle(x, 1, out=x), ValueError, ["pixel_unshuffle", "share memory"]
    )


# ----------------------------------------------------------------- out= with the other seams


@pytest.mark.parametrize(
    "op, x, args, kwargs",
    [
        (
            upsample.pixel_shuffle,
            np.arange(2 * 8 * 3 * 5.0).reshape(2, 3, 5, 8),
            (2,),
            dict(data_format="channels_last"),
        ),
        (
            upsample.bed_of_nails,
            np.arange(2 * 3 * 4 * 5.0).reshape(2, 4, 5, 3),
            (2,),
            dict(data_format="channels_last"),
        ),
        (upsample.pixel_unshuffle, np.arange(2 * 3 * 4 * 6.0).reshape(2, 3, 4, 6), (2,), dict(order="dcr")),
        (
            upsample.pixel_unshuffle,
            np.arange(2 * 3 * 4 * 6.0).reshape(2, 4, 6, 3),
            (2,),
            dict(order="dcr", data_format="channels_last"),
        ),
        (
            upsample.bilinear,
            np.arange(2 * 3 * 4 * 6.0).reshape(2, 4, 6, 3),
            (2,),
            dict(data_format="channels_last"),
        ),
    ],
)
def test_out_receives_the_rearranged_result(op, x, args, kwargs):
    """channels_last and the DCR order rearrange the op's result: out= still gets it."""
    want = op(x, *args, **kwargs)
    buffer = np.full_like(want, -1.0)
    got = op(x, *args, out=buffer, **kwargs)
    assert got is buffer
    np.testing.assert_array_equal(buffer, want)
    with pytest.raises(ValueError, match="out must have shape"):
        op(x, *args, out=np.empty(want.shape[::-1]), **kwargs)


def test_out_is_refused_for_dask_arrays():
    import dask.array as da  # the test extra has dask

    x = da.zeros((1, 4, 2, 2), chunks=1)
    with pytest.raises(TypeError, match="pixel_shuffle: out must be None for a Dask array"):
        upsample.pixel_shuffle(x, 2, out=np.empty((1, 1, 4, 4)))


def test_out_of_a_uint8_convention_gets_the_framework_integers(rng):
    # the integer rules compute their own result; out= receives it, in the result's dtype
    x = rng.integers(0, 256, (1, 2, 5, 6), dtype=np.uint8)
    want = upsample.bilinear(x, 2, convention="pillow")
    out = np.zeros_like(want)
    assert upsample.bilinear(x, 2, convention="pillow", out=out) is out
    np.testing.assert_array_equal(out, want)
    with pytest.raises(ValueError, match="bilinear: out must have shape .* and dtype uint8"):
        upsample.bilinear(x, 2, convention="pillow", out=np.zeros(want.shape, np.float32))
