"""Write a run to `results/<timestamp>-<scenario>/`, all or nothing.

Files go to a hidden `.partial` folder beside the target, which is renamed into place only when
every file, the manifest last, is written: an interrupted run leaves no folder that looks done.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from axis_sim.experiment.results import RunResult
from axis_sim.io import atomic_write_text, make_readable_folder
from axis_sim.report.brief import write_brief
from axis_sim.report.dashboard import write_dashboard

DEFAULT_ROOT = Path("results")


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
    block finishes and removed if it fails. Raises FileExistsError if `target` exists."""
    if target.exists():
        raise FileExistsError(f"{target} already exists; choose another --out")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial",
                                    dir=target.parent))
    try:
        yield partial
        make_readable_folder(partial)
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def write_results(result: RunResult, root: Path | str = DEFAULT_ROOT,
                  folder: Path | str | None = None) -> Path:
    """Write every table, the manifest and the dashboard; return the finished folder.

    `folder` names the exact destination (it must not exist yet); otherwise a timestamped
    folder is made under `root`.
    """
    target = Path(folder) if folder else Path(root) / results_folder_name(result)
    with partial_folder(target) as partial:
        files = _write_tables(result, partial)
        write_dashboard(result, partial / "dashboard.html")
        files["dashboard"] = "dashboard.html"
        write_brief(result, str(partial / "brief.md"))
        files["brief"] = "brief.md"
        result.files = files
        manifest = {**result.manifest, "files": files}
        atomic_write_text(partial / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return target


def write_explanation(channels: pd.DataFrame, manifest: dict[str, Any],
                      root: Path | str = DEFAULT_ROOT, folder: Path | str | None = None) -> Path:
    """Write an `explain` run: `channels.parquet`, `channels.csv` and the manifest, all or
    nothing; return the folder (default: `<root>/<timestamp>-explain-<scenario>`)."""
    target = (Path(folder) if folder else
              Path(root) / timestamped(f"explain-{manifest['scenario_name']}"))
    with partial_folder(target) as partial:
        files = _write_frame(channels, "channels", partial, with_csv=True)
        atomic_write_text(partial / "manifest.json",
                          json.dumps({**manifest, "files": files}, indent=2) + "\n")
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
    for name, with_csv in TABLES.items():
        source = result.table_file(name)
        if source is not None:  # a large run's per-world table: copied, never loaded whole
            shutil.copyfile(source, folder / f"{name}.parquet")
            files[name] = f"{name}.parquet"
            if with_csv and _csv_from_parquet(source, folder / f"{name}.csv"):
                files[f"{name}_csv"] = f"{name}.csv"
            continue
        frame: pd.DataFrame = getattr(result, name)
        if frame.empty and name in ON_REQUEST:
            continue  # only written when asked for
        files |= _write_frame(frame, name, folder, with_csv)
    return files


def _write_frame(frame: pd.DataFrame, name: str, folder: Path, with_csv: bool) -> dict[str, str]:
    """`<name>.parquet` (and `<name>.csv`) in `folder`; the files written, as manifest entries."""
    frame.to_parquet(folder / f"{name}.parquet", index=False)
    files = {name: f"{name}.parquet"}
    if with_csv:
        frame.to_csv(folder / f"{name}.csv", index=False)
        files[f"{name}_csv"] = f"{name}.csv"
    return files


def _csv_from_parquet(source: Path, target: Path) -> bool:
    """A CSV copy of a Parquet table written batch by batch; skipped (False) when the table
    has more than `CSV_MAX_ROWS` rows."""
    parquet = pq.ParquetFile(source)
    if parquet.metadata.num_rows > CSV_MAX_ROWS:
        return False
    with target.open("w", encoding="utf-8", newline="") as handle:
        for k, batch in enumerate(parquet.iter_batches()):
            batch.to_pandas().to_csv(handle, index=False, header=k == 0)
    return True
