"""HTTP transport: one `requests.Session`, explicit (connect, read) timeouts, verified TLS,
version headers on every request, exponential backoff with full jitter, and typed answers.

Every call the engine makes is safe to repeat: pushes are idempotent by `mutation_id` on the
server, pulls and checksums are reads, attachment chunks are placed by offset. So a transient
failure (connection refused or reset, timeout, truncated body, 5xx, 429) is retried here after
a random delay in [0, min(cap, base·2^n)] ("full jitter": many laptops coming back online at
8 a.m. spread out instead of hammering the server together). A 4xx answer is definite and
raised at once as `ApiAnswerError` (or `RevokedError`, which the engine turns into a wipe).
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3

from sync.client.config import ClientConfig
from sync.client.errors import (
    ApiAnswerError,
    CancelledError,
    OfflineError,
    RevokedError,
    TlsError,
)
from sync.protocol import HEADER_APP_VERSION, HEADER_SCHEMA_VERSION, SCHEMA_VERSION, ErrorCode

logger = logging.getLogger(__name__)

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class Answer:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class TransferStats:
    """Bytes and requests that went over the wire (the benchmark's resend measure uses them)."""

    requests: int = 0
    retries: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


@dataclass
class Download:
    """A streamed 2xx answer: status and headers once the head arrived, then the body bytes as
    they come. When the connection breaks part-way, `body` keeps what arrived, so the caller can
    ask for the rest with `Range` instead of starting again."""

    status: int = 0
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)


_STREAM_BLOCK = 64 * 1024


class _TransientError(Exception):
    pass


def tls_reason(error: BaseException) -> str:
    """OpenSSL's reason for a failed handshake (e.g. "unable to get local issuer certificate"),
    dug out of the exceptions requests and urllib3 wrap around it; empty when there is none."""
    pending: list[object] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError) and current.verify_message:
            return str(current.verify_message)
        if isinstance(current, ssl.SSLError) and current.reason:
            return str(current.reason).replace("_", " ").lower()
        pending += [*current.args, getattr(current, "reason", None), current.__cause__]
        pending.append(current.__context__)
    return ""


class Transport:
    def __init__(
        self,
        config: ClientConfig,
        session: requests.Session | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.session.verify = config.verify
        self.session.trust_env = False  # a stray HTTPS_PROXY must not reroute household data
        self.session.headers.update(
            {
                HEADER_SCHEMA_VERSION: str(SCHEMA_VERSION),
                HEADER_APP_VERSION: config.app_version,
                "User-Agent": f"jiafang-client/{config.app_version}",
            }
        )
        self.stats = TransferStats()
        self._rng = rng or random.Random()
        self.token_provider: Callable[[], str | None] = lambda: None

    def close(self) -> None:
        self.session.close()

    def backoff_delay(self, attempt: int) -> float:
        cap = min(self.config.backoff_max_s, self.config.backoff_base_s * (2**attempt))
        return self._rng.uniform(0, cap)

    def sleep(self, seconds: float, cancel: threading.Event | None) -> None:
        if cancel is None:
            threading.Event().wait(seconds)
        elif cancel.wait(seconds):
            raise CancelledError()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str = "application/json",
        gzip_body: bool = False,
        authenticated: bool = True,
        cancel: threading.Event | None = None,
        attempts: int | None = None,
        expect_json: bool = True,
        headers: Mapping[str, str] | None = None,
        into: Download | None = None,
    ) -> Answer:
        """Send one request, retrying transient failures; a 2xx answer with a complete body,
        or a typed error. With `into`, a 2xx body is streamed into it (and not into the
        answer), so a download cut part-way keeps the bytes that arrived."""
        if json_body is not None:
            content = json.dumps(json_body, separators=(",", ":")).encode()
        headers = dict(headers or {})
        if content is not None:
            headers["Content-Type"] = content_type
            if gzip_body:
                content = gzip.compress(content, compresslevel=5)
                headers["Content-Encoding"] = "gzip"
        url = self.config.server_url + path
        tries = attempts or self.config.max_attempts
        last = ""
        for attempt in range(tries):
            if cancel is not None and cancel.is_set():
                raise CancelledError()
            if authenticated:
                token = self.token_provider()
                if token:
                    headers["Authorization"] = f"Bearer {token}"
            try:
                return self._once(method, url, params, content, headers, expect_json, into)
            except _TransientError as exc:
                last = str(exc)
            if attempt + 1 < tries:
                self.stats.retries += 1
                delay = self.backoff_delay(attempt)
                logger.info("transient failure (%s); retry %d in %.2fs", last, attempt + 1, delay)
                self.sleep(delay, cancel)
        raise OfflineError(last)

    def _once(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        content: bytes | None,
        headers: dict[str, str],
        expect_json: bool,
        into: Download | None = None,
    ) -> Answer:
        self.stats.requests += 1
        if content is not None:
            self.stats.bytes_sent += len(content)
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                data=content,
                headers=headers,
                timeout=self.config.timeout,
                stream=into is not None,
            )
            if into is not None and 200 <= response.status_code < 300:
                return self._stream_into(response, into)
            body = response.content  # reads it all: a truncated body raises here
        except requests.exceptions.SSLError as exc:
            raise TlsError(tls_reason(exc)) from exc  # not fixed by waiting
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise _TransientError(type(exc).__name__) from exc
        self.stats.bytes_received += len(body)
        status = response.status_code
        if status in _RETRY_STATUSES:
            raise _TransientError(f"HTTP {status}")
        length = response.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) != len(body):
            raise _TransientError("short body")
        if 200 <= status < 300:
            answer = Answer(status, body, response.headers)
            if expect_json and body:
                try:
                    answer.json()
                except ValueError as exc:
                    raise _TransientError("unreadable body") from exc
            return answer
        raise self._answer_error(status, body)

    def _stream_into(self, response: requests.Response, into: Download) -> Answer:
        """Read a 2xx body block by block into `into` (errors propagate to `_once`, which makes
        them transient; the bytes read so far stay in `into`)."""
        into.status, into.headers = response.status_code, response.headers
        start = len(into.body)
        try:
            # read1, not iter_content: it hands over whatever arrived, so a connection cut
            # part-way loses no byte that reached this laptop.
            while block := response.raw.read1(_STREAM_BLOCK, decode_content=True):
                into.body.extend(block)
                self.stats.bytes_received += len(block)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise _TransientError(type(exc).__name__) from exc
        finally:
            response.close()
        length = response.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) != len(into.body) - start:
            raise _TransientError("short body")
        return Answer(response.status_code, b"", response.headers)

    @staticmethod
    def _answer_error(status: int, body: bytes) -> Exception:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or "code" not in parsed:
            # A proxy's or a cut-off answer: not the server's word, so not definite.
            return _TransientError(f"HTTP {status} without an error body")
        code = str(parsed.get("code"))
        if code == ErrorCode.REVOKED:
            return RevokedError()
        return ApiAnswerError(
            status,
            code,
            str(parsed.get("message_zh", "")),
            str(parsed.get("message_en", "")),
            parsed.get("detail"),
        )
