"""The `axis-sim` command line: one function per command, nothing else."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.schema import Scenario

EPILOG_RUN = """\b
Examples:
  axis-sim run scenarios/baseline.yaml
  axis-sim run scenarios/baseline.yaml --runs 5000 --jobs 2 --seed 7
  axis-sim run scenarios/baseline.yaml --options sanctions_listing,warn_beijing+public_disclosure
  axis-sim run scenarios/baseline.yaml --options all --out results/all-portfolios
"""


def _fail(err: ScenarioError) -> None:
    click.echo(str(err), err=True)
    sys.exit(2)


@click.group(epilog="""\b
Examples:
  axis-sim run scenarios/baseline.yaml      run the baseline, write results and a dashboard
  axis-sim validate scenarios/*.yaml        check scenario files
  axis-sim schema > scenario.schema.json    JSON Schema for editors""")
@click.version_option(package_name="axis-sim")
def main() -> None:
    """axis-sim: wargame US policy options against the Russia–DPRK military alignment."""


@main.command(epilog=EPILOG_RUN)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--runs", type=click.IntRange(min=1), help="Worlds to simulate (default: the "
              "scenario's experiment.runs).")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (default: the scenario's).")
@click.option("--options", "portfolios", multiple=True, metavar="PORTFOLIOS",
              help="Portfolios to compare with status quo, comma-separated: option ids, named "
                   "portfolios, 'a+b' combinations, or 'all' for all 32. Repeatable.")
@click.option("--sampling", type=click.Choice(["random", "latin_hypercube", "sobol"]),
              help="How uncertain parameters are sampled (default: the scenario's).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes; results are identical for any number.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write (default: results/<timestamp>-<scenario>).")
def run(scenario: Path, runs: int | None, seed: int | None, portfolios: tuple[str, ...],
        sampling: str | None, jobs: int, out: Path | None) -> None:
    """Run SCENARIO's Monte Carlo experiment; write tables, a manifest and a dashboard."""
    from axis_sim.api import load_scenario
    from axis_sim.api import run as run_experiment
    from axis_sim.experiment.output import DEFAULT_ROOT, write_results
    from axis_sim.experiment.plan import plan
    from axis_sim.report.table import comparison_text

    try:
        spec = load_scenario(scenario)
    except ScenarioError as err:
        _fail(err)
    names = [n for item in portfolios for n in item.split(",") if n.strip()] or None
    try:
        chunks = len(plan(spec, runs=runs, portfolios=names).chunks)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--options") from None
    if out is not None and out.exists():
        raise click.BadParameter(f"{out} already exists", param_hint="--out")

    show_bar = sys.stderr.isatty()
    with click.progressbar(length=chunks, label="Simulating", file=sys.stderr,
                           hidden=not show_bar) as bar:
        result = run_experiment(spec, runs=runs, options=names, seed=seed, jobs=jobs,
                                sampling=sampling, progress=lambda _chunk: bar.update(1))  # type: ignore[arg-type]
    folder = write_results(result, DEFAULT_ROOT, out)
    click.echo(comparison_text(result))
    m = result.manifest
    click.echo(f"\n{m['runs']} worlds × {len(m['portfolios'])} portfolios × {m['months']} months, "
               f"seed {m['seed']}, {m['wall_seconds']:.1f} s")
    click.echo(f"Results:   {folder}/")
    click.echo(f"Dashboard: {folder / 'dashboard.html'}")


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
