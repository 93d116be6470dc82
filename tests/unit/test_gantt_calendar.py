"""The Gantt shades the days a line's calendar closes, shortens or lengthens, behind that line's bars."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from planning.web.charts import Bar, calendar_shades, gantt_svg

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 11, 23, tzinfo=UTC)
RESOURCES = [
    {
        "code": "L1",
        "hours_per_day": 8,
        "calendar": [
            {"date": "2026-11-24", "hours": 0},
            {"date": "2026-11-25", "hours": 16},
            {"date": "2026-11-26", "hours": 8},
        ],
    },
    {"code": "L2", "hours_per_day": 16, "calendar": [{"date": "2026-11-24", "hours": 4}]},
]


def test_calendar_days_become_shades_and_usual_days_do_not():
    shades = calendar_shades(RESOURCES)
    assert [(s.row, s.day.date().isoformat(), s.kind) for s in shades] == [
        ("L1", "2026-11-24", "closed"),
        ("L1", "2026-11-25", "extra"),
        ("L2", "2026-11-24", "short"),
    ]
    assert shades[1].label == "2026-11-25: extra shift (16 h)"


def test_the_gantt_shades_a_closed_day_in_its_row_behind_the_bars():
    bars = [
        Bar("L1", T0, T0 + timedelta(days=1), "MO-1", "production"),
        Bar("L1", T0 + timedelta(days=2), T0 + timedelta(days=3), "MO-2", "production"),
    ]
    svg = ElementTree.fromstring(gantt_svg([("Production", bars)], shades=calendar_shades(RESOURCES))[1])
    elements = list(svg)
    days = [e for e in elements if e.tag == f"{SVG}rect" and "day" in (e.get("class") or "")]
    bars_drawn = [e for e in elements if e.tag == f"{SVG}g" and "bar" in e.get("class")]
    assert [d.get("class") for d in days] == ["day closed", "day extra"]  # L2 has no bar: no row, no shade
    assert elements.index(days[0]) < elements.index(bars_drawn[0])  # drawn first, so behind
    closed = days[0]
    # the closed day sits between the two bars, a day wide
    first, second = (float(g.find(f"{SVG}rect").get("x")) for g in bars_drawn)
    assert first < float(closed.get("x")) < second
    assert closed.find(f"{SVG}title").text == "L1 2026-11-24: closed (0 h)"
