"""Shape arithmetic for every op: pure integer functions, and the only place it lives.

The ops, the tests, the command line and the explanations all call these, so an
output size is computed the same way everywhere: output sizes and padding rules in
:mod:`.sizes`, the solver and the overlap map in :mod:`.solve`, the halos of output
blocks in :mod:`.ranges`. Each function takes an int (one
spatial dimension) or a tuple (one entry per spatial dimension) and answers in kind.

Legend used across the project: ``i`` input size, ``o`` output size, ``k`` kernel size,
``s`` stride, ``p`` padding (``p_lo``/``p_hi`` when asymmetric), ``d`` dilation,
``a`` output_padding, ``r`` the pixel-shuffle factor.

Sources: V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep
learning" (2016), cited below as "D&V"; and PyTorch's documentation of the
corresponding ``torch.nn`` modules.
"""

from __future__ import annotations

from .ranges import (
    aligned_chunks,
    conv_input_range,
    conv_transpose_input_range,
    nails_input_range,
    pool_input_range,
    subsample_input_range,
    unpool_input_range,
)
from .sizes import (
    Size,
    bed_of_nails_output_size,
    conv_output_size,
    conv_padding,
    conv_size,
    conv_transpose_output_size,
    conv_transpose_padding,
    interpolate_output_size,
    pixel_shuffle_output_size,
    pixel_unshuffle_output_size,
    pool_output_size,
    pool_padding,
    pooled_size,
    scale_factors,
    subsample_output_size,
    unpool_output_size,
    unpooled_size,
)
from .solve import ConvTransposeSettings, overlap_map, solve_conv_transpose, undo_conv

__all__ = [
    "conv_output_size",
    "conv_size",
    "conv_padding",
    "conv_transpose_output_size",
    "conv_transpose_padding",
    "pool_output_size",
    "unpool_output_size",
    "interpolate_output_size",
    "bed_of_nails_output_size",
    "subsample_output_size",
    "pixel_shuffle_output_size",
    "pixel_unshuffle_output_size",
    "pool_padding",
    "pooled_size",
    "unpooled_size",
    "scale_factors",
    "Size",
    "ConvTransposeSettings",
    "solve_conv_transpose",
    "undo_conv",
    "overlap_map",
    "conv_input_range",
    "conv_transpose_input_range",
    "pool_input_range",
    "unpool_input_range",
    "nails_input_range",
    "subsample_input_range",
    "aligned_chunks",
]
