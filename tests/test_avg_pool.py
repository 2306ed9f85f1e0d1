"""avg_pool against PyTorch and the loop reference: values and gradients over a grid of
kernel, stride, padding, ceil_mode, count_include_pad and divisor_override, 1-D to 3-D."""

import numpy as np
import pytest
import torch

import reference as ref
import required
import upsample
from oracle import check

F = torch.nn.functional
TORCH = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}

# (spatial size, kernel_size, stride, padding)
GRID = [
    ((7,), 2, None, 0),
    ((7,), 3, 2, 1),
    ((8,), 4, 3, 2),
    ((5,), 5, 1, 2),
    ((1,), 1, 1, 0),
    ((6, 7), 2, None, 0),
    ((6, 7), (3, 2), (2, 1), (1, 1)),
    ((5, 5), 3, 2, 1),
    ((4, 9), (2, 4), 3, (1, 2)),
    ((3, 4, 5), 2, None, 0),
    ((4, 3, 5), (2, 3, 2), (1, 2, 2), (1, 1, 0)),
]
OPTIONS = [
    dict(),
    dict(ceil_mode=True),
    dict(count_include_pad=False),
    dict(ceil_mode=True, count_include_pad=False),
    dict(divisor_override=3),
    dict(ceil_mode=True, divisor_override=7),
]


def _case_id(case):
    return "x".join(map(str, case[0])) + f"-k{case[1]}-s{case[2]}-p{case[3]}"


@pytest.mark.parametrize("case", GRID, ids=_case_id)
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "default")
def test_avg_pool_matches_torch_and_the_reference(case, options, rng):
    spatial, k, s, p = case
    if "divisor_override" in options and len(spatial) == 1:
        options = {key: v for key, v in options.items() if key != "divisor_override"}  # torch's 1-D has none
    x = rng.standard_normal((2, 3, *spatial))
    kwargs = dict(stride=s, padding=p, **options)
    torch_kwargs = dict(kwargs, stride=k if s is None else s)
    y = check(
        upsample.avg_pool,
        lambda t: TORCH[len(spatial)](t, k, **torch_kwargs),
        [x],
        dict(kernel_size=k, **kwargs),
    )
    np.testing.assert_allclose(y, ref.avg_pool(x, k, **kwargs), rtol=1e-12, atol=1e-12)


def test_avg_pool_float32_and_integers(rng):
    x = rng.integers(0, 9, (1, 2, 5, 6))
    y = upsample.avg_pool(x, 2, stride=1, padding=1)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, ref.avg_pool(x, 2, stride=1, padding=1))
    y32 = upsample.avg_pool(x.astype(np.float32), 3, padding=1, count_include_pad=False)
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, ref.avg_pool(x, 3, padding=1, count_include_pad=False), rtol=1e-6)


def test_avg_pool_empty_batch_and_input_unchanged(rng):
    x = rng.standard_normal((0, 3, 4, 4))
    assert upsample.avg_pool(x, 2).shape == (0, 3, 2, 2)
    x = rng.standard_normal((1, 1, 4, 4))
    before = x.copy()
    upsample.avg_pool(x, 3, stride=1, padding=1)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda x: upsample.avg_pool(x, 2, padding=2),
            ValueError,
            r"avg_pool: padding \(2\) must be at most half of kernel_size \(2\)",
        ),
        (lambda x: upsample.avg_pool(x, 7), ValueError, r"avg_pool: kernel_size \(7\) is larger than"),
        (lambda x: upsample.avg_pool(x, 2, divisor_override=0), ValueError, r"avg_pool: divisor_override"),
        (lambda x: upsample.avg_pool(x, 2, ceil_mode="yes"), TypeError, r"avg_pool: ceil_mode must be"),
        (lambda x: upsample.avg_pool(x[0, 0], 2), ValueError, r"avg_pool: x must"),
    ],
)
def test_avg_pool_refuses_bad_arguments(call, error, message, rng):
    with pytest.raises(error, match=message):
        call(rng.standard_normal((1, 1, 4, 4)))


def test_avg_pool_vjp_spreads_each_gradient_evenly_over_its_window():
    x = np.zeros((1, 1, 4))
    y, pullback = upsample.vjp(upsample.avg_pool, x, 2)
    (gx,) = pullback(np.array([[[2.0, 4.0]]]))
    np.testing.assert_array_equal(gx, [[[1.0, 1.0, 2.0, 2.0]]])


def test_explain_avg_pool_steps_add_up_to_the_op():
    from upsample import explain

    x = np.arange(1.0, 17.0).reshape(4, 4)
    ex = explain.avg_pool(x, 3, stride=2, padding=1, count_include_pad=False, ceil_mode=True)
    expected = upsample.avg_pool(
        x[None, None], 3, stride=2, padding=1, count_include_pad=False, ceil_mode=True
    )[0]
    np.testing.assert_array_equal(ex.steps[-1].output, expected)
    for step in ex.steps:
        (write,) = step.writes
        assert write.added == pytest.approx(sum(x[t.source[1:]] * t.weight for t in step.terms))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(kernel_size=3, stride=2, padding=1),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        dict(kernel_size=(3, 2), stride=1, padding=1, divisor_override=4),
    ],
)
@pytest.mark.parametrize("chunks", [(1, 2, 5, 4), (1, 1, 3, 7)])
def test_avg_pool_on_dask_equals_the_in_memory_op_for_any_chunking(kwargs, chunks, rng):
    da = required.module("dask.array")
    x = rng.standard_normal((2, 3, 17, 13))
    lazy = da.from_array(x, chunks=chunks)
    np.testing.assert_allclose(
        upsample.avg_pool(lazy, **kwargs).compute(), upsample.avg_pool(x, **kwargs), rtol=1e-12, atol=1e-12
    )
    y, pullback = upsample.vjp(upsample.avg_pool, lazy, **kwargs)
    g = rng.standard_normal(y.shape)
    np.testing.assert_allclose(
        pullback(g)[0].compute(),
        upsample.vjp(upsample.avg_pool, x, **kwargs)[1](g)[0],
        rtol=1e-12,
        atol=1e-12,
    )
