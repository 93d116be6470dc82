"""Shell commands of the kernel: `flask users ...`, `flask tokens ...`."""

import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from core import auth
from core.db import db, utcnow
from core.errors import DomainError
from core.models import ROLES, ApiToken, User

users_cli = AppGroup("users", help="Manage users.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")


def _fail_on_domain_error(fn):
    try:
        return fn()
    except DomainError as e:
        db.session.rollback()
        raise click.ClickException(e.message) from e


@users_cli.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="repeatable")
@click.option("--password", default=None, help="for the browser pages (prompted if '-')")
def create_user_command(username, roles, password):
    """Create a user with one or more roles."""
    if password == "-":
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    user = _fail_on_domain_error(lambda: auth.create_user(username=username, roles=roles, password=password))
    db.session.commit()
    click.echo(f"user {user.id} {user.username} roles={user.roles}")


@users_cli.command("list")
def list_users_command():
    """List users and their roles."""
    for user in db.session.scalars(select(User).order_by(User.id)):
        click.echo(f"{user.id}\t{user.username}\t{user.roles}\t{'active' if user.active else 'inactive'}")


@tokens_cli.command("create")
@click.argument("username")
@click.option(
    "--role", "roles", multiple=True, type=click.Choice(ROLES), help="scope (default: all the user's roles)"
)
@click.option("--name", default="", help="what the token is for")
@click.option("--days", type=int, default=None, help="expire after this many days")
def create_token_command(username, roles, name, days):
    """Issue an API token and print it (it is shown once)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    expires = utcnow() + timedelta(days=days) if days else None
    _, secret = _fail_on_domain_error(
        lambda: auth.create_token(user=user, name=name, roles=roles or None, expires_at=expires)
    )
    db.session.commit()
    click.echo(secret)


@tokens_cli.command("list")
def list_tokens_command():
    """List tokens (never their secrets)."""
    for t in db.session.scalars(select(ApiToken).order_by(ApiToken.id)):
        state = "revoked" if t.revoked_at else "active"
        click.echo(f"{t.id}\t{t.user.username}\t{t.prefix}…\t{t.roles}\t{t.name}\t{state}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_token_command(token_id):
    """Revoke a token by id; it stops working at once."""
    _fail_on_domain_error(lambda: auth.revoke_token(token_id))
    db.session.commit()
    click.echo(f"token {token_id} revoked")


DEMO_PASSWORD = "demo"


@click.command("demo")
@click.option("--tokens/--no-tokens", default=True, help="issue and print a fresh token per demo user")
@click.option(
    "--size", help="a generated company instead: small, medium, large or xlarge (100,000 open orders)"
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="the generated company's seed (with --size)"
)
@with_appcontext
def demo_command(tokens, size, seed):
    """Fill an empty database with a demo company; create a demo user per role and print their tokens."""
    users = {role: _demo_user(role) for role in ROLES}
    if db.session.scalar(select(User.id).where(User.username == "demo-loaded")) is None:
        if size:
            _load_generated(size=size, seed=seed, user_id=users["admin"].id)
        else:
            for load in current_app.extensions["takt_demo_loaders"]:
                load(user_id=users["admin"].id)
        db.session.add(User(username="demo-loaded", roles="", active=False))
        click.echo("demo data loaded")
    else:
        click.echo("demo data already loaded; left as it is")
    if tokens:
        for role, user in users.items():
            for old in user.tokens:
                if old.name == "demo" and not old.revoked_at:
                    old.revoked_at = utcnow()
            _, secret = auth.create_token(user=user, name="demo")
            click.echo(f"{role:10} {user.username:15} password={DEMO_PASSWORD}  token={secret}")
    db.session.commit()


def _load_generated(*, size: str, seed: int, user_id: int) -> None:
    started = time.perf_counter()
    try:
        counts = current_app.extensions["takt_company_loader"](size=size, seed=seed, user_id=user_id)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--size") from error
    rows = ", ".join(f"{table} {n:,}" for table, n in counts.items())
    click.echo(
        f"generated company {size} (seed {seed}) loaded in {time.perf_counter() - started:.1f} s: {rows}"
    )


def _demo_user(role: str) -> User:
    username = f"demo-{role}"
    user = db.session.scalar(select(User).where(User.username == username))
    return user or auth.create_user(username=username, roles=[role], password=DEMO_PASSWORD)
