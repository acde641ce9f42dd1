"""Who may take personal data out of the app: the one check every export and printout calls.

Third-party agencies verify households on contract and see them only while their task is open
(domain.md, "Privacy rules"); a spreadsheet or a printout would outlive the task and the key
shredding that ends it, so agency staff — contractors and their coordinator alike — may neither
export nor print. Unknown roles are refused too: the check is deny-by-default like the server's.
"""

from __future__ import annotations

import logging
from typing import Final

from app.domain import Role
from app.errors import JiafangError

logger = logging.getLogger(__name__)

#: roles that may write ledgers, public-notice lists and printable forms
EXPORT_ROLES: Final[frozenset[Role]] = frozenset({Role.FIELD_WORKER, Role.SUPERVISOR, Role.ADMIN})


class ExportForbiddenError(JiafangError):
    """The signed-in role may not export or print personal data."""

    code = "export_forbidden"


class PublicNoticeLeakError(JiafangError):
    """Something that must never be published reached the public-notice list."""

    code = "public_notice_leak"


def ensure_may_export(role: Role | str) -> None:
    """Raise `ExportForbiddenError` unless `role` may export or print personal data."""
    try:
        known = Role(role)
    except ValueError:
        known = None
    if known in EXPORT_ROLES:
        return
    logger.info("export refused for role %s", role)
    if known in (Role.CONTRACTOR, Role.AGENCY_ADMIN):
        raise ExportForbiddenError(
            "第三方机构人员不能导出或打印个人信息",
            "Contractors cannot export or print personal data",
        )
    raise ExportForbiddenError(
        "当前角色不能导出或打印个人信息",
        "This role cannot export or print personal data",
    )
