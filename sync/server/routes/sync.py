"""The sync protocol of DESIGN §4: push, pull, bucket list and checksums."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from sync.protocol import (
    DEFAULT_PULL_LIMIT,
    HEADER_SCHEMA_VERSION,
    MAX_PULL_LIMIT,
    MAX_PUSH_BYTES,
    SCHEMA_VERSION,
    SUPPORTED_SCHEMA_VERSIONS,
    BucketChecksum,
    BucketList,
    ErrorBody,
    ErrorCode,
    LeaseGrant,
    PullPage,
    PushRequest,
    PushResponse,
)
from sync.server import records, reference
from sync.server.audit import AuditEvent, record_event
from sync.server.authz import REFERENCE_BUCKET, buckets_for, require_bucket
from sync.server.bodies import decode_content, parse_json, read_body
from sync.server.deps import MAX_BIGINT, ContextDep, NowDep, PrincipalDep, SessionDep
from sync.server.errors import ApiError
from sync.server.leases import issue_lease
from sync.server.push import apply_push

router = APIRouter(prefix="/v1/sync", tags=["sync"])

_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 413, 415, 422)
}


def client_schema_version(
    schema: Annotated[str | None, Header(alias=HEADER_SCHEMA_VERSION)] = None,
) -> int | None:
    """The client's schema version, checked against the supported window: newer than the server
    → `schema_too_new`, older than the two previous versions → `schema_unsupported` (the app
    must be upgraded). Read by hand so each case gets its own code; the OpenAPI description
    declares it as an integer in the window (`app._describe_errors`)."""
    if schema is None:
        return None
    text = schema.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise ApiError(
            400, ErrorCode.INVALID_REQUEST, "版本号无效", "Invalid schema version header"
        )
    version = int(text)
    if version > SCHEMA_VERSION:
        raise ApiError(
            400,
            ErrorCode.SCHEMA_TOO_NEW,
            "服务器版本低于客户端",
            "The server is older than this client",
        )
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        raise ApiError(
            400,
            ErrorCode.SCHEMA_UNSUPPORTED,
            "软件版本过旧，请升级",
            "This app version is too old; upgrade it",
            detail={"supported": sorted(SUPPORTED_SCHEMA_VERSIONS)},
        )
    return version


SchemaDep = Annotated[int | None, Depends(client_schema_version)]


async def push_body(request: Request) -> PushRequest:
    raw = await read_body(request, MAX_PUSH_BYTES)
    return parse_json(decode_content(request, raw, MAX_PUSH_BYTES), PushRequest)


@router.post(
    "/push",
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}
            },
        }
    },
)
def push(
    # The caller first: an anonymous request is refused before its body is read or parsed.
    principal: PrincipalDep,
    body: Annotated[PushRequest, Depends(push_body)],
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    schema: SchemaDep,
) -> PushResponse:
    """Apply a batch (≤200 mutations, ≤1 MB, optionally gzip) once; one answer per mutation."""
    return apply_push(session, context.keys, principal, body, schema, now)


@router.get("/buckets", responses=_ERRORS)
def list_buckets(principal: PrincipalDep, session: SessionDep, now: NowDep) -> BucketList:
    return BucketList(buckets=sorted(buckets_for(session, principal, now)))


@router.get("/lease", responses=_ERRORS)
def lease(
    principal: PrincipalDep, session: SessionDep, context: ContextDep, now: NowDep
) -> LeaseGrant:
    """A fresh offline lease for the calling user on the calling device (asked for at the end
    of every sync): how long this laptop may work before it must sync again."""
    return issue_lease(session, context.settings, context.keys, principal, now)


@router.get("/pull", response_model=PullPage, responses=_ERRORS)
def pull(
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    schema: SchemaDep,
    bucket: Annotated[str, Query(min_length=3, max_length=100)],
    since: Annotated[int, Query(ge=0, le=MAX_BIGINT)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
) -> Response:
    """Changes of one bucket after checkpoint `since`, oldest first."""
    require_bucket(buckets_for(session, principal, now), bucket)
    if bucket == REFERENCE_BUCKET:
        reference.ensure_published(session, context.keys)
    page = records.pull_page(session, context.keys, bucket, since, limit)
    households = page.households_with_content
    if households:
        # Sensitive content left the server: one audit entry per page naming the households.
        record_event(
            session,
            AuditEvent(
                action="pull",
                user_id=principal.user_id,
                device_id=principal.device_id,
                detail={"bucket": bucket, "since": since, "households": households},
            ),
        )
    session.commit()
    # Written by hand (records.PulledPage): the documented model is PullPage.
    return Response(page.to_json(), media_type="application/json")


@router.get("/checksum", responses=_ERRORS)
def checksum(
    principal: PrincipalDep,
    session: SessionDep,
    now: NowDep,
    bucket: Annotated[str, Query(min_length=3, max_length=100)],
) -> BucketChecksum:
    require_bucket(buckets_for(session, principal, now), bucket)
    return records.checksum(session, bucket)
