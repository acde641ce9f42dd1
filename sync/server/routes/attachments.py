"""Content-addressed, resumable attachment transfer: chunked uploads at the server's offset,
downloads resumable with `Range: bytes=N-` (the ETag is the content hash, so a range always
belongs to the same bytes)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
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
from sync.server.authz import WRITER_ROLES, Principal, buckets_for, reaches_households
from sync.server.bodies import json_body, json_request, read_body
from sync.server.deps import ContextDep, NowDep, PrincipalDep, SessionDep
from sync.server.errors import ApiError, forbidden

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


def uploader(principal: PrincipalDep, session: SessionDep, now: NowDep) -> Principal:
    """The caller, if it may upload attachment bytes: a role that adds records, with somewhere
    to add them now (a contractor whose tasks all closed, or an agency admin, may not). Which
    household the bytes belong to is decided when the attachment record is pushed."""
    if principal.role not in WRITER_ROLES or not reaches_households(session, principal, now):
        raise forbidden("附件上传", "attachment uploads")
    return principal


UploaderDep = Annotated[Principal, Depends(uploader)]


@router.post("/have", responses=_ERRORS, openapi_extra=json_request(AttachmentHaveRequest))
def have(
    principal: UploaderDep,
    body: Annotated[AttachmentHaveRequest, json_body(AttachmentHaveRequest)],
    session: SessionDep,
    context: ContextDep,
) -> AttachmentHaveResponse:
    """Which of these hashes the server lacks (upload those)."""
    return AttachmentHaveResponse(missing=context.attachments.missing(session, body.sha256s))


@router.get("/{sha256:sha256}/offset", responses=_ERRORS)
def offset(
    sha256: Sha256Path, principal: UploaderDep, session: SessionDep, context: ContextDep
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
                "application/octet-stream": {
                    "schema": {"type": "string", "format": "binary", "minLength": 1}
                }
            },
        }
    },
)
async def put_chunk(
    sha256: Sha256Path,
    request: Request,
    principal: UploaderDep,
    context: ContextDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=MAX_ATTACHMENT_SIZE)],
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


_SINGLE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE | re.ASCII)
#: Positions with more digits than this are past the end of any attachment.
_MAX_POSITION_DIGITS = 18


def _position(digits: str) -> int:
    return int(digits) if len(digits) <= _MAX_POSITION_DIGITS else 10**_MAX_POSITION_DIGITS


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range (first, last) a `Range` header asks of `size` bytes; None for
    the whole attachment. One range only: several ranges or a malformed header are ignored (the
    whole attachment is sent, as RFC 9110 allows). A range starting at or past the end → 416."""
    if header is None:
        return None
    match = _SINGLE_RANGE.match(header)
    if match is None or not (match.group(1) or match.group(2)):
        return None
    first_text, last_text = match.groups()
    if not first_text:  # "bytes=-N": the last N bytes
        suffix = _position(last_text)
        if suffix == 0:
            raise _unsatisfiable(size)
        return max(0, size - suffix), size - 1
    first = _position(first_text)
    last = _position(last_text) if last_text else None
    if last is not None and last < first:
        return None  # not a valid range: ignored
    if first >= size:
        raise _unsatisfiable(size)
    return first, size - 1 if last is None else min(last, size - 1)


def _unsatisfiable(size: int) -> ApiError:
    return ApiError(
        416,
        ErrorCode.RANGE_NOT_SATISFIABLE,
        "请求的范围超出附件大小",
        "The requested range starts past the end of the attachment",
        detail={"size": size},
        headers={"Content-Range": f"bytes */{size}"},
    )


_OCTETS = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
_RANGE_HEADERS = {
    "ETag": {"description": "The content hash, quoted", "schema": {"type": "string"}},
    "Accept-Ranges": {"schema": {"type": "string", "enum": ["bytes"]}},
}


@router.get(
    "/{sha256:sha256}",
    responses=_ERRORS
    | {
        200: {"content": _OCTETS, "headers": _RANGE_HEADERS},
        206: {
            "description": "The requested part (resumed download)",
            "content": _OCTETS,
            "headers": _RANGE_HEADERS
            | {"Content-Range": {"schema": {"type": "string"}, "description": "bytes a-b/size"}},
        },
        416: {"model": ErrorBody, "description": "The range starts past the end"},
    },
    response_class=Response,
)
def download(
    sha256: Sha256Path,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    range_header: Annotated[
        str | None,
        Header(alias="Range", description="`bytes=N-` resumes a download at byte N"),
    ] = None,
    if_range: Annotated[
        str | None,
        Header(alias="If-Range", description="The ETag the partial copy came from"),
    ] = None,
) -> Response:
    """The attachment's bytes (verified against the hash first; an audited read). With
    `Range: bytes=N-` only the bytes from N on (206), so a cut download resumes."""
    data = context.attachments.read(
        session, principal, buckets_for(session, principal, now), sha256
    )
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Accept-Ranges": "bytes"}
    if if_range is not None and if_range.strip() != etag:
        range_header = None  # the partial copy is of other bytes: send them all
    wanted = requested_range(range_header, len(data))
    if wanted is None:
        return Response(content=data, media_type="application/octet-stream", headers=headers)
    first, last = wanted
    headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
    return Response(
        content=data[first : last + 1],
        status_code=206,
        media_type="application/octet-stream",
        headers=headers,
    )
