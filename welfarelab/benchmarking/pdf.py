"""The community profile as PDF, with WeasyPrint (pure Python over Pango; no browser on the server).

WeasyPrint runs no JavaScript, so the print template draws its spine charts as SVG on the server
(charts.spine_svg_rows). It may fetch nothing from the network: only inline `data:` addresses are
allowed, so a profile never sends its reader's request to a third party.
"""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher


def profile_pdf_bytes(html: str, *, base_url: str) -> bytes:
    fetcher = URLFetcher(allowed_protocols=["data"], fail_on_errors=True)
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf() or b""
