from __future__ import annotations

import pytest

from app.domain import Role
from app.exports import ExportForbiddenError, ensure_may_export


@pytest.mark.parametrize("role", [Role.FIELD_WORKER, Role.SUPERVISOR, Role.ADMIN, "supervisor"])
def test_staff_of_the_civil_affairs_office_may_export(role: Role | str) -> None:
    ensure_may_export(role)


@pytest.mark.parametrize("role", [Role.CONTRACTOR, Role.AGENCY_ADMIN, "contractor"])
def test_contractors_are_refused_with_a_bilingual_message(role: Role | str) -> None:
    with pytest.raises(ExportForbiddenError) as caught:
        ensure_may_export(role)
    assert caught.value.code == "export_forbidden"
    assert caught.value.message_en == "Contractors cannot export or print personal data"
    assert "第三方机构" in caught.value.message_zh


@pytest.mark.parametrize("role", ["", "guest", "SUPERVISOR "])
def test_unknown_roles_are_refused(role: str) -> None:
    with pytest.raises(ExportForbiddenError):
        ensure_may_export(role)
