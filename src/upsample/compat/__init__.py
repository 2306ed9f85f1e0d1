"""Drop-in modules: each framework's own call, mapped onto upsample's ops.

Each module maps one framework's signature onto an op (:func:`upsample.interpolate`,
:func:`upsample.conv`, ...) and, for resizing, a row of
:data:`upsample.conventions.CONVENTIONS`, and owns nothing else. None of them imports the
framework it imitates.

* :mod:`upsample.compat.cv2`: ``resize`` and the ``INTER_*`` constants (OpenCV);
* :mod:`upsample.compat.pillow`: ``resize`` on the arrays of Pillow's modes L, RGB(A), I;16, F;
* :mod:`upsample.compat.tf`: ``image.resize``, ``image.resize_with_pad``,
  ``compat.v1.image.resize_*``, ``nn.depth_to_space`` and ``nn.space_to_depth`` (TensorFlow);
* :mod:`upsample.compat.jax`: ``image.resize`` and ``image.scale_and_translate`` (JAX);
* :mod:`upsample.compat.torch`: ``nn.functional``'s interpolate, upsample*, conv*,
  conv_transpose*, max_pool*, avg_pool*, max_unpool*, pixel_(un)shuffle, unbatched forms too;
* :mod:`upsample.compat.onnx`: ``run_node`` for Resize, Upsample, Conv, ConvTranspose,
  MaxPool, MaxUnpool, DepthToSpace and SpaceToDepth nodes.

See ``docs/compat.md`` and ``docs/compat-torch-onnx.md`` for examples and ``docs/conventions.md`` for what each one reproduces.
"""
