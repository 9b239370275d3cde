"""``POST /api/v1/tablet/pair``: a tablet pairs with the code it was given."""


from flask import current_app
from marshmallow import Schema, fields, validate

from app.api import blueprint
from app.extensions import db, limiter
from centers.tablet import services as tablet

blp = blueprint("tablet_api", __name__, "", description="Tablet pairing")


class PairSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    label = fields.String(load_default="", validate=validate.Length(max=80))


class PairResultSchema(Schema):
    token = fields.String(metadata={"description": "the tablet's API token, shown once"})
    device_id = fields.Integer()
    user_id = fields.Integer()
    center_id = fields.Integer()


def _pair_limit() -> str:
    return current_app.config.get("TABLET_PAIR_RATE_LIMIT", "10 per minute")


@blp.route("/tablet/pair", methods=["POST"])
@limiter.limit(_pair_limit)
@blp.arguments(PairSchema)
@blp.response(201, PairResultSchema)
@blp.doc(security=[])
def pair_tablet(data):
    """Pair a tablet with the code shown on its center's page; answers the tablet's API token."""
    device, user = tablet.pair(data["code"], data["label"], source="api")
    token = tablet.issue_device_token(device, user)
    db.session.commit()
    return {
        "token": token,
        "device_id": device.id,
        "user_id": user.id,
        "center_id": device.center_id,
    }
