"""The main menu. Feature packages add their pages with :func:`register` in ``init_app``."""

from dataclasses import dataclass

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from app.auth.models import Role

ROLE_LABELS = {
    Role.ADMIN: _l("운영자"),
    Role.COORDINATOR: _l("코디네이터"),
    Role.INSTRUCTOR: _l("강사"),
    Role.CENTER_MANAGER: _l("경로당 관리자"),
    Role.COUNTY_VIEWER: _l("군 담당자"),
}


@dataclass(frozen=True)
class NavItem:
    label: object
    endpoint: str
    roles: tuple[str, ...]
    order: int = 50


@dataclass(frozen=True)
class ResolvedItem:
    label: str
    endpoint: str
    url: str


def register(app: Flask, label, endpoint: str, roles, order: int = 50) -> None:
    app.extensions.setdefault("ieum_nav", []).append(NavItem(label, endpoint, tuple(roles), order))


def init_app(app: Flask) -> None:
    @app.context_processor
    def navigation():
        def nav_items(user):
            items = sorted(app.extensions.get("ieum_nav", []), key=lambda i: i.order)
            return [
                ResolvedItem(str(i.label), i.endpoint, url_for(i.endpoint))
                for i in items
                if user.role in i.roles
            ]

        def role_label(role: str) -> str:
            return str(ROLE_LABELS.get(Role(role), role))

        return {"nav_items": nav_items, "role_label": role_label}
