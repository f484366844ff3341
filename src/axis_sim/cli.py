"""The `axis-sim` command line: one function per command, nothing else."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from axis_sim.experiment.results import RunResult

EPILOG_RUN = """\b
Examples:
  axis-sim run scenarios/baseline.yaml
  axis-sim run scenarios/baseline.yaml --runs 5000 --jobs 2 --seed 7
  axis-sim run scenarios/baseline.yaml --portfolios sanctions_listing,warn_beijing+public_disclosure
  axis-sim run scenarios/baseline.yaml --set sanctions_listing:start=2024-01,intensity=0.5
  axis-sim run scenarios/baseline.yaml --portfolios all --out results/all-portfolios
"""

EPILOG_COMPARE = """\b
Examples:
  axis-sim compare scenarios/baseline.yaml --portfolios all
  axis-sim compare scenarios/baseline.yaml --portfolios all --weight lethal_incidents=5
  axis-sim compare scenarios/baseline.yaml --until-precise 0.05 --max-runs 50000 --jobs 2
  axis-sim compare scenarios/baseline.yaml --sensitivity morris --jobs 2
"""


def _fail(err: ScenarioError) -> None:
    click.echo(str(err), err=True)
    sys.exit(2)


@click.group(epilog="""\b
Examples:
  axis-sim run scenarios/baseline.yaml        run the baseline, write results and a dashboard
  axis-sim compare scenarios/baseline.yaml    rank portfolios; write tables and a brief
  axis-sim dashboard results/<run>            rebuild a dashboard; two folders: compare runs
  axis-sim validate scenarios/*.yaml          check scenario files
  axis-sim schema > scenario.schema.json      JSON Schema for editors""")
@click.version_option(package_name="axis-sim")
def main() -> None:
    """axis-sim: wargame US policy options against the Russia–DPRK military alignment."""


def experiment_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options shared by `run` and `compare`: what to simulate and where to write it."""
    decorators = [
        click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--runs", type=click.IntRange(min=1),
                     help="Worlds to simulate (default: the scenario's experiment.runs)."),
        click.option("--seed", type=click.IntRange(min=0),
                     help="Random seed (default: the scenario's)."),
        click.option("--portfolios", "--options", "portfolios", multiple=True,
                     metavar="PORTFOLIOS",
                     help="Portfolios to compare with status quo, comma-separated: option ids, "
                          "named portfolios, 'a+b' combinations, or 'all' for all 32. Repeatable."),
        click.option("--set", "settings", multiple=True, metavar="OPTION:KEY=VALUE,...",
                     help="Change an option's start (YYYY-MM or months), intensity (0-2) or "
                          "duration (months), e.g. sanctions_listing:start=2024-01,intensity=0.5. "
                          "Repeatable."),
        click.option("--weight", "weights", multiple=True, metavar="OUTCOME=WEIGHT",
                     help="Weight of an outcome in the composite score. Repeatable."),
        click.option("--sampling", type=click.Choice(["random", "latin_hypercube", "sobol"]),
                     help="How uncertain parameters are sampled (default: the scenario's)."),
        click.option("--until-precise", type=click.FloatRange(min=0, min_open=True),
                     metavar="SD",
                     help="Keep adding worlds until every headline difference from status quo "
                          "is known within ± SD standard deviations (90% interval)."),
        click.option("--max-runs", type=click.IntRange(min=1), default=100_000,
                     show_default=True, help="Most worlds --until-precise may run."),
        click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Worker processes; results are identical for any number."),
        click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                     help="Folder to write (default: results/<timestamp>-<scenario>)."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _experiment(scenario: Path, runs: int | None, seed: int | None,
                portfolios: tuple[str, ...], settings: tuple[str, ...],
                weights: tuple[str, ...], sampling: str | None, until_precise: float | None,
                max_runs: int, jobs: int, out: Path | None,
                sensitivity: str | None = None,
                sensitivity_samples: int | None = None) -> tuple[RunResult, Path]:
    """Load, adjust, run and write an experiment; every user error exits 2 with a message."""
    from axis_sim.api import load_scenario
    from axis_sim.api import run as run_experiment
    from axis_sim.experiment.output import DEFAULT_ROOT, write_results
    from axis_sim.experiment.plan import plan
    from axis_sim.scenario.overrides import apply_overrides

    try:
        spec = load_scenario(scenario)
    except ScenarioError as err:
        _fail(err)
    try:
        spec = apply_overrides(spec, settings, weights)
    except ValueError as err:
        hint = "--set" if settings and "weight" not in str(err) else "--weight"
        raise click.BadParameter(str(err), param_hint=hint) from None
    names = [n for item in portfolios for n in item.split(",") if n.strip()] or None
    try:
        planned = plan(spec, runs=max_runs if until_precise else runs, portfolios=names)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--portfolios") from None
    if out is not None and out.exists():
        raise click.BadParameter(f"{out} already exists", param_hint="--out")

    with click.progressbar(length=len(planned.chunks), label="Simulating", file=sys.stderr,
                           hidden=not sys.stderr.isatty()) as bar:
        result = run_experiment(spec, runs=runs, options=names, seed=seed, jobs=jobs,
                                sampling=sampling,  # type: ignore[arg-type]
                                until_precise=until_precise, max_runs=max_runs,
                                progress=lambda _chunk: bar.update(1))
    if sensitivity:
        from axis_sim.api import sensitivity as sensitivity_analysis

        click.echo(f"Sensitivity analysis ({sensitivity})…", err=True)
        result.sensitivity = sensitivity_analysis(
            spec, method=sensitivity, samples=sensitivity_samples,  # type: ignore[arg-type]
            options=names, seed=seed, jobs=jobs)
    return result, write_results(result, DEFAULT_ROOT, out)


def _footer(result: RunResult, folder: Path) -> None:
    m = result.manifest
    click.echo(f"\n{m['runs']} worlds × {len(m['portfolios'])} portfolios × {m['months']} months, "
               f"seed {m['seed']}, {m['wall_seconds']:.1f} s")
    if "until_precise" in m:
        p = m["until_precise"]
        state = "reached" if p["met"] else f"NOT reached within {p['max_runs']} worlds"
        click.echo(f"Precision target ±{p['target']:g} SD {state} (widest ±{p['reached']:.3g} SD)")
    click.echo(f"Results:   {folder}/")
    click.echo(f"Brief:     {folder / 'brief.md'}")
    click.echo(f"Dashboard: {folder / 'dashboard.html'}")


@main.command(epilog=EPILOG_RUN)
@experiment_options
def run(**kwargs: Any) -> None:
    """Run SCENARIO's Monte Carlo experiment; write tables, a manifest, a brief and a dashboard.

    Prints each headline outcome per portfolio with the paired difference from status quo.
    """
    from axis_sim.report.table import comparison_text

    result, folder = _experiment(**kwargs)
    click.echo(comparison_text(result))
    _footer(result, folder)


@main.command(epilog=EPILOG_COMPARE)
@experiment_options
@click.option("--sensitivity", type=click.Choice(["morris", "sobol"]),
              help="Also run a global sensitivity analysis with SALib (more worlds; slower).")
@click.option("--sensitivity-samples", type=click.IntRange(min=2), metavar="N",
              help="Morris trajectories (default 20) or Sobol' base samples (default 64).")
def compare(**kwargs: Any) -> None:
    """Rank portfolios on SCENARIO by composite score, with regret, interactions and failures.

    Writes the same files as `run` (ranking.csv, interactions.csv, brief.md among them).
    """
    from axis_sim.report.table import ranking_text

    result, folder = _experiment(**kwargs)
    click.echo(ranking_text(result))
    _footer(result, folder)


@main.command(epilog="""\b
Examples:
  axis-sim dashboard results/20261128-204501-baseline
  axis-sim dashboard results/...-baseline results/...-ukraine_ceasefire --out versus.html""")
@click.argument("results", nargs=-1, required=True,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: dashboard.html in the results folder; for two runs, "
                   "versus-<second folder>.html in the first).")
def dashboard(results: tuple[Path, ...], out: Path | None) -> None:
    """Rebuild a run's dashboard from RESULTS, or compare two runs side by side.

    Nothing is simulated again: the page is made from the folder's tables and manifest.
    """
    from axis_sim.experiment.load import ResultsError, load_results
    from axis_sim.report.dashboard import write_dashboard
    from axis_sim.report.run_comparison import write_run_comparison

    if len(results) > 2:
        raise click.UsageError("give one results folder, or two to compare")
    try:
        runs = [load_results(folder) for folder in results]
    except ResultsError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(2)
    if len(runs) == 1:
        path = out or results[0] / "dashboard.html"
        write_dashboard(runs[0], path)
    else:
        path = out or results[0] / f"versus-{results[1].resolve().name}.html"
        write_run_comparison(runs[0], runs[1], path)
    click.echo(f"Dashboard: {path}")


@main.command(epilog="""\b
Examples:
  axis-sim validate scenarios/baseline.yaml
  axis-sim validate scenarios/*.yaml""")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario FILES; print every problem with file:line:column; exit 2 if any."""
    from axis_sim.api import load_scenario

    failed = False
    for path in files:
        try:
            spec = load_scenario(path)
        except ScenarioError as err:
            click.echo(str(err), err=True)
            failed = True
            continue
        click.echo(f"{path}: ok ({spec.meta.name}, {spec.meta.start} + "
                   f"{spec.meta.horizon_months} months)")
    if failed:
        sys.exit(2)


@main.command(epilog="""\b
Example:
  axis-sim schema > scenario.schema.json""")
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    click.echo(json.dumps(Scenario.model_json_schema(), indent=2))
