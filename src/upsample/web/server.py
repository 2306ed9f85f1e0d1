"""The web server of ``upsample serve``: a Starlette app, a list of routes, run by uvicorn.

Routes:

* ``GET /``: the page (``static/index.html``), ``GET /static/...``: its script and style;
* ``GET /api/ops``: every op's controls, presets and the size limits, as data;
* ``POST /api/explain``: one op on the page's example, answered by
  :func:`upsample.web.api.explain_request`;
* ``POST /api/solve``: conv_transpose settings mapping one size to another.

Bad input is answered 422 with ``{"error": message, "field": name}``, a body over
``api.LIMITS["body_bytes"]`` 413, malformed JSON 400; nothing a user sends is evaluated.
The command's arguments (:func:`configure`) import nothing heavy; :func:`run` imports
the app and uvicorn.
Starlette and uvicorn are the optional ``web`` extra: ``pip install -e ".[web]"`` in the clone.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import webbrowser
from pathlib import Path
from typing import Any

__all__ = ["create_app", "configure", "run", "STATIC"]

STATIC = Path(__file__).parent / "static"

_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # everything the page needs is served from here: no CDN, no inline script
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'",
}


class _TooLarge(Exception):
    pass


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


async def _json_body(request, limit: int) -> Any:
    """The request's JSON, read at most ``limit`` bytes far."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _TooLarge
    return json.loads(bytes(body).decode("utf-8"), parse_constant=_reject_constant)


def create_app():
    """The Starlette application (``upsample.web.server.create_app()`` for any ASGI server)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import FileResponse, JSONResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from .api import LIMITS, RequestError, explain_request, ops_description, solve_request

    def answer(content: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(content, status_code=status, headers=_HEADERS)

    def handler(compute):
        async def endpoint(request):
            try:
                data = await _json_body(request, LIMITS["body_bytes"])
            except _TooLarge:
                return answer({"error": f"the request is larger than {LIMITS['body_bytes'] // 1024} KB",
                               "field": None}, 413)
            except (ValueError, UnicodeDecodeError) as error:
                return answer({"error": f"the request is not valid JSON ({error})", "field": None}, 400)
            except RecursionError:
                return answer({"error": "the request is not valid JSON (nested too deeply)", "field": None},
                              400)
            try:
                return answer(await run_in_threadpool(compute, data))
            except RequestError as error:
                return answer({"error": str(error), "field": error.field}, 422)
        return endpoint

    async def index(request):
        return FileResponse(STATIC / "index.html", headers=_HEADERS)

    async def ops(request):
        return answer(ops_description())

    routes = [
        Route("/", index),
        Route("/api/ops", ops),
        Route("/api/explain", handler(explain_request), methods=["POST"]),
        Route("/api/solve", handler(solve_request), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes)


# --------------------------------------------------------------------------- the command

def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``upsample serve``."""
    parser.add_argument("--port", type=int, default=8000,
                        help="port to listen on (default 8000; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1, this machine only)")
    parser.add_argument("--open", action="store_true", help="open the page in a web browser")


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; prints the URL (the real port when ``--port 0``)."""
    from ..cli import UsageError

    try:
        import uvicorn
        import starlette  # noqa: F401
    except ModuleNotFoundError as error:
        raise UsageError(f"{error.name} is missing; the web page needs "
                         f"pip install -e \".[web]\" in the upsample clone") from None
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}")
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as error:
        sock.close()
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
    sock.listen(128)                      # connections wait in the backlog until uvicorn runs
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    url = f"http://{shown}:{port}/"
    print(f"upsample serve: {url}  (Ctrl+C stops it)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("upsample serve: listening beyond this machine; anyone who can reach it can use it",
              file=sys.stderr)
    if args.open:
        webbrowser.open(url)
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", lifespan="off"))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
