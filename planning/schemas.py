"""Planning request schemas: the snapshot's query."""

from marshmallow import Schema

from core.fields import Time


class SnapshotQueryArgsSchema(Schema):
    at = Time(metadata={"description": "the plan's start (default: now)"})
