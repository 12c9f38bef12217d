"""The network drawn on the server as SVG, for the PDF a strategy meeting takes away: the
positions of the layout, a shape for each kind (so no meaning rests on colour alone), the
strongest links darker, and a label on the entities most linked to children."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from tocsin.server.networks.picture import KIND_NAMES, NetworkPicture

__all__ = ["KIND_STYLE", "network_svg"]

#: Each kind's colour and shape (circle, square, diamond, triangle, hexagon-ish star).
KIND_STYLE: dict[str, tuple[str, str]] = {
    "child": ("#1d70b8", "circle"),
    "adult": ("#d4351c", "square"),
    "vehicle": ("#4c2c92", "diamond"),
    "phone": ("#00703c", "triangle"),
    "place": ("#b58840", "star"),
}
_SIZE = 760
_MARGIN = 30
_FONT = "arial, sans-serif"
#: Labels drawn on the chart (the rest are in the tables beside it).
_LABELLED = 40


def _shape(kind: str, x: float, y: float, r: float) -> str:
    colour, shape = KIND_STYLE[kind]
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}"/>'
    if shape == "square":
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
            f'fill="{colour}"/>'
        )
    if shape == "diamond":
        points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"
    elif shape == "triangle":
        points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y + r:.1f} {x - r:.1f},{y + r:.1f}"
    else:
        points = (
            f"{x:.1f},{y - r:.1f} {x + r * 0.4:.1f},{y - r * 0.3:.1f} {x + r:.1f},{y:.1f} "
            f"{x + r * 0.4:.1f},{y + r * 0.3:.1f} {x:.1f},{y + r:.1f} {x - r * 0.4:.1f},"
            f"{y + r * 0.3:.1f} {x - r:.1f},{y:.1f} {x - r * 0.4:.1f},{y - r * 0.3:.1f}"
        )
    return f'<polygon points="{points}" fill="{colour}"/>'


def network_svg(picture: NetworkPicture, *, title: str) -> Markup:
    """The whole network as one SVG image with a title and a description in words."""
    span = _SIZE - 2 * _MARGIN

    def at(node_id: str) -> tuple[float, float]:
        x, y = picture.positions.get(node_id, (0.0, 0.0))
        return _MARGIN + (x + 1) / 2 * span, _MARGIN + (1 - (y + 1) / 2) * span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {_SIZE} {_SIZE}" '
        f'width="100%" font-family="{_FONT}" aria-labelledby="network-title network-desc">',
        f'<title id="network-title">{escape(title)}</title>',
        f'<desc id="network-desc">{escape(picture.summary())}</desc>',
        f'<rect width="{_SIZE}" height="{_SIZE}" fill="#ffffff"/>',
    ]
    strongest = max((e.weight for e in picture.graph.edges), default=1.0) or 1.0
    for edge in picture.graph.edges:
        (x1, y1), (x2, y2) = at(edge.source), at(edge.target)
        shade = 0.25 + 0.6 * min(1.0, edge.weight / strongest)
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#505a5f" '
            f'stroke-opacity="{shade:.2f}" stroke-width="{0.6 + 1.4 * shade:.2f}"/>'
        )
    rows = picture.node_rows()
    for row in rows:
        x, y = at(row["id"])
        parts.append(_shape(row["kind"], x, y, 3.0 + min(6.0, row["links"] ** 0.5)))
    labelled = sorted(
        (r for r in rows if r["kind"] != "child"),
        key=lambda r: (-r["children"], -r["links"], r["label"]),
    )[:_LABELLED]
    for row in labelled:
        x, y = at(row["id"])
        parts.append(
            f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" font-size="11" fill="#0b0c0c">'
            f"{escape(row['label'][:40])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)


def legend() -> list[tuple[str, str, str]]:
    """(kind name, colour, shape) for the chart's key."""
    return [(KIND_NAMES[k], colour, shape) for k, (colour, shape) in KIND_STYLE.items()]
