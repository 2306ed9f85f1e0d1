"""Drop-in calls: each framework's own resize signature, computed by upsample.

Each module maps one framework's call onto :func:`upsample.interpolate` (or
:func:`upsample.pixel_shuffle`) and a row of :data:`upsample.conventions.CONVENTIONS`, and
owns nothing else. None of them imports the framework it imitates.

* :mod:`upsample.compat.cv2`: ``resize`` and the ``INTER_*`` constants (OpenCV);
* :mod:`upsample.compat.pillow`: ``resize`` on the arrays of Pillow's modes L, RGB(A), I;16, F;
* :mod:`upsample.compat.tf`: ``image.resize``, ``image.resize_with_pad``,
  ``compat.v1.image.resize_*``, ``nn.depth_to_space`` and ``nn.space_to_depth`` (TensorFlow);
* :mod:`upsample.compat.jax`: ``image.resize`` and ``image.scale_and_translate`` (JAX);
* ``upsample.compat._onnx_resize``: ONNX Resize (opsets 10-19) and Upsample nodes, run by
  ``upsample.compat.onnx.run_node``.

See ``docs/compat.md`` for examples and ``docs/conventions.md`` for what each one reproduces.
"""
