"""A griffe extension for the reference: the docstrings' reStructuredText habits as Markdown.

The docstrings are written for ``help()`` and doctest: ``>>>`` examples, ``:func:`name```
roles and ``::`` literal blocks. mkdocstrings reads them as Markdown, where an example's
``x[0]`` would become a link and a role would print as it is written. This extension fences
every run of ``>>>`` lines (with the output under them) as a ``pycon`` block and turns a role
into inline code and drops the ``::`` before a literal block, so every docstring renders as it reads in a terminal.
"""

from __future__ import annotations

import re

from griffe import Extension

ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|obj|exc):`~?([^`]+)`")


def markdown(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            block = []
            while i < len(lines) and lines[i].strip() and lines[i].startswith(indent):
                block.append(lines[i][len(indent) :])
                i += 1
            if out and out[-1].strip():
                out.append("")
            out += [indent + "```pycon", *[indent + b for b in block], indent + "```"]
            if i < len(lines) and lines[i].strip():
                out.append("")
            continue
        line = ROLE.sub(r"`\1`", line)
        if line.rstrip().endswith("::"):  # an rST literal block follows
            line = line.rstrip()[:-2].rstrip()
            line = line + ":" if line.strip() else line
        out.append(line)
        i += 1
    return "\n".join(out)


class DoctestBlocks(Extension):
    """Rewrite each docstring once, when griffe has read it."""

    def on_instance(self, *, node, obj, agent, **kwargs) -> None:
        if obj.docstring is not None and not getattr(obj, "is_alias", False):
            obj.docstring.value = markdown(obj.docstring.value)
