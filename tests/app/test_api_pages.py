"""API lists page in SQL (LIMIT/OFFSET), not by slicing everything loaded."""

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.extensions import db
from tests.factories import CenterFactory, CountyFactory, InstructorFactory, ProgramFactory


@pytest.fixture
def headers(make_token):
    user = User(username="coord-pages", role=Role.COORDINATOR)
    db.session.add(user)
    db.session.commit()
    return make_token(user)


def _statements(app):
    seen: list[str] = []

    def capture(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    return seen, lambda: sa.event.remove(db.engine, "before_cursor_execute", capture)


@pytest.mark.parametrize(
    ("path", "table", "make"),
    [
        ("/api/v1/programs", "programs", lambda i: ProgramFactory(title=f"p{i:02d}")),
        ("/api/v1/instructors", "instructors", lambda i: InstructorFactory(name=f"i{i:02d}")),
        ("/api/v1/counties", "counties", lambda i: CountyFactory(name=f"c{i:02d}군")),
        ("/api/v1/centers", "centers", lambda i: CenterFactory(name=f"c{i:02d}")),
    ],
)
def test_a_page_is_read_with_limit_and_offset(app, client, headers, path, table, make):
    for i in range(5):
        make(i)
    everything = client.get(path, headers=headers).json
    seen, stop = _statements(app)
    try:
        page = client.get(f"{path}?limit=2&offset=1", headers=headers)
    finally:
        stop()
    assert page.status_code == 200
    assert [x["id"] for x in page.json] == [x["id"] for x in everything[1:3]]
    reads = [s for s in seen if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s]
    assert reads and all("LIMIT" in s.upper() and "OFFSET" in s.upper() for s in reads[:1]), reads
