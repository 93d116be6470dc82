"""Charts as server-rendered SVG: pure functions from rows to an SVG string (no JavaScript needed)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

COLOURS = {"production": "#3b82c4", "purchase": "#e0912f", "transfer": "#4aa564"}
SHADES = {"closed": "#d5d8dc", "short": "#eceef0", "extra": "#dff3e4"}
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Bar:
    row: str
    start: datetime
    end: datetime
    label: str
    kind: str  # production | purchase | transfer


@dataclass(frozen=True)
class DayShade:
    """A day of a row that its calendar makes different: `closed`, `short` (fewer hours) or `extra` (more)."""

    row: str
    day: datetime
    kind: str
    label: str


def calendar_shades(resources: list[dict]) -> list[DayShade]:
    """The contract's resource calendars as day shades: closed days, short days and extra shifts."""
    shades = []
    for resource in resources:
        usual = resource["hours_per_day"]
        for entry in resource.get("calendar") or []:
            hours = entry["hours"]
            if hours == usual:
                continue
            kind = "closed" if hours <= 0 else "extra" if hours > usual else "short"
            words = {"closed": "closed", "extra": "extra shift", "short": "short day"}[kind]
            day = datetime.fromisoformat(entry["date"]).replace(tzinfo=UTC)
            shades.append(DayShade(resource["code"], day, kind, f"{entry['date']}: {words} ({hours:g} h)"))
    return shades


def _day_ticks(start: datetime, end: datetime, *, max_ticks: int = 15) -> list[datetime]:
    first = start.replace(hour=0, minute=0, second=0, microsecond=0)
    days = max(1, (end - first).days + 1)
    step = max(1, -(-days // max_ticks))
    return [first + DAY * i for i in range(0, days + 1, step) if start <= first + DAY * i <= end]


def gantt_svg(
    bars: list[Bar],
    *,
    shades: list[DayShade] = (),
    width: int = 1260,
    row_height: int = 26,
    label_width: int = 190,
) -> str:
    """A Gantt chart: one row per resource or route, a bar per order from its start to its end; days that a
    row's calendar closes, shortens or lengthens are shaded behind its bars."""
    if not bars:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40" role="img">' + (
            '<text x="10" y="25" font-size="13">Nothing planned.</text></svg>'
        )
    rows = list(dict.fromkeys(bar.row for bar in bars))
    start, end = min(b.start for b in bars), max(b.end for b in bars)
    span = max((end - start).total_seconds(), 3600.0)
    plot = width - label_width - 10
    height = 30 + row_height * len(rows) + 10

    def x(moment: datetime) -> float:
        return label_width + plot * (moment - start).total_seconds() / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Gantt chart">'
    ]
    for tick in _day_ticks(start, end):
        if x(tick) > width - 50:  # no room for its label
            continue
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="22" x2="{x(tick):.1f}" y2="{height - 10}" stroke="#e3e6ea"/>'
            f'<text x="{x(tick) + 2:.1f}" y="16" font-size="11" fill="#667">{tick:%d %b}</text>'
        )
    for i, row in enumerate(rows):
        y = 30 + i * row_height
        parts.append(
            f'<text x="4" y="{y + row_height * 0.65:.1f}" font-size="12" fill="#223">{escape(row)}</text>'
        )
    for shade in shades:
        if shade.row not in rows or shade.day + DAY <= start or shade.day >= end:
            continue
        y = 30 + rows.index(shade.row) * row_height
        left, right = x(max(shade.day, start)), x(min(shade.day + DAY, end))
        parts.append(
            f'<rect class="day {shade.kind}" x="{left:.1f}" y="{y}" width="{right - left:.1f}" '
            f'height="{row_height}" fill="{SHADES[shade.kind]}"><title>{escape(shade.label)}</title></rect>'
        )
    for bar in bars:
        y = 30 + rows.index(bar.row) * row_height + 3
        left, right = x(bar.start), max(x(bar.end), x(bar.start) + 3)
        parts.append(
            f'<rect class="bar {bar.kind}" x="{left:.1f}" y="{y}" width="{right - left:.1f}" '
            f'height="{row_height - 6}" rx="3" fill="{COLOURS.get(bar.kind, "#888")}">'
            f"<title>{escape(bar.label)}: {bar.start:%d %b %H:%M} → {bar.end:%d %b %H:%M}</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)


def stock_svg(
    points: list[tuple[datetime, float]], *, until: datetime, width: int = 1260, height: int = 260
) -> str:
    """Projected stock as a step line: the balance after each change, held until the next one."""
    if not points:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40" role="img">' + (
            '<text x="10" y="25" font-size="13">No stock and nothing planned here.</text></svg>'
        )
    start, end = points[0][0], max(until, points[-1][0])
    span = max((end - start).total_seconds(), 3600.0)
    low, high = min(0.0, *(b for _, b in points)), max(1.0, *(b for _, b in points))
    left, top, bottom = 60, 20, height - 30

    def x(moment: datetime) -> float:
        return left + (width - left - 10) * (moment - start).total_seconds() / span

    def y(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / (high - low)

    path, previous = [], None
    for moment, balance in points:
        if previous is not None:
            path.append(f"L{x(moment):.1f},{y(previous):.1f}")
        path.append(f"{'M' if previous is None else 'L'}{x(moment):.1f},{y(balance):.1f}")
        previous = balance
    path.append(f"L{x(end):.1f},{y(previous):.1f}")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stock-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Projected stock">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - 10}" y2="{y(0):.1f}" '
        'stroke="#c33" stroke-dasharray="4"/>',
        f'<text x="4" y="{y(high) + 4:.1f}" font-size="11" fill="#667">{high:g}</text>',
        f'<text x="4" y="{y(low) + 4:.1f}" font-size="11" fill="#667">{low:g}</text>',
    ]
    for tick in _day_ticks(start, end, max_ticks=10):
        if x(tick) > width - 50:
            continue
        parts.append(
            f'<text x="{x(tick):.1f}" y="{height - 10}" font-size="11" fill="#667">{tick:%d %b}</text>'
        )
    parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="#3b82c4" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)
