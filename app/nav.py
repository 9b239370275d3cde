"""The main menu. Feature packages add their pages with :func:`register` in ``init_app``."""

from dataclasses import dataclass

from flask import Flask, url_for

from app.auth.models import Role


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
            return Role(role).label if role in Role.values() else str(role)

        return {"nav_items": nav_items, "role_label": role_label}
