"""Write a run to `results/<timestamp>-<scenario>/`, all or nothing.

Files go to a hidden `.partial` folder beside the target, which is renamed into place only when
every file, the manifest last, is written: an interrupted run leaves no folder that looks done.

Every table file starts with a `run_id` column (the manifest's `run_id`, see
`experiment/provenance.py`), so tables of several runs can be stacked; an empty table keeps its
column types (`experiment/tables.py`); `catalogue.csv` says what each outcome column means
(label, unit, which direction is better, swing and weight). CSV copies are written by
`pyarrow.csv` (an order of magnitude faster than pandas; numbers in their shortest exact form,
so 3.0 is written `3`, and text quoted).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from axis_sim.experiment.results import RUN_ID, RunResult
from axis_sim.experiment.tables import typed
from axis_sim.io import atomic_folder, atomic_write_text
from axis_sim.report.brief import write_brief
from axis_sim.report.dashboard import write_dashboard
from axis_sim.scenario.schema import Scenario

DEFAULT_ROOT = Path("results")
log = logging.getLogger(__name__)  # stage messages; the command line prints them


def results_folder_name(result: RunResult, now: datetime | None = None) -> str:
    """`<UTC timestamp>-<scenario name>`, e.g. `20261128-204501-baseline`."""
    return timestamped(result.scenario.meta.name, now)


def timestamped(name: str, now: datetime | None = None) -> str:
    """`<UTC timestamp>-<name>`."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%d-%H%M%S}-{name}"


@contextmanager
def partial_folder(target: Path) -> Iterator[Path]:
    """A hidden `.partial` folder beside `target` to write into, renamed to `target` when the
    block finishes and removed if it fails (`io.atomic_folder`: files synced first, a full
    disk a one-line `io.WriteError`). Raises FileExistsError if `target` exists."""
    with atomic_folder(target) as partial:
        yield partial


def write_results(result: RunResult, root: Path | str = DEFAULT_ROOT,
                  folder: Path | str | None = None) -> Path:
    """Write every table, the manifest and the dashboard; return the finished folder.

    `folder` names the exact destination (it must not exist yet); otherwise a timestamped
    folder is made under `root`.
    """
    target = Path(folder) if folder else Path(root) / results_folder_name(result)
    with partial_folder(target) as partial:
        log.info("Writing tables…")
        files = _write_tables(result, partial)
        files["catalogue"] = write_catalogue(result.scenario, partial / "catalogue.csv")
        log.info("Writing dashboard…")
        write_dashboard(result, partial / "dashboard.html")
        files["dashboard"] = "dashboard.html"
        log.info("Writing brief…")
        write_brief(result, str(partial / "brief.md"))
        files["brief"] = "brief.md"
        result.files = files
        atomic_write_text(partial / "manifest.json",
                          manifest_json({**result.manifest, "files": files}))
    return target


def manifest_json(manifest: dict[str, Any]) -> str:
    """The manifest as strict JSON: a NaN or infinity (an unmet precision target, an empty
    statistic) is written `null`, never the `NaN`/`Infinity` other JSON readers reject."""
    from axis_sim.scoring.report import json_ready

    return json.dumps(json_ready(manifest), indent=2, allow_nan=False) + "\n"


def write_explanation(channels: pd.DataFrame, manifest: dict[str, Any],
                      root: Path | str = DEFAULT_ROOT, folder: Path | str | None = None) -> Path:
    """Write an `explain` run: `channels.parquet`, `channels.csv` and the manifest, all or
    nothing; return the folder (default: `<root>/<timestamp>-explain-<scenario>`)."""
    target = (Path(folder) if folder else
              Path(root) / timestamped(f"explain-{manifest['scenario_name']}"))
    with partial_folder(target) as partial:
        files = _write_frame(channels, "channels", partial, with_csv=True,
                             run_id=manifest.get("run_id", ""))
        scenario = manifest.get("scenario")
        if isinstance(scenario, dict):
            files["catalogue"] = write_catalogue(Scenario.model_validate(scenario),
                                                 partial / "catalogue.csv")
        atomic_write_text(partial / "manifest.json", manifest_json({**manifest, "files": files}))
    return target


CSV_MAX_ROWS = 2_000_000  # a larger CSV copy would take minutes to write and gigabytes to keep


# Every table of a run, and whether it also gets a CSV copy.
TABLES: dict[str, bool] = {
    "outcomes": True, "comparison": True, "ranking": True, "acceptability": True,
    "central_weights": True, "pareto": True, "tradeoffs": True, "overlaps": True,
    "interactions": True,
    "drivers": True, "failures": True, "sensitivity": True, "channels": True, "scores": False,
    "monthly": True, "parameters": False, "trajectories": False, "events": False,
}
# Tables written only when the run made them (`--sensitivity`, `--explain`).
ON_REQUEST = ("sensitivity", "channels")


def _write_tables(result: RunResult, folder: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    run_id = str(result.manifest.get("run_id", ""))
    for name, with_csv in TABLES.items():
        source = result.table_file(name)
        if source is not None:  # a large run's per-world table: copied, never loaded whole
            _parquet_with_run_id(source, folder / f"{name}.parquet", run_id)
            files[name] = f"{name}.parquet"
            if with_csv and _csv_from_parquet(folder / f"{name}.parquet",
                                              folder / f"{name}.csv"):
                files[f"{name}_csv"] = f"{name}.csv"
            continue
        frame: pd.DataFrame = getattr(result, name)
        if frame.empty and name in ON_REQUEST:
            continue  # only written when asked for
        files |= _write_frame(typed(name, frame, result.scenario), name, folder, with_csv,
                              run_id)
    return files


def _run_ids(rows: int, run_id: str) -> pa.DictionaryArray:
    """A `run_id` column: dictionary-encoded, so one value costs nothing in Parquet."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, dtype=np.int32)),
                                          pa.array([run_id], pa.string()))


def with_run_id(frame: pd.DataFrame, run_id: str) -> pa.Table:
    """`frame` as an Arrow table whose first column is `run_id`."""
    table = pa.Table.from_pandas(frame.drop(columns=RUN_ID, errors="ignore"),
                                 preserve_index=False)
    return table.add_column(0, RUN_ID, _run_ids(table.num_rows, run_id))


def _write_frame(frame: pd.DataFrame, name: str, folder: Path, with_csv: bool,
                 run_id: str = "") -> dict[str, str]:
    """`<name>.parquet` (and `<name>.csv`) in `folder`, each with a first `run_id` column; the
    files written, as manifest entries."""
    table = with_run_id(frame, run_id)
    pq.write_table(table, folder / f"{name}.parquet")
    files = {name: f"{name}.parquet"}
    if with_csv:
        write_csv(table, folder / f"{name}.csv")
        files[f"{name}_csv"] = f"{name}.csv"
    return files


def _plain_columns(table: pa.Table) -> pa.Table:
    """Dictionary columns decoded (CSV has no dictionaries)."""
    for i, column in enumerate(table.columns):
        if pa.types.is_dictionary(column.type):
            table = table.set_column(i, table.field(i).name,
                                     column.cast(column.type.value_type))
    return table


CSV_OPTIONS = pacsv.WriteOptions(quoting_style="needed")


def write_csv(table: pa.Table, path: Path) -> None:
    """A CSV copy of an Arrow table (pyarrow.csv; a missing value is an empty field)."""
    pacsv.write_csv(_plain_columns(table), path, CSV_OPTIONS)


def _parquet_with_run_id(source: Path, target: Path, run_id: str) -> None:
    """Copy a large per-world Parquet table row group by row group, adding `run_id`."""
    parquet = pq.ParquetFile(source)
    schema = parquet.schema_arrow.insert(0, pa.field(RUN_ID, pa.dictionary(pa.int32(),
                                                                         pa.string())))
    with pq.ParquetWriter(target, schema) as writer:
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group)
            writer.write_table(table.add_column(0, RUN_ID, _run_ids(table.num_rows, run_id)))


def _csv_from_parquet(source: Path, target: Path) -> bool:
    """A CSV copy of a Parquet table written batch by batch; skipped (False) when the table
    has more than `CSV_MAX_ROWS` rows."""
    parquet = pq.ParquetFile(source)
    if parquet.metadata.num_rows > CSV_MAX_ROWS:
        return False
    schema = _plain_columns(parquet.schema_arrow.empty_table()).schema
    with pacsv.CSVWriter(target, schema, write_options=CSV_OPTIONS) as writer:
        for batch in parquet.iter_batches():
            writer.write_table(_plain_columns(pa.Table.from_batches([batch])))
    return True


CATALOGUE_COLUMNS = {"outcome": "str", "label": "str", "unit": "str", "direction": "str",
                     "weight": "float64", "headline": "bool", "scored": "bool",
                     "swing_worst": "float64", "swing_best": "float64", "mmd": "float64"}


def catalogue(scenario: Scenario) -> pd.DataFrame:
    """What each outcome column of a run's tables means: one row per outcome with its label,
    unit, `direction` (which is better: "lower" or "higher"), swing weight as the scenario
    gives it, whether it is headline and scored, its swing (worst, best) and its minimal
    meaningful difference (`mmd`), in the outcome's unit."""
    rows = [{"outcome": name, "label": spec.label, "unit": spec.unit, "direction": spec.better,
             "weight": spec.weight, "headline": spec.headline, "scored": spec.scored,
             "swing_worst": spec.swing.worst if spec.swing else None,
             "swing_best": spec.swing.best if spec.swing else None,
             "mmd": spec.mmd.value if spec.mmd else None}
            for name, spec in scenario.outcomes.items()]
    return pd.DataFrame.from_records(rows, columns=list(CATALOGUE_COLUMNS)).astype(
        CATALOGUE_COLUMNS)


def write_catalogue(scenario: Scenario, path: Path) -> str:
    """Write `catalogue.csv` for `scenario`; return its name, for the manifest."""
    write_csv(pa.Table.from_pandas(catalogue(scenario), preserve_index=False), path)
    return path.name
