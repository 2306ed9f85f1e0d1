"""The "code" panel: lines that reproduce the page's result in upsample, PyTorch, TensorFlow and JAX.

Each snippet is self-contained (imports, the page's arrays as literals, the call) and
leaves the result in ``y`` as an ``(N, C, H, W)`` array equal to the page's output
(``tests/test_web_code.py`` runs every snippet in its framework and compares). The
geometry is resolved by :mod:`upsample.shapes` first, so ``padding="same"`` and
``(lo, hi)`` pairs become the explicit crops or pads each framework needs. Where a
framework has no call that gives the same numbers, the snippet is None and the note
says why. Only numbers and fixed names go into the text; nothing typed by a user does.

Each op declares its snippets once: a :class:`_Snippets` class with one method per
framework in :data:`FRAMEWORKS`, registered under the op's name in :data:`upsample.ops.OPS`
(ops of one family share a class). :func:`snippets` finds an op through the table, so an
op without snippets is an error naming it, never another op's code.

Layouts: PyTorch and upsample are NCHW with conv weights (C_out, C_in/G, kH, kW) and
transposed-conv weights (C_in, C_out/G, kH, kW). TensorFlow is NHWC with filters
(kH, kW, C_in/G, C_out) for ``tf.nn.conv2d`` and (kH, kW, C_out, C_in) for
``tf.nn.conv2d_transpose``, which is the gradient of conv2d, so the kernel is not
flipped. JAX's ``lax.conv_general_dilated`` with ``lhs_dilation`` (zeros between the
inputs) is a transposed convolution when the kernel is flipped and its channel axes
swapped; padding ``d*(k-1) - p`` on each side (negative crops).
"""

from __future__ import annotations

import abc
from typing import Any

import numpy as np

from .. import _args
from ..ops import OPS
from .snippet_parts import (
    JAX_DIMS,
    TF_BACK,
    TORCH_NOTE,
    Call,
    Geometry,
    NoSnippet,
    Window,
    jax_head,
    kwargs_source,
    literal,
    source,
    tf_head,
    torch_head,
    tuple_source,
    upsample_head,
    whole_factors,
)

__all__ = ["FRAMEWORKS", "family", "snippets"]

FRAMEWORKS = ("upsample", "torch", "tensorflow", "jax")

Snippet = tuple[str | None, str]


# --------------------------------------------------------------------------- the table of snippets


class _Snippets(abc.ABC):
    """One op family's snippets: a method per framework in FRAMEWORKS, each ``(call) -> (code, note)``."""

    @abc.abstractmethod
    def upsample(self, c: Call) -> Snippet: ...

    @abc.abstractmethod
    def torch(self, c: Call) -> Snippet: ...

    @abc.abstractmethod
    def tensorflow(self, c: Call) -> Snippet: ...

    @abc.abstractmethod
    def jax(self, c: Call) -> Snippet: ...


_FAMILIES: dict[str, _Snippets] = {}


def _register(*names: str):
    """Class decorator: the class's snippets serve the ops ``names`` (rows of ``upsample.ops.OPS``)."""

    def add(cls: type[_Snippets]) -> type[_Snippets]:
        for name in names:
            if name not in OPS:
                raise ValueError(f"code: {name!r} is not a row of upsample.ops.OPS")
            _FAMILIES[name] = cls()
        return cls

    return add


def family(op: str) -> _Snippets:
    """The snippets ``op`` declares, found through its row in ``upsample.ops.OPS``."""
    if op not in OPS:
        raise ValueError(f"code: {op!r} is not an upsample op; the ops are: {', '.join(OPS)}")
    row = OPS[op]
    if row.name not in _FAMILIES:
        raise ValueError(f"code: {row.name} has no code snippets")
    return _FAMILIES[row.name]


def snippets(
    op: str,
    x: np.ndarray,
    w: np.ndarray | None,
    idx: np.ndarray | None,
    settings: dict[str, Any],
    out_shape: tuple[int, ...],
) -> dict[str, dict[str, Any]]:
    """``{framework: {"code": text or None, "note": why}}`` for the page's current call.

    ``x`` is (C, H, W), ``w`` the op's full weight layout, ``out_shape`` the page's output
    (C, H, W). Settings other than torch's default convention have no snippets yet. An op
    that is not in ``upsample.ops.OPS``, or declares no snippets, is a ValueError.
    """
    declared = family(op)
    if settings.get("convention", "torch") != "torch":
        return {
            name: {"code": None, "note": "the code panel covers the torch convention"} for name in FRAMEWORKS
        }
    call = Call(op, x, w, idx, settings, tuple(out_shape))
    answer = {}
    for name in FRAMEWORKS:
        try:
            code, note = getattr(declared, name)(call)
        except NoSnippet as why:
            code, note = None, str(why)
        answer[name] = {"code": code, "note": note}
    return answer


# --------------------------------------------------------------------------- convolution


class _Convolution(_Snippets, abc.ABC):
    """What conv and conv_transpose share: each framework's opening (the input, the weight in
    PyTorch's layout) and closing lines; a subclass writes only the lines between."""

    layout = ""  # the weight's axes, as upsample and PyTorch lay them out
    torch_op = ""  # the torch.nn.functional call
    torch_uneven = ""  # how the torch snippet makes uneven padding, for the note
    # the lines that make it: templates of torch's {call} without padding and the pads
    # {t}op, {b}ottom, {le}ft, {r}ight
    torch_uneven_lines: tuple[str, ...] = ()
    tf_filter = ""  # the comment on the weight's transposition into TensorFlow's filter

    def upsample(self, c: Call) -> Snippet:
        s = c.s
        lines = upsample_head(c.x)
        lines.append(f"w = np.array({literal(c.w)}, dtype=float)   # {self.layout}")
        extra = [("stride", s["stride"], 1), ("padding", s["padding"], 0)]
        if c.op == "conv_transpose":
            extra.append(("output_padding", s["output_padding"], 0))
        extra += [("dilation", s["dilation"], 1), ("groups", s["groups"], 1)]
        lines.append(f"y = upsample.{c.op}(x, w{kwargs_source(extra)})")
        return "\n".join(lines), "the page's own call"

    def torch(self, c: Call) -> Snippet:
        geo = Geometry(c.op, c.x, c.w, c.s)
        lines = torch_head(c.x)
        lines.append(f"w = torch.tensor({literal(c.w)}, dtype=torch.float64)   # {self.layout}")
        # conv's output_padding is always (0, 0), the default, so it never shows
        settings = [
            ("stride", geo.s, (1, 1)),
            ("padding", geo.p, (0, 0)),
            ("output_padding", geo.a, (0, 0)),
            ("dilation", geo.d, (1, 1)),
            ("groups", geo.g, 1),
        ]
        if geo.symmetric:
            lines.append(f"y = F.{self.torch_op}(x, w{kwargs_source(settings)})")
            return "\n".join(lines), TORCH_NOTE
        unpadded = [setting for setting in settings if setting[0] != "padding"]
        call = f"F.{self.torch_op}(x, w{kwargs_source(unpadded)})"
        (t, b), (le, r) = geo.pads
        lines += [line.format(call=call, t=t, b=b, le=le, r=r) for line in self.torch_uneven_lines]
        return "\n".join(lines), f"{TORCH_NOTE}; {self.torch_uneven}"

    def tensorflow(self, c: Call) -> Snippet:
        geo = Geometry(c.op, c.x, c.w, c.s)
        lines = tf_head(c.x)
        lines.append(f"w = tf.constant({literal(c.w)}, tf.float32)   # PyTorch's layout")
        lines.append(f"w = tf.transpose(w, (2, 3, 1, 0))   # {self.tf_filter}")
        between, note = self._tensorflow(c, geo)
        lines += between
        lines.append(TF_BACK)
        return "\n".join(lines), note

    @abc.abstractmethod
    def _tensorflow(self, c: Call, geo: Geometry) -> tuple[list[str], str]:
        """The lines from TensorFlow's filter ``w`` and NHWC ``x`` to NHWC ``y``, and the note."""

    def jax(self, c: Call) -> Snippet:
        geo = Geometry(c.op, c.x, c.w, c.s)
        lines = jax_head(c.x)
        lines.append(f"w = jnp.array({literal(c.w)}, jnp.float32)   # PyTorch's layout")
        weight, keywords, note = self._jax(c, geo)
        lines += weight
        keywords.append(f"dimension_numbers={JAX_DIMS}, feature_group_count={geo.g})")
        opening = "y = lax.conv_general_dilated("
        lines.append(f"{opening}x, w, {keywords[0]}")
        lines += [" " * len(opening) + row for row in keywords[1:]]
        return "\n".join(lines), note

    @abc.abstractmethod
    def _jax(self, c: Call, geo: Geometry) -> tuple[list[str], list[str], str]:
        """The lines that turn ``w`` into lax's kernel, the rows of lax.conv_general_dilated's
        keywords before its dimension numbers and groups, and the note."""


@_register("conv")
class _Conv(_Convolution):
    layout = "(C_out, C_in/groups, kH, kW)"
    torch_op = "conv2d"
    torch_uneven = "F.conv2d pads evenly, so the uneven padding is an F.pad first"
    tf_filter = "(C_out, C_in/G, kH, kW) -> (kH, kW, C_in/G, C_out)"

    torch_uneven_lines = (
        "x = F.pad(x, ({le}, {r}, {t}, {b}))   # (left, right, top, bottom): uneven padding",
        "y = {call}",
    )

    def _tensorflow(self, c: Call, geo: Geometry) -> tuple[list[str], str]:
        (t, b), (le, r) = geo.pads
        pad = f"[[0, 0], [{t}, {b}], [{le}, {r}], [0, 0]]"
        strides = geo.s
        if max(geo.s) > 1 and max(geo.d) > 1:  # tf.nn.conv2d takes one or the other
            strides = (1, 1)
        lines = [
            f"y = tf.nn.conv2d(x, w, strides={tuple_source(strides)}, padding={pad}, dilations={tuple_source(geo.d)})"
        ]
        note = "tf.nn.conv2d with explicit padding; grouped when the filter has C_in/G channels"
        if strides != geo.s:
            lines.append(f"y = y[:, ::{geo.s[0]}, ::{geo.s[1]}, :]   # the stride, after")
            note += "; it has no stride with dilation, so the stride is a slice after"
        return lines, note

    def _jax(self, c: Call, geo: Geometry) -> tuple[list[str], list[str], str]:
        pads = ", ".join(f"({lo}, {hi})" for lo, hi in geo.pads)
        keywords = [
            f"window_strides={tuple_source(geo.s)}, padding=({pads}), rhs_dilation={tuple_source(geo.d)},"
        ]
        return [], keywords, "lax.conv_general_dilated, NCHW and OIHW like PyTorch"


@_register("conv_transpose")
class _ConvTranspose(_Convolution):
    layout = "(C_in, C_out/groups, kH, kW)"
    torch_op = "conv_transpose2d"
    torch_uneven = "F.conv_transpose2d crops evenly, so the uneven crop is a slice after"
    tf_filter = "(C_in, C_out/G, kH, kW) -> (kH, kW, C_out/G, C_in), not flipped"

    torch_uneven_lines = (
        "y = {call}   # uncropped",
        "y = y[:, :, {t}:y.shape[2] - {b}, {le}:y.shape[3] - {r}]   # padding crops (top, bottom), (left, right)",
    )

    def _tensorflow(self, c: Call, geo: Geometry) -> tuple[list[str], str]:
        g = geo.g
        per = c.out[0] // g
        shape = f"(1, {geo.full[0]}, {geo.full[1]}, {per})"
        call = (
            f"tf.nn.conv2d_transpose({{x}}, {{w}}, output_shape={shape}, strides={tuple_source(geo.s)}, "
            f'padding="VALID", dilations={tuple_source(geo.d)})'
        )
        if g == 1:
            lines = ["y = " + call.format(x="x", w="w") + "   # uncropped"]
        else:
            lines = [
                f"y = tf.concat([{call.format(x='xg', w='wg')}",
                f"               for xg, wg in zip(tf.split(x, {g}, axis=3), "
                f"tf.split(w, {g}, axis=3))], axis=3)   # one per group, uncropped",
            ]
        (t, b), (le, r) = geo.pads
        a0, a1 = geo.a
        if a0 or a1:
            lines.append(f"y = tf.pad(y, [[0, 0], [0, {a0}], [0, {a1}], [0, 0]])   # output_padding")
        if t or b or le or r:
            lines.append(
                f"y = y[:, {t}:{geo.full[0] + a0 - b}, {le}:{geo.full[1] + a1 - r}, :]   # padding crops"
            )
        note = (
            "tf.nn.conv2d_transpose with VALID padding (the uncropped result), then "
            "output_padding and padding as a pad and a slice"
            + ("; groups by tf.split, since it has no groups" if g > 1 else "")
        )
        return lines, note

    def _jax(self, c: Call, geo: Geometry) -> tuple[list[str], list[str], str]:
        c_in = c.w.shape[0]
        g, per = geo.g, c.w.shape[1]
        kh, kw = geo.k
        weight = [
            f"w = w.reshape({g}, {c_in // g}, {per}, {kh}, {kw}).swapaxes(1, 2)"
            f".reshape({g * per}, {c_in // g}, {kh}, {kw})   # -> (C_out, C_in/G, kH, kW)",
            "w = w[:, :, ::-1, ::-1]   # flipped in both spatial axes",
        ]
        pads = ", ".join(
            f"({d_ * (k_ - 1) - lo}, {d_ * (k_ - 1) - hi + a_})"
            for (lo, hi), d_, k_, a_ in zip(geo.pads, geo.d, geo.k, geo.a)
        )
        keywords = [
            f"window_strides=(1, 1), padding=({pads}),",
            f"lhs_dilation={tuple_source(geo.s)}, rhs_dilation={tuple_source(geo.d)},",
        ]
        return (
            weight,
            keywords,
            (
                "a transposed convolution is a convolution of the input spread by the "
                "stride (lhs_dilation) with the flipped kernel, padded d*(k-1) - p "
                "(+ output_padding after)"
            ),
        )


# --------------------------------------------------------------------------- interpolation

_TORCH_MODES = {
    "nearest": "nearest",
    "nearest-exact": "nearest-exact",
    "linear": "bilinear",
    "cubic": "bicubic",
    "area": "area",
}


def _same_positions(x, s) -> bool:
    """Do torch's sample positions (scale 1/scale_factor) equal the in/out-size ones others use?"""
    factors = s["scale_factor"] if isinstance(s["scale_factor"], tuple) else (s["scale_factor"],) * 2
    return all(float(i * f).is_integer() for i, f in zip(x.shape[1:], factors))


class _Resize(_Snippets, abc.ABC):
    """nearest, bilinear and interpolate: one resize each framework runs in the mode ``mode(s)``."""

    @abc.abstractmethod
    def mode(self, s: dict[str, Any]) -> str:
        """upsample's interpolation mode for these settings."""

    def torch(self, c: Call) -> Snippet:
        s = c.s
        lines = torch_head(c.x)
        mode = self.mode(s)
        ac = s["align_corners"] if mode in ("linear", "cubic") else None
        lines.append(
            f"y = F.interpolate(x, scale_factor={source(s['scale_factor'])}, "
            f"mode={source(_TORCH_MODES[mode])}{kwargs_source([('align_corners', ac, None)])})"
        )
        return "\n".join(lines), TORCH_NOTE

    def tensorflow(self, c: Call) -> Snippet:
        x, s = c.x, c.s
        _, h_out, w_out = c.out
        mode = self.mode(s)
        ac = bool(s["align_corners"]) if mode in ("linear", "cubic") else False
        if not _same_positions(x, s):
            return None, (
                "torch places the samples by 1 / scale_factor; TensorFlow by the sizes "
                "in / out, which differ when input x scale_factor is not whole"
            )
        size = f"({h_out}, {w_out})"
        if mode == "nearest":
            call = f"tf.compat.v1.image.resize_nearest_neighbor(x, {size})   # floor(o * in / out)"
        elif mode == "nearest-exact":
            call = f'tf.image.resize(x, {size}, method="nearest")   # half-pixel centres'
        elif mode == "linear" and not ac:
            if h_out < x.shape[1] or w_out < x.shape[2]:
                call = f'tf.image.resize(x, {size}, method="bilinear", antialias=False)'
            else:
                call = f'tf.image.resize(x, {size}, method="bilinear")'
        elif mode == "linear":
            call = f"tf.compat.v1.image.resize_bilinear(x, {size}, align_corners=True)"
        else:
            return None, (
                "no TensorFlow resize gives torch's cubic (Keys a = -0.75, torch's border "
                "clamping); tf.image.resize's bicubic uses a = -0.5, and the legacy "
                "align_corners kernel differs in the second decimal"
                if mode == "cubic"
                else "tf.image.resize's area is not torch's adaptive average pooling"
            )
        lines = tf_head(x)
        lines.append(f"y = {call}")
        lines.append(TF_BACK)
        return "\n".join(lines), "tf.image / tf.compat.v1.image resize with the page's output size"

    def jax(self, c: Call) -> Snippet:
        x, s = c.x, c.s
        c_out, h_out, w_out = c.out
        mode = self.mode(s)
        ac = bool(s["align_corners"]) if mode in ("linear", "cubic") else False
        if not _same_positions(x, s):
            return None, (
                "torch places the samples by 1 / scale_factor; jax.image.resize by the "
                "sizes in / out, which differ when input x scale_factor is not whole"
            )
        upsampling = h_out >= x.shape[1] and w_out >= x.shape[2]
        factors = s["scale_factor"] if isinstance(s["scale_factor"], tuple) else (s["scale_factor"],) * 2
        whole = all(float(f).is_integer() for f in factors)
        if mode == "nearest-exact" or (mode == "nearest" and whole):
            method = "nearest"
        elif mode == "linear" and not ac and upsampling:
            method = "linear"
        else:
            return None, {
                "cubic": "jax.image.resize's cubic uses Keys a = -0.5 (torch: -0.75)",
                "area": "jax.image.resize has no area mode",
            }.get(
                mode,
                "jax.image.resize has half-pixel centres only and antialiases when "
                "downsampling: no call gives torch's numbers here",
            )
        lines = jax_head(x)
        lines.append(f'y = jax.image.resize(x, (1, {c_out}, {h_out}, {w_out}), method="{method}")')
        note = "jax.image.resize (half-pixel centres"
        note += "; for whole factors torch's nearest picks the same cells)" if mode == "nearest" else ")"
        return "\n".join(lines), note


@_register("nearest")
class _Nearest(_Resize):
    def mode(self, s):
        return "nearest"

    def upsample(self, c: Call) -> Snippet:
        lines = upsample_head(c.x)
        lines.append(f"y = upsample.nearest(x, {source(c.s['scale_factor'])})")
        return "\n".join(lines), "the page's own call"


@_register("bilinear")
class _Bilinear(_Resize):
    def mode(self, s):
        return "linear"

    def upsample(self, c: Call) -> Snippet:
        lines = upsample_head(c.x)
        lines.append(
            f"y = upsample.bilinear(x, {source(c.s['scale_factor'])}"
            f"{kwargs_source([('align_corners', c.s['align_corners'], False)])})"
        )
        return "\n".join(lines), "the page's own call"


@_register("interpolate")
class _Interpolate(_Resize):
    def mode(self, s):
        return s["mode"]

    def upsample(self, c: Call) -> Snippet:
        s = c.s
        lines = upsample_head(c.x)
        ac = s["align_corners"] if s["mode"] in ("linear", "cubic") else None
        lines.append(
            f"y = upsample.interpolate(x, scale_factor={source(s['scale_factor'])}, "
            f"mode={source(s['mode'])}{kwargs_source([('align_corners', ac, None)])})"
        )
        return "\n".join(lines), "the page's own call"


# --------------------------------------------------------------------------- bed of nails


@_register("bed_of_nails")
class _BedOfNails(_Snippets):
    def upsample(self, c: Call) -> Snippet:
        lines = upsample_head(c.x)
        lines.append(f"y = upsample.bed_of_nails(x, {source(c.s['scale_factor'])})")
        return "\n".join(lines), "the page's own call"

    def torch(self, c: Call) -> Snippet:
        f0, f1 = whole_factors(
            c.s["scale_factor"], "PyTorch has no bed-of-nails op; the slice below needs whole scale factors"
        )
        lines = torch_head(c.x)
        lines.append(
            f"y = torch.zeros(x.shape[0], x.shape[1], x.shape[2] * {f0}, x.shape[3] * {f1}, dtype=x.dtype)"
        )
        lines.append(f"y[:, :, ::{f0}, ::{f1}] = x   # each value at the top-left of its cell")
        return "\n".join(lines), "no bed-of-nails op in PyTorch: a strided assignment into zeros"

    def tensorflow(self, c: Call) -> Snippet:
        f0, f1 = whole_factors(c.s["scale_factor"], "the reshape below needs whole scale factors")
        c_out, h_out, w_out = c.out
        lines = tf_head(
            c.x, "# stays NCHW: each value gets f-1 zeros after it along each axis, then a reshape"
        )
        lines.append(
            f"y = tf.pad(x[:, :, :, None, :, None], [[0, 0]] * 3 + [[0, {f0 - 1}], [0, 0], "
            f"[0, {f1 - 1}]])   # (N, C, H, f, W, f)"
        )
        lines.append(f"y = tf.reshape(y, (1, {c_out}, {h_out}, {w_out}))")
        return "\n".join(lines), "no bed-of-nails op in TensorFlow: zeros by tf.pad and a reshape"

    def jax(self, c: Call) -> Snippet:
        f0, f1 = whole_factors(c.s["scale_factor"], "the strided update below needs whole scale factors")
        c_out, h_out, w_out = c.out
        lines = jax_head(c.x)
        lines.append(
            f"y = jnp.zeros((1, {c_out}, {h_out}, {w_out}), x.dtype).at[:, :, ::{f0}, ::{f1}].set(x)"
        )
        return "\n".join(lines), "no bed-of-nails op in JAX: a strided .at[].set into zeros"


# --------------------------------------------------------------------------- pooling


def _pool_kwargs(s):
    return [
        ("stride", s["stride"], None),
        ("padding", s["padding"], 0),
        ("dilation", s["dilation"], 1),
        ("ceil_mode", s["ceil_mode"], False),
    ]


@_register("max_pool")
class _MaxPool(_Snippets):
    def upsample(self, c: Call) -> Snippet:
        lines = upsample_head(c.x)
        lines.append(
            f"y, indices = upsample.max_pool(x, {source(c.s['kernel_size'])}"
            f"{kwargs_source(_pool_kwargs(c.s))}, return_indices=True)"
        )
        return "\n".join(lines), "the page's own call"

    def torch(self, c: Call) -> Snippet:
        lines = torch_head(c.x)
        lines.append(
            f"y, indices = F.max_pool2d(x, {source(c.s['kernel_size'])}{kwargs_source(_pool_kwargs(c.s))}, "
            "return_indices=True)"
        )
        return "\n".join(lines), TORCH_NOTE

    def tensorflow(self, c: Call) -> Snippet:
        win = Window(c)
        if max(win.d) > 1:
            return None, "tf.nn.max_pool2d has no dilation"
        p = win.p
        hi = [max(r, 0) for r in win.reach]  # tf.pad cannot crop; VALID leaves an unused tail out
        lines = tf_head(c.x)
        if any(p) or any(hi):
            lines.append(
                f"x = tf.pad(x, [[0, 0], [{p[0]}, {hi[0]}], [{p[1]}, {hi[1]}], [0, 0]], "
                'constant_values=-float("inf"))   # padding (and ceil_mode) never wins'
            )
        lines.append(
            f'y = tf.nn.max_pool2d(x, ksize={tuple_source(win.k)}, strides={tuple_source(win.s)}, padding="VALID")'
        )
        lines.append(TF_BACK)
        return "\n".join(lines), "tf.nn.max_pool2d (the values; its argmax indices count NHWC positions)"

    def jax(self, c: Call) -> Snippet:
        win = Window(c)
        k, st, p, d, hi = win.k, win.s, win.p, win.d, win.reach
        lines = jax_head(c.x)
        lines.append(
            f"y = lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, {k[0]}, {k[1]}), (1, 1, {st[0]}, {st[1]}),"
        )
        lines.append(
            f"                      padding=((0, 0), (0, 0), ({p[0]}, {hi[0]}), ({p[1]}, {hi[1]})), "
            f"window_dilation=(1, 1, {d[0]}, {d[1]}))"
        )
        return "\n".join(lines), "lax.reduce_window with max (the values; JAX has no argmax pooling)"


@_register("avg_pool")
class _AvgPool(_Snippets):
    """Each window's sum over its divisor: the window's size, its input positions only
    (count_include_pad=False), never ceil_mode's overhang, or divisor_override."""

    def _settings(self, s):
        return kwargs_source(
            [
                ("stride", s["stride"], None),
                ("padding", s["padding"], 0),
                ("ceil_mode", s["ceil_mode"], False),
                ("count_include_pad", s["count_include_pad"], True),
                ("divisor_override", s.get("divisor_override"), None),
            ]
        )

    def _divisor(self, c: Call, win: Window) -> str:
        """How the snippet divides: "override", "window" (every window's full size) or "counted"."""
        if c.s.get("divisor_override") is not None:
            return "override"
        if any(win.overhang) or (any(win.p) and not c.s["count_include_pad"]):
            return "counted"
        return "window"

    def upsample(self, c: Call) -> Snippet:
        lines = upsample_head(c.x)
        lines.append(f"y = upsample.avg_pool(x, {source(c.s['kernel_size'])}{self._settings(c.s)})")
        return "\n".join(lines), "the page's own call"

    def torch(self, c: Call) -> Snippet:
        lines = torch_head(c.x)
        lines.append(f"y = F.avg_pool2d(x, {source(c.s['kernel_size'])}{self._settings(c.s)})")
        return "\n".join(lines), TORCH_NOTE

    def tensorflow(self, c: Call) -> Snippet:
        win = Window(c)
        (p0, p1), (r0, r1), (e0, e1) = win.p, win.right, win.overhang
        h, w = c.x.shape[1:]
        window = f'ksize={tuple_source(win.k)}, strides={tuple_source(win.s)}, padding="VALID"'
        lines = tf_head(c.x)
        if p0 or p1 or r0 or r1:
            lines.append(
                f"x = tf.pad(x, [[0, 0], [{p0}, {r0}], [{p1}, {r1}], [0, 0]])   "
                "# zeros: the padding (and ceil_mode's overhang)"
            )
        lines.append(f"y = tf.nn.avg_pool2d(x, {window})   # each window's sum / (kH*kW)")
        divisor = self._divisor(c, win)
        note = "tf.nn.avg_pool2d on the zero-padded input"
        if divisor == "override":
            lines.append(
                f"y = y * {win.k[0] * win.k[1]} / {c.s['divisor_override']}   "
                "# the sum, over divisor_override"
            )
            note += ", times kH*kW over divisor_override"
        elif divisor == "counted":
            if c.s["count_include_pad"]:
                lines.append(
                    f"counted = tf.ones((1, {h + 2 * p0}, {w + 2 * p1}, 1))   "
                    "# the input and its padding count"
                )
            else:
                lines.append(
                    f"counted = tf.pad(tf.ones((1, {h}, {w}, 1)), [[0, 0], [{p0}, {p0}], "
                    f"[{p1}, {p1}], [0, 0]])   # only the input counts"
                )
            if e0 or e1:
                lines.append(
                    f"counted = tf.pad(counted, [[0, 0], [0, {e0}], [0, {e1}], [0, 0]])   "
                    "# ceil_mode's overhang does not"
                )
            lines.append(
                f"y = y / tf.nn.avg_pool2d(counted, {window})   # the share of each window that counts"
            )
            note += ", divided by the same pooling of a map of the positions that count"
        lines.append(TF_BACK)
        return "\n".join(lines), note

    def jax(self, c: Call) -> Snippet:
        win = Window(c)
        (k0, k1), (s0, s1) = win.k, win.s
        (p0, p1), (r0, r1), (e0, e1) = win.p, win.right, win.overhang
        h, w = c.x.shape[1:]
        lines = jax_head(c.x)
        lines.append(f"y = lax.reduce_window(x, 0.0, lax.add, (1, 1, {k0}, {k1}), (1, 1, {s0}, {s1}),")
        lines.append(
            f"                      padding=((0, 0), (0, 0), ({p0}, {r0}), ({p1}, {r1})))   "
            "# each window's sum"
        )
        divisor = self._divisor(c, win)
        note = "lax.reduce_window with add: the window sums"
        if divisor == "override":
            lines.append(f"y = y / {c.s['divisor_override']}   # divisor_override")
            note += ", over divisor_override"
        elif divisor == "window":
            lines.append(f"y = y / {k0 * k1}   # kH*kW")
            note += ", over the window's size"
        else:
            if c.s["count_include_pad"]:
                lines.append(
                    f"counted = jnp.ones(({h + 2 * p0}, {w + 2 * p1}))   # the input and its padding count"
                )
            else:
                lines.append(
                    f"counted = jnp.pad(jnp.ones(({h}, {w})), (({p0}, {p0}), ({p1}, {p1})))   "
                    "# only the input counts"
                )
            lines.append(
                f"y = y / lax.reduce_window(counted, 0.0, lax.add, ({k0}, {k1}), ({s0}, {s1}), "
                f"padding=((0, {e0}), (0, {e1})))   # each window's count; ceil_mode's "
                "overhang counts nothing"
            )
            note += ", over the same sums of a map of the positions that count"
        return "\n".join(lines), note


@_register("max_unpool")
class _MaxUnpool(_Snippets):
    def _stride_padding(self, s):
        return kwargs_source([("stride", s["stride"], None), ("padding", s["padding"], 0)])

    def upsample(self, c: Call) -> Snippet:
        lines = upsample_head(c.x)
        lines.append(f"indices = np.array({literal(c.idx[None])})")
        lines.append(
            f"y = upsample.max_unpool(x, indices, {source(c.s['kernel_size'])}{self._stride_padding(c.s)})"
        )
        return "\n".join(lines), "the page's own call"

    def torch(self, c: Call) -> Snippet:
        lines = torch_head(c.x)
        lines.append(f"indices = torch.tensor({literal(c.idx[None])})")
        lines.append(
            f"y = F.max_unpool2d(x, indices, {source(c.s['kernel_size'])}"
            f"{self._stride_padding(c.s)}, output_size={tuple_source(c.out[1:])})"
        )
        return "\n".join(lines), TORCH_NOTE

    def tensorflow(self, c: Call) -> Snippet:
        c_out, h_out, w_out = c.out
        n_planes = c.x.shape[0]
        lines = tf_head(c.x, "# stays NCHW: a scatter per plane at the flat indices")
        lines.append(f"indices = tf.constant({literal(c.idx[None])}, tf.int64)")
        lines.append(
            f"planes = tf.repeat(tf.range({n_planes}, dtype=tf.int64)[:, None], {c.x[0].size}, axis=1)"
        )
        lines.append(f"where = tf.stack([planes, tf.reshape(indices, ({n_planes}, -1))], axis=-1)")
        lines.append(
            f"y = tf.tensor_scatter_nd_update(tf.zeros(({n_planes}, {h_out * w_out})), where, "
            f"tf.reshape(x, ({n_planes}, -1)))"
        )
        lines.append(f"y = tf.reshape(y, (1, {c_out}, {h_out}, {w_out}))")
        return "\n".join(lines), (
            "tf.tensor_scatter_nd_update (with repeated indices TensorFlow does "
            "not say which value wins; upsample keeps the last)"
        )

    def jax(self, c: Call) -> Snippet:
        c_out, h_out, w_out = c.out
        n_planes = c.x.shape[0]
        lines = jax_head(c.x)
        lines.append(f"indices = jnp.array({literal(c.idx[None])})")
        lines.append(
            f"y = jnp.zeros(({n_planes}, {h_out * w_out}), x.dtype).at["
            f"jnp.arange({n_planes})[:, None], indices.reshape({n_planes}, -1)]"
            f".set(x.reshape({n_planes}, -1))"
        )
        lines.append(f"y = y.reshape(1, {c_out}, {h_out}, {w_out})")
        return "\n".join(lines), (
            "a scatter per plane with .at[].set (with repeated indices JAX does "
            "not say which value wins; upsample keeps the last)"
        )


# --------------------------------------------------------------------------- pixel shuffle


@_register("pixel_shuffle")
class _PixelShuffle(_Snippets):
    def upsample(self, c: Call) -> Snippet:
        lines = upsample_head(c.x)
        lines.append(f"y = upsample.pixel_shuffle(x, {source(c.s['upscale_factor'])})")
        return "\n".join(lines), "the page's own call"

    def torch(self, c: Call) -> Snippet:
        lines = torch_head(c.x)
        lines.append(f"y = F.pixel_shuffle(x, {source(c.s['upscale_factor'])})")
        return "\n".join(lines), TORCH_NOTE

    def _factor(self, c: Call) -> tuple[int, int, int, int]:
        """r, and the input's C / (r*r), H, W."""
        r = _args.int_tuple("pixel_shuffle", "upscale_factor", c.s["upscale_factor"], 1)[0]
        h, w = c.x.shape[1:]
        return r, c.x.shape[0] // (r * r), h, w

    def tensorflow(self, c: Call) -> Snippet:
        r, ch, h, w = self._factor(c)
        lines = tf_head(c.x)
        lines.append(
            f"x = tf.reshape(tf.transpose(tf.reshape(x, (1, {h}, {w}, {ch}, {r * r})), "
            f"(0, 1, 2, 4, 3)), (1, {h}, {w}, {ch * r * r}))   # channels c*r*r + j -> j*C + c"
        )
        lines.append(f"y = tf.nn.depth_to_space(x, {r})")
        lines.append(TF_BACK)
        return "\n".join(lines), (
            "tf.nn.depth_to_space, after reordering the channels: it reads them "
            "offset-major (DCR), PyTorch channel-major (CRD)"
        )

    def jax(self, c: Call) -> Snippet:
        r, ch, h, w = self._factor(c)
        lines = jax_head(c.x)
        lines.append(
            f"y = x.reshape(1, {ch}, {r}, {r}, {h}, {w}).transpose(0, 1, 4, 2, 5, 3)"
            f".reshape(1, {ch}, {h * r}, {w * r})   # (N, C, r, r, H, W) -> (N, C, H, r, W, r)"
        )
        return "\n".join(lines), "a reshape and a transpose (JAX has no pixel-shuffle op)"
