"""``upsample.compat.torch.nn.functional``: torch's calls, unbatched forms, positional order, VJPs.

PyTorch's OpInfo samples (tests/test_opinfo.py) cover the bulk; these are the cases they
leave out (unbatched max_unpool, leading dims of pixel_shuffle, positional calls) and the
boundary: torch never imported, inputs unchanged, bad calls refused with the op's name.
"""

from __future__ import annotations

import doctest
import inspect
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import oracle
import upsample
from expect import assert_refused
from upsample.compat.torch.nn import functional as UF

torch = oracle.torch
F = torch.nn.functional


def _with(fn, *rest, **options):
    """``fn`` with torch's trailing positional (and keyword) arguments fixed, VJP included."""

    def call(*arrays):
        return fn(*arrays, *rest, **options)

    call.__upsample_vjp__ = lambda *arrays: upsample.vjp(fn, *arrays, *rest, **options)
    return call


def test_importing_the_compat_modules_imports_neither_torch_nor_onnx():
    code = (
        "import sys, upsample.compat.torch.nn.functional, upsample.compat.onnx; "
        "print('torch' in sys.modules, 'onnx' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_every_name_has_torch_parameter_names():
    for name in UF.__all__:
        ours = list(inspect.signature(getattr(UF, name)).parameters)
        try:
            theirs = list(inspect.signature(getattr(F, name)).parameters)
        except ValueError:  # a C builtin: read its documented signature
            doc = getattr(F, name).__doc__.strip().splitlines()[0]
            theirs = [
                p.split("=")[0].strip(" *") for p in doc[doc.index("(") + 1 : doc.index(")")].split(",")
            ]
        if theirs in (["args", "kwargs"], ["*args", "**kwargs"]):
            continue  # torch's max_pool*d dispatch wrappers
        assert ours == theirs, name
        assert callable(getattr(UF, name).__upsample_vjp__)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_scalar_max_pool_of_an_unbatched_input_pools_every_spatial_dim(nd, rng):
    x = rng.standard_normal((3, *(5,) * nd))  # (C, *spatial): torch's unbatched form
    pool = getattr(UF, f"max_pool{nd}d")
    oracle.check(
        _with(pool, 2, 1, 1, 1, True, True),
        lambda t: getattr(F, f"max_pool{nd}d")(t, 2, 1, 1, 1, True, True),
        [x],
    )
    assert pool(x, 2).shape == (3, *(2,) * nd)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("batched", [True, False])
def test_max_unpool_batched_and_unbatched_match_torch(nd, batched, rng):
    shape = ((2,) if batched else ()) + (3, *(6,) * nd)
    x = rng.standard_normal(shape)
    values, indices = getattr(F, f"max_pool{nd}d")(torch.tensor(x), 2, 2, return_indices=True)
    unpool = getattr(UF, f"max_unpool{nd}d")
    # output_size as torch takes it: the spatial size, given as a torch.Size-like tuple
    for output_size in [None, (7,) * nd]:
        oracle.check(
            _with(unpool, 2, None, 0, output_size),
            lambda t, i: getattr(F, f"max_unpool{nd}d")(t, i, 2, None, 0, output_size),
            [values.numpy(), indices.numpy()],
        )


def test_max_unpool_keeps_the_spatial_part_of_a_full_output_size(rng):
    x = rng.standard_normal((1, 2, 3, 3))
    values, indices = F.max_pool2d(torch.tensor(x), 2, return_indices=True)
    full = torch.Size([1, 2, 3, 3])
    np.testing.assert_array_equal(
        UF.max_unpool2d(values.numpy(), indices.numpy(), 2, output_size=tuple(full)),
        F.max_unpool2d(values, indices, 2, output_size=full).numpy(),
    )


@pytest.mark.parametrize(
    "name, theirs",
    [
        ("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1, 2, 2)),
        ("conv2d", lambda x, w, b: F.conv2d(x, w, b, 2, (1, 0), 2, 2)),
    ],
)
@pytest.mark.parametrize("batched", [True, False])
def test_positional_calls_in_torchs_order(name, theirs, batched, rng):
    x = rng.standard_normal(((2,) if batched else ()) + (4, 7, 6))
    w = rng.standard_normal((4, 3, 3, 3) if name == "conv_transpose2d" else (6, 2, 3, 3))
    b = rng.standard_normal(6)
    ours = (
        _with(UF.conv_transpose2d, 2, 1, 1, 2, 2)
        if name == "conv_transpose2d"
        else _with(UF.conv2d, 2, (1, 0), 2, 2)
    )
    oracle.check(ours, theirs, [x, w, b])


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_length_one_tuples_and_same_padding(nd, rng):
    x = rng.standard_normal((2, *(5,) * nd))
    w = rng.standard_normal((3, 2, *(2,) * nd))
    conv = getattr(UF, f"conv{nd}d")
    oracle.check(
        _with(conv, None, (1,), "same", (2,)),
        lambda a, v: getattr(F, f"conv{nd}d")(a, v, None, (1,), "same", (2,)),
        [x, w],
    )
    oracle.check(
        _with(conv, padding="valid"), lambda a, v: getattr(F, f"conv{nd}d")(a, v, padding="valid"), [x, w]
    )


def test_max_pool_empty_stride_means_the_kernel_size(rng):
    x = rng.standard_normal((1, 2, 6, 6))
    np.testing.assert_array_equal(UF.max_pool2d(x, 3, []), F.max_pool2d(torch.tensor(x), 3, []).numpy())


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True),
        dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=False),
        dict(scale_factor=(0.6, 2.3), mode="nearest", recompute_scale_factor=True),
        dict(size=(3, 4), mode="bicubic", align_corners=True),
        dict(size=(3, 4), mode="bilinear", antialias=True),
        dict(size=(3, 9), mode="area"),
        dict(scale_factor=2.5, mode="nearest-exact"),
    ],
)
def test_interpolate_matches_torch(kwargs, rng):
    x = rng.standard_normal((2, 3, 7, 5))
    oracle.check(_with(UF.interpolate, **kwargs), lambda t: F.interpolate(t, **kwargs), [x])


@pytest.mark.filterwarnings("ignore:`nn.functional.upsample.*is deprecated:UserWarning")  # torch's aliases
def test_upsample_aliases_match_torch(rng):
    x = rng.standard_normal((1, 2, 3, 4))
    oracle.check(
        _with(UF.upsample, None, 2, "bilinear", False),
        lambda t: F.upsample(t, None, 2, "bilinear", False),
        [x],
    )
    oracle.check(_with(UF.upsample_nearest, (5, 7)), lambda t: F.upsample_nearest(t, (5, 7)), [x])
    oracle.check(
        _with(UF.upsample_bilinear, scale_factor=2), lambda t: F.upsample_bilinear(t, scale_factor=2), [x]
    )


@pytest.mark.parametrize("shape", [(8, 2, 3), (2, 8, 2, 3), (2, 3, 8, 2, 3), (0, 8, 2, 3)])
def test_pixel_shuffles_take_any_leading_dims(shape, rng):
    x = rng.standard_normal(shape)
    y = UF.pixel_shuffle(x, 2)
    assert y.shape == (*shape[:-3], shape[-3] // 4, shape[-2] * 2, shape[-1] * 2)
    assert UF.pixel_unshuffle(y, 2).shape == shape
    out, pullback = upsample.vjp(UF.pixel_unshuffle, y, 2)
    assert pullback(np.ones_like(out))[0].shape == y.shape
    if 0 in shape:  # torch 2.13 returns an empty input unchanged from pixel_unshuffle and fails
        return  # in pixel_shuffle's backward: only the shapes above hold there
    oracle.check(_with(UF.pixel_shuffle, 2), lambda t: F.pixel_shuffle(t, 2), [x])
    oracle.check(_with(UF.pixel_unshuffle, 2), lambda t: F.pixel_unshuffle(t, 2), [y])


def test_inputs_are_never_modified_and_arrays_come_back(rng):
    x = rng.standard_normal((3, 6, 6))
    x.setflags(write=False)
    w = rng.standard_normal((2, 3, 3, 3))
    y, pullback = upsample.vjp(UF.conv2d, x, w, None, 1, 1)
    gx, gw = pullback(np.ones_like(y))
    assert type(y) is np.ndarray and gx.shape == x.shape and gw.shape == w.shape
    values, indices = UF.max_pool2d(x, 2, return_indices=True)
    assert values.shape == indices.shape == (3, 3, 3)


def test_pullback_refuses_a_gradient_of_the_wrong_shape(rng):
    _, pullback = upsample.vjp(UF.max_pool2d, rng.standard_normal((3, 4, 4)), 2)
    with pytest.raises(
        ValueError, match=r"max_pool2d: the gradient must have the output's shape \(3, 2, 2\)"
    ):
        pullback(np.ones((1, 3, 2, 2)))


BAD_INPUT = [
    (
        lambda: UF.conv2d(np.ones((4, 4)), np.ones((1, 1, 2, 2))),
        ValueError,
        ["conv2d", "input", "3-D (C, H, W)", "4-D (N, C, H, W)", "(4, 4)"],
    ),
    (lambda: UF.max_pool1d(np.ones((1, 1, 1, 4)), 2), ValueError, ["max_pool1d", "input", "(1, 1, 1, 4)"]),
    (
        lambda: UF.max_pool2d(np.ones((1, 4, 4)), (2, 2, 2)),
        ValueError,
        ["max_pool2d", "kernel_size", "1 or 2 ints", "(2, 2, 2)"],
    ),
    (
        lambda: UF.conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 2, 2)), stride=2, padding="same"),
        ValueError,
        ["conv2d", "padding='same'", "strided"],
    ),
    (
        lambda: UF.conv1d(np.ones((1, 4)), np.ones((1, 1, 2)), padding="full"),
        ValueError,
        ["conv1d", "padding", "'full'"],
    ),
    (
        lambda: UF.conv_transpose1d(np.ones((1, 4)), np.ones((1, 1, 2)), padding="same"),
        TypeError,
        ["conv_transpose1d", "padding", "'same'"],
    ),
    (
        lambda: UF.interpolate(np.ones((1, 1, 4)), scale_factor=2, mode="bilinear"),
        ValueError,
        ["interpolate", "'bilinear'", "4-D"],
    ),
    (
        lambda: UF.interpolate(np.ones((1, 1, 4)), scale_factor=2, mode="nearest", align_corners=True),
        ValueError,
        ["interpolate", "align_corners", "'nearest'"],
    ),
    (
        lambda: UF.interpolate(np.ones((1, 1, 4)), scale_factor=2, mode="cubic"),
        ValueError,
        ["interpolate", "mode", "'cubic'"],
    ),
    (lambda: UF.interpolate(np.ones((1, 4)), scale_factor=2), ValueError, ["interpolate", "(1, 4)"]),
    (
        lambda: UF.interpolate(np.ones((1, 1, 4)), scale_factor=2, mode="linear", antialias=True),
        ValueError,
        ["interpolate", "antialias", "'linear'"],
    ),
    (
        lambda: UF.max_unpool2d(np.ones((1, 2, 2)), np.zeros((2, 2), dtype=np.int64), 2),
        ValueError,
        ["max_unpool2d", "indices", "(1, 2, 2)", "(2, 2)"],
    ),
    (
        lambda: UF.max_unpool1d(
            np.ones((1, 2)), np.zeros((1, 2), dtype=np.int64), 2, output_size=(1, 1, 1, 4)
        ),
        ValueError,
        ["max_unpool1d", "output_size", "1 or 3"],
    ),
    (lambda: UF.pixel_shuffle(np.ones((4, 4)), 2), ValueError, ["pixel_shuffle", "3 dimensions", "(4, 4)"]),
    (lambda: UF.conv2d(None, np.ones((1, 1, 2, 2))), TypeError, ["conv2d", "input", "NoneType"]),
]


@pytest.mark.parametrize(
    "call, error, fragments", BAD_INPUT, ids=[f"{i}-{f[0]}" for i, (_, _, f) in enumerate(BAD_INPUT)]
)
def test_bad_input(call, error, fragments):
    assert_refused(call, error, fragments)


def test_the_docs_examples_run():
    path = Path(__file__).resolve().parents[1] / "docs" / "compat-torch-onnx.md"
    result = doctest.testfile(str(path), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 15
