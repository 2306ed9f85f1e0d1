"""upsample: every upsampling technique, exact, trainable, and explained step by step."""

from __future__ import annotations

import importlib

from . import ops as _ops

#: The library's own names beside the ops: name -> (submodule, attribute); attribute None
#: means the submodule itself.
_OTHERS: dict[str, tuple[str, str | None]] = {
    "vjp": ("autodiff", "vjp"),
    "compare": ("comparison", "compare"),
    "shapes": ("shapes", None),
    "nn": ("nn", None),
    "optim": ("optim", None),
    "size_limit": ("_args", "size_limit"),
    "set_size_limit": ("_args", "set_size_limit"),
    "get_size_limit": ("_args", "get_size_limit"),
    "from_tf_kernel": ("_layout", "from_tf_kernel"),
    "to_tf_kernel": ("_layout", "to_tf_kernel"),
}

# Every public name is imported on first use (PEP 562), so ``import upsample`` costs
# almost nothing: the ops' modules (and NumPy, nn, argparse for compare, ...) load when
# a name is first looked up, then the name is cached in this module's globals. The ops
# come from the op table, each from its family's module.
_LAZY: dict[str, tuple[str, str | None]] = {
    **{op.name: (op.family, op.name) for op in _ops.OPS.values()},
    **_OTHERS,
    # not in __all__, but reachable as ``upsample.explain`` / ``upsample.dask``
    "explain": ("explain", None),
    "dask": ("dask", None),
}

__all__ = [*_ops.OPS, *_OTHERS]
__version__ = "0.1.0"


def __getattr__(name: str):
    """Import the submodule that defines ``name`` on first use and cache the result."""
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    module = importlib.import_module(f".{module_name}", __name__)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
