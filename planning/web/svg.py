"""SVG elements as strings for the charts: `tag("rect", x=1.5)` is `<rect x="1.5"/>`."""

from html import escape

NS = "http://www.w3.org/2000/svg"


def tag(name: str, *children: str, **attrs) -> str:
    """An element with its (already rendered) children; `class_` is `class`, `font_size` is `font-size`,
    numbers to one decimal, None leaves an attribute out, text is escaped."""
    rendered = " ".join(
        f'{key.rstrip("_").replace("_", "-")}="{_value(value)}"'
        for key, value in attrs.items()
        if value is not None
    )
    opening = f"{name} {rendered}".rstrip()
    return f"<{opening}>{''.join(children)}</{name}>" if children else f"<{opening}/>"


def text(content: str, **attrs) -> str:
    return tag("text", escape(content), **attrs)


def title(content: str) -> str:
    """A tooltip for the element it is the first child of."""
    return f"<title>{escape(content)}</title>"


def svg(*children: str, width: float, height: float, **attrs) -> str:
    size = {"width": round(width), "height": round(height), "viewBox": f"0 0 {round(width)} {round(height)}"}
    return tag("svg", *children, xmlns=NS, **size, role="img", **attrs)


def _value(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return escape(str(value), quote=True)
