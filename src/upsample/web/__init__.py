"""``upsample serve``: every op live in the browser, computed by ``upsample.explain``.

The server (:mod:`upsample.web.server`, Starlette on uvicorn: ``pip install
-e ".[web]"``) answers a small JSON API built in :mod:`upsample.web.api`, which calls
the library's own ``explain`` functions and returns their step records; the page in
``static/`` (plain HTML, CSS and JavaScript, no build step) only draws them.
:mod:`upsample.web.code` writes the PyTorch, TensorFlow, JAX and upsample lines that
reproduce what the page shows.
"""
