"""Interpolation as per-axis sampling plans: the plan type, the kernels, PyTorch's and the other
frameworks' plan builders, and the mode table that picks between them.

Every mode is separable: along each spatial axis, output ``o`` reads a few source positions
``index[o, t]`` with weights ``weight[o, t]``. The forward (:mod:`upsample.interpolation`),
the VJP, the compiled loops (:mod:`upsample._resample`), the integer rules
(:mod:`upsample._integer`) and the explanations all consume these plans.
"""

from .plans import SamplingPlan

__all__ = ["SamplingPlan"]
