"""Real photographs for training and evaluation, read offline from scikit-image's own files.

scikit-image ships a set of test images inside its wheel (``skimage/data/*.png``);
``skimage.data.<name>()`` reads them from disk. Only images that ship in the wheel are
listed here: none of them needs a download (some other ``skimage.data`` images do,
through pooch, and are not used). scikit-image is the ``images`` extra::

    pip install -e ".[images]"      # in the upsample clone

Every image comes back as one channel of luminance, ``Y' = 0.299 R + 0.587 G + 0.114 B``
(ITU-R BT.601, as Pillow's ``convert("L")``) on the stored sRGB values, float32 in [0, 1],
cropped to even height and width so that it halves exactly.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MissingDependency", "PHOTOS", "TRAIN", "HELD_OUT", "load", "downscale"]


class MissingDependency(ImportError):
    """An optional dependency is not installed; the message says how to install it."""


#: name -> the ``skimage.data`` function that reads it (from the installed wheel)
PHOTOS = {
    "astronaut": "astronaut",
    "chelsea": "chelsea",
    "coffee": "coffee",
    "rocket": "rocket",
    "brick": "brick",
    "grass": "grass",
    "gravel": "gravel",
    "camera": "camera",
    "coins": "coins",
    "motorcycle": "stereo_motorcycle",  # the left view of a stereo pair
}
# Not "moon": every 2x2 block of it is constant (it was enlarged by pixel repetition), so
# nearest-neighbour upsampling recovers it exactly and its PSNR is infinite.

#: the photographs the learned upsamplers see while training ...
TRAIN = ("astronaut", "chelsea", "coffee", "rocket", "brick", "grass")
#: ... and the different ones they are scored on: three scenes and a texture
HELD_OUT = ("camera", "coins", "motorcycle", "gravel")

_LUMA = np.array([0.299, 0.587, 0.114])


def _skimage_data():
    try:
        import skimage.data
    except ImportError:
        raise MissingDependency(
            "the photographs come from scikit-image, which is not installed: "
            'pip install -e ".[images]" in the upsample clone'
        ) from None
    return skimage.data


def load(name: str) -> np.ndarray:
    """One photograph as (H, W) float32 luminance in [0, 1], H and W even.

    >>> load("camera").shape, load("camera").dtype
    ((512, 512), dtype('float32'))
    """
    if name not in PHOTOS:
        raise ValueError(f"images.load: name must be one of {', '.join(map(repr, PHOTOS))}, got {name!r}")
    image = getattr(_skimage_data(), PHOTOS[name])()
    if isinstance(image, tuple):  # stereo_motorcycle: (left, right, disparity)
        image = image[0]
    image = np.asarray(image, dtype=np.float64) / 255.0
    if image.ndim == 3:  # (H, W, RGB) -> (H, W)
        image = image[..., :3] @ _LUMA
    h, w = image.shape
    return np.ascontiguousarray(image[: h - h % 2, : w - w % 2], dtype=np.float32)


def downscale(image: np.ndarray) -> np.ndarray:
    """Halve (..., H, W) by averaging each 2x2 block (area downsampling).

    >>> downscale(np.arange(16.0).reshape(4, 4))
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    *lead, h, w = image.shape
    blocks = image.reshape(*lead, h // 2, 2, w // 2, 2)  # (..., H/2, 2, W/2, 2)
    return blocks.mean(axis=(-3, -1), dtype=np.float64).astype(image.dtype)
