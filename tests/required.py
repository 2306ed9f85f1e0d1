"""The one idiom for the test suite's optional dependencies: required under CI, skipped elsewhere.

``.ci/run`` sets ``CI``: there a missing oracle (torch, TensorFlow, JAX, OpenCV, ...), a
missing extra or a missing chromium fails the test that needs it, loudly; on a developer's
machine without them the test is skipped and says what to install.
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType

import pytest

CI = bool(os.environ.get("CI"))

#: what conftest imports up front under CI, so a missing one fails the run before any test
ORACLES = ("torch", "onnx", "skimage", "cv2", "PIL", "jax", "keras", "tensorflow")


def module(name: str) -> ModuleType:
    """Import ``name``: under CI a failure is an error; elsewhere the test is skipped."""
    if CI:
        return importlib.import_module(name)
    return pytest.importorskip(name, reason=f"{name} is not installed (bash scripts/test.sh installs it)")


def modules(*names: str) -> list[ModuleType]:
    return [module(name) for name in names]


def program(name: str, *aliases: str) -> str:
    """The path of an executable: under CI a missing one fails the test; elsewhere it skips."""
    path = next((p for p in map(shutil.which, (name, *aliases)) if p), None)
    if path is None:
        message = f"{name} is not installed; scripts/test.sh installs Debian's {name}"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    return path
