"""The README stays true: its Python examples run as doctests, its commands run, it stays a
front page (short, self-contained, linking only to files that exist)."""

import doctest
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"


def bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", README.read_text(), flags=re.S)


def test_readme_python_examples_run():
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README should show Python examples"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    for i, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"README block {i}", str(README), 0))
    assert runner.failures == 0, f"{runner.failures} README example(s) failed"
    assert runner.tries > 0


def test_readme_main_command_runs(tmp_path):
    # the first of the two commands: install (already done here) and run the main job
    command = next(b for b in bash_blocks() if b.startswith("pip install") and "upsample tour" in b)
    install, _, job = command.partition("&&")
    assert "pip install" in install
    words = shlex.split(job.strip())
    assert words[0] == "upsample"
    result = subprocess.run(
        [sys.executable, "-m", "upsample", *words[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_ci_runs_the_readme_test_command():
    command = next(b for b in bash_blocks() if "scripts/test.sh" in b)
    ci = (ROOT / ".ci" / "run").read_text()
    assert command.strip() in ci


def test_the_readme_is_a_front_page():
    text = README.read_text()
    lines = text.splitlines()
    assert len(lines) <= 250, f"the README has {len(lines)} lines; move detail into docs/"
    assert "*Transpose Convolution*" in "\n".join(lines[:30]), "cite the article by its title, early"
    for needed in (
        "git clone",
        "Python 3.10",
        "venv",
        "3.6 GB",
        "apt-get",
        "bash scripts/docs.sh",
        "## Layout",
    ):
        assert needed in text, needed
    for extra in ("cli", "images", "web", "dask", "docs", "test"):
        assert f"| `{extra}` |" in text, f"the extras table should say what `{extra}` brings"
    # nothing outside the repository: no absolute paths, no parent directories
    assert not re.search(r"(?<![\w.])/(work|home|root|tmp|shared)\b", text)
    assert "../" not in text


def test_the_readmes_links_exist():
    text = README.read_text()
    links = re.findall(r"\]\(([^)#]+)\)", text)
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert local
    for link in local:
        assert (ROOT / link).exists(), f"README links to {link}, which is not in the repository"


def test_license_is_mit_as_pyproject_says():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text()


def test_every_install_hint_matches_the_readme():
    # the README installs from the clone with pip install -e ".[extra]"; so does every message
    assert 'pip install -e ".[' in README.read_text()
    for path in sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "src").rglob("*.js")):
        for hint in re.findall(r"pip install\s+[^\n]{0,40}", path.read_text()):
            assert re.match(r'pip install\s+-e\s+\\?"\.\[[a-z,{}]+\]\\?"', hint), f"{path.name}: {hint}"


def test_the_layout_table_names_every_module():
    # each module directly under src/upsample (a file or a package) has a row in ## Layout
    layout = README.read_text().split("## Layout", 1)[1].split("\n## ", 1)[0]
    first_cells = [row.split("|")[1] for row in layout.splitlines() if row.startswith("| `upsample")]
    named = {n for cell in first_cells for n in re.findall(r"`upsample\.([\w.]+)`", cell)}
    package = ROOT / "src" / "upsample"
    modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    modules |= {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    missing = sorted(m for m in modules if m not in {n.split(".")[0] for n in named})
    assert not missing, f"the README's layout table has no row for: {missing}"
    # and every row names a module that exists
    stale = sorted(n for n in named if "." not in n and n not in modules)
    assert not stale, f"the README's layout table names modules that do not exist: {stale}"
