"""``/api/v1/care/follow-ups``: the county's care worklist (API.md)."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import MAX_ID, Id, blueprint, page_of
from app.extensions import db
from centers.care import scope as care_scope
from centers.care import services as care
from centers.care.models import FOLLOW_UP_KINDS, FOLLOW_UP_STATUSES

blp = blueprint("care_api", __name__, "/care", description="Care follow-ups: the county's worklist")


class FollowUpSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(FOLLOW_UP_KINDS)})
    county_id = fields.Integer()
    center_id = fields.Integer()
    member_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": list(FOLLOW_UP_STATUSES)})
    # In the caller's language, from the kind and its figures.
    reason = fields.Function(
        lambda item: care.reason_text(item.kind, item.details, item.reason), dump_only=True
    )
    note = fields.String()
    outcome = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)


class FollowUpListArgs(Schema):
    county_id = Id()
    status = fields.String(validate=validate.OneOf(FOLLOW_UP_STATUSES))
    limit = fields.Integer(validate=validate.Range(min=1, max=10000))
    offset = fields.Integer(validate=validate.Range(min=0, max=MAX_ID), load_default=0)


class FollowUpPatchSchema(Schema):
    status = fields.String(validate=validate.OneOf(FOLLOW_UP_STATUSES))
    note = fields.String(validate=validate.Length(max=2000))
    outcome = fields.String(allow_none=True, validate=validate.OneOf(care.OUTCOMES))


@blp.route("/follow-ups")
class FollowUps(MethodView):
    @blp.arguments(FollowUpListArgs, location="query")
    @blp.response(200, FollowUpSchema(many=True))
    def get(self, args):
        """Follow-ups in scope (a county viewer: its county), newest first."""
        return care.list_follow_ups(
            current_user,
            county_id=args.get("county_id"),
            statuses=[args["status"]] if args.get("status") else None,
            **page_of(args),
        )


@blp.route("/follow-ups/<int:follow_up_id>")
class FollowUpItem(MethodView):
    @blp.response(200, FollowUpSchema)
    def get(self, follow_up_id: int):
        return care_scope.get_follow_up(current_user, follow_up_id)

    @blp.arguments(FollowUpPatchSchema)
    @blp.response(200, FollowUpSchema)
    def patch(self, data, follow_up_id: int):
        """Work a follow-up: ``{status, note}`` (and an optional ``outcome``); audited."""
        item = care_scope.get_follow_up(current_user, follow_up_id)
        care.update_follow_up(
            current_user,
            item,
            status=data.get("status"),
            note=data.get("note"),
            outcome=data.get("outcome"),
            source="api",
        )
        db.session.commit()
        return item
