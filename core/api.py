"""The REST surface's shared parts: the flask-smorest `Api`, a `Blueprint` with role checks that
document their 401/403, SQL pagination, and the kernel's own endpoints (health, who am I)."""

from flask import Blueprint as FlaskBlueprint
from flask.views import MethodView
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.pagination import Page
from marshmallow import INCLUDE, Schema, fields
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from core.audit import audit_query
from core.auth import current_principal, require_roles
from core.db import db
from core.fields import Quantity, Time
from core.transaction import HEADER as IDEMPOTENCY_HEADER
from core.transaction import transactional


class ErrorSchema(Schema):
    """The one error shape; a refusal may add details (`sku`, `location`, `free`, `required_roles`, ...)."""

    class Meta:
        unknown = INCLUDE

    code = fields.Integer(required=True, metadata={"description": "HTTP status"})
    status = fields.String(required=True, metadata={"description": "machine-readable reason"})
    message = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "field errors by location, then by field"})


class TaktApi(Api):
    ERROR_SCHEMA = ErrorSchema


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a database id, a positive 32-bit integer (anything larger is a 404)."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)


def create_api(app) -> Api:
    """One flask-smorest `Api` per app (tests build several apps), kept in `app.extensions`."""
    app.url_map.converters["id"] = IdConverter
    api = TaktApi(app)
    api.register_converter(IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": 2**31 - 1})
    api.register_field(Quantity, "number", None)
    app.extensions["takt_api"] = api
    _serve_swagger_ui(app)
    return api


def _serve_swagger_ui(app) -> None:
    """Swagger UI's files from the installed swagger-ui-bundle package, at `OPENAPI_SWAGGER_UI_URL`."""
    from swagger_ui_bundle import swagger_ui_path

    url = app.config["OPENAPI_SWAGGER_UI_URL"].rstrip("/")
    app.register_blueprint(
        FlaskBlueprint("swagger_ui_assets", __name__, static_folder=swagger_ui_path, static_url_path=url)
    )


class Blueprint(SmorestBlueprint):
    """A flask-smorest blueprint whose views declare the roles they need."""

    def requires(self, *roles):
        """Enforce and document: 401 without a valid token, 403 without one of `roles` (admin passes)."""

        def decorator(view):
            view = require_roles(*roles)(view)
            view = self.alt_response(401, response="UNAUTHORIZED")(view)
            return self.alt_response(403, response="FORBIDDEN")(view)

        return decorator

    def writes(self, *, idempotent: bool = False, moves_stock: bool = False):
        """Commit the view's work once; with `idempotent`, accept and document an `Idempotency-Key`;
        with `moves_stock`, require it (428 without one)."""

        def decorator(view):
            view = transactional(idempotent=idempotent or moves_stock, key_required=moves_stock)(view)
            if moves_stock:
                view = self.alt_response(428, response="PRECONDITION_REQUIRED")(view)
                required = {
                    **_IDEMPOTENCY_PARAMETER,
                    "required": True,
                    "description": _IDEMPOTENCY_PARAMETER["description"]
                    + " Required: this write moves stock "
                    "(428 without it).",
                }
                view = self.doc(parameters=[required])(view)
            elif idempotent:
                view = self.doc(parameters=[_IDEMPOTENCY_PARAMETER])(view)
            return view

        return decorator

    def errors(self, *statuses):
        """Document the error statuses a view may answer with (404, 409, ...) in the one error shape."""

        def decorator(view):
            for status in statuses:
                view = self.alt_response(status, response=_STATUS_NAMES[status])(view)
            return view

        return decorator


_STATUS_NAMES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "REQUEST_ENTITY_TOO_LARGE",
    422: "UNPROCESSABLE_ENTITY",
    428: "PRECONDITION_REQUIRED",
    429: "TOO_MANY_REQUESTS",
    503: "SERVICE_UNAVAILABLE",
}


_IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": IDEMPOTENCY_HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
    "description": "Retry-safe key: a retry with the same key and body returns the first result and applies "
    "nothing; the same key with another body is 409.",
}


class SelectPage(Page):
    """Paginate a SQLAlchemy `Select` in the database (count + limit/offset), not in Python."""

    @property
    def items(self):
        params = self.page_params
        if params.first_item >= params.item_count:  # past the last page (also: no OFFSET overflow)
            return []
        stmt = self.collection.limit(params.page_size).offset(params.first_item)
        return db.session.scalars(stmt).all()

    @property
    def item_count(self):
        counted = self.collection.order_by(None).subquery()
        return db.session.scalar(select(func.count()).select_from(counted))


meta_blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="Service health and the caller")


class HealthSchema(Schema):
    status = fields.String(required=True)
    database = fields.String(required=True)


class WhoAmISchema(Schema):
    user_id = fields.Integer(required=True)
    username = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)


@meta_blp.route("/health")
class Health(MethodView):
    @meta_blp.doc(security=[])
    @meta_blp.response(200, HealthSchema)
    def get(self):
        """Liveness and database reachability (no authentication)."""
        db.session.execute(select(1))
        return {"status": "ok", "database": db.engine.dialect.name}


@meta_blp.route("/me")
class WhoAmI(MethodView):
    @meta_blp.requires()
    @meta_blp.response(200, WhoAmISchema)
    def get(self):
        """The authenticated caller and the roles its token carries."""
        principal = current_principal()
        return {"user_id": principal.id, "username": principal.username, "roles": sorted(principal.roles)}


class AuditEntrySchema(Schema):
    id = fields.Integer(required=True)
    at = Time(required=True)
    user = fields.String(
        attribute="user.username", allow_none=True, metadata={"description": "who (null: system)"}
    )
    entity = fields.String(required=True)
    key = fields.String(required=True)
    field = fields.String(required=True)
    old_value = fields.Raw(allow_none=True)
    new_value = fields.Raw(allow_none=True)


class AuditQueryArgsSchema(Schema):
    entity = fields.String(metadata={"description": "e.g. location"})
    key = fields.String(metadata={"description": "the record's code"})


@meta_blp.route("/audit")
class Audit(MethodView):
    @meta_blp.requires("planner")
    @meta_blp.arguments(AuditQueryArgsSchema, location="query")
    @meta_blp.response(200, AuditEntrySchema(many=True))
    @meta_blp.paginate(SelectPage, page_size=50, max_page_size=1000)
    def get(self, args):
        """Policy changes, newest first: who changed which setting of which record, when, old → new."""
        return audit_query(**args)
