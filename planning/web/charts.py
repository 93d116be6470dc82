"""Charts as server-rendered SVG: pure functions from rows to SVG strings (no JavaScript needed).

The Gantt draws production, purchases and transfers on one time axis (`Axis`: whole UTC days, a zoom of
so many pixels a day), each row packed into as many lanes as its bars overlap (two purchases on one lane
at once are two bars), with each resource's load against its capacity per day under its row and the days
its calendar closes, shortens or lengthens shaded. The row names are a chart of their own, drawn beside
the plot so they stay in view while it scrolls.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from planning.web.svg import svg, tag, text, title

COLOURS = {"production": "#3b82c4", "purchase": "#e0912f", "transfer": "#4aa564"}
SHADES = {"closed": "#d5d8dc", "short": "#eceef0", "extra": "#dff3e4"}
DAY = timedelta(days=1)
ZOOMS = {"day": 160.0, "week": 40.0}  # pixels per day
HEAD, TITLE, LANE, LOAD_STRIP, LABELS = 38, 22, 22, 16, 210


@dataclass(frozen=True)
class Bar:
    row: str
    start: datetime
    end: datetime
    label: str
    kind: str  # production | purchase | transfer
    detail: str = ""  # more for the tooltip


@dataclass(frozen=True)
class DayShade:
    """A day of a row that its calendar makes different: `closed`, `short` (fewer hours) or `extra` (more)."""

    row: str
    day: datetime
    kind: str
    label: str


@dataclass(frozen=True)
class Load:
    """A resource's production hours starting on one UTC day, against the hours it has that day."""

    row: str
    day: datetime
    hours: float
    capacity: float

    @property
    def share(self) -> float | None:
        return self.hours / self.capacity if self.capacity > 0 else None


@dataclass(frozen=True)
class Axis:
    """Whole UTC days from `start`, `px_per_day` wide each: the one time scale of a chart."""

    start: datetime
    days: int
    px_per_day: float

    @classmethod
    def around(cls, moments: list[datetime], zoom: str = "week") -> "Axis":
        first = min(moments).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        days = max(1, -(-(max(moments) - first) // DAY))
        return cls(first, days, ZOOMS.get(zoom, ZOOMS["week"]))

    @property
    def width(self) -> float:
        return self.days * self.px_per_day

    def x(self, moment: datetime) -> float:
        return (moment - self.start) / DAY * self.px_per_day

    def day_starts(self) -> list[datetime]:
        return [self.start + DAY * i for i in range(self.days)]


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


def resource_loads(snapshot: dict, production: list[dict], axis: Axis) -> list[Load]:
    """Each resource's load per day of the axis (contract rule 4: `qty * hours_per_unit + setup_hours` on
    the day an order starts) against its hours that day (its calendar's, else `hours_per_day`)."""
    routes = {(r["sku"], r["resource"]): r for r in snapshot.get("routes") or []}
    hours: dict[tuple[str, str], float] = {}
    for order in production:
        route = routes.get((order["sku"], order["resource"]))
        if route:
            day = order["start_at"][:10]
            used = order["qty"] * route["hours_per_unit"] + route.get("setup_hours", 0)
            hours[order["resource"], day] = hours.get((order["resource"], day), 0.0) + used
    loads = []
    for resource in snapshot.get("resources") or []:
        calendar = {entry["date"]: entry["hours"] for entry in resource.get("calendar") or []}
        for day in axis.day_starts():
            date = day.date().isoformat()
            capacity = calendar.get(date, resource["hours_per_day"])
            loads.append(Load(resource["code"], day, hours.get((resource["code"], date), 0.0), capacity))
    return loads


def pack(bars: list[Bar]) -> tuple[list[tuple[Bar, int]], int]:
    """Each bar with the lane of its row it is drawn in (overlapping bars in different lanes), and the
    number of lanes the row needs."""
    ends: list[datetime] = []
    placed = []
    for bar in sorted(bars, key=lambda b: (b.start, b.end)):
        lane = next((i for i, end in enumerate(ends) if end <= bar.start), len(ends))
        if lane == len(ends):
            ends.append(bar.end)
        ends[lane] = max(bar.end, bar.start + timedelta(minutes=1))
        placed.append((bar, lane))
    return placed, max(1, len(ends))


@dataclass(frozen=True)
class _Row:
    section: str
    name: str
    y: float
    lanes: int
    placed: list[tuple[Bar, int]]
    loads: list[Load]

    @property
    def height(self) -> float:
        return self.lanes * LANE + 6 + (LOAD_STRIP if self.loads else 0)


def _layout(sections: list[tuple[str, list[Bar]]], loads: list[Load]) -> tuple[list, float]:
    """Titles and rows top to bottom: ("title", y, text) for titles, `_Row`s for rows; and the height.

    A row's loads are those of the resource it is named for; a resource with loads but no bar gets a row
    of its own in the first section (production), so an idle line shows as idle."""
    by_row: dict[str, list[Load]] = {}
    for load in loads:
        by_row.setdefault(load.row, []).append(load)
    items, y = [], HEAD
    for index, (heading, bars) in enumerate(sections):
        items.append(("title", y, heading))
        y += TITLE
        names = list(dict.fromkeys(bar.row for bar in bars))
        names += [name for name in by_row if name not in names] if index == 0 else []
        for name in names:
            placed, lanes = pack([bar for bar in bars if bar.row == name])
            row = _Row(heading, name, y, lanes, placed, by_row.get(name, []))
            items.append(row)
            y += row.height
    return items, y + 4


def gantt_svg(
    sections: list[tuple[str, list[Bar]]],
    axis: Axis | None = None,
    *,
    shades: list[DayShade] = (),
    loads: list[Load] = (),
) -> tuple[str, str]:
    """The Gantt as (row names, plot): both the same height, the plot `axis.width` wide."""
    bars = [bar for _, section in sections for bar in section]
    if not bars:
        return "", svg(text("Nothing planned.", x=10, y=25), width=400, height=40, class_="gantt")
    axis = axis or Axis.around([m for b in bars for m in (b.start, b.end)])
    items, height = _layout(sections, list(loads))
    rows = [item for item in items if isinstance(item, _Row)]
    plot = [*_grid(axis, height), *_shades(rows, shades, axis)]
    for row in rows:
        plot += _bars(row, axis) + _load_strip(row, axis)
    chart = svg(*plot, width=axis.width, height=height, class_="gantt", data_zoom=_zoom_name(axis))
    return svg(*_names(items), width=LABELS, height=height, class_="gantt-rows"), chart


def _names(items: list) -> list[str]:
    """The section titles and row names, at the heights of their rows."""
    names = []
    for item in items:
        if not isinstance(item, _Row):
            names.append(text(item[2], x=4, y=item[1] + 16, font_size=12, font_weight=600, fill="#445"))
            continue
        names.append(text(item.name, class_="row-name", x=6, y=item.y + 16, font_size=12, fill="#223"))
        if item.loads:
            names.append(text("load / capacity", x=14, y=item.y + item.height - 4, font_size=10, fill="#778"))
    return names


def _zoom_name(axis: Axis) -> str:
    return next((name for name, px in ZOOMS.items() if px == axis.px_per_day), "custom")


def _grid(axis: Axis, height: float) -> list[str]:
    """Day lines (weekends tinted), and the labels: each day when there is room, and each week."""
    parts = []
    daily = axis.px_per_day >= 60
    for day in axis.day_starts():
        x, monday = axis.x(day), day.weekday() == 0
        if day.weekday() >= 5:
            parts.append(
                tag("rect", x=x, y=HEAD, width=axis.px_per_day, height=height - HEAD, fill="#f7f8fa")
            )
        line = "#c9ced4" if monday else "#eceef1"
        parts.append(tag("line", x1=x, y1=HEAD - 6, x2=x, y2=height, stroke=line))
        if daily:
            parts.append(
                text(f"{day:%a %d %b}", class_="tick", x=x + 4, y=HEAD - 10, font_size=11, fill="#556")
            )
        if monday or day == axis.start:
            week = f"week {day:%V}" if daily else f"week {day:%V} · {day:%d %b %Y}"
            parts.append(text(week, class_="week", x=x + 4, y=13, font_size=11, font_weight=600, fill="#334"))
    return parts


def _shades(rows: list[_Row], shades: list[DayShade], axis: Axis) -> list[str]:
    by_name = {row.name: row for row in rows}
    parts = []
    for shade in shades:
        row = by_name.get(shade.row)
        if row is None or not 0 <= (shade.day - axis.start) / DAY < axis.days:
            continue
        box = {"x": axis.x(shade.day), "y": row.y, "width": axis.px_per_day, "height": row.height}
        tip = title(f"{shade.row} {shade.label}")
        parts.append(tag("rect", tip, class_=f"day {shade.kind}", **box, fill=SHADES[shade.kind]))
    return parts


def _bars(row: _Row, axis: Axis) -> list[str]:
    """A bar per order in its lane, its label inside when it fits, everything in its tooltip."""
    parts = []
    for bar, lane in row.placed:
        left = axis.x(bar.start)
        width = max(axis.x(bar.end) - left, 3.0)
        y = row.y + 3 + lane * LANE
        when = f"{bar.start:%a %d %b %H:%M} → {bar.end:%a %d %b %H:%M} UTC"
        children = [
            title(f"{row.name}: {bar.label}" + (f" · {bar.detail}" if bar.detail else "") + f"\n{when}"),
            tag(
                "rect",
                class_=f"bar {bar.kind}",
                x=left,
                y=y,
                width=width,
                height=LANE - 4,
                rx=3,
                fill=COLOURS.get(bar.kind, "#888"),
            ),
        ]
        fits = int((width - 6) / 6.2)  # characters of 11px text
        if fits >= 4:
            label = bar.label if len(bar.label) <= fits else bar.label[: fits - 1] + "…"
            children.append(text(label, x=left + 4, y=y + 13, font_size=11, fill="#fff"))
        parts.append(tag("g", *children, class_=f"bar {bar.kind}", data_row=row.name, data_lane=lane))
    return parts


def _load_colour(share: float | None) -> str:
    if share is None:
        return "#d5d8dc"  # closed
    return (
        "#f1f3f5"
        if share == 0
        else "#9fd3ae"
        if share <= 0.85
        else "#f3c969"
        if share <= 1.0001
        else "#e8837a"
    )


def _load_strip(row: _Row, axis: Axis) -> list[str]:
    """A cell per day under a resource's bars: its load's share of capacity, red above 100 %."""
    parts = []
    y = row.y + row.lanes * LANE + 4
    for load in row.loads:
        share, x = load.share, axis.x(load.day)
        of = f"({share:.0%})" if share is not None else "(closed)"
        children = [
            title(f"{load.row} {load.day:%a %d %b}: {load.hours:g} h load of {load.capacity:g} h {of}"),
            tag(
                "rect",
                x=x + 1,
                y=y,
                width=axis.px_per_day - 2,
                height=LOAD_STRIP - 3,
                rx=2,
                fill=_load_colour(share),
            ),
        ]
        if axis.px_per_day >= 60 and (share or load.hours):
            shown = f"{share:.0%}" if share is not None else f"{load.hours:g} h, closed"
            children.append(text(shown, x=x + 4, y=y + 10, font_size=10, fill="#223"))
        day = f"{load.day:%Y-%m-%d}"
        parts.append(tag("g", *children, class_="load", data_day=day, data_share=_share(share)))
    return parts


def _share(share: float | None) -> str:
    return "" if share is None else f"{share:.3f}"
