"""The ``upsample`` command line (also ``python -m upsample``).

Each subcommand is one :class:`Command` in the ``COMMANDS`` list: its name, a line of
help, examples for ``--help``, a function that adds its arguments and a function that
runs it. A new subcommand is one more entry.

Bad input prints one line, ``upsample: error: ...``, and exits with status 2; it never
shows a traceback. Pillow and rich (``pip install -e ".[cli]"`` in the clone) are only imported
by the subcommands that draw.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import ops, shapes
from ._parse import MAX_VALUES, UsageError, ints, numbers, parse_array

__all__ = ["main", "COMMANDS", "Command", "parse_array"]

MAX_EXAMPLE = MAX_VALUES  # explanations are for small examples: at most this many values


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Command:
    """One subcommand: ``configure(parser)`` adds its arguments, ``run(args)`` returns the status."""

    name: str
    help: str
    examples: tuple[str, ...]
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# --------------------------------------------------------------------------- settings from the op table
# Every op setting the command line offers is a row's Param (upsample.ops): one option per
# setting name, typed by its kind. Settings that share a short flag (-f: a resize's scale
# factor, pixel_shuffle's r, subsample's factor) share one option.


def _padding(text: str):
    return text if text in ("same", "valid", "same_lower") else ints(text)


def _integer(text: str) -> int | tuple[int, ...]:
    return ints(text)


_TYPES: dict[str, Callable[[str], Any]] = {
    "ints": ints,
    "int": _integer,
    "padding": _padding,
    "numbers": numbers,
}


_BROADEST = ("numbers", "padding", "ints", "int")


def _every_param() -> dict[str, ops.Param]:
    """Each setting name once, from the rows in table order (a padding that takes "same"
    wins over one that does not), plus the window size the shape command asks for."""
    found: dict[str, ops.Param] = {"kernel_size": ops.KERNEL_SIZE}
    for op in ops.OPS.values():
        for param in op.params:
            if param.name not in found or param.kind == "padding":
                found[param.name] = param
    return found


def _dests() -> dict[str, str]:
    """Setting name -> the argparse destination that holds it (shared short flags share one)."""
    dests: dict[str, str] = {}
    by_flag: dict[str, str] = {}
    for name, param in _every_param().items():
        dests[name] = by_flag.setdefault(param.flag, name) if param.flag else name
    return dests


def _add_settings(parser: argparse.ArgumentParser, names: Sequence[str]) -> None:
    """One option per destination among the setting ``names``, default None (not given)."""
    params, dests = _every_param(), _dests()
    groups: dict[str, list[ops.Param]] = {}
    for name in names:
        groups.setdefault(dests[name], []).append(params[name])
    for dest, members in groups.items():
        # the broadest reader of the group: a number list also reads ints
        first = min(members, key=lambda p: _BROADEST.index(p.kind) if p.kind in _BROADEST else 0)
        strings = ([first.flag] if first.flag else []) + [p.option for p in members]
        kwargs: dict[str, Any] = {
            "dest": dest,
            "default": None,
            "help": "; ".join(dict.fromkeys(p.help for p in members)),
        }
        if first.kind == "bool":
            kwargs["action"] = argparse.BooleanOptionalAction
        elif first.kind == "choice" and first.choices:
            kwargs["choices"] = first.choices
        elif first.kind != "choice":
            kwargs["type"] = _TYPES[first.kind]
        parser.add_argument(*strings, **kwargs)


def _flags(dest: str) -> str:
    params = [p for name, p in _every_param().items() if _dests()[name] == dest]
    return "/".join(([params[0].flag] if params[0].flag else []) + [p.option for p in params])


# --------------------------------------------------------------------------- shape


def _shape_ops() -> dict[str, ops.Op]:
    return {name: op for name, op in ops.OPS.items() if op.output_size}


def _configure_shape(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("op", choices=sorted(_shape_ops()))
    parser.add_argument("size", type=ints, help="input spatial size, e.g. 64 or 64,48")
    _add_settings(parser, sorted({n for op in _shape_ops().values() for n in op.size_params}))


def _shape(args: argparse.Namespace) -> int:
    op = ops.OPS[args.op]
    dests = _dests()
    given = {
        name: getattr(args, dests[name])
        for name in op.size_params
        if getattr(args, dests[name], None) is not None
    }
    other = sorted(
        {dests[n] for o in _shape_ops().values() for n in o.size_params} - {dests[n] for n in op.size_params}
    )
    stray = [dest for dest in other if getattr(args, dest) is not None]
    if stray:
        raise UsageError(f"shape {args.op} does not take {', '.join(map(_flags, stray))}")
    try:
        size = op.size(args.size, **given)
    except TypeError:
        needed = [_flags(dests[n]) for n in op.size_params if n not in given]
        raise UsageError(f"shape {args.op} needs {' and '.join(needed[:1] or ['more settings'])}") from None
    if min(size if isinstance(size, tuple) else (size,)) < 1:  # max_unpool, interpolate
        raise UsageError(f"{args.op}: these settings leave no output (size {size})")
    print(size)
    return 0


# --------------------------------------------------------------------------- solve


def _configure_solve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("in_size", type=int)
    parser.add_argument("out_size", type=int, nargs="?")
    parser.add_argument("-k", "--kernel-size", type=int, default=None)
    parser.add_argument("-s", "--stride", type=int, default=None)
    parser.add_argument("-p", "--padding", type=int, default=None, help="with --undo: the conv's padding")
    parser.add_argument("-d", "--dilation", type=int, default=1)
    parser.add_argument(
        "--undo",
        action="store_true",
        help="find the conv_transpose that undoes the size change of a conv of IN_SIZE",
    )
    parser.add_argument("--limit", type=int, default=10, help="how many settings to list (default 10)")


def _solve(args: argparse.Namespace) -> int:
    if args.undo:
        k, s, p, a, d = shapes.undo_conv(
            args.in_size, args.kernel_size or 3, args.stride or 1, args.padding or 0, args.dilation
        )
        print(
            f"conv_transpose(kernel_size={k}, stride={s}, padding={p}, output_padding={a}, "
            f"dilation={d}) maps the conv's output back to {args.in_size}"
        )
        return 0
    if args.out_size is None:
        raise UsageError("solve needs IN_SIZE and OUT_SIZE (or --undo with conv settings)")
    if args.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {args.limit}")
    found = shapes.solve_conv_transpose(
        args.in_size,
        args.out_size,
        kernel_size=args.kernel_size,
        stride=args.stride,
        dilation=args.dilation,
        limit=args.limit + 1,
    )  # one more: are there others?
    if not found:
        print(f"no conv_transpose within the search bounds maps {args.in_size} to {args.out_size}")
        return 1
    print(f"conv_transpose settings mapping {args.in_size} -> {args.out_size}, most natural first:")
    print(f"{'kernel':>6} {'stride':>6} {'padding':>7} {'out_pad':>7} {'dilation':>8}")
    for k, s, p, a, d in found[: args.limit]:
        print(f"{k:>6} {s:>6} {p:>7} {a:>7} {d:>8}")
    if len(found) > args.limit:
        print(f"... and more (--limit {2 * args.limit} shows twice as many)")
    return 0


# --------------------------------------------------------------------------- explain / animate


def _kernel(args: argparse.Namespace, x: np.ndarray) -> np.ndarray:
    """``--kernel``, or a kernel of ones of ``--kernel-size`` (default 2)."""
    if args.kernel is not None:
        if args.kernel_size is not None:
            raise UsageError("give --kernel or --kernel-size, not both")
        return parse_array(args.kernel, "--kernel")
    nd = 1 if x.ndim == 1 else 2
    size = 2 if args.kernel_size is None else args.kernel_size
    size = (size,) * nd if isinstance(size, int) else size
    if len(size) != nd or min(size) < 1:
        raise UsageError(f"--kernel-size must be one positive size or {nd}, got {args.kernel_size}")
    return np.ones(size, dtype=np.int64)


def _explained() -> dict[str, ops.Op]:
    """The rows that have an explainer: the ops ``upsample explain`` and ``animate`` show."""
    return {name: op for name, op in ops.OPS.items() if op.explainer}


def _explain_params(op: ops.Op) -> list[ops.Param]:
    """The row's settings its explainer takes."""
    takes = inspect.signature(op.explain).parameters
    return [p for p in op.params if p.name in takes]


#: the data an explainer takes after x, and the options that give it
_DATA_OPTIONS = {"weight": ("kernel", "kernel_size"), "indices": ("indices",)}
_DATA_FLAGS = {"kernel": "--kernel", "indices": "--indices"}


def _indices(args: argparse.Namespace) -> np.ndarray:
    if args.indices is None:
        raise UsageError(
            "max_unpool needs --indices, e.g. the flat indices that `upsample explain max_pool` prints"
        )
    return parse_array(args.indices, "--indices")


def _explanation(args: argparse.Namespace):
    op = ops.OPS[args.op]
    dests = _dests()
    params = _explain_params(op)
    takes = {dests[p.name] for p in params} | {d for name in op.data[1:] for d in _DATA_OPTIONS[name]}
    offered = {dests[p.name] for o in _explained().values() for p in _explain_params(o)} | {
        d for options in _DATA_OPTIONS.values() for d in options
    }
    extra = sorted(d for d in offered - takes if getattr(args, d, None) is not None)
    if extra:
        show = lambda dests_: ", ".join(_DATA_FLAGS.get(d) or _flags(d) for d in dests_)
        raise UsageError(f"{args.op} does not take {show(extra)} (it takes {show(sorted(takes))})")
    x = parse_array(args.x, "x")
    data = [_kernel(args, x) if name == "weight" else _indices(args) for name in op.data[1:]]
    kwargs = {}
    for param in params:
        value = getattr(args, dests[param.name])
        if (
            value is None
            and param.default is not None
            and not (param.unless and getattr(args, dests[param.unless], None) is not None)
        ):
            value = param.default
        if value is not None:
            kwargs[param.name] = value
    return op.explain(x, *data, **kwargs)


def _configure_example(parser: argparse.ArgumentParser) -> None:
    """The arguments of explain and animate: an op, an example, and its settings."""
    parser.add_argument("op", choices=list(_explained()), help="the op to show")
    parser.add_argument(
        "x",
        help='the input: "1 2; 3 4" (rows end with ;, channels split by |) '
        "or JSON [[1, 2], [3, 4]]; (L,), (H, W) or (C, H, W)",
    )
    parser.add_argument(
        "--kernel",
        default=None,
        help='conv, conv_transpose: the kernel, e.g. "5 5; 5 5" (default: ones of -k)',
    )
    parser.add_argument("--indices", default=None, help="max_unpool: the indices from max_pool")
    names = {p.name for op in _explained().values() for p in _explain_params(op)}
    _add_settings(parser, [n for n in _every_param() if n in names or n == "kernel_size"])


def _configure_explain(parser: argparse.ArgumentParser) -> None:
    _configure_example(parser)
    parser.add_argument("--brief", action="store_true", help="one line per step")


def _explain(args: argparse.Namespace) -> int:
    ex = _explanation(args)
    print(ex.text(detail="brief" if args.brief else "full"))
    return 0


def _configure_animate(parser: argparse.ArgumentParser) -> None:
    _configure_example(parser)
    parser.add_argument("-o", "--output", required=True, help="the GIF to write, e.g. steps.gif")
    parser.add_argument("--png-dir", default=None, help="also write every frame as a PNG here")
    parser.add_argument("--scale", type=float, default=1.0, help="enlarge the frames (default 1)")
    parser.add_argument(
        "--volume",
        action="store_true",
        help="conv of a (C, H, W) input with one filter: draw it in 3-D, as the article's picture",
    )


def _animate(args: argparse.Namespace) -> int:
    if not 0.25 <= args.scale <= 8:
        raise UsageError(f"--scale must be between 0.25 and 8, got {args.scale}")
    for path in (args.output, args.png_dir):  # --png-dir itself may be new, not its parent
        folder = None if path is None else Path(path).absolute().parent
        if folder is not None and not folder.is_dir():
            raise UsageError(f"{path}: the folder {str(folder)!r} does not exist; create it first")
    ex = _explanation(args)
    if args.volume:
        from .explain.gif import save_volume_gif

        if args.op != "conv":
            raise UsageError("--volume only applies to conv")
        written = save_volume_gif(ex, args.output, png_dir=args.png_dir, scale=args.scale)
    else:
        written = ex.save_gif(args.output, png_dir=args.png_dir, scale=args.scale)
    print(
        f"wrote {written[0]} ({len(ex.steps) + 2} frames)"
        + (f" and {len(written) - 1} PNG frames in {args.png_dir}" if args.png_dir else "")
    )
    return 0


# --------------------------------------------------------------------------- tour


def _configure_tour(parser: argparse.ArgumentParser) -> None:
    from .explain.tour import DEFAULT_OUT

    parser.add_argument(
        "--out", default=DEFAULT_OUT, help=f"where to write the GIFs and index.html (default ./{DEFAULT_OUT})"
    )
    parser.add_argument("--quiet", action="store_true", help="do not print the steps")


def _tour(args: argparse.Namespace) -> int:
    from .explain.tour import run

    return run(args.out, quiet=args.quiet)


# --------------------------------------------------------------------------- train


def _configure_train(parser: argparse.ArgumentParser) -> None:
    # no defaults here: upsample.train.run holds them, and only given flags are passed on
    parser.add_argument("--steps", type=int, help="Adam steps per design (default 3000)")
    parser.add_argument("--batch", type=int, help="crops per step (default 32)")
    parser.add_argument("--patch", type=int, help="crop size in pixels, even (default 48)")
    parser.add_argument(
        "--lr", type=float, help="learning rate for every design (default: each design's own)"
    )
    parser.add_argument("--seed", type=int, help="seed for crops and initialisation (default 0)")
    parser.add_argument(
        "--designs",
        default=None,
        help="comma-separated design names, or 'all' (default: all but cnn_sub_pixel)",
    )
    parser.add_argument(
        "--out",
        default="upsample-train",
        help="where to write psnr.json, report.png and the models (default ./upsample-train)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _train(args: argparse.Namespace) -> int:
    from . import images, train  # lazy: scikit-image, Pillow and rich load only here

    given = {
        name: getattr(args, name)
        for name in ("steps", "batch", "patch", "lr", "seed")
        if getattr(args, name) is not None
    }
    if args.designs == "all":
        given["designs"] = list(train.DESIGNS)
    elif args.designs is not None:
        given["designs"] = [d.strip() for d in args.designs.split(",") if d.strip()]
    try:
        result = train.run(**given, out=args.out, progress=not args.no_progress)
    except images.MissingDependency as error:
        print(
            f"upsample: error: {error}" + (" (or pass --no-progress)" if "progress" in str(error) else ""),
            file=sys.stderr,
        )
        return 1
    print(result.table())
    print()
    print(result.checkerboard())
    print(f"\nwrote psnr.json, report.png and the models to {args.out}/ in {result.seconds:.0f} s")
    return 0


# --------------------------------------------------------------------------- serve


def _configure_serve(parser: argparse.ArgumentParser) -> None:
    from .web.server import configure

    configure(parser)


def _serve(args: argparse.Namespace) -> int:
    from .web.server import run

    return run(args)


# --------------------------------------------------------------------------- compare


def _compare():
    from . import comparison  # the subcommand's arguments and run live in upsample.comparison

    return comparison


# --------------------------------------------------------------------------- resize


def _configure_resize(parser: argparse.ArgumentParser) -> None:
    from .resize import configure

    configure(parser)


def _resize(args: argparse.Namespace) -> int:
    from .resize import run  # lazy: dask, distributed and zarr load only here

    return run(args)


# --------------------------------------------------------------------------- the parser

COMMANDS: list[Command] = [
    Command(
        "tour",
        "reproduce every example of the article: text, GIFs and index.html",
        ("upsample tour", "upsample tour --out /tmp/tour --quiet"),
        _configure_tour,
        _tour,
    ),
    Command(
        "explain",
        "show an op's work on a small example, step by step",
        (
            'upsample explain conv_transpose "1 2; 3 4" --kernel "5 5; 5 5"',
            'upsample explain conv_transpose "1 2; 3 4" --kernel "5 5; 5 5" --view matrix',
            'upsample explain bilinear "10 20; 30 40" -f 2',
            'upsample explain bilinear "10 20; 30 40" -f 2 --convention tf1 --brief',
            'upsample explain max_pool "1 2 4 1; 3 4 2 3; 1 4 1 2; 2 3 4 3" -k 2',
            'upsample explain max_unpool "1 2; 3 4" --indices "5 2; 9 14" -k 2',
            'upsample explain conv "[[1, 2, 3], [4, 5, 6], [7, 8, 9]]" -k 2 --brief',
        ),
        _configure_explain,
        _explain,
    ),
    Command(
        "animate",
        "write an op's steps as an animated GIF",
        (
            'upsample animate conv_transpose "1 2; 3 4" --kernel "5 5; 5 5" -o steps.gif',
            'upsample animate nearest "1 2; 3 4" -f 2 -o nearest.gif --png-dir frames/',
            'upsample animate conv "1 2 3; 4 5 6; 7 8 9 | 9 8 7; 6 5 4; 3 2 1" -k 2 --volume -o 3d.gif',
        ),
        _configure_animate,
        _animate,
    ),
    Command(
        "shape",
        "the output size of an op",
        (
            "upsample shape conv 5,5 -k 3",
            "upsample shape conv_transpose 64 -k 4 -s 2 -p 1",
            "upsample shape interpolate 7 --scale-factor 1.5",
        ),
        _configure_shape,
        _shape,
    ),
    Command(
        "solve",
        "conv_transpose settings that map one size to another",
        (
            "upsample solve 64 128",
            "upsample solve 7 14 -s 2",
            "upsample solve 8 --undo -k 3 -s 2 -p 1   # which conv_transpose undoes this conv?",
        ),
        _configure_solve,
        _solve,
    ),
    Command(
        "compare",
        "one resize in every framework's convention, side by side, with the largest difference from torch",
        (
            'upsample compare bilinear "1 2; 3 4" -f 2',
            'upsample compare nearest "1 2 3" --size 5',
            'upsample compare cubic "[[0, 1, 0], [1, 5, 1], [0, 1, 0]]" -f 1.5',
        ),
        lambda parser: _compare().configure(parser),
        lambda args: _compare().run(args),
    ),
    Command(
        "train",
        "learn 2x upsampling layers on photographs, score them against nearest, bilinear and bicubic",
        (
            "upsample train",
            "upsample train --steps 300 --out /tmp/train",
            "upsample train --designs transpose_k4_bilinear,transpose_k3_random",
            "upsample train --designs all   # also the small nonlinear CNN (slow)",
        ),
        _configure_train,
        _train,
    ),
    Command(
        "serve",
        "every op live in the browser: edit the example, step through, copy the code",
        (
            "upsample serve --open",
            "upsample serve --port 0   # any free port; prints the URL",
            "upsample serve --host 127.0.0.1 --port 8765",
        ),
        _configure_serve,
        _serve,
    ),
    Command(
        "resize",
        "interpolate a .zarr store, .npy file or image of any size, streamed with Dask",
        (
            "upsample resize in.zarr out.zarr --scale 2 --mode bilinear",
            "upsample resize photo.png big.png --scale 4 --mode bicubic",
            "upsample resize vol.zarr up.zarr --scale 2 --spatial-dims 3 --workers 2 --memory-limit 1GiB",
            "upsample resize in.zarr out.zarr --scale 2 --scheduler tcp://127.0.0.1:8786",
        ),
        _configure_resize,
        _resize,
    ),
]


def _epilog(examples: Sequence[str]) -> str:
    return "examples:\n" + "\n".join(f"  {e}" for e in examples)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="upsample",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Upsampling techniques, exact and explained step by step.",
        epilog=_epilog([c.examples[0] for c in COMMANDS]),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        child = sub.add_parser(
            command.name,
            help=command.help,
            description=command.help,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=_epilog(command.examples),
        )
        command.configure(child)
        child.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, ValueError, TypeError) as error:
        parser.exit(2, f"upsample: error: {error}\n")
    except ModuleNotFoundError as error:
        parser.exit(
            1,
            f"upsample: error: {error.name} is missing; the pictures need "
            f'pip install -e ".[cli]" in the upsample clone\n',
        )
    except OSError as error:
        parser.exit(2, f"upsample: error: {error.strerror or error}: {error.filename or ''}\n")
    except KeyboardInterrupt:
        parser.exit(130, "upsample: interrupted\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
