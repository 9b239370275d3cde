"""gunicorn's access log without secrets in URLs: the ``key`` of a calendar feed
(``/calendar/centers/1.ics?key=…``) is written as ``key=[redacted]``. Used by
``gunicorn.conf.py`` (``logger_class``)."""

import re

from gunicorn.glogging import Logger

SECRET_PARAMS = ("key", "token", "code")
_SECRET = re.compile(r"(?i)(?<=[?&;])(" + "|".join(SECRET_PARAMS) + r")=[^&;\s#]*")


def redact(text: str | None) -> str | None:
    """``text`` (a URL, query string or request line) with secret parameters blanked."""
    if not text or "=" not in text:
        return text
    # A query string alone has no leading "?": give it one for the pattern, then drop it.
    if "?" not in text:
        return _SECRET.sub(r"\1=[redacted]", "?" + text)[1:]
    return _SECRET.sub(r"\1=[redacted]", text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # Every atom: the request line, query, referer, and the {…}i / {…}e header and environ ones.
        for name, value in atoms.items():
            if isinstance(value, str):
                atoms[name] = redact(value)
        return atoms
