"""Build hook: the reference pages, generated from the package at build time.

Nothing in ``docs/reference`` is written by hand. For every public name the hook writes a
``::: path`` block that mkdocstrings renders from the docstring and the signature:

* ``upsample.*``: each name of ``upsample.__all__`` that is a function or class, found
  where it is defined (the package imports its names lazily, so the defining module is
  the path the docstring is read from);
* the public modules (``shapes``, ``explain``, ``nn``, ``optim``, ``dask``) and every
  module found under ``src/upsample/compat/`` at build time, each with its ``__all__``;
* the command line: every subcommand's ``--help``, produced by the real parser.

``public_names()`` is what the tests compare the built site against.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import io
import re
import sys
from contextlib import redirect_stdout
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def use_this_checkout() -> None:
    """Import ``upsample`` from this checkout's ``src``, whatever else is installed.

    Called from the events, not at import: MkDocs restores ``sys.path`` after loading a hook.
    """
    if sys.path[:1] != [str(SRC)]:
        sys.path.insert(0, str(SRC))
    loaded = sys.modules.get("upsample")
    if loaded is not None and not str(getattr(loaded, "__file__", "")).startswith(str(SRC)):
        for name in [n for n in sys.modules if n == "upsample" or n.startswith("upsample.")]:
            del sys.modules[name]


#: the modules with a page of their own, besides upsample.* and the compat modules
MODULES = ["shapes", "explain", "explain.html", "nn", "optim", "dask"]


def compat_modules() -> list[str]:
    """Every public module under ``src/upsample/compat/`` (none before it exists)."""
    base = SRC / "upsample" / "compat"
    if not base.is_dir():
        return []
    names = []
    for path in sorted(base.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(p.startswith("_") for p in parts):
            continue
        names.append(".".join(parts))
    return names


def _public(module) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_")
            and getattr(v, "__module__", module.__name__) == module.__name__
            and (inspect.isfunction(v) or inspect.isclass(v))
        ]
    return list(names)


def _defined_at(value) -> str | None:
    """``upsample.convolution.conv_transpose`` for the object ``upsample.conv_transpose``."""
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if module and qualname and module.startswith("upsample"):
        return f"{module}.{qualname}"
    return None


def public_names() -> dict[str, str]:
    """Every public name -> the identifier its reference entry carries (the objects.inv name)."""
    import upsample

    names: dict[str, str] = {}
    for name in upsample.__all__:
        value = getattr(upsample, name)
        if inspect.ismodule(value):
            continue  # a module page of its own (shapes, nn, optim)
        names[f"upsample.{name}"] = _defined_at(value) or f"upsample.{name}"
    for module_name in [f"upsample.{m}" for m in MODULES] + compat_modules():
        module = importlib.import_module(module_name)
        names[module_name] = module_name
        for name in _public(module):
            value = getattr(module, name)
            if inspect.ismodule(value):
                names[f"{module_name}.{name}"] = value.__name__
                continue
            where = _defined_at(value) if (inspect.isfunction(value) or inspect.isclass(value)) else None
            names[f"{module_name}.{name}"] = (
                where if where and where.startswith(module_name) else f"{module_name}.{name}"
            )
    return names


# --------------------------------------------------------------------------- the pages


def _block(path: str, **options) -> str:
    lines = [f"::: {path}"]
    if options:
        lines.append("    options:")
        for key, value in options.items():
            lines.append(f"      {key}: {value}")
    return "\n".join(lines) + "\n"


def _ops_page() -> str:
    import upsample

    out = [
        "# `upsample`: the operations",
        "",
        "Every function and class of `upsample.__all__`; the modules `upsample.shapes`, "
        "`upsample.nn` and `upsample.optim` have pages of their own. Generated from the "
        "docstrings at build time.",
        "",
    ]
    for name in upsample.__all__:
        value = getattr(upsample, name)
        if inspect.ismodule(value):
            continue
        path = _defined_at(value) or f"upsample.{name}"
        out.append(_block(path, show_root_heading="true", show_root_full_path="false", heading_level=2))
    return "\n".join(out)


def _module_page(module_name: str) -> str:
    module = importlib.import_module(module_name)
    members = _public(module)
    listed = "[" + ", ".join(members) + "]" if members else "[]"
    return _block(
        module_name, members=listed, show_root_heading="true", show_root_full_path="true", heading_level=1
    )


def _slug(module_name: str) -> str:
    return module_name.removeprefix("upsample.").replace(".", "-")


def _main_help(argv: list[str]) -> str:
    """What ``upsample *argv`` prints (for ``--help``), from the package's own ``main``."""
    from upsample import cli

    stream = io.StringIO()
    with redirect_stdout(stream):
        try:
            cli.main(argv)
        except SystemExit:
            pass
    return stream.getvalue()


def cli_helps() -> dict[str, str]:
    """``{"upsample": its --help, "upsample tour": ..., ...}`` from the real command line.

    The subcommands are read from the parser when ``cli`` exposes how it builds one, else
    from the top-level ``--help`` text; each help is what ``upsample NAME --help`` prints.
    """
    from upsample import cli

    top = _main_help(["--help"])
    builder = getattr(cli, "_parser", None) or getattr(cli, "build_parser", None)
    names: list[str] = []
    if builder is not None:
        for action in builder()._actions:
            if isinstance(action, argparse._SubParsersAction):
                names = list(action.choices)
    if not names:
        listed = top.split("positional arguments:")[-1].split("options:")[0]
        names = re.findall(r"^    (\w[\w-]*)\s", listed, flags=re.M)
    helps = {"upsample": top}
    for name in names:
        helps[f"upsample {name}"] = _main_help([name, "--help"])
    return helps


def _cli_page() -> str:
    out = [
        "# The command line",
        "",
        "`upsample` and each subcommand's `--help`, printed by the installed parser when "
        "this site was built.",
        "",
    ]
    for name, text in cli_helps().items():
        out += [f"## `{name}`", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(out)


def pages() -> dict[str, str]:
    """``{"reference/<page>.md": markdown}`` for every reference page."""
    result = {"reference/upsample.md": _ops_page()}
    for name in [f"upsample.{m}" for m in MODULES] + compat_modules():
        result[f"reference/{_slug(name)}.md"] = _module_page(name)
    result["reference/cli.md"] = _cli_page()
    index = [
        "# Reference",
        "",
        "Generated from the code at build time: every public name with its signature, types and docstring.",
        "",
        "| page | what |",
        "| --- | --- |",
        "| [`upsample`](upsample.md) | the operations: `conv`, `conv_transpose`, "
        "`interpolate`, `vjp`, `compare`, ... |",
    ]
    for page in result:
        if page in ("reference/upsample.md", "reference/cli.md"):
            continue
        module_name = "upsample." + page.removeprefix("reference/").removesuffix(".md").replace("-", ".")
        summary = (inspect.getdoc(importlib.import_module(module_name)) or "").split("\n")[0]
        index.append(f"| [`{module_name}`]({Path(page).name}) | {summary.replace('|', '/')} |")
    index.append("| [command line](cli.md) | `upsample` and every subcommand's `--help` |")
    result["reference/index.md"] = "\n".join(index) + "\n"
    return result


_PAGES: dict[str, str] = {}


def on_config(config):
    use_this_checkout()
    _PAGES.clear()
    _PAGES.update(pages())
    reference = [{"Overview": "reference/index.md"}, {"upsample": "reference/upsample.md"}]
    for page in _PAGES:
        if page in ("reference/index.md", "reference/upsample.md", "reference/cli.md"):
            continue
        name = "upsample." + page.removeprefix("reference/").removesuffix(".md").replace("-", ".")
        reference.append({name: page})
    reference.append({"Command line": "reference/cli.md"})
    nav = config.get("nav") or []
    for i, entry in enumerate(nav):
        if isinstance(entry, dict) and "Reference" in entry:
            nav[i] = {"Reference": reference}
    return config


def on_files(files, config):
    for uri, content in _PAGES.items():
        files.append(File.generated(config, uri, content=content))
    return files


COMPAT_MARKER = "<!-- compat modules: filled in by docs/hooks/reference.py -->"


def compat_table(page_uri: str) -> str:
    """The drop-in modules found at build time, linked to their reference pages."""
    modules = compat_modules()
    if not modules:
        return "No drop-in module is installed in this version."
    up = "../" * page_uri.count("/")
    rows = ["| module | what |", "| --- | --- |"]
    for name in modules:
        summary = (inspect.getdoc(importlib.import_module(name)) or "").split("\n")[0]
        rows.append(f"| [`{name}`]({up}reference/{_slug(name)}.md) | {summary.replace('|', '/')} |")
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    if COMPAT_MARKER in markdown:
        markdown = markdown.replace(COMPAT_MARKER, compat_table(page.file.src_uri))
    return markdown
