"""A session's change history as sentences in the reader's language: no action codes, field
names, internal counters (the calendar ``sequence``) or source codes on the page."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.i18n import fmt_date
from app.labels import label
from programs.catalog.models import Instructor, Program
from programs.schedule.models import SessionStatus

ACTION_SENTENCES = {
    "session.create": _l("수업을 만들었습니다."),
    "session.update": _l("수업을 고쳤습니다."),
    "session.cancel": _l("수업을 취소했습니다."),
    "session.uninvite": _l("휴관 때문에 일부 경로당을 초대에서 뺐습니다."),
}
FIELD_LABELS = {
    "program_id": _l("프로그램"),
    "instructor_id": _l("강사"),
    "date": _l("날짜"),
    "start": _l("시작 시간"),
    "duration_minutes": _l("수업 시간"),
    "status": _l("상태"),
    "center_ids": _l("참여 경로당"),
    "note": _l("메모"),
    "cancel_reason": _l("취소 사유"),
}
SOURCE_LABELS = {
    "page": _l("웹 페이지"),
    "api": _l("API"),
    "cli": _l("명령줄"),
    "system": _l("시스템"),
}


def _value(field: str, value) -> str:
    from datetime import date

    if value is None or value == "" or value == []:
        return "—"
    if field == "program_id":
        program = db.session.get(Program, value)
        return program.title if program else "—"
    if field == "instructor_id":
        instructor = db.session.get(Instructor, value)
        return instructor.name if instructor else "—"
    if field == "date":
        return fmt_date(date.fromisoformat(value))
    if field == "duration_minutes":
        return _("%(n)s분", n=value)
    if field == "status":
        return label(SessionStatus, value)
    if field == "center_ids":
        return _("%(n)s곳", n=len(value))
    return str(value)


def describe(entry) -> dict:
    """``{sentence, changes: [text], source}`` for one audit entry of a session."""
    sentence = ACTION_SENTENCES.get(entry.action)
    sentence = str(sentence) if sentence is not None else _("수업 기록이 바뀌었습니다.")
    changes = []
    before, after = entry.before or {}, entry.after or {}
    if before and after:
        for field, name in FIELD_LABELS.items():
            if field in after and before.get(field) != after.get(field):
                changes.append(
                    _(
                        "%(field)s: %(before)s → %(after)s",
                        field=name,
                        before=_value(field, before.get(field)),
                        after=_value(field, after.get(field)),
                    )
                )
    source = SOURCE_LABELS.get(entry.source)
    return {
        "sentence": sentence,
        "changes": changes,
        "source": str(source) if source is not None else _("기타"),
    }
