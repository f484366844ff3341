"""HTML pages from Jinja2 templates with autoescape.

Every page a person opens may show text from a scenario or questions file (titles, sources,
question texts); autoescaping makes escaping the default instead of something each f-string has
to remember. Templates live in `axis_sim/templates/` (package data); `markup` marks HTML this
package built itself (plotly divs, already-escaped sections) as safe to insert as is.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

__all__ = ["markup", "render"]


@cache
def _environment() -> Environment:
    # StrictUndefined: a misspelt variable fails the render instead of printing nothing.
    return Environment(
        loader=PackageLoader("axis_sim", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(name: str, **context: Any) -> str:
    """Render the template `name` (e.g. "backtest.html") with `context`, escaping every value
    that is not `markup`."""
    return _environment().get_template(name).render(**context)


def markup(html: str) -> Markup:
    """HTML this package built and escaped itself, to be inserted into a template as is."""
    return Markup(html)
