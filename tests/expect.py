"""Assertions shared across test files: the bad-input tables of every op, and the drop-ins' match."""

import numpy as np
import pytest


def assert_refused(call, exception, fragments):
    """``call()`` raises ``exception`` whose message contains every fragment (op, parameter, values)."""
    with pytest.raises(exception) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def assert_same_as_framework(ours, theirs):
    """A drop-in's result against its framework's: the same shape and dtype, and values within
    1e-5 of the largest magnitude (at least 1)."""
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(
        ours.astype(np.float64), theirs, rtol=0, atol=1e-5 * max(1.0, float(np.abs(theirs).max()))
    )
