"""upsample.nn and upsample.optim: layers against torch.nn, PyTorch's initialisation,
the bilinear and ICNR initialisations, training parity with torch.optim, and the
checkerboard overlap map against brute force."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oracle
import upsample
from upsample import nn, optim, shapes

torch = oracle.torch
F = torch.nn.functional

TORCH_CONV = {1: torch.nn.Conv1d, 2: torch.nn.Conv2d, 3: torch.nn.Conv3d}
TORCH_CONV_T = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d, 3: torch.nn.ConvTranspose3d}


def _t(a):
    return torch.tensor(np.asarray(a))


def _to_torch(layer, module):
    """Copy our parameters into a torch module by name (the names agree)."""
    module.load_state_dict({k: _t(v) for k, v in layer.state_dict().items()})
    return module


def _assert_close(ours, theirs, what, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=rtol, atol=atol, err_msg=what)


def _check_layer(layer, module, x, **call):
    """Forward, input gradient and parameter gradients of one layer against torch."""
    tx = _t(x).requires_grad_(True)
    expected = module(tx, **call)
    y = layer(x, **call)
    assert y.shape == tuple(expected.shape) and y.dtype == x.dtype
    _assert_close(y, expected, "forward")
    g = np.random.default_rng(1).standard_normal(y.shape)
    expected.backward(_t(g))
    _assert_close(layer.backward(g), tx.grad, "input gradient")
    theirs = dict(module.named_parameters())
    for name, p in layer.named_parameters().items():
        _assert_close(p.grad, theirs[name].grad, f"gradient of {name}")


# --------------------------------------------------------------------------- layers against torch

LAYER_GRID = [
    # ours, torch, input shape
    (
        lambda: nn.Conv(2, 4, 3, padding=1, dtype=np.float64, rng=0),
        lambda: torch.nn.Conv2d(2, 4, 3, padding=1, dtype=torch.float64),
        (2, 2, 5, 6),
    ),
    (
        lambda: nn.Conv(
            4,
            2,
            (3, 2),
            stride=2,
            dilation=(1, 2),
            groups=2,
            padding_mode="reflect",
            padding=1,
            dtype=np.float64,
            rng=0,
        ),
        lambda: torch.nn.Conv2d(
            4,
            2,
            (3, 2),
            stride=2,
            dilation=(1, 2),
            groups=2,
            padding=1,
            padding_mode="reflect",
            dtype=torch.float64,
        ),
        (1, 4, 7, 7),
    ),
    (
        lambda: nn.Conv(2, 3, 3, bias=False, ndim=1, dtype=np.float64, rng=0),
        lambda: torch.nn.Conv1d(2, 3, 3, bias=False, dtype=torch.float64),
        (3, 2, 8),
    ),
    (
        lambda: nn.Conv(1, 2, 2, ndim=3, dtype=np.float64, rng=0),
        lambda: torch.nn.Conv3d(1, 2, 2, dtype=torch.float64),
        (1, 1, 3, 4, 3),
    ),
    (
        lambda: nn.ConvTranspose(3, 2, 4, stride=2, padding=1, dtype=np.float64, rng=0),
        lambda: torch.nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1, dtype=torch.float64),
        (2, 3, 4, 5),
    ),
    (
        lambda: nn.ConvTranspose(
            4, 6, 3, stride=(2, 3), output_padding=1, groups=2, dilation=1, dtype=np.float64, rng=0
        ),
        lambda: torch.nn.ConvTranspose2d(
            4, 6, 3, stride=(2, 3), output_padding=1, groups=2, dtype=torch.float64
        ),
        (1, 4, 3, 3),
    ),
    (
        lambda: nn.ConvTranspose(2, 2, 3, stride=2, ndim=1, dtype=np.float64, rng=0),
        lambda: torch.nn.ConvTranspose1d(2, 2, 3, stride=2, dtype=torch.float64),
        (2, 2, 5),
    ),
    (
        lambda: nn.Upsample(scale_factor=2, mode="bilinear"),
        lambda: torch.nn.Upsample(scale_factor=2, mode="bilinear"),
        (2, 3, 4, 5),
    ),
    (
        lambda: nn.Upsample(size=(7, 3), mode="nearest"),
        lambda: torch.nn.Upsample(size=(7, 3), mode="nearest"),
        (1, 2, 4, 5),
    ),
    (
        lambda: nn.Upsample(scale_factor=3, mode="bicubic", align_corners=True),
        lambda: torch.nn.Upsample(scale_factor=3, mode="bicubic", align_corners=True),
        (1, 1, 4, 4),
    ),
    (lambda: nn.PixelShuffle(2), lambda: torch.nn.PixelShuffle(2), (2, 8, 3, 4)),
    (lambda: nn.PixelUnshuffle(2), lambda: torch.nn.PixelUnshuffle(2), (2, 2, 4, 6)),
    (lambda: nn.MaxPool(2), lambda: torch.nn.MaxPool2d(2), (2, 3, 6, 7)),
    (
        lambda: nn.MaxPool(3, stride=2, padding=1, ceil_mode=True),
        lambda: torch.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        (1, 2, 7, 6),
    ),
    (lambda: nn.ReLU(), lambda: torch.nn.ReLU(), (2, 3, 4)),
]


@pytest.mark.parametrize("ours, theirs, shape", LAYER_GRID)
def test_layer_matches_torch(ours, theirs, shape, rng):
    layer = ours()
    _check_layer(layer, _to_torch(layer, theirs()), rng.standard_normal(shape))


def test_conv_transpose_output_size_matches_torch(rng):
    layer = nn.ConvTranspose(2, 2, 3, stride=2, padding=1, dtype=np.float64, rng=0)
    module = _to_torch(layer, torch.nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1, dtype=torch.float64))
    _check_layer(layer, module, rng.standard_normal((1, 2, 4, 4)), output_size=(8, 8))


def test_max_unpool_layer_matches_torch(rng):
    x = rng.standard_normal((2, 3, 6, 5))
    pool, unpool = nn.MaxPool(2, return_indices=True), nn.MaxUnpool(2)
    values, indices = pool(x)
    y = unpool(values, indices, output_size=(6, 5))
    t_values, t_indices = F.max_pool2d(_t(x), 2, return_indices=True)
    tv = t_values.clone().requires_grad_(True)
    expected = F.max_unpool2d(tv, t_indices, 2, output_size=(6, 5))
    np.testing.assert_array_equal(indices, t_indices.numpy())
    _assert_close(y, expected, "forward")
    g = rng.standard_normal(y.shape)
    expected.backward(_t(g))
    _assert_close(unpool.backward(g), tv.grad, "input gradient")


def test_sequential_encoder_decoder_matches_torch(rng):
    """Conv, ReLU, pool, unpool by the pool's indices, bilinear, pixel shuffle, transposed conv."""
    pool = nn.MaxPool(2)
    net = nn.Sequential(
        nn.Conv(1, 8, 3, padding=1, dtype=np.float64, rng=0),
        nn.ReLU(),
        pool,
        nn.MaxUnpool(2, indices_from=pool),
        nn.Upsample(scale_factor=2, mode="bilinear"),
        nn.PixelUnshuffle(2),
        nn.BedOfNails(2),
        nn.ConvTranspose(32, 2, 4, stride=2, padding=1, dtype=np.float64, rng=1),
    )

    conv = _to_torch(net[0], torch.nn.Conv2d(1, 8, 3, padding=1, dtype=torch.float64))
    up = _to_torch(net[7], torch.nn.ConvTranspose2d(32, 2, 4, stride=2, padding=1, dtype=torch.float64))

    def torch_net(x):
        h = F.relu(conv(x))
        p, i = F.max_pool2d(h, 2, return_indices=True)
        h = F.max_unpool2d(p, i, 2, output_size=h.shape[2:])
        h = F.pixel_unshuffle(F.interpolate(h, scale_factor=2, mode="bilinear"), 2)
        nails = torch.zeros(*h.shape[:2], h.shape[2] * 2, h.shape[3] * 2, dtype=h.dtype)
        nails[..., ::2, ::2] = h
        return up(nails)

    x = rng.standard_normal((2, 1, 6, 5))
    tx = _t(x).requires_grad_(True)
    expected = torch_net(tx)
    y = net(x)
    _assert_close(y, expected, "forward")
    g = rng.standard_normal(y.shape)
    expected.backward(_t(g))
    _assert_close(net.backward(g), tx.grad, "input gradient")
    for name, p in net.named_parameters().items():
        module, attr = (conv, name[2:]) if name.startswith("0.") else (up, name[2:])
        _assert_close(p.grad, getattr(module, attr).grad, f"gradient of {name}")


def test_float32_layers_stay_float32(rng):
    net = nn.Sequential(nn.Conv(1, 2, 3, padding=1, rng=0), nn.ReLU(), nn.SubPixel(2, 1, 3, 2, rng=0))
    x = rng.standard_normal((1, 1, 4, 4)).astype(np.float32)
    y = net(x)
    assert y.dtype == np.float32 and y.shape == (1, 1, 8, 8)
    assert net.backward(np.ones_like(y)).dtype == np.float32
    assert all(p.value.dtype == p.grad.dtype == np.float32 for p in net.parameters())


def test_backward_accumulates_and_zero_grad_resets(rng):
    layer = nn.Conv(1, 2, 3, dtype=np.float64, rng=0)
    x = rng.standard_normal((1, 1, 5, 5))
    g = rng.standard_normal((1, 2, 3, 3))
    layer(x)
    layer.backward(g)
    once = [p.grad.copy() for p in layer.parameters()]
    layer.backward(g)
    for p, first in zip(layer.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * first)
    layer.zero_grad()
    assert all(not p.grad.any() for p in layer.parameters())


def test_relu_gradient_is_zero_at_zero_like_torch():
    x = np.array([-1.0, 0.0, 0.0, 2.0, np.nan])
    y, pullback = nn._relu_vjp(x)
    tx = _t(x).requires_grad_(True)
    torch.relu(tx).backward(torch.ones(5, dtype=torch.float64))
    np.testing.assert_array_equal(y, torch.relu(_t(x)).numpy())
    np.testing.assert_array_equal(pullback(np.ones(5))[0], tx.grad.numpy())


# --------------------------------------------------------------------------- state


def test_state_dict_names_match_torch_and_round_trip(tmp_path, rng):
    net = nn.Sequential(
        nn.Conv(1, 4, 3, rng=0),
        nn.ReLU(),
        nn.ConvTranspose(4, 1, 4, stride=2, rng=1),
        nn.SubPixel(1, 1, 3, 2, rng=2),
    )
    module = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3),
        torch.nn.ReLU(),
        torch.nn.ConvTranspose2d(4, 1, 4, stride=2),
        torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.PixelShuffle(2)),
    )
    assert list(net.state_dict()) == list(module.state_dict())
    module.load_state_dict({k: _t(v) for k, v in net.state_dict().items()})  # shapes agree

    path = tmp_path / "net.npz"
    net.save(path)
    other = nn.Sequential(
        nn.Conv(1, 4, 3, rng=5),
        nn.ReLU(),
        nn.ConvTranspose(4, 1, 4, stride=2, rng=6),
        nn.SubPixel(1, 1, 3, 2, rng=7),
    )
    other.load(path)
    x = rng.standard_normal((1, 1, 6, 6)).astype(np.float32)
    np.testing.assert_array_equal(other(x), net(x))
    state = net.state_dict()
    state["0.weight"][...] = 99  # a copy: the net is unchanged
    assert not (net[0].weight.value == 99).any()


def test_load_state_dict_refuses_wrong_keys_and_shapes():
    layer = nn.Conv(1, 2, 3, rng=0)
    with pytest.raises(ValueError, match=r"missing \['bias'\]"):
        layer.load_state_dict({"weight": np.zeros((2, 1, 3, 3))})
    with pytest.raises(ValueError, match=r"weight must have shape \(2, 1, 3, 3\)"):
        layer.load_state_dict({"weight": np.zeros((2, 1, 3)), "bias": np.zeros(2)})


def test_bad_arguments_give_clear_errors():
    with pytest.raises(ValueError, match="Conv: in_channels must be >= 1"):
        nn.Conv(0, 1, 3)
    with pytest.raises(ValueError, match=r"Conv: groups \(2\) must divide"):
        nn.Conv(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="ConvTranspose: init must be one of"):
        nn.ConvTranspose(1, 1, 4, init="xavier")
    with pytest.raises(ValueError, match="in_channels == out_channels"):
        nn.ConvTranspose(2, 3, 4, init="bilinear")
    with pytest.raises(TypeError, match="Conv: dtype must be a floating-point dtype"):
        nn.Conv(1, 1, 3, dtype=np.int32)
    with pytest.raises(TypeError, match="Sequential: layer 1 must be an upsample.nn layer"):
        nn.Sequential(nn.ReLU(), lambda x: x)
    with pytest.raises(RuntimeError, match="Conv.backward: call the layer"):
        nn.Conv(1, 1, 3).backward(np.ones((1, 1, 1, 1)))
    with pytest.raises(ValueError, match="MaxUnpool: indices must be given"):
        nn.MaxUnpool(2)(np.ones((1, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"mse_loss: target must have the shape of pred"):
        nn.mse_loss(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="SGD: lr must be >= 0"):
        optim.SGD(nn.Conv(1, 1, 3).parameters(), lr=-1)
    with pytest.raises(ValueError, match="SGD: nesterov must be False unless momentum > 0"):
        optim.SGD(nn.Conv(1, 1, 3).parameters(), lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"Adam: betas\[1\] must be >= 0 and < 1"):
        optim.Adam(nn.Conv(1, 1, 3).parameters(), betas=(0.9, 1.0))
    with pytest.raises(TypeError, match="Adam: params must hold upsample.nn Parameters"):
        optim.Adam([np.zeros(3)])
    with pytest.raises(ValueError, match="conv: stride must be >= 1"):  # checked by the op
        nn.Conv(1, 1, 3, stride=0)(np.ones((1, 1, 5, 5)))


# --------------------------------------------------------------------------- initialisation

INIT_GRID = [
    (lambda rng: nn.Conv(16, 32, 3, rng=rng), lambda: torch.nn.Conv2d(16, 32, 3)),
    (lambda rng: nn.Conv(6, 30, 5, groups=3, ndim=1, rng=rng), lambda: torch.nn.Conv1d(6, 30, 5, groups=3)),
    (
        lambda rng: nn.ConvTranspose(32, 8, 4, stride=2, rng=rng),
        lambda: torch.nn.ConvTranspose2d(32, 8, 4, stride=2),
    ),
    (
        lambda rng: nn.ConvTranspose(4, 40, (2, 3, 2), groups=4, rng=rng),
        lambda: torch.nn.ConvTranspose3d(4, 40, (2, 3, 2), groups=4),
    ),
]


def _ks_uniform(sample, bound):
    """Kolmogorov-Smirnov distance between a sample and U(-bound, bound)."""
    x = np.sort(sample.astype(np.float64))
    cdf = (x + bound) / (2 * bound)
    n = len(x)
    return max((np.arange(1, n + 1) / n - cdf).max(), (cdf - np.arange(n) / n).max())


@pytest.mark.parametrize("ours, theirs", INIT_GRID)
def test_default_init_has_torchs_distribution(ours, theirs):
    """Both ours and torch's draws pass a KS test for U(-b, b), b = 1/sqrt(fan_in), same dtype."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    layers = [ours(rng) for _ in range(50)]
    modules = [theirs() for _ in range(50)]
    bound = 1 / math.sqrt(nn.fan_in(layers[0].weight.shape))
    for name in ("weight", "bias"):
        mine = np.concatenate([getattr(layer, name).value.ravel() for layer in layers])
        them = np.concatenate([getattr(m, name).detach().numpy().ravel() for m in modules])
        assert mine.shape == them.shape and mine.dtype == them.dtype == np.float32
        for sample in (mine, them):
            assert np.abs(sample).max() <= bound
            assert _ks_uniform(sample, bound) < 1.95 / math.sqrt(sample.size)  # 0.1% level
        # a slightly different bound (another fan-in) is detected at these sample sizes
        assert _ks_uniform(mine, bound * 0.8) > 1.95 / math.sqrt(mine.size) or mine.size < 1000


def test_rng_makes_init_reproducible():
    a, b, c = nn.Conv(2, 3, 3, rng=7), nn.Conv(2, 3, 3, rng=7), nn.Conv(2, 3, 3, rng=8)
    np.testing.assert_array_equal(a.weight.value, b.weight.value)
    assert not np.array_equal(a.weight.value, c.weight.value)


@pytest.mark.parametrize(
    "stride, nd, channels, groups",
    [(2, 2, 3, 1), (2, 2, 3, 3), (3, 2, 1, 1), (2, 1, 2, 1), (4, 1, 1, 1), (2, 3, 1, 1)],
)
def test_bilinear_init_is_bilinear_upsampling_in_the_interior(stride, nd, channels, groups, rng):
    k = 2 * stride - stride % 2
    p = math.ceil((stride - 1) / 2)
    layer = nn.ConvTranspose(
        channels,
        channels,
        k,
        stride=stride,
        padding=p,
        groups=groups,
        ndim=nd,
        init="bilinear",
        dtype=np.float64,
    )
    x = rng.standard_normal((2, channels, *(5,) * nd))
    y = layer(x)
    expected = upsample.bilinear(x, stride)
    assert y.shape == expected.shape
    inner = (..., *(slice(stride, -stride),) * nd)  # the outermost input pixel sees zero padding
    np.testing.assert_allclose(y[inner], expected[inner], rtol=1e-12, atol=1e-12)
    assert not np.allclose(y, expected)  # ... and only there does it differ
    edge = (..., *(slice(1, -1),) * nd)
    np.testing.assert_allclose(layer(np.ones_like(x))[edge] if stride == 2 else 1, 1)


def test_bilinear_kernel_matches_torch_interpolation_on_a_ramp():
    # an independent check of the tent kernel: a linear ramp is reproduced exactly inside
    x = np.arange(6.0).reshape(1, 1, 6)
    layer = nn.ConvTranspose(1, 1, 4, stride=2, padding=1, ndim=1, init="bilinear", dtype=np.float64)
    expected = F.interpolate(_t(x), scale_factor=2, mode="linear").numpy()
    np.testing.assert_array_equal(layer(x)[..., 1:-1], expected[..., 1:-1])


def test_icnr_sub_pixel_starts_as_conv_then_nearest(rng):
    layer = nn.SubPixel(2, 3, 3, 2, dtype=np.float64, rng=0)
    conv = layer[0]
    x = rng.standard_normal((2, 2, 5, 4))
    sub_w, sub_b = conv.weight.value[::4], conv.bias.value[::4]
    expected = upsample.nearest(upsample.conv(x, sub_w, sub_b, padding="same"), 2)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-13, atol=1e-14)
    # every group of r*r output channels is one sub-kernel, drawn with torch's bound
    np.testing.assert_array_equal(conv.weight.value, np.repeat(sub_w, 4, axis=0))
    assert np.abs(sub_w).max() <= 1 / math.sqrt(nn.fan_in(conv.weight.shape))
    # the default init draws every kernel independently
    assert not np.array_equal(*nn.SubPixel(1, 1, 3, 2, init="default", rng=0)[0].weight.value[:2])


# --------------------------------------------------------------------------- loss and optimizers


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_loss_matches_torch(reduction, rng):
    pred, target = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))
    tp = _t(pred).requires_grad_(True)
    expected = F.mse_loss(tp, _t(target), reduction=reduction)
    expected.backward()
    loss, grad = nn.mse_loss(pred, target, reduction=reduction)
    np.testing.assert_allclose(loss, expected.item(), rtol=1e-13)
    np.testing.assert_allclose(grad, tp.grad.numpy(), rtol=1e-13)
    assert nn.mse_loss(pred.astype(np.float32), target.astype(np.float32))[1].dtype == np.float32


OPTIMIZERS = [
    (lambda p: optim.SGD(p, lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-2),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-2),
    ),
    (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.8, weight_decay=1e-3, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, weight_decay=1e-3, nesterov=True),
    ),
    (lambda p: optim.Adam(p, lr=1e-2), lambda p: torch.optim.Adam(p, lr=1e-2)),
    (
        lambda p: optim.Adam(p, lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2, amsgrad=True),
        lambda p: torch.optim.Adam(p, lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2, amsgrad=True),
    ),
    (
        lambda p: optim.AdamW(p, lr=1e-2, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1),
    ),
    # the default weight decay: 0.01 for AdamW, none for Adam
    (lambda p: optim.AdamW(p, lr=1e-1), lambda p: torch.optim.AdamW(p, lr=1e-1)),
]


@pytest.mark.parametrize("ours, theirs", OPTIMIZERS)
def test_training_steps_match_torch(ours, theirs, rng):
    """A few steps of Conv -> ReLU -> ConvTranspose give torch's parameters, float64."""
    net = nn.Sequential(
        nn.Conv(1, 4, 3, padding=1, dtype=np.float64, rng=0),
        nn.ReLU(),
        nn.ConvTranspose(4, 1, 4, stride=2, padding=1, dtype=np.float64, rng=1),
    )
    module = _to_torch(
        net,
        torch.nn.Sequential(
            torch.nn.Conv2d(1, 4, 3, padding=1, dtype=torch.float64),
            torch.nn.ReLU(),
            torch.nn.ConvTranspose2d(4, 1, 4, stride=2, padding=1, dtype=torch.float64),
        ),
    )
    opt, t_opt = ours(net.parameters()), theirs(module.parameters())
    for step in range(6):
        x, target = rng.standard_normal((3, 1, 5, 5)), rng.standard_normal((3, 1, 10, 10))
        opt.zero_grad()
        loss, grad = nn.mse_loss(net(x), target)
        net.backward(grad)
        opt.step()
        t_opt.zero_grad()
        t_loss = F.mse_loss(module(_t(x)), _t(target))
        t_loss.backward()
        t_opt.step()
        np.testing.assert_allclose(loss, t_loss.item(), rtol=1e-10)
        for name, value in net.state_dict().items():
            np.testing.assert_allclose(
                value,
                module.state_dict()[name].numpy(),
                rtol=1e-10,
                atol=1e-13,
                err_msg=f"{name} after step {step}",
            )


def test_learning_rate_is_a_plain_attribute():
    p = nn.Parameter(np.array([1.0]))
    p.grad[...] = 1.0
    opt = optim.SGD([p], lr=0.5)
    opt.lr = 0.25
    opt.step()
    np.testing.assert_array_equal(p.value, [0.75])


# --------------------------------------------------------------------------- checkerboard overlap


def _brute_overlap(k, s, d, size, padding=0, output_padding=0):
    ones = np.ones((1, 1, *size))
    return upsample.conv_transpose(
        ones, np.ones((1, 1, *k)), stride=s, dilation=d, padding=padding, output_padding=output_padding
    )[0, 0]


def test_overlap_map_golden_values():
    assert shapes.overlap_map(3, 2) == (2, 1)  # uneven: alternates, a checkerboard
    assert shapes.overlap_map(4, 2) == (2, 2)  # k a multiple of s: flat
    assert shapes.overlap_map(3, 2, padding=1) == (1, 2)
    assert shapes.overlap_map(1, 2) == (1, 0)  # k < s leaves holes (bed of nails)
    assert shapes.overlap_map((3, 4), 2) == ((4, 4), (2, 2))
    assert shapes.overlap_map(3, 3, dilation=2) == (1, 1, 1)  # dilation spreads the taps


@settings(max_examples=60, deadline=None)
@given(nd=st.integers(1, 2), data=st.data())
def test_overlap_map_equals_transposed_conv_of_ones(nd, data):
    k = tuple(data.draw(st.integers(1, 5)) for _ in range(nd))
    s = tuple(data.draw(st.integers(1, 4)) for _ in range(nd))
    d = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    size = tuple(data.draw(st.integers(1, 5)) for _ in range(nd))
    pad = tuple(data.draw(st.integers(0, (dd * (kk - 1)) // 2)) for kk, dd in zip(k, d))
    out_pad = tuple(data.draw(st.integers(0, max(ss, dd) - 1)) for ss, dd in zip(s, d))
    expected = _brute_overlap(k, s, d, size, pad, out_pad)
    counts = np.array(shapes.overlap_map(k, s, d, size=size, padding=pad, output_padding=out_pad))
    np.testing.assert_array_equal(counts, expected)
    # the periodic form is the interior of the full map
    period = np.array(shapes.overlap_map(k, s, d, padding=pad))
    big = np.array(
        shapes.overlap_map(k, s, d, size=tuple(3 * kk * dd + 3 for kk, dd in zip(k, d)), padding=pad)
    )
    start = tuple(-(-(dd * (kk - 1)) // ss) * ss for kk, ss, dd in zip(k, s, d))
    window = big[tuple(slice(st_, st_ + ss) for st_, ss in zip(start, s))]
    np.testing.assert_array_equal(window, period)


def test_overlap_map_errors():
    with pytest.raises(ValueError, match="overlap_map: stride must be >= 1"):
        shapes.overlap_map(3, 0)
    with pytest.raises(ValueError, match="overlap_map: output_padding"):
        shapes.overlap_map(3, 2, output_padding=2)
