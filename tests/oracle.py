"""One harness that compares an upsample op with PyTorch: values, then gradients.

``check(ours, theirs, arrays, ...)`` runs ``upsample.vjp(ours, *arrays, **kwargs)`` and
``theirs(*tensors)``, compares the outputs, then pulls back the same random cotangent
through both and compares every gradient (x, weight, bias).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import required
import upsample

torch = required.module("torch")
torch.set_num_threads(1)


def check(
    ours: Callable[..., Any],
    theirs: Callable[..., Any],
    arrays: Sequence[np.ndarray | None],
    kwargs: dict[str, Any] | None = None,
    *,
    grad: bool = True,
    rtol: float = 1e-9,
    atol: float = 1e-10,
    seed: int = 0,
) -> np.ndarray:
    """Compare ``ours(*arrays, **kwargs)`` with ``theirs(*tensors)`` and their VJPs.

    ``theirs`` receives torch tensors (``None`` stays ``None``) built from the same
    arrays; float arrays require grad. Ops that return ``(values, indices)`` are
    compared on both, and differentiated through the values only.
    """
    kwargs = kwargs or {}
    tensors = [
        None if a is None else torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays
    ]
    expected = theirs(*tensors)
    if grad:
        out, pullback = upsample.vjp(ours, *arrays, **kwargs)
    else:
        out, pullback = ours(*arrays, **kwargs), None
    values, t_values = (out[0], expected[0]) if isinstance(out, tuple) else (out, expected)
    if isinstance(out, tuple):
        np.testing.assert_array_equal(out[1], expected[1].numpy(), err_msg="indices differ")
    assert values.shape == tuple(t_values.shape), f"shape {values.shape} != torch {tuple(t_values.shape)}"
    assert values.dtype == np.dtype(str(t_values.dtype).removeprefix("torch.")), (
        f"dtype {values.dtype} != torch {t_values.dtype}"
    )
    np.testing.assert_allclose(
        values, t_values.detach().numpy(), rtol=rtol, atol=atol, err_msg="forward differs from torch"
    )
    if not grad:
        return values
    cotangent = np.random.default_rng(seed).standard_normal(values.shape).astype(values.dtype)
    t_values.backward(torch.tensor(cotangent))
    grads = pullback(cotangent)
    differentiable = [(i, t) for i, t in enumerate(tensors) if t is not None and t.requires_grad]
    assert len(grads) >= len(differentiable), f"{len(grads)} gradients for {len(differentiable)} inputs"
    for i, t in differentiable:
        np.testing.assert_allclose(
            grads[i],
            t.grad.numpy(),
            rtol=rtol,
            atol=atol,
            err_msg=f"gradient of argument {i} differs from torch",
        )
    return values
