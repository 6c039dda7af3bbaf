"""A campaign's join link, and the link as a QR code (segno, SVG) to put on a slide at a call party."""

from __future__ import annotations

import io

import segno
from starlette.requests import HTTPConnection

from dialer.web.deps import deps


def join_url(request: HTTPConnection, campaign_id: str) -> str:
    base = deps(request).settings.public_url or str(request.base_url).rstrip("/")
    return f"{base}/join/{campaign_id}"


def join_qr_svg(url: str, scale: int = 8, *, inline: bool = True) -> str:
    """The join link as a QR code in SVG (error correction M: still reads on a projector's glare); inline
    for an HTML page, else a whole SVG document (with its XML namespace) to save and put on a slide."""
    qr = segno.make(url, error="m")
    options = {"scale": scale, "title": f"QR code for {url}", "dark": "#111", "light": "#fff"}
    if inline:
        return str(qr.svg_inline(**options))
    out = io.BytesIO()
    qr.save(out, kind="svg", **options)
    return out.getvalue().decode()
