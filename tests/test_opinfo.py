"""PyTorch's own OpInfo sample inputs through ``upsample.compat.torch.nn.functional``.

Every sample torch's test suite generates for these ops (float64, CPU, unbatched forms
included) is run through the drop-in function and through torch: the outputs must agree,
and where torch differentiates, so must the gradients, taken through ``upsample.vjp`` of
the drop-in function with the same random cotangent.

max_unpool's plain variant makes samples whose indices repeat within a plane (overlapping
windows picked one input twice). torch's own gradient tests skip that variant: its
backward sends the gradient to every value that shared an index, while upsample's goes to
the value that was kept (the last writer), which is the exact derivative. Those samples
are compared with torch's gradient masked to the kept writers, found here by a loop.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import oracle
import required
import upsample
from upsample.compat.torch.nn import functional as UF

torch = oracle.torch  # one thread, as the other oracle tests use it
required.module("expecttest")  # torch.testing._internal imports it; under CI a missing one fails

#: every drop-in function: a name added to compat's ``__all__`` is tested here without an edit.
#: ``upsample`` is left out because torch's op_db has no OpInfo for it: torch.nn.functional.upsample
#: is the deprecated alias of interpolate, whose OpInfos cover it. A name without an OpInfo
#: fails test_opinfo_samples_match_torch (KeyError) rather than passing with no samples.
NO_OPINFO = {"upsample"}
OPS = [name for name in UF.__all__ if name not in NO_OPINFO]


@functools.cache
def _opinfos() -> dict[str, list]:
    from torch.testing._internal.common_methods_invocations import op_db

    found: dict[str, list] = {}
    for info in op_db:
        name = info.name.removeprefix("nn.functional.")
        if info.name.startswith("nn.functional.") and name in OPS:
            found.setdefault(name, []).append(info)
    return found


def _numpy(value):
    """Tensors -> arrays, torch.Size -> tuple, recursively; everything else unchanged."""
    if isinstance(value, torch.Tensor):
        return value.detach().numpy().copy()
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_numpy(v) for v in value)
    if isinstance(value, dict):
        return {k: _numpy(v) for k, v in value.items()}
    return value


def _kept_writers(indices: np.ndarray, spatial: int) -> np.ndarray:
    """For max_unpool: True where a value is the last one in row-major order aimed at its index."""
    kept = np.zeros(indices.shape, dtype=bool)
    planes = indices.reshape(-1, int(np.prod(indices.shape[-spatial:])))
    flat = kept.reshape(planes.shape)
    for b, plane in enumerate(planes):
        last = {}
        for j, target in enumerate(plane):
            last[int(target)] = j
        for j in last.values():
            flat[b, j] = True
    return kept


def _check_sample(fn, info, sample, rng) -> bool:
    """Compare one sample; returns whether it was an unbatched one. Raises on a mismatch."""
    args, kwargs = [sample.input, *sample.args], dict(sample.kwargs)
    expected = info.op(*args, **kwargs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    np_args, np_kwargs = _numpy(args), _numpy(kwargs)
    before = [a.copy() if isinstance(a, np.ndarray) else a for a in np_args]
    got = fn(*np_args, **np_kwargs)
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(expected)
    for ours, theirs in zip(got, expected):
        assert ours.shape == tuple(theirs.shape) and ours.dtype == _numpy(theirs).dtype
        np.testing.assert_allclose(ours, _numpy(theirs), rtol=1e-10, atol=1e-12)
    values, (_, pullback) = expected[0], upsample.vjp(fn, *np_args, **np_kwargs)
    differentiable = [a for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
    if values.requires_grad and values.numel() and differentiable:
        cotangent = rng.standard_normal(tuple(values.shape))
        theirs = torch.autograd.grad(values, differentiable, torch.from_numpy(cotangent), allow_unused=True)
        ours = pullback(cotangent)
        assert len(ours) == len([a for a in np_args if isinstance(a, np.ndarray) and a.dtype.kind == "f"])
        for mine, their in zip(ours, theirs):
            their = np.zeros_like(mine) if their is None else _numpy(their)
            if fn.__name__.startswith("max_unpool") and mine.shape == np_args[1].shape:
                their = np.where(_kept_writers(np_args[1], int(fn.__name__[-2])), their, 0)
            assert mine.shape == their.shape
            np.testing.assert_allclose(mine, their, rtol=1e-9, atol=1e-10)
    for a, b in zip(np_args, before):  # inputs are never modified
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
    nd = int(fn.__name__[-2]) if fn.__name__[-2].isdigit() else None
    return nd is not None and sample.input.ndim == nd + 1


# torch's own deprecated aliases, and its note that padding="same" with an even kernel may copy
@pytest.mark.filterwarnings("ignore:`nn.functional.upsample.*is deprecated:UserWarning")
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")
@pytest.mark.parametrize("name", OPS)
def test_opinfo_samples_match_torch(name, record_property):
    fn = getattr(UF, name)
    rng = np.random.default_rng(0)
    infos = _opinfos()[name]
    total, unbatched, failures = 0, 0, []
    for info in infos:
        for sample in info.sample_inputs("cpu", torch.float64, requires_grad=info.supports_autograd):
            total += 1
            try:
                unbatched += _check_sample(fn, info, sample, rng)
            except (AssertionError, ValueError, TypeError) as error:
                failures.append(
                    f"{info.variant_test_name or '-'} {tuple(sample.input.shape)} "
                    f"{sample.args!r:.80} {sample.kwargs}: {str(error)[:300]}"
                )
    record_property("samples", f"{total - len(failures)}/{total} ({unbatched} unbatched)")
    print(
        f"\n{name}: {total - len(failures)}/{total} samples passed, {unbatched} unbatched; "
        f"variants {[i.variant_test_name or '-' for i in infos]}"
    )
    assert total > 0, f"torch's op_db has no samples for {name}"
    assert not failures, f"{len(failures)} of {total} samples differ:\n" + "\n".join(failures[:10])
