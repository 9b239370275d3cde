"""Page plumbing shared by the feature views: one way to run a form's write."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import AppError
from app.extensions import db


@dataclass
class Saved:
    """What a page's write did: its ``result``, or the service's refusal (``error``)."""

    result: Any = None
    error: AppError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def save(work: Callable[[], Any]) -> Saved:
    """Run a page's write (a service call that flushes) and commit it once. A refusal
    (:class:`~app.errors.AppError`) rolls everything back, so nothing is half-written, and is
    returned for the page to show on its form."""
    try:
        result = work()
        db.session.commit()
    except AppError as exc:
        db.session.rollback()
        return Saved(error=exc)
    return Saved(result=result)
