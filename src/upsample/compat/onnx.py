"""ONNX nodes on NumPy arrays: ``run_node(node, inputs) -> outputs``, mapped onto upsample's ops.

``node`` is an ``onnx.NodeProto``; ``inputs`` lists one array per entry of ``node.input``
(None, or a missing trailing entry, for an optional input left out). The outputs come
back as a list, one array per entry of ``node.output``. ``onnx`` itself is imported only
by :func:`run_node`, to read the attributes.

Each op type is a row that maps ONNX's attributes onto one of upsample's ops::

    Conv            conv             pads (begin..., end...) -> (lo, hi) pairs; auto_pad
    ConvTranspose   conv_transpose   pads, auto_pad, output_shape, output_padding (the
                                     crop and the zero extension of the full output)
    MaxPool         max_pool         pads, auto_pad, ceil_mode, dilations; Indices flat
                                     over the whole tensor, storage_order 1 = column-major
    MaxUnpool       max_unpool       indices flat over the whole output, output_shape
    AveragePool     avg_pool         over the input zero-padded by pads (or auto_pad) and
                                     the ceil_mode overhang: window sums (divisor 1), each
                                     divided by its count of input cells, or of input and
                                     pads cells with count_include_pad; dilations sum
                                     through a depthwise conv by a kernel of ones
    DepthToSpace    pixel_shuffle    mode "DCR" (default) or "CRD" (PyTorch's order)
    SpaceToDepth    pixel_unshuffle  mode "DCR" (default) or "CRD"
    Resize, Upsample                 upsample.compat._onnx_resize

ONNX's default stride is 1 for every op here (not the kernel size, as in PyTorch's pooling).

>>> import numpy as np, onnx
>>> from upsample.compat.onnx import run_node
>>> node = onnx.helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=[2], pads=[0, 1],
...                              strides=[2])
>>> run_node(node, [np.array([[[1.0, 3.0, 2.0, 5.0, 4.0]]])])
[array([[[3., 5., 4.]]]), array([[[1, 3, 4]]])]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import upsample as _upsample
from upsample import shapes as _shapes

__all__ = ["run_node", "OP_TYPES"]

_AUTO_PADS = {"SAME_UPPER": "same", "SAME_LOWER": "same_lower", "VALID": "valid"}


def _pairs(pads: list[int] | None, nd: int) -> tuple[tuple[int, int], ...]:
    """ONNX's ``[x1_begin, x2_begin, ..., x1_end, x2_end]`` -> ((x1_begin, x1_end), ...)."""
    pads = [0] * (2 * nd) if pads is None else list(pads)
    if len(pads) != 2 * nd:
        raise ValueError(
            f"run_node: pads must have 2 * {nd} = {2 * nd} entries (begins, then ends), got {pads}"
        )
    return tuple(zip(pads[:nd], pads[nd:]))


def _padding(
    op: str,
    attrs: dict[str, Any],
    size: tuple[int, ...],
    k: tuple[int, ...],
    s: tuple[int, ...],
    d: tuple[int, ...],
) -> tuple[tuple[int, int], ...]:
    """The (lo, hi) pairs of ``pads`` or ``auto_pad`` (SAME_UPPER / SAME_LOWER / VALID)."""
    auto = attrs.get("auto_pad", "NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    if auto == "NOTSET":
        return _pairs(attrs.get("pads"), len(size))
    if auto not in _AUTO_PADS:
        raise ValueError(
            f"run_node: {op} auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got {auto!r}"
        )
    return _shapes.pool_padding(size, k, s, _AUTO_PADS[auto], d, op=op)


def _ints(op: str, attrs: dict[str, Any], name: str, nd: int, minimum: int, default: int | None) -> tuple:
    """One of a node's integer-list attributes, checked: ``nd`` integers, each at least ``minimum``."""
    if name not in attrs:
        if default is None:
            raise ValueError(f"run_node: {op} needs the attribute {name} (one size per spatial axis)")
        return (default,) * nd
    values = attrs[name]
    if (
        not isinstance(values, (list, tuple))
        or len(values) != nd
        or not all(isinstance(v, int) and v >= minimum for v in values)
    ):
        raise ValueError(
            f"run_node: {op} {name} must be {nd} integers >= {minimum}, "
            f"one per spatial axis of the input, got {values!r}"
        )
    return tuple(values)


def _flag(op: str, attrs: dict[str, Any], name: str) -> bool:
    value = attrs.get(name, 0)
    if value not in (0, 1) or not isinstance(value, int):
        raise ValueError(f"run_node: {op} {name} must be 0 or 1, got {value!r}")
    return bool(value)


def _geometry(
    op: str, attrs: dict[str, Any], nd: int, kernel: tuple[int, ...] | None = None
) -> tuple[tuple[int, ...], ...]:
    """The kernel (``kernel_shape``, or the weight's), strides and dilations, each checked."""
    k = _ints(op, attrs, "kernel_shape", nd, 1, None) if kernel is None else tuple(kernel)
    return k, _ints(op, attrs, "strides", nd, 1, 1), _ints(op, attrs, "dilations", nd, 1, 1)


# --------------------------------------------------------------------------- convolution


def _conv(
    attrs: dict[str, Any], x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None
) -> list[np.ndarray]:
    nd = w.ndim - 2
    k, s, d = _geometry("Conv", attrs, nd, w.shape[2:])
    pairs = _padding("Conv", attrs, x.shape[2:], k, s, d)
    return [_upsample.conv(x, w, b, stride=s, padding=pairs, dilation=d, groups=attrs.get("group", 1))]


def _transpose_pair(total: int, auto: str) -> tuple[int, int]:
    """The (begin, end) crop that ``output_shape`` implies, as onnxruntime places it.

    The spec: SAME_UPPER crops ``total // 2`` at the beginning, otherwise ``total - total // 2``.
    A negative total (an output larger than the full one) grows the end only, as in
    onnxruntime (the onnx reference would grow the beginning by ``-total // 2`` with SAME_UPPER).
    """
    if total < 0:
        return 0, total
    small = total // 2
    return (small, total - small) if auto == "SAME_UPPER" else (total - small, small)


def _conv_transpose(
    attrs: dict[str, Any], x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None
) -> list[np.ndarray]:
    """ONNX's crop of the full output: ``pads`` (or the ones ``output_shape`` / ``auto_pad``
    imply), less ``output_padding`` at the end. A negative crop extends by zero contributions
    (the bias still applies there), so any output_shape ONNX allows is reached."""
    nd = w.ndim - 2
    k, s, d = _geometry("ConvTranspose", attrs, nd, w.shape[2:])
    extra = tuple(attrs.get("output_padding", [0] * nd))
    full = tuple((i - 1) * s_ + d_ * (k_ - 1) + 1 for i, k_, s_, d_ in zip(x.shape[2:], k, s, d))
    auto = attrs.get("auto_pad", "NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    wanted = attrs.get("output_shape")
    if wanted is None and auto in ("SAME_UPPER", "SAME_LOWER"):
        wanted = [i * s_ for i, s_ in zip(x.shape[2:], s)]
    if wanted is not None:
        wanted = list(wanted)[-nd:]
        totals = [f + a - o for f, a, o in zip(full, extra, wanted)]
        pairs = tuple(_transpose_pair(t, auto) for t in totals)
    elif auto == "VALID":
        pairs = ((0, 0),) * nd
    else:
        pairs = _pairs(attrs.get("pads"), nd)
    crop = tuple((lo, hi - a) for (lo, hi), a in zip(pairs, extra))  # output_padding uncrops
    y = _upsample.conv_transpose(
        x,
        w,
        None,
        stride=s,
        padding=tuple((max(lo, 0), max(hi, 0)) for lo, hi in crop),
        dilation=d,
        groups=attrs.get("group", 1),
    )
    grow = tuple((max(-lo, 0), max(-hi, 0)) for lo, hi in crop)
    if any(any(g) for g in grow):
        y = np.pad(y, ((0, 0), (0, 0), *grow))  # (N, C_out, *o)
    if b is not None:
        y = y + np.asarray(b, dtype=y.dtype).reshape(1, -1, *(1,) * nd)
    return [y]


# --------------------------------------------------------------------------- pooling


def _plane_offsets(shape: tuple[int, ...]) -> np.ndarray:
    """(N, C, 1, ...) offsets of each (n, c) plane in the flattened tensor of ``shape``."""
    plane = math.prod(shape[2:])
    return (np.arange(shape[0] * shape[1], dtype=np.int64) * plane).reshape(
        shape[0], shape[1], *(1,) * (len(shape) - 2)
    )


def _max_pool(attrs: dict[str, Any], x: np.ndarray, *, n_outputs: int) -> list[np.ndarray]:
    nd = x.ndim - 2
    k, s, d = _geometry("MaxPool", attrs, nd)
    pairs = _padding("MaxPool", attrs, x.shape[2:], k, s, d)
    # a lone window overhanging the padded input by less than the stride reads -inf past it
    short = _overhangs("MaxPool", x.shape[2:], k, s, d, pairs)
    pairs = tuple((lo, hi + over) for (lo, hi), over in zip(pairs, short))
    values, indices = _upsample.max_pool(
        x,
        k,
        stride=s,
        padding=pairs,
        dilation=d,
        ceil_mode=bool(attrs.get("ceil_mode", 0)),
        return_indices=True,
    )
    if n_outputs < 2:
        return [values]
    if attrs.get("storage_order", 0) == 1:  # column-major within each (n, c) plane
        at = np.unravel_index(indices, x.shape[2:])
        indices = np.ravel_multi_index(at, x.shape[2:], order="F")
    return [values, indices + _plane_offsets(x.shape)]


def _max_unpool(
    attrs: dict[str, Any], x: np.ndarray, indices: np.ndarray, output_shape: np.ndarray | None = None
) -> list[np.ndarray]:
    nd = x.ndim - 2
    k, s, _ = _geometry("MaxUnpool", attrs, nd)
    pairs = _pairs(attrs.get("pads"), nd)
    default = tuple(_shapes.unpooled_size(*args) for args in zip(x.shape[2:], k, s, pairs))
    size = default
    if output_shape is not None:
        size = tuple(int(v) for v in np.asarray(output_shape).reshape(-1))[-nd:]
        if len(size) != nd or any(o < d for o, d in zip(size, default)):
            raise ValueError(
                f"run_node: MaxUnpool output_shape {tuple(np.asarray(output_shape))} "
                f"must end in {nd} sizes, each at least the inferred {default}"
            )
    plane = np.asarray(indices, dtype=np.int64) - _plane_offsets((*x.shape[:2], *size))
    # ONNX takes any output_shape from the inferred size up (PyTorch only up to size + stride - 1).
    # In max_unpool the kernel size only sets the output size, o = (i-1)*s - lo - hi + k, so a
    # kernel larger by the extra size gives exactly output_shape.
    grown = tuple(k_ + o - d for k_, o, d in zip(k, size, default))
    return [_upsample.max_unpool(x, plane, grown, stride=s, padding=pairs)]


_AVERAGE_POOL_ATTRIBUTES = (
    "kernel_shape",
    "strides",
    "pads",
    "auto_pad",
    "ceil_mode",
    "count_include_pad",
    "dilations",
)


def _window_sums(a: np.ndarray, k: tuple[int, ...], s: tuple[int, ...], d: tuple[int, ...]) -> np.ndarray:
    """The sum of every window over (N, C, *L) that the windows fit exactly: avg_pool with a
    divisor of 1, or, with dilation (which avg_pool does not take), a depthwise conv whose
    kernel is all ones."""
    if all(d_ == 1 for d_ in d):
        return _upsample.avg_pool(a, k, stride=s, divisor_override=1)
    n, c = a.shape[:2]
    ones = np.ones((1, 1, *k), dtype=a.dtype)
    sums = _upsample.conv(a.reshape(n * c, 1, *a.shape[2:]), ones, stride=s, dilation=d)
    return sums.reshape(n, c, *sums.shape[2:])


def _overhangs(op: str, size: Sequence[int], k: tuple, s: tuple, d: tuple, pairs: tuple) -> tuple[int, ...]:
    """How far one window overhangs the padded input along each axis (0 where it fits).

    onnxruntime and onnx's shape inference divide rounding toward zero, so a window larger
    than the padded input by less than the stride still gives one output; by more, none fits.
    """
    short = []
    for axis, (i, k_, s_, d_, (lo, hi)) in enumerate(zip(size, k, s, d, pairs)):
        over = (k_ - 1) * d_ + 1 - (lo + i + hi)
        if over >= s_:
            raise ValueError(
                f"run_node: {op} kernel_shape {k_} (spanning {(k_ - 1) * d_ + 1} with "
                f"dilation {d_}) is larger than the padded input ({lo} + {i} + {hi}) by "
                f"{over}, at least the stride {s_}, along spatial axis {axis}: no window fits"
            )
        short.append(max(over, 0))
    return tuple(short)


def _average_pool(attrs: dict[str, Any], x: np.ndarray) -> list[np.ndarray]:
    """ONNX's AveragePool, as onnxruntime computes it.

    The output size is ``floor`` (or with ceil_mode ``ceil``) of
    ``(i + begin + end - (k-1)*d - 1) / s``, plus one; in ceil mode a last window that would
    start in the end padding is dropped, and a lone window that overhangs the padded input
    by less than the stride is kept in either mode. Each window's sum over the input cells
    it meets is divided by how many of its taps fall on the input, or with
    count_include_pad on the input or the pads (not on any overhang past them). A window
    with no input cell to count gives 0.
    """
    unknown = sorted(set(attrs) - set(_AVERAGE_POOL_ATTRIBUTES))
    if unknown:
        raise ValueError(
            f"run_node: AveragePool takes the attributes {', '.join(_AVERAGE_POOL_ATTRIBUTES)}, got {unknown}"
        )
    if x.dtype.kind != "f":
        raise TypeError(f"run_node: AveragePool X must be float16, float32 or float64, got {x.dtype}")
    nd = x.ndim - 2
    if nd < 1:
        raise ValueError(
            f"run_node: AveragePool X must be (N, C, *spatial) with at least one spatial axis, "
            f"got shape {x.shape}"
        )
    k, s, d = _geometry("AveragePool", attrs, nd)
    if "pads" in attrs:
        _ints("AveragePool", attrs, "pads", 2 * nd, 0, None)  # begins, then ends
    ceil_mode = _flag("AveragePool", attrs, "ceil_mode")
    with_pads = _flag("AveragePool", attrs, "count_include_pad")
    size = x.shape[2:]
    pairs = _padding("AveragePool", attrs, size, k, s, d)
    short = _overhangs("AveragePool", size, k, s, d, pairs)
    out = [
        1 if over else _shapes.pooled_size(i, k_, s_, pad, d_, ceil_mode)
        for i, k_, s_, d_, pad, over in zip(size, k, s, d, pairs, short)
    ]
    # every window lies within [-begin, -begin + reach) of the input's positions
    reach = tuple((o - 1) * s_ + (k_ - 1) * d_ + 1 for o, k_, s_, d_ in zip(out, k, s, d))
    dtype = np.result_type(x.dtype, np.float32)  # float16 sums in float32
    grow = tuple((lo, max(r - lo - i, 0)) for i, r, (lo, _) in zip(size, reach, pairs))
    padded = np.pad(x.astype(dtype, copy=False), ((0, 0), (0, 0), *grow))
    padded = padded[(Ellipsis, *(slice(0, r) for r in reach))]  # (N, C, *reach)
    # the cells a window's divisor counts: the input's, or the input's and the pads'
    box = tuple(slice(0, lo + i + hi) if with_pads else slice(lo, lo + i) for i, (lo, hi) in zip(size, pairs))
    counted = np.zeros((1, 1, *reach), dtype=dtype)
    counted[(Ellipsis, *box)] = 1
    sums = _window_sums(np.ascontiguousarray(padded), k, s, d)
    counts = _window_sums(counted, k, s, d)
    y = np.divide(sums, counts, out=np.zeros(sums.shape, dtype), where=counts > 0)
    return [y.astype(x.dtype, copy=False)]


# --------------------------------------------------------------------------- depth and space


def _order(op: str, attrs: dict[str, Any]) -> str:
    mode = attrs.get("mode", "DCR")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    if mode not in ("DCR", "CRD"):
        raise ValueError(f"run_node: {op} mode must be 'DCR' or 'CRD', got {mode!r}")
    return mode.lower()


def _depth_to_space(attrs: dict[str, Any], x: np.ndarray) -> list[np.ndarray]:
    return [_upsample.pixel_shuffle(x, attrs["blocksize"], order=_order("DepthToSpace", attrs))]


def _space_to_depth(attrs: dict[str, Any], x: np.ndarray) -> list[np.ndarray]:
    return [_upsample.pixel_unshuffle(x, attrs["blocksize"], order=_order("SpaceToDepth", attrs))]


# --------------------------------------------------------------------------- dispatch


def _resize(node: Any, inputs: list[Any]) -> list[np.ndarray]:
    from . import _onnx_resize  # the Resize / Upsample semantics live in their own module

    return _onnx_resize.run(node, inputs)


#: op_type -> runner(attrs, *inputs) -> outputs (MaxPool also gets n_outputs=, to skip Indices)
_RUNNERS: dict[str, Callable[..., list[np.ndarray]]] = {
    "Conv": _conv,
    "ConvTranspose": _conv_transpose,
    "MaxPool": _max_pool,
    "MaxUnpool": _max_unpool,
    "AveragePool": _average_pool,
    "DepthToSpace": _depth_to_space,
    "SpaceToDepth": _space_to_depth,
}
OP_TYPES = (*_RUNNERS, "Resize", "Upsample")


def run_node(node: Any, inputs: list[Any]) -> list[np.ndarray]:
    """Run one ONNX node on NumPy arrays, returning its outputs as a list.

    Args:
        node: an ``onnx.NodeProto`` of one of :data:`OP_TYPES` (default domain).
        inputs: one array per ``node.input`` entry, in order; None (or leaving a trailing
            entry out) for an optional input that is not given, as is an input whose
            name in ``node.input`` is empty.

    Returns:
        One array per ``node.output`` entry (MaxPool's Indices only when asked for).

    >>> import numpy as np, onnx
    >>> node = onnx.helper.make_node("DepthToSpace", ["x"], ["y"], blocksize=2, mode="CRD")
    >>> run_node(node, [np.arange(4.0).reshape(1, 4, 1, 1)])[0][0, 0]
    array([[0., 1.],
           [2., 3.]])
    """
    import onnx

    if not isinstance(node, onnx.NodeProto):
        raise TypeError(f"run_node: node must be an onnx.NodeProto, got {type(node).__name__}")
    if node.domain not in ("", "ai.onnx"):
        raise ValueError(
            f"run_node: only the default ONNX domain is supported, got node "
            f"{node.op_type!r} of domain {node.domain!r}"
        )
    if node.op_type in ("Resize", "Upsample"):
        return _resize(node, list(inputs))
    runner = _RUNNERS.get(node.op_type)
    if runner is None:
        raise ValueError(f"run_node: op_type must be one of {', '.join(OP_TYPES)}, got {node.op_type!r}")
    inputs = list(inputs)
    if len(inputs) > len(node.input):
        raise ValueError(
            f"run_node: {node.op_type} node has {len(node.input)} inputs "
            f"{list(node.input)}, got {len(inputs)} arrays"
        )
    given = [None if (i >= len(inputs) or not name) else inputs[i] for i, name in enumerate(node.input)]
    while given and given[-1] is None:
        given.pop()
    arrays = [None if v is None else np.asarray(v) for v in given]
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    extra = {"n_outputs": len([o for o in node.output if o])} if node.op_type == "MaxPool" else {}
    try:
        return runner(attrs, *arrays, **extra)
    except TypeError as error:
        if "positional argument" in str(error):
            raise ValueError(
                f"run_node: wrong number of inputs for {node.op_type}: got {len(arrays)} ({error})"
            ) from None
        raise
