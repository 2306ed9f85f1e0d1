"""The exhaustive sweep: every input and output length 1..33 along each axis (1089 pairs per
axis), plus known ties, for each (framework call, mode, dtype) family, each drop-in against
the real framework's same call. One test per family, many sizes per test.

A call resizes an (H, W) image with the H pair ``PAIRS[k]`` and the W pair ``PAIRS[PERM[k]]``,
so every pair appears on both axes and shrinking and growing axes are mixed (OpenCV and
Pillow choose their loops by looking at both axes). Floats must agree within 1e-5 of the
largest value; integers byte for byte.

JAX compiles each new shape (about a second here), so its nearest family takes three output
lengths per input length (7, 25 and 2i), and its other families run one compiled function
per input length: ``jax.image.scale_and_translate`` vmapped over the scales
``o / i`` on the identity, which yields ``jax.image.resize``'s weight matrices (``resize``
calls it with exactly that scale and no translation), compared with the drop-in's.
"""

import os

import numpy as np
import pytest

import required
import sweep_sizes
from sweep_sizes import LENGTHS

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from upsample.compat import cv2 as ucv2  # noqa: E402
from upsample.compat import jax as ujax  # noqa: E402
from upsample.compat import pillow as upil  # noqa: E402
from upsample.compat import tf as utf  # noqa: E402

PAIRS, PERM = sweep_sizes.table()


def _calls(dtype, seed):
    """(x, (out_h, out_w)) for every k: H pair PAIRS[k], W pair PAIRS[PERM[k]]."""
    rng = np.random.default_rng(seed)
    for k, (in_h, out_h) in enumerate(PAIRS):
        in_w, out_w = PAIRS[PERM[k]]
        if np.dtype(dtype).kind == "f":
            x = rng.standard_normal((in_h, in_w)).astype(dtype)
        else:
            x = rng.integers(0, np.iinfo(dtype).max, (in_h, in_w), endpoint=True).astype(dtype)
        yield x, (out_h, out_w)


def _sweep(ours, theirs, dtype, seed=0, levels=0):
    """Run both over every call; return the calls that differ (none, to pass). Integers must
    agree byte for byte, or within ``levels``."""
    bad = []
    for x, size in _calls(dtype, seed):
        a, b = np.asarray(ours(x, size)), np.asarray(theirs(x, size))
        if a.shape != b.shape or a.dtype != b.dtype:
            bad.append((x.shape, size, f"{a.shape} {a.dtype} vs {b.shape} {b.dtype}"))
        elif a.dtype.kind == "f":
            if np.abs(a.astype(np.float64) - b).max(initial=0) > 1e-5 * max(1.0, np.abs(b).max(initial=0)):
                bad.append((x.shape, size, "values"))
        elif np.abs(a.astype(np.int64) - b).max(initial=0) > levels:
            bad.append((x.shape, size, f"{int((a != b).sum())} bytes"))
    return bad


def _assert_clean(bad):
    assert not bad, f"{len(bad)} of {len(PAIRS)} calls differ, e.g. {bad[:3]}"


# --------------------------------------------------------------------------- OpenCV

cv2 = required.module("cv2")
CV2_FLAGS = [
    "INTER_NEAREST",
    "INTER_NEAREST_EXACT",
    "INTER_LINEAR",
    "INTER_CUBIC",
    "INTER_AREA",
    "INTER_LANCZOS4",  # exact with Intel IPP on, as the wheel runs it (and with it off)
    "INTER_LINEAR_EXACT",
]


@pytest.mark.parametrize(
    "dtype", [np.float32, np.float64, np.uint8, np.uint16, np.int16], ids=lambda d: np.dtype(d).name
)
@pytest.mark.parametrize("flag", CV2_FLAGS)
def test_opencv(flag, dtype):
    code = getattr(cv2, flag)
    assert getattr(ucv2, flag) == code
    # against OpenCV's own code (resize.cpp): the pip wheels hand INTER_CUBIC on uint8 and
    # INTER_LINEAR / INTER_CUBIC on 16-bit images to Intel IPP, whose rounding differs by one
    # level in some pixels (test_compat_cv2.py checks that one level)
    own = cv2.ipp.useIPP() and (
        (flag == "INTER_CUBIC" and np.dtype(dtype) == np.uint8)
        or (flag in ("INTER_LINEAR", "INTER_CUBIC") and dtype in (np.uint16, np.int16))
    )
    if own:
        cv2.ipp.setUseIPP(False)
    try:
        _assert_clean(
            _sweep(
                lambda x, s: ucv2.resize(x, s[::-1], interpolation=code),
                lambda x, s: cv2.resize(x, s[::-1], interpolation=code),
                dtype,
            ),
        )
    finally:
        if own:
            cv2.ipp.setUseIPP(True)


# --------------------------------------------------------------------------- Pillow

from PIL import Image  # noqa: E402

PIL_FILTERS = ["NEAREST", "BOX", "BILINEAR", "HAMMING", "BICUBIC", "LANCZOS"]


@pytest.mark.parametrize("dtype", [np.float32, np.uint8, np.uint16], ids=["F", "L", "I;16"])
@pytest.mark.parametrize("name", PIL_FILTERS)
def test_pillow(name, dtype):
    code = getattr(Image.Resampling, name)
    assert getattr(upil, name) == code
    _assert_clean(
        _sweep(
            lambda x, s: upil.resize(x, s[::-1], code),
            lambda x, s: np.asarray(Image.fromarray(x).resize(s[::-1], code)),
            dtype,
        ),
    )


# --------------------------------------------------------------------------- TensorFlow

tf = required.module("tensorflow")
TF2 = [
    (m, False)
    for m in ["nearest", "area", "bilinear", "bicubic", "lanczos3", "lanczos5", "gaussian", "mitchellcubic"]
] + [(m, True) for m in ["bilinear", "bicubic", "lanczos3", "lanczos5", "gaussian", "mitchellcubic"]]


@pytest.mark.parametrize("method, antialias", TF2)
def test_tf2(method, antialias):
    _assert_clean(
        _sweep(
            lambda x, s: utf.image.resize(x[..., None], s, method, antialias=antialias),
            lambda x, s: tf.image.resize(x[..., None], s, method, antialias=antialias).numpy(),
            np.float32,
        )
    )


TF1 = [
    (f, flags)
    for f in ["bilinear", "nearest_neighbor", "bicubic"]
    for flags in [{}, {"align_corners": True}, {"half_pixel_centers": True}]
] + [("area", {}), ("area", {"align_corners": True})]


@pytest.mark.parametrize(
    "name, flags", TF1, ids=lambda v: v if isinstance(v, str) else "-".join(v) or "default"
)
def test_tf1(name, flags):
    theirs = getattr(tf.compat.v1.image, f"resize_{name}")
    ours = getattr(utf.compat.v1.image, f"resize_{name}")
    _assert_clean(
        _sweep(
            lambda x, s: ours(x[None, ..., None], s, **flags),
            lambda x, s: theirs(x[None, ..., None], s, **flags).numpy(),
            np.float32,
        )
    )


# --------------------------------------------------------------------------- JAX

jax = required.module("jax")
JAX = [("nearest", True), ("area", True)] + [
    (m, aa) for m in ["linear", "cubic", "cubic-pytorch", "lanczos3", "lanczos5"] for aa in (True, False)
]


@pytest.fixture(scope="module")
def jax_weights():
    """For every input length i: jax's (method, antialias) -> weight matrices (i -> o) for
    every o in 1..33, from one compiled function per i."""
    import jax.numpy as jnp

    def weights(eye, scales):
        out = {}
        for method, antialias in JAX:
            if method == "nearest":
                continue
            one = lambda s: jax.image.scale_and_translate(  # noqa: E731  (33, i) rows: outputs
                eye,
                (len(LENGTHS), eye.shape[1]),
                (0,),
                s[None],
                jnp.zeros(1, jnp.float32),
                method,
                antialias=antialias,
            )
            out[method, antialias] = jax.vmap(one)(scales)
        return out

    compiled = jax.jit(weights)
    scales = np.array(list(LENGTHS), dtype=np.float64)
    return {
        i: {
            key: np.asarray(value)
            for key, value in compiled(np.eye(i, dtype=np.float32), (scales / i).astype(np.float32)).items()
        }
        for i in LENGTHS
    }


@pytest.mark.parametrize("method, antialias", JAX)
def test_jax(method, antialias, jax_weights):
    bad = []
    for i in LENGTHS:
        eye = np.eye(i, dtype=np.float32)
        for o in LENGTHS:
            ours = ujax.image.resize(eye, (o, i), method, antialias=antialias)
            if method == "nearest":  # a gather: its index from the real call,
                if o not in (7, 25, 2 * i):  # which compiles per shape: three o per i
                    continue
                theirs = np.asarray(jax.image.resize(np.arange(i, dtype=np.float32), (o,), "nearest"))
                ok = np.array_equal(ours.argmax(axis=1), theirs.astype(int))
            else:
                theirs = jax_weights[i][method, antialias][o - 1, :o] if o != i else eye
                ok = np.abs(ours - theirs).max() <= 1e-5
            if not ok:
                bad.append((i, o))
    _assert_clean(bad)
