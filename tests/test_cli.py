"""The command line: each subcommand works, and bad input is one line with exit status 2."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from upsample.cli import COMMANDS, main, parse_array


def run(*argv):
    return subprocess.run(
        [sys.executable, "-m", "upsample", *argv], capture_output=True, text=True, timeout=300
    )


def test_solve_lists_the_natural_setting_first(capsys):
    assert main(["solve", "64", "128"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == ["4", "2", "1", "0", "1"]


def test_solve_undo(capsys):
    assert main(["solve", "8", "--undo", "-k", "3", "-s", "2", "-p", "1"]) == 0
    assert "output_padding=1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["shape", "conv", "5,5", "-k", "3"], "(3, 3)"),
        (["shape", "conv_transpose", "64", "-k", "4", "-s", "2", "-p", "1"], "128"),
        (["shape", "conv", "7", "-k", "3", "-s", "2", "-p", "same"], "4"),
        (["shape", "max_pool", "5", "-k", "2", "--ceil-mode"], "3"),
        (["shape", "max_unpool", "2", "-k", "2"], "4"),
        (["shape", "interpolate", "7", "--scale-factor", "1.5"], "10"),
    ],
)
def test_shape(argv, expected, capsys):
    assert main(argv) == 0
    assert capsys.readouterr().out.strip() == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["shape", "conv", "5", "-k", "0"],
        ["shape", "conv", "five"],
        ["shape", "interpolate", "5"],
        ["solve", "8"],
        ["shape", "conv_transpose", "4", "-s", "2", "--output-padding", "3"],
        ["shape", "conv", "3", "-k", "5"],  # no output: it printed -1
        ["shape", "max_pool", "1", "-k", "3"],
        ["shape", "max_unpool", "1", "-k", "1", "-p", "2"],
        ["shape", "conv", "1" * 5000],  # more digits than int() takes
    ],
)
def test_bad_input_is_one_line_and_status_2(argv):
    result = run(*argv)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") <= 1 or "usage:" in result.stderr
    assert "error" in result.stderr


# --------------------------------------------------------------------------- explain, animate, tour


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["explain", "conv_transpose", "1 2; 3 4", "--kernel", "5 5; 5 5"], "[ 20 50 30 ]"),
        (
            [
                "explain",
                "conv_transpose",
                "[[1, 2], [3, 4]]",
                "--kernel",
                "[[5, 5], [5, 5]]",
                "--view",
                "zero_insertion",
            ],
            "[ 20 50 30 ]",
        ),
        (
            ["explain", "conv_transpose", "1 2; 3 4", "--kernel", "5 5; 5 5", "--view", "matrix"],
            "[ 20 50 30 ]",
        ),
        (["explain", "conv", "1 2 3; 4 5 6; 7 8 9", "-k", "2"], "[ 24 28 ]"),
        (["explain", "conv", "1 2 3 4 5", "--kernel", "1 -1", "-s", "2"], "[ -1 -1 ]"),
        (["explain", "nearest", "1 2; 3 4", "-f", "2"], "[ 3 3 4 4 ]"),
        (["explain", "bilinear", "10 20; 30 40"], "[   25 27.5 32.5   35 ]"),
        (["explain", "bilinear", "0 4", "--size", "3", "--align-corners"], "[ 0 2 4 ]"),
        (
            ["explain", "interpolate", "0 4", "--size", "3", "--mode", "linear", "--align-corners"],
            "[ 0 2 4 ]",
        ),
        (["explain", "interpolate", "1 2 3 4", "--size", "2", "--mode", "area"], "[ 1.5 3.5 ]"),
        (["explain", "bed_of_nails", "1 2; 3 4"], "[ 3 0 4 0 ]"),
        (["explain", "max_pool", "1 2 4 1; 3 4 2 3; 1 4 1 2; 2 3 4 3", "-k", "2"], "[  9 14 ]"),
        (["explain", "max_unpool", "1 2; 3 4", "--indices", "5 2; 9 14", "-k", "2"], "[ 0 3 0 0 ]"),
        (["explain", "pixel_shuffle", "1 | 2 | 3 | 4", "-f", "2"], "[ 3 4 ]"),
    ],
)
def test_explain_every_op(argv, expected, capsys):
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert expected in out
    assert "step 1/" in out and "result (" in out


def test_explain_covers_every_explainer(capsys):
    from upsample.explain import EXPLAINERS

    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    listed = capsys.readouterr().out
    assert all(name in listed for name in EXPLAINERS)


def test_explain_brief(capsys):
    assert main(["explain", "nearest", "1 2 3", "--brief"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("step ") for line in lines) == 3


def test_parse_array_forms():
    assert parse_array("1 2 3").shape == (3,)
    assert parse_array("1, 2; 3, 4").tolist() == [[1, 2], [3, 4]]
    assert parse_array("1 2\n3 4").shape == (2, 2)
    assert parse_array("1 2; 3 4 | 5 6; 7 8").shape == (2, 2, 2)
    assert parse_array("1.5 -2e1").tolist() == [1.5, -20.0]
    assert parse_array("[[[1]], [[2]]]").shape == (2, 1, 1)
    assert parse_array("1 2").dtype.kind == "i" and parse_array("1 2.0").dtype.kind == "f"


def test_animate_writes_the_gif_and_frames(tmp_path, capsys):
    from PIL import Image

    gif = tmp_path / "steps.gif"
    assert (
        main(
            [
                "animate",
                "conv_transpose",
                "1 2; 3 4",
                "--kernel",
                "5 5; 5 5",
                "-o",
                str(gif),
                "--png-dir",
                str(tmp_path / "frames"),
            ]
        )
        == 0
    )
    assert "6 frames" in capsys.readouterr().out
    with Image.open(gif) as image:
        assert image.n_frames == 6
    assert len(list((tmp_path / "frames").glob("*.png"))) == 6


def test_animate_volume(tmp_path):
    from PIL import Image

    gif = tmp_path / "3d.gif"
    assert (
        main(
            [
                "animate",
                "conv",
                "1 2 3; 4 5 6; 7 8 9 | 9 8 7; 6 5 4; 3 2 1",
                "-k",
                "2",
                "--volume",
                "-o",
                str(gif),
            ]
        )
        == 0
    )
    with Image.open(gif) as image:
        assert image.n_frames == 4 + 2


def test_tour_writes_into_the_current_directory_by_default(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "upsample", "tour", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    out = tmp_path / "upsample-tour"
    assert (out / "index.html").exists() and len(list(out.glob("*.gif"))) >= 10
    assert "wrote" in result.stdout and "step 1/" not in result.stdout  # --quiet


@pytest.mark.parametrize("command", [c.name for c in COMMANDS])
def test_help_everywhere_has_examples(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and f"upsample {command}" in result.stdout


def test_top_level_help_lists_every_subcommand():
    result = run("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command.name in result.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["explain", "conv", "1 2; 3"],  # ragged
        ["explain", "conv", "__import__('os').system('true')"],  # never evaluated
        ["explain", "conv", "[1, 2"],  # broken JSON
        ["explain", "conv", "[1, NaN]"],
        ["explain", "conv", "[1, true]"],
        ["explain", "conv", '["1"]'],
        ["explain", "conv", "1 inf"],
        ["explain", "conv", ""],
        ["explain", "conv", "1 2; 3 4", "--view", "matrix"],  # a flag the op does not take
        ["explain", "conv", "1 2; 3 4", "--kernel", "1 1", "-k", "2"],
        ["explain", "conv", "1 2; 3 4", "-k", "3"],  # kernel larger than the input
        ["explain", "max_unpool", "1 2; 3 4"],  # no indices
        ["explain", "max_unpool", "1 2; 3 4", "--indices", "0.5 1; 2 3"],
        ["explain", "pixel_shuffle", "1 2; 3 4"],
        ["explain", "bed_of_nails", "1 2", "-f", "1.5"],
        ["explain", "teleport", "1 2"],
        ["explain", "conv", " ".join(["1"] * 5000)],  # too large to explain
        ["animate", "nearest", "1 2", "-o", "x.gif", "--scale", "100"],
        ["animate", "nearest", "1 2", "-o", "x.gif", "--volume"],
        ["tour", "--out"],
        ["animate", "nearest", "1 2", "-o", "missing/dir/x.gif"],  # it created the folders
        ["animate", "nearest", "1 2", "-o", "x.gif", "--png-dir", "missing/frames"],
        ["explain", "conv", "1" * 5000],  # 5000 digits
        ["explain", "conv", "[" * 3000 + "]" * 3000],  # RecursionError in json
        ["explain", "conv", "[[1, 10000000000000000000000000000000000000000000000000000]]"],
    ],
)
def test_bad_explain_input_is_one_line_and_status_2(argv, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "upsample", *argv], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "error" in result.stderr
    assert result.stderr.strip().count("\n") == 0 or "usage:" in result.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_json_input_is_never_evaluated(tmp_path):
    marker = tmp_path / "pwned"
    result = run("explain", "conv", f"__import__('pathlib').Path('{marker}').touch()")
    assert result.returncode == 2 and not marker.exists()
    assert np.array_equal(parse_array("[1e2, -3]"), [100.0, -3.0])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["conv", "3", "-k", "5"], "the kernel (5 with dilation) is larger than the padded input"),
        (["max_unpool", "1", "-k", "2", "-p", "1"], "padding 1 leaves no output"),
        (["interpolate", "3", "-f", "0.25"], "scale_factor 0.25 gives an empty output along spatial axis 0"),
    ],
)
def test_shape_names_the_impossible_size(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["shape", *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_solve_with_millions_of_answers_lists_the_first(capsys):
    """1 -> 16384 kept a CPU busy for hours building every setting; now the first ten."""
    assert main(["solve", "1", "16384"]) == 0
    out = capsys.readouterr().out
    assert "... and more (--limit 20" in out and len(out.splitlines()) == 13


def test_the_parser_is_a_leaf_and_the_web_api_does_not_import_the_cli():
    code = (
        "import sys, upsample._parse; a = sorted(m for m in sys.modules if m.startswith('upsample.')); "
        "import upsample.web.api; print(a, 'upsample.cli' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.split("]")[1].strip() == "False", result.stdout + result.stderr
    from upsample import _parse

    source = Path(_parse.__file__).read_text()
    assert "from ." not in source and "import upsample" not in source  # knows no op


def test_parse_errors_are_value_errors_that_argparse_shows():
    import argparse

    from upsample import _parse

    with pytest.raises(_parse.ParseError) as info:
        _parse.parse_array("[[[[[[1]]]]]]")
    assert isinstance(info.value, ValueError) and isinstance(info.value, argparse.ArgumentTypeError)
    assert "nested more than 4 deep" in str(info.value)
    with pytest.raises(_parse.ParseError, match="too long for a number"):
        _parse.parse_array("1" * 5000)
    with pytest.raises(_parse.ParseError, match="expected an integer"):
        _parse.ints("9" * 5000)
    assert _parse.show("\ud800" * 100).isascii() and len(_parse.show("x" * 100)) == _parse.SHOWN
