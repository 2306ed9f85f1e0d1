"""The ``upsample`` command line. Each subcommand is one entry in ``COMMANDS``.

Bad input prints one line, ``upsample: error: ...``, and exits with status 2; it never
shows a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from . import shapes

__all__ = ["main"]


class UsageError(Exception):
    """A problem with what the user typed: reported in one line, exit status 2."""


def _ints(text: str) -> tuple[int, ...] | int:
    """``"3"`` -> 3, ``"3,4"`` or ``"3x4"`` -> (3, 4)."""
    parts = [p for p in text.replace("x", ",").split(",") if p.strip()]
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or integers like 3,4; got {text!r}") from None
    if not values:
        raise argparse.ArgumentTypeError(f"expected an integer or integers like 3,4; got {text!r}")
    return values[0] if len(values) == 1 else values


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


def _add_geometry(parser: argparse.ArgumentParser) -> None:
    """The geometry flags, shared by every subcommand that has a kernel."""
    parser.add_argument("-k", "--kernel-size", type=_ints, default=2, help="kernel size (default 2)")
    parser.add_argument("-s", "--stride", type=_ints, default=None, help="stride (default 1; pooling: the kernel size)")
    parser.add_argument("-p", "--padding", type=_padding, default=0, help="padding: int, ints, 'same' or 'valid'")
    parser.add_argument("-d", "--dilation", type=_ints, default=1, help="dilation (default 1)")
    parser.add_argument("--output-padding", type=_ints, default=0, help="conv_transpose output padding")
    parser.add_argument("--ceil-mode", action="store_true", help="pooling: ceil instead of floor")


def _shape(args: argparse.Namespace) -> int:
    args.padding_arg = args.padding
    args.stride_or_none = args.stride
    if args.stride is None:
        args.stride = 1
    if args.op == "interpolate" and args.scale_factor is None:
        raise UsageError("interpolate needs --scale-factor")
    print(SHAPE_OPS[args.op](args))
    return 0


# --------------------------------------------------------------------------- solve

def _solve(args: argparse.Namespace) -> int:
    if args.undo:
        k, s, p, a, d = shapes.undo_conv(args.in_size, args.kernel_size or 3, args.stride or 1,
                                         args.padding or 0, args.dilation)
        print(f"conv_transpose(kernel_size={k}, stride={s}, padding={p}, output_padding={a}, "
              f"dilation={d}) maps the conv's output back to {args.in_size}")
        return 0
    if args.out_size is None:
        raise UsageError("solve needs IN_SIZE and OUT_SIZE (or --undo with conv settings)")
    found = shapes.solve_conv_transpose(args.in_size, args.out_size, kernel_size=args.kernel_size,
                                        stride=args.stride, dilation=args.dilation)
    if not found:
        print(f"no conv_transpose within the search bounds maps {args.in_size} to {args.out_size}")
        return 1
    print(f"conv_transpose settings mapping {args.in_size} -> {args.out_size}, most natural first:")
    print(f"{'kernel':>6} {'stride':>6} {'padding':>7} {'out_pad':>7} {'dilation':>8}")
    for k, s, p, a, d in found[:args.limit]:
        print(f"{k:>6} {s:>6} {p:>7} {a:>7} {d:>8}")
    if len(found) > args.limit:
        print(f"... and {len(found) - args.limit} more (--limit)")
    return 0


# --------------------------------------------------------------------------- parser

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="upsample", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Upsampling techniques, exact and explained.",
        epilog="examples:\n  upsample solve 64 128\n  upsample shape conv_transpose 64 -k 4 -s 2 -p 1")
    sub = parser.add_subparsers(dest="command", required=True)

    shape = sub.add_parser("shape", help="the output size of an op",
                           formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog="examples:\n  upsample shape conv 5,5 -k 3\n"
                                  "  upsample shape conv_transpose 64 -k 4 -s 2 -p 1\n"
                                  "  upsample shape interpolate 7 --scale-factor 1.5")
    shape.add_argument("op", choices=sorted(SHAPE_OPS))
    shape.add_argument("size", type=_ints, help="input spatial size, e.g. 64 or 64,48")
    _add_geometry(shape)
    shape.add_argument("--scale-factor", type=float, default=None, help="interpolate: scale factor")
    shape.set_defaults(run=_shape)

    solve = sub.add_parser("solve", help="conv_transpose settings that map one size to another",
                           formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog="examples:\n  upsample solve 64 128\n  upsample solve 7 14 -s 2\n"
                                  "  upsample solve 8 --undo -k 3 -s 2 -p 1   "
                                  "# which conv_transpose undoes this conv?")
    solve.add_argument("in_size", type=int)
    solve.add_argument("out_size", type=int, nargs="?")
    solve.add_argument("-k", "--kernel-size", type=int, default=None)
    solve.add_argument("-s", "--stride", type=int, default=None)
    solve.add_argument("-p", "--padding", type=int, default=None, help="with --undo: the conv's padding")
    solve.add_argument("-d", "--dilation", type=int, default=1)
    solve.add_argument("--undo", action="store_true",
                       help="find the conv_transpose that undoes the size change of a conv of IN_SIZE")
    solve.add_argument("--limit", type=int, default=10, help="how many settings to list (default 10)")
    solve.set_defaults(run=_solve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, ValueError, TypeError) as error:
        parser.exit(2, f"upsample: error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
