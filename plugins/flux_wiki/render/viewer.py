"""The diagram viewer shipped with the site: pan, zoom and find over inline Graphviz SVG (no CDN).

The integration contract (markup, asset order, natural-size rule) is the header comment of
``assets/viewer.js``. A front end serves :data:`VIEWER_CSS` after ``svg.DIAGRAM_CSS`` and
:data:`VIEWER_JS` as a script after the theme's own.
"""

from __future__ import annotations

from pathlib import Path

_ASSETS = Path(__file__).parent / "assets"

VIEWER_JS = (_ASSETS / "viewer.js").read_text(encoding="utf-8")
VIEWER_CSS = (_ASSETS / "viewer.css").read_text(encoding="utf-8")
