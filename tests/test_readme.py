"""The README stays true: its Python examples run as doctests and its commands run."""

import doctest
import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"


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
    # the first command: install (already done here) and run the main job
    command = re.search(r"```bash\n(.*?)\n```", README.read_text(), flags=re.S).group(1)
    install, _, job = command.partition("&&")
    assert "pip install" in install
    words = shlex.split(job.strip())
    assert words[0] == "upsample"
    result = subprocess.run([sys.executable, "-m", "upsample", *words[1:]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(.*?)\n```", README.read_text(), flags=re.S)
    ci = (README.parent / ".ci" / "run").read_text()
    assert commands[1].strip() in ci
