"""Plotly figures of the community profile, built here as plain dictionaries and drawn by the locally
served plotly.js (static/welfarelab/js/figures.js). Every chart carries its data table on the page too.

Comparisons are told apart by marker shape as well as colour (Fingertips' colours alone fail readers
who cannot tell red from green), and the legend under each chart says so in words.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from welfarelab.analytics.comparisons import Comparison
from welfarelab.benchmarking.profiles import DomainSection, IndicatorLine

COLOURS = {
    Comparison.BETTER.value: "#008758",
    Comparison.SIMILAR.value: "#f2b600",
    Comparison.WORSE.value: "#d9364f",
    Comparison.HIGHER.value: "#0066cc",
    Comparison.LOWER.value: "#7fb2e5",
    Comparison.NOT_COMPARABLE.value: "#ffffff",
}
SYMBOLS = {
    Comparison.BETTER.value: "triangle-up",
    Comparison.SIMILAR.value: "circle",
    Comparison.WORSE.value: "triangle-down",
    Comparison.HIGHER.value: "diamond",
    Comparison.LOWER.value: "square",
    Comparison.NOT_COMPARABLE.value: "circle-open",
}


def comparison_labels() -> dict[str, str]:
    return {
        Comparison.BETTER.value: _("better"),
        Comparison.SIMILAR.value: _("similar"),
        Comparison.WORSE.value: _("worse"),
        Comparison.HIGHER.value: _("higher"),
        Comparison.LOWER.value: _("lower"),
        Comparison.NOT_COMPARABLE.value: _("not compared"),
    }


def _separators() -> str:
    return ".," if (get_language() or "it").startswith("en") else ",."


def _number(value: float | None, decimals: int) -> str:
    return "–" if value is None else number_format(value, decimals, use_l10n=True, force_grouping=True)


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
        "separators": _separators(),
        "font": {"family": "Titillium Web, Geneva, Tahoma, sans-serif", "size": 13, "color": "#17324d"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.15},
    }
    layout.update(extra)
    for axis in ("xaxis", "yaxis"):  # room for the tick labels, whatever their length
        layout.setdefault(axis, {}).setdefault("automargin", True)
    return layout


def spine_figure(section: DomainSection) -> dict[str, Any] | None:
    """One domain's spine chart: Italy at the centre, better to the right, the peers' range as bars."""
    lines = [line for line in section.compared_lines if line.spine.get("value") is not None]
    if not lines:
        return None
    names = [line.indicator.localized("name") for line in lines]
    labels = comparison_labels()

    def spine(key: str) -> list[float | None]:
        return [line.spine.get(key) for line in lines]

    minimum, maximum = spine("minimum"), spine("maximum")
    q1, q3 = spine("lower_quartile"), spine("upper_quartile")
    low = [
        min(a, b) if a is not None and b is not None else None for a, b in zip(minimum, maximum, strict=True)
    ]
    width = [
        abs(b - a) if a is not None and b is not None else None for a, b in zip(minimum, maximum, strict=True)
    ]
    mid_low = [min(a, b) if a is not None and b is not None else None for a, b in zip(q1, q3, strict=True)]
    mid_width = [abs(b - a) if a is not None and b is not None else None for a, b in zip(q1, q3, strict=True)]
    hover = [_hover(line) for line in lines]
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "y": names,
            "x": width,
            "base": low,
            "name": _("Peers: lowest to highest"),
            "marker": {"color": "#d9dadb"},
            "hoverinfo": "skip",
        },
        {
            "type": "bar",
            "orientation": "h",
            "y": names,
            "x": mid_width,
            "base": mid_low,
            "name": _("Peers: middle half"),
            "marker": {"color": "#a0a6ab"},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "y": names,
            "x": spine("regione"),
            "name": _("Region"),
            "marker": {"symbol": "line-ns", "size": 18, "line": {"width": 3, "color": "#17324d"}},
            "hoverinfo": "skip",
        },
    ]
    for comparison, colour in COLOURS.items():
        chosen = [i for i, line in enumerate(lines) if line.versus_italy == comparison]
        if not chosen:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "y": [names[i] for i in chosen],
                "x": [lines[i].spine["value"] for i in chosen],
                "name": _("This territory: %(comparison)s than Italy") % {"comparison": labels[comparison]}
                if comparison not in (Comparison.SIMILAR.value, Comparison.NOT_COMPARABLE.value)
                else _("This territory: %(comparison)s") % {"comparison": labels[comparison]},
                "text": [hover[i] for i in chosen],
                "hovertemplate": "%{text}<extra></extra>",
                "marker": {
                    "symbol": SYMBOLS[comparison],
                    "size": 15,
                    "color": colour,
                    "line": {"width": 1.5, "color": "#17324d"},
                },
            }
        )
    height = 90 + 44 * len(lines)
    return {
        "data": data,
        "layout": _layout(
            height,
            barmode="overlay",
            xaxis={
                "range": [-0.02, 1.02],
                "tickvals": [0, 0.5, 1],
                "ticktext": [_("worse / lower"), _("Italy"), _("better / higher")],
                "showgrid": False,
                "zeroline": False,
                "fixedrange": True,
            },
            yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
            shapes=[
                {
                    "type": "line",
                    "x0": 0.5,
                    "x1": 0.5,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#17324d", "width": 1, "dash": "dot"},
                }
            ],
        ),
    }


def _hover(line: IndicatorLine) -> str:
    decimals = line.indicator.decimals
    parts = [
        f"<b>{line.indicator.localized('name')}</b> ({line.period})",
        f"{_('Value')}: {_number(line.value, decimals)}",
        f"{_('Italy')}: {_number(line.italy.value if line.italy else None, decimals)}",
        f"{_('Region')}: {_number(line.regione.value if line.regione else None, decimals)}",
        f"{_('Peers')}: {_number(line.peers.minimum, decimals)} – {_number(line.peers.maximum, decimals)}",
    ]
    return "<br>".join(parts)


def trend_figure(
    series: list[tuple[str, list[tuple[int, float | None]]]], *, decimals: int
) -> dict[str, Any]:
    """Lines of values over the periods: the territory, its regione, Italy and the peers' median."""
    dashes = ["solid", "dash", "dot", "dashdot"]
    symbols = ["circle", "square", "diamond", "triangle-up"]
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": [period for period, _ in points],
            "y": [value for _, value in points],
            "line": {"dash": dashes[i % 4], "width": 3 if i == 0 else 2},
            "marker": {"symbol": symbols[i % 4], "size": 9},
            "hovertemplate": f"%{{x}}: %{{y:,.{decimals}f}}<extra>{name}</extra>",
        }
        for i, (name, points) in enumerate(series)
    ]
    return {
        "data": data,
        "layout": _layout(320, xaxis={"dtick": 1, "fixedrange": True}, yaxis={"fixedrange": True}),
    }


def funnel_figure(
    *,
    points: list[dict[str, Any]],
    curve: dict[str, list[float | None]],
    target: float,
    decimals: int,
    x_title: str,
    y_title: str,
) -> dict[str, Any]:
    """A funnel plot: every comune's value against its denominator, with the 95% and 99.8% limits.

    `points` carry `name`, `x` (denominator), `y` (value) and `role` (this, peer, other).
    """
    roles = {
        "other": (_("Other comuni of the region"), "circle", 6, "#a0a6ab"),
        "peer": (_("Peers"), "diamond", 10, "#0066cc"),
        "this": (_("This territory"), "star", 18, "#d9364f"),
    }
    data: list[dict[str, Any]] = []
    styles = {
        "lower_95": (_("95% limits"), "dash"),
        "upper_95": (None, "dash"),
        "lower_99_8": (_("99.8% limits"), "dot"),
        "upper_99_8": (None, "dot"),
    }
    for key, (name, dash) in styles.items():
        if key in curve:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": curve["denominator"],
                    "y": curve[key],
                    "name": name or "",
                    "showlegend": name is not None,
                    "legendgroup": dash,
                    "line": {"color": "#5c6f82", "dash": dash, "width": 1.5},
                    "hoverinfo": "skip",
                }
            )
    for role, (name, symbol, size, colour) in roles.items():
        chosen = [p for p in points if p["role"] == role]
        if not chosen:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text" if role == "this" else "markers",
                "x": [p["x"] for p in chosen],
                "y": [p["y"] for p in chosen],
                "text": [p["name"] for p in chosen],
                "textposition": "top center",
                "name": name,
                "hovertemplate": f"%{{text}}: %{{y:,.{decimals}f}}<extra></extra>",
                "marker": {
                    "symbol": symbol,
                    "size": size,
                    "color": colour,
                    "line": {"width": 1, "color": "#17324d"},
                },
            }
        )
    return {
        "data": data,
        "layout": _layout(
            460,
            xaxis={"type": "log", "title": {"text": x_title}},
            yaxis={"title": {"text": y_title}},
            shapes=[
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": target,
                    "y1": target,
                    "line": {"color": "#17324d", "width": 1.5},
                }
            ],
        ),
    }


def spine_svg_rows(section: DomainSection, *, width: float = 260.0) -> list[dict[str, Any]]:
    """The spine chart of a domain as coordinates for the print template's inline SVG (x in points)."""

    def x(value: float | None) -> float | None:
        return None if value is None else round(value * width, 1)

    rows = []
    for line in section.compared_lines:
        spine = line.spine
        if spine.get("value") is None:
            continue
        low, high = x(spine.get("minimum")), x(spine.get("maximum"))
        q1, q3 = x(spine.get("lower_quartile")), x(spine.get("upper_quartile"))
        rows.append(
            {
                "line": line,
                "range": (min(low, high), abs(high - low)) if low is not None and high is not None else None,
                "middle": (min(q1, q3), abs(q3 - q1)) if q1 is not None and q3 is not None else None,
                "regione": x(spine.get("regione")),
                "value": x(spine.get("value")),
                "colour": COLOURS[line.versus_italy],
                "shape": SYMBOLS[line.versus_italy],
                "width": width,
            }
        )
    return rows
