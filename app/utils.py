"""Small helpers with no better home."""

from urllib.parse import urljoin, urlparse

from flask import request, url_for


def safe_next_url(target: str | None, fallback_endpoint: str) -> str:
    """Only same-host relative redirects are followed; anything else goes to the fallback."""
    if target:
        host = urlparse(request.host_url)
        dest = urlparse(urljoin(request.host_url, target))
        if dest.scheme in ("http", "https") and dest.netloc == host.netloc and not target.startswith("//"):
            return dest.path + (f"?{dest.query}" if dest.query else "")
    return url_for(fallback_endpoint)
