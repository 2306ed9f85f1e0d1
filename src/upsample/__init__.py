"""upsample: every upsampling technique, exact, trainable, and explained step by step."""

from . import nn, optim, shapes
from ._args import get_size_limit, set_size_limit, size_limit
from ._layout import from_tf_kernel, to_tf_kernel
from .autodiff import vjp
from .comparison import compare
from .convolution import conv, conv_transpose
from .interpolation import bilinear, interpolate, nearest
from .nails import bed_of_nails, subsample
from .pool import max_pool, max_unpool
from .shuffle import pixel_shuffle, pixel_unshuffle

__all__ = [
    "conv",
    "conv_transpose",
    "bed_of_nails",
    "subsample",
    "max_pool",
    "max_unpool",
    "pixel_shuffle",
    "pixel_unshuffle",
    "interpolate",
    "nearest",
    "bilinear",
    "vjp",
    "compare",
    "shapes",
    "nn",
    "optim",
    "size_limit",
    "set_size_limit",
    "get_size_limit",
    "from_tf_kernel",
    "to_tf_kernel",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    """``upsample.explain`` and ``upsample.dask`` are imported on first use, so ``import
    upsample`` stays light (and needs no Dask)."""
    if name in ("explain", "dask"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
