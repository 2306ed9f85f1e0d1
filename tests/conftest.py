"""Shared test setup. Under CI the PyTorch oracle must be importable: a missing torch is a failure,
never a silent skip."""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests import reference.py and oracle.py as modules

if os.environ.get("CI"):
    import onnx  # noqa: F401  -- the second oracle must be there too
    import skimage  # noqa: F401  -- and the photographs the training tests use
    import torch  # noqa: F401  -- fails the whole run loudly if the oracle is missing
    import cv2  # noqa: F401  -- and the other frameworks whose conventions are tested
    import PIL  # noqa: F401
    import jax  # noqa: F401  -- the layout oracles: lax.conv_transpose, conv_general_dilated
    import keras  # noqa: F401  -- Keras' Conv*D, Conv*DTranspose, DepthwiseConv*D, UpSampling*D
    import tensorflow  # noqa: F401  -- tf.nn.conv_transpose, depth_to_space, max_pool_with_argmax


@pytest.fixture
def rng():
    return np.random.default_rng(0)
