"""The command line: each subcommand works, and bad input is one line with exit status 2."""

import subprocess
import sys

import pytest

from upsample.cli import main


def run(*argv):
    return subprocess.run([sys.executable, "-m", "upsample", *argv], capture_output=True, text=True,
                          timeout=300)


def test_solve_lists_the_natural_setting_first(capsys):
    assert main(["solve", "64", "128"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == ["4", "2", "1", "0", "1"]


def test_solve_undo(capsys):
    assert main(["solve", "8", "--undo", "-k", "3", "-s", "2", "-p", "1"]) == 0
    assert "output_padding=1" in capsys.readouterr().out


@pytest.mark.parametrize("argv, expected", [
    (["shape", "conv", "5,5", "-k", "3"], "(3, 3)"),
    (["shape", "conv_transpose", "64", "-k", "4", "-s", "2", "-p", "1"], "128"),
    (["shape", "conv", "7", "-k", "3", "-s", "2", "-p", "same"], "4"),
    (["shape", "max_pool", "5", "-k", "2", "--ceil-mode"], "3"),
    (["shape", "max_unpool", "2", "-k", "2"], "4"),
    (["shape", "interpolate", "7", "--scale-factor", "1.5"], "10"),
])
def test_shape(argv, expected, capsys):
    assert main(argv) == 0
    assert capsys.readouterr().out.strip() == expected


@pytest.mark.parametrize("argv", [
    ["shape", "conv", "5", "-k", "0"],
    ["shape", "conv", "five"],
    ["shape", "interpolate", "5"],
    ["solve", "8"],
    ["shape", "conv_transpose", "4", "-s", "2", "--output-padding", "3"],
])
def test_bad_input_is_one_line_and_status_2(argv):
    result = run(*argv)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") <= 1 or "usage:" in result.stderr
    assert "error" in result.stderr
