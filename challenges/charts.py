"""Geometry for the small server-rendered SVG bar charts (the template draws them)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    series: int = 0

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self) -> float:
        return round(self.y - 3, 1)


def bar_chart(
    labels: list[str],
    series: list[list[float]],
    *,
    width: int = 640,
    height: int = 200,
    max_value: float | None = None,
) -> dict:
    """Grouped bars: one group per label, one bar per series."""
    top = 16
    bottom = 24
    plot_h = height - top - bottom
    peak = max_value or max((v for s in series for v in s), default=0) or 1
    groups = max(len(labels), 1)
    group_w = width / groups
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    bars = []
    for g, label in enumerate(labels):
        for s, values in enumerate(series):
            value = values[g]
            h = plot_h * value / peak
            bars.append(
                Bar(
                    x=round(g * group_w + group_w * 0.1 + s * bar_w, 1),
                    y=round(top + plot_h - h, 1),
                    width=round(bar_w - 1, 1),
                    height=round(h, 1),
                    label=label,
                    value=value,
                    series=s,
                )
            )
    step = max(1, groups // 8)
    ticks = [
        {"x": round(g * group_w + group_w / 2, 1), "label": label}
        for g, label in enumerate(labels)
        if g % step == 0
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "ticks": ticks,
        "baseline": top + plot_h,
        "label_y": height - 6,
        "peak": peak,
        "show_values": len(bars) <= 60,
    }
