"""Known attendance data for the report tests (service, API, pages, exports, browser).

November 2026, county A (봉화군: centers c1, c2, c3) and county B (c4)::

    s1 Tue 11-03 leisure  c1 attended 12 [m1, m2] · c2 technical_issue · c3 absent
    s2 Wed 11-04 health   c1 attended 10 [m1]     · c2 excused
    s3 Thu 11-05 leisure  CANCELLED (c1 has a stray attended record, never counted)
    s4 Mon 11-09 health   c1 attended 8 [m2, m3]  · c3 no record · c4 (county B) attended 7
    s5 Tue 11-10 leisure  c3 only: joined, status null (unreported)
    s6 Wed 11-11 leisure  DRAFT (never counted)
    s7 Tue 12-01 leisure  c1 attended 9 (outside November)
    s8 Fri 11-13 health   c2 attended 5 [m4]   (m4 comes once and goes)

County A, November: sessions 5, invited 9, attended 4, absent 1, technical_issue 1, excused 1,
unreported 2, headcount 35, members 4, participation 4/7.
"""

from dataclasses import dataclass
from datetime import date, time

from app.extensions import db
from centers.attendance.models import AttendanceMember
from tests.factories import (
    AttendanceFactory,
    CenterFactory,
    CountyFactory,
    MemberFactory,
    ProgramFactory,
    SessionFactory,
)

NOV = (date(2026, 11, 1), date(2026, 11, 30))

EXPECTED_A = {
    "sessions": 5,
    "invited": 9,
    "attended": 4,
    "absent": 1,
    "technical_issue": 1,
    "excused": 1,
    "unreported": 2,
    "headcount": 35,
    "members": 4,
    "participation_rate": 0.5714,
}
EXPECTED_ALL = {
    "sessions": 5,
    "invited": 10,
    "attended": 5,
    "absent": 1,
    "technical_issue": 1,
    "excused": 1,
    "unreported": 2,
    "headcount": 42,
    "members": 4,
    "participation_rate": 0.625,
}
EXPECTED_BY_CENTER = {
    "c1": {
        "sessions": 3,
        "invited": 3,
        "attended": 3,
        "absent": 0,
        "technical_issue": 0,
        "excused": 0,
        "unreported": 0,
        "headcount": 30,
        "members": 3,
        "participation_rate": 1.0,
    },
    "c2": {
        "sessions": 3,
        "invited": 3,
        "attended": 1,
        "absent": 0,
        "technical_issue": 1,
        "excused": 1,
        "unreported": 0,
        "headcount": 5,
        "members": 1,
        "participation_rate": 1.0,
    },
    "c3": {
        "sessions": 3,
        "invited": 3,
        "attended": 0,
        "absent": 1,
        "technical_issue": 0,
        "excused": 0,
        "unreported": 2,
        "headcount": 0,
        "members": 0,
        "participation_rate": 0.0,
    },
}
EXPECTED_BY_CATEGORY = {
    "leisure": {
        "sessions": 2,
        "invited": 4,
        "attended": 1,
        "absent": 1,
        "technical_issue": 1,
        "excused": 0,
        "unreported": 1,
        "headcount": 12,
        "members": 2,
        "participation_rate": 0.3333,
    },
    "health": {
        "sessions": 3,
        "invited": 5,
        "attended": 3,
        "absent": 0,
        "technical_issue": 0,
        "excused": 1,
        "unreported": 1,
        "headcount": 23,
        "members": 4,
        "participation_rate": 0.75,
    },
}
EXPECTED_BY_WEEK = {
    "2026-W45": {
        "sessions": 2,
        "invited": 5,
        "attended": 2,
        "absent": 1,
        "technical_issue": 1,
        "excused": 1,
        "unreported": 0,
        "headcount": 22,
        "members": 2,
        "participation_rate": 0.6667,
    },
    "2026-W46": {
        "sessions": 3,
        "invited": 4,
        "attended": 2,
        "absent": 0,
        "technical_issue": 0,
        "excused": 0,
        "unreported": 2,
        "headcount": 13,
        "members": 3,
        "participation_rate": 0.5,
    },
}


@dataclass
class Scenario:
    county_a: object
    county_b: object
    c1: object
    c2: object
    c3: object
    c4: object
    leisure: object
    health: object
    members: dict
    sessions: dict


def record(session, center, status, headcount=0, members=(), **extra):
    rec = AttendanceFactory(
        session_obj=session, center=center, status=status, headcount=headcount, **extra
    )
    if members:
        rec.members = [AttendanceMember(member_id=m.id) for m in members]
        db.session.commit()
    return rec


def build() -> Scenario:
    county_a = CountyFactory(name="봉화군")
    county_b = CountyFactory(name="부안군", province="전북특별자치도")
    c1 = CenterFactory(county=county_a, name="봉성2리 경로당")
    c2 = CenterFactory(county=county_a, name="물야면 오록1리 경로당")
    c3 = CenterFactory(county=county_a, name="춘양면 의양3리 경로당")
    c4 = CenterFactory(county=county_b, name="위도면 진리 경로당")
    m1 = MemberFactory(center=c1, name="김순자")
    m2 = MemberFactory(center=c1, name="이영자")
    m3 = MemberFactory(center=c1, name="박정순")
    m4 = MemberFactory(center=c2, name="최옥순")
    leisure = ProgramFactory(title="웃음치료", category="leisure")
    health = ProgramFactory(title="실버체조", category="health")

    def session(day, program, centers, **kw):
        return SessionFactory(
            date=day, program=program, centers=centers, start_time=time(10, 0), **kw
        )

    s1 = session(date(2026, 11, 3), leisure, [c1, c2, c3])
    s2 = session(date(2026, 11, 4), health, [c1, c2])
    s3 = session(date(2026, 11, 5), leisure, [c1, c2, c3], status="cancelled")
    s4 = session(date(2026, 11, 9), health, [c1, c3, c4])
    s5 = session(date(2026, 11, 10), leisure, [c3])
    s6 = session(date(2026, 11, 11), leisure, [c1], status="draft", published_at=None)
    s7 = session(date(2026, 12, 1), leisure, [c1])
    s8 = session(date(2026, 11, 13), health, [c2])

    record(s1, c1, "attended", 12, [m1, m2])
    record(s1, c2, "technical_issue", 0)
    record(s1, c3, "absent", 0)
    record(s2, c1, "attended", 10, [m1])
    record(s2, c2, "excused", 0)
    record(s3, c1, "attended", 9, [m1, m2, m3])
    record(s4, c1, "attended", 8, [m2, m3])
    record(s4, c4, "attended", 7)
    record(s5, c3, None, None)
    record(s7, c1, "attended", 9, [m1])
    record(s8, c2, "attended", 5, [m4])
    return Scenario(
        county_a,
        county_b,
        c1,
        c2,
        c3,
        c4,
        leisure,
        health,
        {"m1": m1, "m2": m2, "m3": m3, "m4": m4},
        {"s1": s1, "s2": s2, "s3": s3, "s4": s4, "s5": s5, "s6": s6, "s7": s7, "s8": s8},
    )


def figures(row: dict) -> dict:
    """The API.md figures of a row (rounded rate), for comparisons."""
    out = {k: row[k] for k in EXPECTED_A}
    out["participation_rate"] = round(out["participation_rate"], 4)
    return out
