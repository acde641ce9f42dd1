"""In-memory name/address search, built from the decrypted search chunks at unlock.

Substring search over ~100,000 households must answer in milliseconds without decrypting
anything per query: the searchable texts of all households are joined into one string per kind
(names, places) and `str.find` (C speed) walks it; a bisect maps a hit back to its household.
Households edited since the strings were built are searched separately and the strings are
rebuilt lazily once many have changed, so an edit never costs a full rebuild.

On disk the entries are kept in chunks of up to `CHUNK_SIZE` households, one envelope per chunk
under the store-wide index key, so unlock decrypts a few hundred envelopes instead of one per
household. New households fill the newest chunk, so a pull page of new households rewrites one or
two chunks; a chunk is only rewritten when a name or address in it changed.

Unlock must be fast at 100,000 households, so it does as little per household as possible: a
chunk record stays an unparsed list of strings until something needs its `SearchEntry` (a result
row, an edit), and the haystacks are built from those strings directly.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from operator import itemgetter

from app.domain import AssistanceCategory, HouseholdStatus
from app.models.views import HouseholdSummary

#: Rebuild the joined strings once this many households changed since they were built.
_REBUILD_AFTER = 2000
#: Households per encrypted chunk: ~60 KiB of text, cheap to rewrite, few to decrypt at unlock.
CHUNK_SIZE = 256
_SEPARATOR = "\x00"
# Chunk text format: records separated by RS, fields by US, list items by GS. These control
# characters never belong in a name or address and are replaced by spaces on the way in.
_RS, _US, _GS = "\x1e", "\x1f", "\x1d"
_CONTROL = str.maketrans({_RS: " ", _US: " ", _GS: " ", _SEPARATOR: " "})
CHUNK_FORMAT = "S2"
#: Full-width ASCII forms and the ideographic space, the usual non-NFKC characters in Chinese
#: addresses (e.g. "（", "１号"): replacing just those spares the much slower NFKC pass.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def _half_width(match: re.Match[str]) -> str:
    char = match.group()
    return " " if char == "\u3000" else chr(ord(char) - 0xFEE0)


#: (grid_id, status, category, next_review) of a household row
Meta = tuple[str | None, str | None, str | None, str | None]


def fold(text: str) -> str:
    """Search form: full-width to half-width (NFKC) and case-folded."""
    text = _FULL_WIDTH.sub(_half_width, text)
    if not unicodedata.is_normalized("NFKC", text):  # the cheap check spares most texts
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


def _names_text(head: str, names: str) -> str:
    """Member names (GS-joined) plus the head's name unless the head is also a member."""
    if not names:
        return head
    if names == head or names.startswith(head + _GS) or (_GS + head + _GS) in (_GS + names + _GS):
        return names
    return f"{head}{_GS}{names}"


def _places_text(address: str, registered: str, actual: str) -> str:
    text = address
    if actual and actual != address:
        text = f"{text}{_GS}{actual}"
    if registered and registered not in (address, actual):
        text = f"{text}{_GS}{registered}"
    return text


@dataclass(slots=True)
class SearchEntry:
    """What the index knows of one household (names and addresses are personal: memory only)."""

    head_name: str = ""
    address: str = ""
    registered_residence: str = ""
    actual_residence: str = ""
    #: member id -> name
    members: dict[str, str] = field(default_factory=dict)
    # Plaintext meta (from the household row); None while only members have arrived.
    grid_id: str | None = None
    status: str | None = None
    category: str | None = None
    next_review: str | None = None

    @property
    def listed(self) -> bool:
        return self.grid_id is not None and self.status is not None

    @property
    def meta(self) -> Meta:
        return (self.grid_id, self.status, self.category, self.next_review)

    def names_text(self) -> str:
        names = _GS.join(n.translate(_CONTROL) for n in self.members.values())
        return _names_text(self.head_name.translate(_CONTROL), names)

    def places_text(self) -> str:
        return _places_text(
            self.address.translate(_CONTROL),
            self.registered_residence.translate(_CONTROL),
            self.actual_residence.translate(_CONTROL),
        )

    def to_record(self, household_id: str) -> str:
        """One record of the chunk text: hid, head, address, registered, actual, ids, names."""
        fields = (
            household_id,
            self.head_name.translate(_CONTROL),
            self.address.translate(_CONTROL),
            self.registered_residence.translate(_CONTROL),
            self.actual_residence.translate(_CONTROL),
            _GS.join(self.members),
            _GS.join(n.translate(_CONTROL) for n in self.members.values()),
        )
        return _US.join(fields)

    @classmethod
    def from_fields(cls, fields: Sequence[str], meta: Meta | None) -> SearchEntry:
        _, head, address, registered, actual, mids, names = fields
        members = dict(zip(mids.split(_GS), names.split(_GS), strict=True)) if mids else {}
        grid_id, status, category, next_review = meta or (None, None, None, None)
        return cls(
            head, address, registered, actual, members, grid_id, status, category, next_review
        )

    def same_text(self, other: SearchEntry) -> bool:
        return (
            self.head_name == other.head_name
            and self.address == other.address
            and self.registered_residence == other.registered_residence
            and self.actual_residence == other.actual_residence
            and self.members == other.members
        )

    def copy(self) -> SearchEntry:
        return SearchEntry(
            self.head_name,
            self.address,
            self.registered_residence,
            self.actual_residence,
            dict(self.members),
            self.grid_id,
            self.status,
            self.category,
            self.next_review,
        )


def encode_chunk(records: Iterable[str]) -> bytes:
    return (CHUNK_FORMAT + _RS + _RS.join(records)).encode("utf-8")


def decode_chunk(data: bytes) -> list[list[str]]:
    """The records of a chunk as field lists (not parsed further: see the module docstring)."""
    head, _, body = data.decode("utf-8").partition(_RS)
    if head != CHUNK_FORMAT:
        raise ValueError("unknown search chunk format")
    if not body:
        return []
    records = [record.split(_US) for record in body.split(_RS)]
    if set(map(len, records)) != {7}:
        raise ValueError("malformed search chunk record")
    return records


class SearchIndex:
    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        #: household id -> chunk record fields, until parsed into `_parsed`
        self._raw: dict[str, list[str]] = {}
        self._parsed: dict[str, SearchEntry] = {}
        #: household id -> meta, for households whose row exists (the listed ones)
        #: household id -> its listing row (id, grid, status, category, next review), for the
        #: households whose row exists (the listed ones); rows are kept as fetched (no copies)
        self._meta: dict[str, Meta5] = {}
        #: household id -> chunk id, and the reverse
        self.chunk_of: dict[str, int] = {}
        self.chunk_members: dict[int, set[str]] = {}
        self._member_household: dict[str, str] | None = None
        self._names = _Haystack()
        self._places = _Haystack()
        self._stale: set[str] = set()
        #: folded (names, places) of households changed since the haystacks were built
        self._stale_text: dict[str, tuple[str, str]] = {}
        #: changed households whose folded text is not made yet (folded at the next search, so a
        #: bulk pull that ends in a rebuild anyway never folds them one by one)
        self._unfolded: dict[str, None] = {}

    def load(self, chunks: Iterable[tuple[int, list[list[str]]]], metas: Iterable[Meta5]) -> None:
        """Fill the index from decoded chunks and the (id, grid, status, category, review)
        rows of the household table."""
        raw = self._raw = {}
        chunk_of = self.chunk_of = {}
        chunk_members = self.chunk_members = {}
        for cid, records in chunks:
            ids = [r[0] for r in records]
            raw.update(zip(ids, records, strict=True))
            chunk_of.update(dict.fromkeys(ids, cid))
            chunk_members[cid] = set(ids)
        rows = list(metas)
        self._meta = dict(zip(map(itemgetter(0), rows), rows, strict=True))
        self._parsed = {}
        self._member_household = None  # built on first use: unlock does not need it
        self._rebuild()

    def missing(self) -> list[str]:
        """Households with a row but no search entry (to be rebuilt from their records)."""
        return [hid for hid in self._meta if hid not in self._raw and hid not in self._parsed]

    # ------------------------------------------------------------------ entries

    def get(self, household_id: str) -> SearchEntry | None:
        entry = self._parsed.get(household_id)
        if entry is None:
            fields = self._raw.pop(household_id, None)
            if fields is None:
                return None
            row = self._meta.get(household_id)
            entry = SearchEntry.from_fields(fields, row[1:] if row else None)
            self._parsed[household_id] = entry
        return entry

    def __contains__(self, household_id: str) -> bool:
        return household_id in self._parsed or household_id in self._raw

    def meta(self, household_id: str) -> Meta | None:
        row = self._meta.get(household_id)
        return row[1:] if row else None

    def listed_ids(self) -> Iterator[str]:
        yield from self._meta

    def open_chunk(self) -> tuple[int, int]:
        """(id, size) of the chunk new households go to."""
        if not self.chunk_members:
            return 1, 0
        newest = max(self.chunk_members)
        return newest, len(self.chunk_members[newest])

    def _members_map(self) -> dict[str, str]:
        if self._member_household is None:
            mapping: dict[str, str] = {}
            for hid, fields in self._raw.items():
                if fields[5]:
                    mapping.update(dict.fromkeys(fields[5].split(_GS), hid))
            for hid, entry in self._parsed.items():
                mapping.update(dict.fromkeys(entry.members, hid))
            self._member_household = mapping
        return self._member_household

    def household_of_member(self, member_id: str) -> str | None:
        return self._members_map().get(member_id)

    def put(self, household_id: str, entry: SearchEntry, chunk_id: int | None = None) -> None:
        mapping = self._members_map()
        old = self.get(household_id)
        if old is not None:
            for mid in old.members:
                if mapping.get(mid) == household_id:
                    del mapping[mid]
        self._parsed[household_id] = entry
        for mid in entry.members:
            mapping[mid] = household_id
        if entry.listed:
            self._meta[household_id] = (household_id, *entry.meta)
        else:
            self._meta.pop(household_id, None)
        if chunk_id is not None:
            self.chunk_of[household_id] = chunk_id
            self.chunk_members.setdefault(chunk_id, set()).add(household_id)
        self._touch(household_id)

    def remove(self, household_id: str) -> None:
        mapping = self._members_map()
        old = self.get(household_id)
        self._parsed.pop(household_id, None)
        self._meta.pop(household_id, None)
        if old is not None:
            for mid in old.members:
                if mapping.get(mid) == household_id:
                    del mapping[mid]
        cid = self.chunk_of.pop(household_id, None)
        if cid is not None:
            members = self.chunk_members.get(cid)
            if members is not None:
                members.discard(household_id)
                if not members:
                    del self.chunk_members[cid]
        self._touch(household_id)

    def _touch(self, household_id: str) -> None:
        # Rebuilding is left to the next search, so a bulk pull does not rebuild again and again.
        self._stale.add(household_id)
        self._stale_text.pop(household_id, None)
        self._unfolded.pop(household_id, None)  # re-added last: most recent change last
        self._unfolded[household_id] = None

    def _fold_stale(self) -> None:
        for hid in self._unfolded:
            entry = self._parsed.get(hid)
            if entry is not None and entry.listed:
                self._stale_text[hid] = (fold(entry.names_text()), fold(entry.places_text()))
        self._unfolded = {}

    # ------------------------------------------------------------------ search

    def _rebuild(self) -> None:
        ids: list[str] = []
        names: list[str] = []
        places: list[str] = []
        raw, parsed = self._raw, self._parsed
        for hid in self._meta:
            fields = raw.get(hid)
            if fields is not None:
                # Inlined `_names_text`/`_places_text` for the usual case: this loop runs once per
                # household at unlock.
                _, head, address, registered, actual, _, member_names = fields
                if member_names.startswith(head):
                    names.append(member_names)
                else:
                    names.append(_names_text(head, member_names))
                if actual == address and registered in ("", address):
                    places.append(address)
                else:
                    places.append(_places_text(address, registered, actual))
            else:
                entry = parsed.get(hid)
                if entry is None:
                    continue
                names.append(entry.names_text())
                places.append(entry.places_text())
            ids.append(hid)
        self._names = _Haystack.build(ids, names)
        self._places = _Haystack.build(ids, places)
        self._stale = set()
        self._stale_text = {}
        self._unfolded = {}

    def search(self, query: str, limit: int, *, places: bool = True) -> list[str]:
        """Ids of listed households with `query` in a member's name (or, with `places`, in an
        address or residence): names first."""
        needle = fold(query.strip())
        if not needle or limit <= 0 or any(c in needle for c in (_SEPARATOR, _GS)):
            return []
        if len(self._stale) > _REBUILD_AFTER:
            self._rebuild()
        elif self._unfolded:
            self._fold_stale()
        found: dict[str, None] = {}
        # Recently changed households first: their snapshot text is out of date.
        for hid, (names, place_text) in self._stale_text.items():
            if needle in names or (places and needle in place_text):
                found[hid] = None
                if len(found) >= limit:
                    return list(found)
        self._names.scan(needle, limit, self._stale, found)
        if places and len(found) < limit:
            self._places.scan(needle, limit, self._stale, found)
        return list(found)

    def summaries(self, ids: Iterable[str]) -> list[HouseholdSummary]:
        return [self.summary(hid) for hid in ids]

    def summary(self, household_id: str) -> HouseholdSummary:
        entry = self.get(household_id)
        row = self._meta.get(household_id)
        if entry is None or row is None:
            raise KeyError(household_id)
        _, grid_id, status, category, next_review = row
        return HouseholdSummary(
            household_id=household_id,
            grid_id=grid_id or "",
            head_name=entry.head_name,
            address=entry.address,
            member_count=len(entry.members),
            status=HouseholdStatus(status or HouseholdStatus.ACTIVE),
            category=AssistanceCategory(category) if category else None,
            next_review=date.fromisoformat(next_review) if next_review else None,
        )


#: (household id, grid_id, status, category, next_review): a row of the household listing
Meta5 = tuple[str, str | None, str | None, str | None, str | None]


class _Haystack:
    """Folded texts joined into one string; `str.find` walks it at C speed."""

    def __init__(
        self, text: str = "", starts: list[int] | None = None, ids: list[str] | None = None
    ) -> None:
        self.text = text
        self.starts = starts or []
        self.ids = ids or []

    @staticmethod
    def _starts(texts: list[str]) -> list[int]:
        if not texts:
            return []
        # Each text is followed by one separator; iterated in C (this runs at every unlock).
        return list(accumulate(map((1).__add__, map(len, texts[:-1])), initial=0))

    @classmethod
    def build(cls, ids: list[str], raw_texts: list[str]) -> _Haystack:
        """Fold all texts in one call (per-text calls dominate unlock at 100,000 households).

        Folding can change a text's length ("ß" → "ss"), so the offsets are taken from the
        folded string split at the separators, which folding never creates or removes.
        """
        folded = fold(_SEPARATOR.join(raw_texts))
        parts = folded.split(_SEPARATOR)
        if len(parts) != len(raw_texts):
            parts = [fold(t) for t in raw_texts]
            folded = _SEPARATOR.join(parts)
        return cls(folded, cls._starts(parts), ids)

    def scan(self, needle: str, limit: int, skip: set[str], found: dict[str, None]) -> None:
        text, starts, ids = self.text, self.starts, self.ids
        pos = text.find(needle)
        while pos >= 0:
            i = bisect_right(starts, pos) - 1
            hid = ids[i]
            if hid not in skip and hid not in found:
                found[hid] = None
                if len(found) >= limit:
                    return
            if i + 1 >= len(starts):
                return
            pos = text.find(needle, starts[i + 1])
