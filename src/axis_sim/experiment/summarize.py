"""Summarize chunk results into the tables of a `RunResult`: distributions and paired differences.

Every portfolio ran on the same worlds, so differences are taken world by world (paired), and
their uncertainty is reported twice: the 90% confidence interval of the mean difference (how
sure the Monte Carlo estimate is) and the 5–95% spread of the per-world difference (how much the
effect varies across plausible worlds).

Chunks are folded in as they arrive (`Collector`), so memory stays bounded however many worlds
run: monthly values become running summaries (`experiment/monthly.py`); horizon values go to
`Finals` (a scratch file for very large runs); per-world tables of very large runs
(outcomes, scores, parameters) are written to Parquet in the scratch folder and read from there
on access; drivers and failure conditions are fitted on the first `Plan.analysis_worlds` worlds.
"""

from __future__ import annotations

import logging
import platform
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from axis_sim.experiment.compare import (
    COMPOSITE,
    composite_scores,
    interaction_table,
    mean_interval,
    outcome_mmd,
    ranking_table,
    relative_precision,
    standard_error,
)
from axis_sim.experiment.decision import (
    acceptability_tables,
    leading,
    overlap_table,
    pareto_tables,
    value_model_manifest,
)
from axis_sim.experiment.discovery import (
    BOX_COLUMNS,
    box_record,
    describe_box,
    failure_conditions,
    portfolios_to_explain,
)
from axis_sim.experiment.finals import SPILL_BYTES, Finals
from axis_sim.experiment.monthly import RELATIVE_ACCURACY, MonthlySummary
from axis_sim.experiment.plan import Plan
from axis_sim.experiment.provenance import library_versions, package_version, provenance
from axis_sim.experiment.results import RunResult
from axis_sim.experiment.runner import ChunkResult
from axis_sim.experiment.sampling import uncertain_paths
from axis_sim.experiment.sensitivity import rank_correlations
from axis_sim.experiment.significance import verdict
from axis_sim.experiment.tables import typed
from axis_sim.model.metrics import METRICS
from axis_sim.scenario.loader import scenario_hash
from axis_sim.scenario.parameters import parameter_labels
from axis_sim.scenario.schema import STATUS_QUO

log = logging.getLogger(__name__)  # stage messages; the command line prints them

IN_MEMORY_TABLES = ("comparison", "ranking", "interactions", "acceptability", "central_weights",
                    "pareto", "tradeoffs", "overlaps", "drivers", "failures", "monthly",
                    "trajectories", "events")
ROW_GROUP_WORLDS = 50_000  # worlds per Parquet row group when a per-world table is spilled


def summarize(plan: Plan, chunks: Iterable[ChunkResult], wall_seconds: float) -> RunResult:
    """Build every table of the run from its chunks (given in chunk order)."""
    collector = Collector(plan)
    for chunk in chunks:
        collector.add(chunk)
    return collector.finish(plan, wall_seconds)


class Collector:
    """Folds chunk results, in chunk order, into a run's tables without holding every world.

    A run is *large* when its horizon values would exceed `finals.SPILL_BYTES` in memory; a
    large run keeps them, and its per-world tables, in a scratch folder (under `scratch`, or
    the system's temporary folder) that lives as long as the `RunResult` that reads from it.
    """

    def __init__(self, plan: Plan, scratch: Path | str | None = None,
                 spill_bytes: int = SPILL_BYTES) -> None:
        self.plan = plan
        self.names = list(plan.portfolios)
        self.outcome_names = list(plan.scenario.outcomes)
        self.paths = uncertain_paths(plan.scenario)
        shape = (len(self.names), len(self.outcome_names))
        self.large = shape[0] * shape[1] * plan.runs * 4 > spill_bytes
        self.folder: Path | None = None
        if self.large:
            if scratch is not None:
                Path(scratch).mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix=".axis-sim-run-", dir=scratch))
        self.finals = Finals(*shape, plan.runs, self.folder)
        self.monthly = MonthlySummary((*shape, plan.months), plan.runs, plan.exact_worlds,
                                      may_stop_early=plan.may_stop_early)
        self.samples: list[np.ndarray] = []
        self.events: list[list[pd.DataFrame]] = []
        self.parameters = _ParameterSink(self.paths, plan.analysis_worlds,
                                         self.folder / "parameters.parquet"
                                         if self.folder else None)

    def add(self, result: ChunkResult) -> None:
        """Fold in the next chunk (chunks must come in order)."""
        chunk = result.chunk
        if chunk.start != self.finals.worlds:
            raise ValueError(f"chunk {chunk.index} arrived out of order")
        self.finals.write(chunk.start, result.finals)
        self.monthly.add(result.monthly, chunk.start)
        if result.sample.shape[-1]:
            self.samples.append(result.sample)
        self.events.append(result.events)
        self.parameters.add(result.parameters)

    def precision(self) -> float:
        """Relative precision (see `compare.relative_precision`) of the worlds so far."""
        return relative_precision(self.plan.scenario, self.outcome_names, self.names, self.finals)

    def finish(self, plan: Plan, wall_seconds: float) -> RunResult:
        """Every table of the run. `plan` is the run's plan, with `runs` the worlds added."""
        if plan.runs != self.finals.worlds:
            raise ValueError(f"{self.finals.worlds} worlds collected, plan says {plan.runs}")
        log.info("Summarising %s worlds × %d portfolios…", f"{plan.runs:,}", len(self.names))
        scenario, names, outcome_names = plan.scenario, self.names, self.outcome_names
        finals = self.finals
        scores = composite_scores(scenario, outcome_names, names, finals)
        analysed = min(plan.runs, plan.analysis_worlds)
        parameters = self.parameters.finish()
        sample = self.parameters.analysed(analysed)
        result = RunResult(
            scenario=scenario,
            manifest=manifest(plan, len(self.events), wall_seconds)
            | self._method(plan, analysed),
            outcomes=self._per_world("outcomes", self._outcome_blocks(plan.runs)),
            parameters=parameters,
            monthly=self.monthly.table(names, outcome_names, scenario.meta.start),
            trajectories=trajectory_table(plan, names, outcome_names, self.samples),
            events=event_table(names, self.events),
            comparison=comparison_table(plan, names, outcome_names, finals),
            scores=self._per_world("scores", _score_blocks(names, scores)),
            ranking=ranking_table(scenario, outcome_names, names, finals, scores),
            interactions=interaction_table(scenario, outcome_names, plan.portfolios, finals,
                                           scores),
        )
        result.acceptability, result.central_weights = acceptability_tables(
            scenario, outcome_names, names, finals, analysed, seed=plan.seed)
        result.pareto, result.tradeoffs = pareto_tables(
            scenario, outcome_names, names, finals, leading(result.central_weights))
        effects = effect_table(plan, names, outcome_names, finals, scores, analysed)
        result.overlaps = overlap_table(scenario, effects)
        result.manifest["value_model"] = value_model_manifest(scenario, outcome_names, finals,
                                                              analysed)
        result.drivers = (rank_correlations(sample, effects) if len(self.paths) and len(effects)
                          else pd.DataFrame())
        result.failures = failure_table(plan, result.comparison, sample, effects,
                                        result.ranking)
        for name in IN_MEMORY_TABLES:  # an empty table keeps its columns and their types
            setattr(result, name, typed(name, getattr(result, name), scenario))
        self.finals.close()
        if self.folder is not None:
            # The scratch folder goes when the result does (it holds the result's big tables).
            result.scratch = self.folder
            weakref.finalize(result, shutil.rmtree, self.folder, True)
        return result

    def _method(self, plan: Plan, analysed: int) -> dict[str, Any]:
        """How the summaries were computed, for the manifest."""
        return {"monthly_quantiles": "exact" if self.monthly.exact else
                f"log-bucket sketch, within {RELATIVE_ACCURACY:.0%} of a value at that rank",
                "analysis_worlds": analysed}

    def _outcome_blocks(self, worlds: int) -> Iterator[pd.DataFrame]:
        """The outcomes table, portfolio by portfolio, a block of worlds at a time."""
        for p, name in enumerate(self.names):
            for start in range(0, worlds, ROW_GROUP_WORLDS):
                stop = min(worlds, start + ROW_GROUP_WORLDS)
                values = self.finals.portfolio(p, slice(start, stop))
                yield pd.DataFrame({"portfolio": name, "world": np.arange(start, stop),
                                    **dict(zip(self.outcome_names, values, strict=True))})

    def _per_world(self, name: str, blocks: Iterator[pd.DataFrame]) -> pd.DataFrame | Path:
        """A per-world table: in memory for an ordinary run, a Parquet file for a large one."""
        if self.folder is None:
            return pd.concat(blocks, ignore_index=True)
        return write_parquet_blocks(self.folder / f"{name}.parquet", blocks)


def _score_blocks(names: list[str], scores: np.ndarray) -> Iterator[pd.DataFrame]:
    worlds = np.arange(scores.shape[1])
    for p, name in enumerate(names):
        yield pd.DataFrame({"portfolio": name, "world": worlds, COMPOSITE: scores[p]})


def write_parquet_blocks(path: Path, blocks: Iterable[pd.DataFrame]) -> Path:
    """Write DataFrames of one schema to one Parquet file, one row group each."""
    writer: pq.ParquetWriter | None = None
    try:
        for block in blocks:
            table = pa.Table.from_pandas(block, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return path


class _ParameterSink:
    """Every world's drawn parameters: all in memory for an ordinary run, streamed to Parquet
    for a large one (keeping the first `keep` worlds in memory for drivers and failures)."""

    def __init__(self, paths: list[str], keep: int, path: Path | None) -> None:
        self.paths, self.keep, self.path = paths, keep, path
        self.kept: list[pd.DataFrame] = []
        self.pending: list[pd.DataFrame] = []
        self.pending_worlds = 0
        self.worlds = 0
        self.writer: pq.ParquetWriter | None = None

    def add(self, values: dict[str, np.ndarray]) -> None:
        size = len(next(iter(values.values()))) if values else 0
        frame = pd.DataFrame({"world": np.arange(self.worlds, self.worlds + size),
                              **{path: values[path] for path in self.paths}})
        if self.path is None or self.worlds < self.keep:
            self.kept.append(frame)
        self.worlds += size
        if self.path is not None:
            self.pending.append(frame)
            self.pending_worlds += size
            if self.pending_worlds >= ROW_GROUP_WORLDS:
                self._flush()

    def _flush(self) -> None:
        assert self.path is not None
        table = pa.Table.from_pandas(pd.concat(self.pending, ignore_index=True),
                                     preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table)
        self.pending, self.pending_worlds = [], 0

    def finish(self) -> pd.DataFrame | Path:
        """The parameters table (or the Parquet file holding it)."""
        if self.path is None:
            return self.analysed(self.worlds)
        if self.pending:
            self._flush()
        if self.writer is not None:
            self.writer.close()
        return self.path

    def analysed(self, worlds: int) -> pd.DataFrame:
        """The first `worlds` worlds' parameters."""
        if not self.kept:
            return pd.DataFrame({"world": np.arange(0), **{p: [] for p in self.paths}})
        frame = pd.concat(self.kept, ignore_index=True)
        return frame.iloc[:worlds].reset_index(drop=True) if len(frame) > worlds else frame


def effect_table(plan: Plan, names: list[str], outcome_names: list[str], finals: Finals,
                 scores: np.ndarray, analysed: int) -> pd.DataFrame:
    """Per-world paired effects (portfolio minus status quo) on the composite score and the
    headline outcomes in the first `analysed` worlds, long: portfolio, outcome, world, effect —
    what drivers and failures read."""
    headline = {o: finals.outcome(outcome_names.index(o), slice(analysed))
                for o in plan.scenario.headline_outcomes}
    base = names.index(STATUS_QUO)
    frames = []
    worlds = np.arange(analysed)
    for p, name in enumerate(names):
        if p == base:
            continue
        frames.append(pd.DataFrame({"portfolio": name, "outcome": COMPOSITE, "world": worlds,
                                    "effect": scores[p, :analysed]}))
        for o, values in headline.items():
            frames.append(pd.DataFrame({"portfolio": name, "outcome": o, "world": worlds,
                                        "effect": values[p] - values[base]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["portfolio", "outcome", "world", "effect"])


def failure_table(plan: Plan, comparison: pd.DataFrame, parameters: pd.DataFrame,
                  effects: pd.DataFrame, ranking: pd.DataFrame | None = None) -> pd.DataFrame:
    """Where each single option, and each of the best-ranked combinations, fails: for the
    composite score and every headline outcome the portfolio usually improves (mean effect's
    90% interval clear of 0, better in at least half the worlds), the PRIM boxes of the
    parameters that can affect it in which it does not improve on status quo (see
    `experiment/discovery.py`)."""
    scenario = plan.scenario
    labels = parameter_labels(scenario)
    rows = []
    for option in portfolios_to_explain(plan.portfolios, ranking):
        option_label = " + ".join(scenario.options[o].label  # type: ignore[index]
                                  for o in plan.portfolios[option])
        mine = effects[effects["portfolio"] == option]
        for outcome, frame in mine.groupby("outcome", sort=False):
            if outcome == COMPOSITE:
                sign, subject = 1.0, f"{option_label} fails to beat status quo overall"
            else:
                spec = scenario.outcomes[str(outcome)]
                sign = 1.0 if spec.better == "higher" else -1.0
                row = comparison[(comparison["portfolio"] == option)
                                 & (comparison["outcome"] == outcome)].iloc[0]
                if (min(sign * row["diff_ci_low"], sign * row["diff_ci_high"]) <= 0
                        or row["p_better"] < 0.5):
                    continue  # it does not usually improve this outcome: no failure to explain
                subject = f"{option_label} fails to improve “{spec.label}”"
            failed = (sign * frame.sort_values("world")["effect"].to_numpy()) <= 0
            for box in failure_conditions(parameters, failed,
                                          options=plan.portfolios[option]):
                rows.append({"portfolio": option, "outcome": outcome,
                             "sentence": describe_box(box, subject=subject, labels=labels),
                             **box_record(box)})
    return pd.DataFrame.from_records(rows, columns=["portfolio", "outcome", "sentence",
                                                    *BOX_COLUMNS])


def trajectory_table(plan: Plan, names: list[str], outcome_names: list[str],
                     samples: list[np.ndarray]) -> pd.DataFrame:
    """Monthly values of the sample worlds (the first `sample_worlds` worlds)."""
    n = plan.sample_worlds
    history = (np.concatenate(samples, axis=3) if samples
               else np.empty((len(names), len(outcome_names), plan.months, 0), np.float32))
    frames = []
    for p, name in enumerate(names):
        sample = history[p, :, :, :n]  # (O, T, n)
        world, month = np.meshgrid(np.arange(n), np.arange(plan.months), indexing="ij")
        frames.append(pd.DataFrame({
            "portfolio": name, "world": world.ravel(), "month": month.ravel(),
            **{o: sample[i].T.ravel() for i, o in enumerate(outcome_names)}}))
    return pd.concat(frames, ignore_index=True)


def event_table(names: list[str], chunks: list[list[pd.DataFrame]]) -> pd.DataFrame:
    """The sample worlds' event logs (per chunk, one frame per portfolio), one block per
    portfolio."""
    frames = [frame.assign(portfolio=name)
              for events in chunks for name, frame in zip(names, events, strict=True)]
    frame = pd.concat(frames, ignore_index=True)
    frame["portfolio"] = pd.Categorical(frame["portfolio"], categories=names)
    frame = frame.sort_values(["portfolio", "world", "month"], kind="stable", ignore_index=True)
    return frame[["portfolio", "month", "world", "actor", "event", "value"]]


def comparison_table(plan: Plan, names: list[str], outcome_names: list[str],
                     finals: Finals) -> pd.DataFrame:
    """Per portfolio and outcome: distribution, paired difference from status quo, and the
    verdict on that difference against the outcome's MMD (`significance.verdict`)."""
    base = names.index(STATUS_QUO)
    records: dict[tuple[int, int], dict[str, Any]] = {}
    for i, outcome in enumerate(outcome_names):
        every = finals.outcome(i)
        for p, name in enumerate(names):
            values, diff = every[p], every[p] - every[base]
            lower_better = plan.scenario.outcomes[outcome].better == "lower"
            better = diff < 0 if lower_better else diff > 0
            worse = diff > 0 if lower_better else diff < 0
            low, high = mean_interval(diff)
            mmd = outcome_mmd(plan.scenario, outcome)
            cumulative = METRICS[outcome].cumulative
            records[p, i] = {
                "portfolio": name, "outcome": outcome,
                "mean": values.mean(), "se": standard_error(values), "median": np.median(values),
                "p05": np.quantile(values, 0.05), "p95": np.quantile(values, 0.95),
                "p_event": (values > 0).mean() if cumulative else np.nan,
                "diff_mean": diff.mean(), "diff_ci_low": low, "diff_ci_high": high,
                "diff_se": standard_error(diff),
                "diff_p05": np.quantile(diff, 0.05), "diff_p95": np.quantile(diff, 0.95),
                "p_better": better.mean(), "p_worse": worse.mean(), "mmd": mmd,
                # No MMD, no practical verdict: the outcome is shown, not judged.
                "verdict": "" if p == base or not np.isfinite(mmd) else
                verdict(low, high, mmd, -1.0 if lower_better else 1.0),
            }
    # Read outcome by outcome, listed portfolio by portfolio as readers expect.
    return pd.DataFrame.from_records([records[key] for key in sorted(records)])


def manifest(plan: Plan, chunks: int, wall_seconds: float) -> dict[str, Any]:
    """How the run was made: enough to reproduce it and to tell two runs apart."""
    scenario = plan.scenario
    return {
        "scenario_name": scenario.meta.name,
        "scenario_title": scenario.meta.title,
        "scenario_hash": scenario_hash(scenario),
        "seed": plan.seed,
        "runs": plan.runs,
        "months": plan.months,
        "sampling": plan.sampling,
        "chunk_size": plan.chunk_size,
        "chunks": chunks,
        "sample_worlds": plan.sample_worlds,
        "portfolios": list(plan.portfolios),
        "portfolio_options": {k: list(v) for k, v in plan.portfolios.items()},
        "outcomes": list(scenario.outcomes),
        "package_version": package_version(),
        "versions": library_versions(),
        "python": platform.python_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
        **provenance(plan),
        "scenario": scenario.model_dump(mode="json"),
    }
