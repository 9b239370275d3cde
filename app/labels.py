"""Translated labels for the stored codes (categories, statuses), for pages and exports."""

from flask import Flask
from flask_babel import lazy_gettext as _l

CATEGORY = {"leisure": _l("여가"), "health": _l("건강")}
SESSION_STATUS = {"draft": _l("초안"), "published": _l("게시됨"), "cancelled": _l("취소됨")}
ATTENDANCE_STATUS = {
    "attended": _l("참여"),
    "absent": _l("불참"),
    "technical_issue": _l("접속 장애"),
    "excused": _l("사유 불참"),
    None: _l("미보고"),
}
MEMBER_STATUS = {"active": _l("활동"), "moved": _l("이사"), "deceased": _l("별세")}
FOLLOW_UP_KIND = {
    "absence_streak": _l("연속 불참"),
    "attendance_drop": _l("참여 급감"),
    "center_silent": _l("경로당 무응답"),
}
FOLLOW_UP_STATUS = {"open": _l("접수"), "in_progress": _l("진행 중"), "resolved": _l("완료")}


def label(table: dict, code) -> str:
    return str(table.get(code, code if code is not None else ""))


def init_app(app: Flask) -> None:
    @app.context_processor
    def labels():
        return {
            "category_label": lambda c: label(CATEGORY, c),
            "session_status_label": lambda c: label(SESSION_STATUS, c),
            "attendance_status_label": lambda c: label(ATTENDANCE_STATUS, c),
            "member_status_label": lambda c: label(MEMBER_STATUS, c),
            "follow_up_kind_label": lambda c: label(FOLLOW_UP_KIND, c),
            "follow_up_status_label": lambda c: label(FOLLOW_UP_STATUS, c),
        }
