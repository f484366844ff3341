"""Export from the page: a CSV of every table and a PNG of every chart, made in the browser.

Nothing is precomputed per table or chart: the page's script (`templates/export.html`) adds a
"CSV" button above every table of the main column and a "PNG" button under every chart, when
the page has loaded.

- CSV: the table's header rows and the body rows shown (rows and columns hidden by the
  controls are left out, as on screen), each cell as its text (a line break becomes " — ";
  a cell's `data-csv` attribute, when present, is used instead, e.g. "yes" for a dot), the
  typographic minus as "-", RFC 4180 quoting, UTF-8 with a byte-order mark, CRLF lines; built
  in the page as a Blob and downloaded as `<scenario>-<section>-<n>.csv`.
- PNG: plotly's own `toImage` (offline) at twice the size drawn, on a canvas with a caption
  beneath: the chart's heading, whether lower or higher is better (from the outcome block it
  sits in, or its caption), the scenario, the number of worlds and when and with which
  version the run was made, and the chart's caption; downloaded as `<scenario>-<chart>.png`.

`window.axisExport` offers `csv(table)` (the text), `download(table)`, and `png(figure)` (a
promise of the PNG Blob) to other scripts and to the tests.
"""

from __future__ import annotations

from typing import Any

from axis_sim.report.common import Page, better_phrase, json_for_script, manifest_value
from axis_sim.report.templates import markup, render

__all__ = ["export_data", "export_html"]


def export_data(page: Page) -> dict[str, Any]:
    """What the captions need: scenario, worlds, run date and version, and each outcome's
    label and direction."""
    result = page.result
    meta = result.scenario.meta
    manifest = result.manifest
    return {
        "name": str(manifest.get("scenario_name") or meta.name),
        "title": meta.title,
        "worlds": manifest_value(manifest, "runs"),
        "created": str(manifest.get("created") or "")[:10],
        "version": manifest_value(manifest, "package_version"),
        "outcomes": {o: {"label": spec.label, "direction": better_phrase(spec)}
                     for o, spec in result.scenario.outcomes.items()},
    }


def export_html(page: Page) -> str:
    """The export script with its data (placed anywhere in the page: it waits for the page to
    load)."""
    return render("export.html", data=markup(json_for_script(export_data(page))))
