"""Content-addressed, resumable attachment transfer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor

from sync.protocol import (
    MAX_ATTACHMENT_CHUNK,
    MAX_ATTACHMENT_SIZE,
    AttachmentHaveRequest,
    AttachmentHaveResponse,
    AttachmentOffset,
    ErrorBody,
    ErrorCode,
)
from sync.server.authz import buckets_for
from sync.server.bodies import read_body
from sync.server.deps import ContextDep, NowDep, PrincipalDep, SessionDep
from sync.server.errors import ApiError

router = APIRouter(prefix="/v1/attachments", tags=["attachments"])

_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 413, 422)
}
Sha256Path = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


class Sha256Convertor(Convertor[str]):
    """Route-level match of a content address, so `/v1/attachments/have` never reaches the
    `/{sha256}` routes (a PUT there is a 405, not a validation error)."""

    regex = "[0-9a-f]{64}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("sha256", Sha256Convertor())


@router.post("/have", responses=_ERRORS)
def have(
    body: AttachmentHaveRequest, principal: PrincipalDep, session: SessionDep, context: ContextDep
) -> AttachmentHaveResponse:
    """Which of these hashes the server lacks (upload those)."""
    return AttachmentHaveResponse(missing=context.attachments.missing(session, body.sha256s))


@router.get("/{sha256:sha256}/offset", responses=_ERRORS)
def offset(
    sha256: Sha256Path, principal: PrincipalDep, session: SessionDep, context: ContextDep
) -> AttachmentOffset:
    """Where an upload stands: send the next chunk at `offset`."""
    return context.attachments.offset_of(session, sha256)


@router.put(
    "/{sha256:sha256}",
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def put_chunk(
    sha256: Sha256Path,
    request: Request,
    principal: PrincipalDep,
    context: ContextDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)],
    size: Annotated[int, Query(ge=1, le=MAX_ATTACHMENT_SIZE)],
) -> AttachmentOffset:
    """Append one chunk (≤4 MiB) at `offset` of an attachment of `size` bytes; the chunk that
    completes it is verified against `sha256`."""
    chunk = await read_body(request, MAX_ATTACHMENT_CHUNK)
    if not chunk:
        raise ApiError(400, ErrorCode.INVALID_REQUEST, "分块为空", "The chunk is empty")
    # File and database work off the event loop.
    return await run_in_threadpool(
        context.attachments.put_chunk, session, principal, sha256, offset, size, chunk
    )


@router.get(
    "/{sha256:sha256}",
    responses=_ERRORS | {200: {"content": {"application/octet-stream": {}}}},
    response_class=Response,
)
def download(
    sha256: Sha256Path,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> Response:
    data = context.attachments.read(
        session, principal, buckets_for(session, principal, now), sha256
    )
    return Response(content=data, media_type="application/octet-stream")
