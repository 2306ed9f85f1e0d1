"""The JSON API of ``upsample serve``, without the web server: request in, answer out.

:func:`explain_request` turns one JSON request into a call of ``upsample.explain.<op>``
and answers with the explanation's own records (``Explanation.to_dict()``), the op's
output, the output-size formula with the numbers filled in (from the explanation's
notes), the overlap map and the code that reproduces the result in other frameworks.
:data:`OP_SPECS` is read from the op table (``upsample.ops.OPS``): every row shown on the
page, with the settings its explainer takes; the page builds its controls from it
(``/api/ops``). Nothing here computes an op: every number comes from
``upsample.explain`` or ``upsample.shapes``.

User input never reaches ``eval``: arrays are parsed by the library's one text parser
(``upsample._parse.parse_array``, ``"1 2; 3 4"``, also the command line's), settings by
the same small parsers, each bounded before converting anything (digits, nesting, the
size of an integer before it meets a float), and every problem becomes a
:class:`RequestError` carrying the library's own message and the field it is about,
which the server answers with status 422. Messages are escaped so they always encode.

Array layouts in a request (2-D examples; C channels, H rows, W columns):

* ``x``: ``(C, H, W)``, one text per channel, e.g. ``["1 2; 3 4"]``;
* ``weight``: one text per leading index of the op's full weight layout, each
  ``(C_in/groups, kH, kW)`` for conv (one per output channel) or ``(C_out/groups, kH, kW)``
  for conv_transpose (one per input channel), channels separated by ``|``;
* ``indices``: max_unpool's flat indices, like ``x``.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .. import explain, ops, shapes
from .._parse import ParseError, ints, numbers, parse_array, show
from . import code

__all__ = ["RequestError", "OP_SPECS", "ops_description", "explain_request", "solve_request", "LIMITS"]

#: What one request may ask for: the page is for small examples, and these keep every
#: answer small and fast however the request was made.
LIMITS = {
    "input_size": 16,  # H, W of x
    "kernel_size": 8,  # kH, kW (and max_pool's window)
    "channels": 8,  # C of x, C_out of a kernel
    "factor": 8,  # stride, dilation, scale factors, upscale factor
    "padding": 16,
    "output_size": 64,  # each output axis
    "output_cells": 4096,  # C * H * W of the output
    "terms": 40_000,  # products recorded by the steps of one view
    "body_bytes": 64 * 1024,
}

#: Steps x output cells up to which each step's running output is sent; above it the
#: page adds up the steps' writes (records too) instead of receiving every snapshot.
SNAPSHOT_NUMBERS = 40_000


class RequestError(ValueError):
    """A problem with a request: the message to show, and the field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(_encodable(message))
        self.field = None if field is None else _encodable(field)


def _encodable(text: str) -> str:
    """``text`` with anything UTF-8 cannot hold (a lone surrogate from JSON) escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# --------------------------------------------------------------------------- the op table


def _grid_text(plane: np.ndarray) -> str:
    return "; ".join(" ".join(str(v) for v in row) for row in plane.tolist())


def _volume_preset() -> dict[str, Any]:
    """The tour's 5x5x3 input and one 3x3x3 filter: the article's convolution sizes."""
    from ..explain import volume_example

    x, w = volume_example()
    return {"x": [_grid_text(c) for c in x], "weight": [" | ".join(_grid_text(c) for c in w)]}


def conventions() -> list[str]:
    """The interpolation conventions the library offers, torch's first."""
    from ..conventions import CONVENTIONS

    return [str(key) for key in CONVENTIONS]


@dataclass(frozen=True)
class OpSpec:
    """How the page shows one row of ``upsample.ops.OPS``: read from the row, nothing more.

    ``params`` are the row's settings that its explainer takes and the page shows
    (``Param.page`` set); the choices of ``convention`` come from the conventions table.
    """

    op: ops.Op
    params: tuple[ops.Param, ...]

    @property
    def name(self) -> str:
        return self.op.name

    @property
    def kernel(self) -> str | None:
        return self.op.kernel

    @property
    def indices(self) -> bool:
        return "indices" in self.op.data

    @property
    def views(self) -> tuple[str, ...]:
        return self.op.views

    @property
    def preset(self) -> dict[str, Any]:
        return _volume_preset() if self.op.preset.get("volume") else dict(self.op.preset)


def _spec(op: ops.Op) -> OpSpec:
    takes = inspect.signature(op.explain).parameters
    params = []
    for param in op.params:
        if param.name not in takes or param.name == "view":
            continue
        if param.name == "convention":
            names = tuple(conventions())
            param = replace(param, choices=names, page=names[0])
        if param.page is not None:
            params.append(param)
    return OpSpec(op, tuple(params))


#: The ops the page shows, in the table's order: every row with ``page=True``.
OP_SPECS: dict[str, OpSpec] = {op.name: _spec(op) for op in ops.OPS.values() if op.page}


def ops_description() -> dict[str, Any]:
    """``/api/ops``: every op's controls and presets, and the limits, as data."""
    described = [
        {
            "name": spec.name,
            "title": spec.op.title,
            "blurb": spec.op.blurb,
            "params": [p.describe() for p in spec.params],
            "kernel": spec.kernel,
            "indices": spec.indices,
            "views": list(spec.views),
            "preset": spec.preset,
        }
        for spec in OP_SPECS.values()
    ]
    return {
        "ops": described,
        "limits": LIMITS,
        "conventions": conventions(),
        "frameworks": list(code.FRAMEWORKS),
    }


# --------------------------------------------------------------------------- parsing


def _fail_as(name: str, error: Exception) -> RequestError:
    return RequestError(str(error), name)


def _text(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RequestError(f'{name}: expected text like "1 2; 3 4", got {type(value).__name__}', name)
    if isinstance(value, int):
        value = _small(value, name)
    return str(value)


def _array(value: Any, name: str, *, kinds: str = "if") -> np.ndarray:
    """``(C, H, W)`` from one text per channel (or one text with ``|`` between channels)."""
    texts = value if isinstance(value, list) else [value]
    if not texts or len(texts) > LIMITS["channels"] * LIMITS["channels"]:
        raise RequestError(f"{name}: expected 1 to {LIMITS['channels']} channels, got {len(texts)}", name)
    channels = []
    for text in texts:
        try:
            array = parse_array(_text(text, name), name)
        except ParseError as error:
            raise _fail_as(name, error) from None
        if array.ndim == 1:
            array = array[None]
        if array.ndim == 2:
            array = array[None]
        channels.append(array)
    if len({c.shape for c in channels}) > 1:
        raise RequestError(
            f"{name}: every channel must have the same shape, got {[c.shape[1:] for c in channels]}", name
        )
    array = np.concatenate(channels)
    if array.dtype.kind not in kinds:
        raise RequestError(f"{name}: must hold whole numbers, got {array.dtype}", name)
    if np.abs(array.astype(np.float64)).max() > 1e9:
        raise RequestError(f"{name}: values must be at most 1e9 in size", name)
    return array


def _int_setting(value: Any, name: str) -> Any:
    """``2`` / ``"2"`` -> 2, ``"2,1"`` or ``[2, 1]`` -> (2, 1); an empty stride -> None."""
    if value is None or value == "":
        if name in ("stride", "divisor_override"):  # pooling: the window's size and count
            return None
        raise RequestError(f"{name}: needs a value", name)
    if isinstance(value, bool):
        raise RequestError(f"{name}: expected an integer, got {value!r}", name)
    if isinstance(value, int):
        return _small(value, name)
    if (
        isinstance(value, list)
        and 0 < len(value) <= 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return tuple(_small(v, name) for v in value)
    if isinstance(value, str):
        try:
            return ints(value.strip())
        except ParseError as error:
            raise RequestError(f"{name}: {error}", name) from None
    raise RequestError(f"{name}: expected an integer or integers like 2,1, got {show(value)}", name)


def _small(value: int, name: str) -> int:
    """An integer setting, refused before any float meets it when it is absurdly large
    (JSON integers have no size limit; ``float(10**400)`` raises)."""
    if abs(value) > 10**9:
        raise RequestError(f"{name}: {show(value)} is far more than the page allows", name)
    return value


def _padding(value: Any, name: str = "padding") -> Any:
    """An int, ints, ``"same"``/``"valid"``, or (lo, hi) pairs written ``"0 1; 1 0"``."""
    if isinstance(value, str):
        text = value.strip()
        if text in ("same", "valid"):
            return text
        if ";" in text or " " in text.replace(", ", ","):
            try:
                pairs = parse_array(text, name)
            except ParseError as error:
                raise _fail_as(name, error) from None
            if pairs.dtype.kind != "i":
                raise RequestError(f"{name}: pairs must be whole numbers, got {show(text)}", name)
            return tuple(tuple(int(v) for v in row) for row in np.atleast_2d(pairs))
    if isinstance(value, list) and 0 < len(value) <= 3 and all(isinstance(v, list) for v in value):
        pairs = [_int_setting(v, name) for v in value]
        if not all(isinstance(pair, tuple) for pair in pairs):
            raise RequestError(f"{name}: expected (lo, hi) pairs like [[0, 1], [1, 0]]", name)
        return tuple(pairs)
    return _int_setting(value, name)


def _factor(value: Any, name: str) -> Any:
    if isinstance(value, bool):
        raise RequestError(f"{name}: expected a number, got {value!r}", name)
    if isinstance(value, int):
        return _small(value, name)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RequestError(f"{name}: must be a finite number", name)
        return value
    if (
        isinstance(value, list)
        and 0 < len(value) <= 3
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        return tuple(_factor(v, name) for v in value)
    try:
        return numbers(_text(value, name).strip(), name)
    except ParseError as error:
        raise RequestError(str(error), name) from None


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "1", "on", 1):
        return True
    if value in ("false", "0", "off", "", 0, None):
        return False
    raise RequestError(f"{name}: expected true or false, got {show(value)}", name)


_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "ints": _int_setting,
    "int": _int_setting,
    "padding": _padding,
    "numbers": _factor,
    "bool": _flag,
}


def _values(value: Any) -> list[int | float]:
    flat: list[int | float] = []
    for v in value if isinstance(value, tuple) else (value,):
        flat.extend(v if isinstance(v, tuple) else (v,))
    return flat


def _check_limit(name: str, value: Any, high: int) -> None:
    """Refuse settings above the page's caps; everything else is the library's to judge.
    (Python compares an int and a float exactly, however large the int.)"""
    if isinstance(value, str) or value is None:
        return
    for v in _values(value):
        if v > high:
            raise RequestError(f"{name}: {show(v)} is more than the page allows (at most {high})", name)


#: the cap of each setting, a key of LIMITS
_CAPS = {
    "stride": "factor",
    "dilation": "factor",
    "groups": "channels",
    "kernel_size": "kernel_size",
    "upscale_factor": "factor",
    "padding": "padding",
    "output_padding": "factor",
    "scale_factor": "factor",
}


def _settings(spec: OpSpec, raw: Any) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise RequestError("params must be an object of settings", "params")
    known = {p.name: p for p in spec.params}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise RequestError(
            f"{spec.name} does not take {', '.join(u[:40] for u in unknown[:3])} "
            f"(it takes {', '.join(known)})",
            unknown[0][:40],
        )
    settings = {}
    for name, param in known.items():
        value = raw.get(name, param.page)
        if param.kind == "choice":
            if value not in param.choices:
                raise RequestError(
                    f"{name} must be one of {', '.join(param.choices)}, got {show(value)}", name
                )
            settings[name] = value
            continue
        parsed = _PARSERS[param.kind](value, name)
        if name in _CAPS:
            _check_limit(name, parsed, LIMITS[_CAPS[name]])
        settings[name] = parsed
    return settings


def _weight(spec: OpSpec, raw: Any) -> np.ndarray:
    if not isinstance(raw, list) or not raw or len(raw) > LIMITS["channels"]:
        raise RequestError('weight: expected one kernel text per channel, e.g. ["5 5; 5 5"]', "weight")
    slices = [_array(text, "weight") for text in raw]  # each (C/G, kH, kW)
    if len({s.shape for s in slices}) > 1:
        raise RequestError(
            f"weight: every slice must have the same shape, got {[s.shape for s in slices]}", "weight"
        )
    return np.stack(slices)


def _check_shape(name: str, array: np.ndarray, size: int, channels: int) -> None:
    c, *spatial = array.shape
    if c > channels or max(spatial) > size:
        raise RequestError(
            f"{name}: {'x'.join(map(str, spatial))} with {c} channels is larger than "
            f"the page allows ({size}x{size}, {channels} channels)",
            name,
        )


# --------------------------------------------------------------------------- the calls


def _conv_cost(op: str, x: np.ndarray, w: np.ndarray, s: dict[str, Any]) -> tuple[tuple[int, ...], int]:
    """The output's (C, H, W) and the products the steps will record, from ``upsample.shapes``."""
    k = w.shape[2:]
    if op == "conv":
        out = shapes.conv_output_size(x.shape[1:], k, s["stride"], s["padding"], s["dilation"])
        channels, per_output = w.shape[0], w.shape[1] * math.prod(k)
    else:
        out = shapes.conv_transpose_output_size(
            x.shape[1:], k, s["stride"], s["padding"], s["output_padding"], s["dilation"]
        )
        channels, per_output = w.shape[1] * s["groups"], w.shape[0] // max(s["groups"], 1) * math.prod(k)
    return (channels, *out), channels * math.prod(out) * per_output


def _guard_output(shape: tuple[int, ...]) -> None:
    if max(shape[1:]) > LIMITS["output_size"] or math.prod(shape) > LIMITS["output_cells"]:
        raise RequestError(
            f"the output would be {'x'.join(map(str, shape[1:]))} with {shape[0]} "
            f"channels; the page draws at most {LIMITS['output_size']} per axis and "
            f"{LIMITS['output_cells']} cells",
            None,
        )


def _call(
    op: str, x: np.ndarray, w: np.ndarray | None, idx: np.ndarray | None, s: dict[str, Any], view: str | None
) -> explain.Explanation:
    """The explainer of ``op`` on the request's data and settings, as the row describes them.

    A setting left empty (a pooling stride, a divisor) and a flag left off whose row has no
    default (align_corners, which only the interpolating modes take) are not passed."""
    row = ops.OPS[op]
    data = {"weight": w, "indices": idx}
    kwargs = {
        name: value
        for name, value in s.items()
        if value is not None and not (value is False and row.param(name).default is None)
    }
    if view is not None:
        kwargs["view"] = view
    return row.explain(x, *(data[name] for name in row.data[1:]), **kwargs)


#: The settings a library message may name; the page shows the message beside the
#: control it names first.
_FIELDS = (
    "output_padding",
    "padding",
    "stride",
    "dilation",
    "groups",
    "kernel_size",
    "upscale_factor",
    "scale_factor",
    "align_corners",
    "mode",
    "convention",
    "indices",
    "weight",
    "kernel",
    "x",
    "input",
)


def _field_of(message: str) -> str:
    """The setting a library message is about: the first one it names (else the input)."""
    text = message.split(":", 1)[1] if ":" in message else message
    found = [(m.start(), name) for name in _FIELDS for m in [re.search(rf"\b{name}\b", text)] if m]
    if not found:
        return "x"
    name = min(found)[1]
    return {"kernel": "weight", "input": "x"}.get(name, name)


def _dict(ex: explain.Explanation) -> dict[str, Any]:
    snapshots = len(ex.steps) * ex.output.size <= SNAPSHOT_NUMBERS
    data = ex.to_dict(step_outputs=snapshots, terms=False)  # the page draws cells, not products
    data["step_outputs"] = snapshots
    return data


def explain_request(body: Any) -> dict[str, Any]:
    """Answer one ``/api/explain`` request: the explanation(s), formula, overlap map and code.

    Raises :class:`RequestError` (with the field to show it beside) for anything wrong
    with the request, including every error the library raises for these arguments.
    """
    if not isinstance(body, dict):
        raise RequestError("the request must be a JSON object", None)
    op = body.get("op")
    if not isinstance(op, str) or op not in OP_SPECS:
        raise RequestError(f"op must be one of {', '.join(OP_SPECS)}, got {show(op)}", "op")
    spec = OP_SPECS[op]
    x = _array(body.get("x"), "x")
    _check_shape("x", x, LIMITS["input_size"], LIMITS["channels"])
    settings = _settings(spec, body.get("params"))
    w = idx = None
    if spec.kernel:
        w = _weight(spec, body.get("weight"))
        _check_shape("weight", w.reshape(-1, *w.shape[2:]), LIMITS["kernel_size"], LIMITS["channels"] ** 2)
        if w.shape[0] > LIMITS["channels"]:
            raise RequestError(
                f"weight: at most {LIMITS['channels']} kernel slices, got {w.shape[0]}", "weight"
            )
    if spec.indices:
        idx = _array(body.get("indices"), "indices", kinds="i")
    try:
        if spec.kernel:
            try:
                shape, terms = _conv_cost(op, x, w, settings)
            except ValueError:  # no output at all: the op's own call below says why
                shape, terms = (0, 0), 0
            _guard_output(shape)
            if terms > LIMITS["terms"]:
                raise RequestError(
                    f"the steps would record {terms} products; the page draws at most "
                    f"{LIMITS['terms']}: use a smaller input, kernel or fewer channels",
                    None,
                )
        views = spec.views or (None,)
        explanations, view_errors = {}, {}
        for view in views:
            try:
                ex = _call(op, x, w, idx, settings, view)
            except ValueError as error:
                if view in (None, views[0]):
                    raise
                view_errors[view] = str(error)  # e.g. too large for the matrix view only
                continue
            if view in (None, views[0]):
                _guard_output(ex.output.shape)
            explanations[view or "main"] = _dict(ex)
        main = explanations[views[0] or "main"]
        first = next(iter(explanations.values()))
        answer = {
            "op": op,
            "settings": _json_settings(settings),
            "explanations": explanations,
            "view_errors": view_errors,
            "output": main["output"],
            "formula": _formula_lines(first),
            "overlap": None,
            # inside: the snippets meet settings the op took (pixel_shuffle's (2, 2))
            "code": code.snippets(op, x, w, idx, settings, np.asarray(main["output"]).shape),
        }
        if op == "conv_transpose":
            answer["overlap"] = _overlap(w, settings, x.shape[1:])
    except RequestError:
        raise
    except (ValueError, TypeError, OverflowError, ZeroDivisionError) as error:
        raise RequestError(str(error), _field_of(str(error))) from None
    return answer


def _formula_lines(data: dict[str, Any]) -> list[str]:
    lines = []
    for note in data["notes"]:
        if note.startswith("output size"):
            lines.append(note)
        elif lines and note.startswith("  "):
            lines.append(note.strip())
        elif lines:
            break
    return lines


def _json_settings(settings: dict[str, Any]) -> dict[str, Any]:
    from ..explain.records import to_json

    return to_json(settings)


def _overlap(w: np.ndarray, s: dict[str, Any], size: tuple[int, ...]) -> dict[str, Any]:
    """``shapes.overlap_map``: taps per output, one period and the whole output."""
    k = w.shape[2:]
    args = dict(padding=s["padding"], output_padding=s["output_padding"])
    period = shapes.overlap_map(k, s["stride"], s["dilation"], **args)  # its phase follows p_lo
    full = shapes.overlap_map(k, s["stride"], s["dilation"], size=size, **args)
    flat = [v for row in period for v in row]
    return {"period": [list(r) for r in period], "full": [list(r) for r in full], "even": len(set(flat)) == 1}


#: How many settings /api/solve lists (the solver stops there: its work is bounded).
SOLVE_SHOWN = 12


def solve_request(body: Any) -> dict[str, Any]:
    """``/api/solve``: the first conv_transpose settings mapping ``in_size`` to ``out_size``,
    and whether there are more."""
    if not isinstance(body, dict):
        raise RequestError("the request must be a JSON object", None)
    values = {}
    for name, high in (("in_size", 4096), ("out_size", 16384)):
        value = _int_setting(body.get(name), name)
        if not isinstance(value, int):
            raise RequestError(f"{name}: expected one integer, got {value!r}", name)
        _check_limit(name, value, high)
        values[name] = value
    fixed = {}
    for name in ("kernel_size", "stride"):
        if body.get(name) not in (None, ""):
            value = _int_setting(body[name], name)
            if not isinstance(value, int):
                raise RequestError(f"{name}: expected one integer, got {value!r}", name)
            _check_limit(name, value, 64)
            fixed[name] = value
    try:
        found = shapes.solve_conv_transpose(
            values["in_size"], values["out_size"], **fixed, limit=SOLVE_SHOWN + 1
        )
    except (ValueError, TypeError) as error:
        raise RequestError(str(error), "in_size") from None
    return {
        "in_size": values["in_size"],
        "out_size": values["out_size"],
        "settings": [s._asdict() for s in found[:SOLVE_SHOWN]],
        "more": len(found) > SOLVE_SHOWN,
    }
