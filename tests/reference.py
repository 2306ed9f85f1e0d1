"""Slow, obviously-correct reference implementations used as a test oracle.

Every function here is written with plain Python loops over output (or
input) positions and uses only numpy, itertools and math.  Nothing is
imported from ``upsample`` and no code is shared with it, so these functions
are an independent check of the library.  They follow PyTorch's functional
semantics (``torch.nn.functional``, CPU) and were verified against torch
2.13 for 1-, 2- and 3-D inputs; torch quirks that the oracle reproduces on
purpose are marked "TORCH QUIRK" below.

Known torch 2.13 CPU deviations that are deliberately NOT reproduced:

* interpolate(..., antialias=True) on an NCHW-contiguous input whose output
  width is 1 returns the first output row for every row of the height pass
  (a torch bug; the channels_last path with C >= 4 is correct and matches
  this oracle).
* 2-D "nearest"/"nearest-exact" with scale i/o (``size`` given, or
  recompute_scale_factor=True) compute the source index in float32, which
  for some sizes lands one off the exact value (smallest cases: i=26 -> o=22
  for nearest, i=14 -> o=23 for nearest-exact; none when i, o <= 22).
  1-D and 3-D torch agree with the exact integer rule used here.

All arrays are shaped (N, C, *spatial) with d = x.ndim - 2 >= 1 spatial
dims.  Every geometric parameter accepts an int (used for every dim) or a
per-dim tuple.  Results are float64, except ``max_pool``, ``max_unpool``,
``bed_of_nails``, ``pixel_shuffle`` and ``pixel_unshuffle``, which keep the
dtype of ``x``.  Only use these functions on tiny inputs.
"""

import itertools
import math

import numpy as np

__all__ = [
    "conv",
    "conv_transpose",
    "max_pool",
    "max_unpool",
    "interpolate",
    "bed_of_nails",
    "pixel_shuffle",
    "pixel_unshuffle",
]


# ---------------------------------------------------------------- helpers --


def _tup(v, d):
    """An int (or float) repeated d times, or a per-dim sequence of length d."""
    if isinstance(v, (int, float, np.integer, np.floating)):
        return (v,) * d
    v = tuple(v)
    if len(v) != d:
        raise ValueError(f"expected {d} values, got {v!r}")
    return v


def _pairs(padding, d):
    """int, per-dim ints or per-dim (lo, hi) pairs -> list of (lo, hi)."""
    if isinstance(padding, (int, np.integer)):
        return [(int(padding), int(padding))] * d
    out = []
    for p in _tup(padding, d):
        if isinstance(p, (int, np.integer)):
            out.append((int(p), int(p)))
        else:
            lo, hi = p
            out.append((int(lo), int(hi)))
    return out


def _ranges(shape):
    """itertools.product over every index of ``shape``."""
    return itertools.product(*(range(n) for n in shape))


def _ravel(idx, shape):
    """Row-major flat index of ``idx`` in an array of ``shape``."""
    flat = 0
    for i, n in zip(idx, shape):
        flat = flat * n + i
    return flat


def _unravel(flat, shape):
    """Inverse of _ravel."""
    idx = []
    for n in reversed(shape):
        flat, i = divmod(flat, n)
        idx.append(i)
    return tuple(reversed(idx))


def _pad_index(j, n, mode):
    """Map a padded coordinate j of an axis of length n to a real one (or None)."""
    if 0 <= j < n:
        return j
    if mode == "zeros":
        return None
    if mode == "reflect":  # edge not repeated; torch requires pad < n
        return -j if j < 0 else 2 * (n - 1) - j
    if mode == "replicate":
        return min(max(j, 0), n - 1)
    if mode == "circular":
        return j % n
    raise ValueError(f"unknown padding_mode {mode!r}")


# ------------------------------------------------------------ convolution --


def conv(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """torch.nn.functional.convNd / nn.ConvNd(padding_mode=...), any d.

    weight: (C_out, C_in // groups, *k).  padding: int, per-dim ints,
    per-dim (lo, hi) pairs, "valid", or "same" (TensorFlow rule, output
    size ceil(i / s); equals torch's padding="same" when stride is 1).
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    d = x.ndim - 2
    N, C_in, insp = x.shape[0], x.shape[1], x.shape[2:]
    C_out, cin_g, k = w.shape[0], w.shape[1], w.shape[2:]
    s, dil = _tup(stride, d), _tup(dilation, d)
    if isinstance(padding, str) and padding == "valid":
        pads = [(0, 0)] * d
    elif isinstance(padding, str) and padding == "same":
        pads = []
        for i, kk, ss, dd in zip(insp, k, s, dil):
            total = max((-(-i // ss) - 1) * ss + dd * (kk - 1) + 1 - i, 0)
            pads.append((total // 2, total - total // 2))
    else:
        pads = _pairs(padding, d)
    assert cin_g * groups == C_in and C_out % groups == 0
    cout_g = C_out // groups
    outsp = [
        (i + lo + hi - dd * (kk - 1) - 1) // ss + 1 for i, (lo, hi), kk, ss, dd in zip(insp, pads, k, s, dil)
    ]
    out = np.zeros((N, C_out, *outsp))
    for n, co, *o in _ranges((N, C_out, *outsp)):
        g = co // cout_g
        acc = 0.0 if bias is None else float(bias[co])
        for ci, *t in _ranges((cin_g, *k)):
            src = [
                _pad_index(oo * ss + tt * dd - lo, i, padding_mode)
                for oo, tt, ss, dd, (lo, _), i in zip(o, t, s, dil, pads, insp)
            ]
            if None not in src:
                acc += x[(n, g * cin_g + ci, *src)] * w[(co, ci, *t)]
        out[(n, co, *o)] = acc
    return out


def conv_transpose(x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv_transposeNd, any d, as the textbook scatter.

    weight: (C_in, C_out // groups, *k).  Each input element adds
    value * kernel at output position i*s + t*dil - pad_lo; the output has
    size (i-1)*s - pad_lo - pad_hi + dil*(k-1) + output_padding + 1.
    padding may also be per-dim (lo, hi) pairs.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    d = x.ndim - 2
    N, C_in, insp = x.shape[0], x.shape[1], x.shape[2:]
    cout_g, k = w.shape[1], w.shape[2:]
    s, dil, op = _tup(stride, d), _tup(dilation, d), _tup(output_padding, d)
    pads = _pairs(padding, d)
    assert w.shape[0] == C_in and C_in % groups == 0
    cin_g, C_out = C_in // groups, cout_g * groups
    outsp = [
        (i - 1) * ss - lo - hi + dd * (kk - 1) + oo + 1
        for i, ss, (lo, hi), dd, kk, oo in zip(insp, s, pads, dil, k, op)
    ]
    out = np.zeros((N, C_out, *outsp))
    for n, ci, *i in _ranges((N, C_in, *insp)):
        g = ci // cin_g
        for cog, *t in _ranges((cout_g, *k)):
            pos = [ii * ss + tt * dd - lo for ii, tt, ss, dd, (lo, _) in zip(i, t, s, dil, pads)]
            if all(0 <= p < o for p, o in zip(pos, outsp)):
                out[(n, g * cout_g + cog, *pos)] += x[(n, ci, *i)] * w[(ci, cog, *t)]
    if bias is not None:
        for co in range(C_out):
            out[:, co] += float(bias[co])
    return out


# ---------------------------------------------------------------- pooling --


def _pool_out(i, k, s, p, dil, ceil_mode):
    """torch's pooling_output_shape."""
    num = i + 2 * p - dil * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    o = num // s + 1
    if ceil_mode and (o - 1) * s >= i + p:  # last window must start in input/left pad
        o -= 1
    return o


def max_pool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """torch.nn.functional.max_poolNd(..., return_indices=True), any d.

    Returns (values, indices); values keep x's dtype, indices are int64 flat
    (row-major) positions within each (n, c) plane of the UNPADDED input.
    Implicit padding never wins.

    Tie / NaN rule of torch's CPU kernel (verified on torch 2.13 for
    max_pool1d/2d/3d, with and without return_indices): walk the window's
    in-bounds positions in row-major order starting from maxval = -inf and
    maxindex = first in-bounds position, and take a position when
    ``val > maxval or isnan(val)``.  Hence ties go to the FIRST maximum,
    any NaN beats every number, and with several NaNs the LAST NaN wins
    (maxval becomes NaN, so later numbers never compare greater).  A window
    that holds only -inf reports -inf at its first in-bounds position.
    Integer inputs are compared as Python ints and keep their dtype (torch
    starts integer windows at the dtype's minimum instead of -inf).

    TORCH QUIRK (degenerate, only possible with dilation > 1): a window with
    NO in-bounds position (e.g. i=1, k=2, dilation=2, padding=1) is allowed
    by torch and gives value -inf (integers: the dtype's minimum) and index
    ravel(first), where first[j] is the window's first coordinate >= 0 in
    dim j -- an index that may lie outside the plane or alias another
    element.  For non-empty windows ravel(first) is exactly the first
    in-bounds position, so one rule covers both cases.
    """
    x = np.asarray(x)
    d = x.ndim - 2
    N, C, insp = x.shape[0], x.shape[1], x.shape[2:]
    k = _tup(kernel_size, d)
    s = k if stride is None else _tup(stride, d)
    p, dil = _tup(padding, d), _tup(dilation, d)
    outsp = [_pool_out(*a, ceil_mode) for a in zip(insp, k, s, p, dil)]
    values = np.zeros((N, C, *outsp), dtype=x.dtype)
    indices = np.zeros((N, C, *outsp), dtype=np.int64)
    lowest = -math.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    for n, c, *o in _ranges((N, C, *outsp)):
        start = [oo * ss - pp for oo, ss, pp in zip(o, s, p)]
        # first window position >= 0 per dim = the first in-bounds position
        first = [st if st >= 0 else st % dd for st, dd in zip(start, dil)]
        best, best_i = lowest, _ravel(first, insp)
        for t in _ranges(k):
            pos = [st + tt * dd for st, tt, dd in zip(start, t, dil)]
            if not all(0 <= q < i for q, i in zip(pos, insp)):
                continue
            v = x[(n, c, *pos)].item()
            if v > best or v != v:  # v != v  <=>  isnan(v)
                best, best_i = v, _ravel(pos, insp)
        values[(n, c, *o)] = best
        indices[(n, c, *o)] = best_i
    return values, indices


def avg_pool(
    x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None
):
    """torch.nn.functional.avg_poolNd, any d, computed in float64.

    Window (n, c, *o) starts at o*s - p and spans k per dim; its sum runs over the
    positions inside the input. The divisor is divisor_override if given, else the
    window's extent cut at the padded input's end (padding counted) when
    count_include_pad, else the number of input positions it holds.
    """
    x = np.asarray(x, dtype=np.float64)
    d = x.ndim - 2
    N, C, insp = x.shape[0], x.shape[1], x.shape[2:]
    k = _tup(kernel_size, d)
    s = k if stride is None else _tup(stride, d)
    p = _tup(padding, d)
    outsp = [_pool_out(i, kk, ss, pp, 1, ceil_mode) for i, kk, ss, pp in zip(insp, k, s, p)]
    out = np.zeros((N, C, *outsp))
    for n, c, *o in _ranges((N, C, *outsp)):
        start = [oo * ss - pp for oo, ss, pp in zip(o, s, p)]
        total, inside = 0.0, 0
        for t in _ranges(k):
            pos = [st + tt for st, tt in zip(start, t)]
            if all(0 <= q < i for q, i in zip(pos, insp)):
                total += x[(n, c, *pos)]
                inside += 1
        padded = 1
        for st, kk, i, pp in zip(start, k, insp, p):
            padded *= min(st + kk, i + pp) - st
        divisor = divisor_override or (padded if count_include_pad else inside)
        out[(n, c, *o)] = total / divisor
    return out


def max_unpool(x, indices, kernel_size, stride=None, padding=0, output_size=None):
    """torch.nn.functional.max_unpoolNd, any d; keeps x's dtype.

    Output spatial size is (i-1)*s - 2p + k per dim unless ``output_size``
    (spatial sizes, optionally prefixed by N, C) is given; like torch it must
    then lie strictly between default - s and default + s.  Every value is
    written at its flat index in its (n, c) plane, everything else is 0.
    Duplicate indices: the value written LAST in row-major order of x wins
    (verified on torch 2.13 CPU for 1-, 2- and 3-D: its kernel also loops
    over each plane's input positions in order, so the last one wins).
    Out-of-range indices raise, as in torch (which skips the check when the
    output is empty, e.g. a spatial size of 0).
    """
    x = np.asarray(x)
    indices = np.asarray(indices)
    d = x.ndim - 2
    N, C, insp = x.shape[0], x.shape[1], x.shape[2:]
    k = _tup(kernel_size, d)
    s = k if stride is None else _tup(stride, d)
    p = _tup(padding, d)
    outsp = [(i - 1) * ss - 2 * pp + kk for i, ss, pp, kk in zip(insp, s, p, k)]
    if output_size is not None:
        if len(output_size) not in (d, d + 2):
            raise ValueError(f"bad output_size {output_size!r}")
        size = [int(v) for v in output_size][-d:]
        for want, default, ss in zip(size, outsp, s):
            if not default - ss < want < default + ss:
                raise ValueError(f"output_size {output_size!r} out of range")
        outsp = size
    out = np.zeros((N, C, math.prod(outsp)), dtype=x.dtype)
    if out.size == 0:  # torch does not look at the indices then
        return out.reshape(N, C, *outsp)
    for n, c, *i in _ranges((N, C, *insp)):
        flat = int(indices[(n, c, *i)])
        if not 0 <= flat < out.shape[2]:
            raise IndexError(f"index {flat} out of range")
        out[n, c, flat] = x[(n, c, *i)]
    return out.reshape(N, C, *outsp)


# ----------------------------------------------------------- interpolate --


def _cubic(t, a):
    """Keys cubic convolution kernel with parameter a."""
    t = abs(t)
    if t < 1:
        return ((a + 2) * t - (a + 3)) * t * t + 1
    if t < 2:
        return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return 0.0


def _triangle(t):
    return max(0.0, 1.0 - abs(t))


def _nearest_src(dst, i, o, sf, exact):
    """Source index of nearest ("exact": nearest-exact) along one axis.

    With scale i/o the floor is taken in exact integer arithmetic; torch's
    1-D and 3-D kernels agree with it for every i <= 64, o <= 129, whereas
    floor(dst * (i / o)) in float64 can land one below an exact integer
    (e.g. i=2, o=49, dst=24 for nearest-exact).  (2-D torch uses float32
    here, see the module docstring.)  With a scale_factor torch uses scale =
    1/sf, and floor((dst [+ 0.5]) * (1.0 / sf)) in float64 matched torch
    (1-, 2- and 3-D) on every case tried -- note: NOT (dst + 0.5) / sf.
    """
    if sf is None:
        src = ((2 * dst + 1) * i) // (2 * o) if exact else (dst * i) // o
    else:
        src = math.floor(((dst + 0.5) if exact else dst) * (1.0 / sf))
    return min(src, i - 1)


def _aa_taps(dst, i, scale, mode):
    """torch's _upsample_{bilinear,bicubic}2d_aa weights for one output position."""
    size, filt = (2, _triangle) if mode == "linear" else (4, lambda t: _cubic(t, -0.5))
    support = size / 2 * scale if scale >= 1 else size / 2
    inv = 1 / scale if scale >= 1 else 1.0
    center = scale * (dst + 0.5)  # also with align_corners (then scale = (i-1)/(o-1))
    lo = max(math.floor(center - support + 0.5), 0)
    hi = min(math.floor(center + support + 0.5), i)
    ws = [(j, filt((j - center + 0.5) * inv)) for j in range(lo, hi)]
    total = sum(w for _, w in ws)
    return [(j, w / total if total else w) for j, w in ws]


def _taps(mode, i, o, sf, align_corners, antialias, d):
    """For one axis: a list over output positions of [(source index, weight)].

    sf is the scale_factor torch uses for this axis (None: derive from sizes).
    """
    if align_corners and mode in ("linear", "cubic"):
        scale = (i - 1) / (o - 1) if o > 1 else 0.0
    else:
        scale = 1.0 / sf if sf is not None and sf > 0 else i / o
    if sf is not None and not sf > 0:
        sf = None
    taps = []
    for dst in range(o):
        if mode == "area":  # adaptive average pool bin
            lo, hi = (dst * i) // o, -(-((dst + 1) * i) // o)
            taps.append([(j, 1.0 / (hi - lo)) for j in range(lo, hi)])
        elif mode == "nearest" and d == 2 and o in (i, 2 * i):
            # TORCH QUIRK (2-D only, torch 2.13 CPU): when o == i or o == 2*i
            # upsample_nearest2d takes src = dst or dst // 2 whatever
            # scale_factor says (e.g. i=6, scale_factor=1.1 -> identity,
            # scale_factor=2.1 -> dst // 2); 1-D and 3-D use the formula.
            taps.append([(dst if o == i else dst // 2, 1.0)])
        elif mode in ("nearest", "nearest-exact"):
            taps.append([(_nearest_src(dst, i, o, sf, mode == "nearest-exact"), 1.0)])
        elif mode not in ("linear", "cubic"):
            raise ValueError(f"unknown mode {mode!r}")
        elif o == i and (antialias or mode == "linear"):
            # TORCH QUIRK: linear (any d) and the antialias kernel copy an axis
            # whose size does not change, whatever scale_factor says.
            taps.append([(dst, 1.0)])
        elif antialias:
            taps.append(_aa_taps(dst, i, scale, mode))
        elif mode == "linear":
            src = scale * dst if align_corners else max(scale * (dst + 0.5) - 0.5, 0.0)
            j0 = min(math.floor(src), i - 1)
            lam = min(max(src - j0, 0.0), 1.0)
            taps.append([(j0, 1.0 - lam), (min(j0 + 1, i - 1), lam)])
        else:  # cubic: src not clamped, the 4 taps clamped to the border
            src = scale * dst if align_corners else scale * (dst + 0.5) - 0.5
            j0 = math.floor(src)
            t = src - j0
            taps.append([(min(max(j0 + m, 0), i - 1), _cubic(t - m, -0.75)) for m in (-1, 0, 1, 2)])
    return taps


def interpolate(
    x,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """torch.nn.functional.interpolate, any d, computed in float64.

    mode: "nearest", "nearest-exact", "linear" (torch's linear / bilinear /
    trilinear), "cubic" (torch's bicubic, Keys a = -0.75, taps clamped to the
    border, separable in any d) or "area" (adaptive average pool).
    Output size: ``size`` or floor(i * scale_factor).  Source scale per dim:
    (i-1)/(o-1) (0 if o == 1) with align_corners; else 1/scale_factor when a
    scale_factor is given and recompute_scale_factor is falsy; else i/o.

    antialias=True (linear/cubic only) uses torch's separable antialias
    filter for ALL scales, as torch does (not only when downsampling): per
    axis, center = scale*(dst + 0.5); support = size/2 * max(scale, 1)
    (size 2 for linear, 4 for cubic); weight of input j is
    filter((j - center + 0.5) / max(scale, 1)) for j in
    [max(floor(center - support + 0.5), 0), min(floor(center + support + 0.5), i)),
    normalised to sum 1; filter is the triangle (linear) or Keys a = -0.5
    (cubic).  With align_corners=True torch still uses that center, just
    with scale = (i-1)/(o-1).  An axis whose size does not change is copied.
    torch only has it for 2-D; here it is the same separable product in any d.
    """
    x = np.asarray(x, dtype=np.float64)
    d = x.ndim - 2
    N, C, insp = x.shape[0], x.shape[1], x.shape[2:]
    mode = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    if antialias and mode not in ("linear", "cubic"):
        raise ValueError("antialias is only supported for linear and cubic")
    if (size is None) == (scale_factor is None):
        raise ValueError("give exactly one of size and scale_factor")
    if size is not None:
        outsp, sfs = [int(v) for v in _tup(size, d)], [None] * d
    else:
        sfs = [float(v) for v in _tup(scale_factor, d)]
        outsp = [math.floor(i * f) for i, f in zip(insp, sfs)]
        if recompute_scale_factor:
            sfs = [None] * d
    taps = [_taps(mode, i, o, sf, align_corners, antialias, d) for i, o, sf in zip(insp, outsp, sfs)]
    out = np.zeros((N, C, *outsp))
    for n, c, *o in _ranges((N, C, *outsp)):
        acc = 0.0
        for combo in itertools.product(*(taps[j][o[j]] for j in range(d))):
            acc += math.prod(w for _, w in combo) * x[(n, c, *(j for j, _ in combo))]
        out[(n, c, *o)] = acc
    return out


# --------------------------------------------------------- rearrangements --


def bed_of_nails(x, scale_factor, offset=0):
    """Zero-insertion upsampling: out[..., i*s + offset] = x[..., i], else 0.

    Output spatial size is i*s per dim; 0 <= offset < s; keeps x's dtype.
    Equals conv_transpose with stride s and a one-hot (s,)*d kernel.
    """
    x = np.asarray(x)
    d = x.ndim - 2
    N, C, insp = x.shape[0], x.shape[1], x.shape[2:]
    s, off = _tup(scale_factor, d), _tup(offset, d)
    assert all(0 <= oo < ss for oo, ss in zip(off, s))
    out = np.zeros((N, C, *(i * ss for i, ss in zip(insp, s))), dtype=x.dtype)
    for n, c, *i in _ranges((N, C, *insp)):
        out[(n, c, *(ii * ss + oo for ii, ss, oo in zip(i, s, off)))] = x[(n, c, *i)]
    return out


def pixel_shuffle(x, upscale_factor):
    """torch.nn.functional.pixel_shuffle generalised to any d (and per-dim r).

    (N, C*R, *i) -> (N, C, *(i*r)), R = prod(r), with
    out[n, c, *(i*r + q)] = x[n, c*R + ravel(q, r), *i]  (q row-major in r).
    """
    x = np.asarray(x)
    d = x.ndim - 2
    N, CR, insp = x.shape[0], x.shape[1], x.shape[2:]
    r = _tup(upscale_factor, d)
    R = math.prod(r)
    assert CR % R == 0
    outsp = [i * rr for i, rr in zip(insp, r)]
    out = np.zeros((N, CR // R, *outsp), dtype=x.dtype)
    for n, c, *o in _ranges(out.shape):
        i = [oo // rr for oo, rr in zip(o, r)]
        q = [oo % rr for oo, rr in zip(o, r)]
        out[(n, c, *o)] = x[(n, c * R + _ravel(q, r), *i)]
    return out


def pixel_unshuffle(x, downscale_factor):
    """torch.nn.functional.pixel_unshuffle generalised; inverse of pixel_shuffle.

    (N, C, *(o*r)) -> (N, C*R, *o) with
    out[n, c*R + ravel(q, r), *o] = x[n, c, *(o*r + q)].
    """
    x = np.asarray(x)
    d = x.ndim - 2
    N, C, insp = x.shape[0], x.shape[1], x.shape[2:]
    r = _tup(downscale_factor, d)
    R = math.prod(r)
    assert all(i % rr == 0 for i, rr in zip(insp, r))
    out = np.zeros((N, C * R, *(i // rr for i, rr in zip(insp, r))), dtype=x.dtype)
    for n, ch, *o in _ranges(out.shape):
        c, rem = divmod(ch, R)
        q = _unravel(rem, r)
        out[(n, ch, *o)] = x[(n, c, *(oo * rr + qq for oo, rr, qq in zip(o, r, q)))]
    return out


# ----------------------------------------------------------- resize dialects --


def _onnx_source(o, i, out, rule, scale_factor, roi):
    """ONNX Resize's coordinate_transformation_mode, written from the specification:
    output index o -> source coordinate (scale = out/in, or the given scale_factor)."""
    scale = out / i if scale_factor is None else scale_factor
    if rule == "half_pixel":
        return (o + 0.5) / scale - 0.5
    if rule == "pytorch_half_pixel":
        return (o + 0.5) / scale - 0.5 if out > 1 else 0.0
    if rule == "align_corners":
        return o * (i - 1) / (out - 1) if out > 1 else 0.0
    if rule == "asymmetric":
        return o / scale
    if rule == "half_pixel_symmetric":
        adjustment = out / (i * scale)
        return i / 2 * (1 - adjustment) + (o + 0.5) / scale - 0.5
    if rule == "tf_crop_and_resize":
        start, end = roi
        if out == 1:
            return (end - start) * (i - 1) / 2 + start * (i - 1)
        return start * (i - 1) + o * (end - start) * (i - 1) / (out - 1)
    raise ValueError(f"unknown coordinate rule {rule!r}")


def _round_nearest(src, nearest_mode):
    if nearest_mode == "floor":
        return math.floor(src)
    if nearest_mode == "ceil":
        return math.ceil(src)
    below = math.floor(src)
    if src - below == 0.5:
        return below if nearest_mode == "round_prefer_floor" else below + 1
    return math.floor(src + 0.5)


def _lanczos(t, n):
    if t == 0:
        return 1.0
    if abs(t) >= n:
        return 0.0
    return n * math.sin(math.pi * t) * math.sin(math.pi * t / n) / (math.pi * t) ** 2


def _dialect_taps(o, i, out, mode, rule, nearest_mode, a, exclude, antialias, scale_factor, roi):
    """One output's [(source index, weight)] along one axis, or None outside a crop."""
    src = _onnx_source(o, i, out, rule, scale_factor, roi)
    if rule == "tf_crop_and_resize" and not 0 <= src <= i - 1:
        return None
    if mode == "nearest":
        return [(min(max(_round_nearest(src, nearest_mode), 0), i - 1), 1.0)]
    kernel, support = {
        "linear": (_triangle, 1),
        "cubic": (lambda t: _cubic(t, a), 2),
        "lanczos3": (lambda t: _lanczos(t, 3), 3),
        "lanczos5": (lambda t: _lanczos(t, 5), 5),
    }[mode]
    scale = i / out if scale_factor is None else 1 / scale_factor
    widen = max(scale, 1.0) if antialias else 1.0
    taps = [
        (j, kernel((j - src) / widen))
        for j in range(math.floor(src - support * widen), math.ceil(src + support * widen) + 1)
    ]
    if antialias:
        total = sum(w for _, w in taps)
        taps = [(j, w / total) for j, w in taps]
    if exclude:
        taps = [(j, w) for j, w in taps if 0 <= j < i]
        total = sum(w for _, w in taps)
        taps = [(j, w / total if total else w) for j, w in taps]
    return [(min(max(j, 0), i - 1), w) for j, w in taps]


def resize(
    x,
    size,
    mode="linear",
    coordinate_transformation_mode="half_pixel",
    nearest_mode="round_prefer_floor",
    cubic_coeff_a=-0.75,
    exclude_outside=False,
    antialias=False,
    scale_factor=None,
    roi=None,
    extrapolation_value=0.0,
):
    """ONNX Resize (opset 19) as its specification reads, any d, in float64.

    Per axis: the source coordinate by the coordinate rule; nearest rounds it by
    nearest_mode; the kernels (triangle, Keys cubic with cubic_coeff_a, Lanczos) sit at
    it, widened by in/out and normalised with antialias; taps outside the image repeat
    the border, or with exclude_outside are dropped and the rest renormalised. Under
    tf_crop_and_resize (roi: one (start, end) per axis) an output whose coordinate falls
    outside [0, in - 1] along any axis is extrapolation_value. Unlike onnx's reference
    evaluator, pytorch_half_pixel maps an output of size 1 to 0, as the specification says.
    """
    x = np.asarray(x, dtype=np.float64)
    d = x.ndim - 2
    insp, outsp = x.shape[2:], [int(v) for v in _tup(size, d)]
    sfs = [None] * d if scale_factor is None else [float(v) for v in _tup(scale_factor, d)]
    rois = [None] * d if roi is None else list(roi)
    taps = [
        [
            _dialect_taps(
                o,
                i,
                out,
                mode,
                coordinate_transformation_mode,
                nearest_mode,
                cubic_coeff_a,
                exclude_outside,
                antialias,
                sf,
                r,
            )
            for o in range(out)
        ]
        for i, out, sf, r in zip(insp, outsp, sfs, rois)
    ]
    result = np.zeros((*x.shape[:2], *outsp))
    for n, c, *o in _ranges(result.shape):
        per_axis = [taps[a][o[a]] for a in range(d)]
        if any(t is None for t in per_axis):
            result[(n, c, *o)] = extrapolation_value
            continue
        result[(n, c, *o)] = sum(
            math.prod(w for _, w in combo) * x[(n, c, *(j for j, _ in combo))]
            for combo in itertools.product(*per_axis)
        )
    return result
