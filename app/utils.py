"""Small helpers with no better home."""


def safe_next_url(target: str | None, fallback_endpoint: str) -> str:
    """Only paths on this site are followed; anything else goes to the fallback
    (see :func:`app.security.safe_redirect`)."""
    from app.security import safe_redirect

    return safe_redirect(target, fallback_endpoint)

