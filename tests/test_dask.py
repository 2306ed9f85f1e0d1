"""Every op on Dask arrays equals the in-memory op, whatever the chunking.

Gathers, copies and interpolation (every mode) must be identical, and so must conv and
conv_transpose on the compiled tiles (each output adds the same taps in the same order in
a block as in the whole array); on the NumPy path (UPSAMPLE_JIT=0) they may differ by
float rounding only, because BLAS picks another summation order for another matrix size.
Gradients add the blocks that share a halo cell, so they are compared within rounding.
Under CI dask, distributed and zarr must be installed.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import required
import upsample
from upsample import _jit

da = required.module("dask.array")
from upsample import dask as udask  # noqa: E402  (imports dask: after the check)

R = np.random.default_rng(0)
X = R.standard_normal((2, 3, 9, 11))
X3 = R.standard_normal((1, 2, 5, 6, 7))
XP = R.standard_normal((2, 8, 5, 3))
U8 = R.integers(0, 256, (2, 3, 9, 11), dtype=np.uint8)  # the integer paths of the conventions


# (id, op, data, extra positional args, kwargs, exact)
def _interpolate(name, x, exact=True, **kwargs):
    """A CASES row of upsample.interpolate with keyword arguments only."""
    return (name, upsample.interpolate, x, (), kwargs, exact)


CASES = [
    ("conv s2 p1", upsample.conv, X, (R.standard_normal((4, 3, 3, 3)),), dict(stride=2, padding=1), False),
    (
        "conv same d2",
        upsample.conv,
        X,
        (R.standard_normal((4, 3, 2, 3)),),
        dict(stride=(1, 2), padding="same", dilation=2),
        False,
    ),
    (
        "conv groups bias reflect",
        upsample.conv,
        X,
        (R.standard_normal((6, 1, 3, 3)), R.standard_normal(6)),
        dict(groups=3, padding=2, padding_mode="reflect"),
        False,
    ),
    (
        "conv circular",
        upsample.conv,
        X,
        (R.standard_normal((4, 3, 3, 3)),),
        dict(padding=1, padding_mode="circular"),
        False,
    ),
    ("conv 3d", upsample.conv, X3, (R.standard_normal((3, 2, 2, 3, 2)),), dict(stride=2, padding=1), False),
    (
        "conv_transpose k4 s2 p1 bias",
        upsample.conv_transpose,
        X,
        (R.standard_normal((3, 2, 4, 4)), R.standard_normal(2)),
        dict(stride=2, padding=1),
        False,
    ),
    (
        "conv_transpose k3 s2 op1",
        upsample.conv_transpose,
        X,
        (R.standard_normal((3, 2, 3, 3)),),
        dict(stride=2, padding=1, output_padding=1),
        False,
    ),
    (
        "conv_transpose uneven",
        upsample.conv_transpose,
        X,
        (R.standard_normal((3, 4, 3, 2)),),
        dict(stride=(3, 1), dilation=(1, 2), padding=((0, 2), (1, 0))),
        False,
    ),
    (
        "conv_transpose k1 s3 holes",
        upsample.conv_transpose,
        X,
        (R.standard_normal((3, 2, 1, 1)),),
        dict(stride=3, output_padding=2),
        False,
    ),
    (
        "conv_transpose groups same",
        upsample.conv_transpose,
        X,
        (R.standard_normal((3, 1, 4, 4)),),
        dict(stride=2, padding="same", groups=3),
        False,
    ),
    (
        "conv_transpose 3d",
        upsample.conv_transpose,
        X3,
        (R.standard_normal((2, 1, 4, 4, 4)),),
        dict(stride=2, padding=1),
        False,
    ),
    _interpolate("bilinear x2", X, scale_factor=2, mode="bilinear"),
    _interpolate("bicubic align", X, scale_factor=(1.7, 0.6), mode="bicubic", align_corners=True),
    _interpolate("antialias down", X, size=(4, 5), mode="bilinear", antialias=True),
    _interpolate("area", X, size=(4, 7), mode="area"),
    _interpolate("trilinear", X3, scale_factor=(2, 1.5, 0.5), mode="trilinear"),
    _interpolate("nearest-exact 2.5", X, scale_factor=2.5, mode="nearest-exact"),
    ("bilinear uint8 torch", upsample.bilinear, U8, (2,), {}, True),
    _interpolate("bicubic uint8 opencv", U8, size=(17, 23), mode="bicubic", convention="opencv"),
    _interpolate("lanczos4 uint8 opencv", U8, size=(17, 23), mode="lanczos4", convention="opencv"),
    _interpolate("linear-exact uint8 opencv", U8, size=(13, 9), mode="linear-exact", convention="opencv"),
    _interpolate("linear uint8 pillow", U8, size=(5, 20), mode="linear", convention="pillow"),
    _interpolate("lanczos3 tf2 down", X, size=(4, 6), mode="lanczos3", convention="tf2", antialias=True),
    _interpolate(
        "crop and resize",
        X,
        size=(7, 13),
        mode="linear",
        convention="onnx",
        coordinate_transformation_mode="tf_crop_and_resize",
        roi=[(0.2, 1.3), (-0.1, 0.8)],
        extrapolation_value=-3.0,
    ),
    ("nearest x3", upsample.nearest, X, (3,), {}, True),
    ("nearest ints", upsample.nearest, np.arange(2 * 3 * 9 * 11).reshape(2, 3, 9, 11), ((2, 3),), {}, True),
    ("bilinear align", upsample.bilinear, X, (2,), dict(align_corners=True), True),
    ("bed_of_nails", upsample.bed_of_nails, X, (2,), dict(offset=1), True),
    ("bed_of_nails size", upsample.bed_of_nails, X, ((3, 2),), dict(size=(30, 25), offset=(2, 0)), True),
    ("subsample", upsample.subsample, X, (2,), dict(offset=1), True),
    ("subsample 3x4", upsample.subsample, X, ((3, 4),), {}, True),
    ("max_pool k3 s2 p1", upsample.max_pool, X, (3,), dict(stride=2, padding=1, return_indices=True), True),
    (
        "max_pool dilated ceil",
        upsample.max_pool,
        X,
        (2,),
        dict(stride=1, dilation=2, ceil_mode=True, return_indices=True),
        True,
    ),
    ("max_pool ceil values", upsample.max_pool, X, (3,), dict(stride=2, ceil_mode=True, padding=1), True),
    ("max_pool 3d", upsample.max_pool, X3, (2,), dict(return_indices=True), True),
    ("pixel_shuffle", upsample.pixel_shuffle, XP, (2,), {}, True),
    ("pixel_unshuffle", upsample.pixel_unshuffle, R.standard_normal((2, 3, 6, 4)), (2,), {}, True),
]

CHUNKINGS = {
    "size 1": lambda shape: 1,
    "one chunk": lambda shape: shape,
    "smaller than the halo": lambda shape: (1, 2, *(2,) * (len(shape) - 2)),
    "uneven": lambda shape: tuple(_uneven(n) for n in shape),
}


def _uneven(n: int) -> tuple[int, ...]:
    sizes, left, step = [], n, 1
    while left:
        take = min(step, left)
        sizes.append(take)
        left -= take
        step = step % 3 + 2  # 1, 3, 2, 4, 2, 4, ...
    return tuple(sizes)


def _same(got, want, exact):
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, w.shape, g.dtype, w.dtype)
        if exact:
            np.testing.assert_array_equal(g, w)
        else:
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def _compute(y):
    return tuple(part.compute() for part in y) if isinstance(y, tuple) else y.compute()


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_op_equals_the_in_memory_op_for_every_chunking(case, chunking):
    _, op, x, args, kwargs, exact = case
    want = op(x, *args, **kwargs)
    y = op(da.from_array(x, chunks=CHUNKINGS[chunking](x.shape)), *args, **kwargs)
    assert all(isinstance(part, da.Array) for part in (y if isinstance(y, tuple) else (y,)))
    tiles = op in (upsample.conv, upsample.conv_transpose) and _jit.enabled()
    _same(_compute(y), want, exact or tiles)


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
def test_max_unpool_scatters_by_global_indices(chunking):
    values, indices = upsample.max_pool(X, 3, stride=2, padding=1, return_indices=True)
    want = upsample.max_unpool(values, indices, 3, stride=2, padding=1, output_size=(9, 11))
    chunks = CHUNKINGS[chunking](values.shape)
    y = upsample.max_unpool(
        da.from_array(values, chunks=chunks),
        da.from_array(indices, chunks=2),
        3,
        stride=2,
        padding=1,
        output_size=(9, 11),
    )
    _same(y.compute(), want, True)
    # the round trip through dask end to end: pool on blocks, unpool on blocks
    x = da.from_array(X, chunks=CHUNKINGS[chunking](X.shape))
    v, i = upsample.max_pool(x, 3, stride=2, padding=1, return_indices=True)
    _same(upsample.max_unpool(v, i, 3, stride=2, padding=1, output_size=(9, 11)).compute(), want, True)


def test_max_unpool_refuses_an_index_outside_its_window_at_compute_time():
    values, indices = upsample.max_pool(X, 2, return_indices=True)
    moved = indices.copy()
    moved[0, 0, 0, 0] = 11 * 6 + 7  # row 6, col 7: another window
    upsample.max_unpool(values, moved, 2, output_size=(9, 11))  # fine in memory
    y = upsample.max_unpool(
        da.from_array(values, chunks=2), da.from_array(moved, chunks=2), 2, output_size=(9, 11)
    )
    with pytest.raises(ValueError, match="its own pooling window"):
        y.compute()


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_property_conv_transpose_and_interpolation_do_not_depend_on_the_chunking(data):
    length = data.draw(st.integers(1, 13), label="length")
    cuts = data.draw(st.lists(st.integers(1, max(length - 1, 1)), max_size=4, unique=True), label="cuts")
    edges = [0, *sorted(c for c in cuts if c < length), length]
    chunks = tuple(b - a for a, b in zip(edges, edges[1:]))
    x = np.random.default_rng(length).standard_normal((1, 2, length))
    kind = data.draw(st.sampled_from(["conv_transpose", "conv", "interpolate", "max_pool"]), label="op")
    if kind in ("conv_transpose", "conv"):
        k = data.draw(st.integers(1, 5), label="k")
        s = data.draw(st.integers(1, 4), label="s")
        d = data.draw(st.integers(1, 2), label="d")
        w = np.random.default_rng(k).standard_normal((2, 3, k))
        if kind == "conv":
            p = data.draw(st.integers(0, 3), label="p")
            if length + 2 * p < d * (k - 1) + 1:
                return
            want = upsample.conv(x, w.transpose(1, 0, 2)[:, :2].copy(), stride=s, padding=p, dilation=d)
            got = upsample.conv(
                da.from_array(x, chunks=(1, 2, chunks)),
                w.transpose(1, 0, 2)[:, :2].copy(),
                stride=s,
                padding=p,
                dilation=d,
            )
        else:
            full = (length - 1) * s + d * (k - 1) + 1
            p = data.draw(st.integers(0, max((full - 1) // 2, 0)), label="p")
            a = data.draw(st.integers(0, max(s, d) - 1), label="output_padding")
            want = upsample.conv_transpose(x, w, stride=s, padding=p, dilation=d, output_padding=a)
            got = upsample.conv_transpose(
                da.from_array(x, chunks=(1, 2, chunks)), w, stride=s, padding=p, dilation=d, output_padding=a
            )
        _same(got.compute(), want, False)
    elif kind == "interpolate":
        mode = data.draw(
            st.sampled_from(["nearest", "nearest-exact", "linear", "cubic", "area"]), label="mode"
        )
        scale = data.draw(st.sampled_from([0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 4.3]), label="scale")
        if int(length * scale) < 1:
            return
        antialias = mode in ("linear", "cubic") and data.draw(st.booleans(), label="antialias")
        want = upsample.interpolate(x, scale_factor=scale, mode=mode, antialias=antialias)
        got = upsample.interpolate(
            da.from_array(x, chunks=(1, 2, chunks)), scale_factor=scale, mode=mode, antialias=antialias
        )
        _same(got.compute(), want, True)
    else:
        k = data.draw(st.integers(1, 4), label="k")
        s = data.draw(st.integers(1, 3), label="s")
        p = data.draw(st.integers(0, k // 2), label="p")
        ceil = data.draw(st.booleans(), label="ceil_mode")
        if length + 2 * p < k:
            return
        xi = np.random.default_rng(1).integers(0, 4, x.shape)  # many ties
        want = upsample.max_pool(xi, k, stride=s, padding=p, ceil_mode=ceil, return_indices=True)
        got = upsample.max_pool(
            da.from_array(xi, chunks=(1, 2, chunks)),
            k,
            stride=s,
            padding=p,
            ceil_mode=ceil,
            return_indices=True,
        )
        _same(_compute(got), want, True)


def test_output_chunks_are_aligned_to_the_period():
    x = da.from_array(X, chunks=(1, 3, 3, 4))
    y = upsample.conv_transpose(x, np.ones((3, 1, 4, 4)), stride=2, padding=1)
    assert all(c % 2 == 0 for axis in y.chunks[2:] for c in axis[:-1])
    assert y.chunks[1] == (1,)  # the channel axis is one block
    assert upsample.nearest(x, 3).chunks[2] == (9, 9, 9)
    assert upsample.pixel_shuffle(da.from_array(XP, chunks=(1, 4, 2, 2)), 2).chunks[2] == (4, 4, 2)


def test_nothing_runs_until_compute():
    calls = []

    def source(block):
        calls.append(block.shape)
        return block

    x = da.from_array(X, chunks=2).map_blocks(source, meta=np.empty((0,) * 4))
    y = upsample.bilinear(upsample.conv_transpose(x, np.ones((3, 2, 4, 4)), stride=2, padding=1), 2)
    _, pullback = upsample.vjp(upsample.conv, x, np.ones((1, 3, 3, 3)))
    pullback(da.ones((2, 1, 7, 9)))
    assert calls == [] and isinstance(y, da.Array)
    y.compute()
    assert calls


@pytest.mark.parametrize(
    "op, args, kwargs, message",
    [
        (upsample.conv, (np.ones((1, 4, 3, 3)),), {}, "x has 3 channels but weight"),
        (
            upsample.conv_transpose,
            (np.ones((3, 1, 2, 2)),),
            dict(stride=2, output_padding=2),
            "output_padding \\(2\\) must be smaller than stride \\(2\\)",
        ),
        (upsample.bilinear, (0.01,), {}, "gives an empty output"),
        (upsample.interpolate, (), dict(scale_factor=2, mode="nearest", align_corners=True), "align_corners"),
        (upsample.max_pool, (3,), dict(padding=2), "padding \\(2\\) must be at most half"),
        (upsample.pixel_shuffle, (2,), {}, "divisible by upscale_factor"),
        (upsample.bed_of_nails, (2,), dict(offset=2), "offset \\(2\\) must be smaller"),
    ],
)
def test_bad_arguments_fail_at_call_time_with_the_in_memory_message(op, args, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message) as in_memory:
        op(X, *args, **kwargs)
    with pytest.raises(type(in_memory.value), match=message) as lazy:
        op(da.from_array(X, chunks=4), *args, **kwargs)
    assert str(lazy.value) == str(in_memory.value)  # the real shape, not the stand-in's


def test_unknown_chunk_sizes_are_refused_before_any_task():
    x = da.from_array(X, chunks=2)
    unknown = x[x[:, 0, 0, 0] > -10]  # a boolean mask: NaN chunks along N
    assert np.isnan(unknown.shape[0])
    with pytest.raises(ValueError, match="unknown chunk sizes \\(NaN\\).*compute_chunk_sizes"):
        upsample.nearest(unknown, 2)


def test_absurd_outputs_are_refused_at_call_time():
    x = da.zeros((1, 1, 100_000, 100_000), dtype=np.float32, chunks=(1, 1, 10_000, 10_000))
    with pytest.raises(ValueError, match="over the limit of .* for Dask arrays"):
        upsample.nearest(x, 10_000)
    with udask.total_limit(1 << 60), upsample.size_limit(1 << 20):
        with pytest.raises(ValueError, match="one output block .* over the size limit"):
            upsample.nearest(x, 2)
    assert upsample.nearest(x, 2).shape == (1, 1, 200_000, 200_000)  # fine: lazy, 160 GB


@pytest.mark.parametrize(
    "name, op, x, args, kwargs",
    [
        (
            "conv",
            upsample.conv,
            X,
            (R.standard_normal((4, 3, 3, 3)), R.standard_normal(4)),
            dict(stride=2, padding=1),
        ),
        (
            "conv_transpose",
            upsample.conv_transpose,
            X,
            (R.standard_normal((3, 2, 4, 4)), R.standard_normal(2)),
            dict(stride=2, padding=1, output_padding=1),
        ),
        ("bilinear", upsample.interpolate, X, (), dict(scale_factor=(2, 1.5), mode="bilinear")),
        ("area", upsample.interpolate, X, (), dict(size=(4, 5), mode="area")),
        ("nearest", upsample.nearest, X, (3,), {}),
        ("bed_of_nails", upsample.bed_of_nails, X, (2,), dict(offset=1, size=(19, 23))),
        ("subsample", upsample.subsample, X, (2,), {}),
        ("max_pool", upsample.max_pool, X, (3,), dict(stride=2, padding=1)),
        ("pixel_shuffle", upsample.pixel_shuffle, XP, (2,), {}),
        ("pixel_unshuffle", upsample.pixel_unshuffle, R.standard_normal((2, 3, 6, 4)), (2,), {}),
    ],
)
@pytest.mark.parametrize("chunking", ["size 1", "uneven"])
def test_lazy_pullback_equals_the_in_memory_pullback(name, op, x, args, kwargs, chunking):
    y, pullback = upsample.vjp(op, x, *args, **kwargs)
    g = np.random.default_rng(1).standard_normal(y.shape)
    want = pullback(g)
    yd, lazy = upsample.vjp(op, da.from_array(x, chunks=CHUNKINGS[chunking](x.shape)), *args, **kwargs)
    got = lazy(da.from_array(g, chunks=3))
    assert len(got) == len(want) and all(isinstance(a, da.Array) for a in got)
    np.testing.assert_allclose(yd.compute(), y, rtol=1e-12, atol=1e-12)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.compute(), b, rtol=1e-12, atol=1e-12)


def test_lazy_pullback_of_max_unpool():
    values, indices = upsample.max_pool(X, 2, stride=1, return_indices=True)  # overlapping windows
    y, pullback = upsample.vjp(upsample.max_unpool, values, indices, 2, stride=1)
    g = np.random.default_rng(2).standard_normal(y.shape)
    _, lazy = upsample.vjp(
        upsample.max_unpool, da.from_array(values, chunks=3), da.from_array(indices, chunks=3), 2, stride=1
    )
    np.testing.assert_array_equal(lazy(g)[0].compute(), pullback(g)[0])


def test_zarr_round_trip_is_complete_and_exact(tmp_path):
    source = tmp_path / "in.zarr"
    da.from_array(X.astype(np.float32), chunks=(1, 3, 4, 4)).to_zarr(str(source))
    x = udask.from_zarr(source)
    target = udask.to_zarr(upsample.nearest(x, 2), tmp_path / "out.zarr")
    assert udask.is_complete(target) and not udask.is_complete(tmp_path / "missing.zarr")
    np.testing.assert_array_equal(da.from_zarr(target).compute(), upsample.nearest(X.astype(np.float32), 2))
    with pytest.raises(ValueError, match="exists"):
        udask.to_zarr(upsample.nearest(x, 2), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.zarr", "out.zarr"]  # no leftovers


def test_a_failed_write_leaves_no_store(tmp_path):
    def boom(block):
        raise RuntimeError("a worker's disk filled up")

    y = upsample.nearest(da.from_array(X, chunks=4), 2).map_blocks(boom, dtype=X.dtype)
    with pytest.raises(RuntimeError, match="disk filled up"):
        udask.to_zarr(y, tmp_path / "out.zarr")
    assert list(tmp_path.iterdir()) == []


def test_graphs_of_different_weights_do_not_collide():
    x = da.from_array(X, chunks=4)
    w1, w2 = np.ones((2, 3, 3, 3)), np.full((2, 3, 3, 3), 2.0)
    y1, p1 = upsample.vjp(upsample.conv, x, w1)
    y2, p2 = upsample.vjp(upsample.conv, x, w2)
    g = da.ones(y1.shape, chunks=3)
    a, b = da.compute(p1(g)[0], p2(g)[0])  # one graph holding both
    np.testing.assert_allclose(b, 2 * a)
    c, d = da.compute(y1, y2)
    np.testing.assert_allclose(d, 2 * c)


def test_conv_gradient_with_a_padding_mode_on_dask_is_refused_by_name():
    da = required.module("dask.array")
    x = da.from_array(np.ones((1, 1, 6, 6)), chunks=(1, 1, 3, 3))
    _, pullback = upsample.vjp(upsample.conv, x, np.ones((1, 1, 3, 3)), padding=1, padding_mode="reflect")
    with pytest.raises(ValueError, match="conv: the gradient on Dask arrays needs padding_mode='zeros'"):
        pullback(np.ones((1, 1, 6, 6)))


# OpenCV's integer rules decide from the whole image: the 2x2 shrink's rule from its channel
# count, the vertical vector loop's lanes from its whole output row. A block must see both.
OPENCV_MODES = ("linear", "linear-exact", "cubic", "area", "lanczos4")
OPENCV_DTYPES = (np.uint8, np.uint16, np.int16)


def _opencv_image(dtype, h, w, c):
    info = np.iinfo(dtype)
    return R.integers(info.min, int(info.max) + 1, (1, h, w, c)).astype(dtype)


def _opencv_same(x, chunks, scale):
    for mode in OPENCV_MODES:
        kwargs = dict(mode=mode, scale_factor=scale, convention="opencv", data_format="channels_last")
        want = upsample.interpolate(x, **kwargs)
        got = upsample.interpolate(da.from_array(x, chunks=chunks), **kwargs).compute(scheduler="sync")
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want, err_msg=f"{mode} {x.dtype} {x.shape} {chunks} {scale}")


@pytest.mark.parametrize("dtype", OPENCV_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_opencv_rules_see_the_whole_channel_count_when_channels_are_chunked(dtype, channels):
    x = _opencv_image(dtype, 10, 14, channels)
    for scale in ((0.5, 0.5), (0.25, 1 / 3)):
        _opencv_same(x, (1, 10, 14, 1), scale)


@pytest.mark.parametrize("dtype", OPENCV_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_opencv_vector_lanes_split_where_the_whole_row_splits(dtype, channels):
    sizes = (
        ((15, 17), (0.25, 1 / 3)),
        ((16, 31), (0.25, 1 / 3)),
        ((12, 31), (0.5, 0.5)),
        ((9, 33), (0.8, 1.3)),
    )
    for (h, w), scale in sizes:
        x = _opencv_image(dtype, h, w, channels)
        for size in (3, 7):
            _opencv_same(x, (1, size, size, channels), scale)
