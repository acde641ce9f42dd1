"""Server configuration: command-line options, environment and defaults, in one frozen object.

With no options the server keeps everything in `./jiafang-server-data/`: the SQLite file
`jiafang.sqlite3`, the attachment store and the master key file `server_master.key` (created on
first start, mode 0600). Production points `--database-url` (or `JIAFANG_DATABASE_URL`) at
PostgreSQL and supplies the master key through `JIAFANG_SERVER_MASTER_KEY` (base64 of 32 bytes)
from the deployment's secret store, so the key never sits next to the database backups.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from sync.server.errors import ConfigError

logger = logging.getLogger(__name__)

ENV_DATABASE_URL: Final = "JIAFANG_DATABASE_URL"
ENV_DATA_DIR: Final = "JIAFANG_DATA_DIR"
ENV_MASTER_KEY: Final = "JIAFANG_SERVER_MASTER_KEY"
ENV_LEASE_DAYS: Final = "JIAFANG_LEASE_DAYS"
ENV_CONTRACTOR_LEASE_DAYS: Final = "JIAFANG_CONTRACTOR_LEASE_DAYS"
ENV_ACTIVE_REQUESTS: Final = "JIAFANG_ACTIVE_REQUESTS"
#: Requests one process works on at once (PostgreSQL; the rest wait their turn, DEPLOY.md).
#: Python runs one thread of a process at a time: measured with 500 laptops syncing on two
#: cores, 20 at once (one per pooled connection) made the p99 latency 12-27 s, 3 made it
#: 1.5-2.4 s. A few more than one lets a request use the processor while another waits for
#: the database.
DEFAULT_ACTIVE_REQUESTS: Final = 3
DEFAULT_LEASE_DAYS: Final = 7.0
DEFAULT_CONTRACTOR_LEASE_DAYS: Final = 2.0

DEFAULT_DATA_DIR: Final = Path("jiafang-server-data")
SQLITE_FILE_NAME: Final = "jiafang.sqlite3"
MASTER_KEY_FILE_NAME: Final = "server_master.key"


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost for password hashes (DESIGN §3 figures; tests pass smaller ones)."""

    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 4


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    master_key: bytes = field(repr=False)
    argon2: Argon2Params = Argon2Params()
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600
    #: failed logins (per user name, known or not) before the account is locked
    lockout_threshold: int = 5
    #: first lock duration; it doubles with each further failure while locked out
    lockout_base_s: int = 60
    lockout_max_s: int = 3600
    #: largest request body of any kind (attachment chunks are the biggest legitimate ones)
    max_request_bytes: int = 5 * 1024 * 1024
    #: how long a laptop may work without syncing (DESIGN §3), and for contractors
    lease_ttl_s: int = int(DEFAULT_LEASE_DAYS * 24 * 3600)
    contractor_lease_ttl_s: int = int(DEFAULT_CONTRACTOR_LEASE_DAYS * 24 * 3600)
    #: requests in progress at once per process on PostgreSQL (SQLite: no limit)
    active_requests: int = DEFAULT_ACTIVE_REQUESTS

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs (`postgresql://` means psycopg2 otherwise)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("postgresql+") and not url.startswith("postgresql+psycopg://"):
        raise ConfigError(
            "仅支持 psycopg 3 驱动的 PostgreSQL 连接串",
            "Only the psycopg 3 driver is supported for PostgreSQL URLs",
            code="config_database_url",
        )
    if not (url.startswith("sqlite") or url.startswith("postgresql+psycopg://")):
        raise ConfigError(
            "数据库连接串必须是 sqlite:/// 或 postgresql://",
            "The database URL must start with sqlite:/// or postgresql://",
            code="config_database_url",
        )
    return url


def _decode_key(text: str, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ConfigError(
            f"服务器主密钥（{source}）必须是 32 字节的 base64",
            f"The server master key ({source}) must be base64 of 32 bytes",
            code="config_master_key",
        )
    return key


def load_master_key(data_dir: Path, env: dict[str, str] | None = None) -> bytes:
    """The key from the environment, else from the data dir's key file (created if absent)."""
    environ = os.environ if env is None else env
    if environ.get(ENV_MASTER_KEY):
        return _decode_key(environ[ENV_MASTER_KEY], ENV_MASTER_KEY)
    key_file = data_dir / MASTER_KEY_FILE_NAME
    if key_file.exists():
        return _decode_key(key_file.read_text(encoding="ascii"), str(key_file))
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _decode_key(key_file.read_text(encoding="ascii"), str(key_file))
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(key).decode("ascii") + "\n")
    logger.warning("created a new server master key file in the data directory")
    return key


def _lease_seconds(environ: dict[str, str], name: str, default_days: float) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return int(default_days * 24 * 3600)
    try:
        days = float(raw)
    except ValueError:
        days = 0.0
    # At least an hour: a shorter lease would lock laptops between two background syncs.
    if not 1 / 24 <= days <= 90:
        raise ConfigError(
            f"{name} 必须是 1 小时到 90 天之间的天数",
            f"{name} must be a number of days between one hour (0.042) and 90",
            code="config_lease",
        )
    return int(days * 24 * 3600)


def active_requests_from(raw: str) -> int:
    """A number of requests per process, 1-20 (20: the connections in the pool)."""
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 20:
        raise ConfigError(
            f"同时处理的请求数必须是 1 到 20 之间的整数：{raw!r}",
            f"Requests at once must be a whole number from 1 to 20: {raw!r}",
            code="config_active_requests",
        )
    return value


def load_settings(
    data_dir: Path | str | None = None,
    database_url: str | None = None,
    *,
    active_requests: int | None = None,
    env: dict[str, str] | None = None,
    argon2: Argon2Params | None = None,
) -> Settings:
    """Settings from explicit options, then the environment, then the defaults."""
    environ = dict(os.environ) if env is None else env
    directory = Path(data_dir or environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    url = database_url or environ.get(ENV_DATABASE_URL) or ""
    if not url:
        url = f"sqlite:///{directory / SQLITE_FILE_NAME}"
    return Settings(
        data_dir=directory,
        database_url=normalise_database_url(url),
        master_key=load_master_key(directory, environ),
        argon2=argon2 or Argon2Params(),
        lease_ttl_s=_lease_seconds(environ, ENV_LEASE_DAYS, DEFAULT_LEASE_DAYS),
        contractor_lease_ttl_s=_lease_seconds(
            environ, ENV_CONTRACTOR_LEASE_DAYS, DEFAULT_CONTRACTOR_LEASE_DAYS
        ),
        active_requests=active_requests
        or (
            active_requests_from(environ[ENV_ACTIVE_REQUESTS])
            if environ.get(ENV_ACTIVE_REQUESTS, "").strip()
            else DEFAULT_ACTIVE_REQUESTS
        ),
    )
