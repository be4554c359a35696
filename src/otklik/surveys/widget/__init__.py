"""The embeddable survey widget: plain JavaScript and CSS served by otklik itself
(``/widget.js``, ``/widget.css``), with no third-party code or CDN."""

from pathlib import Path

__all__ = ["WIDGET_CSS", "WIDGET_JS"]

WIDGET_JS = Path(__file__).with_name("widget.js")
WIDGET_CSS = Path(__file__).with_name("widget.css")
