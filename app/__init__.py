"""The Ieum application factory."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app import config as app_config
from app.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(app_config.load(Path(app.instance_path), config))
    register_proxy_fix(app)
    register_converters(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_cli(app)
    return app


def register_proxy_fix(app: Flask) -> None:
    """Behind ``PROXY_FIX_X_FOR`` reverse proxies the client address is the forwarded one."""
    hops = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)


def register_converters(app: Flask) -> None:
    from app.api import IdConverter

    app.url_map.converters["int"] = IdConverter


def register_extensions(app: Flask) -> None:
    from app import cache, i18n, rate_limits

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(app_config.PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    rate_limits.init_app(app)
    cache.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    """The core, then the features in their dependency order: the directory of counties and
    centers, the programs that invite them, the rest of a center's day."""
    import centers
    import programs
    from app import api, auth, main
    from centers import directory

    auth.init_app(app)
    main.init_app(app)
    api.init_app(app)
    directory.init_app(app)
    programs.init_app(app)
    centers.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from app import errors, security

    errors.init_app(app)
    security.init_app(app)


def register_cli(app: Flask) -> None:
    from app import backup, cli

    cli.init_app(app)
    backup.init_app(app)
