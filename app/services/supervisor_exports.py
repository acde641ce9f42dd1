"""The supervisor's export buttons: the ledger (台账), the public-notice list (公示) and the clue
ledger, built from this laptop's records through `app.exports` (which refuses contractors and
agency staff before anything is read)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from app.domain import AssistanceCategory
from app.errors import JiafangError
from app.exports.clue_ledger import clue_ledger_row, write_clue_ledger
from app.exports.gate import ensure_may_export
from app.exports.ledger import ledger_row, write_ledger
from app.exports.public_notice import public_notice_entry, write_public_notice
from app.models.views import VisitView
from app.services.session import AccountSession

logger = logging.getLogger(__name__)


_COMMUNITY = re.compile(r"^(.*?(?:社区|村))")
_HOUSE_PART = re.compile(r"[0-9０-９号室栋幢组]|单元")


def community_of(address: str) -> str:
    """The community (社区) or village (村) part of an address, else the address cut before
    its first house-level part: the public notice names where, never the door."""
    found = _COMMUNITY.match(address)
    if found:
        return found.group(1)
    return _HOUSE_PART.split(address, maxsplit=1)[0].strip()


def _latest(visits: tuple[VisitView, ...]) -> VisitView | None:
    return visits[0] if visits else None  # the household file lists visits newest first


def export_ledger(session: AccountSession, path: str | Path) -> Path:
    role = session.profile.role
    ensure_may_export(role)
    rows = []
    for item in session.households():
        file = session.household_file(item.household_id)
        rows.append(
            ledger_row(
                file.household,
                grid_name=item.grid_id,
                latest_visit=_latest(file.visits),
                decision=file.eligibility,
            )
        )
    return write_ledger(path, rows, role=role)


def export_public_notice(session: AccountSession, path: str | Path) -> Path:
    """Households with an assistance category and a computed benefit; masking is done by the
    writer (it also refuses any cell that would leak a full ID number or health detail)."""
    role = session.profile.role
    ensure_may_export(role)
    entries = []
    for item in session.households():
        file = session.household_file(item.household_id)
        decision = file.eligibility
        category = file.household.category or (decision.category if decision else None)
        if decision is None or category in (None, AssistanceCategory.NOT_ELIGIBLE):
            continue
        try:
            entries.append(
                public_notice_entry(
                    file.household,
                    community=community_of(file.household.content.address),
                    monthly_amount=decision.monthly_benefit,
                    category=category,
                )
            )
        except JiafangError as exc:
            logger.info("household left off the public notice: %s", exc.code)
    return write_public_notice(path, entries, role=role)


def export_clue_ledger(session: AccountSession, path: str | Path) -> Path:
    role = session.profile.role
    ensure_may_export(role)
    store = session.records
    rows = []
    for clue in store.list_clues():
        household = store.get_household(clue.household_id)
        visit_id = clue.data.get("visit_id")
        closing = None
        if isinstance(visit_id, str):
            try:
                closing = store.get_visit(visit_id)
            except JiafangError:
                closing = None
        rows.append(
            clue_ledger_row(
                clue,
                grid_name=household.grid_id,
                head_name=household.content.head_name,
                closing_visit=closing,
            )
        )
    return write_clue_ledger(path, rows, role=role)
