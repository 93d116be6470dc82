"""A run's charts: the Gantt (production, purchases and transfers on one time axis, zoomed by day or
week, with each resource's load per day) and projected stock of one item at one location, picked by
searching, each change with its cause."""

from datetime import UTC, datetime, timedelta

from flask import abort, render_template, request

from planning.runs.costs import stock_history
from planning.runs.models import PlanningRun
from planning.runs.publish import plan_document
from planning.web import web
from planning.web.charts import ZOOMS, Axis, Bar, calendar_shades, gantt_svg, resource_loads
from planning.web.pages import read
from planning.web.plan_pages import _context, _planned_run
from planning.web.stock_chart import stock_svg

PICKED = 20  # suggestions the item search offers


def _qty(quantity) -> str:
    """A planned quantity as a label shows it: 100, 2.5 (never 100.000000)."""
    number = float(quantity)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"


def _when(moment: datetime) -> str:
    return f"{moment:%d %b %H:%M}"


def gantt_sections(run: PlanningRun) -> list[tuple[str, list[Bar]]]:
    """The plan's orders as bars: production per resource, purchases per supplier and location, transfers
    per lane."""
    production = [
        Bar(p.resource, p.start_at, p.end_at, f"{p.ref} · {_qty(p.qty)} {p.sku}", "production")
        for p in sorted(run.productions, key=lambda p: (p.resource, p.start_at))
    ]
    purchases = [
        Bar(
            f"{p.supplier} → {p.location}",
            p.order_at,
            p.receive_at,
            f"{p.ref} · {_qty(p.qty)} {p.sku}",
            "purchase",
            f"ordered {_when(p.order_at)}, received {_when(p.receive_at)}",
        )
        for p in sorted(run.purchases, key=lambda p: (p.supplier, p.location, p.order_at))
    ]
    transfers = [
        Bar(
            f"{t.from_location} → {t.to_location} ({t.mode})",
            t.depart_at,
            t.arrive_at,
            f"{t.ref} · {_qty(t.qty)} {t.sku}",
            "transfer",
            f"departs {_when(t.depart_at)}, arrives {_when(t.arrive_at)}",
        )
        for t in sorted(run.transfers, key=lambda t: (t.from_location, t.to_location, t.depart_at))
    ]
    return [
        ("Production per resource", production),
        ("Purchases: supplier → location", purchases),
        ("Transfers", transfers),
    ]


@web.get("/runs/<id:run_id>/gantt")
@read
def gantt(run_id: int):
    run = _planned_run(run_id)
    zoom = request.args.get("zoom", "week")
    if zoom not in ZOOMS:
        abort(404, f"zoom is day or week, not {zoom!r}")
    snapshot = run.snapshot or {}
    sections = gantt_sections(run)
    moments = [run.plan_start] + [m for _, bars in sections for b in bars for m in (b.start, b.end)]
    axis = Axis.around(moments, zoom)
    loads = resource_loads(snapshot, plan_document(run).get("production") or [], axis)
    shades = calendar_shades(snapshot.get("resources") or [])
    rows, plot = gantt_svg(sections, axis, shades=shades, loads=loads)
    return render_template(
        "gantt.html", **_context(run, "gantt"), zoom=zoom, zooms=ZOOMS, rows=rows, plot=plot
    )


@web.get("/runs/<id:run_id>/stock")
@read
def projected_stock(run_id: int):
    run = _planned_run(run_id)
    snapshot = run.snapshot or {}
    names = {i["sku"]: i.get("name", "") for i in snapshot.get("items") or []}
    locations = [loc["code"] for loc in snapshot.get("locations") or []]
    busy = _busiest_place(run)
    sku = request.args.get("sku", "").strip() or busy[0] or next(iter(names), "")
    location = request.args.get("location") or busy[1] or (locations[0] if locations else "")
    chart, history = None, []
    if sku in names and location and snapshot:
        raw = stock_history(snapshot, plan_document(run), sku=sku, location=location)
        history = [
            (datetime.fromtimestamp(at, UTC), change, balance, cause) for at, change, balance, cause in raw
        ]
        until = run.plan_start + timedelta(days=snapshot.get("horizon_days", 60))
        chart = stock_svg(history, until=until)
    return render_template(
        "stock_chart.html",
        **_context(run, "stock"),
        locations=locations,
        sku=sku,
        name=names.get(sku),
        location=location,
        chart=chart,
        history=history,
    )


@web.get("/runs/<id:run_id>/stock/items")
@read
def stock_items(run_id: int):
    """The item picker's suggestions: the first items whose sku or name holds what was typed (htmx)."""
    run = _planned_run(run_id)
    typed = request.args.get("sku", "").strip().lower()
    items = (run.snapshot or {}).get("items") or []
    found = [i for i in items if typed in i["sku"].lower() or typed in (i.get("name") or "").lower()]
    return render_template("_item_options.html", items=found[:PICKED])


def _busiest_place(run: PlanningRun) -> tuple[str | None, str | None]:
    """The (sku, location) the plan moves most often: a telling default for the stock chart."""
    places = [(t.sku, t.to_location) for t in run.transfers] + [(p.sku, p.location) for p in run.purchases]
    places += [(d.sku, d.from_location) for c in run.confirmations for d in c.deliveries]
    return max(places, key=places.count) if places else (None, None)
