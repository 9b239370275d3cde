"""The timetable's QR code as an SVG that prints sharp at any resolution.

segno's own SVG strokes each row as a line; at many print resolutions the rasteriser leaves thin
light seams between the rows, and zbar then fails to read it. Here every run of dark modules is
a filled rectangle, all of them subpaths of ONE path (coverage is computed for the path as a
whole, so touching rectangles leave no seam), on a white square that includes the quiet zone,
with a ``viewBox`` so CSS can size it freely.
"""

from __future__ import annotations

import segno
from markupsafe import Markup, escape

QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks


def svg(data: str, *, title: str = "", error: str = "m") -> Markup:
    code = segno.make(data, error=error)
    rows = [list(row) for row in code.matrix]
    size = len(rows) + 2 * QUIET_ZONE
    parts = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    label = f'<title>{escape(title)}</title>' if title else ""
    # Built here from numbers and the escaped title; no unescaped user text goes into it.
    return Markup(  # nosec B704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size * 4}" height="{size * 4}" role="img" shape-rendering="crispEdges"'
        f'{" aria-label=" + chr(34) + str(escape(title)) + chr(34) if title else ""}>'
        f"{label}"
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/>'
        "</svg>"
    )
