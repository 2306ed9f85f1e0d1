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
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import shapes
from ._parse import MAX_VALUES, ints, numbers, parse_array

__all__ = ["main", "COMMANDS", "Command", "parse_array"]

MAX_EXAMPLE = MAX_VALUES   # explanations are for small examples: at most this many values


class UsageError(Exception):
    """A problem with what the user typed: reported in one line, exit status 2."""


# the parsers are upsample._parse's; as argparse types they report their own message
_ints = ints
_numbers = numbers


# --------------------------------------------------------------------------- the table

@dataclass(frozen=True)
class Command:
    """One subcommand: ``configure(parser)`` adds its arguments, ``run(args)`` returns the status."""

    name: str
    help: str
    examples: tuple[str, ...]
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# --------------------------------------------------------------------------- shape

SHAPE_OPS: dict[str, Callable[[argparse.Namespace], object]] = {
    "conv": lambda a: shapes.conv_output_size(a.size, a.kernel_size, a.stride, a.padding_arg, a.dilation),
    "conv_transpose": lambda a: shapes.conv_transpose_output_size(
        a.size, a.kernel_size, a.stride, a.padding_arg, a.output_padding, a.dilation),
    "max_pool": lambda a: shapes.pool_output_size(a.size, a.kernel_size, a.stride_or_none,
                                                  a.padding_arg, a.dilation, a.ceil_mode),
    "max_unpool": lambda a: shapes.unpool_output_size(a.size, a.kernel_size, a.stride_or_none,
                                                      a.padding_arg),
    "interpolate": lambda a: shapes.interpolate_output_size(a.size, a.scale_factor),
}


def _padding(text: str):
    return text if text in ("same", "valid") else _ints(text)


def _add_geometry(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """The geometry flags, shared by every subcommand that has a kernel or a window."""
    parser.add_argument("-k", "--kernel-size", type=_ints, default=2 if defaults else None,
                        help="kernel (or pooling window) size (default 2)")
    parser.add_argument("-s", "--stride", type=_ints, default=None,
                        help="stride (default 1; pooling: the kernel size)")
    parser.add_argument("-p", "--padding", type=_padding, default=0 if defaults else None,
                        help="padding: int, ints like 1,2, 'same' or 'valid' (default 0)")
    parser.add_argument("-d", "--dilation", type=_ints, default=1 if defaults else None,
                        help="dilation (default 1)")
    parser.add_argument("--output-padding", type=_ints, default=0 if defaults else None,
                        help="conv_transpose: extra size at the end (default 0)")
    parser.add_argument("--ceil-mode", action="store_true", help="max_pool: round the output size up")


def _configure_shape(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("op", choices=sorted(SHAPE_OPS))
    parser.add_argument("size", type=_ints, help="input spatial size, e.g. 64 or 64,48")
    _add_geometry(parser)
    parser.add_argument("--scale-factor", type=float, default=None, help="interpolate: scale factor")


def _shape(args: argparse.Namespace) -> int:
    args.padding_arg = args.padding
    args.stride_or_none = args.stride
    if args.stride is None:
        args.stride = 1
    if args.op == "interpolate" and args.scale_factor is None:
        raise UsageError("interpolate needs --scale-factor")
    size = SHAPE_OPS[args.op](args)
    if min(size if isinstance(size, tuple) else (size,)) < 1:     # max_unpool, interpolate
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
    parser.add_argument("--undo", action="store_true",
                        help="find the conv_transpose that undoes the size change of a conv of IN_SIZE")
    parser.add_argument("--limit", type=int, default=10, help="how many settings to list (default 10)")


def _solve(args: argparse.Namespace) -> int:
    if args.undo:
        k, s, p, a, d = shapes.undo_conv(args.in_size, args.kernel_size or 3, args.stride or 1,
                                         args.padding or 0, args.dilation)
        print(f"conv_transpose(kernel_size={k}, stride={s}, padding={p}, output_padding={a}, "
              f"dilation={d}) maps the conv's output back to {args.in_size}")
        return 0
    if args.out_size is None:
        raise UsageError("solve needs IN_SIZE and OUT_SIZE (or --undo with conv settings)")
    if args.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {args.limit}")
    found = shapes.solve_conv_transpose(args.in_size, args.out_size, kernel_size=args.kernel_size,
                                        stride=args.stride, dilation=args.dilation,
                                        limit=args.limit + 1)      # one more: are there others?
    if not found:
        print(f"no conv_transpose within the search bounds maps {args.in_size} to {args.out_size}")
        return 1
    print(f"conv_transpose settings mapping {args.in_size} -> {args.out_size}, most natural first:")
    print(f"{'kernel':>6} {'stride':>6} {'padding':>7} {'out_pad':>7} {'dilation':>8}")
    for k, s, p, a, d in found[:args.limit]:
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


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


@dataclass(frozen=True)
class _ExplainOp:
    """How ``upsample explain OP`` calls ``upsample.explain.OP``: the flags it takes."""

    flags: tuple[str, ...]
    call: Callable[[Any, np.ndarray, argparse.Namespace], Any]


EXPLAIN_OPS: dict[str, _ExplainOp] = {
    "conv": _ExplainOp(
        ("kernel", "kernel_size", "stride", "padding", "dilation"),
        lambda e, x, a: e.conv(x, _kernel(a, x), stride=_or(a.stride, 1), padding=_or(a.padding, 0),
                               dilation=_or(a.dilation, 1))),
    "conv_transpose": _ExplainOp(
        ("kernel", "kernel_size", "stride", "padding", "dilation", "output_padding", "view"),
        lambda e, x, a: e.conv_transpose(x, _kernel(a, x), stride=_or(a.stride, 1),
                                         padding=_or(a.padding, 0),
                                         output_padding=_or(a.output_padding, 0),
                                         dilation=_or(a.dilation, 1), view=_or(a.view, "scatter"))),
    "nearest": _ExplainOp(
        ("scale_factor", "size", "convention"),
        lambda e, x, a: e.nearest(x, None if a.size is not None else _or(a.scale_factor, 2), size=a.size,
                                  convention=_or(a.convention, "torch"))),
    "bilinear": _ExplainOp(
        ("scale_factor", "size", "align_corners", "convention"),
        lambda e, x, a: e.bilinear(x, None if a.size is not None else _or(a.scale_factor, 2),
                                   size=a.size, align_corners=a.align_corners,
                                   convention=_or(a.convention, "torch"))),
    "interpolate": _ExplainOp(
        ("scale_factor", "size", "align_corners", "mode"),
        lambda e, x, a: e.interpolate(x, None if a.size is not None else _or(a.scale_factor, 2),
                                      size=a.size, mode=_or(a.mode, "nearest"),
                                      align_corners=a.align_corners or None)),
    "bed_of_nails": _ExplainOp(
        ("scale_factor", "size"),
        lambda e, x, a: e.bed_of_nails(x, _or(a.scale_factor, 2), size=a.size)),
    "max_pool": _ExplainOp(
        ("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
        lambda e, x, a: e.max_pool(x, _or(a.kernel_size, 2), stride=a.stride, padding=_or(a.padding, 0),
                                   dilation=_or(a.dilation, 1), ceil_mode=a.ceil_mode)),
    "avg_pool": _ExplainOp(
        ("kernel_size", "stride", "padding", "ceil_mode"),
        lambda e, x, a: e.avg_pool(x, _or(a.kernel_size, 2), stride=a.stride, padding=_or(a.padding, 0),
                                   ceil_mode=a.ceil_mode)),
    "max_unpool": _ExplainOp(
        ("indices", "kernel_size", "stride", "padding"),
        lambda e, x, a: e.max_unpool(x, _indices(a), _or(a.kernel_size, 2), stride=a.stride,
                                     padding=_or(a.padding, 0))),
    "pixel_shuffle": _ExplainOp(
        ("scale_factor",),
        lambda e, x, a: e.pixel_shuffle(x, _or(a.scale_factor, 2))),
}

_FLAG_NAMES = {"kernel": "--kernel", "kernel_size": "-k/--kernel-size", "stride": "-s/--stride",
               "padding": "-p/--padding", "dilation": "-d/--dilation",
               "output_padding": "--output-padding", "view": "--view", "ceil_mode": "--ceil-mode",
               "scale_factor": "-f/--scale-factor", "size": "--size",
               "align_corners": "--align-corners", "indices": "--indices", "mode": "--mode",
               "convention": "--convention"}


def _indices(args: argparse.Namespace) -> np.ndarray:
    if args.indices is None:
        raise UsageError("max_unpool needs --indices, e.g. the flat indices that "
                         "`upsample explain max_pool` prints")
    return parse_array(args.indices, "--indices")


def _explanation(args: argparse.Namespace):
    from . import explain

    entry = EXPLAIN_OPS[args.op]
    given = [name for name in _FLAG_NAMES if getattr(args, name) not in (None, False)]
    extra = [name for name in given if name not in entry.flags]
    if extra:
        takes = ", ".join(_FLAG_NAMES[f] for f in entry.flags)
        raise UsageError(f"{args.op} does not take {', '.join(_FLAG_NAMES[f] for f in extra)} "
                         f"(it takes {takes})")
    x = parse_array(args.x, "x")
    return entry.call(explain, x, args)


def _configure_example(parser: argparse.ArgumentParser) -> None:
    """The arguments of explain and animate: an op, an example, and its settings."""
    parser.add_argument("op", choices=list(EXPLAIN_OPS), help="the op to show")
    parser.add_argument("x", help='the input: "1 2; 3 4" (rows end with ;, channels split by |) '
                                  "or JSON [[1, 2], [3, 4]]; (L,), (H, W) or (C, H, W)")
    parser.add_argument("--kernel", default=None,
                        help='conv, conv_transpose: the kernel, e.g. "5 5; 5 5" (default: ones of -k)')
    parser.add_argument("--indices", default=None, help="max_unpool: the indices from max_pool")
    _add_geometry(parser, defaults=False)
    parser.add_argument("-f", "--scale-factor", type=_numbers, default=None,
                        help="nearest, bilinear, bed_of_nails: the scale factor; pixel_shuffle: "
                             "the upscale factor r (default 2)")
    parser.add_argument("--size", type=_ints, default=None,
                        help="nearest, bilinear, bed_of_nails: the output size instead")
    parser.add_argument("--align-corners", action="store_true",
                        help="bilinear, interpolate (linear, cubic): align the corners")
    parser.add_argument("--mode", default=None,
                        help="interpolate: nearest (default), nearest-exact, linear, cubic, area")
    parser.add_argument("--convention", default=None,
                        help="nearest, bilinear: whose dialect (torch, onnx, tf2, tf1, jax, opencv, "
                             "pillow; default torch)")
    parser.add_argument("--view", choices=["scatter", "zero_insertion", "matrix"], default=None,
                        help="conv_transpose: which of the three views (default scatter)")


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
    parser.add_argument("--volume", action="store_true",
                        help="conv of a (C, H, W) input with one filter: draw it in 3-D, "
                             "as the article's picture")


def _animate(args: argparse.Namespace) -> int:
    if not 0.25 <= args.scale <= 8:
        raise UsageError(f"--scale must be between 0.25 and 8, got {args.scale}")
    for path in (args.output, args.png_dir):      # --png-dir itself may be new, not its parent
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
    print(f"wrote {written[0]} ({len(ex.steps) + 2} frames)"
          + (f" and {len(written) - 1} PNG frames in {args.png_dir}" if args.png_dir else ""))
    return 0


# --------------------------------------------------------------------------- tour

def _configure_tour(parser: argparse.ArgumentParser) -> None:
    from .explain.tour import DEFAULT_OUT

    parser.add_argument("--out", default=DEFAULT_OUT,
                        help=f"where to write the GIFs and index.html (default ./{DEFAULT_OUT})")
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
    parser.add_argument("--lr", type=float, help="learning rate for every design "
                                                 "(default: each design's own)")
    parser.add_argument("--seed", type=int, help="seed for crops and initialisation (default 0)")
    parser.add_argument("--designs", default=None,
                        help="comma-separated design names, or 'all' (default: all but "
                             "cnn_sub_pixel)")
    parser.add_argument("--out", default="upsample-train",
                        help="where to write psnr.json, report.png and the models "
                             "(default ./upsample-train)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _train(args: argparse.Namespace) -> int:
    from . import images, train  # lazy: scikit-image, Pillow and rich load only here

    given = {name: getattr(args, name) for name in ("steps", "batch", "patch", "lr", "seed")
             if getattr(args, name) is not None}
    if args.designs == "all":
        given["designs"] = list(train.DESIGNS)
    elif args.designs is not None:
        given["designs"] = [d.strip() for d in args.designs.split(",") if d.strip()]
    try:
        result = train.run(**given, out=args.out, progress=not args.no_progress)
    except images.MissingDependency as error:
        print(f"upsample: error: {error}"
              + (" (or pass --no-progress)" if "progress" in str(error) else ""), file=sys.stderr)
        return 1
    print(result.table())
    print()
    print(result.checkerboard())
    print(f"\nwrote psnr.json, report.png and the models to {args.out}/ "
          f"in {result.seconds:.0f} s")
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
    Command("tour", "reproduce every example of the article: text, GIFs and index.html",
            ("upsample tour", "upsample tour --out /tmp/tour --quiet"),
            _configure_tour, _tour),
    Command("explain", "show an op's work on a small example, step by step",
            ('upsample explain conv_transpose "1 2; 3 4" --kernel "5 5; 5 5"',
             'upsample explain conv_transpose "1 2; 3 4" --kernel "5 5; 5 5" --view matrix',
             'upsample explain bilinear "10 20; 30 40" -f 2',
             'upsample explain bilinear "10 20; 30 40" -f 2 --convention tf1 --brief',
             'upsample explain max_pool "1 2 4 1; 3 4 2 3; 1 4 1 2; 2 3 4 3" -k 2',
             'upsample explain max_unpool "1 2; 3 4" --indices "5 2; 9 14" -k 2',
             'upsample explain conv "[[1, 2, 3], [4, 5, 6], [7, 8, 9]]" -k 2 --brief'),
            _configure_explain, _explain),
    Command("animate", "write an op's steps as an animated GIF",
            ('upsample animate conv_transpose "1 2; 3 4" --kernel "5 5; 5 5" -o steps.gif',
             'upsample animate nearest "1 2; 3 4" -f 2 -o nearest.gif --png-dir frames/',
             'upsample animate conv "1 2 3; 4 5 6; 7 8 9 | 9 8 7; 6 5 4; 3 2 1" -k 2 --volume -o 3d.gif'),
            _configure_animate, _animate),
    Command("shape", "the output size of an op",
            ("upsample shape conv 5,5 -k 3", "upsample shape conv_transpose 64 -k 4 -s 2 -p 1",
             "upsample shape interpolate 7 --scale-factor 1.5"),
            _configure_shape, _shape),
    Command("solve", "conv_transpose settings that map one size to another",
            ("upsample solve 64 128", "upsample solve 7 14 -s 2",
             "upsample solve 8 --undo -k 3 -s 2 -p 1   # which conv_transpose undoes this conv?"),
            _configure_solve, _solve),
    Command("compare", "one resize in every framework's convention, side by side, with the "
                       "largest difference from torch",
            ('upsample compare bilinear "1 2; 3 4" -f 2', 'upsample compare nearest "1 2 3" --size 5',
             'upsample compare cubic "[[0, 1, 0], [1, 5, 1], [0, 1, 0]]" -f 1.5'),
            lambda parser: _compare().configure(parser), lambda args: _compare().run(args)),
    Command("train", "learn 2x upsampling layers on photographs, score them against "
                     "nearest, bilinear and bicubic",
            ("upsample train", "upsample train --steps 300 --out /tmp/train",
             "upsample train --designs transpose_k4_bilinear,transpose_k3_random",
             "upsample train --designs all   # also the small nonlinear CNN (slow)"),
            _configure_train, _train),
    Command("serve", "every op live in the browser: edit the example, step through, copy the code",
            ("upsample serve --open", "upsample serve --port 0   # any free port; prints the URL",
             "upsample serve --host 127.0.0.1 --port 8765"),
            _configure_serve, _serve),
    Command("resize", "interpolate a .zarr store, .npy file or image of any size, streamed with Dask",
            ("upsample resize in.zarr out.zarr --scale 2 --mode bilinear",
             "upsample resize photo.png big.png --scale 4 --mode bicubic",
             "upsample resize vol.zarr up.zarr --scale 2 --spatial-dims 3 --workers 2 --memory-limit 1GiB",
             "upsample resize in.zarr out.zarr --scale 2 --scheduler tcp://127.0.0.1:8786"),
            _configure_resize, _resize),
]


def _epilog(examples: Sequence[str]) -> str:
    return "examples:\n" + "\n".join(f"  {e}" for e in examples)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="upsample", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Upsampling techniques, exact and explained step by step.",
        epilog=_epilog([c.examples[0] for c in COMMANDS]))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        child = sub.add_parser(command.name, help=command.help, description=command.help,
                               formatter_class=argparse.RawDescriptionHelpFormatter,
                               epilog=_epilog(command.examples))
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
        parser.exit(1, f"upsample: error: {error.name} is missing; the pictures need "
                       f"pip install -e \".[cli]\" in the upsample clone\n")
    except OSError as error:
        parser.exit(2, f"upsample: error: {error.strerror or error}: {error.filename or ''}\n")
    except KeyboardInterrupt:
        parser.exit(130, "upsample: interrupted\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
