"""An attendance submission's SQL statements (the morning peak's write, issue 12): the record
is read, locked and checked for the submission's key in one statement, and the answer is made
from what was written, not read again after the commit."""

import sqlalchemy as sa

from app.extensions import db
from centers.attendance.models import Attendance, AttendanceSubmission
from tests.centers.attendance.test_attendance_api import make_world, url

# token, user, the tablet check of the source, center, session with its invitations, the
# record (locked, with members and the key), the key's row, the update, the audit entry; on
# SQLite the record's insert comes first, always (see records._first_then_insert)
PG_MOST = 9
# and the report rollups of the record's (center, day), kept current in the same transaction
# (centers/reports/rollup_sync.py): that day's sessions read, two deletes, two inserts
ROLLUP_UPKEEP = 5


def most() -> int:
    return PG_MOST + ROLLUP_UPKEEP + (db.engine.dialect.name == "sqlite")


def rollup_statements(statements) -> list[str]:
    return [s for s in statements if "_rollups" in s.split("\n", 1)[0]]


def test_a_correction_takes_nine_statements_and_answers_what_it_wrote(client, make_token, count_queries):
    w = make_world()
    headers = make_token(w["manager"])
    members = [m.id for m in w["members"]]
    path = url(w["session"], w["center"])
    session_id, center_id = w["session"].id, w["center"].id
    first = client.put(path, headers=headers,
                       json={"status": "attended", "headcount": 5, "client_ref": "first"})
    assert first.status_code == 200 and first.json["result"] == "recorded"
    with count_queries() as statements:
        plain = client.put(path, headers=headers,
                           json={"status": "attended", "headcount": 4, "client_ref": "plain"})
    assert plain.status_code == 200 and plain.json["result"] == "corrected", plain.json
    assert len(statements) <= most(), "\n".join(statements)
    assert len(rollup_statements(statements)) == ROLLUP_UPKEEP - 1, "\n".join(statements)
    with count_queries() as statements:
        again = client.put(path, headers=headers,
                           json={"status": "attended", "headcount": 6, "member_ids": members[:2],
                                 "client_ref": "second"})
    assert again.status_code == 200 and again.json["result"] == "corrected", again.json
    # and the members: checked to be the center's, then written
    assert len(statements) <= most() + 2, "\n".join(statements)
    db.session.expire_all()
    record = db.session.scalar(sa.select(Attendance).where(Attendance.session_id == session_id,
                                                             Attendance.center_id == center_id))
    assert (again.json["headcount"], again.json["member_ids"], again.json["version"]) == (6, members[:2], 3)
    assert (record.headcount, record.member_ids, record.version) == (6, members[:2], 3)
    assert again.json["updated_at"].startswith(record.updated_at.isoformat()[:19])
    keys = db.session.scalars(sa.select(AttendanceSubmission.client_ref)
                              .where(AttendanceSubmission.attendance_id == record.id)).all()
    assert sorted(keys) == ["first", "plain", "second"]


def test_a_resent_submission_is_a_duplicate_read_from_the_locked_row(client, make_token, count_queries):
    w = make_world()
    headers = make_token(w["manager"])
    path = url(w["session"], w["center"])
    body = {"status": "absent", "headcount": 0, "client_ref": "once"}
    assert client.put(path, headers=headers, json=body).json["result"] == "recorded"
    newer = {"status": "attended", "headcount": 4, "client_ref": "newer"}
    assert client.put(path, headers=headers, json=newer).json["result"] == "corrected"
    with count_queries() as statements:
        resent = client.put(path, headers=headers, json=body)
    # "once" is no longer the record's latest key: the EXISTS in the locking read finds it
    assert resent.status_code == 200 and resent.json["result"] == "duplicate"
    assert (resent.json["status"], resent.json["headcount"]) == ("attended", 4)
    assert len(statements) <= most() - 3, "\n".join(statements)
