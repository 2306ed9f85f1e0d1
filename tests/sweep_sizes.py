"""The size table of the exhaustive sweeps (tests/test_sweep.py, tests/test_compat_onnx_resize.py).

Every input and output length 1..33 along an axis (1089 pairs), plus known ties. A call
resizes an (H, W) image with the H pair ``pairs[k]`` and the W pair ``pairs[perm[k]]``, so
every pair appears on both axes and shrinking and growing axes are mixed.
"""

from __future__ import annotations

import numpy as np

LENGTHS = range(1, 34)

#: lengths where coordinates land on exact halves, or near them after float32 rounding
TIES = [
    (2, 7),
    (3, 7),
    (7, 3),
    (40, 16),
    (100, 40),
    (250, 100),
    (63, 45),
    (255, 85),
    (85, 255),
    (3, 9),
    (45, 63),
    (21, 49),
]


def table(*more_ties: tuple[int, int]) -> tuple[list[tuple[int, int]], np.ndarray]:
    """``(pairs, perm)``: every (in, out) pair of LENGTHS, then TIES and ``more_ties``; and the
    fixed permutation (seed 2026) that pairs the H pair ``pairs[k]`` with the W pair
    ``pairs[perm[k]]``."""
    pairs = [(i, o) for i in LENGTHS for o in LENGTHS] + TIES + list(more_ties)
    return pairs, np.random.default_rng(2026).permutation(len(pairs))
