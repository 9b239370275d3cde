"""The demo: Bucheon's nine partner centers in Bonghwa, Buan (with the island of Wido) and Jindo.

Idempotent: every row is found by its natural key before it is made. Sessions are published from
four weeks back to next week (weekdays that are not Korean public holidays, 10:00), and the care
scan runs over the history.
"""

import random
from datetime import date, time, timedelta

import holidays
import sqlalchemy as sa

from app import clock
from app.auth.models import Role, User
from app.database import utcnow
from app.extensions import db
from centers.attendance.models import Attendance, AttendanceMember
from centers.directory.models import Center, County, SupportPeriod
from centers.members.models import Member
from programs.catalog.models import Instructor, Program
from programs.schedule.models import Session, SessionCenter

DEMO_PASSWORD = "ieum1234"

COUNTIES = [
    ("봉화군", "경상북도", [
        ("봉성2리 경로당", "경상북도 봉화군 봉성면 봉성리 412", 25),
        ("물야면 오록1리 경로당", "경상북도 봉화군 물야면 오록리 88", 20),
        ("춘양면 의양3리 경로당", "경상북도 봉화군 춘양면 의양리 301", 30),
        ("명호면 도천1리 경로당", "경상북도 봉화군 명호면 도천리 57", 18),
    ]),
    ("부안군", "전북특별자치도", [
        ("위도면 진리 경로당", "전북특별자치도 부안군 위도면 진리 265 (위도)", 22),
        ("변산면 격포2리 경로당", "전북특별자치도 부안군 변산면 격포리 130", 28),
        ("줄포면 난산마을 경로당", "전북특별자치도 부안군 줄포면 난산리 44", 20),
        ("보안면 유천1리 경로당", "전북특별자치도 부안군 보안면 유천리 210", 24),
    ]),
    ("진도군", "전라남도", [
        ("의신면 돈지마을 경로당", "전라남도 진도군 의신면 돈지리 77", 26),
    ]),
]

SUPPORT_PERIODS = [
    (date(2025, 10, 1), date(2026, 9, 30), "1차 지원 기간"),
    (date(2026, 10, 1), date(2027, 9, 30), "2차 지원 기간 (연장)"),
]

PROGRAMS = [
    ("웃음치료", "leisure", "웃음과 박수로 마음을 여는 시간"),
    ("실버체조", "health", "의자에 앉아서 하는 관절 스트레칭과 근력 운동"),
    ("노래교실", "leisure", "함께 부르는 트로트와 동요"),
    ("건강강좌: 혈압과 당뇨", "health", "보건소 간호사와 함께하는 만성질환 관리"),
    ("치매예방 두뇌체조", "health", "손가락 놀이, 숫자 놀이, 회상 이야기"),
    ("민요 한마당", "leisure", "아리랑과 지역 민요 배우기"),
    ("스마트폰 배우기", "leisure", "영상통화와 사진 보내기"),
    ("낙상예방 운동", "health", "균형 잡기와 하체 근력"),
    ("미술치료", "leisure", "색칠과 만들기로 마음 표현하기"),
    ("구강건강 교실", "health", "틀니 관리와 잇몸 건강"),
]

INSTRUCTORS = [("김미숙", "010-2345-6789"), ("박정호", "010-3456-7890"), ("이은영", "010-4567-8901")]

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = ["순자", "영자", "정순", "옥순", "말순", "복순", "춘자", "길자", "영수", "철수", "만수",
         "봉수", "갑순", "을순", "점례", "금례", "분이", "순덕", "복례", "정자"]

# (username, role, label); the scope is filled in below.
DEMO_USERS_TABLE = [
    ("admin", Role.ADMIN.value, "플랫폼 운영자"),
    ("coordinator", Role.COORDINATOR.value, "부천시 프로그램 코디네이터"),
    ("instructor", Role.INSTRUCTOR.value, "강사 김미숙"),
    ("manager", Role.CENTER_MANAGER.value, "봉성2리 경로당 관리자"),
    ("county", Role.COUNTY_VIEWER.value, "봉화군 복지 담당자"),
]


def _get_or_create(model, defaults=None, **keys):
    row = db.session.scalar(sa.select(model).filter_by(**keys))
    if row is None:
        row = model(**keys, **(defaults or {}))
        db.session.add(row)
        db.session.flush()
    return row


def _weekdays(start: date, count_weeks: int) -> list[date]:
    kr = holidays.KR(years={start.year, start.year + 1})
    days = []
    for offset in range(count_weeks * 7):
        day = start + timedelta(days=offset)
        if day.weekday() < 5 and day not in kr:
            days.append(day)
    return days


def seed() -> dict:
    rng = random.Random(20261122)
    centers: list[Center] = []
    counties: list[County] = []
    for county_name, province, center_rows in COUNTIES:
        county = _get_or_create(County, name=county_name, province=province)
        counties.append(county)
        for start, end, note in SUPPORT_PERIODS:
            _get_or_create(SupportPeriod, defaults={"end": end, "note": note}, county_id=county.id, start=start)
        for name, address, capacity in center_rows:
            center = _get_or_create(
                Center, defaults={"address": address, "capacity": capacity}, county_id=county.id, name=name
            )
            centers.append(center)
            if not db.session.scalar(sa.select(Member.id).where(Member.center_id == center.id).limit(1)):
                for _ in range(rng.randint(8, 14)):
                    db.session.add(Member(
                        center_id=center.id,
                        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                        birth_year=rng.randint(1933, 1956),
                    ))
    programs = [
        _get_or_create(Program, defaults={"category": cat, "description": desc}, title=title)
        for title, cat, desc in PROGRAMS
    ]
    instructors = [_get_or_create(Instructor, defaults={"phone": phone}, name=name) for name, phone in INSTRUCTORS]
    db.session.flush()

    scope = {
        "instructor": {"instructor_id": instructors[0].id},
        "manager": {"center_id": centers[0].id, "county_id": centers[0].county_id},
        "county": {"county_id": counties[0].id},
    }
    for username, role, label in DEMO_USERS_TABLE:
        if db.session.scalar(sa.select(User.id).where(User.username == username)) is None:
            user = User(username=username, role=role, display_name=label, **scope.get(username, {}))
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
    db.session.flush()

    new_sessions = _seed_sessions(rng, programs, instructors, centers)
    from centers.care import services as care

    care.scan()
    total_sessions = db.session.scalar(sa.select(sa.func.count(Session.id)))
    return {
        "counties": len(counties), "centers": len(centers), "programs": len(programs),
        "sessions": total_sessions, "new_sessions": new_sessions,
    }


HISTORY_WEEKS = 4
SILENT_DAYS = 6


def _seed_sessions(rng, programs, instructors, centers) -> int:
    """Published sessions from four weeks back to next week, with attendance for the ones over.

    The history tells a story the county pages can show: the island center (위도) loses its
    connection now and then, the Jindo center has gone silent for its last scheduled days, and one
    regular at the first center has stopped coming (care follow-ups pick both up).
    """
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    now = clock.now()
    created = 0
    center_ids = [c.id for c in centers]
    members_by_center = {
        cid: list(db.session.scalars(sa.select(Member.id).where(Member.center_id == cid).order_by(Member.id)))
        for cid in center_ids
    }
    days = _weekdays(monday - timedelta(weeks=HISTORY_WEEKS), HISTORY_WEEKS + 2)
    past_days = [d for d in days if d < today]
    silent_from = past_days[-SILENT_DAYS] if len(past_days) >= SILENT_DAYS else today
    stopped_from = past_days[-4] if len(past_days) >= 4 else today
    for index, day in enumerate(days):
        exists = db.session.scalar(
            sa.select(Session.id).where(Session.date == day, Session.start_time == time(10, 0))
        )
        if exists:
            continue
        session = Session(
            program=programs[index % len(programs)],
            instructor=instructors[index % len(instructors)],
            date=day,
            start_time=time(10, 0),
            duration_minutes=60,
            status="published",
            published_at=utcnow(),
        )
        session.invitations = [SessionCenter(center_id=cid) for cid in center_ids]
        db.session.add(session)
        db.session.flush()
        created += 1
        if session.ends_at >= now:
            continue
        for position, center in enumerate(centers):
            if center.county.name == "진도군" and day >= silent_from:
                continue  # silent: nothing reported, nobody joined
            members = members_by_center[center.id]
            regular = members[0] if position == 0 and members else None
            _seed_attendance(
                rng, session, center, members,
                technical_odds=0.3 if center.name.startswith("위도") else 0.08,
                always=regular if day < stopped_from else None,
                never=regular if day >= stopped_from else None,
            )
    return created


def _seed_attendance(rng, session, center, member_ids, *, technical_odds, always=None, never=None) -> None:
    roll = rng.random()
    status = "technical_issue" if roll < technical_odds else "absent" if roll < technical_odds + 0.05 else "attended"
    record = Attendance(
        session_id=session.id, center_id=center.id, session_date=session.date, status=status,
        headcount=0, source="page", recorded_at=session.ends_at, joined_at=None,
    )
    if status == "attended":
        pool = [m for m in member_ids if m not in (always, never)]
        present = rng.sample(pool, k=max(1, int(len(pool) * rng.uniform(0.5, 0.9))))
        if always is not None:
            present.append(always)
        record.members = [AttendanceMember(member_id=mid) for mid in present]
        record.headcount = len(present) + rng.randint(0, 2)
        record.joined_at = session.starts_at - timedelta(minutes=rng.randint(1, 8))
        record.left_at = session.ends_at + timedelta(minutes=rng.randint(0, 5))
    db.session.add(record)
