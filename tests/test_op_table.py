"""The op table is the one seam: every surface has every op its row says it has.

Walks ``upsample.ops.OPS`` and checks each surface that reads it: the package namespace,
the VJP, the output-size function (against the real output), the explainer, the Dask
planner, the command line, the page's API and the code panel. A new op that misses a
surface fails here, by name.
"""

import inspect

import numpy as np
import pytest

import upsample
from upsample import ops

rng = np.random.default_rng(3)

# One small call per op: (positional arrays and settings, keyword settings, the size params).
CALLS = {
    "conv": (
        (rng.standard_normal((1, 2, 7, 6)), rng.standard_normal((3, 2, 3, 2))),
        dict(stride=2, padding=1, dilation=1),
    ),
    "conv_transpose": (
        (rng.standard_normal((1, 2, 4, 3)), rng.standard_normal((2, 3, 3, 2))),
        dict(stride=2, padding=1, output_padding=1),
    ),
    "nearest": ((rng.standard_normal((1, 2, 3, 4)), 2), {}),
    "bilinear": ((rng.standard_normal((1, 2, 3, 4)), 1.5), {}),
    "interpolate": ((rng.standard_normal((1, 2, 3, 4)),), dict(scale_factor=2, mode="cubic")),
    "bed_of_nails": ((rng.standard_normal((1, 2, 3, 4)), 2), dict(offset=1)),
    "subsample": ((rng.standard_normal((1, 2, 7, 4)), 2), dict(offset=1)),
    "max_pool": ((rng.standard_normal((1, 2, 7, 6)), 3), dict(stride=2, padding=1, ceil_mode=True)),
    "avg_pool": ((rng.standard_normal((1, 2, 7, 6)), 3), dict(stride=2, padding=1, ceil_mode=True)),
    "max_unpool": ((rng.standard_normal((1, 2, 2, 2)), np.array([[[[0, 3], [9, 15]]] * 2]), 2), {}),
    "pixel_shuffle": ((rng.standard_normal((1, 8, 2, 3)), 2), {}),
    "pixel_unshuffle": ((rng.standard_normal((1, 2, 4, 6)), 2), {}),
}

NAMES = list(ops.OPS)


def test_every_op_has_a_call_here():
    assert set(NAMES) == set(CALLS), "add a call for each new op to CALLS"


@pytest.mark.parametrize("name", NAMES)
def test_the_namespace_and_the_vjp_come_from_the_row(name):
    op = ops.OPS[name]
    assert name in upsample.__all__
    assert getattr(upsample, name) is op.forward
    assert ops.by_function(op.forward) is op
    args, kwargs = CALLS[name]
    y, pullback = upsample.vjp(op.forward, *args, **kwargs)
    np.testing.assert_array_equal(y, op.forward(*args, **kwargs))
    grads = pullback(np.ones_like(y))
    assert grads[0].shape == args[0].shape
    assert op.adjoint_of is None or op.adjoint_of in ops.OPS


@pytest.mark.parametrize("name", NAMES)
def test_the_output_size_function_gives_the_real_shape(name):
    op = ops.OPS[name]
    args, kwargs = CALLS[name]
    x = args[0]
    y = op.forward(*args, **kwargs)
    if op.output_size is None:
        return
    given = dict(kwargs)
    signature = inspect.signature(op.forward)
    positional = [
        p for p in signature.parameters.values() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    for parameter, value in zip(positional[1:], args[1:]):
        given[parameter.name] = value
    if "weight" in given:
        given["kernel_size"] = given.pop("weight").shape[2:]
    assert op.size(tuple(x.shape[2:]), **given) == tuple(y.shape[2:])


@pytest.mark.parametrize("name", NAMES)
def test_every_op_has_its_explainer(name):
    from upsample import explain

    op = ops.OPS[name]
    if op.explainer:
        assert explain.EXPLAINERS[name] is op.explain is getattr(explain, name)
    else:
        assert name not in explain.EXPLAINERS
    assert op.page <= op.explainer, "the page draws explanations"


@pytest.mark.parametrize("name", NAMES)
def test_every_op_runs_on_dask(name):
    from upsample.dask import plans

    op = ops.OPS[name]
    assert op.dask == (name in plans.PLANNERS)
    if not op.dask:
        return
    import dask.array as da

    args, kwargs = CALLS[name]
    lazy = (da.from_array(args[0], chunks=(1, 1, *(max(1, s // 2) for s in args[0].shape[2:]))), *args[1:])
    np.testing.assert_allclose(
        op.forward(*lazy, **kwargs).compute(), op.forward(*args, **kwargs), rtol=1e-12, atol=1e-12
    )


def test_params_are_data_the_functions_take():
    for op in ops.OPS.values():
        takes = set(inspect.signature(op.forward).parameters)
        if op.explainer:
            takes |= set(inspect.signature(op.explain).parameters)
        for param in op.params:
            assert param.name in takes, f"{op.name} takes no parameter {param.name}"
            assert param.kind in ("ints", "padding", "numbers", "int", "bool", "choice")
            assert bool(param.choices) == (param.kind == "choice") or param.name == "convention"


def test_an_unknown_function_is_refused_by_name():
    with pytest.raises(TypeError, match="vjp: sum is not an upsample op; the ops are: avg_pool"):
        upsample.vjp(sum, np.ones(3))


@pytest.mark.parametrize("name", [n for n, op in ops.OPS.items() if op.page])
def test_every_page_op_has_code_snippets(name):
    from upsample.web import code

    family = code.family(name)
    for framework in code.FRAMEWORKS:
        assert callable(getattr(family, framework)), (name, framework)


# What a surface may take beside the op's own settings: its own arguments, by surface.
OWN = {
    "explain": {"spatial_dims", "view"},
    "layer": {
        "self",
        "in_channels",
        "out_channels",
        "kernel_size",
        "bias",
        "init",
        "ndim",
        "dtype",
        "rng",
        "indices_from",
    },
    "shapes": {"size", "kernel_size", "dilation", "rounding", "op"},
}


def _mirrors(op):
    """The functions that restate ``op``'s settings in their own signatures: its explainer, its
    output-size function and its layers' constructors, with the surface each belongs to."""
    from upsample import nn, shapes

    if op.explainer:
        yield "explain", op.explain
    if op.output_size:
        yield "shapes", getattr(shapes, op.output_size)
    for layer in vars(nn).values():
        if isinstance(layer, type) and getattr(layer, "op", None) == op.name:
            yield "layer", layer.__init__


@pytest.mark.parametrize("name", NAMES)
def test_every_mirror_takes_the_ops_settings_by_its_names_and_defaults(name):
    """The op's signature is the one statement of its settings: an explainer, a size function
    or a layer that restates one must use the op's name and default (or require it), and
    anything else it takes must be its own. A setting renamed or re-defaulted in the op but
    not in a mirror fails here."""
    op = ops.OPS[name]
    settings = inspect.signature(op.forward).parameters
    checked = 0
    for surface, function in _mirrors(op):
        for param in inspect.signature(function).parameters.values():
            if param.name in OWN[surface] or param.name in op.data:
                continue
            where = f"{surface} {function.__qualname__}"
            assert param.name in settings, f"{where} takes {param.name!r}, which {name} does not"
            if param.default is not inspect.Parameter.empty:
                assert param.default == settings[param.name].default, (where, param.name)
            checked += 1
    assert checked or not op.params, f"{name}: no mirror restates a setting"
