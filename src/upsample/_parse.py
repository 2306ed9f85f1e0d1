"""Small arrays and number lists from text: the one parser of the CLI, the web API,
``upsample compare`` and ``upsample resize``.

A leaf: it knows no op and imports nothing of upsample. Every way in is bounded before
any conversion, so hostile text costs little and fails with a :class:`ParseError`:
at most :data:`MAX_TOKEN` characters per number (Python refuses to convert integers of
more than 4300 digits, and no size or value here needs more than a few), at most
:data:`MAX_DEPTH` levels of JSON brackets (deeper JSON exhausts the recursion limit),
at most :data:`MAX_VALUES` values. Messages show at most :data:`SHOWN` characters of
what arrived, escaped, so they can always be printed and encoded.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from typing import Any

import numpy as np

__all__ = [
    "ParseError",
    "UsageError",
    "parse_array",
    "ints",
    "numbers",
    "show",
    "MAX_VALUES",
    "MAX_TOKEN",
    "MAX_DEPTH",
]

MAX_VALUES = 4096  # explanations are for small examples: at most this many values
MAX_TOKEN = 40  # characters of one number: 1e-300 and 18-digit integers fit easily
MAX_DEPTH = 4  # JSON brackets: (C, H, W) needs 3
SHOWN = 40  # characters of a bad value quoted in a message


class ParseError(ValueError, argparse.ArgumentTypeError):
    """Text that is not the numbers or array expected; the message says what arrived.

    It is a ``ValueError`` for the library's callers and an ``ArgumentTypeError`` so that
    argparse shows the message itself when a parser below is a ``type=``.
    """


class UsageError(Exception):
    """A problem with what the user typed on a command line (a flag's value, a missing
    argument): the commands report it in one line and exit with status 2. It lives in this
    leaf so that every command's module (the CLI's and the server's) raises the one type
    without importing the CLI."""


def show(value: Any) -> str:
    """``repr(value)``, escaped (no lone surrogates) and cut to :data:`SHOWN` characters."""
    text = repr(value) if isinstance(value, str) else repr(value)[: 10 * SHOWN]
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


_INT = re.compile(r"[+-]?\d+")


def _number(token: str, what: str) -> int | float:
    """One number: an int when it looks like one, else a finite float; never eval."""
    if len(token) > MAX_TOKEN:
        raise ParseError(f"{what}: {show(token)} is too long for a number (at most {MAX_TOKEN} characters)")
    if _INT.fullmatch(token):
        return int(token)
    try:
        value = float(token)
    except ValueError:
        raise ParseError(f"{what}: {show(token)} is not a number") from None
    if not math.isfinite(value):
        raise ParseError(f"{what}: {show(token)} is not a finite number")
    return value


def ints(text: str) -> tuple[int, ...] | int:
    """``"3"`` -> 3, ``"3,4"`` or ``"3x4"`` -> (3, 4).

    >>> ints("3x4")
    (3, 4)
    """
    parts = [p.strip() for p in text.replace("x", ",").split(",") if p.strip()]
    if not parts or not all(len(p) <= MAX_TOKEN and _INT.fullmatch(p) for p in parts):
        raise ParseError(f"expected an integer or integers like 3,4; got {show(text)}")
    values = tuple(int(p) for p in parts)
    return values[0] if len(values) == 1 else values


def numbers(text: str, what: str = "scale factor") -> int | float | tuple[int | float, ...]:
    """``"2"`` -> 2, ``"1.5"`` -> 1.5, ``"2,3"`` -> (2, 3): a scale factor or a size.

    >>> numbers("2,1.5")
    (2, 1.5)
    """
    values = tuple(_number(p.strip(), what) for p in text.split(",") if p.strip())
    if not values:
        raise ParseError(f"expected a number or numbers like 2 or 2,3; got {show(text)}")
    return values[0] if len(values) == 1 else values


def _reject_constant(name: str) -> None:
    raise ParseError(f"{name} is not a finite number")


def _depth(text: str) -> int:
    """How deep the brackets of a JSON text nest (its strings would be refused anyway)."""
    depth = deepest = 0
    for char in text:
        if char == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "]":
            depth -= 1
    return deepest


def _check_json(value: Any, name: str) -> None:
    if isinstance(value, list):
        for item in value:
            _check_json(item, name)
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParseError(f"{name}: JSON must hold only numbers in nested lists, found {show(value)}")
    elif isinstance(value, int) and len(str(abs(value))) > MAX_TOKEN:
        raise ParseError(f"{name}: a number has more than {MAX_TOKEN} digits")


def parse_array(text: str, name: str = "x") -> np.ndarray:
    """A small array from text: ``"1 2; 3 4"`` or JSON ``[[1, 2], [3, 4]]``.

    In the plain form, ``;`` (or a newline) ends a row, spaces or commas separate values
    and ``|`` separates channels: ``"1 2; 3 4 | 5 6; 7 8"`` is (2, 2, 2). Whole numbers
    give an integer array. Nothing is ever evaluated.

    >>> parse_array("1 2; 3 4").tolist()
    [[1, 2], [3, 4]]
    >>> parse_array("[0.5, 1]").tolist()
    [0.5, 1.0]
    """
    text = text.strip()
    if not text:
        raise ParseError(f'{name} is empty; write it like "1 2; 3 4" or as JSON [[1, 2], [3, 4]]')
    if text.startswith("["):
        if _depth(text) > MAX_DEPTH:
            raise ParseError(
                f"{name}: JSON nested more than {MAX_DEPTH} deep; an example is (L,), (H, W) or (C, H, W)"
            )
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except ValueError as error:  # also the 4300-digit limit, inside the JSON parser
            raise ParseError(f"{name}: not valid JSON ({show(str(error))[1:-1]})") from None
        _check_json(data, name)
        try:
            array = np.array(data)
        except ValueError:
            raise ParseError(f"{name}: the rows must all have the same length") from None
    else:
        channels = []
        for part in text.split("|"):
            rows = [row.replace(",", " ").split() for row in re.split(r"[;\n]", part)]
            rows = [row for row in rows if row]
            if not rows:
                raise ParseError(f"{name}: a channel between '|' is empty")
            if len({len(row) for row in rows}) > 1:
                raise ParseError(
                    f"{name}: the rows must all have the same length, got {[len(row) for row in rows][:20]}"
                )
            if sum(len(row) for row in rows) > MAX_VALUES:
                raise ParseError(
                    f"{name} has more than {MAX_VALUES} values; explanations are for small examples"
                )
            channels.append([[_number(t, name) for t in row] for row in rows])
        if len({(len(c), len(c[0])) for c in channels}) > 1:
            raise ParseError(f"{name}: the channels must all have the same shape")
        array = np.array(channels)
        if "|" not in text:
            array = array[0]
            if ";" not in text and "\n" not in text:
                array = array[0]
    if array.dtype.kind not in "iuf":
        raise ParseError(f"{name}: must hold numbers, got {array.dtype}")
    if array.size == 0:
        raise ParseError(f"{name} is empty")
    if array.size > MAX_VALUES:
        raise ParseError(
            f"{name} has {array.size} values; explanations are for small examples (at most {MAX_VALUES})"
        )
    return array
