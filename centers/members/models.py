"""Members: the seniors registered at a center. Personal data, shown only within scope."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Bounds, CodedEnum, TimestampMixin, check_between, check_in
from app.extensions import db
from centers.directory.models import Center


class MemberStatus(CodedEnum):
    ACTIVE = "active", _l("활동")
    MOVED = "moved", _l("이사")
    DECEASED = "deceased", _l("별세")


MEMBER_STATUSES = MemberStatus.values()
BIRTH_YEAR = Bounds(1900, 2100)  # the column's check; the rule people meet is below


def birth_year_error(year: int):
    """Why ``year`` is not a birth year anyone means (1900 to the current year), or ``None``."""
    from app import clock

    latest = clock.today().year
    if BIRTH_YEAR.min <= year <= latest:
        return None
    return _l("출생 연도는 %(first)s년부터 %(last)s년 사이로 입력하세요.", first=BIRTH_YEAR.min, last=latest)


class Member(TimestampMixin, db.Model):
    """A senior registered at a center. Personal data: shown only within scope."""

    __tablename__ = "members"
    __table_args__ = (
        check_in("status", MemberStatus, name="status_known"),
        check_between("birth_year", BIRTH_YEAR, name="birth_year_range", nullable=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    birth_year: Mapped[int | None]
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(10), default="active")
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    center: Mapped[Center] = relationship()
