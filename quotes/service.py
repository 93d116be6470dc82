"""Quotes: a promise for a prospective order against the residual of the plan in force, held on request.

The residual is built once when a plan is published (`store_residual`, on `PlanPublished`) and changed only
by adjustments: a held quote's ledger entries, or a stock movement no document made (`record_movement`, on
`StockMoved`). Each process keeps the latest residual as a solver ledger in memory, loaded once, and
applies to it only the adjustments committed since (`_apply`), found in the same query that finds the latest
residual (`_residual_and_news`): a quote costs one query, one promise and no database lock. A hold then locks
the residual's row, so holds take turns (across processes) and each sees every hold before it; it quotes
again only if something was held or moved since its first try. A publish locks the row too, and carries
over the holds and movements its run did not see.

The solver's modules are imported where they are used: importing any of them loads OR-Tools (the solver
package's `__init__`), which web workers and the scheduler's start-up must not pay for.
"""

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import Integer, bindparam, case, delete, func, or_, select

from core.db import db, utcnow
from core.errors import Conflict, Invalid
from core.formats import parse_time
from inventory import service as inventory_service
from inventory.events import StockMoved
from orders import service as orders_service
from orders.priorities import priorities
from planning.runs.events import PlanPublished
from planning.runs.models import PlanningRun
from quotes.models import QuoteAdjustment, QuoteResidual

RECENT = timedelta(minutes=2)  # an adjustment committed later than its id suggests is still seen this long
CARRY_MARGIN = timedelta(minutes=1)  # holds this close before a run's snapshot may have missed it
QUOTE_RUN_REF = "quote"
TRIES = 3  # a hold whose promise changed under it this often is made with the row lock held throughout


class NoPlanInForce(Conflict):
    code = "no_plan_in_force"


@dataclass
class _State:
    """One process's copy of a residual: the solver's ledger with the adjustments applied so far."""

    residual_id: int
    snapshot: object  # planning.solver.contract.Snapshot
    ledger: object  # planning.solver.ledger.Ledger
    applied: dict[int, datetime] = field(default_factory=dict)  # adjustment id: when it was made
    applied_through: int = 0
    version: int = 0  # adjustments applied so far: a quote made at another version is out of date


_LOCK = threading.Lock()  # the ledgers of this process: one quote at a time tries things on them
_LOADING = threading.Lock()  # one thread loads a residual, the others wait for it
_STATES: dict[tuple, _State] = {}


# -- keeping the residual --------------------------------------------------------------------------------


def store_residual(event: PlanPublished) -> QuoteResidual:
    """Build and store the residual of the plan being published (in its transaction)."""
    from planning.solver.contract import parse_snapshot
    from quotes import residual

    run, plan = event.run, event.plan
    _latest_residual(lock=True)  # holds wait until this publish is done, then see the new residual
    base = db.session.scalar(select(func.coalesce(func.max(QuoteAdjustment.id), 0)))
    snapshot = parse_snapshot(run.snapshot)
    ledger = residual.build_ledger(snapshot, plan)
    since = run.started_at or run.created_at
    planned = {c["order_id"] for c in plan.get("confirmations") or []}
    for adjustment in _unseen_by_run(since, planned):
        residual.apply(ledger, adjustment.entries)
    db.session.execute(delete(QuoteAdjustment).where(QuoteAdjustment.created_at < since - CARRY_MARGIN))
    row = QuoteResidual(run_id=run.id, base_adjustment_id=base, document=residual.document(ledger))
    db.session.add(row)
    db.session.flush()
    return row


def _unseen_by_run(since: datetime, planned: set[str]) -> list[QuoteAdjustment]:
    """Movements after the run's snapshot, and holds whose order the run did not plan."""
    stmt = select(QuoteAdjustment).order_by(QuoteAdjustment.id)
    stmt = stmt.where(
        or_(
            (QuoteAdjustment.kind == "movement") & (QuoteAdjustment.created_at >= since),
            (QuoteAdjustment.kind == "hold") & (QuoteAdjustment.created_at >= since - CARRY_MARGIN),
        )
    )
    return [a for a in db.session.scalars(stmt) if a.kind == "movement" or a.order_number not in planned]


def record_movement(event: StockMoved) -> None:
    """A movement no document made changes free stock from now on (documents' movements carry out what
    the plan already counts)."""
    from quotes import residual

    changes = [(sku, loc, delta) for sku, loc, delta, reference in event.changes if reference == "free"]
    now = utcnow()
    entries = residual.movement_entries(changes, int(now.timestamp()))
    if entries:
        db.session.add(QuoteAdjustment(kind="movement", entries=entries, created_at=now))


def _latest_residual(*, lock: bool = False):
    stmt = select(*_RESIDUAL_COLUMNS).order_by(QuoteResidual.id.desc()).limit(1)
    if lock:
        stmt = stmt.with_for_update(of=QuoteResidual)
    return db.session.execute(stmt).first()


_RESIDUAL_COLUMNS = (
    QuoteResidual.id,
    QuoteResidual.run_id,
    QuoteResidual.base_adjustment_id,
    QuoteResidual.created_at,
)


def _cached() -> _State | None:
    """This app's copy of the residual it last used (one per app: an older one is dropped on loading)."""
    app = id(current_app._get_current_object())
    return next((state for key, state in list(_STATES.items()) if key[0] == app), None)


def _news_columns(through):
    """An adjustment's id, its entries if after `through` (else None: maybe applied already), and when."""
    entries = case((QuoteAdjustment.id > through, QuoteAdjustment.entries), else_=None)
    return QuoteAdjustment.id, entries, QuoteAdjustment.created_at


def _residual_and_news_query():
    """The statement of `_residual_and_news`, built once (parameters: cached_id, through, recent)."""
    residual = select(*_RESIDUAL_COLUMNS).order_by(QuoteResidual.id.desc()).limit(1).subquery()
    through = case(
        (residual.c.id == bindparam("cached_id", type_=Integer), bindparam("through", type_=Integer)), else_=0
    )
    recent = bindparam("recent", type_=QuoteAdjustment.created_at.type)
    news = (QuoteAdjustment.id > residual.c.base_adjustment_id) & or_(
        QuoteAdjustment.id > through, QuoteAdjustment.created_at >= recent
    )
    stmt = select(residual, *_news_columns(through)).outerjoin(QuoteAdjustment, news)
    return stmt.order_by(QuoteAdjustment.id)


_RESIDUAL_AND_NEWS = _residual_and_news_query()


def _residual_and_news():
    """The latest residual and the adjustments this process has not applied to it yet, in one query (no lock
    held): those after what its cached copy applied, and the recent ones (committed later than their id
    suggests; their entries only if not applied already). For a residual not cached yet, all of them."""
    cached = _cached()
    params = {
        "cached_id": cached.residual_id if cached else 0,
        "through": cached.applied_through if cached else 0,
        "recent": utcnow() - RECENT,
    }
    rows = db.session.execute(_RESIDUAL_AND_NEWS, params).all()
    if not rows:
        return None, []
    latest = _Latest(*rows[0][:4])
    news = [tuple(row[4:]) for row in rows if row[4] is not None]
    return latest, _with_entries(news, cached if cached and cached.residual_id == latest.id else None)


@dataclass(frozen=True)
class _Latest:
    id: int
    run_id: int
    base_adjustment_id: int
    created_at: datetime


def _with_entries(news: list[tuple], state: _State | None) -> list[tuple]:
    """`news` without those `state` applied already, the entries of the others looked up (rare: an
    adjustment committed after a later one)."""
    if state is None:
        return news
    missing = [i for i, entries, _ in news if entries is None and i not in state.applied]
    if missing:
        stmt = select(QuoteAdjustment.id, QuoteAdjustment.entries).where(QuoteAdjustment.id.in_(missing))
        found = dict(db.session.execute(stmt).all())
        news = [
            (i, found[i] if entries is None else entries, at)
            for i, entries, at in news
            if i in found or entries is not None
        ]
    return [row for row in news if row[1] is not None]


def _news_since(latest, state: _State) -> list[tuple]:
    """The adjustments to `latest` not applied to `state` yet: one query (two if one committed late)."""
    through = state.applied_through
    stmt = select(*_news_columns(through)).order_by(QuoteAdjustment.id)
    stmt = stmt.where(
        QuoteAdjustment.id > latest.base_adjustment_id,
        or_(QuoteAdjustment.id > through, QuoteAdjustment.created_at >= utcnow() - RECENT),
    )
    return _with_entries([tuple(row) for row in db.session.execute(stmt)], state)


def _state(latest) -> _State:
    """This process's copy of residual `latest`, loaded on its first use (once, however many threads ask)."""
    from planning.solver.contract import parse_snapshot
    from quotes import residual

    key = (id(current_app._get_current_object()), latest.id, latest.created_at)
    state = _STATES.get(key)
    if state is not None:
        return state
    with _LOADING:
        state = _STATES.get(key)
        if state is None:
            run = db.session.get(PlanningRun, latest.run_id)
            snapshot = parse_snapshot(run.snapshot)
            document = db.session.scalar(select(QuoteResidual.document).where(QuoteResidual.id == latest.id))
            state = _State(latest.id, snapshot, residual.load_ledger(snapshot, document))
            state.applied_through = latest.base_adjustment_id
            with _LOCK:
                for stale in [k for k in _STATES if k[0] == key[0]]:  # this app's older residual
                    del _STATES[stale]
                _STATES[key] = state
    return state


def _apply(state: _State, news: list[tuple]) -> None:
    """Bring `state` up to date with `news` (call with `_LOCK` held); each adjustment is applied once."""
    from quotes import residual

    for adjustment_id, entries, created_at in news:
        if adjustment_id not in state.applied:
            residual.apply(state.ledger, entries)
            state.applied[adjustment_id] = created_at
            state.applied_through = max(state.applied_through, adjustment_id)
            state.version += 1
    if len(state.applied) > 1000:  # ids older than the window are never asked for again
        keep = utcnow() - 2 * RECENT
        state.applied = {i: at for i, at in state.applied.items() if at >= keep}


# -- quoting ---------------------------------------------------------------------------------------------


def quote(fields: dict, *, user_id: int) -> dict:
    """The earliest promise for a prospective order; with `hold`, an accepted order carrying it, and what
    it uses reserved until the next run plans it.

    The quote is made without a database lock, against this process's copy brought up to date in the same
    query that finds the residual. A hold writes its order with that promise, then locks the residual's
    row (holds take turns), applies what was committed meanwhile and quotes again only if that changed
    anything: a different promise takes the order back (a savepoint) and writes it anew, or holds nothing
    if there is none. The lock is held from there until the request commits: the adjustment, no more."""
    hold = fields.get("hold", False)
    region, customer = _ship_to(fields, hold)
    requested = fields.get("requested_at") or utcnow()
    priority = _priority(fields)
    latest, news = _residual_and_news()
    if latest is None:
        _lines(fields["lines"], known=frozenset())  # bad input is a 422 first
        raise NoPlanInForce("no plan is in force yet: quotes need a published plan")
    state = _state(latest)
    lines = _lines(fields["lines"], known=state.snapshot.holding.keys())
    with _LOCK:
        _apply(state, news)
        order = _order(state, region, requested, priority, fields, lines)
        result, version = _promise(state, order), state.version
    answer = {**result.answer, "held": False, "order": None, "run": latest.run_id}
    if not (hold and result.answer["quotable"]):
        return answer
    for _ in range(TRIES):
        # the order and its promise are written before the row lock is taken, in a savepoint: taken back
        # (with the lock) if what was held meanwhile changes the promise, then written anew
        savepoint = db.session.begin_nested()
        number = _order_with_promise(customer, region, requested, fields, lines, result)
        latest, state, again = _recheck(latest, state, version, region, requested, priority, fields, lines)
        if again is None or again.answer == result.answer:
            savepoint.commit()
            _reserve(number, again or result, user_id)
            return answer | {"held": True, "order": number}
        savepoint.rollback()
        result, version = again, state.version
        answer = {**result.answer, "held": False, "order": None, "run": latest.run_id}
        if not result.answer["quotable"]:
            return answer
    # holds kept changing it: quote and write with the lock held throughout, as the last one in the queue
    latest, state, again = _recheck(latest, state, None, region, requested, priority, fields, lines)
    answer = {**again.answer, "held": False, "order": None, "run": latest.run_id}
    if not again.answer["quotable"]:
        return answer
    number = _order_with_promise(customer, region, requested, fields, lines, again)
    _reserve(number, again, user_id)
    return answer | {"held": True, "order": number}


def _recheck(latest, state: _State, version, region, requested, priority, fields, lines):
    """Lock the residual's row (holds take turns), bring `state` up to date and quote again if anything
    was applied since `version` (None: quote again anyway); (latest, state, the new quote or None)."""
    locked = _latest_residual(lock=True)
    if locked.id != latest.id:  # a plan was published meanwhile
        latest, state, version = locked, _state(locked), None
    news = _news_since(latest, state)
    with _LOCK:
        _apply(state, news)
        if state.version == version:
            return latest, state, None
        return latest, state, _promise(state, _order(state, region, requested, priority, fields, lines))


def _order(state: _State, region, requested, priority: int, fields: dict, lines):
    from quotes import quoting

    return quoting.prospective_order(
        region=region.code,
        requested_at=int(requested.timestamp()),
        priority=priority,
        weight=state.snapshot.policy.weights.get(str(priority), 1.0),
        ship_complete=fields.get("ship_complete", True),
        lines=[(line, sku, float(qty)) for line, sku, qty in lines],
    )


def _promise(state: _State, order):
    """The quote of `order` on `state` (call with `_LOCK` held); the ledger is left as it was."""
    from quotes import quoting

    mark = state.ledger.mark()
    try:
        return quoting.quote_order(state.snapshot, state.ledger, order, now=int(utcnow().timestamp()))
    finally:
        state.ledger.rollback(mark)  # held entries come back through the adjustment, once committed
        state.ledger.journal.clear()


def _ship_to(fields: dict, hold: bool):
    customer = fields.get("customer")
    customer = orders_service.get_customer(customer, field="customer") if customer else None
    if hold and customer is None:
        raise Invalid("customer", "required to hold a quote (the order is the customer's)")
    if fields.get("region"):
        return inventory_service.get_region(fields["region"], field="region"), customer
    if customer is None or customer.region is None:
        raise Invalid("region", "required: give a region or a customer with a default region")
    return customer.region, customer


def _lines(specs: list[dict], *, known) -> list[tuple[str, str, Decimal]]:
    """(line id, sku, quantity) per line; a sku the plan's snapshot does not know is looked up (422 if no
    such item; one the plan does not know is simply unquotable)."""
    ids = [str(spec.get("line") or i) for i, spec in enumerate(specs, start=1)]
    if len(set(ids)) != len(ids):
        raise Invalid("lines", "line ids must be unique")
    for i, spec in enumerate(specs):
        if spec["sku"] not in known:
            inventory_service.get_item(spec["sku"], field=f"lines[{i}].sku")
    return [(line, spec["sku"], spec["quantity"]) for line, spec in zip(ids, specs, strict=True)]


def _priority(fields: dict) -> int:
    priority = fields.get("priority", 2)
    if priority not in priorities(current_app.config):
        raise Invalid("priority", f"must be one of {priorities(current_app.config)} (the policy's weights)")
    return priority


def _order_with_promise(customer, region, requested, fields, lines, result) -> str:
    """The accepted order carrying the quote's promise; its number."""
    order = orders_service.create_order(
        customer_code=customer.code,
        region_code=region.code,
        requested_at=requested,
        priority=fields.get("priority", 2),
        ship_complete=fields.get("ship_complete", True),
        lines=[{"line": line, "sku": sku, "quantity": qty} for line, sku, qty in lines],
    )
    orders_service.accept_order(number=order.number)
    answer = result.answer
    orders_service.record_confirmation(
        order=order,
        status="confirmed",
        promised_at=parse_time(answer["promised_at"]),
        lines=[_confirmation_line(line) for line in answer["lines"]],
        reason=answer["reason"],
        explanation=answer["explanation"],
        run_ref=QUOTE_RUN_REF,
    )
    return order.number


def _reserve(number: str, result, user_id: int) -> None:
    """The held quote's adjustment: what it uses, reserved until the next run plans order `number`."""
    from quotes import residual

    entries = residual.entries(result.journal)
    db.session.add(QuoteAdjustment(kind="hold", order_number=number, entries=entries, created_by_id=user_id))
    db.session.flush()


def _confirmation_line(line: dict) -> dict:
    deliveries = [
        {**d, "depart_at": parse_time(d["depart_at"]), "arrive_at": parse_time(d["arrive_at"])}
        for d in line["deliveries"]
    ]
    return {"line": line["line"], "sku": line["sku"], "qty": line["qty"], "deliveries": deliveries}
