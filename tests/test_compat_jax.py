"""upsample.compat.jax against JAX itself: image.resize on any axes and ranks, every method and
alias, antialias on and off, dtypes; image.scale_and_translate with scales and translations.
Each new shape costs JAX a compilation, so the grids are small; the size sweep (every pair
1..33) compares JAX's weight matrices in test_sweep.py."""

import numpy as np
import pytest

import required
from expect import assert_refused, assert_same_as_framework
from upsample.compat import jax as ujax

jax = required.module("jax")
rng = np.random.default_rng(6)


_same = assert_same_as_framework


@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize(
    "method", ["nearest", "linear", "bilinear", "cubic", "cubic-pytorch", "lanczos3", "lanczos5", "area"]
)
def test_resize_any_axes(method, antialias):
    x = rng.standard_normal((3, 5, 7)).astype(np.float32)
    for shape in [(3, 9, 4), (6, 5, 3), (1, 2, 14)]:
        _same(
            ujax.image.resize(x, shape, method, antialias=antialias),
            jax.image.resize(x, shape, method, antialias=antialias),
        )


@pytest.mark.parametrize("dtype", [np.uint8, np.float64, np.int64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("method", ["nearest", "linear"])
def test_dtypes(method, dtype):
    x = (rng.random((4, 6)) * 100).astype(dtype)
    _same(ujax.image.resize(x, (7, 3), method), jax.image.resize(x, (7, 3), method))


@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("method", ["linear", "cubic", "lanczos3"])
def test_scale_and_translate(method, antialias):
    x = rng.standard_normal((2, 6, 9)).astype(np.float32)
    for scale, shift in [((1.3, 0.4), (-0.7, 1.1)), ((2.0, 2.0), (0.0, 0.0)), ((0.5, 3.0), (2.0, -4.0))]:
        scale, shift = np.array(scale, np.float32), np.array(shift, np.float32)
        _same(
            ujax.image.scale_and_translate(x, (2, 8, 5), (1, 2), scale, shift, method, antialias=antialias),
            jax.image.scale_and_translate(x, (2, 8, 5), (1, 2), scale, shift, method, antialias=antialias),
        )


BAD = [
    (
        lambda: ujax.image.resize(np.zeros((2, 3)), (4, 4), "bilinearr"),
        ValueError,
        ["jax.image.resize", "method", "'bilinearr'"],
    ),
    (lambda: ujax.image.resize(np.zeros((2, 3)), (4,), "linear"), ValueError, ["jax.image.resize", "shape"]),
    (
        lambda: ujax.image.scale_and_translate(np.zeros((2, 3)), (4, 3), (0,), [0.0], [0.0], "linear"),
        ValueError,
        ["jax.image.scale_and_translate", "scale", "0.0"],
    ),
    (
        lambda: ujax.image.scale_and_translate(np.zeros((2, 3)), (4, 5), (0,), [2.0], [0.0], "linear"),
        ValueError,
        ["jax.image.scale_and_translate", "axis 1", "spatial_dims"],
    ),
]


@pytest.mark.parametrize("call, exception, fragments", BAD)
def test_bad_input_is_refused_clearly(call, exception, fragments):
    assert_refused(call, exception, fragments)
