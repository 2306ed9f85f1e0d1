"""Shared test setup. Under CI the PyTorch oracle must be importable: a missing torch is a failure,
never a silent skip."""

import numpy as np
import pytest

import required

# pytest's pythonpath (pyproject.toml) puts tests/ on sys.path: tests import reference.py,
# oracle.py and required.py as modules. Under CI every oracle must import, before any test
# runs (required.py is the one idiom for "required under CI, skipped elsewhere").
if required.CI:
    required.modules(*required.ORACLES)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
