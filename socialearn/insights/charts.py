"""Geometry for the server-rendered SVG charts (the templates draw them)."""

from __future__ import annotations

import math

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SERIES_CLASSES = ["series-a", "series-b", "series-c"]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def _fmt(value: float) -> str:
    """A number as the reader's language writes it: 1.5 or 1,5; 12,000 or 12.000."""
    if value >= 1000:
        return number_format(value, decimal_pos=0, force_grouping=True)
    return f"{value:g}".replace(".", str(get_format("DECIMAL_SEPARATOR")))


def line_chart(
    *, title: str, labels: list[str], series: list[tuple[str, list[float]]], slug: str
) -> dict:
    """Lines over evenly spaced labels (e.g. weeks), with a y axis starting at zero."""
    width, height = 560, 260
    left, right, top, bottom = 72, 40, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((v for _, values in series for v in values), default=0))
    n = len(labels)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / peak

    lines = []
    for index, (name, values) in enumerate(series):
        points = [(round(x(i), 1), round(y(v), 1), v) for i, v in enumerate(values)]
        lines.append(
            {
                "name": name,
                "css": SERIES_CLASSES[index % len(SERIES_CLASSES)],
                "points": " ".join(f"{px},{py}" for px, py, _ in points),
                "dots": [{"x": px, "y": py, "value": v} for px, py, v in points],
            }
        )
    ticks = [{"y": round(y(peak * f), 1), "label": _fmt(peak * f)} for f in (0, 0.25, 0.5, 0.75, 1)]
    every = max(1, math.ceil(n / 8))
    x_labels = [
        {"x": round(x(i), 1), "label": label}
        for i, label in enumerate(labels)
        if i % every == 0 or i == n - 1
    ]
    totals = ", ".join(
        _("%(name)s: %(total)s in all") % {"name": name, "total": _fmt(sum(values))}
        for name, values in series
    )
    return {
        "slug": slug,
        "title": title,
        "description": ngettext(
            "%(title)s, %(n)d week from %(first)s to %(last)s. %(totals)s.",
            "%(title)s, %(n)d weeks from %(first)s to %(last)s. %(totals)s.",
            n,
        )
        % {"title": title, "n": n, "first": labels[0], "last": labels[-1], "totals": totals}
        if labels
        else _("%(title)s: no data.") % {"title": title},
        "width": width,
        "height": height,
        "left": left,
        "right_edge": width - right,
        "baseline": top + plot_h,
        "label_y": height - 12,
        "lines": lines,
        "ticks": ticks,
        "x_labels": x_labels,
        "labels": labels,
        "rows": list(zip(labels, *[values for _, values in series], strict=True)),
        "names": [name for name, _ in series],
    }


def bar_chart(
    *,
    title: str,
    items: list[tuple[str, float]],
    slug: str,
    unit: str = "",
    width: int = 560,
    label_width: int = 180,
) -> dict:
    """Horizontal bars, one per item, labels on the left: readable on a phone too."""
    bar_h, gap, label_w, top = 24, 10, label_width, 8
    height = top * 2 + len(items) * (bar_h + gap)
    plot_w = width - label_w - 60
    peak = max((v for _, v in items), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_h + gap)
        w = round(plot_w * value / peak, 1)
        bars.append(
            {
                "label": label if len(label) <= 24 else label[:23] + "…",
                "full_label": label,
                "value": value,
                "value_label": f"{_fmt(value)}{unit}",
                "y": y,
                "text_y": y + bar_h * 0.7,
                "width": max(w, 1 if value else 0),
                "value_x": label_w + max(w, 0) + 6,
            }
        )
    summary = "; ".join(f"{label}: {_fmt(value)}{unit}" for label, value in items)
    return {
        "slug": slug,
        "title": title,
        "description": f"{title}. {summary}."
        if items
        else _("%(title)s: no data.") % {"title": title},
        "width": width,
        "height": max(height, 40),
        "label_w": label_w,
        "label_x": label_w - 8,
        "bar_h": bar_h,
        "bars": bars,
    }
