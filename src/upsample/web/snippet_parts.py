"""The pieces every code snippet is built from: settings as Python source (numbers and fixed
names only, never user text), the page's call, a convolution's and a pooling window's resolved
geometry, and each framework's first lines. :mod:`upsample.web.code` composes them per op."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _args, shapes


def literal(array: np.ndarray) -> str:
    return repr(np.asarray(array).tolist())


def tuple_source(values: tuple[int, ...]) -> str:
    return f"({', '.join(map(str, values))})"


def source(value: Any) -> str:
    """A setting as Python source: ints, floats, tuples, "same"; never user text."""
    if isinstance(value, str):
        if value not in (
            "same",
            "valid",
            "nearest",
            "nearest-exact",
            "linear",
            "cubic",
            "area",
            "bilinear",
            "bicubic",
            "torch",
        ):
            raise ValueError(f"not a known setting: {value!r}")
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(source(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, (bool, int, float, np.integer, np.floating)) or value is None:
        return repr(value if not isinstance(value, (np.integer, np.floating)) else value.item())
    raise ValueError(f"not a setting: {value!r}")


def kwargs_source(pairs: list[tuple[str, Any, Any]]) -> str:
    """``, stride=2, padding=1`` for the settings that differ from their defaults."""
    return "".join(f", {name}={source(value)}" for name, value, default in pairs if value != default)


@dataclass(frozen=True)
class Call:
    """The page's current call: what every snippet is written from.

    ``x`` is (C, H, W), ``w`` the op's full weight layout (or None), ``idx`` max_unpool's
    indices (C, H, W) (or None), ``s`` the page's settings, ``out`` the output's (C, H, W).
    """

    op: str
    x: np.ndarray
    w: np.ndarray | None
    idx: np.ndarray | None
    s: dict[str, Any]
    out: tuple[int, ...]


class Geometry:
    """A conv's resolved geometry per spatial axis (2-D): k, s, d, (lo, hi) pads, output_padding."""

    def __init__(self, op: str, x: np.ndarray, w: np.ndarray, s: dict[str, Any]):
        self.k = tuple(w.shape[2:])
        self.s = _args.int_tuple(op, "stride", s["stride"], 2)
        self.d = _args.int_tuple(op, "dilation", s["dilation"], 2)
        self.g = s["groups"]
        size = x.shape[1:]
        if op == "conv":
            self.pads = shapes.conv_padding(size, self.k, self.s, s["padding"], self.d)
            self.a = (0, 0)
        else:
            self.pads, self.a = shapes.conv_transpose_padding(
                size, self.k, self.s, s["padding"], s["output_padding"], self.d
            )
        self.symmetric = all(lo == hi for lo, hi in self.pads)
        self.p = tuple(lo for lo, _ in self.pads)
        # the uncropped transposed output, (i - 1)*s + d*(k - 1) + 1 per axis
        self.full = tuple(
            (i - 1) * s_ + d_ * (k_ - 1) + 1 for i, s_, d_, k_ in zip(size, self.s, self.d, self.k)
        )


class Window:
    """A pooling's resolved window per spatial axis (2-D): k, s (None: k), p, d.

    ``reach`` is how far the last of the page's ``o`` windows runs past the input's end,
    ``(o - 1)*s + d*(k - 1) + 1 - i - p``: the right padding a VALID pooling needs (more
    than ``p`` in ceil_mode; negative when the input's tail is in no window).
    """

    def __init__(self, c: Call):
        op, s = c.op, c.s
        self.k = _args.int_tuple(op, "kernel_size", s["kernel_size"], 2)
        self.s = self.k if s["stride"] is None else _args.int_tuple(op, "stride", s["stride"], 2)
        self.p = _args.int_tuple(op, "padding", s["padding"], 2)
        self.d = _args.int_tuple(op, "dilation", s.get("dilation", 1), 2)
        self.reach = [
            (o - 1) * ss + dd * (kk - 1) + 1 - i - pp
            for o, ss, dd, kk, i, pp in zip(c.out[1:], self.s, self.d, self.k, c.x.shape[1:], self.p)
        ]
        # zeros on the right for average pooling: p, or more where ceil_mode's last window
        # runs past the padding; that overhang is in no window's divisor
        self.right = [max(r, pp) for r, pp in zip(self.reach, self.p)]
        self.overhang = [r - pp for r, pp in zip(self.right, self.p)]


class NoSnippet(Exception):
    """A framework cannot write this call: the message says why (the panel shows it)."""


def whole_factors(value: Any, why: str) -> tuple[int, int]:
    """The two scale factors as ints, or NoSnippet(why) when either is not a whole number >= 1."""
    factors = value if isinstance(value, tuple) else (value, value)
    if len(factors) != 2 or any(float(f) != int(f) or f < 1 for f in factors):
        raise NoSnippet(why)
    return int(factors[0]), int(factors[1])


# --------------------------------------------------------------------------- each framework's first lines


def upsample_head(x) -> list[str]:
    return [
        "import numpy as np",
        "import upsample",
        "",
        f"x = np.array({literal(x[None])}, dtype=float)   # (N, C, H, W)",
    ]


def torch_head(x) -> list[str]:
    return [
        "import torch",
        "import torch.nn.functional as F",
        "",
        f"x = torch.tensor({literal(x[None])}, dtype=torch.float64)   # (N, C, H, W)",
    ]


TORCH_NOTE = "torch.nn.functional, the semantics upsample follows"


def tf_head(x, nchw: str | None = None) -> list[str]:
    """TensorFlow's imports and ``x`` in NHWC, or kept NCHW with the comment ``nchw`` saying why."""
    return [
        "import tensorflow as tf",
        "",
        f"x = tf.constant({literal(x[None])}, tf.float32)   # (N, C, H, W), as on the page",
        nchw or "x = tf.transpose(x, (0, 2, 3, 1))   # NCHW -> NHWC, TensorFlow's layout",
    ]


TF_BACK = "y = tf.transpose(y, (0, 3, 1, 2))   # NHWC -> NCHW, as on the page"


def jax_head(x) -> list[str]:
    return [
        "import jax",
        "import jax.numpy as jnp",
        "from jax import lax",
        "",
        f"x = jnp.array({literal(x[None])}, jnp.float32)   # (N, C, H, W)",
    ]


JAX_DIMS = '("NCHW", "OIHW", "NCHW")'
