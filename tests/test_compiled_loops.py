"""The specialised compiled loops give the same bits as the general ones they stand in for."""

import numba  # noqa: F401  -- a core dependency: the loops compared here must compile
import numpy as np
import pytest

from upsample import _jit, _resample
from upsample import interpolation as interp


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("scale, width", [(2, 9), (3, 17), (4, 16), (2, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_periodic_resample_is_bit_identical_to_the_gather_loop(mode, align_corners, scale, width, dtype, rng):
    x = rng.standard_normal((2, 3, 4, width)).astype(dtype)
    call = interp.plan_call(x, None, scale, mode=mode, align_corners=align_corners, antialias=False)
    plan_h, plan_w, planes = _resample._planar(call.plans, x.shape)
    periodic = _resample._periodic(plan_w, x.dtype)
    if periodic is None:
        # the weights repeat bit for bit only for power-of-two scales without align_corners
        # (otherwise rounding differs from cell to cell), and need enough interior inputs
        assert align_corners or width < 16 or scale & (scale - 1)
        return
    source = x.reshape(planes, *x.shape[2:])
    wy, wx = (p.weight.astype(dtype) for p in (plan_h, plan_w))
    general = np.empty((planes, plan_h.out_size, plan_w.out_size), dtype)
    special = np.full_like(general, np.nan)
    _resample._resample_loop(source, plan_h.index, wy, plan_w.index, wx, general, 0, planes)
    _resample._resample_periodic_loop(
        source, plan_h.index, wy, plan_w.index, wx, *periodic, special, 0, planes
    )
    np.testing.assert_array_equal(special, general)


def test_interpolate_does_not_depend_on_the_thread_count(rng, monkeypatch):
    x = rng.standard_normal((4, 16, 32, 32)).astype(np.float32)
    results = []
    for threads in ("1", "2"):
        monkeypatch.setenv("UPSAMPLE_THREADS", threads)
        results.append(interp.interpolate(x, scale_factor=2, mode="bicubic"))
    np.testing.assert_array_equal(*results)
    assert _jit.enabled()


def test_literal_kernels_reuse_their_compiled_version(rng):
    # a kernel with compile-time constants is called through its entry point after the
    # first call of each version: same results, one entry per version
    from upsample import _pool_loops

    x = rng.standard_normal((3, 9, 9)).astype(np.float32)
    kernel = _pool_loops._max_pool_plain_loop
    results, added = [], []
    for _ in range(2):
        before = set(kernel._entries)
        values = np.empty((3, 3, 3), np.float32)
        indices = np.empty((3, 3, 3), np.int64)
        kernel(x, 3, 3, 3, 3, values, indices, True, 0, 3)
        results.append((values, indices))
        added.append(set(kernel._entries) - before)
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    np.testing.assert_array_equal(results[0][0], x.reshape(3, 3, 3, 3, 3).max(axis=(2, 4)))
    # the first call adds at most this version's entry (none if another test made it); the
    # second finds it: nothing new
    assert len(added[0]) <= 1 and not added[1]


def test_conv_does_not_depend_on_the_thread_count(rng, monkeypatch):
    import upsample

    x = rng.standard_normal((3, 16, 40, 40)).astype(np.float32)
    w = rng.standard_normal((24, 16, 4, 4)).astype(np.float32)
    results = []
    for threads in ("1", "2"):
        monkeypatch.setenv("UPSAMPLE_THREADS", threads)
        out, pullback = upsample.vjp(upsample.conv, x, w, stride=2, padding=1)
        results.append((out, *pullback(np.ones_like(out))))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
