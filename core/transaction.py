"""Write views commit here, once, and retries with an `Idempotency-Key` replay the first result.

A view decorated with `@transactional()` runs, then commits; any error rolls everything back. With
`idempotent=True` the key is claimed in the same transaction as the work (one insert that does
nothing when the key is taken), so a retry after a commit replays the stored response and applies
nothing, a retry after a crash runs again, and two concurrent requests with one key apply once (the
second waits on the key's unique index, then replays). The same key with another body is a 409. A
write that moves stock requires a key (`key_required`): without one it is refused with 428 before
anything runs, so a client's blind retry can never post twice.
"""

import hashlib
import json
from functools import cache, wraps

from flask import Response, request
from sqlalchemy import bindparam, select, update

from core.auth import current_user_id
from core.db import db, dialect_name, upsert_insert, utcnow
from core.errors import Conflict, DomainError, Invalid
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class KeyRequired(DomainError):
    status = 428
    code = "idempotency_key_required"


def request_fingerprint() -> str:
    """SHA-256 of the method, path, query and body (JSON canonicalised) of the current request."""
    if request.is_json:
        body = request.get_json(silent=True)
        raw = json.dumps(body, sort_keys=True).encode() if body is not None else request.get_data()
    elif request.mimetype == "multipart/form-data":
        raw = json.dumps(_multipart_content(), sort_keys=True).encode()
    else:
        raw = request.get_data()
    head = f"{request.method} {request.full_path}\n".encode()
    return hashlib.sha256(head + raw).hexdigest()


def _multipart_content() -> dict:
    """Form fields and file digests: what a multipart retry repeats (its boundary is random)."""
    files = {}
    for name, upload in request.files.items(multi=True):
        digest = hashlib.sha256(upload.stream.read()).hexdigest()
        files.setdefault(name or "", []).append([upload.filename or "", digest])
        upload.stream.seek(0)
    form = {name or "": values for name, values in request.form.to_dict(flat=False).items()}  # unnamed parts
    return {"form": form, "files": files}


def _find(user_id: int, key: str) -> IdempotencyRecord | None:
    stmt = select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    return db.session.scalar(stmt)


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise Conflict(
            f"{HEADER} {record.key!r} was used for a different request", code="idempotency_key_reused"
        )
    response = Response(
        json.dumps(record.response_body), status=record.status_code, mimetype="application/json"
    )
    for name, value in json.loads(record.response_headers or "{}").items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _claim(key: str) -> tuple[int | None, Response | None]:
    """Claim `key` for this request: (record id, None) to go on, or (None, stored response) to replay.

    One statement when the key is new: the insert does nothing if the key is taken, after waiting for
    a concurrent request holding it to commit (replay it) or roll back (the insert goes ahead)."""
    if len(key) > MAX_KEY_LENGTH or not key.strip():
        raise Invalid(HEADER, f"must be 1 to {MAX_KEY_LENGTH} characters")
    user_id, fingerprint = current_user_id(), request_fingerprint()
    claim = {"user_id": user_id, "key": key, "fingerprint": fingerprint, "created_at": utcnow()}
    record_id = db.session.scalar(_claim_statement(dialect_name()), claim)
    if record_id is not None:
        return record_id, None
    return None, _replay(_find(user_id, key), fingerprint)


@cache
def _claim_statement(dialect: str):
    """The claim of a key, built once per database (every write with a key runs it)."""
    return (
        upsert_insert(IdempotencyRecord.__table__, dialect)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(IdempotencyRecord.id)
    )


_RECORDS = IdempotencyRecord.__table__
_STORE = (
    update(_RECORDS)
    .where(_RECORDS.c.id == bindparam("record_id"))
    .values(
        status_code=bindparam("stored_status"),
        response_body=bindparam("stored_body", type_=_RECORDS.c.response_body.type),
        response_headers=bindparam("stored_headers"),
    )
)


def _store(record_id: int, response: Response) -> None:
    kept = {k: v for k, v in response.headers.items() if k in ("Location", "ETag")}
    stored = {
        "record_id": record_id,
        "stored_status": response.status_code,
        "stored_body": response.get_json(silent=True),
        "stored_headers": json.dumps(kept),
    }
    db.session.execute(_STORE, stored)


def _key(form_field: str | None) -> str | None:
    return (request.form.get(form_field) or None) if form_field else request.headers.get(HEADER)


def transactional(*, idempotent: bool = False, key_required: bool = False, form_field: str | None = None):
    """Commit the view's work once it returns; with `idempotent`, honour the `Idempotency-Key` header
    (with `key_required`, refuse a request without one: 428). A page's form carries its key in the
    field `form_field` instead (generated when the form is drawn, so a double submit replays)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            key = _key(form_field) if idempotent or key_required else None
            if key is None and key_required:
                raise KeyRequired(
                    f"this write moves stock: send an {HEADER} header (a unique value per intended "
                    "write, repeated on its retries) so that a retry is never applied twice",
                    header=HEADER,
                )
            try:
                record_id = None
                if key is not None:
                    record_id, replay = _claim(key)
                    if replay is not None:
                        db.session.rollback()
                        return replay
                response = view(*args, **kwargs)
                if record_id is not None:
                    _store(record_id, response)
                db.session.commit()
                return response
            except BaseException:
                db.session.rollback()
                raise

        return wrapper

    return decorator
