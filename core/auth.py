"""Who is calling: bearer tokens for API clients, sessions for the browser, and role checks.

Tokens are random (`secrets.token_urlsafe`), stored as SHA-256, compared in constant time, revocable
and scoped to a subset of their user's roles. `admin` may do everything. A confined role (`supplier`) is
held alone and opens only the views that name it: every other view refuses it (403).
"""

import hashlib
import hmac
import secrets
from functools import cache, wraps

from flask import g, request
from flask_login import LoginManager, current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import db, utcnow
from core.errors import DomainError, Invalid
from core.models import CONFINED_ROLES, ROLES, ApiToken, User

login_manager = LoginManager()


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class RoleRequired(DomainError):
    status = 403
    code = "forbidden"


class Principal:
    """The authenticated caller of one request: a user acting with a set of roles."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User, roles: frozenset[str], token_id: int | None = None):
        self.user = user
        self.id = user.id
        self.username = user.username
        self.roles = roles
        self.token_id = token_id

    def get_id(self) -> str:
        """The id a browser session stores: the user and its session version (see `end_sessions`)."""
        return f"{self.user.id}:{self.user.session_version}"

    def has_any(self, roles) -> bool:
        return "admin" in self.roles or bool(self.roles & set(roles))

    @property
    def confined(self) -> bool:
        """Whether the caller holds a confined role: it may call only the views that name that role."""
        return bool(self.roles & set(CONFINED_ROLES))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_roles(roles) -> list[str]:
    """Return `roles` as a list after checking each is a known role."""
    roles = [r.strip() for r in roles if r.strip()]
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise Invalid("roles", f"unknown role(s) {', '.join(unknown)}; known: {', '.join(ROLES)}")
    confined = set(roles) & set(CONFINED_ROLES)
    if confined and len(set(roles)) > 1:
        raise Invalid("roles", f"role {', '.join(sorted(confined))} is held alone")
    return roles


def create_user(*, username: str, roles, password: str | None = None) -> User:
    """Create a user with roles (and a password for the browser, if given)."""
    if db.session.scalar(select(User).where(User.username == username)):
        raise DomainError(f"user {username!r} exists", code="user_exists")
    user = User(username=username, roles=",".join(check_roles(roles)))
    if password:
        user.password_hash = generate_password_hash(password)
    db.session.add(user)
    db.session.flush()
    return user


def create_token(*, user: User, name: str = "", roles=None, expires_at=None) -> tuple[ApiToken, str]:
    """Issue a token for `user` scoped to `roles` (default: all its roles); return it and its secret."""
    scope = check_roles(roles) if roles else sorted(user.role_set)
    if not set(scope) <= user.role_set and "admin" not in user.role_set:
        raise Invalid(
            "roles", f"user {user.username!r} does not have role(s) {sorted(set(scope) - user.role_set)}"
        )
    secret = "takt_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:12],
        roles=",".join(scope),
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise DomainError(f"no token {token_id}", code="not_found")
    token.revoked_at = token.revoked_at or utcnow()
    return token


# Built once (every request runs it); the user comes in the same query, as every request needs it.
_TOKEN_BY_HASH = (
    select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.token_hash == bindparam("digest"))
)


def authenticate_token(secret: str) -> Principal | None:
    """The principal a bearer token stands for, or None if it is unknown, revoked, expired or inactive."""
    digest = hash_token(secret)
    token = db.session.scalar(_TOKEN_BY_HASH, {"digest": digest})
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.revoked_at or (token.expires_at and token.expires_at <= utcnow()) or not token.user.active:
        return None
    held = token.user.role_set
    # An admin may scope a token to any role; anyone else keeps only the scoped roles they still hold.
    return Principal(token.user, token.role_set if "admin" in held else token.role_set & held, token.id)


def authenticate_password(username: str, password: str) -> User | None:
    """The user these credentials sign in, or None.

    An unknown user costs the same hash check as a wrong password, so timing tells no one which exists.
    """
    user = db.session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user and user.password_hash else _dummy_password_hash()
    matches = check_password_hash(stored, password)
    return user if matches and user and user.active and user.password_hash else None


@cache
def _dummy_password_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


@login_manager.request_loader
def _load_from_bearer(req):
    header = req.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return authenticate_token(secret.strip())


def end_sessions(user: User) -> None:
    """Sign `user` out of every browser: the sessions signed so far no longer load."""
    user.session_version += 1


@login_manager.user_loader
def _load_from_session(session_id: str):
    user_id, _, version = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or version != str(user.session_version):
        return None
    return Principal(user, user.role_set)


@login_manager.unauthorized_handler
def _unauthorized():
    raise Unauthorized("authentication required: send 'Authorization: Bearer <token>'")


def current_principal() -> Principal:
    """The authenticated caller; raises 401 when there is none."""
    principal = current_user._get_current_object() if current_user else None
    if not isinstance(principal, Principal):
        bad = request.headers.get("Authorization")
        raise Unauthorized("invalid or revoked token" if bad else "authentication required")
    g.principal = principal
    return principal


def current_user_id() -> int:
    """The id of the user making the current request, to record who did a write."""
    return current_principal().id


def require_roles(*roles, sessions: bool = False):
    """View decorator: 401 without a valid principal, 403 unless it has one of `roles` (or admin).

    API views take bearer tokens only (`sessions=False`): a browser's session cookie never
    authorizes them, so they need no CSRF protection. Pages (`sessions=True`) take the session.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if not sessions and principal.token_id is None:
                raise Unauthorized(
                    "the API takes 'Authorization: Bearer <token>'; a browser session is not enough"
                )
            if principal.confined and not principal.roles & set(roles):
                raise RoleRequired("not open to a supplier", required_roles=list(roles))
            if roles and not principal.has_any(roles):
                raise RoleRequired(f"requires role {' or '.join(roles)}", required_roles=list(roles))
            return view(*args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorator
