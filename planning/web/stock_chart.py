"""Projected stock as server-rendered SVG: a step line of the balance after each change, with labelled
axes (on hand in units against days in UTC) and a point per change whose tooltip says what made it."""

import math
from datetime import datetime, timedelta

from planning.web.svg import svg, tag, text, title

DAY = timedelta(days=1)
LEFT, RIGHT, TOP, BOTTOM = 78, 16, 18, 46


def nice_ticks(low: float, high: float, *, count: int = 5) -> list[float]:
    """Round values from at most `low` to at least `high`, about `count` of them, 1, 2 or 5 x 10^n apart."""
    span = max(high - low, 1e-9)
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = [first]
    while ticks[-1] < high - 1e-9:
        ticks.append(ticks[-1] + step)
    return ticks


def _day_ticks(start: datetime, end: datetime, *, max_ticks: int = 12) -> list[datetime]:
    first = start.replace(hour=0, minute=0, second=0, microsecond=0)
    days = max(1, (end - first).days + 1)
    step = max(1, -(-days // max_ticks))
    return [first + DAY * i for i in range(0, days + 1, step) if start <= first + DAY * i <= end]


def _label(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def stock_svg(
    history: list[tuple[datetime, float, float, str]],
    *,
    until: datetime,
    unit: str = "units",
    width: int = 1200,
    height: int = 300,
) -> str:
    """The balance after each (time, change, balance, cause), held until the next change and to `until`."""
    if not history:
        nothing = text("No stock and nothing planned here.", x=10, y=25, font_size=13)
        return svg(nothing, width=400, height=40, class_="stock-chart")
    start, end = history[0][0], max(until, history[-1][0])
    span = max((end - start).total_seconds(), 3600.0)
    balances = [balance for _, _, balance, _ in history]
    ticks = nice_ticks(min(0.0, *balances), max(1.0, *balances))
    low, high, bottom = ticks[0], ticks[-1], height - BOTTOM

    def x(moment: datetime) -> float:
        return LEFT + (width - LEFT - RIGHT) * (moment - start).total_seconds() / span

    def y(value: float) -> float:
        return bottom - (bottom - TOP) * (value - low) / (high - low)

    parts = []
    for tick in ticks:
        parts.append(tag("line", x1=LEFT, y1=y(tick), x2=width - RIGHT, y2=y(tick), stroke="#eceef1"))
        label = {"x": LEFT - 6, "y": y(tick) + 4, "font_size": 11, "fill": "#556", "text_anchor": "end"}
        parts.append(text(_label(tick), class_="y-tick", **label))
    for day in _day_ticks(start, end):
        parts.append(tag("line", x1=x(day), y1=bottom, x2=x(day), y2=bottom + 4, stroke="#889"))
        label = {"x": x(day), "y": bottom + 16, "font_size": 11, "fill": "#556", "text_anchor": "middle"}
        parts.append(text(f"{day:%d %b}", class_="x-tick", **label))
    parts += _axes(width, height, zero=y(0), unit=unit)
    parts.append(tag("path", d=_steps(history, x, y, end), fill="none", stroke="#3b82c4", stroke_width=2))
    for moment, change, balance, cause in history:
        tip = title(f"{moment:%a %d %b %H:%M}: {change:+,g} → {_label(balance)} ({cause})")
        colour = "#2e8b57" if change >= 0 else "#c0392b"
        parts.append(tag("circle", tip, class_="change", cx=x(moment), cy=y(balance), r=3.5, fill=colour))
    return svg(*parts, width=width, height=height, class_="stock-chart", aria_label="Projected stock")


def _axes(width: int, height: int, *, zero: float, unit: str) -> list[str]:
    """The two axes with their titles, and the zero line dashed in red."""
    bottom, middle = height - BOTTOM, (TOP + height - BOTTOM) / 2
    title_style = {"font_size": 12, "fill": "#334", "text_anchor": "middle", "class_": "axis-title"}
    return [
        tag("line", x1=LEFT, y1=TOP, x2=LEFT, y2=bottom, stroke="#889"),
        tag("line", x1=LEFT, y1=bottom, x2=width - RIGHT, y2=bottom, stroke="#889"),
        tag("line", x1=LEFT, y1=zero, x2=width - RIGHT, y2=zero, stroke="#c33", stroke_dasharray=4),
        text(f"on hand ({unit})", x=14, y=middle, transform=f"rotate(-90 14 {middle:.0f})", **title_style),
        text("date (UTC)", x=(LEFT + width) / 2, y=height - 6, **title_style),
    ]


def _steps(history, x, y, end: datetime) -> str:
    """The step line's path: each balance held until the next change, the last one until `end`."""
    path, previous = [], None
    for moment, _, balance, _ in history:
        if previous is not None:
            path.append(f"L{x(moment):.1f},{y(previous):.1f}")
        path.append(f"{'M' if previous is None else 'L'}{x(moment):.1f},{y(balance):.1f}")
        previous = balance
    path.append(f"L{x(end):.1f},{y(previous):.1f}")
    return " ".join(path)
