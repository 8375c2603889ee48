"""QR codes as inline SVG, for check-in, commitment walls and public ballot sheets."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str, *, scale: int, with_title: bool = True) -> SafeString:
    """The QR code of `url` as inline SVG markup, sized by a viewBox so CSS can scale it.

    The markup is segno's own; the only text it carries is the optional <title>, which segno
    escapes — and `url` is always one the server built, never user text."""
    svg = segno.make(url, error="m").svg_inline(
        scale=scale, title=url if with_title else None, omitsize=True
    )
    return mark_safe(svg)  # noqa: S308
