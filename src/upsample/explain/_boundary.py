"""What every explainer does first: the example as (C, *spatial), the kernel in the op's
layout, the size checks, frozen arrays, and the notes that spell out a size formula."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _args

#: An explanation keeps the running output after every step: refuse examples whose
#: steps x output cells exceed this (they would not be readable anyway).
MAX_RECORDED_CELLS = 1 << 20


# --------------------------------------------------------------------------- the boundary


def _example(
    op: str, x: Any, spatial_dims: Any, name: str = "x", kinds: str = "fiu"
) -> tuple[np.ndarray, int]:
    """A small example as (C, *spatial): ``(L,)``, ``(H, W)`` or ``(C, H, W)`` by default."""
    x = _args.as_array(op, name, x, kinds=kinds)
    if spatial_dims is None:
        nd = 1 if x.ndim == 1 else 2
    else:
        nd = _args.int_tuple(op, "spatial_dims", spatial_dims, 1, minimum=1)[0]
    if x.ndim == nd:
        x = x[None]
    elif x.ndim != nd + 1:
        layouts = (
            "(L,), (H, W) or (C, H, W)"
            if spatial_dims is None
            else f"{nd} spatial dimensions, optionally after a channel axis"
        )
        raise ValueError(f"{op}: {name} must be {layouts}, got shape {x.shape}")
    if 0 in x.shape:
        raise ValueError(f"{op}: {name} must not be empty, got shape {x.shape}")
    return x, nd


def _weight(op: str, weight: Any, nd: int, channels: int, transpose: bool) -> np.ndarray:
    """A kernel as (C_out, C_in, *k) for conv or (C_in, C_out, *k) for conv_transpose.

    ``(*k)`` is one kernel for every input channel (and one output channel); ``(C_in, *k)``
    one kernel slice per input channel, e.g. the article's 3x3x3 filter; ``(a, b, *k)`` is
    the full layout of ``upsample.conv`` / ``upsample.conv_transpose``.
    """
    weight = _args.as_array(op, "weight", weight)
    if weight.ndim == nd:
        weight = np.broadcast_to(weight, (channels, *weight.shape))
    if weight.ndim == nd + 1:
        if weight.shape[0] != channels:
            raise ValueError(
                f"{op}: weight of shape {weight.shape} has {weight.shape[0]} "
                f"channel slices but x has {channels} channels"
            )
        weight = weight[:, None] if transpose else weight[None]
    if weight.ndim != nd + 2:
        raise ValueError(
            f"{op}: weight must be (*kernel_size), (C_in, *kernel_size) or the "
            f"op's full layout with {nd + 2} dimensions, got shape {weight.shape}"
        )
    return np.ascontiguousarray(weight)


def _check_size(op: str, steps: int, cells: int) -> None:
    if steps * cells > MAX_RECORDED_CELLS:
        raise ValueError(
            f"{op}: the example is too large to explain step by step ({steps} steps "
            f"over {cells} output cells); use a smaller example"
        )


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array)
    array.flags.writeable = False
    return array


def _per_axis(texts: list[str]) -> str:
    """One text when every axis says the same, else ``rows: ...; cols: ...``."""
    if len(set(texts)) == 1:
        return texts[0] + (" (each axis)" if len(texts) > 1 else "")
    names = ["rows", "cols"] if len(texts) == 2 else [f"axis {a}" for a in range(len(texts))]
    return "; ".join(f"{n}: {t}" for n, t in zip(names, texts))


def _formula_notes(label: str, formula: str, per_axis: list[tuple[str, int]]) -> list[str]:
    """``output size: o = ... ; rows: ... = 3, cols: ... = 3`` (one line when the axes agree)."""
    names = ["positions"] if len(per_axis) == 1 else ["rows", "cols", "depth"][: len(per_axis)]
    if len(per_axis) > 3:
        names = [f"axis {a}" for a in range(len(per_axis))]
    if len(set(per_axis)) == 1:
        worked, size = per_axis[0]
        which = "each axis" if len(per_axis) > 1 else names[0]
        return [f"{label}: {formula}", f"  {which}: {worked} = {size}"]
    return [f"{label}: {formula}"] + [f"  {n}: {w} = {s}" for n, (w, s) in zip(names, per_axis)]
