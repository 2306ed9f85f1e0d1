"""Learning to upsample: train upsampling layers on photographs and score them on others.

The task is 2x upsampling. Each photograph (:mod:`upsample.images`: luminance, float32
in [0, 1]) is the ground truth; its low-resolution version is the 2x2 block average.
Every method maps the low-resolution image back to full size and is scored by PSNR
on held-out photographs it never saw, ``PSNR = 10 log10(1 / MSE)`` after clipping to
[0, 1], ignoring a border of ``SHAVE`` pixels (the usual super-resolution protocol:
the border is where zero padding and edge clamping differ, not where the methods do).

The methods:

* fixed: nearest, bilinear and bicubic interpolation (:func:`upsample.interpolate`);
* learned, each a single upsampling layer from one channel to one channel, so the
  comparison is between upsampling layers and not between network bodies:

  - transposed convolution k=4, s=2, p=1, initialised to bilinear, and randomly;
  - transposed convolution k=3, s=2 (uneven overlap: the checkerboard case);
  - resize-convolution: nearest x2, then a 3x3 convolution (Odena et al. 2016);
  - sub-pixel convolution: a 3x3 convolution to 4 channels, then pixel_shuffle
    (Shi et al. 2016), ICNR-initialised.

All of them are linear in the image, so each is described completely by its
*impulse response*: what one low-resolution pixel adds to the output. For a transposed
convolution that is its kernel; the report draws it for every method.

Training: Adam on the mean squared error of random ``patch`` x ``patch`` crops, with
a cosine learning-rate decay; the loss ignores a ``SHAVE``-pixel border of each crop
so that zero padding at patch edges does not bias the kernels.

Run it with ``upsample train`` or :func:`run`; it writes ``psnr.json``, ``report.png``
and one ``.npz`` state dict per learned model into ``out``; the picture is drawn by
:mod:`upsample.train.report`.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import _args, images, nn, ops, optim, shapes

__all__ = ["Design", "DESIGNS", "BASELINES", "Result", "run", "psnr"]

#: pixels ignored at every image border, in the loss and in the score
SHAVE = 4
SCALE = 2


# --------------------------------------------------------------------------- the methods


def _interpolate(mode: str) -> Callable[[np.ndarray], np.ndarray]:
    forward = ops.OPS["interpolate"].forward
    return lambda x: forward(x, scale_factor=SCALE, mode=mode)


#: the fixed methods: name -> (label, function of (N, 1, h, w) -> (N, 1, 2h, 2w))
BASELINES: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "nearest": ("nearest", _interpolate("nearest")),
    "bilinear": ("bilinear", _interpolate("bilinear")),
    "bicubic": ("bicubic (Keys a=-0.75)", _interpolate("bicubic")),
}


@dataclass(frozen=True)
class Design:
    """A learned upsampler: a label, a builder ``rng -> nn.Module`` and its learning rate."""

    label: str
    build: Callable[[np.random.Generator], nn.Module]
    lr: float = 0.03
    #: run by default; the others only when named in ``designs``
    default: bool = True
    #: linear in the image, so its impulse response is its whole story (its kernel)
    linear: bool = True


def _cnn(rng: np.random.Generator) -> nn.Module:
    """A small nonlinear network ending in a sub-pixel layer (ESPCN-like, Shi et al. 2016)."""
    return nn.Sequential(
        nn.Conv(1, 32, 5, padding=2, rng=rng),
        nn.ReLU(),
        nn.Conv(32, 16, 3, padding=1, rng=rng),
        nn.ReLU(),
        nn.SubPixel(16, 1, 3, SCALE, rng=rng),
    )


DESIGNS: dict[str, Design] = {
    "transpose_k4_bilinear": Design(
        "transpose conv k4 s2, bilinear init",
        lambda rng: nn.ConvTranspose(1, 1, 4, stride=2, padding=1, init="bilinear", rng=rng),
    ),
    "transpose_k4_random": Design(
        "transpose conv k4 s2, random init",
        lambda rng: nn.ConvTranspose(1, 1, 4, stride=2, padding=1, rng=rng),
    ),
    "transpose_k3_random": Design(
        "transpose conv k3 s2, random init",
        lambda rng: nn.ConvTranspose(1, 1, 3, stride=2, padding=1, output_padding=1, rng=rng),
    ),
    "resize_conv": Design(
        "resize-conv: nearest x2, conv 3x3",
        lambda rng: nn.Sequential(
            nn.Upsample(scale_factor=SCALE, mode="nearest"), nn.Conv(1, 1, 3, padding=1, rng=rng)
        ),
    ),
    "sub_pixel": Design(
        "sub-pixel: conv 3x3 to 4, pixel_shuffle, ICNR", lambda rng: nn.SubPixel(1, 1, 3, SCALE, rng=rng)
    ),
    "transpose_k8_bicubic": Design(
        "transpose conv k8 s2, bicubic init",
        lambda rng: _bicubic_init(nn.ConvTranspose(1, 1, 8, stride=2, padding=3, rng=rng)),
    ),
    "cnn_sub_pixel": Design(
        "CNN 5x5x32, 3x3x16, ReLU, sub-pixel", _cnn, lr=1e-3, default=False, linear=False
    ),
}


def _bicubic_init(layer: nn.ConvTranspose) -> nn.ConvTranspose:
    """Set a k=8, s=2, p=3 transposed convolution to bicubic upsampling (exact inside).

    The kernel is bicubic's own impulse response: what one pixel becomes when
    :func:`upsample.interpolate` enlarges it, 8 x 8 output pixels for a 2x scale.
    """
    kernel = _impulse_response(BASELINES["bicubic"][1], dtype=np.float64)
    layer.weight.value[0, 0] = kernel
    layer.bias.value[...] = 0
    return layer


# --------------------------------------------------------------------------- data


@dataclass
class _Photos:
    """Ground truth (H, W) and its half-size version (H/2, W/2) for each photograph."""

    names: tuple[str, ...]
    high: list[np.ndarray]
    low: list[np.ndarray]

    @classmethod
    def load(cls, names: Sequence[str]) -> _Photos:
        high = [images.load(name) for name in names]
        return cls(tuple(names), high, [images.downscale(h) for h in high])

    def batch(self, rng: np.random.Generator, size: int, patch: int) -> tuple[np.ndarray, np.ndarray]:
        """``size`` random aligned crops: low (B, 1, patch/2, patch/2), high (B, 1, patch, patch)."""
        half = patch // 2
        areas = np.array([low.size for low in self.low], dtype=np.float64)
        which = rng.choice(len(self.low), size=size, p=areas / areas.sum())
        low = np.empty((size, 1, half, half), dtype=np.float32)
        high = np.empty((size, 1, patch, patch), dtype=np.float32)
        for b, i in enumerate(which):  # a loop over crops, not pixels
            h, w = self.low[i].shape
            y, x = rng.integers(0, h - half + 1), rng.integers(0, w - half + 1)
            low[b, 0] = self.low[i][y : y + half, x : x + half]
            high[b, 0] = self.high[i][SCALE * y : SCALE * y + patch, SCALE * x : SCALE * x + patch]
        return low, high


def _inner(shave: int) -> tuple[Any, ...]:
    """The last two axes without a ``shave``-pixel border."""
    return (..., slice(shave, -shave or None), slice(shave, -shave or None))


def psnr(prediction: np.ndarray, truth: np.ndarray, *, shave: int = SHAVE) -> float:
    """Peak signal-to-noise ratio in dB for images in [0, 1], ignoring a ``shave`` border.

    >>> import numpy as np
    >>> round(psnr(np.full((10, 10), 0.1), np.zeros((10, 10))), 6)
    20.0
    """
    p = np.clip(np.asarray(prediction, dtype=np.float64), 0, 1)[_inner(shave)]
    t = np.asarray(truth, dtype=np.float64)[_inner(shave)]
    mse = np.mean((p - t) ** 2)
    return float(10 * np.log10(1 / mse)) if mse > 0 else math.inf


# --------------------------------------------------------------------------- training


def _train(
    model: nn.Module,
    photos: _Photos,
    *,
    steps: int,
    batch: int,
    patch: int,
    lr: float,
    rng: np.random.Generator,
    report: Callable[[int, float], None],
) -> list[float]:
    """Adam with cosine decay on the border-free MSE; returns the loss of every step."""
    opt = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for step in range(steps):
        opt.lr = lr * 0.5 * (1 + math.cos(math.pi * step / steps))
        low, high = photos.batch(rng, batch, patch)
        pred = model(low)
        loss, grad_inner = nn.mse_loss(pred[_inner(SHAVE)], high[_inner(SHAVE)])
        grad = np.zeros_like(pred)
        grad[_inner(SHAVE)] = grad_inner  # the border gets no gradient
        opt.zero_grad()
        model.backward(grad)
        opt.step()
        losses.append(float(loss))
        report(step, float(loss))
    return losses


def _impulse_response(
    method: Callable[[np.ndarray], np.ndarray], size: int = 9, dtype: Any = np.float32
) -> np.ndarray:
    """What one low-resolution pixel adds to the output: the method's effective kernel."""
    zero = np.zeros((1, 1, size, size), dtype=dtype)
    delta = zero.copy()
    delta[..., size // 2, size // 2] = 1
    response = (method(delta).astype(np.float64) - method(zero).astype(np.float64))[0, 0]
    rows, cols = np.nonzero(np.abs(response) > 1e-6)
    if not len(rows):
        return response[:1, :1]
    return response[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def _ramp() -> tuple[np.ndarray, np.ndarray]:
    """A smooth diagonal ramp (64 x 64) and its half-size version, which every linear
    upsampler that interpolates exactly (bilinear, bicubic) maps back to the ramp."""
    rows, cols = np.mgrid[0:64, 0:64]
    high = (0.2 + 0.6 * (rows + cols) / 126).astype(np.float32)
    return high, images.downscale(high)


def ramp_error(method: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """The method's output minus the ramp, away from the border: (48, 48)."""
    high, low = _ramp()
    return (method(low[None, None])[0, 0] - high)[8:-8, 8:-8]


def _pattern(error: np.ndarray) -> float:
    """Amplitude of the 2x2-periodic part of ``error``: the spread of its phase means."""
    means = np.array([[error[py::SCALE, px::SCALE].mean() for px in range(SCALE)] for py in range(SCALE)])
    return float(np.sqrt(np.mean((means - means.mean()) ** 2)))


def _phase_rmse(prediction: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """RMS error of each of the 2x2 output phases (row parity, column parity), shaved."""
    error = (np.clip(prediction, 0, 1) - truth)[_inner(SHAVE)]
    return np.array(
        [[math.sqrt(np.mean(error[py::SCALE, px::SCALE] ** 2)) for px in range(SCALE)] for py in range(SCALE)]
    )


# --------------------------------------------------------------------------- the result


@dataclass
class Result:
    """PSNR per method on each held-out photograph, plus everything the report draws."""

    settings: dict[str, Any]
    labels: dict[str, str]
    learned: dict[str, bool]
    linear: dict[str, bool]  # method -> its impulse response is a kernel (no nonlinearity)
    parameters: dict[str, int]
    psnr: dict[str, dict[str, float]]  # method -> photograph -> dB
    losses: dict[str, list[float]]  # design -> loss of every step
    kernels: dict[str, np.ndarray]  # method -> impulse response
    phase_rmse: dict[str, np.ndarray]  # method -> (2, 2)
    ramp_pattern: dict[str, float]  # method -> periodic error on a ramp
    overlap: dict[str, tuple]  # "k3 s2" / "k4 s2" -> one period
    models: dict[str, nn.Module] = field(repr=False)
    outputs: dict[str, np.ndarray] = field(repr=False)  # method -> first held-out, upsampled
    ramp_errors: dict[str, np.ndarray] = field(repr=False)  # method -> output - ramp, inside
    truth: np.ndarray = field(repr=False)  # the first held-out photograph
    seconds: float = 0.0

    def mean_psnr(self, method: str) -> float:
        return float(np.mean(list(self.psnr[method].values())))

    def table(self) -> str:
        """The PSNR table in Markdown: fixed methods first, then the learned designs."""
        photos = list(next(iter(self.psnr.values())))
        head = ["method", "parameters", "mean PSNR (dB)", "vs bilinear", *photos]
        rows = [head, ["---"] + ["---:"] * (len(head) - 1)]
        bilinear = self.mean_psnr("bilinear")
        for method in self.psnr:
            mean = self.mean_psnr(method)
            rows.append(
                [
                    self.labels[method],
                    str(self.parameters[method]) if self.learned[method] else "fixed",
                    f"{mean:.2f}",
                    f"{mean - bilinear:+.2f}",
                    *(f"{self.psnr[method][p]:.2f}" for p in photos),
                ]
            )
        return "\n".join("| " + " | ".join(row) + " |" for row in rows)

    def checkerboard(self) -> str:
        """The overlap maps; each method's held-out error by output phase; its periodic
        error on a smooth ramp."""
        lines = ["kernel taps reaching each output position, one 2x2 period (Odena, Dumoulin & Olah 2016):"]
        for name, period in self.overlap.items():
            even = len({v for row in period for v in row}) == 1
            lines.append(
                f"  {name}:  "
                + " / ".join(" ".join(map(str, row)) for row in period)
                + ("   even overlap" if even else "   uneven overlap: checkerboard")
            )
        lines.append(f"  {'':<45} held-out RMS error x1000     periodic error")
        lines.append(f"  {'method':<45} by output phase  max/min     on a ramp x1000")
        for method, rmse in self.phase_rmse.items():
            values = " / ".join(" ".join(f"{1000 * v:4.1f}" for v in row) for row in rmse)
            lines.append(
                f"  {self.labels[method]:<45} {values}  {rmse.max() / rmse.min():5.2f}"
                f"   {1000 * self.ramp_pattern[method]:8.2f}"
            )
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "task": "2x upsampling of 2x2-block-averaged luminance; PSNR in dB on held-out "
            f"photographs, clipped to [0, 1], a {SHAVE}-pixel border ignored",
            "settings": self.settings,
            "seconds": round(self.seconds, 1),
            "methods": {
                m: {
                    "label": self.labels[m],
                    "learned": self.learned[m],
                    "parameters": self.parameters[m],
                    "mean_psnr": round(self.mean_psnr(m), 4),
                    "psnr": {p: round(v, 4) for p, v in self.psnr[m].items()},
                    "phase_rmse": self.phase_rmse[m].round(6).tolist(),
                    "ramp_pattern": round(self.ramp_pattern[m], 6),
                    **(
                        {"final_loss": float(np.mean(self.losses[m][-max(len(self.losses[m]) // 10, 1) :]))}
                        if self.losses.get(m)
                        else {}
                    ),
                }
                for m in self.psnr
            },
            "overlap_maps": {k: [list(row) for row in v] for k, v in self.overlap.items()},
        }


# --------------------------------------------------------------------------- the run


class _Progress:
    """A rich progress bar showing the loss, when wanted; otherwise nothing."""

    def __init__(self, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("{task.description:<45}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("loss {task.fields[loss]:.2e}"),
                TimeElapsedColumn(),
            )

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()

    def task(self, label: str, total: int) -> Callable[[int, float], None]:
        if self.bar is None:
            return lambda step, loss: None
        task = self.bar.add_task(label, total=total, loss=float("nan"))
        every = max(total // 100, 1)

        def report(step: int, loss: float) -> None:
            if (step + 1) % every == 0 or step + 1 == total:
                self.bar.update(task, completed=step + 1, loss=loss)

        return report


def _require(module: str, extra: str, what: str) -> None:
    """Fail early, in one line, when an optional dependency is missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise images.MissingDependency(
            f"{what} needs {module}, which is not installed: "
            f'pip install -e ".[{extra}]" in the upsample clone'
        )


def run(
    *,
    steps: int = 3000,
    batch: int = 32,
    patch: int = 48,
    lr: float | None = None,
    seed: int = 0,
    designs: Sequence[str] | None = None,
    train_images: Sequence[str] = images.TRAIN,
    test_images: Sequence[str] = images.HELD_OUT,
    out: str | os.PathLike | None = None,
    progress: bool = False,
) -> Result:
    """Train the designs, then score them and the fixed baselines on held-out photographs.

    Args:
        steps: Adam steps per design (default 3000).
        batch: crops per step (default 32).
        patch: crop size in full-resolution pixels, even and > 2 * SHAVE (default 48).
        lr: the initial learning rate of every design (cosine decay to 0); default each
            design's own (:attr:`Design.lr`).
        seed: seeds the crops and the initialisations. Each design draws from its own
            stream, so its result does not depend on which other designs run.
        designs: names from :data:`DESIGNS` (default: those with ``default=True``).
        train_images, test_images: names from :data:`upsample.images.PHOTOS`, disjoint.
        out: a directory for ``psnr.json``, ``report.png`` (needs Pillow) and one ``.npz``
            state dict per design; None writes nothing.
        progress: show a progress bar with the loss (needs rich).

    Returns:
        a :class:`Result`: ``result.table()`` is the PSNR table in Markdown,
        ``result.checkerboard()`` the overlap maps and per-phase errors.
    """
    op = "train"
    steps = _args.integer(op, "steps", steps, minimum=0)
    batch = _args.integer(op, "batch", batch, minimum=1)
    patch = _args.integer(op, "patch", patch, minimum=2 * SHAVE + 2)
    if patch % 2:
        raise ValueError(f"{op}: patch must be even, got {patch}")
    if lr is not None and (
        isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0
    ):
        raise ValueError(f"{op}: lr must be a finite number > 0, got {lr!r}")
    designs = [n for n, d in DESIGNS.items() if d.default] if designs is None else list(designs)
    for name in designs:
        if name not in DESIGNS:
            raise ValueError(f"{op}: designs must be among {', '.join(DESIGNS)}, got {name!r}")
    for name in [*train_images, *test_images]:
        if name not in images.PHOTOS:
            raise ValueError(f"{op}: images must be among {', '.join(images.PHOTOS)}, got {name!r}")
    if not train_images or not test_images:
        raise ValueError(f"{op}: give at least one training and one test image")
    if set(train_images) & set(test_images):
        raise ValueError(
            f"{op}: the training and test images must differ, both have "
            f"{sorted(set(train_images) & set(test_images))}"
        )
    if progress:
        _require("rich", "cli", "the progress bar")
    if out is not None:
        _require("PIL", "cli", "report.png")

    started = time.perf_counter()
    train, test = _Photos.load(train_images), _Photos.load(test_images)
    if any(min(low.shape) < patch // 2 for low in train.low):
        raise ValueError(f"{op}: patch ({patch}) must fit in every training image at half size")

    methods: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    labels: dict[str, str] = {}
    for name, (label, fn) in BASELINES.items():
        methods[name], labels[name] = fn, label
    models: dict[str, nn.Module] = {}
    losses: dict[str, list[float]] = {}
    with _Progress(progress) as bar:
        for name in designs:
            design = DESIGNS[name]
            rng = np.random.default_rng([seed, list(DESIGNS).index(name)])
            model = design.build(rng)
            losses[name] = _train(
                model,
                train,
                steps=steps,
                batch=batch,
                patch=patch,
                lr=design.lr if lr is None else float(lr),
                rng=rng,
                report=bar.task(design.label, steps),
            )
            models[name] = methods[name] = model
            labels[name] = design.label

    scores: dict[str, dict[str, float]] = {}
    phase: dict[str, np.ndarray] = {}
    outputs: dict[str, np.ndarray] = {}
    pixels = sum(high[_inner(SHAVE)].size for high in test.high)
    for name, method in methods.items():
        scores[name], squared = {}, np.zeros((SCALE, SCALE))
        for photo, low, high in zip(test.names, test.low, test.high):
            pred = method(low[None, None])[0, 0]
            scores[name][photo] = psnr(pred, high)
            squared += _phase_rmse(pred, high) ** 2 * high[_inner(SHAVE)].size
            if photo == test.names[0]:
                outputs[name] = pred
        phase[name] = np.sqrt(squared / pixels)

    ramp_errors = {name: ramp_error(method) for name, method in methods.items()}
    result = Result(
        settings=dict(
            steps=steps,
            batch=batch,
            patch=patch,
            seed=seed,
            shave=SHAVE,
            lr={name: DESIGNS[name].lr if lr is None else float(lr) for name in designs},
            optimizer="Adam, cosine learning-rate decay",
            loss="MSE",
            train_images=list(train_images),
            test_images=list(test_images),
        ),
        labels=labels,
        learned={name: name in models for name in methods},
        linear={name: name not in DESIGNS or DESIGNS[name].linear for name in methods},
        parameters={
            name: sum(p.value.size for p in models[name].parameters()) if name in models else 0
            for name in methods
        },
        psnr=scores,
        losses=losses,
        kernels={name: _impulse_response(method) for name, method in methods.items()},
        phase_rmse=phase,
        ramp_pattern={name: _pattern(error) for name, error in ramp_errors.items()},
        overlap={
            "k3 s2 p1": shapes.overlap_map((3, 3), 2, padding=1),
            "k4 s2 p1": shapes.overlap_map((4, 4), 2, padding=1),
        },
        models=models,
        outputs=outputs,
        ramp_errors=ramp_errors,
        truth=test.high[0],
    )
    result.seconds = time.perf_counter() - started
    if out is not None:
        _write(result, Path(out))
    return result


# --------------------------------------------------------------------------- writing


def _write(result: Result, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, model in result.models.items():
        model.save(out / f"{name}.npz")
    (out / "psnr.json").write_text(json.dumps(result.to_json(), indent=2) + "\n")
    from .report import draw

    draw(result).save(out / "report.png")
