"""Planning run schemas."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.fields import Time
from planning.runs.models import RUN_STATUSES, RUN_TRIGGERS


class RunSchema(Schema):
    id = fields.Integer()
    trigger = fields.String()
    cycle_key = fields.String(allow_none=True)
    status = fields.String()
    requested_by = fields.Integer(attribute="requested_by_id", allow_none=True)
    requested_budget_s = fields.Float(
        allow_none=True,
        metadata={"description": "the budget the request asked for (null: the executing scheduler's)"},
    )
    time_budget_s = fields.Float(
        allow_none=True,
        metadata={
            "description": "the budget the run was given where it executed, in seconds (null while queued): "
            "the scheduler's SCM_PLANNING_RUN_BUDGET_SECONDS, or the requested one if less"
        },
    )
    created_at = Time()
    started_at = Time(allow_none=True)
    finished_at = Time(allow_none=True)
    seconds = fields.Float(allow_none=True)
    plan_start = Time(allow_none=True)
    published_at = Time(allow_none=True)
    progress = fields.Dict(allow_none=True)
    kpis = fields.Dict(allow_none=True)
    solver = fields.Dict(attribute="solver_report", allow_none=True)
    error = fields.String(allow_none=True)


class RunRequestSchema(Schema):
    time_budget_s = fields.Float(
        validate=validate.Range(min=5, max=3600),
        metadata={
            "description": "a time budget in seconds for this run; without one the run gets the budget "
            "of the process that executes it (the scheduler's SCM_PLANNING_RUN_BUDGET_SECONDS). A larger "
            "budget than that is capped to it when the run starts (not refused): the run's time_budget_s "
            "says what it was given"
        },
    )


class RunQueryArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(RUN_STATUSES))
    trigger = fields.String(validate=validate.OneOf(RUN_TRIGGERS))


class ChangesQueryArgsSchema(Schema):
    direction = fields.String(
        validate=validate.OneOf(("later", "earlier", "status")),
        metadata={"description": "only promises moved later, earlier, or a status changed"},
    )
    q = fields.String(
        validate=validate.Length(max=200), metadata={"description": "words of the order number"}
    )


class PromiseChangeSchema(Schema):
    order = fields.String(required=True)
    was_status = fields.String(required=True, metadata={"description": "confirmed or unconfirmed before"})
    was = Time(allow_none=True, metadata={"description": "the promise before (null: none)"})
    now_status = fields.String(required=True)
    now = Time(allow_none=True, metadata={"description": "the promise of this run's plan (null: none)"})
    hours = fields.Float(allow_none=True, metadata={"description": "how far it moved (+ later)"})
    direction = fields.String(required=True, metadata={"description": "later, earlier or status"})
    broken = fields.Boolean(required=True, metadata={"description": "a confirmed promise this plan misses"})
    because = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "purchase order lines the old promise relied on that their supplier moved"},
    )


class ProgressSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    progress = fields.Dict(allow_none=True)
    started_at = Time(allow_none=True)


class SimulateQueryArgsSchema(Schema):
    time_limit_s = fields.Float(load_default=10.0, validate=validate.Range(min=1, max=120))


class SimulationSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "queued, running, succeeded or failed"})
    requested_by = fields.Integer(attribute="requested_by_id")
    time_limit_s = fields.Float()
    created_at = Time()
    started_at = Time(allow_none=True)
    finished_at = Time(allow_none=True)
    solver = fields.Dict(attribute="solver_report", allow_none=True)
    error = fields.String(allow_none=True)


class SimulationResultSchema(SimulationSchema):
    plan = fields.Dict(allow_none=True, metadata={"description": "the plan (contract JSON) once succeeded"})


class SelectionField(fields.Raw):
    """A list of refs, or "all"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "all" or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return value
        raise ValidationError('a list of refs or "all"')


class ReleaseSchema(Schema):
    purchases = SelectionField(metadata={"description": 'purchase proposal ids, or "all"'})
    productions = SelectionField(metadata={"description": 'production proposal ids, or "all"'})
    transfers = SelectionField(metadata={"description": 'transfer proposal ids, or "all"'})
    deliveries = SelectionField(metadata={"description": 'order numbers whose deliveries to ship, or "all"'})

    @validates_schema
    def _something(self, data, **kwargs):
        if not any(data.values()):
            raise ValidationError('select at least one proposal (a kind with refs or "all")')
