"""Small SVG charts drawn on the server (no script, no external library, no inline style:
presentation attributes only, so the console's Content-Security-Policy holds). Suppressed
values (None) are drawn as gaps and labelled as hidden (bot/workbench/insight.py says when)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

COLOURS = ("#1f5f99", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b")
HIDDEN = "hidden"      # the label of a hidden value, in the reader's language when given


def bars(items: Sequence[tuple[str, int | None]], label: str, width: int = 560, hidden: str = HIDDEN) -> str:
    """Horizontal bars, one per item; a suppressed item shows `hidden` and no bar."""
    row, left = 22, 170
    height = row * max(len(items), 1) + 10
    peak = max([v for _, v in items if v is not None] or [1]) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label={quoteattr(label)}><title>{escape(label)}</title>']
    for i, (name, value) in enumerate(items):
        y = 5 + i * row
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(name[:28])}</text>')
        if value is None:
            parts.append(f'<text x="{left + 4}" y="{y + 15}" font-size="12" fill="#555">{escape(hidden)}</text>')
            continue
        length = (width - left - 60) * value / peak
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" fill="{COLOURS[0]}"/>')
        parts.append(f'<text x="{left + length + 4:.1f}" y="{y + 15}" font-size="12">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def lines(days: Sequence[dt.date], series: dict[str, Sequence[float | None]], label: str,
          percent: bool = False, width: int = 560, height: int = 220) -> str:
    """One line per series over the days; suppressed points break the line."""
    left, bottom, top = 44, 28, 10
    values = [v for points in series.values() for v in points if v is not None]
    peak = max(values or [1.0]) or 1.0
    span = max(len(days) - 1, 1)

    def x(i: int) -> float:
        return left + (width - left - 10) * i / span

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / peak)

    shown_peak = f"{peak:.0%}" if percent else f"{peak:g}"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label={quoteattr(label)}><title>{escape(label)}</title>',
             f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - 10}" y2="{y(0):.1f}" stroke="#999"/>',
             f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="11">{escape(shown_peak)}</text>',
             f'<text x="{left - 4}" y="{y(0):.1f}" text-anchor="end" font-size="11">0</text>']
    if days:
        parts.append(f'<text x="{left}" y="{height - 8}" font-size="11">{days[0].isoformat()}</text>')
        parts.append(f'<text x="{width - 10}" y="{height - 8}" text-anchor="end" font-size="11">'
                     f'{days[-1].isoformat()}</text>')
    for n, (name, points) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        run: list[str] = []
        for i, value in enumerate([*points, None]):
            if value is not None:
                run.append(f"{x(i):.1f},{y(value):.1f}")
                continue
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"/>')
            elif run:
                cx, cy = run[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
            run = []
        parts.append(f'<text x="{width - 12}" y="{top + 12 + 13 * n}" text-anchor="end" font-size="11" '
                     f'fill="{colour}">{escape(name[:30])}</text>')
    parts.append("</svg>")
    return "".join(parts)
