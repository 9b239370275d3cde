"""One way to run a page's write: commit once, or roll everything back and hand the refusal
to the form."""

import sqlalchemy as sa

from app.errors import Invalid
from app.extensions import db
from app.pages import save
from programs.catalog.models import Instructor


def test_a_refused_write_leaves_nothing_half_written():
    def half_then_refuse():
        db.session.add(Instructor(name="반쯤"))
        db.session.flush()
        raise Invalid("name", "거절")

    saved = save(half_then_refuse)
    assert not saved.ok and saved.error.details["field"] == "name"
    assert db.session.scalar(sa.select(sa.func.count(Instructor.id))) == 0


def test_an_accepted_write_is_committed_once_and_returned():
    saved = save(lambda: db.session.add(Instructor(name="끝까지")) or "done")
    assert saved.ok and saved.result == "done"
    db.session.rollback()  # nothing left to roll back: it was committed
    assert db.session.scalars(sa.select(Instructor.name)).all() == ["끝까지"]
