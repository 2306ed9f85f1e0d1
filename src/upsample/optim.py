"""Optimizers with PyTorch's exact update rules: SGD, Adam and AdamW.

Each takes the ``Parameter`` objects of :mod:`upsample.nn` (``net.parameters()``) and
updates their ``value`` arrays in place from their accumulated ``grad``::

    opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    opt.zero_grad(); net.backward(grad); opt.step()

The formulas are those of ``torch.optim`` (single-tensor code path), step for step,
so a training run matches PyTorch's to rounding error; see each class. ``lr`` is a
plain attribute: assign to it to schedule the learning rate.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .nn import Parameter

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]


def _number(op: str, name: str, value: Any, *, minimum: float = 0.0, below: float | None = None) -> float:
    """A finite real number >= ``minimum`` (and < ``below``), with the house error message."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: {name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < minimum or (below is not None and value >= below):
        expected = f">= {minimum:g}" + ("" if below is None else f" and < {below:g}")
        raise ValueError(f"{op}: {name} must be {expected}, got {value!r}")
    return value


class Optimizer(abc.ABC):
    """The shared part: the parameter list, ``zero_grad`` and per-parameter state."""

    def __init__(self, params: Iterable[Parameter], lr: Any) -> None:
        op = type(self).__name__
        if isinstance(params, Parameter):
            raise TypeError(
                f"{op}: params must be an iterable of Parameters, e.g. "
                "net.parameters(), got a single Parameter"
            )
        self.params = list(params)
        for i, p in enumerate(self.params):
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"{op}: params must hold upsample.nn Parameters, item {i} is {type(p).__name__}"
                )
        if not self.params:
            raise ValueError(f"{op}: params must not be empty")
        self.lr = _number(op, "lr", lr)
        self.state: list[dict[str, Any]] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero."""
        for p in self.params:
            p.grad[...] = 0

    def step(self) -> None:
        for p, state in zip(self.params, self.state):
            self._update(p, state)

    @abc.abstractmethod
    def _update(self, p: Parameter, state: dict[str, Any]) -> None:
        """Apply one step of this optimizer's rule to ``p``, with its per-parameter ``state``."""


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as ``torch.optim.SGD``::

        g = grad + weight_decay * value
        buf = g                                   (first step)
        buf = momentum * buf + (1 - dampening) * g (later steps)
        g = g + momentum * buf if nesterov else buf   (when momentum != 0)
        value -= lr * g

    >>> import numpy as np
    >>> p = Parameter(np.array([1.0])); p.grad[...] = 2.0
    >>> opt = SGD([p], lr=0.1, momentum=0.9); opt.step(); opt.step(); p.value
    array([0.42])
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _number("SGD", "momentum", momentum)
        self.dampening = _number("SGD", "dampening", dampening)
        self.weight_decay = _number("SGD", "weight_decay", weight_decay)
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "SGD: nesterov must be False unless momentum > 0 and dampening == 0, "
                f"got momentum={momentum!r} and dampening={dampening!r}"
            )

    def _update(self, p: Parameter, state: dict[str, Any]) -> None:
        g = p.grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * p.value
        if self.momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= self.momentum
                buf += (1 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        p.value -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) as ``torch.optim.Adam``, L2 weight decay added to the gradient::

        g = grad + weight_decay * value
        m += (1 - beta1) * (g - m)                 (torch's lerp)
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)                      (amsgrad; then v_max replaces v below)
        denom = sqrt(v) / sqrt(1 - beta2**t) + eps
        value -= lr / (1 - beta1**t) * m / denom

    ``weight_decay=None`` is 0, PyTorch's default.

    >>> import numpy as np
    >>> p = Parameter(np.array([1.0])); p.grad[...] = 2.0
    >>> opt = Adam([p], lr=0.1); opt.step(); p.value   # the first step moves by lr
    array([0.9])
    """

    decoupled = False
    #: the weight decay when none is given: torch's defaults differ between Adam and AdamW
    default_weight_decay = 0.0

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float | None = None,
        amsgrad: bool = False,
    ) -> None:
        op = type(self).__name__
        if weight_decay is None:
            weight_decay = self.default_weight_decay
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{op}: betas must be a pair of numbers, got {betas!r}")
        self.betas = (
            _number(op, "betas[0]", betas[0], below=1.0),
            _number(op, "betas[1]", betas[1], below=1.0),
        )
        self.eps = _number(op, "eps", eps)
        self.weight_decay = _number(op, "weight_decay", weight_decay)
        self.amsgrad = bool(amsgrad)

    def _update(self, p: Parameter, state: dict[str, Any]) -> None:
        beta1, beta2 = self.betas
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(p.value), exp_avg_sq=np.zeros_like(p.value))
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(p.value)
        state["step"] += 1
        t = state["step"]
        g = p.grad
        if self.weight_decay != 0:
            if self.decoupled:
                p.value *= 1 - self.lr * self.weight_decay
            else:
                g = g + self.weight_decay * p.value
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - beta1) * (g - m)
        v *= beta2
        v += (1 - beta2) * g * g
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size = self.lr / (1 - beta1**t)
        denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + self.eps
        p.value -= step_size * (m / denom)  # torch's addcdiv_


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW``: first
    ``value *= 1 - lr * weight_decay``, then the Adam step on the raw gradient.
    The default ``weight_decay`` (None) is 0.01, PyTorch's."""

    decoupled = True
    default_weight_decay = 1e-2
