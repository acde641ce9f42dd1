"""The FastAPI application: `create_app(settings)` migrates the database, derives the keys and
wires routes, error bodies and limits. Stateless: several processes may serve one PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.errors import JiafangError
from sync.protocol import (
    HEADER_SCHEMA_VERSION,
    SCHEMA_VERSION,
    SUPPORTED_SCHEMA_VERSIONS,
    ErrorBody,
    ErrorCode,
    PushRequest,
)
from sync.server.activity import ActivityMiddleware, HostLoad, RequestActivity
from sync.server.attachments import AttachmentStore
from sync.server.auth import Authenticator
from sync.server.bodies import (
    DOCUMENTED_BODIES,
    BodyLimitMiddleware,
    ConcurrencyLimitMiddleware,
    validation_detail,
)
from sync.server.config import Settings
from sync.server.crypto import ServerKeys
from sync.server.db import make_engine, request_concurrency, run_migrations
from sync.server.deps import ServerContext
from sync.server.errors import ApiError
from sync.server.routes import (  # workflow: tasks, reviews, clues
    admin,
    attachments,
    auth,
    clues,
    conflicts,
    health,
    households,
    reviews,
    tasks,
)
from sync.server.routes import sync as sync_routes
from sync.server.visit_checks import VisitCheckWorker

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: "method_not_allowed",
    413: ErrorCode.PAYLOAD_TOO_LARGE,
}


def _error_response(
    status: int,
    code: str,
    zh: str,
    en: str,
    detail: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(code=str(code), message_zh=zh, message_en=en, detail=detail)
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _error_response(
        exc.status, exc.code, exc.message_zh, exc.message_en, exc.detail, exc.headers
    )


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return _error_response(400, ErrorCode.MALFORMED_JSON, "JSON 格式错误", "Malformed JSON")
    return _error_response(
        422,
        ErrorCode.INVALID_REQUEST,
        "请求内容不符合格式",
        "The request does not match the schema",
        validation_detail(errors),
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> set[str]:
    """Every method some route serves at this path (Starlette's 405 names only the first)."""
    allowed: set[str] = set()
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.routes):
            allowed.add(method)
    return allowed


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, ApiError):  # e.g. the body limit hit while FastAPI read a body
        return _api_error(request, exc.__cause__)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        allowed = _allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(sorted(allowed))
    return _error_response(
        exc.status_code, str(code), "请求无法处理", str(exc.detail), headers=headers or None
    )


_ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


def _describe_errors(schema: dict[str, Any]) -> None:
    """Make the description say what the server does: every 4xx body is `ErrorBody`; operations
    with a body can answer 400 (malformed), 413 (too large) and 422; secured ones 401 and 403."""
    schema["components"]["schemas"]["ErrorBody"] = ErrorBody.model_json_schema()
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            wanted: list[str] = []
            if "requestBody" in operation:
                wanted += ["400", "413", "422"]
            wanted += ["422"]  # any operation refuses query parameters it does not declare
            if operation.get("security"):
                wanted += ["401", "403"]
            for status in wanted:
                responses.setdefault(status, {"description": "Error"})
            for status, response in responses.items():
                if status.startswith("4") or status.startswith("5"):
                    response["content"] = _ERROR_REF
            for parameter in operation.get("parameters", []):
                if (
                    parameter.get("in") == "header"
                    and parameter.get("name") == HEADER_SCHEMA_VERSION
                ):
                    parameter["schema"] = {
                        "type": "integer",
                        "minimum": min(SUPPORTED_SCHEMA_VERSIONS),
                        "maximum": SCHEMA_VERSION,
                    }
    for unused in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(unused, None)


def _jiafang_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JiafangError)
    logger.error("unhandled %s error", exc.code)
    return _error_response(500, exc.code, exc.message_zh, exc.message_en)


def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    # The type only: messages of unexpected errors may carry data from the request.
    logger.error("unexpected %s while serving a request", type(exc).__name__)
    return _error_response(500, "internal", "服务器内部错误", "Internal server error")


_DECLARED_QUERY: dict[int, frozenset[str]] = {}


def _declared_query(route: APIRoute) -> frozenset[str]:
    names = _DECLARED_QUERY.get(id(route))
    if names is None:
        found: set[str] = set()
        pending: list[Dependant] = [route.dependant]
        while pending:
            dependant = pending.pop()
            found.update(field.alias for field in dependant.query_params)
            pending.extend(dependant.dependencies)
        names = frozenset(found)
        _DECLARED_QUERY[id(route)] = names
    return names


def reject_unknown_query(request: Request) -> None:
    """A query parameter no operation declares is refused, not ignored: a misspelt `since` or
    `limit` silently falling back to its default would pull the wrong page without a word."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    if request.method not in (route.methods or ()) or not route.include_in_schema:
        return  # answered 405 with its Allow header, whatever the query says
    unknown = sorted(set(request.query_params.keys()) - _declared_query(route))
    if unknown:
        raise ApiError(
            422,
            ErrorCode.INVALID_REQUEST,
            "请求包含无法识别的参数",
            "The request has query parameters this operation does not take",
            detail={"unknown_parameters": unknown[:10]},
        )


def create_app(settings: Settings, *, migrate: bool = True) -> FastAPI:
    engine = make_engine(settings.database_url)
    if migrate:
        run_migrations(engine)
    keys = ServerKeys.from_master(settings.master_key)
    context = ServerContext(
        settings=settings,
        engine=engine,
        keys=keys,
        authenticator=Authenticator(settings, keys),
        attachments=AttachmentStore(settings.attachments_dir, keys),
    )
    activity = RequestActivity()
    host = HostLoad()
    checks = VisitCheckWorker(engine, keys, lambda: activity.busy() or not host.has_spare_core())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        checks.start()
        try:
            yield
        finally:
            await asyncio.to_thread(checks.stop)

    application = FastAPI(
        lifespan=lifespan,
        title="Jiafang sync server",
        version=f"schema-{SCHEMA_VERSION}",
        description="Accounts, scoped sync, attachments and audit for Jiafang laptops.",
        dependencies=[Depends(reject_unknown_query)],
    )
    application.state.context = context
    application.state.visit_checks = checks
    application.add_middleware(BodyLimitMiddleware, limit=settings.max_request_bytes)
    concurrency = request_concurrency(engine, settings.active_requests)
    if concurrency is not None:
        # Added last, so outermost: a waiting request holds nothing yet.
        application.add_middleware(ConcurrencyLimitMiddleware, limit=concurrency)
    # Outermost: a request waiting for a slot keeps the checks waiting too.
    application.add_middleware(ActivityMiddleware, activity=activity)
    application.add_exception_handler(ApiError, _api_error)
    application.add_exception_handler(RequestValidationError, _validation_error)
    application.add_exception_handler(StarletteHTTPException, _http_error)
    application.add_exception_handler(JiafangError, _jiafang_error)
    application.add_exception_handler(Exception, _unexpected_error)
    for router in (
        health.router,
        auth.router,
        sync_routes.router,
        attachments.router,
        households.router,
        admin.router,
        tasks.router,
        reviews.router,
        clues.router,
        conflicts.router,
    ):
        application.include_router(router)

    def openapi() -> dict[str, Any]:
        if application.openapi_schema is None:
            schema = get_openapi(
                title=application.title,
                version=application.version,
                description=application.description,
                routes=application.routes,
            )
            # The push body is read by hand (gzip, size limit); describe it all the same.
            # So are the bodies read after the caller's checks (`bodies.json_body`).
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            documented: dict[str, type[BaseModel]] = {"PushRequest": PushRequest}
            for name, model in (documented | DOCUMENTED_BODIES).items():
                body_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(body_schema.pop("$defs", {}))
                components[name] = body_schema
            _describe_errors(schema)
            application.openapi_schema = schema
        return application.openapi_schema

    application.openapi = openapi  # type: ignore[method-assign]
    return application
