"""max_pool and max_unpool: the article's example, PyTorch parity, the loop reference, bad input."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import oracle
import reference
import required
import upsample
from expect import assert_refused
from upsample import ops, shapes

torch = oracle.torch
F = torch.nn.functional


def _torch_unpool(nd, **kw):
    fn = getattr(F, f"max_unpool{nd}d")
    return lambda xt, it: fn(xt, it, **kw)


# --------------------------------------------------------------------------- the article

ARTICLE_X = np.array([[1, 2, 4, 1], [3, 4, 2, 3], [1, 4, 1, 2], [2, 3, 4, 3]]).reshape(1, 1, 4, 4)


def test_article_max_pool_example():
    values, indices = upsample.max_pool(ARTICLE_X, 2, return_indices=True)
    np.testing.assert_array_equal(values[0, 0], [[4, 4], [4, 4]])
    np.testing.assert_array_equal(indices[0, 0], [[5, 2], [9, 14]])  # (1,1) (0,2) (2,1) (3,2)
    assert values.dtype == ARTICLE_X.dtype and indices.dtype == np.int64


def test_article_max_unpool_example():
    _, indices = upsample.max_pool(ARTICLE_X, 2, return_indices=True)
    y = upsample.max_unpool(np.array([[1, 2], [3, 4]]).reshape(1, 1, 2, 2), indices, 2)
    np.testing.assert_array_equal(y[0, 0], [[0, 0, 2, 0], [0, 1, 0, 0], [0, 3, 0, 0], [0, 0, 4, 0]])


def test_article_example_matches_torch():
    t_values, t_indices = F.max_pool2d(torch.tensor(ARTICLE_X), 2, return_indices=True)
    values, indices = upsample.max_pool(ARTICLE_X, 2, return_indices=True)
    np.testing.assert_array_equal(values, t_values.numpy())
    np.testing.assert_array_equal(indices, t_indices.numpy())
    t_up = F.max_unpool2d(torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]]), t_indices, 2)
    np.testing.assert_array_equal(
        upsample.max_unpool(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), indices, 2), t_up.numpy()
    )


# --------------------------------------------------------------------------- torch parity: max_pool

POOL_GRID = [
    # nd, size, kernel, stride, padding, dilation, ceil_mode
    (1, 8, 2, None, 0, 1, False),
    (1, 7, 3, 2, 1, 1, False),
    (1, 7, 3, 2, 1, 1, True),
    (1, 9, 3, 1, 1, 3, False),
    (1, 6, 4, 3, 2, 2, True),
    (1, 1, 1, 1, 0, 1, False),  # size-1 axis, kernel 1
    (1, 2, 4, 1, 2, 1, False),  # kernel larger than the input, padding makes room
    (1, 2, 3, 2, 0, 1, True),  # kernel larger than the input, ceil_mode makes room
    (1, 10, 2, 3, 0, 1, False),  # stride larger than the kernel: skipped inputs
    (2, (6, 5), (3, 2), (2, 1), (1, 0), (1, 2), False),
    (2, (6, 5), (3, 2), (2, 1), (1, 0), (1, 2), True),
    (2, 5, 3, 1, 1, 1, False),  # overlapping windows: an input can win twice
    (2, (1, 7), (1, 3), (1, 2), (0, 1), 1, True),  # size-1 axis
    (2, 3, 5, 2, 2, 1, False),  # kernel larger than the input, with padding
    (2, (7, 6), 2, 3, 1, 2, True),
    (3, 4, 2, None, 0, 1, False),
    (3, (5, 4, 6), (3, 2, 3), (2, 1, 2), (1, 1, 0), (1, 2, 1), True),
    (3, (3, 1, 4), (3, 1, 2), 1, (1, 0, 1), 1, False),
]


def _pool_case(case, rng, dtype=np.float64, n=2, c=3):
    nd, size, kernel, stride, padding, dilation, ceil_mode = case
    size = size if isinstance(size, tuple) else (size,) * nd
    x = rng.standard_normal((n, c, *size)).astype(dtype)
    return x, kernel, dict(stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)


def _check_pool(x, kernel, kw, theirs, **tol):
    """``oracle.check`` for max_pool: values, indices (with return_indices) and gradients."""
    return oracle.check(upsample.max_pool, theirs, [x], dict(kw, kernel_size=kernel), **tol)


@pytest.mark.parametrize("case", POOL_GRID)
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-6)])
@pytest.mark.parametrize("return_indices", [True, False])
def test_max_pool_matches_torch(case, dtype, tol, return_indices, rng):
    x, kernel, kw = _pool_case(case, rng, dtype)
    kw = dict(kw, return_indices=return_indices)
    fn = getattr(F, f"max_pool{case[0]}d")
    values = _check_pool(x, kernel, kw, lambda xt: fn(xt, kernel, **kw), rtol=tol, atol=tol)
    assert values.dtype == dtype
    expected = shapes.pool_output_size(
        x.shape[2:], kernel, kw["stride"], kw["padding"], kw["dilation"], kw["ceil_mode"]
    )
    assert values.shape == (*x.shape[:2], *(expected if isinstance(expected, tuple) else (expected,)))


@pytest.mark.parametrize("case", POOL_GRID[::3])
def test_max_pool_tied_floats_match_torch(case, rng):
    # few distinct values: many ties, each must go to the first maximum, gradient included
    x, kernel, kw = _pool_case(case, rng)
    x = np.round(x)
    fn = getattr(F, f"max_pool{case[0]}d")
    _check_pool(
        x, kernel, dict(kw, return_indices=True), lambda xt: fn(xt, kernel, return_indices=True, **kw)
    )


@pytest.mark.parametrize("case", POOL_GRID)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8])
def test_max_pool_integers_match_torch(case, dtype, rng):
    x, kernel, kw = _pool_case(case, rng)
    info = np.iinfo(dtype)
    x = rng.integers(info.min, int(info.max) + 1, size=x.shape, dtype=dtype)
    x.reshape(-1)[::3] = info.min  # the dtype's minimum must still beat the padding
    fn = getattr(F, f"max_pool{case[0]}d")
    values = oracle.check(
        upsample.max_pool,
        lambda xt: fn(xt, kernel, return_indices=True, **kw),
        [x],
        dict(kw, kernel_size=kernel, return_indices=True),
        grad=False,
    )
    assert values.dtype == dtype


def test_max_pool_empty_batch(rng):
    x, kernel, kw = _pool_case(POOL_GRID[9], rng, n=0)
    values = _check_pool(
        x,
        kernel,
        dict(kw, return_indices=True),
        lambda xt: F.max_pool2d(xt, kernel, return_indices=True, **kw),
    )
    assert values.shape[:2] == (0, 3)


# --------------------------------------------------------------------------- ties, NaN, infinities

SPECIAL_1D = [
    [2.0, 2.0, 1.0, 2.0],  # ties: the first maximum
    [1.0, np.nan, 3.0, 0.0],  # NaN beats every number
    [np.nan, 5.0, np.nan, np.nan],  # several NaNs: the last one wins
    [np.nan, np.inf, -np.inf, np.nan],
    [-np.inf, -np.inf, -np.inf, 1.0],  # all -inf: the first in-bounds position
    [np.inf, np.inf, 0.0, np.inf],
]


@pytest.mark.parametrize("row", SPECIAL_1D)
@pytest.mark.parametrize(
    "kw",
    [
        dict(kernel_size=2),
        dict(kernel_size=3, stride=1, padding=1),
        dict(kernel_size=4, stride=1, padding=2),
        dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True),
    ],
)
def test_max_pool_special_values_match_torch(row, kw):
    x = np.array(row).reshape(1, 1, -1)
    oracle.check(
        upsample.max_pool,
        lambda xt: F.max_pool1d(xt, return_indices=True, **kw),
        [x],
        dict(kw, return_indices=True),
    )


def test_max_pool_special_values_2d_and_3d_match_torch(rng):
    for nd in (2, 3):
        x = rng.integers(-2, 3, size=(2, 2, *(5,) * nd)).astype(np.float64)
        x[rng.random(x.shape) < 0.15] = np.nan
        x[rng.random(x.shape) < 0.15] = -np.inf
        x[0, 0] = -np.inf  # a whole plane of -inf
        x[1, 1] = np.nan  # a whole plane of NaN: the last NaN wins
        fn = getattr(F, f"max_pool{nd}d")
        for kw in (
            dict(stride=1, padding=1),
            dict(stride=2, padding=1, ceil_mode=True),
            dict(stride=1, dilation=2),
        ):
            _check_pool(
                x, 3, dict(kw, return_indices=True), lambda xt, kw=kw: fn(xt, 3, return_indices=True, **kw)
            )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kernel, stride", [(2, 2), (3, 2), (2, 1), ((2, 3), (1, 3))])
def test_max_pool_plain_2d_windows_with_special_values_match_torch(kernel, stride, dtype, rng):
    # windows wholly inside the input take the unrolled compiled loops (2x2/s2 its own)
    x = rng.integers(-2, 3, size=(2, 3, 8, 9)).astype(dtype)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[rng.random(x.shape) < 0.1] = -np.inf
    x[rng.random(x.shape) < 0.1] = -0.0
    x[0, 0] = -np.inf
    x[1, 1] = np.nan
    kw = dict(stride=stride, return_indices=True)
    values, indices = upsample.max_pool(x, kernel, **kw)
    t_values, t_indices = F.max_pool2d(torch.tensor(x), kernel, **kw)
    np.testing.assert_array_equal(values, t_values.numpy())
    np.testing.assert_array_equal(indices, t_indices.numpy())
    np.testing.assert_array_equal(np.signbit(values), torch.signbit(t_values).numpy())


def test_max_pool_signed_zero_follows_the_first_maximum():
    x = np.array([-0.0, 0.0, 0.0, -0.0, -0.0, -0.0]).reshape(1, 1, 6)
    values = upsample.max_pool(x, 2)
    t_values = F.max_pool1d(torch.tensor(x), 2)
    np.testing.assert_array_equal(np.signbit(values), torch.signbit(t_values).numpy())
    np.testing.assert_array_equal(np.signbit(values[0, 0]), [True, False, True])


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int64])
def test_max_pool_padding_never_wins_at_the_dtype_minimum(dtype):
    low = np.iinfo(dtype).min
    x = np.full((1, 1, 3, 3), low, dtype=dtype)
    values, indices = upsample.max_pool(x, 2, stride=1, padding=1, return_indices=True)
    t_values, t_indices = F.max_pool2d(torch.tensor(x), 2, stride=1, padding=1, return_indices=True)
    np.testing.assert_array_equal(values, t_values.numpy())
    np.testing.assert_array_equal(indices, t_indices.numpy())
    assert (values == low).all()
    first = np.array([0, 0, 1, 2])  # window o covers rows o-1 and o: its first real one
    np.testing.assert_array_equal(indices[0, 0], 3 * first[:, None] + first[None, :])


def test_max_pool_window_of_only_padding_is_refused():
    # torch answers -inf with the out-of-range index 1 here; we refuse the configuration
    x = np.arange(1.0, 2.0).reshape(1, 1, 1)
    t_values, t_indices = F.max_pool1d(torch.tensor(x), 2, padding=1, dilation=2, return_indices=True)
    assert t_values.item() == -np.inf and t_indices.item() >= x.shape[-1]
    with pytest.raises(ValueError, match="max_pool: with dilation .* only padding"):
        upsample.max_pool(x, 2, padding=1, dilation=2)


# --------------------------------------------------------------------------- torch parity: max_unpool

UNPOOL_GRID = [
    # nd, size (pooled), kernel, stride, padding, output_size
    (1, 4, 2, None, 0, None),
    (1, 4, 3, 2, 1, None),
    (1, 4, 3, 2, 1, (8,)),
    (1, 3, 2, 3, 0, (9,)),
    (2, (3, 2), (2, 3), (2, 2), (0, 1), None),
    (2, (3, 2), (2, 3), (2, 2), (0, 1), (7, 4)),
    (2, 2, 2, None, 0, (1, 1, 5, 4)),  # the full (N, C, *spatial) form
    (3, 2, 2, None, 0, None),
    (3, (2, 3, 1), (3, 2, 2), (2, 2, 1), (1, 0, 0), (4, 7, 2)),
]


def _unpool_case(case, rng, dtype=np.float64, n=1, c=1):
    """x, and indices that never repeat within a plane (torch's backward differs on repeats)."""
    nd, size, kernel, stride, padding, output_size = case
    size = size if isinstance(size, tuple) else (size,) * nd
    out = (
        shapes.unpool_output_size(size, kernel, stride, padding)
        if output_size is None
        else tuple(output_size)[-nd:]
    )
    order = np.argsort(rng.random((n, c, math.prod(out))), axis=-1)  # a shuffle per plane
    indices = order[..., : math.prod(size)].reshape(n, c, *size)
    x = rng.standard_normal(indices.shape).astype(dtype)
    return x, indices, kernel, dict(stride=stride, padding=padding, output_size=output_size)


@pytest.mark.parametrize("case", UNPOOL_GRID)
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-6)])
def test_max_unpool_matches_torch(case, dtype, tol, rng):
    x, indices, kernel, kw = _unpool_case(case, rng, dtype, n=2, c=2)
    if kw["output_size"] is not None and len(kw["output_size"]) == case[0] + 2:
        kw["output_size"] = (2, 2, *kw["output_size"][2:])
    ours = dict(kw, kernel_size=kernel)
    y = oracle.check(
        upsample.max_unpool,
        _torch_unpool(case[0], kernel_size=kernel, **kw),
        [x, indices],
        ours,
        rtol=tol,
        atol=tol,
    )
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, reference.max_unpool(x, indices, kernel, **kw))


def test_max_unpool_duplicates_keep_the_last_value_like_torch():
    x = np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 1, 4)
    indices = np.array([1, 1, 3, 1]).reshape(1, 1, 4)
    y, pullback = upsample.vjp(upsample.max_unpool, x, indices, 2, stride=1)
    t_x = torch.tensor(x, requires_grad=True)
    t_y = F.max_unpool1d(t_x, torch.tensor(indices), 2, stride=1)
    np.testing.assert_array_equal(y, t_y.detach().numpy())
    np.testing.assert_array_equal(y[0, 0], [0, 4, 0, 3, 0])  # (4 - 1)*1 + 2 = 5 positions
    g = np.array([10.0, 20.0, 30.0, 40.0, 50.0]).reshape(1, 1, 5)
    (gx,) = pullback(g)
    # the exact derivative: only the kept value (the last one at index 1) sees the gradient
    np.testing.assert_array_equal(gx[0, 0], [0, 0, 40, 20])
    # torch's backward gathers for every position, losers included: documented difference
    t_y.backward(torch.tensor(g))
    np.testing.assert_array_equal(t_x.grad.numpy()[0, 0], [20, 20, 40, 20])


def test_max_unpool_duplicates_2d_match_torch_values(rng):
    # overlapping pooling windows hand the same index to neighbours
    source = np.round(rng.standard_normal((2, 3, 6, 6)))
    _, indices = F.max_pool2d(torch.tensor(source), 3, stride=1, padding=1, return_indices=True)
    indices = indices.numpy()
    x = rng.standard_normal(indices.shape)
    kw = dict(stride=1, padding=1)
    y = upsample.max_unpool(x, indices, 3, **kw)
    np.testing.assert_array_equal(y, F.max_unpool2d(torch.tensor(x), torch.tensor(indices), 3, **kw).numpy())
    np.testing.assert_array_equal(y, reference.max_unpool(x, indices, 3, **kw))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_max_unpool_keeps_integer_dtypes(dtype, rng):
    x, indices, kernel, kw = _unpool_case(UNPOOL_GRID[5], rng)
    x = rng.integers(1, 100, size=x.shape).astype(dtype)
    y = upsample.max_unpool(x, indices.astype(np.int32), kernel, **kw)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, reference.max_unpool(x, indices, kernel, **kw))


def test_max_unpool_empty_batch(rng):
    x, indices, kernel, kw = _unpool_case(UNPOOL_GRID[4], rng)
    y = upsample.max_unpool(x[:0], indices[:0], kernel, **kw)
    assert y.shape == (0, 1, *shapes.unpool_output_size((3, 2), (2, 3), (2, 2), (0, 1)))


# --------------------------------------------------------------------------- invariants

INVARIANT_CASES = [
    # size, kernel, stride, padding: windows that never overlap (kernel <= stride)
    ((8,), 2, None, 0),
    ((9,), 3, 3, 1),
    ((6, 8), (2, 4), None, 0),
    ((7, 5), 2, 3, 1),
    ((4, 6, 2), 2, None, 0),
]


@pytest.mark.parametrize("size, kernel, stride, padding", INVARIANT_CASES)
def test_max_pool_undoes_max_unpool(size, kernel, stride, padding, rng):
    x = (rng.permutation(2 * 3 * math.prod(size)) + 1.0).reshape(2, 3, *size)
    kw = dict(stride=stride, padding=padding)
    pooled, indices = upsample.max_pool(x, kernel, return_indices=True, **kw)
    y = upsample.max_unpool(pooled, indices, kernel, output_size=size, **kw)
    again, again_indices = upsample.max_pool(y, kernel, return_indices=True, **kw)
    np.testing.assert_array_equal(again, pooled)
    np.testing.assert_array_equal(again_indices, indices)
    assert y.sum() == pooled.sum()


@pytest.mark.parametrize("size, stride", [((5,), 2), ((3, 4), (2, 3)), ((2, 3, 2), (3, 1, 2))])
def test_max_unpool_at_window_corners_places_values_at_stride_positions(size, stride):
    x = np.arange(1.0, 1.0 + 2 * math.prod(size)).reshape(1, 2, *size)
    stride = stride if isinstance(stride, tuple) else (stride,) * len(size)
    out = tuple(i * s for i, s in zip(size, stride))
    corners = [np.arange(i) * s for i, s in zip(size, stride)]  # top-left of each window
    flat = np.ravel_multi_index(np.meshgrid(*corners, indexing="ij"), out)
    indices = np.broadcast_to(flat, x.shape)
    y = upsample.max_unpool(x, indices, stride, output_size=out)
    expected = np.zeros((1, 2, *out))
    expected[(..., *(slice(None, None, s) for s in stride))] = x
    np.testing.assert_array_equal(y, expected)


def test_max_unpool_is_linear_and_its_vjp_is_its_adjoint(rng):
    # duplicates included: <unpool(x), y> == <x, pullback(y)> for the last-wins rule
    x = rng.standard_normal((2, 3, 4, 5))
    indices = rng.integers(0, 9 * 11, size=x.shape)  # 20 values into 99 places: repeats likely
    assert any(len(np.unique(plane)) < plane.size for plane in indices.reshape(6, -1))
    y, pullback = upsample.vjp(upsample.max_unpool, x, indices, 2, output_size=(9, 11))
    g = rng.standard_normal(y.shape)
    np.testing.assert_allclose(np.vdot(y, g), np.vdot(x, pullback(g)[0]), rtol=1e-12)
    y2 = upsample.max_unpool(2.0 * x + 1.0, indices, 2, output_size=(9, 11))
    np.testing.assert_allclose(
        y2, 2.0 * y + upsample.max_unpool(np.ones_like(x), indices, 2, output_size=(9, 11))
    )


def test_ops_table_entries():
    assert ops.OPS["max_pool"].forward is upsample.max_pool
    assert ops.OPS["max_pool"].inputs == ("x",) and not ops.OPS["max_pool"].linear
    assert ops.OPS["max_unpool"].forward is upsample.max_unpool
    assert ops.OPS["max_unpool"].inputs == ("x",) and ops.OPS["max_unpool"].linear
    assert {"max_pool", "max_unpool"} <= set(upsample.__all__)


# --------------------------------------------------------------------------- central differences


@pytest.mark.parametrize(
    "nd, kernel, kw",
    [
        (1, 3, dict(stride=1, padding=1)),
        (2, 3, dict(stride=2, padding=1, ceil_mode=True)),
        (2, 2, dict(stride=1, dilation=2)),
        (3, 2, dict()),
    ],
)
def test_max_pool_gradient_by_central_differences(nd, kernel, kw, rng):
    size = {1: (9,), 2: (5, 6), 3: (4, 4, 4)}[nd]
    x = rng.permutation(2 * math.prod(size)).reshape(1, 2, *size) * 0.1  # gaps of 0.1: no ties
    y, pullback = upsample.vjp(upsample.max_pool, x, kernel, **kw)
    g = rng.standard_normal(y.shape)
    (gx,) = pullback(g)
    eps = 1e-4
    numeric = np.zeros_like(x)
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = eps
        step = step.reshape(x.shape)
        numeric.reshape(-1)[j] = (
            np.vdot(g, upsample.max_pool(x + step, kernel, **kw))
            - np.vdot(g, upsample.max_pool(x - step, kernel, **kw))
        ) / (2 * eps)
    np.testing.assert_allclose(gx, numeric, rtol=1e-7, atol=1e-9)


# --------------------------------------------------------------------------- the loop reference


@pytest.mark.parametrize("case", POOL_GRID)
def test_max_pool_matches_reference(case, rng):
    x, kernel, kw = _pool_case(case, rng)
    x = np.round(x * 2)  # ties
    x[rng.random(x.shape) < 0.1] = np.nan
    values, indices = upsample.max_pool(x, kernel, return_indices=True, **kw)
    r_values, r_indices = reference.max_pool(x, kernel, **kw)
    np.testing.assert_array_equal(values, r_values)
    np.testing.assert_array_equal(indices, r_indices)


def _has_window_of_only_padding(size, kernel, stride, padding, dilation, out):
    """Loop check, independent of the library: does any window miss the input entirely?"""
    for i, k, s, p, d, o in zip(size, kernel, stride, padding, dilation, out):
        for j in range(o):
            if not any(0 <= j * s - p + t * d < i for t in range(k)):
                return True
    return False


@st.composite
def pool_settings(draw):
    nd = draw(st.integers(1, 3))
    per_dim = lambda lo, hi: tuple(draw(st.integers(lo, hi)) for _ in range(nd))  # noqa: E731
    size = per_dim(1, 6)
    kernel = per_dim(1, 4)
    stride = per_dim(1, 4)
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = per_dim(1, 3)
    ceil_mode = draw(st.booleans())
    n = draw(st.integers(0, 2))
    return nd, (n, draw(st.integers(1, 2)), *size), kernel, stride, padding, dilation, ceil_mode


@settings(max_examples=60, deadline=None)
@given(
    settings_=pool_settings(),
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from([np.float64, np.float32, np.int16, np.uint8]),
)
def test_max_pool_property_against_reference(settings_, seed, dtype):
    nd, shape, kernel, stride, padding, dilation, ceil_mode = settings_
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 5, size=shape).astype(dtype)  # small range: plenty of ties
    if x.dtype.kind == "f":
        x[rng.random(shape) < 0.1] = np.nan
        x[rng.random(shape) < 0.1] = -np.inf
    kw = dict(stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)
    out = [reference._pool_out(*a, ceil_mode) for a in zip(shape[2:], kernel, stride, padding, dilation)]
    if min(out) < 1 or _has_window_of_only_padding(shape[2:], kernel, stride, padding, dilation, out):
        with pytest.raises(ValueError, match="max_pool: .*(kernel_size|only padding)"):
            upsample.max_pool(x, kernel, **kw)
        return
    values, indices = upsample.max_pool(x, kernel, return_indices=True, **kw)
    r_values, r_indices = reference.max_pool(x, kernel, **kw)
    assert values.dtype == x.dtype
    np.testing.assert_array_equal(values, r_values)
    np.testing.assert_array_equal(indices, r_indices)
    np.testing.assert_array_equal(upsample.max_pool(x, kernel, **kw), r_values)
    assert values.shape[2:] == tuple(shapes.pool_output_size(shape[2:], kernel, **kw))


@st.composite
def unpool_settings(draw):
    nd = draw(st.integers(1, 3))
    per_dim = lambda lo, hi: tuple(draw(st.integers(lo, hi)) for _ in range(nd))  # noqa: E731
    size = per_dim(1, 4)
    kernel = per_dim(1, 4)
    stride = per_dim(1, 3)
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    default = [(i - 1) * s - 2 * p + k for i, s, p, k in zip(size, stride, padding, kernel)]
    assume(min(default) >= 1)
    output_size = None
    if draw(st.booleans()):
        output_size = tuple(draw(st.integers(max(o - s + 1, 1), o + s - 1)) for o, s in zip(default, stride))
    shape = (draw(st.integers(0, 2)), draw(st.integers(1, 2)), *size)
    return shape, kernel, stride, padding, output_size


@settings(max_examples=60, deadline=None)
@given(
    settings_=unpool_settings(),
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from([np.float64, np.float32, np.int32]),
)
def test_max_unpool_property_against_reference(settings_, seed, dtype):
    shape, kernel, stride, padding, output_size = settings_
    rng = np.random.default_rng(seed)
    kw = dict(stride=stride, padding=padding, output_size=output_size)
    out = output_size or [(i - 1) * s - 2 * p + k for i, s, p, k in zip(shape[2:], stride, padding, kernel)]
    x = rng.integers(1, 50, size=shape).astype(dtype)
    indices = rng.integers(0, math.prod(out), size=shape)  # duplicates likely
    y = upsample.max_unpool(x, indices, kernel, **kw)
    assert y.dtype == x.dtype
    np.testing.assert_array_equal(y, reference.max_unpool(x, indices, kernel, **kw))
    if dtype != np.int32:  # the VJP is the adjoint, duplicates included
        y, pullback = upsample.vjp(upsample.max_unpool, x, indices, kernel, **kw)
        g = rng.standard_normal(y.shape)
        scale = np.vdot(np.abs(y), np.abs(g))  # float32 rounds g: bound the error by the terms
        np.testing.assert_allclose(np.vdot(y, g), np.vdot(x, pullback(g)[0]), rtol=1e-5, atol=1e-6 * scale)


# --------------------------------------------------------------------------- bad input

X2 = np.zeros((1, 1, 4, 4))
I2 = np.zeros((1, 1, 2, 2), dtype=np.int64)


def _with_limit(fn):
    def call():
        with upsample.size_limit(1000):
            fn()

    return call


BAD_INPUT = [
    # (call, exception, fragments of the message)
    (lambda: upsample.max_pool(np.zeros((4, 4)), 2), ValueError, ["max_pool", "x", "3 dimensions"]),
    (lambda: upsample.max_pool(X2, 0), ValueError, ["max_pool", "kernel_size", ">= 1"]),
    (lambda: upsample.max_pool(X2, 2, stride=0), ValueError, ["max_pool", "stride", ">= 1"]),
    (lambda: upsample.max_pool(X2, 2, dilation=0), ValueError, ["max_pool", "dilation", ">= 1"]),
    (lambda: upsample.max_pool(X2, 2, padding=-1), ValueError, ["max_pool", "padding", ">= 0"]),
    (
        lambda: upsample.max_pool(X2, 3, padding=2),
        ValueError,
        ["max_pool", "padding (2)", "half of kernel_size (3)"],
    ),
    (
        lambda: upsample.max_pool(X2, (2, 5)),
        ValueError,
        ["max_pool", "kernel_size (5", "padded input (4", "axis 1"],
    ),
    (
        lambda: upsample.max_pool(np.zeros((1, 1, 1)), 2, padding=1, dilation=2),
        ValueError,
        ["max_pool", "dilation (2)", "padding (1)", "only padding"],
    ),
    (lambda: upsample.max_pool(X2.astype(bool), 2), TypeError, ["max_pool", "x", "bool"]),
    (lambda: upsample.max_pool(X2.astype(complex), 2), TypeError, ["max_pool", "x", "complex"]),
    (lambda: upsample.max_pool(object(), 2), TypeError, ["max_pool", "x"]),
    (lambda: upsample.max_pool(None, 2), TypeError, ["max_pool", "x", "array"]),
    (lambda: upsample.max_pool(X2, 2.5), TypeError, ["max_pool", "kernel_size", "integer"]),
    (lambda: upsample.max_pool(X2, (2, 2, 2)), ValueError, ["max_pool", "kernel_size", "2 ints"]),
    (lambda: upsample.max_pool(X2, 2, stride=(1,)), ValueError, ["max_pool", "stride", "2 ints"]),
    (lambda: upsample.max_pool(np.zeros((1, 1, 0, 4)), 2), ValueError, ["max_pool", "x", "non-empty"]),
    (
        _with_limit(lambda: upsample.max_pool(np.zeros((1, 1, 40, 40)), 1)),
        ValueError,
        ["max_pool", "size limit", "size_limit"],
    ),
    (
        lambda: upsample.max_unpool(np.zeros((2, 2)), I2[0, 0], 2),
        ValueError,
        ["max_unpool", "x", "3 dimensions"],
    ),
    (lambda: upsample.max_unpool(I2 * 1.0, I2 * 1.0, 2), TypeError, ["max_unpool", "indices", "float64"]),
    (lambda: upsample.max_unpool(I2 * 1.0, I2.astype(bool), 2), TypeError, ["max_unpool", "indices", "bool"]),
    (
        lambda: upsample.max_unpool(I2 * 1.0, I2[..., :1], 2),
        ValueError,
        ["max_unpool", "indices", "shape", "(1, 1, 2, 1)"],
    ),
    (
        lambda: upsample.max_unpool(I2 * 1.0, I2 + 16, 2),
        ValueError,
        ["max_unpool", "indices", "[0, 16)", "got index 16"],
    ),
    (
        lambda: upsample.max_unpool(I2 * 1.0, I2 - 3, 2),
        ValueError,
        ["max_unpool", "indices", "[0, 16)", "got index -3"],
    ),
    (
        lambda: upsample.max_unpool(I2 * 1.0, I2, 2, output_size=(6, 4)),
        ValueError,
        ["max_unpool", "output_size", "strictly between 2 and 6"],
    ),
    (
        lambda: upsample.max_unpool(I2 * 1.0, I2, 2, output_size=(4, 4, 4)),
        ValueError,
        ["max_unpool", "output_size", "2 ints"],
    ),
    (
        lambda: upsample.max_unpool(I2 * 1.0, I2, 2, output_size=(3, 1, 4, 4)),
        ValueError,
        ["max_unpool", "output_size", "batch and channels"],
    ),
    (
        lambda: upsample.max_unpool(I2 * 1.0, I2, 1, padding=1),
        ValueError,
        ["max_unpool", "padding", "no output"],
    ),
    (lambda: upsample.max_unpool(I2 * 1.0, I2, 0), ValueError, ["max_unpool", "kernel_size", ">= 1"]),
    (lambda: upsample.max_unpool(I2.astype(complex), I2, 2), TypeError, ["max_unpool", "x", "complex"]),
    (
        _with_limit(lambda: upsample.max_unpool(I2 * 1.0, I2, 2, stride=20)),
        ValueError,
        ["max_unpool", "size limit", "size_limit"],
    ),
    (
        lambda: upsample.vjp(upsample.max_pool, X2.astype(np.int64), 2),
        TypeError,
        ["vjp", "max_pool", "x", "int64"],
    ),
]


@pytest.mark.parametrize(
    "call, error, fragments",
    BAD_INPUT,
    ids=[f"{i}-{' '.join(f[:2])}" for i, (_, _, f) in enumerate(BAD_INPUT)],
)
def test_bad_input(call, error, fragments):
    assert_refused(call, error, fragments)


def test_pullbacks_refuse_a_gradient_of_the_wrong_shape():
    _, pullback = upsample.vjp(upsample.max_pool, X2, 2)
    with pytest.raises(ValueError, match="max_pool: the gradient must have the output's shape"):
        pullback(np.zeros((1, 1, 3, 3)))
    _, pullback = upsample.vjp(upsample.max_unpool, I2 * 1.0, I2, 2)
    with pytest.raises(ValueError, match="max_unpool: the gradient must have the output's shape"):
        pullback(np.zeros((1, 1, 3, 3)))


# --------------------------------------------------------------------------- read-only inputs


def test_read_only_inputs_work_and_are_unchanged(rng):
    x = rng.standard_normal((2, 3, 5, 6))
    x.setflags(write=False)
    before = x.copy()
    values, indices = upsample.max_pool(x, 2, stride=1, padding=1, return_indices=True)
    y, pullback = upsample.vjp(upsample.max_pool, x, 2, stride=1, padding=1)
    pullback(np.ones_like(y))
    values.setflags(write=False)
    indices.setflags(write=False)
    up = upsample.max_unpool(values, indices, 2, stride=1, padding=1, output_size=(5, 6))
    u, unpull = upsample.vjp(upsample.max_unpool, values, indices, 2, stride=1, padding=1, output_size=(5, 6))
    unpull(np.ones_like(u))
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(up, u)
    # a non-contiguous view works the same as its copy
    view = np.asarray(x)[:, :, ::2, ::-1]
    np.testing.assert_array_equal(
        upsample.max_pool(view, 2, ceil_mode=True), upsample.max_pool(view.copy(), 2, ceil_mode=True)
    )


# --------------------------------------------------------------------------- asymmetric padding
# ONNX's MaxPool pads each side on its own (pairs, SAME_UPPER, SAME_LOWER). Checked against the
# loop reference run on an input padded explicitly with -inf, whose indices are moved back.


@st.composite
def pair_settings(draw):
    nd = draw(st.integers(1, 3))
    per_dim = lambda lo, hi: tuple(draw(st.integers(lo, hi)) for _ in range(nd))  # noqa: E731
    kernel = per_dim(1, 4)
    pairs = tuple((draw(st.integers(0, k)), draw(st.integers(0, k))) for k in kernel)
    return (draw(st.integers(1, 2)), 2, *per_dim(1, 6)), kernel, per_dim(1, 3), pairs, per_dim(1, 2)


@settings(max_examples=60, deadline=None)
@given(settings_=pair_settings(), seed=st.integers(0, 2**32 - 1))
def test_max_pool_asymmetric_padding_against_explicit_padding(settings_, seed):
    shape, kernel, stride, pairs, dilation = settings_
    x = np.random.default_rng(seed).integers(0, 5, size=shape).astype(np.float64)  # ties
    padded = np.pad(x, ((0, 0), (0, 0), *pairs), constant_values=-np.inf)
    out = [
        reference._pool_out(i + lo + hi, k, s, 0, d, False)
        for i, k, s, (lo, hi), d in zip(shape[2:], kernel, stride, pairs, dilation)
    ]
    if min(out) < 1 or _has_window_of_only_padding(
        shape[2:], kernel, stride, [lo for lo, _ in pairs], dilation, out
    ):
        with pytest.raises(ValueError, match="max_pool: .*(kernel_size|only padding)"):
            upsample.max_pool(x, kernel, stride=stride, padding=pairs, dilation=dilation)
        return
    r_values, r_padded_indices = reference.max_pool(padded, kernel, stride=stride, dilation=dilation)
    at = np.unravel_index(r_padded_indices, padded.shape[2:])
    r_indices = np.ravel_multi_index(tuple(a - lo for a, (lo, _) in zip(at, pairs)), shape[2:])
    values, indices = upsample.max_pool(
        x, kernel, stride=stride, padding=pairs, dilation=dilation, return_indices=True
    )
    np.testing.assert_array_equal(values, r_values)
    np.testing.assert_array_equal(indices, r_indices)
    y, pullback = upsample.vjp(upsample.max_pool, x, kernel, stride=stride, padding=pairs, dilation=dilation)
    g = np.arange(1.0, y.size + 1).reshape(y.shape)
    expected = np.zeros(x.size)
    planes = np.arange(shape[0] * shape[1])[:, None] * math.prod(shape[2:])
    np.add.at(expected, (planes + r_indices.reshape(len(planes), -1)).reshape(-1), g.reshape(-1))
    np.testing.assert_array_equal(pullback(g)[0], expected.reshape(shape))


def _same_pairs_by_search(size, kernel, stride, lower):
    """The padding of "same" found by trying totals: the least that gives ceil(i / s) outputs."""
    pairs = []
    for i, k, s in zip(size, kernel, stride):
        total = next(t for t in range(4 * k + 1) if (i + t - k) // s + 1 >= -(-i // s))
        small, large = total // 2, total - total // 2
        pairs.append((large, small) if lower else (small, large))
    return tuple(pairs)


@pytest.mark.parametrize(
    "size, kernel, stride", [((5,), 2, 1), ((5, 6), (3, 2), (2, 2)), ((4, 7, 5), (2, 3, 4), (3, 1, 2))]
)
@pytest.mark.parametrize("mode, lower", [("same", False), ("same_lower", True)])
def test_max_pool_same_padding_is_its_pairs(size, kernel, stride, mode, lower, rng):
    x = rng.standard_normal((1, 2, *size))
    pairs = _same_pairs_by_search(
        size, np.broadcast_to(kernel, len(size)), np.broadcast_to(stride, len(size)), lower
    )
    assert shapes.pool_padding(size, kernel, stride, mode) == pairs
    values, indices = upsample.max_pool(x, kernel, stride=stride, padding=mode, return_indices=True)
    assert values.shape[2:] == tuple(-(-i // s) for i, s in zip(size, np.broadcast_to(stride, len(size))))
    r_values, r_indices = upsample.max_pool(x, kernel, stride=stride, padding=pairs, return_indices=True)
    np.testing.assert_array_equal(values, r_values)
    np.testing.assert_array_equal(indices, r_indices)
    valid = upsample.max_pool(x, kernel, stride=stride, padding="valid")
    np.testing.assert_array_equal(valid, upsample.max_pool(x, kernel, stride=stride))


def test_max_pool_pairs_in_ceil_mode_drop_a_window_starting_in_the_end_padding():
    x = np.arange(5.0).reshape(1, 1, 5)
    # i=5, k=2, s=2, pads (0, 1): floor gives 3 windows, ceil would add one starting at 6 >= 5
    np.testing.assert_array_equal(
        upsample.max_pool(x, 2, padding=((0, 1),), ceil_mode=True), [[[1.0, 3.0, 4.0]]]
    )
    np.testing.assert_array_equal(
        upsample.max_pool(x, 2, padding=((1, 0),), ceil_mode=True), [[[0.0, 2.0, 4.0]]]
    )


def test_max_unpool_takes_padding_pairs(rng):
    x = rng.standard_normal((1, 1, 5, 4))
    values, indices = upsample.max_pool(x, 3, stride=2, padding=((1, 0), (0, 1)), return_indices=True)
    y = upsample.max_unpool(values, indices, 3, stride=2, padding=((1, 0), (0, 1)))
    assert y.shape[2:] == tuple((i - 1) * 2 + 3 - 1 for i in values.shape[2:])
    np.testing.assert_array_equal(upsample.max_pool(y, 3, stride=2, padding=((1, 0), (0, 1))), values)


@pytest.mark.parametrize(
    "call, fragments",
    [
        (lambda: upsample.max_pool(X2, 2, padding="full"), ["max_pool", "padding", "same_lower"]),
        (lambda: upsample.max_pool(X2, 2, padding=((1, 0),)), ["max_pool", "padding", "2 (lo, hi) pairs"]),
        (lambda: upsample.max_pool(X2, 2, padding=((1, -1), (0, 0))), ["max_pool", "padding", ">= 0"]),
        (
            lambda: upsample.max_unpool(I2 * 1.0, I2, 2, padding=((0, 1), (1,))),
            ["max_unpool", "padding", "(lo, hi) pairs"],
        ),
    ],
)
def test_bad_padding_pairs_and_names(call, fragments):
    assert_refused(call, ValueError, fragments)


def test_dask_max_pool_takes_symmetric_strings_and_refuses_unequal_sides(rng):
    da = required.module("dask.array")
    x = rng.standard_normal((1, 2, 9, 9))
    lazy = da.from_array(x, chunks=(1, 1, 4, 4))
    np.testing.assert_array_equal(
        np.asarray(upsample.max_pool(lazy, 3, stride=1, padding="same")),
        upsample.max_pool(x, 3, stride=1, padding="same"),
    )
    with pytest.raises(ValueError, match=r"max_pool: on Dask arrays .* equal on both sides"):
        upsample.max_pool(lazy, 3, stride=2, padding=((1, 0), (0, 1)))
