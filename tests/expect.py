"""Assertions shared by the bad-input tables of every op."""

import pytest


def assert_refused(call, exception, fragments):
    """``call()`` raises ``exception`` whose message contains every fragment (op, parameter, values)."""
    with pytest.raises(exception) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
