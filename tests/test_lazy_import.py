"""``import upsample`` is lazy: it loads none of its op modules, NumPy's heavy friends,
Numba, Dask, Pillow or the web server until a name is used, yet every public name
is still reachable (issue 12)."""

import subprocess
import sys

HEAVY = (
    "numba",
    "dask",
    "PIL",
    "starlette",
    "uvicorn",
    "argparse",
    "upsample.nn",
    "upsample.convolution",
    "upsample.interpolation",
)


def _run(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_import_loads_nothing_heavy():
    code = f"import sys, upsample; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    assert _run(code) == "[]"


def test_every_public_name_is_reachable_and_listed():
    import upsample

    for name in upsample.__all__ + ["explain", "dask"]:
        assert getattr(upsample, name) is not None
    assert set(upsample.__all__) <= set(dir(upsample))
    from upsample import conv, interpolate, nn  # noqa: F401


def test_unknown_name_is_an_attribute_error():
    import pytest

    import upsample

    with pytest.raises(AttributeError, match="no_such_name"):
        upsample.no_such_name  # noqa: B018
