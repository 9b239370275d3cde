"""Care follow-ups: attendance that suggests a senior (or a whole center) may be in trouble goes
to the county's worklist (DESIGN.md, "Care follow-up").

:func:`scan` (``flask care scan``, nightly) detects, in the database:

- ``absence_streak`` — a regular: present in at least 3 of the 6 sessions their center attended
  before the last 3, and absent from each of those last 3 (centers that keep member lists only);
- ``attendance_drop`` — a member whose share of the center's attended sessions over the last 4
  weeks fell to half or less of their own share over the 8 weeks before (baseline at least 50 %,
  at least 6 baseline and 4 recent sessions), and who is not already on an absence streak;
- ``center_silent`` — a center that has not joined for 5 or more scheduled days
  (:func:`centers.reports.silent_centers`).

It is idempotent: nothing is raised twice while a follow-up of the same kind for the same member
(or center) is open or in progress, nor again for the same streak after it was resolved. The
first rule is the database's (partial unique indexes on ``follow_ups``): the scan reads only the
follow-ups of the members and centers it found, and its insert skips a case already open.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from app import audit, clock
from app.auth.models import Role, User
from app.database import paged, utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from centers.attendance.models import Attendance, AttendanceMember
from centers.care import scope as care_scope
from centers.care.models import FOLLOW_UP_ACTIVE, FOLLOW_UP_STATUSES, FollowUp
from centers.directory import scope as center_scope
from centers.directory.models import Center
from centers.members.models import Member
from centers.reports import services as reports
from programs.schedule.models import Session

OUTCOMES = ("contacted", "visited", "referred", "other")
STREAK_RECENT, STREAK_BASE, STREAK_MIN_PRESENT = 3, 6, 3
DROP_RECENT_DAYS, DROP_BASE_DAYS = 28, 56
DROP_MIN_BASE_RATE, DROP_MIN_BASE_SESSIONS, DROP_MIN_RECENT_SESSIONS = 0.5, 6, 4
LOOKBACK_DAYS = 180
ACTIVE = FOLLOW_UP_ACTIVE

A = Attendance.__table__
AM = AttendanceMember.__table__
S = Session.__table__
C = Center.__table__
M = Member.__table__


def _system() -> User:
    """The scan runs as the system: every county (a transient admin identity, never stored)."""
    return User(username="system", role=Role.ADMIN.value, active=True)


def _listed_records(as_of: date, since: date):
    """Attended records of published sessions with a member list, per active center."""
    has_list = sa.exists().where(AM.c.attendance_id == A.c.id)
    return (
        sa.select(A.c.id, A.c.center_id, A.c.session_date)
        .select_from(A.join(S, S.c.id == A.c.session_id).join(C, C.c.id == A.c.center_id))
        .where(
            A.c.status == "attended",
            S.c.status == "published",
            C.c.active.is_(True),
            A.c.session_date.between(since, as_of),
            has_list,
        )
    )


def absence_streaks(as_of: date) -> list[dict]:
    """Regulars absent from their center's last 3 attended sessions (set-based, window function)."""
    base = _listed_records(as_of, as_of - timedelta(days=LOOKBACK_DAYS)).subquery("listed")
    ranked = sa.select(
        base.c.id,
        base.c.center_id,
        base.c.session_date,
        sa.func.row_number()
        .over(
            partition_by=base.c.center_id, order_by=(base.c.session_date.desc(), base.c.id.desc())
        )
        .label("rn"),
    ).subquery("ranked")
    window = STREAK_RECENT + STREAK_BASE
    recent = ranked.c.rn <= STREAK_RECENT
    in_base = ranked.c.rn > STREAK_RECENT
    present_base = sa.func.count().filter(in_base)
    present_recent = sa.func.count().filter(recent)
    stmt = (
        sa.select(
            M.c.id.label("member_id"),
            M.c.center_id,
            present_base.label("present"),
            sa.func.max(ranked.c.session_date).label("last_present"),
        )
        .select_from(
            ranked.join(AM, AM.c.attendance_id == ranked.c.id).join(M, M.c.id == AM.c.member_id)
        )
        .where(ranked.c.rn <= window, M.c.status == "active")
        .group_by(M.c.id, M.c.center_id)
        .having(sa.and_(present_base >= STREAK_MIN_PRESENT, present_recent == 0))
    )
    found = [dict(row) for row in db.session.execute(stmt).mappings()]
    if not found:
        return []
    last_three = {
        row.center_id: row
        for row in db.session.execute(
            sa.select(
                ranked.c.center_id,
                sa.func.min(ranked.c.session_date).label("first"),
                sa.func.max(ranked.c.session_date).label("last"),
            )
            .where(recent)
            .group_by(ranked.c.center_id)
        )
    }
    for row in found:
        sessions = last_three[row["center_id"]]
        row["missed_from"] = reports.as_date(sessions.first)
        row["missed_to"] = reports.as_date(sessions.last)
        row["last_present"] = reports.as_date(row["last_present"])
    return found


def attendance_drops(as_of: date) -> list[dict]:
    """Members whose recent share of their center's sessions fell to half of their baseline."""
    recent_from = as_of - timedelta(days=DROP_RECENT_DAYS - 1)
    base_from = recent_from - timedelta(days=DROP_BASE_DAYS)
    records = _listed_records(as_of, base_from).subquery("listed")
    is_recent = records.c.session_date >= recent_from
    held = (
        sa.select(
            records.c.center_id,
            sa.func.count().filter(is_recent).label("recent_held"),
            sa.func.count().filter(sa.not_(is_recent)).label("base_held"),
        )
        .group_by(records.c.center_id)
        .subquery("held")
    )
    present = (
        sa.select(
            M.c.id.label("member_id"),
            M.c.center_id,
            sa.func.count().filter(is_recent).label("recent_present"),
            sa.func.count().filter(sa.not_(is_recent)).label("base_present"),
        )
        .select_from(
            records.join(AM, AM.c.attendance_id == records.c.id).join(M, M.c.id == AM.c.member_id)
        )
        .where(M.c.status == "active")
        .group_by(M.c.id, M.c.center_id)
        .subquery("present")
    )
    base_rate = sa.cast(present.c.base_present, sa.Float) / held.c.base_held
    recent_rate = sa.cast(present.c.recent_present, sa.Float) / held.c.recent_held
    stmt = (
        sa.select(
            present.c.member_id,
            present.c.center_id,
            present.c.base_present,
            held.c.base_held,
            present.c.recent_present,
            held.c.recent_held,
        )
        .select_from(present.join(held, held.c.center_id == present.c.center_id))
        .where(
            held.c.base_held >= DROP_MIN_BASE_SESSIONS,
            held.c.recent_held >= DROP_MIN_RECENT_SESSIONS,
            base_rate >= DROP_MIN_BASE_RATE,
            recent_rate <= base_rate / 2,
        )
    )
    return [
        dict(row, recent_from=recent_from, base_from=base_from)
        for row in db.session.execute(stmt).mappings()
    ]


def _existing(kind: str, subject: str, subject_ids) -> list[FollowUp]:
    """The follow-ups of ``kind`` for the members (or centers) found, not every follow-up."""
    ids = sorted(set(subject_ids))
    if not ids:
        return []
    column = getattr(FollowUp, subject)
    return list(
        db.session.scalars(sa.select(FollowUp).where(FollowUp.kind == kind, column.in_(ids)))
    )


def _insert_open(values: dict) -> int | None:
    """Insert an open follow-up unless one of its case is already open or in progress (the
    partial unique index decides: ``ON CONFLICT DO NOTHING``); answers the new id or None."""
    table = FollowUp.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if values["member_id"] is not None:
        target, where = ["kind", "member_id"], sa.and_(
            table.c.member_id.is_not(None), table.c.status.in_(ACTIVE)
        )
    else:
        target, where = ["kind", "center_id"], sa.and_(
            table.c.kind == "center_silent", table.c.status.in_(ACTIVE)
        )
    now = utcnow()
    stmt = (
        insert(table)
        .values(**values, note="", created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=target, index_where=where)
        .returning(table.c.id)
    )
    return db.session.execute(stmt).scalar()


def _blocked(
    existing: list[FollowUp], subject: str, subject_id: int, streak: str | None, created_after=None
) -> bool:
    for item in existing:
        if getattr(item, subject) != subject_id:
            continue
        if item.status in ACTIVE:
            return True
        if streak is not None and (item.details or {}).get("streak") == streak:
            return True
        if created_after is not None and item.created_at >= created_after:
            return True
    return False


def scan(as_of: date | None = None) -> dict[str, int]:
    """Raise the follow-ups the attendance up to ``as_of`` (default: yesterday) calls for."""
    as_of = as_of or clock.today() - timedelta(days=1)
    county_of = dict(db.session.execute(sa.select(Center.id, Center.county_id)).all())
    active = set(db.session.scalars(sa.select(Center.id).where(Center.active.is_(True))))
    created = {"absence_streak": 0, "attendance_drop": 0, "center_silent": 0}

    def add(kind, center_id, member_id, reason, details):
        values = {
            "kind": kind,
            "county_id": county_of[center_id],
            "center_id": center_id,
            "member_id": member_id,
            "status": "open",
            "reason": reason,
            "details": details,
        }
        new_id = _insert_open(values)
        if new_id is None:
            return  # a follow-up of this case is already open (another scan got there first)
        after = {"status": "open", "note": "", "outcome": None}
        audit.record(None, "follow_up.create", "follow_up", new_id, after=after, source="cli")
        created[kind] += 1

    with force_locale("ko"):
        streaks = absence_streaks(as_of)
        existing = _existing("absence_streak", "member_id", [r["member_id"] for r in streaks])
        streak_members = set()
        for row in streaks:
            streak_members.add(row["member_id"])
            streak = f"since:{row['last_present'].isoformat()}"
            if _blocked(existing, "member_id", row["member_id"], streak):
                continue
            details = {
                "streak": streak,
                "last_present": row["last_present"].isoformat(),
                "present": row["present"],
                "missed_from": row["missed_from"].isoformat(),
                "missed_to": row["missed_to"].isoformat(),
                "recent": STREAK_RECENT,
                "base": STREAK_BASE,
            }
            add(
                "absence_streak",
                row["center_id"],
                row["member_id"],
                reason_text("absence_streak", details),
                details,
            )

        drops = attendance_drops(as_of)
        existing = _existing("attendance_drop", "member_id", [r["member_id"] for r in drops])
        recent_cutoff = clock.local_datetime(as_of - timedelta(days=DROP_RECENT_DAYS), time(0, 0))
        for row in drops:
            if row["member_id"] in streak_members:
                continue
            if _blocked(existing, "member_id", row["member_id"], None, created_after=recent_cutoff):
                continue
            base_pct = round(100 * row["base_present"] / row["base_held"])
            recent_pct = round(100 * row["recent_present"] / row["recent_held"])
            details = {
                "recent_rate": recent_pct,
                "base_rate": base_pct,
                "recent_from": row["recent_from"].isoformat(),
                "base_from": row["base_from"].isoformat(),
                "recent_present": row["recent_present"],
                "recent_held": row["recent_held"],
                "base_present": row["base_present"],
                "base_held": row["base_held"],
            }
            add(
                "attendance_drop",
                row["center_id"],
                row["member_id"],
                reason_text("attendance_drop", details),
                details,
            )

        filters = reports.Filters(start=as_of, end=as_of)
        silent = reports.silent_centers(_system(), filters, as_of=as_of)
        existing = _existing("center_silent", "center_id", [r["center_id"] for r in silent])
        for row in silent:
            streak = f"since:{(row['last_joined'] or row['first_missed']).isoformat()}"
            if row["center_id"] not in active or _blocked(
                existing, "center_id", row["center_id"], streak
            ):
                continue
            details = {
                "streak": streak,
                "days": row["days"],
                "first_missed": row["first_missed"].isoformat(),
                "last_joined": row["last_joined"].isoformat() if row["last_joined"] else None,
            }
            add("center_silent", row["center_id"], None, reason_text("center_silent", details), details)
    return created


def reason_text(kind: str, details: dict | None, stored: str = "") -> str:
    """Why a follow-up was opened, in the current language, from its kind and figures
    (``details``). Rows stored before the figures were complete keep their stored sentence."""
    d = details or {}
    try:
        if kind == "absence_streak":
            return gettext(
                "최근 %(n)s번 수업(%(start)s~%(end)s)에 연속으로 나오지 않았습니다. "
                "그 전 %(base)s번 중 %(present)s번 참여했습니다.",
                n=d.get("recent", STREAK_RECENT), start=d["missed_from"], end=d["missed_to"],
                base=d.get("base", STREAK_BASE),
                present=d["present"],
            )
        if kind == "attendance_drop":
            return gettext(
                "최근 4주 참여율이 %(recent)s%%(%(rp)s/%(rh)s회)로, "
                "그 전 8주 %(base)s%%(%(bp)s/%(bh)s회)의 절반 이하입니다.",
                recent=d["recent_rate"], rp=d["recent_present"], rh=d["recent_held"],
                base=d["base_rate"], bp=d["base_present"], bh=d["base_held"],
            )
        if kind == "center_silent":
            if d["last_joined"]:
                return gettext(
                    "예정된 수업일 %(n)s일 동안 접속하지 않았습니다 (마지막 접속 %(day)s).",
                    n=d["days"], day=d["last_joined"],
                )
            return gettext("예정된 수업일 %(n)s일 동안 한 번도 접속하지 않았습니다.", n=d["days"])
    except KeyError:
        pass
    return stored


# --- the worklist ----------------------------------------------------------------------------


def snapshot(item: FollowUp) -> dict:
    return {"status": item.status, "note": item.note, "outcome": item.outcome}


def list_follow_ups(
    user, *, county_id: int | None = None, statuses=None, limit: int | None = None, offset: int = 0
) -> list[FollowUp]:
    """The follow-ups in the user's scope, newest first; ``county_id`` outside it is 403/404."""
    stmt = sa.select(FollowUp).order_by(FollowUp.created_at.desc(), FollowUp.id.desc())
    if county_id is not None:
        center_scope.get_county(user, county_id)
        stmt = stmt.where(FollowUp.county_id == county_id)
    if statuses:
        stmt = stmt.where(FollowUp.status.in_(list(statuses)))
    return list(db.session.scalars(paged(care_scope.scope_follow_ups(stmt, user), limit, offset)))


def _another_active(item: FollowUp) -> int | None:
    """The open (or in progress) follow-up of the same case as ``item``, if any."""
    if item.member_id is not None:
        same_case = FollowUp.member_id == item.member_id
    elif item.kind == "center_silent":
        same_case = FollowUp.center_id == item.center_id
    else:
        return None
    return db.session.scalar(
        sa.select(FollowUp.id).where(
            FollowUp.kind == item.kind,
            same_case,
            FollowUp.status.in_(ACTIVE),
            FollowUp.id != item.id,
        )
    )


def update_follow_up(
    user,
    item: FollowUp,
    *,
    status: str | None = None,
    note: str | None = None,
    outcome: str | None = None,
    source: str = "api",
) -> FollowUp:
    """Work a follow-up: open → in_progress → resolved (or back), with a note; audited."""
    care_scope.require_care_access(user)
    if status is None and note is None and outcome is None:
        raise Invalid("status", _l("바꿀 내용이 없습니다."))
    if status is not None and status not in FOLLOW_UP_STATUSES:
        raise Invalid("status")
    if outcome is not None and outcome not in OUTCOMES:
        raise Invalid("outcome")
    if note is not None and len(note) > 2000:
        raise Invalid("note", _l("메모는 2000자까지 쓸 수 있습니다."))
    other = _another_active(item) if status in ACTIVE and item.status not in ACTIVE else None
    if other is not None:  # reopening: the case is already open again (the index refuses it)
        raise Conflict(
            _l("같은 어르신(경로당)의 같은 확인 건이 이미 진행 중입니다."), follow_up_id=other
        )
    before = snapshot(item)
    if status is not None:
        if status == "resolved" and item.status != "resolved":
            item.resolved_at = utcnow()
        elif status != "resolved":
            item.resolved_at = None
        item.status = status
    if note is not None:
        item.note = note.strip()
    if outcome is not None:
        item.outcome = outcome
    db.session.flush()
    audit.record(
        user,
        "follow_up.update",
        "follow_up",
        item.id,
        before=before,
        after=snapshot(item),
        source=source,
    )
    return item
