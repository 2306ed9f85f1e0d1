"""The "code" panel: lines that reproduce the page's result in upsample, PyTorch, TensorFlow and JAX.

Each snippet is self-contained (imports, the page's arrays as literals, the call) and
leaves the result in ``y`` as an ``(N, C, H, W)`` array equal to the page's output
(``tests/test_web_code.py`` runs every snippet in its framework and compares). The
geometry is resolved by :mod:`upsample.shapes` first, so ``padding="same"`` and
``(lo, hi)`` pairs become the explicit crops or pads each framework needs. Where a
framework has no call that gives the same numbers, the snippet is None and the note
says why. Only numbers and fixed names go into the text; nothing typed by a user does.

Layouts: PyTorch and upsample are NCHW with conv weights (C_out, C_in/G, kH, kW) and
transposed-conv weights (C_in, C_out/G, kH, kW). TensorFlow is NHWC with filters
(kH, kW, C_in/G, C_out) for ``tf.nn.conv2d`` and (kH, kW, C_out, C_in) for
``tf.nn.conv2d_transpose``, which is the gradient of conv2d, so the kernel is not
flipped. JAX's ``lax.conv_general_dilated`` with ``lhs_dilation`` (zeros between the
inputs) is a transposed convolution when the kernel is flipped and its channel axes
swapped; padding ``d*(k-1) - p`` on each side (negative crops).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _args, shapes

__all__ = ["FRAMEWORKS", "snippets"]

FRAMEWORKS = ("upsample", "torch", "tensorflow", "jax")

Snippet = tuple[str | None, str]


def _literal(array: np.ndarray) -> str:
    return repr(np.asarray(array).tolist())


def _tuple(values: tuple[int, ...]) -> str:
    return f"({', '.join(map(str, values))})"


def _py(value: Any) -> str:
    """A setting as Python source: ints, floats, tuples, "same"; never user text."""
    if isinstance(value, str):
        if value not in ("same", "valid", "nearest", "nearest-exact", "linear", "cubic", "area",
                         "bilinear", "bicubic", "torch"):
            raise ValueError(f"not a known setting: {value!r}")
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_py(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, (bool, int, float, np.integer, np.floating)) or value is None:
        return repr(value if not isinstance(value, (np.integer, np.floating)) else value.item())
    raise ValueError(f"not a setting: {value!r}")


def _kwargs(pairs: list[tuple[str, Any, Any]]) -> str:
    """``, stride=2, padding=1`` for the settings that differ from their defaults."""
    return "".join(f", {name}={_py(value)}" for name, value, default in pairs if value != default)


class _Geometry:
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
            self.pads, self.a = shapes.conv_transpose_padding(size, self.k, self.s, s["padding"],
                                                              s["output_padding"], self.d)
        self.symmetric = all(lo == hi for lo, hi in self.pads)
        self.p = tuple(lo for lo, _ in self.pads)
        # the uncropped transposed output, (i - 1)*s + d*(k - 1) + 1 per axis
        self.full = tuple((i - 1) * s_ + d_ * (k_ - 1) + 1 for i, s_, d_, k_ in zip(size, self.s, self.d, self.k))


# --------------------------------------------------------------------------- upsample

def _upsample(op: str, x, w, idx, s: dict[str, Any], out) -> Snippet:
    lines = ["import numpy as np", "import upsample", "",
             f"x = np.array({_literal(x[None])}, dtype=float)   # (N, C, H, W)"]
    if op in ("conv", "conv_transpose"):
        layout = "(C_out, C_in/groups, kH, kW)" if op == "conv" else "(C_in, C_out/groups, kH, kW)"
        lines.append(f"w = np.array({_literal(w)}, dtype=float)   # {layout}")
        extra = [("stride", s["stride"], 1), ("padding", s["padding"], 0)]
        if op == "conv_transpose":
            extra.append(("output_padding", s["output_padding"], 0))
        extra += [("dilation", s["dilation"], 1), ("groups", s["groups"], 1)]
        lines.append(f"y = upsample.{op}(x, w{_kwargs(extra)})")
    elif op in ("nearest", "bed_of_nails"):
        lines.append(f"y = upsample.{op}(x, {_py(s['scale_factor'])})")
    elif op == "bilinear":
        lines.append(f"y = upsample.bilinear(x, {_py(s['scale_factor'])}"
                     f"{_kwargs([('align_corners', s['align_corners'], False)])})")
    elif op == "interpolate":
        ac = s["align_corners"] if s["mode"] in ("linear", "cubic") else None
        lines.append(f"y = upsample.interpolate(x, scale_factor={_py(s['scale_factor'])}, "
                     f"mode={_py(s['mode'])}{_kwargs([('align_corners', ac, None)])})")
    elif op == "max_pool":
        lines.append(f"y, indices = upsample.max_pool(x, {_py(s['kernel_size'])}"
                     f"{_kwargs(_pool_kwargs(s))}, return_indices=True)")
    elif op == "max_unpool":
        lines.append(f"indices = np.array({_literal(idx[None])})")
        lines.append(f"y = upsample.max_unpool(x, indices, {_py(s['kernel_size'])}"
                     f"{_kwargs([('stride', s['stride'], None), ('padding', s['padding'], 0)])})")
    else:
        lines.append(f"y = upsample.pixel_shuffle(x, {_py(s['upscale_factor'])})")
    return "\n".join(lines), "the page's own call"


def _pool_kwargs(s):
    return [("stride", s["stride"], None), ("padding", s["padding"], 0),
            ("dilation", s["dilation"], 1), ("ceil_mode", s["ceil_mode"], False)]


# --------------------------------------------------------------------------- PyTorch

_TORCH_MODES = {"nearest": "nearest", "nearest-exact": "nearest-exact", "linear": "bilinear",
                "cubic": "bicubic", "area": "area"}


def _torch(op: str, x, w, idx, s: dict[str, Any], out) -> Snippet:
    lines = ["import torch", "import torch.nn.functional as F", "",
             f"x = torch.tensor({_literal(x[None])}, dtype=torch.float64)   # (N, C, H, W)"]
    note = "torch.nn.functional, the semantics upsample follows"
    if op in ("conv", "conv_transpose"):
        geo = _Geometry(op, x, w, s)
        layout = "(C_out, C_in/groups, kH, kW)" if op == "conv" else "(C_in, C_out/groups, kH, kW)"
        lines.append(f"w = torch.tensor({_literal(w)}, dtype=torch.float64)   # {layout}")
        common = [("stride", geo.s, (1, 1))]
        tail = [("dilation", geo.d, (1, 1)), ("groups", geo.g, 1)]
        if op == "conv":
            if geo.symmetric:
                lines.append(f"y = F.conv2d(x, w{_kwargs(common + [('padding', geo.p, (0, 0))] + tail)})")
            else:
                (t, b), (le, r) = geo.pads
                lines.append(f"x = F.pad(x, ({le}, {r}, {t}, {b}))   # (left, right, top, bottom): "
                             "uneven padding")
                lines.append(f"y = F.conv2d(x, w{_kwargs(common + tail)})")
                note += "; F.conv2d pads evenly, so the uneven padding is an F.pad first"
        else:
            a = [("output_padding", geo.a, (0, 0))]
            if geo.symmetric:
                lines.append(f"y = F.conv_transpose2d(x, w{_kwargs(common + [('padding', geo.p, (0, 0))] + a + tail)})")
            else:
                (t, b), (le, r) = geo.pads
                lines.append(f"y = F.conv_transpose2d(x, w{_kwargs(common + a + tail)})   # uncropped")
                lines.append(f"y = y[:, :, {t}:y.shape[2] - {b}, {le}:y.shape[3] - {r}]   "
                             "# padding crops (top, bottom), (left, right)")
                note += "; F.conv_transpose2d crops evenly, so the uneven crop is a slice after"
    elif op in ("nearest", "bilinear", "interpolate"):
        mode = {"nearest": "nearest", "bilinear": "linear"}.get(op) or s["mode"]
        ac = s["align_corners"] if mode in ("linear", "cubic") else None
        lines.append(f"y = F.interpolate(x, scale_factor={_py(s['scale_factor'])}, "
                     f"mode={_py(_TORCH_MODES[mode])}{_kwargs([('align_corners', ac, None)])})")
    elif op == "bed_of_nails":
        factors = _integer_factors(s["scale_factor"])
        if factors is None:
            return None, "PyTorch has no bed-of-nails op; the slice below needs whole scale factors"
        f0, f1 = factors
        lines.append(f"y = torch.zeros(x.shape[0], x.shape[1], x.shape[2] * {f0}, x.shape[3] * {f1}, "
                     "dtype=x.dtype)")
        lines.append(f"y[:, :, ::{f0}, ::{f1}] = x   # each value at the top-left of its cell")
        note = "no bed-of-nails op in PyTorch: a strided assignment into zeros"
    elif op == "max_pool":
        kwargs = _kwargs(_pool_kwargs(s))
        lines.append(f"y, indices = F.max_pool2d(x, {_py(s['kernel_size'])}{kwargs}, return_indices=True)")
    elif op == "max_unpool":
        lines.append(f"indices = torch.tensor({_literal(idx[None])})")
        lines.append(f"y = F.max_unpool2d(x, indices, {_py(s['kernel_size'])}"
                     f"{_kwargs([('stride', s['stride'], None), ('padding', s['padding'], 0)])}, "
                     f"output_size={_tuple(out[1:])})")
    else:
        lines.append(f"y = F.pixel_shuffle(x, {_py(s['upscale_factor'])})")
    return "\n".join(lines), note


def _integer_factors(value: Any) -> tuple[int, int] | None:
    factors = value if isinstance(value, tuple) else (value, value)
    if len(factors) != 2 or any(float(f) != int(f) or f < 1 for f in factors):
        return None
    return int(factors[0]), int(factors[1])


# --------------------------------------------------------------------------- TensorFlow

_TF_HEAD = ["import tensorflow as tf", ""]


def _tf_x(x) -> list[str]:
    return [f"x = tf.constant({_literal(x[None])}, tf.float32)   # (N, C, H, W), as on the page",
            "x = tf.transpose(x, (0, 2, 3, 1))   # NCHW -> NHWC, TensorFlow's layout"]


_TF_BACK = "y = tf.transpose(y, (0, 3, 1, 2))   # NHWC -> NCHW, as on the page"


def _same_positions(x, s) -> bool:
    """Do torch's sample positions (scale 1/scale_factor) equal the in/out-size ones others use?"""
    factors = s["scale_factor"] if isinstance(s["scale_factor"], tuple) else (s["scale_factor"],) * 2
    return all(float(i * f).is_integer() for i, f in zip(x.shape[1:], factors))


def _tensorflow(op: str, x, w, idx, s: dict[str, Any], out) -> Snippet:
    lines = list(_TF_HEAD) + _tf_x(x)
    c_out, h_out, w_out = out
    if op in ("conv", "conv_transpose"):
        geo = _Geometry(op, x, w, s)
        lines.append(f"w = tf.constant({_literal(w)}, tf.float32)   # PyTorch's layout")
        if op == "conv":
            lines.append("w = tf.transpose(w, (2, 3, 1, 0))   # (C_out, C_in/G, kH, kW) -> "
                         "(kH, kW, C_in/G, C_out)")
            (t, b), (le, r) = geo.pads
            pad = f"[[0, 0], [{t}, {b}], [{le}, {r}], [0, 0]]"
            strides = geo.s
            if max(geo.s) > 1 and max(geo.d) > 1:   # tf.nn.conv2d takes one or the other
                strides = (1, 1)
            lines.append(f"y = tf.nn.conv2d(x, w, strides={_tuple(strides)}, padding={pad}, "
                         f"dilations={_tuple(geo.d)})")
            note = "tf.nn.conv2d with explicit padding; grouped when the filter has C_in/G channels"
            if strides != geo.s:
                lines.append(f"y = y[:, ::{geo.s[0]}, ::{geo.s[1]}, :]   # the stride, after")
                note += "; it has no stride with dilation, so the stride is a slice after"
        else:
            g = geo.g
            per = c_out // g
            shape = f"(1, {geo.full[0]}, {geo.full[1]}, {per})"
            call = (f"tf.nn.conv2d_transpose({{x}}, {{w}}, output_shape={shape}, strides={_tuple(geo.s)}, "
                    f"padding=\"VALID\", dilations={_tuple(geo.d)})")
            lines.append("w = tf.transpose(w, (2, 3, 1, 0))   # (C_in, C_out/G, kH, kW) -> "
                         "(kH, kW, C_out/G, C_in), not flipped")
            if g == 1:
                lines.append("y = " + call.format(x="x", w="w") + "   # uncropped")
            else:
                lines.append(f"y = tf.concat([{call.format(x='xg', w='wg')}")
                lines.append(f"               for xg, wg in zip(tf.split(x, {g}, axis=3), "
                             f"tf.split(w, {g}, axis=3))], axis=3)   # one per group, uncropped")
            (t, b), (le, r) = geo.pads
            a0, a1 = geo.a
            if a0 or a1:
                lines.append(f"y = tf.pad(y, [[0, 0], [0, {a0}], [0, {a1}], [0, 0]])   # output_padding")
            if t or b or le or r:
                lines.append(f"y = y[:, {t}:{geo.full[0] + a0 - b}, {le}:{geo.full[1] + a1 - r}, :]   "
                             "# padding crops")
            note = ("tf.nn.conv2d_transpose with VALID padding (the uncropped result), then "
                    "output_padding and padding as a pad and a slice"
                    + ("; groups by tf.split, since it has no groups" if g > 1 else ""))
        lines.append(_TF_BACK)
        return "\n".join(lines), note
    if op in ("nearest", "bilinear", "interpolate"):
        mode = {"nearest": "nearest", "bilinear": "linear"}.get(op) or s["mode"]
        ac = bool(s["align_corners"]) if mode in ("linear", "cubic") else False
        if not _same_positions(x, s):
            return None, ("torch places the samples by 1 / scale_factor; TensorFlow by the sizes "
                          "in / out, which differ when input x scale_factor is not whole")
        size = f"({h_out}, {w_out})"
        if mode == "nearest":
            call = f"tf.compat.v1.image.resize_nearest_neighbor(x, {size})   # floor(o * in / out)"
        elif mode == "nearest-exact":
            call = f"tf.image.resize(x, {size}, method=\"nearest\")   # half-pixel centres"
        elif mode == "linear" and not ac:
            if h_out < x.shape[1] or w_out < x.shape[2]:
                call = f"tf.image.resize(x, {size}, method=\"bilinear\", antialias=False)"
            else:
                call = f"tf.image.resize(x, {size}, method=\"bilinear\")"
        elif mode == "linear":
            call = f"tf.compat.v1.image.resize_bilinear(x, {size}, align_corners=True)"
        else:
            return None, ("no TensorFlow resize gives torch's cubic (Keys a = -0.75, torch's border "
                          "clamping); tf.image.resize's bicubic uses a = -0.5, and the legacy "
                          "align_corners kernel differs in the second decimal" if mode == "cubic"
                          else "tf.image.resize's area is not torch's adaptive average pooling")
        lines.append(f"y = {call}")
        lines.append(_TF_BACK)
        return "\n".join(lines), "tf.image / tf.compat.v1.image resize with the page's output size"
    if op == "bed_of_nails":
        factors = _integer_factors(s["scale_factor"])
        if factors is None:
            return None, "the reshape below needs whole scale factors"
        f0, f1 = factors
        lines[-1] = "# stays NCHW: each value gets f-1 zeros after it along each axis, then a reshape"
        lines.append(f"y = tf.pad(x[:, :, :, None, :, None], [[0, 0]] * 3 + [[0, {f0 - 1}], [0, 0], "
                     f"[0, {f1 - 1}]])   # (N, C, H, f, W, f)")
        lines.append(f"y = tf.reshape(y, (1, {c_out}, {h_out}, {w_out}))")
        return "\n".join(lines), "no bed-of-nails op in TensorFlow: zeros by tf.pad and a reshape"
    if op == "max_pool":
        k = _args.int_tuple("max_pool", "kernel_size", s["kernel_size"], 2)
        st = k if s["stride"] is None else _args.int_tuple("max_pool", "stride", s["stride"], 2)
        p = _args.int_tuple("max_pool", "padding", s["padding"], 2)
        d = _args.int_tuple("max_pool", "dilation", s["dilation"], 2)
        if max(d) > 1:
            return None, "tf.nn.max_pool2d has no dilation"
        hi = [(o - 1) * ss + dd * (kk - 1) + 1 - i - pp
              for o, ss, dd, kk, i, pp in zip((h_out, w_out), st, d, k, x.shape[1:], p)]
        if any(p) or any(hi):
            lines.append(f"x = tf.pad(x, [[0, 0], [{p[0]}, {hi[0]}], [{p[1]}, {hi[1]}], [0, 0]], "
                         "constant_values=-float(\"inf\"))   # padding (and ceil_mode) never wins")
        lines.append(f"y = tf.nn.max_pool2d(x, ksize={_tuple(k)}, strides={_tuple(st)}, padding=\"VALID\")")
        lines.append(_TF_BACK)
        return "\n".join(lines), "tf.nn.max_pool2d (the values; its argmax indices count NHWC positions)"
    if op == "max_unpool":
        lines[-1] = "# stays NCHW: a scatter per plane at the flat indices"
        lines.append(f"indices = tf.constant({_literal(idx[None])}, tf.int64)")
        n_planes = x.shape[0]
        lines.append(f"planes = tf.repeat(tf.range({n_planes}, dtype=tf.int64)[:, None], {x[0].size}, axis=1)")
        lines.append(f"where = tf.stack([planes, tf.reshape(indices, ({n_planes}, -1))], axis=-1)")
        lines.append(f"y = tf.tensor_scatter_nd_update(tf.zeros(({n_planes}, {h_out * w_out})), where, "
                     f"tf.reshape(x, ({n_planes}, -1)))")
        lines.append(f"y = tf.reshape(y, (1, {c_out}, {h_out}, {w_out}))")
        return "\n".join(lines), ("tf.tensor_scatter_nd_update (with repeated indices TensorFlow does "
                                  "not say which value wins; upsample keeps the last)")
    r = _args.int_tuple("pixel_shuffle", "upscale_factor", s["upscale_factor"], 1)[0]
    c = x.shape[0] // (r * r)
    h, w_ = x.shape[1:]
    lines.append(f"x = tf.reshape(tf.transpose(tf.reshape(x, (1, {h}, {w_}, {c}, {r * r})), "
                 f"(0, 1, 2, 4, 3)), (1, {h}, {w_}, {c * r * r}))   # channels c*r*r + j -> j*C + c")
    lines.append(f"y = tf.nn.depth_to_space(x, {r})")
    lines.append(_TF_BACK)
    return "\n".join(lines), ("tf.nn.depth_to_space, after reordering the channels: it reads them "
                              "offset-major (DCR), PyTorch channel-major (CRD)")


# --------------------------------------------------------------------------- JAX

def _jax(op: str, x, w, idx, s: dict[str, Any], out) -> Snippet:
    lines = ["import jax", "import jax.numpy as jnp", "from jax import lax", "",
             f"x = jnp.array({_literal(x[None])}, jnp.float32)   # (N, C, H, W)"]
    c_out, h_out, w_out = out
    dims = '("NCHW", "OIHW", "NCHW")'
    if op in ("conv", "conv_transpose"):
        geo = _Geometry(op, x, w, s)
        lines.append(f"w = jnp.array({_literal(w)}, jnp.float32)   # PyTorch's layout")
        if op == "conv":
            pads = ", ".join(f"({lo}, {hi})" for lo, hi in geo.pads)
            lines.append(f"y = lax.conv_general_dilated(x, w, window_strides={_tuple(geo.s)}, "
                         f"padding=({pads}), rhs_dilation={_tuple(geo.d)},")
            lines.append(f"                             dimension_numbers={dims}, "
                         f"feature_group_count={geo.g})")
            return "\n".join(lines), "lax.conv_general_dilated, NCHW and OIHW like PyTorch"
        c_in = w.shape[0]
        g, per = geo.g, w.shape[1]
        kh, kw = geo.k
        lines.append(f"w = w.reshape({g}, {c_in // g}, {per}, {kh}, {kw}).swapaxes(1, 2)"
                     f".reshape({g * per}, {c_in // g}, {kh}, {kw})   # -> (C_out, C_in/G, kH, kW)")
        lines.append("w = w[:, :, ::-1, ::-1]   # flipped in both spatial axes")
        pads = ", ".join(f"({d_ * (k_ - 1) - lo}, {d_ * (k_ - 1) - hi + a_})"
                         for (lo, hi), d_, k_, a_ in zip(geo.pads, geo.d, geo.k, geo.a))
        lines.append(f"y = lax.conv_general_dilated(x, w, window_strides=(1, 1), padding=({pads}),")
        lines.append(f"                             lhs_dilation={_tuple(geo.s)}, "
                     f"rhs_dilation={_tuple(geo.d)},")
        lines.append(f"                             dimension_numbers={dims}, feature_group_count={g})")
        return "\n".join(lines), ("a transposed convolution is a convolution of the input spread by the "
                                  "stride (lhs_dilation) with the flipped kernel, padded d*(k-1) - p "
                                  "(+ output_padding after)")
    if op in ("nearest", "bilinear", "interpolate"):
        mode = {"nearest": "nearest", "bilinear": "linear"}.get(op) or s["mode"]
        ac = bool(s["align_corners"]) if mode in ("linear", "cubic") else False
        if not _same_positions(x, s):
            return None, ("torch places the samples by 1 / scale_factor; jax.image.resize by the "
                          "sizes in / out, which differ when input x scale_factor is not whole")
        upsampling = h_out >= x.shape[1] and w_out >= x.shape[2]
        factors = s["scale_factor"] if isinstance(s["scale_factor"], tuple) else (s["scale_factor"],) * 2
        whole = all(float(f).is_integer() for f in factors)
        if mode == "nearest-exact" or (mode == "nearest" and whole):
            method = "nearest"
        elif mode == "linear" and not ac and upsampling:
            method = "linear"
        else:
            return None, {"cubic": "jax.image.resize's cubic uses Keys a = -0.5 (torch: -0.75)",
                          "area": "jax.image.resize has no area mode"}.get(
                mode, "jax.image.resize has half-pixel centres only and antialiases when "
                      "downsampling: no call gives torch's numbers here")
        lines.append(f"y = jax.image.resize(x, (1, {c_out}, {h_out}, {w_out}), method=\"{method}\")")
        note = "jax.image.resize (half-pixel centres"
        note += "; for whole factors torch's nearest picks the same cells)" if mode == "nearest" else ")"
        return "\n".join(lines), note
    if op == "bed_of_nails":
        factors = _integer_factors(s["scale_factor"])
        if factors is None:
            return None, "the strided update below needs whole scale factors"
        f0, f1 = factors
        lines.append(f"y = jnp.zeros((1, {c_out}, {h_out}, {w_out}), x.dtype).at[:, :, ::{f0}, ::{f1}].set(x)")
        return "\n".join(lines), "no bed-of-nails op in JAX: a strided .at[].set into zeros"
    if op == "max_pool":
        k = _args.int_tuple("max_pool", "kernel_size", s["kernel_size"], 2)
        st = k if s["stride"] is None else _args.int_tuple("max_pool", "stride", s["stride"], 2)
        p = _args.int_tuple("max_pool", "padding", s["padding"], 2)
        d = _args.int_tuple("max_pool", "dilation", s["dilation"], 2)
        hi = [(o - 1) * ss + dd * (kk - 1) + 1 - i - pp
              for o, ss, dd, kk, i, pp in zip((h_out, w_out), st, d, k, x.shape[1:], p)]
        lines.append(f"y = lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, {k[0]}, {k[1]}), "
                     f"(1, 1, {st[0]}, {st[1]}),")
        lines.append(f"                      padding=((0, 0), (0, 0), ({p[0]}, {hi[0]}), ({p[1]}, {hi[1]})), "
                     f"window_dilation=(1, 1, {d[0]}, {d[1]}))")
        return "\n".join(lines), "lax.reduce_window with max (the values; JAX has no argmax pooling)"
    if op == "max_unpool":
        n_planes = x.shape[0]
        lines.append(f"indices = jnp.array({_literal(idx[None])})")
        lines.append(f"y = jnp.zeros(({n_planes}, {h_out * w_out}), x.dtype).at["
                     f"jnp.arange({n_planes})[:, None], indices.reshape({n_planes}, -1)]"
                     f".set(x.reshape({n_planes}, -1))")
        lines.append(f"y = y.reshape(1, {c_out}, {h_out}, {w_out})")
        return "\n".join(lines), ("a scatter per plane with .at[].set (with repeated indices JAX does "
                                  "not say which value wins; upsample keeps the last)")
    r = _args.int_tuple("pixel_shuffle", "upscale_factor", s["upscale_factor"], 1)[0]
    c = x.shape[0] // (r * r)
    h, w_ = x.shape[1:]
    lines.append(f"y = x.reshape(1, {c}, {r}, {r}, {h}, {w_}).transpose(0, 1, 4, 2, 5, 3)"
                 f".reshape(1, {c}, {h * r}, {w_ * r})   # (N, C, r, r, H, W) -> (N, C, H, r, W, r)")
    return "\n".join(lines), "a reshape and a transpose (JAX has no pixel-shuffle op)"


_MAKERS: dict[str, Callable[..., Snippet]] = {
    "upsample": _upsample, "torch": _torch, "tensorflow": _tensorflow, "jax": _jax,
}


def snippets(op: str, x: np.ndarray, w: np.ndarray | None, idx: np.ndarray | None,
             settings: dict[str, Any], out_shape: tuple[int, ...]) -> dict[str, dict[str, Any]]:
    """``{framework: {"code": text or None, "note": why}}`` for the page's current call.

    ``x`` is (C, H, W), ``w`` the op's full weight layout, ``out_shape`` the page's output
    (C, H, W). Settings other than torch's default convention have no snippets yet.
    """
    if settings.get("convention", "torch") != "torch":
        return {name: {"code": None, "note": "the code panel covers the torch convention"}
                for name in FRAMEWORKS}
    answer = {}
    for name, maker in _MAKERS.items():
        code, note = maker(op, x, w, idx, settings, tuple(out_shape))
        answer[name] = {"code": code, "note": note}
    return answer
