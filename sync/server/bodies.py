"""Reading request bodies with hard limits: size (streamed, not trusted from headers), gzip
(decompressed with a bound, against zip bombs) and JSON (malformed → 400, invalid → 422)."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any, TypeVar

import pydantic
from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.protocol import ErrorBody, ErrorCode
from sync.server.errors import ApiError

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        ErrorCode.PAYLOAD_TOO_LARGE,
        f"请求内容过大（上限 {limit} 字节）",
        f"Request body too large (limit {limit} bytes)",
        detail={"limit": limit},
    )


class PayloadTooLargeError(ApiError):
    def __init__(self, limit: int) -> None:
        error = too_large(limit)
        super().__init__(
            error.status, error.code, error.message_zh, error.message_en, detail=error.detail
        )


def declared_size(value: str | bytes | None) -> int | None:
    """A Content-Length header's byte count (None: absent or not a number). Too many digits to
    convert count as "more than any limit" instead of failing the conversion."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= 18 else 10**18


async def read_body(request: Request, limit: int) -> bytes:
    declared = declared_size(request.headers.get("content-length"))
    if declared is not None and declared > limit:
        raise too_large(limit)
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        parts.append(chunk)
    return b"".join(parts)


def decode_content(request: Request, raw: bytes, limit: int) -> bytes:
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding != "gzip":
        raise ApiError(
            415,
            ErrorCode.UNSUPPORTED_ENCODING,
            "仅支持 gzip 压缩",
            "Only gzip content encoding is supported",
        )
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        plain = decompressor.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise ApiError(400, ErrorCode.MALFORMED_JSON, "gzip 数据损坏", "Corrupt gzip body") from exc
    if len(plain) > limit or decompressor.unconsumed_tail:
        raise too_large(limit)
    if not decompressor.eof:
        raise ApiError(400, ErrorCode.MALFORMED_JSON, "gzip 数据不完整", "Truncated gzip body")
    return plain


def validation_detail(errors: list[Any]) -> dict[str, Any]:
    """Pydantic errors without the offending input (it may be personal data)."""
    return {
        "errors": [
            {"loc": [str(p) for p in e.get("loc", ())], "type": e.get("type"), "msg": e.get("msg")}
            for e in errors[:20]
        ]
    }


def parse_json(raw: bytes, model: type[ModelT]) -> ModelT:
    try:
        return model.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_input=False)
        if any(e.get("type") == "json_invalid" for e in errors):
            raise ApiError(
                400, ErrorCode.MALFORMED_JSON, "JSON 格式错误", "Malformed JSON"
            ) from exc
        if any(
            e.get("type") == "too_long" and e.get("loc", ())[:1] == ("mutations",) for e in errors
        ):
            # 422, not 413: the body breaks the documented schema (maxItems), it is not big.
            raise ApiError(
                422,
                ErrorCode.PAYLOAD_TOO_LARGE,
                "一次最多提交 200 条变更",
                "At most 200 mutations per push",
            ) from exc
        raise ApiError(
            422,
            ErrorCode.INVALID_REQUEST,
            "请求内容不符合格式",
            "The request does not match the schema",
            detail=validation_detail(list(errors)),
        ) from exc


#: Limit of the JSON bodies of every write but the push (its own limit): far above any real one.
MAX_JSON_BODY = 1024 * 1024
#: Models of JSON bodies read by hand (`json_body`); `app.create_app` puts them in the OpenAPI
#: components, where each operation's `json_request` points.
DOCUMENTED_BODIES: dict[str, type[pydantic.BaseModel]] = {}


def nul_location(value: Any, location: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """Where a string of `value` holds a NUL character (None: nowhere)."""
    if isinstance(value, str):
        return location if "\x00" in value else None
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return (*location, key)
        found = nul_location(item, (*location, str(key)))
        if found is not None:
            return found
    return None


def refuse_nul(model: pydantic.BaseModel) -> None:
    """NUL characters have no place in names, notes or identifiers, and PostgreSQL cannot store
    them in text: refused (422) rather than half stored. (Push content is left alone: it is
    stored encrypted as sent, and a laptop must not be stuck with a push the server refuses.)"""
    location = nul_location(model.model_dump(mode="python"))
    if location is not None:
        raise ApiError(
            422,
            ErrorCode.INVALID_REQUEST,
            "请求内容包含空字符（NUL）",
            "The request contains a NUL character",
            detail={"errors": [{"loc": list(location), "type": "string_nul", "msg": "NUL"}]},
        )


def json_body(model: type[ModelT]) -> Any:
    """A dependency parsing the request body as `model` (malformed → 400, invalid → 422, a NUL
    in any string → 422, over `MAX_JSON_BODY` → 413).
    Declared after the caller's checks, it runs only once those passed: a refused caller gets
    403/404 whatever the body, instead of a validation error that answers before the check
    (FastAPI parses a declared body before it runs any dependency)."""

    async def parsed(request: Request) -> ModelT:
        body = parse_json(await read_body(request, MAX_JSON_BODY), model)
        refuse_nul(body)
        return body

    reader: Callable[[Request], Awaitable[ModelT]] = parsed
    return Depends(reader)


async def _drained(request: Request) -> None:
    await read_body(request, MAX_JSON_BODY)


#: For writes that take no body: whatever is sent is read and dropped, up to `MAX_JSON_BODY`
#: (413 beyond), so an oversize body is refused before the write happens instead of ignored
#: after it. Declared after the caller's checks, like `json_body`.
NoBodyDep = Annotated[None, Depends(_drained)]


def json_request(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    """`openapi_extra` describing a `json_body(model)` request body."""
    DOCUMENTED_BODIES[model.__name__] = model
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


class BodyLimitMiddleware:
    """Refuse any request body above `limit` bytes, declared or streamed (pure ASGI, so it also
    covers bodies FastAPI parses itself)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            size = declared_size(value) if name == b"content-length" else None
            if size is not None and size > self.limit:
                await self._refuse(send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise PayloadTooLargeError(self.limit)
            return message

        await self.app(scope, limited_receive, send)

    async def _refuse(self, send: Send) -> None:
        error = too_large(self.limit)
        body = (
            ErrorBody(
                code=error.code,
                message_zh=error.message_zh,
                message_en=error.message_en,
                detail=error.detail,
            )
            .model_dump_json()
            .encode()
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class ConcurrencyLimitMiddleware:
    """At most `limit` requests in progress at once; the others wait in arrival order (pure
    ASGI, on the event loop, costing no thread or connection while they wait)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # created on the server's own event loop
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)
