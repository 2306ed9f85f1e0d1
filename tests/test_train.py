"""The learned upsampler on photographs: offline data, the training run, its outputs and
the command line, all at tiny settings (a few seconds)."""

import json
import socket
import subprocess
import sys

import numpy as np
import pytest

import required
import upsample
from upsample import cli, images, nn, train

required.module("skimage")

TINY = dict(steps=3, batch=2, patch=16, train_images=("brick",), test_images=("coins",))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("train")
    return train.run(**TINY, out=out), out


# --------------------------------------------------------------------------- data


def test_every_photograph_loads_with_the_network_blocked(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for name in images.PHOTOS:
        photo = images.load(name)
        assert photo.dtype == np.float32 and photo.ndim == 2
        assert photo.shape[0] % 2 == 0 and photo.shape[1] % 2 == 0 and min(photo.shape) >= 256
        assert 0 <= photo.min() < photo.max() <= 1
        assert len(np.unique(photo)) > 64  # a photograph, not a chart
        blocks = photo.reshape(photo.shape[0] // 2, 2, photo.shape[1] // 2, 2)
        assert blocks.std(axis=(1, 3)).mean() > 1e-3  # not pixel-doubled (moon is)
    assert not set(images.TRAIN) & set(images.HELD_OUT)


def test_luminance_of_a_colour_photograph():
    import skimage.data

    rgb = skimage.data.coffee().astype(np.float64) / 255
    expected = rgb @ [0.299, 0.587, 0.114]
    np.testing.assert_allclose(images.load("coffee"), expected[:400, :600], rtol=1e-6)


def test_downscale_is_area_interpolation(rng):
    x = rng.random((3, 8, 6)).astype(np.float32)
    expected = upsample.interpolate(x[:, None], scale_factor=0.5, mode="area")[:, 0]
    np.testing.assert_allclose(images.downscale(x), expected, rtol=1e-6)
    assert images.downscale(x).dtype == np.float32


def test_missing_scikit_image_is_one_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "skimage", None)  # makes `import skimage` fail
    monkeypatch.setitem(sys.modules, "skimage.data", None)
    with pytest.raises(images.MissingDependency, match=r'pip install -e "\.\[images\]"'):
        images.load("camera")
    assert cli.main(["train", "--steps", "1", "--out", str(tmp_path), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ".[images]" in err and "Traceback" not in err


def test_importing_train_loads_no_optional_dependency():
    code = (
        "import sys, upsample.train, upsample.nn, upsample.optim; "
        "print(sorted(m for m in ('PIL', 'rich', 'skimage', 'torch') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --------------------------------------------------------------------------- scoring


def test_psnr_by_hand():
    truth = np.zeros((20, 20))
    pred = np.full((20, 20), 0.01)
    pred[:4] = 1.0  # inside the shaved border: ignored
    assert train.psnr(pred, truth) == pytest.approx(40.0)
    assert train.psnr(pred, truth, shave=0) < 40.0
    assert train.psnr(np.full((20, 20), 2.0), np.ones((20, 20))) == np.inf  # clipped to 1


def test_initialised_designs_score_exactly_as_what_they_start_from():
    """Before training, bilinear-initialised k4 IS bilinear and bicubic-initialised k8 IS
    bicubic, apart from the shaved border where they see zero padding."""
    result = train.run(**{**TINY, "steps": 0}, designs=["transpose_k4_bilinear", "transpose_k8_bicubic"])
    for design, baseline in [("transpose_k4_bilinear", "bilinear"), ("transpose_k8_bicubic", "bicubic")]:
        assert result.mean_psnr(design) == pytest.approx(result.mean_psnr(baseline), abs=1e-3)
        np.testing.assert_allclose(result.kernels[design], result.kernels[baseline], atol=1e-6)


def test_training_lowers_the_loss_and_raises_psnr():
    settings = {**TINY, "steps": 150, "batch": 4, "patch": 24}
    before = train.run(**{**settings, "steps": 0}, designs=["transpose_k4_random"])
    after = train.run(**settings, designs=["transpose_k4_random"])
    losses = after.losses["transpose_k4_random"]
    assert np.mean(losses[-20:]) < 0.5 * np.mean(losses[:20])
    assert after.mean_psnr("transpose_k4_random") > before.mean_psnr("transpose_k4_random") + 3


def test_a_design_does_not_depend_on_the_others():
    alone = train.run(**TINY, designs=["sub_pixel"])
    together = train.run(**TINY, designs=["transpose_k3_random", "sub_pixel"])
    weights = alone.models["sub_pixel"][0].weight.value
    np.testing.assert_array_equal(together.models["sub_pixel"][0].weight.value, weights)
    assert alone.psnr["sub_pixel"] == together.psnr["sub_pixel"]
    other_seed = train.run(**TINY, designs=["sub_pixel"], seed=1)
    assert not np.array_equal(other_seed.models["sub_pixel"][0].weight.value, weights)


def test_periodic_error_measures():
    ramp_high, ramp_low = train._ramp()
    bilinear = train.BASELINES["bilinear"][1]
    nearest = train.BASELINES["nearest"][1]
    assert train._pattern(train.ramp_error(bilinear)) < 1e-6  # bilinear is exact on a ramp
    assert train._pattern(train.ramp_error(nearest)) > 1e-3  # nearest makes steps
    checker = np.tile([[1.0, 0.0], [0.0, 0.0]], (8, 8))
    rmse = train._phase_rmse(checker, np.zeros_like(checker))
    np.testing.assert_allclose(rmse, [[1, 0], [0, 0]])


# --------------------------------------------------------------------------- outputs


def test_run_writes_json_png_and_models(tiny):
    result, out = tiny
    report = json.loads((out / "psnr.json").read_text())
    methods = report["methods"]
    assert list(methods) == [*train.BASELINES, *[d for d, v in train.DESIGNS.items() if v.default]]
    for name, entry in methods.items():
        assert entry["mean_psnr"] == pytest.approx(result.mean_psnr(name), abs=1e-4)
        assert set(entry["psnr"]) == {"coins"}
        assert entry["learned"] == (name in train.DESIGNS)
    assert report["overlap_maps"] == {"k3 s2 p1": [[1, 2], [2, 4]], "k4 s2 p1": [[4, 4], [4, 4]]}

    from PIL import Image

    with Image.open(out / "report.png") as png:
        assert png.width == 1320 and png.height > 800

    for name, model in result.models.items():  # each model reloads exactly
        fresh = train.DESIGNS[name].build(np.random.default_rng(99))
        fresh.load(out / f"{name}.npz")
        x = images.downscale(images.load("coins"))[None, None, :40, :40]
        np.testing.assert_array_equal(fresh(x), model(x))


def test_baseline_scores_are_the_interpolations(tiny):
    result, _ = tiny
    truth = images.load("coins")
    low = images.downscale(truth)[None, None]
    for mode in ("nearest", "bilinear", "bicubic"):
        pred = upsample.interpolate(low, scale_factor=2, mode=mode)[0, 0]
        assert result.psnr[mode]["coins"] == pytest.approx(train.psnr(pred, truth))
    assert result.mean_psnr("nearest") < result.mean_psnr("bilinear") < result.mean_psnr("bicubic")


def test_table_and_checkerboard_text(tiny):
    result, _ = tiny
    table = result.table().splitlines()
    assert table[0].startswith("| method | parameters | mean PSNR (dB) | vs bilinear | coins |")
    assert len(table) == 2 + len(result.psnr)
    assert "| bilinear | fixed |" in result.table() and "+0.00" in result.table()
    text = result.checkerboard()
    assert "k3 s2 p1:  1 2 / 2 4   uneven overlap: checkerboard" in text
    assert "k4 s2 p1:  4 4 / 4 4   even overlap" in text


def test_progress_bar_runs(capsys):
    train.run(**{**TINY, "steps": 2}, designs=["transpose_k4_bilinear"], progress=True)
    assert "transpose conv k4 s2" in capsys.readouterr().out


def test_bad_settings_are_clear_errors():
    with pytest.raises(ValueError, match="train: designs must be among"):
        train.run(**TINY, designs=["unet"])
    with pytest.raises(ValueError, match="train: the training and test images must differ"):
        train.run(**{**TINY, "test_images": ("brick",)})
    with pytest.raises(ValueError, match="train: patch must be even"):
        train.run(**{**TINY, "patch": 17})
    with pytest.raises(ValueError, match="train: images must be among"):
        train.run(**{**TINY, "test_images": ("moon",)})
    with pytest.raises(TypeError, match="train: steps must be an integer"):
        train.run(**{**TINY, "steps": 1.5})
    with pytest.raises(ValueError, match="train: lr must be a finite number > 0"):
        train.run(**TINY, lr=0.0)


def test_command_line(tmp_path, capsys):
    code = cli.main(
        [
            "train",
            "--steps",
            "2",
            "--batch",
            "2",
            "--patch",
            "16",
            "--designs",
            "transpose_k4_bilinear,transpose_k3_random",
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "| transpose conv k3 s2, random init | 10 |" in out
    assert "uneven overlap: checkerboard" in out
    assert (tmp_path / "psnr.json").exists() and (tmp_path / "report.png").exists()
    assert set(json.loads((tmp_path / "psnr.json").read_text())["settings"]["lr"]) == {
        "transpose_k4_bilinear",
        "transpose_k3_random",
    }
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "--designs", "unet", "--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert "upsample: error: train: designs must be among" in capsys.readouterr().err


def test_the_nonlinear_design_trains(tmp_path):
    result = train.run(**{**TINY, "steps": 2}, designs=["cnn_sub_pixel"])
    assert result.parameters["cnn_sub_pixel"] == sum(
        p.value.size for p in result.models["cnn_sub_pixel"].parameters()
    )
    assert isinstance(result.models["cnn_sub_pixel"], nn.Sequential)
