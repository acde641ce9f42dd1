"""A loopback HTTP fault-injection proxy between the sync client and the real server.

It understands just enough HTTP/1.1 to work per request: it reads each request (head and
`Content-Length` body) from the client, applies the first matching `Fault`, and otherwise relays
the request over a fresh upstream connection and the response back. Faults:

- `drop`: close the client connection without forwarding (the server never sees the request)
- `delay`: wait `seconds` before forwarding (longer than the client's read timeout = a timeout)
- `status`: answer `status` itself (e.g. 503 from a gateway) without forwarding
- `reset_upload`: forward only `fraction` of the request body, then reset both connections
  (a connection cut in the middle of an upload; the server sees a broken request)
- `lose_response`: forward, let the server answer (it has committed), then reset the client
  connection without relaying the answer
- `truncate`: relay only `fraction` of the response body, then close
- `corrupt`: relay the response with one body byte flipped (a bad middlebox or a bit error)

Loopback only: it binds 127.0.0.1 and forwards to a 127.0.0.1 port.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_HEAD_LIMIT = 64 * 1024


@dataclass
class Fault:
    kind: str
    method: str | None = None
    path_prefix: str | None = None
    #: let this many matching requests through untouched first
    skip: int = 0
    #: then fire this many times
    times: int = 1
    seconds: float = 0.0
    fraction: float = 0.5
    status: int = 503
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and method != self.method:
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


@dataclass
class Exchange:
    method: str
    path: str
    request_bytes: int
    fault: str | None
    status: int | None = None
    #: the request's `Range` header, if any
    range: str | None = None
    #: response body bytes relayed to the client
    response_bytes: int = 0


@dataclass
class ProxyLog:
    exchanges: list[Exchange] = field(default_factory=list)

    def paths(self, method: str | None = None, prefix: str = "") -> list[str]:
        return [
            e.path
            for e in self.exchanges
            if (method is None or e.method == method) and e.path.startswith(prefix)
        ]

    def faults(self) -> list[str]:
        return [e.fault for e in self.exchanges if e.fault]


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a cut cable or a crashed middlebox would."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _read_message(sock: socket.socket, buffer: bytearray) -> tuple[bytes, bytes] | None:
    """One HTTP message (head, body) from `sock`; leftover bytes stay in `buffer`."""
    while b"\r\n\r\n" not in buffer:
        if len(buffer) > _HEAD_LIMIT:
            return None
        data = sock.recv(65536)
        if not data:
            return None
        buffer.extend(data)
    end = buffer.index(b"\r\n\r\n") + 4
    head = bytes(buffer[:end])
    del buffer[:end]
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(buffer) < length:
        data = sock.recv(65536)
        if not data:
            return None
        buffer.extend(data)
    body = bytes(buffer[:length])
    del buffer[:length]
    return head, body


def _header(head: bytes, wanted: bytes = b"range") -> str | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == wanted:
            return value.strip().decode("latin-1")
    return None


def _with_connection_close(head: bytes) -> bytes:
    lines = [
        line
        for line in head.rstrip(b"\r\n").split(b"\r\n")
        if not line.lower().startswith(b"connection:")
    ]
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


class FaultProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.faults: list[Fault] = []
        self.log = ProxyLog()
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------------ per connection

    def _pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.fired < fault.times + fault.skip and fault.matches(method, path):
                    fault.fired += 1
                    if fault.fired > fault.skip:
                        return fault
                    return None
        return None

    def _serve(self, client: socket.socket) -> None:
        buffer = bytearray()
        try:
            while True:
                message = _read_message(client, buffer)
                if message is None:
                    client.close()
                    return
                head, body = message
                request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
                method, target, _ = request_line.split(" ", 2)
                path = urlsplit(target).path + (
                    "?" + urlsplit(target).query if urlsplit(target).query else ""
                )
                fault = self._pick(method, path)
                exchange = Exchange(
                    method, path, len(body), fault.kind if fault else None, range=_header(head)
                )
                with self._lock:
                    self.log.exchanges.append(exchange)
                if not self._exchange(client, head, body, fault, exchange):
                    return
        except OSError:
            client.close()

    def _exchange(
        self, client: socket.socket, head: bytes, body: bytes, fault: Fault | None, ex: Exchange
    ) -> bool:
        """Relay one request; False when the client connection is gone."""
        kind = fault.kind if fault else None
        if kind == "drop":
            client.close()
            return False
        if kind == "status":
            assert fault is not None
            answer = (
                f"HTTP/1.1 {fault.status} Unavailable\r\nContent-Length: 0\r\n"
                "Connection: close\r\n\r\n"
            ).encode()
            client.sendall(answer)
            ex.status = fault.status
            client.close()
            return False
        if kind == "delay":
            assert fault is not None
            time.sleep(fault.seconds)
        upstream = socket.create_connection(self.upstream, timeout=60)
        try:
            if kind == "reset_upload":
                assert fault is not None
                upstream.sendall(_with_connection_close(head))
                upstream.sendall(body[: int(len(body) * fault.fraction)])
                time.sleep(0.05)
                _reset(upstream)
                _reset(client)
                return False
            upstream.sendall(_with_connection_close(head) + body)
            reply = _read_message(upstream, bytearray())
        finally:
            if kind != "reset_upload":
                upstream.close()
        if reply is None:
            client.close()
            return False
        reply_head, reply_body = reply
        ex.status = int(reply_head.split(b" ", 2)[1])
        raw = reply_head + reply_body
        if kind == "lose_response":
            _reset(client)
            return False
        if kind == "truncate":
            assert fault is not None
            relayed = int(len(reply_body) * fault.fraction)
            client.sendall(raw[: len(reply_head) + relayed])
            ex.response_bytes = relayed
            client.close()
            return False
        if kind == "corrupt" and reply_body:
            flipped = bytearray(reply_body)
            flipped[len(flipped) // 2] ^= 0xFF
            raw = reply_head + bytes(flipped)
        client.sendall(raw)
        ex.response_bytes = len(reply_body)
        return True
