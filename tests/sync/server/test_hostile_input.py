"""Hostile input on every route: oversize bodies (declared and streamed), bodies that are not
UTF-8, JSON nested thousands deep, integers far past 64 bits, NUL characters in strings, and
paths or query values that are not identifiers. Each gets a clear 4xx in the error shape the
laptops read (`ErrorBody`), never a 500, and changes nothing."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from sync.protocol import META_FIELDS, SCHEMA_VERSION, Entity, ErrorBody
from sync.server.bodies import MAX_JSON_BODY
from tests.sync.server.conftest import PASSWORD, World, new_public_key
from tests.sync.server.test_tasks_authz import fill, fill_body, objects

#: A number no 64-bit column or Python-side bound takes.
HUGE = 10**40
#: Deeper than any JSON parser's recursion limit.
NESTED = b'{"a":' * 20_000 + b"1" + b"}" * 20_000
#: Bytes that are not UTF-8, inside an otherwise well-formed JSON object.
NOT_UTF8 = [b"\xff\xfe\xfd", b'{"username": "\xc3\x28", "password": "\xff"}']


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    #: who is let through to the body (None: anonymous)
    caller: str | None
    #: a body of the right shape (placeholders filled from the world); None: no JSON body
    body: dict[str, Any] | None = None
    query: dict[str, Any] = field(default_factory=dict)


def _mutation(**overrides: Any) -> dict[str, Any]:
    mutation = {
        "mutation_id": "{new}",
        "device_id": "{fw_a_device}",
        "entity": "household",
        "entity_id": "{new}",
        "base_version": 0,
        "op": "upsert",
        "changed": {"grid_id": "G1", "head_name": "Hostile", "address": "A"},
        "hlc": "0000000000000001:0000:{fw_a_device}",
        "schema_version": SCHEMA_VERSION,
    }
    return mutation | overrides


ROUTES: list[Route] = [
    Route(
        "POST",
        "/v1/auth/register-device",
        None,
        {"username": "fw_b", "password": PASSWORD, "public_key": "{key}", "name": "laptop"},
    ),
    Route(
        "POST",
        "/v1/auth/login",
        None,
        {"username": "fw_b", "password": PASSWORD, "device_id": "{device}"},
    ),
    Route(
        "POST",
        "/v1/auth/refresh",
        None,
        {"refresh_token": "{refresh}", "device_id": "{device}"},
    ),
    Route("POST", "/v1/auth/logout", "fw_b"),
    Route("POST", "/v1/sync/push", "fw_a", {"mutations": [_mutation()]}),
    Route("POST", "/v1/attachments/have", "fw_a", {"sha256s": ["0" * 64]}),
    Route("PUT", "/v1/attachments/" + "0" * 64, "fw_a", None, {"offset": 0, "size": 100}),
    Route("POST", "/v1/admin/devices/{fw_b_device}/revoke", "admin"),
    Route("POST", "/v1/admin/users/{fw_b}/revoke", "admin"),
    Route(
        "POST",
        "/v1/tasks",
        "sup_1",
        {
            "kind": "periodic_review",
            "household_ids": ["{H1}"],
            "assign_to": {"user_id": "{fw_a}"},
            "window_days": 3,
            "title": "hostile",
        },
    ),
    Route("POST", "/v1/tasks/{task}/close", "sup_1"),
    Route(
        "POST",
        "/v1/tasks/{task}/split",
        "aadm_a",
        {"shares": [{"user_id": "{con_a}", "household_ids": ["{H1}"]}]},
    ),
    Route(
        "POST",
        "/v1/spot-checks",
        "sup_1",
        {"region_id": "S1", "sample_size": 1, "inspector_count": 1, "seed": "hostile"},
    ),
    Route("POST", "/v1/visits/{visit}/review/start", "sup_1"),
    Route("POST", "/v1/visits/{visit}/approve", "sup_1", {"note": "hostile"}),
    Route(
        "POST",
        "/v1/visits/{visit}/return",
        "sup_1",
        {"comments": [{"field": "incomes", "comment": "hostile"}], "note": ""},
    ),
    Route("POST", "/v1/clues", "sup_1", {"id_number": "{id_number}", "kind": "vehicle"}),
    Route("POST", "/v1/clues/{clue}/link", "sup_1", {"member_id": "{M1}"}),
    Route("POST", "/v1/clues/{clue}/close", "sup_1", {"outcome": "refuted", "visit_id": "{visit}"}),
]


def _id(route: Route) -> str:
    return f"{route.method} {route.path}"


@dataclass
class Target:
    world: World
    ids: dict[str, str]

    def names(self) -> dict[str, str]:
        return {
            **self.ids,
            "device": self.world.accounts["fw_b"].device_id,
            "fw_b_device": self.world.accounts["fw_b"].device_id,
            "fw_a_device": self.world.accounts["fw_a"].device_id,
            "refresh": self.world.accounts["fw_b"].refresh_token,
        }

    def url(self, route: Route) -> str:
        return fill(self.world, self.names(), route.path)

    def body(self, template: Any) -> Any:
        """`template` with its placeholders filled, each `{new}` a fresh id."""
        names = self.names() | {"key": new_public_key()}
        text = json.dumps(template)
        text = text.replace("{new}", "NEW")  # each occurrence its own id below
        while "NEW" in text:
            text = text.replace("NEW", str(uuid.uuid4()), 1)
        return fill_body(self.world, names, json.loads(text))

    def send(
        self,
        route: Route,
        content: bytes | Iterator[bytes],
        *,
        url: str | None = None,
        query: dict[str, Any] | None = None,
    ) -> Any:
        headers = dict(self.world.accounts[route.caller].headers) if route.caller else {}
        headers["Content-Type"] = "application/json"
        return self.world.client.request(
            route.method,
            url or self.url(route),
            content=content,
            params=route.query if query is None else query,
            headers=headers,
        )


@pytest.fixture
def target(world: World) -> Target:
    ids = objects(world)
    ids["id_number"] = "110105194912310029"
    return Target(world, ids)


def assert_clear_refusal(response: Any, allowed: set[int], what: object) -> None:
    assert response.status_code in allowed, (what, response.status_code, response.text[:300])
    ErrorBody.model_validate(response.json())  # the error shape the laptops read


def _streamed(size: int) -> Iterator[bytes]:
    """`size` bytes sent chunked, without a Content-Length to refuse them up front."""
    chunk = b" " * 65_536
    sent = 0
    while sent < size:
        yield chunk
        sent += len(chunk)


def _variants(value: Any, replacement: Any) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(where, `value` with that one leaf replaced), for every string and number leaf."""
    if isinstance(value, dict):
        for key, item in value.items():
            for where, variant in _variants(item, replacement):
                yield (key, *where), value | {key: variant}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for where, variant in _variants(item, replacement):
                yield (index, *where), [*value[:index], variant, *value[index + 1 :]]
    elif not isinstance(value, bool):
        yield (), replacement(value)


def _with_nul(value: Any) -> Any:
    return f"{value}\x00x" if isinstance(value, str) else "\x00"


def _huge(value: Any) -> Any:
    return -HUGE if isinstance(value, int) and value == 0 else HUGE


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_oversize_bodies_are_a_413(target: Target, route: Route) -> None:
    limit = target.world.context.settings.max_request_bytes
    declared = target.send(route, b" " * (limit + 1))
    assert_clear_refusal(declared, {413}, "declared")
    assert declared.json()["code"] == "payload_too_large"
    streamed = target.send(route, _streamed(limit + 1))
    assert_clear_refusal(streamed, {413}, "streamed")
    if route.path != "/v1/sync/push" and route.method != "PUT":
        # Every other body but an attachment chunk, and whatever is sent to a write that takes
        # none, has its own, smaller limit.
        assert_clear_refusal(target.send(route, _streamed(MAX_JSON_BODY + 1)), {413}, "json")
    # Refused before anything happened: fw_b is still signed in and not revoked, the task open.
    world = target.world
    assert world.get("fw_b", "/v1/me").status_code == 200
    assert world.get("sup_1", f"/v1/tasks/{target.ids['task']}").json()["status"] == "open"


def test_a_nul_is_kept_in_encrypted_content_and_rejected_in_clear_fields(world: World) -> None:
    """A push answers per mutation: a NUL in record content is stored (encrypted) exactly as
    sent; a NUL in a field the server keeps in the clear rejects that mutation alone."""
    content, clear = str(uuid.uuid4()), str(uuid.uuid4())
    fields = {"grid_id": "G1", "head_name": "Zhang\x00San", "address": "A"}
    results = world.push(
        "fw_a",
        [
            world.mutation("fw_a", "household", content, fields),
            world.mutation("fw_a", "household", clear, fields | {"grid_id": "G1\x00"}),
        ],
    )["results"]
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert results[1]["reason"] == "invalid_fields"
    detail = world.get("fw_a", f"/v1/households/{content}")
    assert detail.status_code == 200, detail.text
    assert detail.json()["household"]["data"]["head_name"] == "Zhang\x00San"
    assert world.get("fw_a", f"/v1/households/{clear}").status_code == 404


@pytest.mark.parametrize("route", [r for r in ROUTES if r.body is not None], ids=_id)
def test_broken_bodies_are_a_400_or_422(target: Target, route: Route) -> None:
    for content in [*NOT_UTF8, NESTED, b"\x00", b'{"a": 1}\x00']:
        response = target.send(route, content)
        assert_clear_refusal(response, {400, 422}, content[:40])
    # Well-formed bodies with a NUL character in any one string, or a huge integer in any one
    # value, nested ones included: refused, never stored.
    for replacement in (_with_nul, _huge):
        for where, variant in _variants(route.body, replacement):
            response = target.send(route, json.dumps(target.body(variant)).encode())
            if route.path == "/v1/sync/push" and response.status_code == 200:
                # A push answers per mutation, so a laptop is never stuck with a batch the
                # server refuses whole: the mutation is rejected, unless the value is record
                # content, which is stored encrypted exactly as sent.
                content = where[2] == "changed" and where[3] not in META_FIELDS[Entity.HOUSEHOLD]
                (result,) = response.json()["results"]
                expected = "applied" if content else "rejected"
                assert result["status"] == expected, (where, response.text)
                continue
            assert_clear_refusal(response, {400, 401, 404, 409, 422}, variant)


#: Path segments that are not identifiers of anything: not a UUID, NUL, traversal, very long,
#: not ASCII, percent-encoded bytes that are not UTF-8.
BAD_SEGMENTS = ["not-a-uuid", "%00", "a%00b", "..%2F..%2Fetc", "x" * 5000, "任务", "%FF%FE", " "]
PATH_ROUTES = [
    ("GET", "/v1/tasks/{}", "sup_1"),
    ("POST", "/v1/tasks/{}/close", "sup_1"),
    ("POST", "/v1/tasks/{}/split", "aadm_a"),
    ("GET", "/v1/spot-checks/{}", "sup_1"),
    ("GET", "/v1/households/{}", "sup_1"),
    ("POST", "/v1/visits/{}/review/start", "sup_1"),
    ("POST", "/v1/visits/{}/approve", "sup_1"),
    ("POST", "/v1/visits/{}/return", "sup_1"),
    ("GET", "/v1/visits/{}/reviews", "sup_1"),
    ("GET", "/v1/clues/{}", "sup_1"),
    ("POST", "/v1/clues/{}/link", "sup_1"),
    ("POST", "/v1/clues/{}/close", "sup_1"),
    ("POST", "/v1/admin/devices/{}/revoke", "admin"),
    ("POST", "/v1/admin/users/{}/revoke", "admin"),
    ("GET", "/v1/attachments/{}", "fw_a"),
    ("GET", "/v1/attachments/{}/offset", "fw_a"),
    ("PUT", "/v1/attachments/{}", "fw_a"),
]


@pytest.mark.parametrize(("method", "path", "caller"), PATH_ROUTES, ids=lambda v: str(v))
def test_paths_that_name_nothing_are_a_404_or_422(
    target: Target, method: str, path: str, caller: str
) -> None:
    route = Route(method, path, caller)
    for segment in BAD_SEGMENTS:
        response = target.send(route, b"{}", url=path.replace("{}", segment))
        assert_clear_refusal(response, {404, 405, 422}, segment)


#: Query values: huge, negative, NUL, not a number.
QUERY_ROUTES = [
    ("GET", "/v1/sync/pull", "fw_a", {"bucket": "grid:G1", "since": 0, "limit": 10}),
    ("GET", "/v1/sync/checksum", "fw_a", {"bucket": "grid:G1"}),
    ("GET", "/v1/households", "sup_1", {"limit": 10, "offset": 0}),
    ("GET", "/v1/clues", "sup_1", {"status": "open"}),
    ("PUT", "/v1/attachments/" + "0" * 64, "fw_a", {"offset": 0, "size": 100}),
]


@pytest.mark.parametrize(("method", "path", "caller", "query"), QUERY_ROUTES, ids=lambda v: str(v))
def test_hostile_query_values_are_a_4xx(
    target: Target, method: str, path: str, caller: str, query: dict[str, Any]
) -> None:
    route = Route(method, path, caller)
    for name in query:
        for value in (str(HUGE), str(-HUGE), "\x00", "grid:G1\x00", "1e400", "NaN", "x" * 5000):
            response = target.send(route, b"x", query=query | {name: value})
            assert_clear_refusal(response, {400, 403, 404, 409, 416, 422}, (name, value))


#: Header values the server reads as numbers: more digits than Python converts by default, a
#: digit that is not ASCII, a number past 64 bits.
NUMBER_HEADERS = [b"9" * 5000, b"\xb2", str(HUGE).encode()]


def test_hostile_numeric_headers_are_a_4xx(target: Target) -> None:
    world = target.world
    photo = b"a photo of the kitchen " * 100
    sha = hashlib.sha256(photo).hexdigest()
    upload = world.client.put(
        f"/v1/attachments/{sha}",
        params={"offset": 0, "size": len(photo)},
        content=photo,
        headers=world.accounts["fw_a"].headers,
    )
    assert upload.status_code == 200 and upload.json()["complete"], upload.text
    for value in NUMBER_HEADERS:
        pull = world.client.get(
            "/v1/sync/pull",
            params={"bucket": "grid:G1"},
            headers=world.accounts["fw_a"].headers | {"X-Jiafang-Schema-Version": value},
        )
        assert_clear_refusal(pull, {400}, ("schema", value))
        ranged = world.client.get(
            f"/v1/attachments/{sha}",
            headers=world.accounts["fw_a"].headers | {"Range": b"bytes=" + value + b"-"},
        )
        # A range starting past the end, or a header that is no range: never a 500.
        if ranged.status_code == 200:
            assert ranged.content == photo
        else:
            assert_clear_refusal(ranged, {416}, ("range", value))
        login = world.client.post(
            "/v1/auth/login",
            content=b"{}",
            headers={"Content-Type": "application/json", "Content-Length": value},
        )
        assert login.status_code < 500, ("content-length", value)
