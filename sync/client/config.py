"""Client settings: where the server is, how to trust it, and how patiently to talk to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from app.errors import ValidationError
from sync.protocol import MAX_PUSH_BYTES, MAX_PUSH_MUTATIONS

APP_VERSION: Final = "0.1.0"
#: File of the client's own bookkeeping inside a profile folder (ids and buckets only).
STATE_FILE_NAME: Final = "sync_state.sqlite3"
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class ClientConfig:
    server_url: str
    #: PEM bundle of the deployment's CA; None uses the system trust store. TLS is always verified.
    ca_bundle: str | None = None
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 60.0
    #: attempts per request before the server counts as unreachable for this run
    max_attempts: int = 6
    backoff_base_s: float = 0.2
    backoff_max_s: float = 20.0
    push_batch_mutations: int = MAX_PUSH_MUTATIONS
    #: a little under the server's limit: the JSON envelope around the mutations adds bytes
    push_batch_bytes: int = MAX_PUSH_BYTES - 8_192
    pull_limit: int = 1000
    attachment_chunk_bytes: int = 256 * 1024
    #: photos uploaded at once (the server waits on disk for each chunk; several overlap)
    upload_parallel: int = 4
    app_version: str = APP_VERSION
    #: allow http:// to a non-loopback host (a lab set-up); never the default
    allow_plain_http: bool = False

    def __post_init__(self) -> None:
        url = self.server_url.strip()
        if not (url.startswith("https://") or url.startswith("http://")):
            raise ValidationError(
                "服务器地址应以 https:// 开头",
                "The server address must start with https://",
                code="server_url",
            )
        host = urlsplit(url).hostname or ""
        if url.startswith("http://") and host not in _LOOPBACK and not self.allow_plain_http:
            # Household data never crosses a network in clear; plain HTTP is for loopback
            # (tests, a TLS-terminating proxy on the same machine) or an explicit choice.
            raise ValidationError(
                "服务器地址必须使用 https://",
                "The server address must use https://",
                code="server_url_plain_http",
            )
        object.__setattr__(self, "server_url", url.rstrip("/"))
        if self.push_batch_mutations > MAX_PUSH_MUTATIONS or self.push_batch_bytes > MAX_PUSH_BYTES:
            raise ValidationError(
                "批量上传超出服务器限制",
                "Push batch limits exceed the server's",
                code="push_limits",
            )

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout_s, self.read_timeout_s)

    @property
    def verify(self) -> str | bool:
        # Never False: a configured bundle, else the system's trusted roots.
        return self.ca_bundle if self.ca_bundle else True
