"""The account facade the desktop UI calls: register, unlock with back-off, lock, queries.

The UI never imports `app.store` or `app.crypto` (an import-linter contract); it holds an
`AccountSession` and receives the frozen read models of `app.services.readmodels`. Every method
here may block (KDF, SQLite, decryption): the UI calls them from its background job runner.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from app.crypto import KdfParams
from app.crypto.device import DeviceKey
from app.domain import (
    ClueStatus,
    HouseholdContent,
    SignatureRef,
    TaskStatus,
    VisitContent,
    VisitKind,
    VisitStatus,
)
from app.errors import (
    JiafangError,
    PolicyError,
    RegistrationIncompleteError,
    StoreError,
    ValidationError,
    VaultLockedError,
    WrongPasswordError,
)
from app.lease import (
    HeldLease,
    LeaseError,
    LeaseExpiredError,
    LeaseState,
    is_not_issued,
    not_issued_record,
)
from app.models.views import DraftRecovery, HouseholdSummary, ReviewView, TaskView, VisitView
from app.policy.decision import EligibilityDecision
from app.policy.engine import evaluate_visit
from app.policy.loader import first_in_force, policy_in_force
from app.policy.model import Policy
from app.services.backoff import BackoffPolicy, BackoffStatus, UnlockBackoff
from app.services.errors import ProfileError
from app.services.photos import prepare_photo
from app.services.profiles import ProfileDirectory, ProfileInfo, normalise_server_url
from app.services.readmodels import (
    ClueListItem,
    ConflictItem,
    FieldClash,
    HomeSummary,
    HouseholdFile,
    HouseholdListItem,
    LeaseStatus,
    PolicyNotice,
    RejectedItem,
    ReturnedVisitItem,
    TaskItem,
    looks_like_id_number,
)
from app.store.local_store import LocalStore

logger = logging.getLogger(__name__)

#: the region whose policy applies when a grid has none of its own (the deployment's district)
DEFAULT_POLICY_REGION = "district-x"
REVIEW_HORIZON_DAYS = 30
#: how far the clock must have moved on before the lease's clock mark is written again
_CLOCK_MARK_STEP = timedelta(minutes=10)

#: the current time (UTC); tests pass their own to move through lease expiries
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RegistrationRequest:
    """What a laptop sends to register: the account's credentials and this device's public
    signing key (Ed25519, base64)."""

    server_url: str
    account: str
    password: str = field(repr=False)
    device_public_key: str
    #: the device a failed earlier registration of this account left on the server: sign in
    #: with it rather than register another (None: register anew)
    resume_device_id: str | None = None


@dataclass(frozen=True)
class Registration:
    """What the server answers when a laptop registers an account."""

    user_id: str
    device_id: str
    display_name: str = ""
    role: str = "field_worker"
    #: the first sign-in tokens, handed to the sync engine as they are (opaque here)
    tokens: object | None = field(default=None, repr=False)
    #: the first offline lease, verified; its signing key is pinned with it (None: the server
    #: issues none, or the offline demo)
    lease: HeldLease | None = field(default=None, repr=False)


#: RegistrationRequest -> Registration; raises a JiafangError when the server refuses
RegisterFn = Callable[[RegistrationRequest], Registration]
#: (profile, password) -> None when the server accepts the account's password; raises otherwise
OnlineCheckFn = Callable[[ProfileInfo, str], None]


class AccountService:
    """Profiles of this laptop and the way into one of them."""

    def __init__(
        self,
        directory: ProfileDirectory,
        *,
        register: RegisterFn,
        kdf: KdfParams | None = None,
        backoff_policy: BackoffPolicy | None = None,
        policy_region: str = DEFAULT_POLICY_REGION,
        clock: Clock = _utcnow,
    ) -> None:
        self.directory = directory
        self._register = register
        self._clock = clock
        self._kdf = kdf
        self._backoff_policy = backoff_policy
        self._policy_region = policy_region

    def profiles(self) -> list[ProfileInfo]:
        return [p for p in self.directory.list() if p.has_store]

    def register(self, server_url: str, account: str, password: str) -> AccountSession:
        """Register with the server, then create this account's vault; returns it unlocked."""
        server = normalise_server_url(server_url)
        account = account.strip()
        if self.directory.find(account, server) is not None:
            raise ProfileError(
                "该账号已在本机登记，请直接解锁",
                "This account is already registered on this laptop; unlock it instead",
                code="profile_exists",
            )
        device_key = DeviceKey.generate()
        try:
            registration = self._register(
                RegistrationRequest(
                    server_url=server,
                    account=account,
                    password=password,
                    device_public_key=base64.b64encode(device_key.public_key).decode("ascii"),
                    resume_device_id=self.directory.pending_device(account, server),
                )
            )
        except RegistrationIncompleteError as exc:
            # The server holds a device for this laptop now: the retry signs in with it.
            self.directory.remember_pending_device(account, server, exc.device_id)
            raise
        self.directory.remember_pending_device(account, server, registration.device_id)
        profile = self.directory.create(
            account=account,
            server_url=server,
            user_id=registration.user_id,
            device_id=registration.device_id,
            display_name=registration.display_name,
            role=registration.role,
        )
        try:
            store = LocalStore.create(
                profile.store_path,
                password,
                user_id=registration.user_id,
                device_id=registration.device_id,
                kdf=self._kdf,
                device_key=device_key,
            )
            store.put_lease_record(
                registration.lease.to_record()
                if registration.lease is not None
                else not_issued_record()
            )
        except BaseException:
            try:
                self.directory.discard_new(profile)
            except OSError:
                logger.exception("could not remove the unfinished profile folder")
            raise
        self.directory.forget_pending_device(account, server)
        session = AccountSession(
            profile, store, self._backoff(profile), self._policy_region, clock=self._clock
        )
        session.initial_tokens = registration.tokens
        return session

    def open(self, profile_id: str) -> AccountSession:
        """The (locked) session of a profile; unlock it with the password."""
        profile = self.directory.get(profile_id)
        store = LocalStore.open(profile.store_path)
        return AccountSession(
            profile, store, self._backoff(profile), self._policy_region, clock=self._clock
        )

    def unlock_after_online_check(
        self, profile_id: str, password: str, check: OnlineCheckFn
    ) -> AccountSession:
        """After the offline lock-out: the server confirms the password, the wrong-password
        count is cleared, and the vault opens with that password."""
        profile = self.directory.get(profile_id)
        check(profile, password)
        self._backoff(profile).clear_after_online_login()
        session = self.open(profile_id)
        try:
            session.unlock(password)
        except BaseException:
            session.close()
            raise
        return session

    def forget_wiped(self, profile_id: str) -> None:
        """Remove the folder of a profile whose store the sync engine erased (revocation)."""
        profile = self.directory.get(profile_id)
        if profile.has_store:
            raise ProfileError(
                "该账号的数据仍在本机，不能删除",
                "This profile still holds its store and is not removed",
                code="profile_has_store",
            )
        self.directory.discard_new(profile)

    def backoff_status(self, profile_id: str) -> BackoffStatus:
        return self._backoff(self.directory.get(profile_id)).status()

    def _backoff(self, profile: ProfileInfo) -> UnlockBackoff:
        return profile.backoff(self._backoff_policy)


class AccountSession:
    """One account's store, unlocked or locked, and the queries the screens need."""

    def __init__(
        self,
        profile: ProfileInfo,
        store: LocalStore,
        backoff: UnlockBackoff,
        policy_region: str = DEFAULT_POLICY_REGION,
        *,
        clock: Clock = _utcnow,
    ) -> None:
        self.profile = profile
        self._store = store
        self._clock = clock
        self._backoff = backoff
        self._policy_region = policy_region
        #: the sign-in tokens of a registration made in this session (for the sync engine)
        self.initial_tokens: object | None = None
        #: the latest clock reading seen under the kept lease (named by `_lease_identity`):
        #: checks use it between two writes of the kept clock mark, which are spaced to spare
        #: the disk; without it a clock set back just before each write would never run out
        self._clock_seen: tuple[tuple[bytes, datetime], datetime] | None = None
        #: households the lapse of a contractor's lease has removed so far (until a renewal):
        #: the lapsed screen reports them even when the purge ran at unlock
        self._purged_in_lapse = 0

    # -- lock state ------------------------------------------------------------------------

    @property
    def is_unlocked(self) -> bool:
        return self._store.is_unlocked

    def backoff_status(self) -> BackoffStatus:
        return self._backoff.status()

    def unlock(self, password: str) -> None:
        """Unlock, or raise: UnlockThrottledError / ReauthenticationRequiredError (no KDF run),
        WrongPasswordError (the failure is counted)."""
        self._backoff.check()
        try:
            self._store.unlock(password)
        except WrongPasswordError:
            self._backoff.record_failure()
            raise
        self._backoff.record_success()
        # Unlocking works after the lease lapsed (so the user can sync), but a contractor's
        # households leave the laptop now rather than at the first screen that asks for them.
        try:
            self.check_lease()
        except LeaseExpiredError as exc:
            logger.warning("offline lease lapsed at unlock (%d households purged)", exc.purged)

    def lock(self) -> None:
        self._keep_clock_mark()
        self._store.lock()

    def close(self) -> None:
        self._keep_clock_mark()
        self._store.close()

    @property
    def store(self) -> LocalStore:
        """The unlocked store, as an opaque handle for the sync engine (the UI never calls it)."""
        return self._store

    @property
    def records(self) -> LocalStore:
        """The store, for reading or changing household data: raises `LeaseExpiredError` once
        the offline lease has lapsed (the sync engine uses `store`, which does not)."""
        self.check_lease()
        return self._store

    # -- offline lease (app.lease) ---------------------------------------------------------

    def _held_lease(self) -> HeldLease | None:
        """The kept lease, checked again (None: registered without one, until a sync brings
        one); a damaged or missing one counts as lapsed, so a sync replaces it."""
        try:
            record = self._store.lease_record()
            if record is None:
                # Deleted from the file, or a profile from before leases: not "no lease".
                raise LeaseError("离线授权缺失", "The offline lease is missing")
            if is_not_issued(record):
                return None
            return HeldLease.from_record(
                record, user_id=self._store.user_id, device_id=self._store.device_id
            )
        except VaultLockedError:
            raise
        except JiafangError as exc:  # unreadable (DecryptionError) or untrusted (LeaseError)
            logger.warning("the kept offline lease is unusable (%s)", exc.code)
            raise LeaseExpiredError() from exc

    def _lease_in_force(self) -> tuple[HeldLease, HeldLease] | None:
        """(the kept lease, the same with the clock mark this process has seen since)."""
        kept = self._held_lease()
        if kept is None:
            return None
        seen = self._clock_seen
        if seen is not None and seen[0] == _lease_identity(kept):
            return kept, kept.seen(seen[1])
        return kept, kept

    def _keep_clock_mark(self) -> None:
        """Write the clock mark seen in memory into the kept lease before the keys go."""
        if not self._store.is_unlocked:
            return
        try:
            found = self._lease_in_force()
            if found is not None and found[1].clock_high_water > found[0].clock_high_water:
                self._store.put_lease_record(found[1].to_record(), replacing=found[0].to_record())
        except JiafangError as exc:  # lapsed or unreadable: no mark worth keeping
            logger.info("the lease's clock mark was not kept at lock (%s)", exc.code)

    def lease_status(self) -> LeaseStatus:
        """The lease for the status bar and the lapsed screen (never raises for a lapse; a
        locked store tells nothing)."""
        try:
            found = self._lease_in_force()
        except LeaseExpiredError:
            return LeaseStatus(state=LeaseState.EXPIRED.value)
        except VaultLockedError:
            return LeaseStatus()
        if found is None:
            return LeaseStatus()
        held = found[1]
        return LeaseStatus(
            state=held.state(self._clock()).value,
            expires_at=held.local_expiry,
            purges_on_lapse=held.lease.purges_on_lapse,
        )

    def check_lease(self) -> None:
        """Raise `LeaseExpiredError` when the offline lease has lapsed or the clock was turned
        back; a contractor's households are purged first. A valid lease moves its clock mark."""
        found = self._lease_in_force()
        if found is None:
            return  # registered without a lease (the offline demo), until a sync brings one
        kept, held = found
        now = self._clock()
        state = held.state(now)
        if state is LeaseState.VALID:
            self._purged_in_lapse = 0
            held = held.seen(now)
            self._clock_seen = (_lease_identity(kept), held.clock_high_water)
            if held.clock_high_water - kept.clock_high_water >= _CLOCK_MARK_STEP:
                self._store.put_lease_record(held.to_record(), replacing=kept.to_record())
            return
        households_kept = 0
        if held.lease.purges_on_lapse:
            self._purged_in_lapse += self._purge_after_lapse()
            # What is left is what the purge keeps: households with work not yet sent.
            households_kept = self._store.household_count()
        raise LeaseExpiredError(
            clock_turned_back=state is LeaseState.CLOCK_TURNED_BACK,
            purged=self._purged_in_lapse,
            kept=households_kept,
            purges_on_lapse=held.lease.purges_on_lapse,
        )

    def _purge_after_lapse(self) -> int:
        """Issue 7: a contractor's lapsed laptop shreds its households (rows and data keys, the
        store's one purge path). A household with an edit not yet acknowledged, or with a visit
        form's autosaved typing (never in the outbox), stays, locked like everything else, so
        field work is never destroyed unsent: after the next sync the user can reopen and save
        it, and the usual bucket rules then decide. Checkpoints restart so that sync brings
        back whatever the contractor may still reach."""
        keep = self._store.households_with_unsent_work()
        doomed = [
            s.household_id for s in self._store.list_households() if s.household_id not in keep
        ]
        if not doomed:
            return 0
        purged = self._store.purge_households(doomed, force=True)
        self._store.reset_checkpoints()
        logger.warning("offline lease of a contractor lapsed: %d households purged", purged)
        return purged

    def sync_counts(self) -> tuple[int, int, int]:
        """(changes waiting to be sent, open conflicts, rejected changes) for the status bar."""
        return (
            self._store.pending_count(),
            len(self._store.list_conflicts()),
            len(self._store.quarantined_mutations()),
        )

    def conflict_items(self) -> list[ConflictItem]:
        heads = {s.household_id: s.head_name for s in self.records.list_households()}
        items = []
        for conflict in self.records.list_conflicts():
            raw_clashes = conflict.data.get("clashes") or {}
            clashes = tuple(
                FieldClash(str(name), _show(values.get("kept")), _show(values.get("other")))
                for name, values in sorted(raw_clashes.items())
                if isinstance(values, dict)
            )
            items.append(
                ConflictItem(
                    conflict_id=conflict.conflict_id,
                    household_id=conflict.household_id,
                    head_name=heads.get(conflict.household_id or "", ""),
                    entity=conflict.target_entity,
                    entity_id=conflict.target_id,
                    clashes=clashes,
                )
            )
        return items

    def rejected_items(self) -> list[RejectedItem]:
        heads = {s.household_id: s.head_name for s in self.records.list_households()}
        withdrawn = self.records.withdrawn_households()
        return [
            RejectedItem(
                mutation_id=q.entry.mutation_id,
                entity=q.entry.entity,
                entity_id=q.entry.entity_id,
                head_name=heads.get(q.entry.household_id or "", ""),
                reason=q.reason,
                fields=tuple(sorted(q.entry.changed)),
                withdrawn=q.entry.household_id in withdrawn,
            )
            for q in self.records.quarantined_mutations()
        ]

    def seed_demo_data(
        self, *, seed: int = 0, households: int = 60, today: date | None = None
    ) -> int:
        """Fill this (unlocked) store with synthetic households dated around `today` (default:
        the clock's day); returns how many."""
        from app.services.demo import seed_store

        dataset = seed_store(
            self._store, seed=seed, households=households, today=today, evaluate=self._evaluate
        )
        return len(dataset.households)

    # -- queries ---------------------------------------------------------------------------

    def households(self) -> list[HouseholdListItem]:
        open_clues = Counter(
            clue.household_id for clue in self.records.list_clues(status=ClueStatus.OPEN)
        )
        items = [
            _list_item(summary, open_clues[summary.household_id])
            for summary in self.records.list_households()
        ]
        for item in items:  # here, in the caller's worker, not later on the GUI thread
            _ = item.search_text, item.review_key, item.head_sort_key, item.address_sort_key
        return items

    def find_household_ids(self, text: str) -> frozenset[str]:
        """Households matching a search the list cannot answer alone: an exact ID number (blind
        index) or a member's name (the store's in-memory index)."""
        if looks_like_id_number(text):
            try:
                members = self.records.find_by_id_number(text)
            except ValidationError:
                return frozenset()
            return frozenset(m.household_id for m in members)
        if not text.strip():
            return frozenset()
        return frozenset(s.household_id for s in self.records.search_households(text))

    def household_file(
        self, household_id: str, *, on: date | None = None, for_visit: bool = False
    ) -> HouseholdFile:
        """The household's file; one withdrawn from this user's reach (a closed task) is
        refused unless `for_visit` (to finish or discard a visit form it still has open)."""
        on = on or date.today()
        household = self.records.get_household(household_id, for_visit=for_visit)
        visits = self.records.list_visits(household_id)
        visits.sort(key=lambda v: (v.visit_date or date.min, v.revision), reverse=True)
        clues = self.records.list_clues(household_id=household_id)
        return HouseholdFile(
            household=household,
            members=household.members,
            visits=tuple(visits),
            clues=tuple(clues),
            eligibility=self._eligibility(household.grid_id, visits, on),
        )

    def home(self, *, on: date | None = None) -> HomeSummary:
        on = on or date.today()
        store = self.records  # one lease check; `_task_item` reads under it
        due = store.list_households(review_due_by=on + timedelta(days=REVIEW_HORIZON_DAYS))
        due.sort(key=lambda s: (s.next_review or date.max, s.household_id))
        clues = self.open_clues()
        return HomeSummary(
            household_count=store.household_count(),
            reviews_due=tuple(_list_item(s, 0) for s in due),
            open_clue_count=len(clues),
            tasks=tuple(self._task_item(t) for t in store.list_tasks(status=TaskStatus.OPEN)),
            returned=tuple(self.returned_items()),
            open_clues=tuple(clues),
        )

    def returned_items(self) -> list[ReturnedVisitItem]:
        """Visits of this worker (among their visitors) that a reviewer sent back and that have
        no revision yet, with the comment count. A supervisor's laptop holds other people's
        returned visits: those are not theirs to correct."""
        store = self.records
        me = store.user_id
        items = []
        for visit in store.list_visits_with_status(VisitStatus.RETURNED):
            if me not in visit.content.visitors:
                continue
            household = store.get_household(visit.household_id)
            comments = latest_return_comments(store.list_reviews(visit.visit_id))
            items.append(
                ReturnedVisitItem(
                    visit_id=visit.visit_id,
                    household_id=visit.household_id,
                    kind=visit.kind,
                    visit_date=visit.visit_date,
                    revision=visit.revision,
                    comment_count=len(comments),
                    head_name=household.content.head_name,
                    address=household.content.address,
                )
            )
        return items

    def _task_item(self, task: TaskView) -> TaskItem:
        household_ids = tuple(str(h) for h in task.data.get("household_ids", []) or [])
        window_start = _parse_day(task.data.get("window_start"))
        done = 0
        for household_id in household_ids:
            try:
                visits = self._store.list_visits(household_id)
            except StoreError:
                continue  # not (yet) on this laptop
            if any(
                v.status is not VisitStatus.DRAFT
                and (window_start is None or (v.visit_date or date.min) >= window_start)
                for v in visits
            ):
                done += 1
        return TaskItem(
            task_id=task.task_id,
            title=str(task.data.get("title") or ""),
            kind=task.kind,
            deadline=task.deadline,
            done=done,
            total=len(household_ids),
            household_ids=household_ids,
        )

    def open_clues(self) -> list[ClueListItem]:
        clues = self.records.list_clues(status=ClueStatus.OPEN)
        households = {s.household_id: s for s in self.records.list_households()}
        items = []
        for clue in clues:
            summary = households.get(clue.household_id)
            member_name = ""
            if clue.member_id is not None:
                member_name = str(clue.data.get("member_name", ""))
            found = clue.data.get("found_on")
            items.append(
                ClueListItem(
                    clue_id=clue.clue_id,
                    household_id=clue.household_id,
                    kind=clue.kind,
                    status=clue.status,
                    head_name=summary.head_name if summary else "",
                    member_name=member_name,
                    address=summary.address if summary else "",
                    detail=str(clue.data.get("detail", "")),
                    found_on=date.fromisoformat(found) if isinstance(found, str) else None,
                )
            )
        return items

    # -- visits ----------------------------------------------------------------------------

    def start_visit(
        self, household_id: str, kind: VisitKind, *, clue_ids: tuple[str, ...] = ()
    ) -> VisitView:
        """A new draft visit, pre-filled with the family as last recorded and the worker as the
        first visitor (the form asks for the second); a clue-check visit names its clues."""
        household = self.records.get_household(household_id)
        visits = self.records.list_visits(household_id)
        last = next((v for v in reversed(visits) if v.content.members), None)
        members = last.content.members if last is not None else household.content.members
        content = VisitContent(
            visitors=(self.records.user_id,) if self.records.user_id else (),
            members=members,
            incomes=last.content.incomes if last is not None else (),
            assets=last.content.assets if last is not None else (),
            expenses=last.content.expenses if last is not None else (),
            clue_ids=clue_ids,
        )
        return self.records.create_visit_draft(household_id, kind, content)

    def discover_household(
        self,
        *,
        grid_id: str,
        head_name: str,
        address: str,
        phone: str = "",
        registered_residence: str = "",
        actual_residence: str = "",
    ) -> VisitView:
        """主动发现: record a family found in hardship in the field and open its discovery
        visit (the form then records members, incomes and the rest)."""
        if not grid_id:
            raise ValidationError("请选择网格", "Choose the grid", code="discovery_grid")
        try:
            content = HouseholdContent(
                head_name=head_name,
                address=address,
                phone=phone,
                registered_residence=registered_residence,
                actual_residence=actual_residence,
            )
        except PydanticValidationError as exc:
            raise ValidationError(
                "请填写户主姓名和住址",
                "Enter the head of household's name and the address",
                code="discovery_fields",
            ) from exc
        household = self.records.create_household(grid_id=grid_id, content=content)
        return self.start_visit(household.household_id, VisitKind.DISCOVERY)

    def grid_ids(self) -> list[str]:
        """The grids this laptop holds households of (where a discovery can be filed)."""
        return sorted({s.grid_id for s in self.records.list_households()})

    def add_photo(self, visit_id: str, source: Path | bytes) -> VisitView:
        """Import a photo into a draft visit (metadata stripped, downscaled)."""
        visit = self._draft(visit_id)
        photo = prepare_photo(source)
        attachment = self.records.add_attachment(
            visit.household_id, io.BytesIO(photo.jpeg), kind="photo", visit_id=visit_id
        )
        return self.records.update_visit_draft(
            visit_id, photo_ids=(*visit.content.photo_ids, attachment.attachment_id)
        )

    def add_signature(self, visit_id: str, signer: str, png: bytes) -> VisitView:
        """Keep a signature drawn on the pad ("household" or a visitor's user id)."""
        if not png:
            raise ValidationError("签名为空", "The signature is empty", code="signature_empty")
        visit = self._draft(visit_id)
        attachment = self.records.add_attachment(
            visit.household_id, io.BytesIO(png), kind="signature", visit_id=visit_id
        )
        others = tuple(s for s in visit.content.signatures if s.signer != signer)
        ref = SignatureRef(
            signer=signer, attachment_id=attachment.attachment_id, signed_at=datetime.now(UTC)
        )
        return self.records.update_visit_draft(visit_id, signatures=(*others, ref))

    def _draft(self, visit_id: str) -> VisitView:
        """The visit, when it may still change: a completed (signed) visit is locked, and a
        photo or signature added to it would be an attachment no record names."""
        visit = self.records.get_visit(visit_id)
        if visit.status is not VisitStatus.DRAFT:
            raise ValidationError(
                "已完成的走访记录不能修改，请创建修订版",
                "A completed visit cannot be edited; create a revision instead",
                code="visit_immutable",
            )
        return visit

    def attachment_bytes(self, attachment_id: str) -> bytes:
        """A decrypted photo or signature, in memory only (for thumbnails)."""
        return self.records.read_attachment(attachment_id)

    def visit(self, visit_id: str) -> VisitView:
        return self.records.get_visit(visit_id)

    def save_visit_draft(self, visit_id: str, content: VisitContent) -> VisitView:
        """Write the whole form into the draft record (one outbox row for the changed fields)."""
        before = self.records.get_visit(visit_id).content
        changed = {
            name: getattr(content, name)
            for name in VisitContent.model_fields
            if getattr(content, name) != getattr(before, name)
        }
        if not changed:
            self.records.discard_draft(visit_id)
            return self.records.get_visit(visit_id)
        return self.records.update_visit_draft(visit_id, **changed)

    def autosave_visit(self, visit_id: str, form_state: dict[str, Any]) -> None:
        """Keep the form's state as typed (it need not validate) so a crash loses nothing."""
        # Not refused after the lease lapsed: what was typed is kept, never lost.
        self._store.autosave_draft(visit_id, form_state)

    def recovered_drafts(self) -> list[DraftRecovery]:
        return self.records.recover_drafts()

    def is_withdrawn(self, household_id: str) -> bool:
        """The household left this user's reach and waits here only for its unsent work."""
        return household_id in self.records.withdrawn_households()

    def discard_recovered_draft(self, visit_id: str) -> None:
        """Let an autosaved form go (a household out of reach then leaves at the next sync)."""
        self.records.discard_draft(visit_id)

    def discard_rejected(self, mutation_id: str) -> None:
        """The user has seen a refused change and lets it go."""
        self.records.discard_rejected(mutation_id)

    def complete_visit(
        self,
        visit_id: str,
        content: VisitContent,
        clue_outcomes: Mapping[str, ClueStatus] | None = None,
    ) -> VisitView:
        """Save the form and lock the visit (the store checks visitors, notice, finding and that
        the household and every visitor signed, and signs the completed visit with this
        device's key); then close (销号) each clue the visit checked with its outcome, and date
        the household's next review as the policy engine decided. A completed visit refuses
        further edits."""
        outcomes = dict(clue_outcomes or {})
        missing = [c for c in content.clue_ids if c not in outcomes]
        if missing:
            raise ValidationError(
                "请填写每条线索的核实结果",
                "Record the outcome of every clue this visit checks",
                code="visit_clue_outcome",
            )
        # The result the worker saw is part of the signed record: the server recomputes it with
        # the policy in force and flags any difference for the supervisor (trust but verify).
        draft = self.records.get_visit(visit_id)
        decision = self.evaluate(draft.household_id, content, on=draft.visit_date)
        content = content.model_copy(
            update={"eligibility": decision.to_dict() if decision is not None else None}
        )
        self.save_visit_draft(visit_id, content)
        visit = self.records.complete_visit(visit_id)
        for clue_id in content.clue_ids:
            self.records.close_clue(clue_id, outcomes[clue_id], visit_id=visit_id)
        # People found living in the home who are not on the household record join it (each
        # with its own outbox row); existing members are left as the record has them, since a
        # completed visit is evidence for the reviewer, not an edit of the register.
        # The next review is the engine's decision on this visit (monthly for some categories,
        # yearly for others, none for a family found ineligible); the imported date only
        # stands until the household's first completed visit.
        # A withdrawn household (its task closed meanwhile) only lets its visit be finished: its
        # register is no longer this laptop's to change.
        household = self.records.get_household(visit.household_id, for_visit=True)
        if decision is not None and visit.household_id not in self._store.withdrawn_households():
            household = self.records.update_household(
                visit.household_id, next_review=decision.next_review_on
            )
        known = {m.member_id for m in household.members}
        for member in content.members:
            if member.member_id not in known:
                self.records.add_member(visit.household_id, member)
        return visit

    def evaluate(
        self, household_id: str, content: VisitContent, *, on: date | None = None
    ) -> EligibilityDecision | None:
        """The eligibility result of the family as entered so far (None: not enough data)."""
        # A household withdrawn from this user's reach still lets its open form be finished.
        household = self.records.get_household(household_id, for_visit=True)
        return self._evaluate(household.grid_id, content, on or date.today())

    def _eligibility(
        self, grid_id: str, visits: list[VisitView], on: date
    ) -> EligibilityDecision | None:
        latest = next((v for v in visits if v.content.members), None)
        if latest is None:
            return None
        return self._evaluate(grid_id, latest.content, on)

    def _evaluate(
        self, grid_id: str, content: VisitContent, on: date
    ) -> EligibilityDecision | None:
        if not content.members:
            return None
        try:
            policy = policy_in_force(grid_id, on, ancestors=self._policy_chain(grid_id))
            return evaluate_visit(policy, content, on)
        except (PolicyError, ValidationError) as exc:
            logger.info("no eligibility result: %s", exc.code)
            return None

    def _policy_chain(self, grid_id: str) -> tuple[str, ...]:
        """The regions above a grid, nearest first, then the deployment's district: the same
        chain as the server's recomputation (`sync.server.recompute`), from the regions pulled
        in the reference bucket."""
        ancestors = self._store.region_ancestors(grid_id)
        return (*ancestors, *(() if self._policy_region in ancestors else (self._policy_region,)))

    def policy_notice(self, household_id: str, *, on: date | None = None) -> PolicyNotice | None:
        """A notice when the policy this laptop would use for the household differs (id or
        version) from the one the server's policy references name for it; None when they agree
        or the server's references have not been pulled yet."""
        refs = self._store.policy_refs()
        if not refs:
            return None
        grid_id = self._store.get_household(household_id).grid_id
        day = on or date.today()
        chain = (grid_id, *self._policy_chain(grid_id))
        server = first_in_force(refs, chain, day)
        try:
            laptop: Policy | None = policy_in_force(grid_id, day, ancestors=chain[1:])
        except PolicyError:
            laptop = None
        laptop_key = (laptop.id, laptop.version) if laptop is not None else None
        server_key = (server.policy_id, server.version) if server is not None else None
        if laptop_key == server_key:
            return None
        logger.info("the shipped policy differs from the server's policy reference")
        return PolicyNotice(
            laptop_policy_id=laptop.id if laptop is not None else None,
            laptop_version=laptop.version if laptop is not None else None,
            server_policy_id=server.policy_id if server is not None else None,
            server_version=server.version if server is not None else None,
        )


def _lease_identity(held: HeldLease) -> tuple[bytes, datetime]:
    """Which lease a clock mark belongs to: a renewed lease starts its mark again."""
    return held.signed.signature, held.received_at


def _parse_day(raw: object) -> date | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _show(value: object) -> str:
    """A field value as the conflict list shows it (JSON for structures)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def latest_return_comments(reviews: list[ReviewView]) -> list[dict[str, str]]:
    """The field comments of the latest `returned` decision among a visit's reviews."""
    returned = [r for r in reviews if r.decision.value == "returned"]
    if not returned:
        return []
    latest = max(returned, key=lambda r: (str(r.data.get("decided_at", "")), r.review_id))
    return [
        {"field": str(c.get("field", "")), "comment": str(c.get("comment", ""))}
        for c in latest.data.get("comments", [])
        if isinstance(c, dict) and c.get("field")
    ]


def _list_item(summary: HouseholdSummary, open_clues: int) -> HouseholdListItem:
    return HouseholdListItem(
        household_id=summary.household_id,
        grid_id=summary.grid_id,
        head_name=summary.head_name,
        address=summary.address,
        member_count=summary.member_count,
        status=summary.status,
        category=summary.category,
        next_review=summary.next_review,
        open_clues=open_clues,
    )
