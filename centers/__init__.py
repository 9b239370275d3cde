"""Counties and centers (:mod:`centers.directory`, the leaf every feature stands on), and the
features of a center's day built on :mod:`programs`: tablets, members, attendance, presence in
the video room, county reports, care follow-ups, the home pages and the demo."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The features above :mod:`programs`; the factory registers the directory first."""
    from centers import attendance, care, demo, home, live, members, presence, reports, tablet

    for feature in (tablet, members, attendance, presence, live, reports, care, home, demo):
        feature.init_app(app)
