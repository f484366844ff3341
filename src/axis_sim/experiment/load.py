"""Read a results folder written by `write_results` back into a `RunResult`.

The folder's `manifest.json` holds the run's metadata, the full resolved scenario (under
`"scenario"`) and the list of files written (under `"files"`); every table is read from its
Parquet file. The result is the same `RunResult` the run returned in memory, so anything that
renders a run (the dashboard, the brief, a comparison of two runs) works on a finished folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
from pydantic import ValidationError

from axis_sim.experiment.results import RUN_ID, RunResult
from axis_sim.experiment.tables import typed
from axis_sim.model.eventlog import ACTOR_NAMES, EVENTS
from axis_sim.scenario.schema import Scenario

__all__ = ["OPTIONAL_TABLES", "TABLES", "ResultsError", "load_results"]

MANIFEST = "manifest.json"
# Tables every results folder holds, and the ones written only when the run made them.
TABLES: tuple[str, ...] = (
    "outcomes", "parameters", "monthly", "trajectories", "events", "comparison", "scores",
    "ranking", "interactions", "drivers", "failures",
)
# The decision tables (issue 15) are optional so that folders written before them still load.
OPTIONAL_TABLES: tuple[str, ...] = ("sensitivity", "channels", "acceptability", "central_weights",
                                    "pareto", "tradeoffs", "overlaps")
# Tables with a row per world, left on disk (read on access) when their file is large.
WORLD_TABLES: tuple[str, ...] = ("outcomes", "parameters", "scores")
LAZY_BYTES = 64 * 2**20


class ResultsError(Exception):
    """A folder is not a readable axis-sim results folder; the message says why, plainly."""


def load_results(folder: Path | str) -> RunResult:
    """Rebuild the `RunResult` of a results folder written by `write_results`.

    The scenario comes from the manifest (validated again, so a hand-edited manifest cannot
    smuggle in an invalid scenario); each table from its Parquet file. Optional tables
    (`sensitivity`, `channels`) are empty DataFrames when the run did not make them.
    `manifest` is the run's manifest without its `files` entry, which goes to
    `RunResult.files`, as after a run that was written (a manifest without `files` is read
    with the usual `<table>.parquet` names).

    Raises `ResultsError` when the folder is missing, is not a results folder (no
    `manifest.json`, e.g. an interrupted run's `.partial` folder), has a manifest that is not
    valid JSON, lacks a valid scenario or lists files outside the folder, or is missing (or
    has a damaged) table file. The derived files (CSV copies, `dashboard.html`, `brief.md`)
    are not read, so a folder whose dashboard was deleted still loads and can be rendered again.
    """
    path = Path(folder)
    if not path.exists():
        raise ResultsError(f"{path} does not exist")
    if not path.is_dir():
        raise ResultsError(f"{path} is not a folder (expected an axis-sim results folder)")
    manifest = _read_manifest(path)
    files = manifest.pop("files", None)
    if files is None:  # not listed: the names `write_results` always uses
        files = {name: f"{name}.parquet" for name in (*TABLES, *OPTIONAL_TABLES)
                 if name in TABLES or (path / f"{name}.parquet").is_file()}
    if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v and Path(v).name == v
            for k, v in files.items()):
        raise ResultsError(f"{path / MANIFEST} has a malformed \"files\" entry "
                           "(expected file names inside the folder)")
    scenario = _read_scenario(path, manifest)
    missing = [name for name in TABLES if name not in files]
    if missing:
        raise ResultsError(
            f"{path / MANIFEST} lists no file for table(s) {', '.join(missing)}; "
            "the folder was not written by this version of axis-sim or was edited")
    wanted = [*TABLES, *(name for name in OPTIONAL_TABLES if name in files)]
    absent = sorted(files[name] for name in wanted if not (path / files[name]).is_file())
    if absent:
        raise ResultsError(
            f"{path} is incomplete: {', '.join(absent)} listed in {MANIFEST} "
            f"{'is' if len(absent) == 1 else 'are'} missing")
    tables: dict[str, Any] = {name: _read_table(path, files[name]) for name in TABLES
                              if name not in WORLD_TABLES}
    tables |= {name: _world_table(path, files[name]) for name in WORLD_TABLES}
    for name in OPTIONAL_TABLES:
        tables[name] = _read_table(path, files[name]) if name in files else pd.DataFrame()
    tables["events"] = normalise_events(tables["events"], _portfolio_order(manifest, tables))
    for name, table in tables.items():  # folders written before empty tables were typed
        if isinstance(table, pd.DataFrame) and name not in ("sensitivity", "channels"):
            tables[name] = typed(name, table, scenario)
    return RunResult(scenario=scenario, manifest=manifest, files=dict(files), **tables)


def _read_manifest(path: Path) -> dict[str, Any]:
    """The parsed manifest of a results folder, or a `ResultsError` saying what is wrong."""
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise ResultsError(f"{path} is not an axis-sim results folder (no {MANIFEST})")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{manifest_path} is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise ResultsError(f"{manifest_path} is not an axis-sim manifest (not a JSON object)")
    return manifest


def _read_scenario(path: Path, manifest: dict[str, Any]) -> Scenario:
    """The run's resolved scenario, validated from the manifest's `scenario` entry."""
    data = manifest.get("scenario")
    if not isinstance(data, dict):
        raise ResultsError(f"{path / MANIFEST} does not hold the run's scenario (no \"scenario\")")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "scenario"
        raise ResultsError(
            f"{path / MANIFEST} holds an invalid scenario ({exc.error_count()} problem(s); "
            f"first at {where}: {first['msg']})") from None


def _world_table(path: Path, name: str) -> pd.DataFrame | Path:
    """A per-world table: read now when small, else its checked file (read on access)."""
    file = path / name
    if file.stat().st_size <= LAZY_BYTES:
        return _read_table(path, name)
    try:
        pq.read_metadata(file)
    except Exception as exc:  # a truncated or foreign file
        raise ResultsError(f"{file} cannot be read as Parquet ({exc})") from None
    return file


def _read_table(path: Path, name: str) -> pd.DataFrame:
    """One Parquet table of the folder; an empty table with no columns comes back as
    `pd.DataFrame()`, as the run made it."""
    try:
        frame = pd.read_parquet(path / name)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise ResultsError(f"{path / name} cannot be read as Parquet ({exc})") from None
    frame = frame.drop(columns=RUN_ID, errors="ignore")  # the run's id, in the manifest
    if frame.empty and len(frame.columns) == 0:
        return pd.DataFrame()
    return frame


def _portfolio_order(manifest: dict[str, Any], tables: dict[str, pd.DataFrame]) -> list[str]:
    """Portfolio names in run order: from the manifest, else from the outcomes table."""
    names = manifest.get("portfolios")
    if isinstance(names, list) and names:
        return [str(n) for n in names]
    outcomes = tables["comparison"]
    if "portfolio" in outcomes.columns:
        return list(dict.fromkeys(outcomes["portfolio"].astype(str)))
    return []


def _categorical(values: pd.Series, categories: list[str]) -> pd.Series:
    """`values` as a categorical over `categories` (in that order), then any others seen."""
    strings = values.astype(str)
    known = set(categories)
    extra = [v for v in dict.fromkeys(strings) if v not in known]
    return pd.Series(pd.Categorical(strings, categories=[*categories, *extra]),
                     index=values.index, name=values.name)


def normalise_events(events: pd.DataFrame, portfolios: list[str]) -> pd.DataFrame:
    """The event log with the column types `summarize` gives it, whatever the file stored.

    `portfolio` (in run order), `actor` and `event` are categoricals over the model's own
    lists, so a log read back compares equal to the one a run returned in memory, whether the
    file kept them as categories or as plain strings.
    """
    if events.empty and len(events.columns) == 0:
        return events
    events = events.copy()
    canonical = {"portfolio": portfolios, "actor": list(ACTOR_NAMES), "event": list(EVENTS)}
    for column, categories in canonical.items():
        if column in events.columns:
            events[column] = _categorical(events[column], categories)
    return events
