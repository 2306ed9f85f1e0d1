"""The bad-input test of every op's table, written once: each row ``(call, exception,
fragments)`` is a case, refused when ``call()`` raises ``exception`` with every fragment
(op, parameter, values) in its message."""

import pytest

from expect import assert_refused


def refused_clearly(table):
    """The parametrized test of ``table``; a test module binds it to its own ``test_*`` name,
    which pytest collects and names the cases by."""

    @pytest.mark.parametrize("call, exception, fragments", table)
    def test(call, exception, fragments):
        assert_refused(call, exception, fragments)

    return test
