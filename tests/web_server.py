"""A real `upsample serve` server for the tests: uvicorn in a thread on a free 127.0.0.1 port.

Started and stopped by the test that uses it (torn down on failure too); every wait is
bounded. Under CI a missing starlette or uvicorn fails the test; elsewhere it skips.
"""

import contextlib
import socket
import threading
import time

import required


def need(*modules):
    """Import the modules, or fail under CI / skip elsewhere when one is missing."""
    return required.modules(*modules)


@contextlib.contextmanager
def running_server(timeout: float = 15.0, **app_options):
    """Yield the base URL of a live server (``app_options`` go to ``create_app``); stop it
    (bounded) when the block ends."""
    (uvicorn,) = need("uvicorn")
    need("starlette")
    from upsample.web.server import create_app, server_config

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    port = sock.getsockname()[1]
    server = uvicorn.Server(server_config(create_app(**app_options)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
