"""ONNX's backend node cases, collected once per process for every test file that needs them.

``onnx.backend.test.case.node.collect_testcases(op_type)`` runs each case module's export
functions when it first imports them, recording only the op type asked for then; a second
call with another op type finds the modules imported and records nothing. So the cases are
collected once, for every op type, here.
"""

from __future__ import annotations

import functools
import warnings


@functools.cache
def _all() -> tuple:
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings():  # some expected outputs divide by zero
        warnings.simplefilter("ignore")
        return tuple(collect_testcases(None))


def cases(*op_types: str) -> list:
    """The single-node cases of these op types, one per name, sorted by name."""
    unique = {
        case.name: case
        for case in _all()
        if len(case.model.graph.node) == 1 and case.model.graph.node[0].op_type in op_types
    }
    return sorted(unique.values(), key=lambda case: case.name)


def module_cases(op_type: str, module: str) -> list:
    """The cases of one op type from its own case module (``"averagepool"``), a fraction of the
    time :func:`cases` takes the first time. Importing the module records its cases in the
    list that collecting every op type returns too, so the two can be called in either order."""
    import importlib

    from onnx.backend.test.case import node

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        importlib.import_module(f"{node.__name__}.{module}")
    unique = {
        case.name: case
        for case in node._NodeTestCases
        if len(case.model.graph.node) == 1 and case.model.graph.node[0].op_type == op_type
    }
    return sorted(unique.values(), key=lambda case: case.name)


def reference_run(model, feeds: dict) -> list:
    """The onnx reference evaluator's outputs. Its RuntimeWarnings (it pads uint8 with NaN,
    and some cases divide by zero) are silenced: the outputs are what is compared."""
    from onnx.reference import ReferenceEvaluator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return ReferenceEvaluator(model).run(None, feeds)


def tally(op: str, counts: dict[str, int], total: int) -> str:
    """One line of how many backend cases matched each oracle, for the test's printed output."""
    return (
        f"\n{op} backend node cases: {counts['expected']}/{total} match the expected outputs, "
        f"{counts['onnxruntime']}/{total} onnxruntime, {counts['reference']}/{total} the reference"
    )
