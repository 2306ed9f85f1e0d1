"""The web server of ``upsample serve``: a Starlette app, a list of routes, run by uvicorn.

Routes:

* ``GET /``: the page (``static/index.html``), ``GET /static/...``: its script and style;
* ``GET /api/ops``: every op's controls, presets and the size limits, as data;
* ``POST /api/explain``: one op on the page's example, answered by
  :func:`upsample.web.api.explain_request`;
* ``POST /api/solve``: conv_transpose settings mapping one size to another.

What a client can send never gets a 500 (``docs/server-limits.md`` lists every limit):
bad input is answered 422 with ``{"error": message, "field": name}``, malformed JSON 400,
a body over ``api.LIMITS["body_bytes"]`` 413, a POST that is not ``application/json``
415 (a cross-site form cannot send JSON without asking), a ``Host`` the server does not
answer to 421 (DNS rebinding), a body that takes longer than :data:`BODY_SECONDS` 408.
At most :data:`COMPUTATIONS` requests compute at once, on threads of their own, and
:data:`WAITING` more wait; beyond that, or past the :data:`BUDGET` seconds a request may
take, the answer is 503 with ``Retry-After``. The page, its files and ``/api/ops`` are
bytes in memory, answered on the event loop, so computations never hold them up; the
answers are serialised on the computing threads. Those threads are daemons: SIGTERM or
Ctrl-C stops the server within :data:`STOP_SECONDS` however busy it is.
The command's arguments (:func:`configure`) import nothing heavy; :func:`run` imports
the app and uvicorn.
Starlette and uvicorn are the optional ``web`` extra: ``pip install -e ".[web]"`` in the clone.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import mimetypes
import os
import queue
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .._parse import UsageError

__all__ = [
    "create_app",
    "configure",
    "run",
    "STATIC",
    "COMPUTATIONS",
    "WAITING",
    "BUDGET",
    "BODY_SECONDS",
    "HEAD_SECONDS",
    "STOP_SECONDS",
    "CONNECTIONS",
]

STATIC = Path(__file__).parent / "static"

#: Requests computing at once (each on its own thread), and how many more may wait.
COMPUTATIONS = max(2, min(8, os.cpu_count() or 2))
WAITING = 4 * COMPUTATIONS
#: Seconds one computing request may take, waiting included, before a 503.
BUDGET = 15.0
#: Seconds a client has to send a request's headers, and then its body.
HEAD_SECONDS = 10.0
BODY_SECONDS = 10.0
#: Open connections (and requests in progress) before uvicorn answers 503 itself.
CONNECTIONS = 256
#: Seconds the server waits for requests in progress once told to stop.
STOP_SECONDS = 2

_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    # everything the page needs is served from here: no CDN, no inline script
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'",
}

#: Host names every server answers to; ``run`` adds the address it is bound to.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class _TooLarge(Exception):
    pass


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _dump(content: Any) -> bytes:
    """JSON bytes; a lone surrogate (which UTF-8 cannot hold) is written as its escape."""
    text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8", "backslashreplace")


def _error(message: str, field: str | None = None) -> bytes:
    return _dump({"error": message, "field": field})


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


class _Threads:
    """A fixed set of daemon threads taking jobs from one queue.

    Not ``concurrent.futures.ThreadPoolExecutor``: its threads are joined when the
    interpreter exits, so a stopped server would wait for every computation queued.
    """

    def __init__(self, count: int):
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        for n in range(count):
            threading.Thread(target=self._work, name=f"upsample-compute-{n}", daemon=True).start()

    def _work(self) -> None:
        while True:
            future, fn, args = self.jobs.get()
            if not future.set_running_or_notify_cancel():
                continue  # its request gave up while it waited
            try:
                future.set_result(fn(*args))
            except BaseException as error:  # handed to the request, which answers it
                future.set_exception(error)

    def submit(self, fn: Callable, *args: Any) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self.jobs.put((future, fn, args))
        return future


def _host_name(header: str) -> str:
    """``"LocalHost:8000"`` -> ``"localhost"``, ``"[::1]:80"`` -> ``"::1"``."""
    host = header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class _Guard:
    """ASGI middleware: answer only the allowed ``Host`` names, and put the security
    headers on every response (the page, its files, errors)."""

    def __init__(self, app, hosts: Iterable[str]):
        self.app = app
        self.hosts = {_host_name(h).rstrip(".") for h in hosts}
        self.headers = [(k.lower().encode(), v.encode()) for k, v in _HEADERS.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if _host_name(host).rstrip(".") not in self.hosts:
            body = _error(
                f"this server answers to {', '.join(sorted(self.hosts))}, not to the host {host[:60]!r}"
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 421,
                    "headers": [
                        *self.headers,
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def secured(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = {
                    **message,
                    "headers": [*message.get("headers", []), *(h for h in self.headers if h[0] not in names)],
                }
            await send(message)

        await self.app(scope, receive, secured)


def _files() -> dict[str, tuple[bytes, str]]:
    """Every file of the page, read once: ``{"app.js": (bytes, content type)}``."""
    files = {}
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix == ".js":
                kind = "text/javascript"
            if kind.startswith("text/"):
                kind += "; charset=utf-8"
            files[path.relative_to(STATIC).as_posix()] = (path.read_bytes(), kind)
    return files


def create_app(
    *,
    hosts: Iterable[str] = LOCAL_HOSTS,
    computations: int = COMPUTATIONS,
    waiting: int = WAITING,
    budget: float = BUDGET,
    body_seconds: float = BODY_SECONDS,
):
    """The ASGI application (``upsample.web.server.create_app()`` for any ASGI server).

    ``hosts``: the ``Host`` names to answer (others get 421); ``computations`` requests
    compute at once and ``waiting`` more may wait (others get 503); each has ``budget``
    seconds (then 503) and ``body_seconds`` to send its body (then 408).
    """
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from .api import LIMITS, RequestError, explain_request, ops_description, solve_request

    files = _files()
    ops = _dump(ops_description())
    threads = _Threads(computations)
    busy = 0  # requests computing or waiting; loop only

    def answer(body: bytes, status: int = 200, **headers: str) -> Response:
        return Response(body, status_code=status, media_type="application/json", headers=headers)

    def work(compute: Callable[[Any], Any], data: Any) -> tuple[int, bytes]:
        """On a computing thread: the answer, serialised there, not on the event loop."""
        try:
            return 200, _dump(compute(data))
        except RequestError as error:
            return 422, _error(str(error), error.field)
        except ValueError as error:  # e.g. a result JSON cannot carry (inf)
            return 422, _error(f"the answer cannot be sent as JSON ({error})")

    def handler(compute):
        async def endpoint(request):
            nonlocal busy
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind != "application/json":
                return answer(
                    _error(f"send the request as application/json, not {kind[:60] or 'no content type'!r}"),
                    415,
                )
            try:
                data = await asyncio.wait_for(_json_body(request, LIMITS["body_bytes"]), body_seconds)
            except _TooLarge:
                return answer(_error(f"the request is larger than {LIMITS['body_bytes'] // 1024} KB"), 413)
            except asyncio.TimeoutError:
                return answer(_error(f"the request's body took more than {body_seconds:g} s"), 408)
            except (ValueError, UnicodeDecodeError) as error:
                return answer(_error(f"the request is not valid JSON ({error})"), 400)
            except RecursionError:
                return answer(_error("the request is not valid JSON (nested too deeply)"), 400)
            if busy >= computations + waiting:
                return answer(
                    _error(f"the server is busy ({busy} requests in progress); try again in a moment"),
                    503,
                    **{"Retry-After": "1"},
                )
            busy += 1
            loop = asyncio.get_running_loop()
            future = threads.submit(work, compute, data)

            def release(_):
                nonlocal busy
                busy -= 1

            future.add_done_callback(lambda f: loop.call_soon_threadsafe(release, f))
            try:
                status, body = await asyncio.wait_for(asyncio.wrap_future(future), budget)
            except asyncio.TimeoutError:
                return answer(
                    _error(
                        f"the request took more than {budget:g} s; the server is busy "
                        f"or the example too large"
                    ),
                    503,
                    **{"Retry-After": "5"},
                )
            return answer(body, status)

        return endpoint

    async def page(request):
        return Response(files["index.html"][0], media_type=files["index.html"][1])

    async def static(request):
        found = files.get(request.path_params["path"])
        if found is None:
            return answer(_error("no such file"), 404)
        return Response(found[0], media_type=found[1])

    async def describe(request):
        return answer(ops)

    routes = [
        Route("/", page),
        Route("/api/ops", describe),
        Route("/api/explain", handler(explain_request), methods=["POST"]),
        Route("/api/solve", handler(solve_request), methods=["POST"]),
        Route("/static/{path:path}", static),
    ]
    return _Guard(Starlette(routes=routes), hosts)


def _timed_protocol(seconds: float):
    """uvicorn's h11 protocol, closing a connection whose request head takes more than
    ``seconds`` (uvicorn times out idle keep-alive connections, not slow headers)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimedH11Protocol(H11Protocol):
        _head_timer = None

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = self.loop.call_later(seconds, self._too_slow)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _too_slow(self) -> None:
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport):
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            cycle = self.cycle
            super().data_received(data)
            if self.cycle is not cycle:  # a request's head arrived
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request's head has the same time

        def connection_lost(self, exc):
            self._disarm()
            super().connection_lost(exc)

    return TimedH11Protocol


def server_config(app, **options: Any):
    """uvicorn's configuration with the limits above (``upsample serve`` and the tests)."""
    import uvicorn

    return uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        ws="none",
        http=_timed_protocol(HEAD_SECONDS),
        limit_concurrency=CONNECTIONS,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=STOP_SECONDS,
        h11_max_incomplete_event_size=16 * 1024,
        **options,
    )


# --------------------------------------------------------------------------- the command


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``upsample serve``."""
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default 8000; 0 picks a free one)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)"
    )
    parser.add_argument("--open", action="store_true", help="open the page in a web browser")
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests for this host name (besides the bound address, "
        "localhost and 127.0.0.1); repeat for more",
    )


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; prints the URL (the real port when ``--port 0``)."""
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ModuleNotFoundError as error:
        raise UsageError(
            f'{error.name} is missing; the web page needs pip install -e ".[web]" in the upsample clone'
        ) from None
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
    sock.listen(128)  # connections wait in the backlog until uvicorn runs
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    url = f"http://{shown}:{port}/"
    print(f"upsample serve: {url}  (Ctrl+C stops it)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            "upsample serve: listening beyond this machine; anyone who can reach it can use it "
            f"(it answers requests for {args.host}, localhost and 127.0.0.1: --allow-host NAME "
            "adds a name)",
            file=sys.stderr,
        )
    if args.open:
        webbrowser.open(url)
    app = create_app(hosts=(*LOCAL_HOSTS, args.host, *args.allow_host))
    server = uvicorn.Server(server_config(app))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
