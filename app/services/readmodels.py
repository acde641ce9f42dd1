"""Read models the UI receives from the services: frozen, plain, no store or Qt objects.

They hold decrypted values and stay in memory only: personal fields are left out of `repr` so a
read model that lands in a log line or a traceback shows no name or ID number.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from pypinyin import Style, lazy_pinyin

from app.domain import AssistanceCategory, ClueKind, ClueStatus, HouseholdStatus, VisitKind
from app.models.views import ClueView, HouseholdView, MemberView, VisitView
from app.policy.decision import EligibilityDecision


def looks_like_id_number(text: str) -> bool:
    """15 or 18 characters of digits (the last may be X): search by ID number, not by name."""
    cleaned = normalise_query(text)
    if len(cleaned) not in (15, 18):
        return False
    return cleaned[:-1].isdigit() and (cleaned[-1].isdigit() or cleaned[-1] == "x")


def normalise_query(text: str) -> str:
    """Full-width to half-width, case-folded, blanks removed: what the user means, not typed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(folded.split())


#: pinyin with the tone as a digit, by character: worked out once per character, as a whole-string
#: conversion (phrase lookups) takes ~16 s for 100,000 households and this takes ~0.3 s
_SYLLABLES: dict[str, str] = {}
#: surnames read otherwise than the character's most common reading (单 shàn, not dān)
_SURNAMES: dict[str, str] = {
    "单": "shan4",
    "曾": "zeng1",
    "解": "xie4",
    "仇": "qiu2",
    "区": "ou1",
    "查": "zha1",
    "朴": "piao2",
    "盖": "ge3",
    "尉": "yu4",
    "缪": "miao4",
    "翟": "zhai2",
    "乐": "yue4",
    "覃": "qin2",
    "华": "hua4",
    "召": "shao4",
}
#: between syllables, below every digit and letter: "a" sorts before "ai", "li" before "lin"
_SYLLABLE_END = "\x01"


def _syllable(char: str) -> str:
    syllable = _SYLLABLES.get(char)
    if syllable is None:
        syllable = lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True)[0]
        syllable = _SYLLABLES[char] = syllable.casefold()
    return syllable


def pinyin_sort_key(text: str, *, name: bool = False) -> str:
    """A key that sorts Chinese text in pinyin order (阿, 李, 王, 张, 赵), tone by tone, then by
    character; other characters by themselves, case-folded. `name`: the first character is a
    surname, read as one."""
    syllables = [_syllable(char) for char in text]
    if name and text and text[0] in _SURNAMES:
        syllables[0] = _SURNAMES[text[0]]
    return _SYLLABLE_END.join(syllables) + "\x00" + text


@dataclass(frozen=True)
class HouseholdListItem:
    """One row of the household list."""

    household_id: str
    grid_id: str
    head_name: str = field(repr=False)
    address: str = field(repr=False)
    member_count: int
    status: HouseholdStatus
    category: AssistanceCategory | None
    next_review: date | None
    #: names of the other members (a search for a child's name finds the family)
    member_names: tuple[str, ...] = field(default=(), repr=False)
    open_clues: int = 0

    def matches(self, query: str) -> bool:
        """The head's or a member's name, or the address, contains the query.

        ID numbers are not held in the list (they are looked up exactly through the store's
        blind index, see `AccountSession.find_households_by_id_number`).
        """
        needle = normalise_query(query)
        return not needle or needle in self.search_text

    @cached_property
    def review_key(self) -> date:
        """The next review as a sort key: none planned sorts last."""
        return self.next_review or date.max

    @cached_property
    def head_sort_key(self) -> str:
        """The head's name in pinyin order (worked out by the loader, like `search_text`)."""
        return pinyin_sort_key(self.head_name, name=True)

    @cached_property
    def address_sort_key(self) -> str:
        return pinyin_sort_key(self.address)

    @cached_property
    def search_text(self) -> str:
        """The names and the address, normalised and joined: what a search looks in. Worked
        out once per item, by the loader off the GUI thread (`AccountSession.households`)."""
        texts = (self.head_name, self.address, *self.member_names)
        return "\x00".join(normalise_query(text) for text in texts)

    def review_due_by(self, on: date) -> bool:
        return self.next_review is not None and self.next_review <= on


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows about sync; the sync engine fills it, the UI only reads it."""

    online: bool = False
    syncing: bool = False
    #: (done, total) of the running sync, when known
    progress: tuple[int, int] | None = None
    waiting: int = 0
    conflicts: int = 0
    rejected: int = 0
    last_synced_at: datetime | None = None
    error_code: str | None = None
    #: the offline lease: "none" (not issued yet), "valid", "expired", "clock_turned_back"
    lease_state: str = "none"
    #: when it lapses, on this laptop's clock
    lease_expires_at: datetime | None = None


@dataclass(frozen=True)
class LeaseStatus:
    """The offline lease as the screens show it (`AccountSession.lease_status`)."""

    #: "none" (not issued yet: nothing enforced), "valid", "expired", "clock_turned_back"
    state: str = "none"
    #: when it lapses, on this laptop's clock
    expires_at: datetime | None = None
    #: a contractor's households leave the laptop when it lapses
    purges_on_lapse: bool = False

    @property
    def lapsed(self) -> bool:
        return self.state in ("expired", "clock_turned_back")


@dataclass(frozen=True)
class HouseholdFile:
    """Everything the household file screen shows, loaded in one background job."""

    household: HouseholdView = field(repr=False)
    members: tuple[MemberView, ...] = field(repr=False)
    #: newest first
    visits: tuple[VisitView, ...] = field(repr=False)
    clues: tuple[ClueView, ...] = field(repr=False)
    #: the result computed from the latest visit with data, under the policy in force
    eligibility: EligibilityDecision | None = field(default=None, repr=False)


@dataclass(frozen=True)
class TaskItem:
    """An open verification task with its progress (households visited / households)."""

    task_id: str
    title: str
    kind: str
    deadline: date | None
    done: int
    total: int
    household_ids: tuple[str, ...] = ()

    def overdue(self, on: date) -> bool:
        return self.deadline is not None and self.deadline < on


@dataclass(frozen=True)
class ReturnedVisitItem:
    """A visit a reviewer sent back to this laptop's author, waiting for its correction."""

    visit_id: str
    household_id: str
    kind: VisitKind
    visit_date: date | None
    revision: int
    #: how many comments the reviewer pinned to fields in the return
    comment_count: int
    head_name: str = field(default="", repr=False)
    address: str = field(default="", repr=False)


@dataclass(frozen=True)
class HomeSummary:
    """The home screen's counts and lists for the signed-in worker."""

    household_count: int
    #: households whose next review falls within the horizon (overdue ones first)
    reviews_due: tuple[HouseholdListItem, ...]
    open_clue_count: int
    #: open tasks, earliest deadline first
    tasks: tuple[TaskItem, ...] = ()
    #: returned visits without a revision yet, oldest visit first
    returned: tuple[ReturnedVisitItem, ...] = ()
    #: the open clues (the clue ledger's rows), oldest first
    open_clues: tuple[ClueListItem, ...] = ()


@dataclass(frozen=True)
class ClueListItem:
    """One row of the clue ledger."""

    clue_id: str
    household_id: str
    kind: ClueKind
    status: ClueStatus
    head_name: str = field(repr=False)
    member_name: str = field(default="", repr=False)
    address: str = field(default="", repr=False)
    detail: str = field(default="", repr=False)
    found_on: date | None = None


@dataclass(frozen=True)
class FieldClash:
    """One field changed on two sides: the value the server kept and the other one."""

    name: str
    kept: str = field(repr=False)
    other: str = field(repr=False)


@dataclass(frozen=True)
class ConflictItem:
    """A conflict raised by the server, for the list where the user sees both values."""

    conflict_id: str
    household_id: str | None
    head_name: str = field(repr=False)
    entity: str
    entity_id: str
    clashes: tuple[FieldClash, ...] = field(repr=False)


@dataclass(frozen=True)
class RejectedItem:
    """A change the server refused (quarantined on the laptop, never silently dropped)."""

    mutation_id: str
    entity: str
    entity_id: str
    head_name: str = field(repr=False)
    reason: str
    fields: tuple[str, ...]
    #: its household left the user's reach (a closed task) and leaves the laptop once the
    #: refusal is dismissed
    withdrawn: bool = False


@dataclass(frozen=True)
class PolicyNotice:
    """The policy this laptop ships differs from the one the server evaluates with for the same
    region and day (the server's recomputation will then likely flag the visit): the laptop's
    policy and version against the server's reference (`server_*` None: the server has none in
    force there)."""

    laptop_policy_id: str | None
    laptop_version: str | None
    server_policy_id: str | None
    server_version: str | None
