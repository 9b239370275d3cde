"""Care follow-ups: attendance that suggests a senior (or a whole center) may be in trouble goes
to the county's worklist and is worked to an outcome."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import labels, nav
    from app.api import register
    from centers.care import api, cli, scope, views
    from centers.care.models import FollowUp, FollowUpKind, FollowUpStatus
    from centers.members import services as members

    members.keep_members_named_in(FollowUp.member_id)
    labels.register(app, "follow_up_kind_label", FollowUpKind)
    labels.register(app, "follow_up_status_label", FollowUpStatus)
    app.register_blueprint(views.bp)
    register(app, api.blp)
    app.cli.add_command(cli.care_cli)
    nav.register(app, _l("돌봄 확인"), "care.worklist", scope.CARE_ROLES, order=35)
