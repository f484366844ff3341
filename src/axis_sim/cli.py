"""The `axis-sim` command line: one function per command, nothing else.

Only click and the standard library are imported at the top: `axis-sim --help` and shell
completion start without loading pandas, scipy or Mesa (each command imports what it needs).

Every value is checked before any simulation starts (numbers finite and in range, a run that
fits this machine's memory, an output folder that can be written, a reachable scheduler); a bad
one is a one-line error and exit 2. `Main` turns what still goes wrong while writing (a full
or read-only disk) into one line and exit 2, and clips every error message (`console.clip`).
"""

from __future__ import annotations

import errno
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from axis_sim import bundled
from axis_sim.cli_common import (
    ALLOW_OUTSIDE_OPTION,
    SCENARIO_ARGUMENT,
    FiniteFloat,
    Jobs,
    SafePath,
    ScenarioParam,
    check_scheduler,
    check_weights,
    check_writable,
    fail,
)
from axis_sim.console import Progress, clip, error, reporting, say
from axis_sim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from axis_sim.experiment.plan import Plan
    from axis_sim.experiment.results import RunResult
    from axis_sim.scenario.schema import Scenario

EPILOG_RUN = """\b
Examples:
  axis-sim run baseline                              a bundled scenario, by name
  axis-sim run my_variant.yaml                       a scenario file
  axis-sim run baseline --runs 5000 --jobs 2 --seed 7
  axis-sim run baseline --portfolios sanctions_listing,warn_beijing+public_disclosure
  axis-sim run baseline --set sanctions_listing:start=2024-01,intensity=0.5
  axis-sim run baseline --portfolios all --out results/all-portfolios
  axis-sim run baseline --runs 500 --json | jq .results
"""

EPILOG_COMPARE = """\b
Examples:
  axis-sim compare baseline --portfolios all
  axis-sim compare baseline --portfolios all --weight lethal_incidents=5
  axis-sim compare baseline --until-precise 0.5 --max-runs 50000 --jobs 2
  axis-sim compare baseline --sensitivity morris --jobs 2
  axis-sim compare scenarios/baseline.yaml --portfolios allied_package --explain
"""

EPILOG_EXPLAIN = """\b
Examples:
  axis-sim explain baseline --runs 1000 --jobs 2
  axis-sim explain baseline --portfolios sanctions_listing,allied_package
  axis-sim explain baseline --set warn_beijing:intensity=0.5 --out results/why
"""


_fail = fail

# Errors that mean the disk refused the data, said as "cannot write"; any other OSError is
# shown as the system's words for it.
WRITE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG}


class WriteFailed(click.ClickException):
    """An OSError while a command worked (typically writing its results), as one line."""

    exit_code = 2

    def __init__(self, err: OSError) -> None:
        if err.filename is not None and err.strerror:
            verb = "cannot write " if err.errno in WRITE_ERRNOS else ""
            message = f"{verb}{err.filename}: {err.strerror}"
        else:  # pyarrow and friends: the message is all there is
            message = str(err) or type(err).__name__
        super().__init__(message)

    def show(self, file: Any = None) -> None:
        error(f"axis-sim: {self.format_message()}")


class BadValue(click.ClickException):
    """A bad option value, as the one line `Error: Invalid value for '--runs': …` (exit 2):
    the usage synopsis is for mistakes of syntax, not of value."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        error(f"Error: {self.format_message()}")


class Main(click.Group):
    """The `axis-sim` group: error messages clipped (`console.clip`: one 900 KB value must not
    become a 900 KB line), a bad value one line, and an OSError from any command one line
    and exit 2, not a traceback (writers are atomic, so nothing is left half-written)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.MissingParameter:  # a mistake of syntax: the usage line helps
            raise
        except click.BadParameter as err:
            raise BadValue(clip(err.format_message())) from None
        except click.ClickException as err:
            err.message = clip(err.message)
            raise
        except OSError as err:
            if err.errno == errno.EPIPE:  # stdout closed (`| head`): click handles it
                raise
            raise WriteFailed(err) from None


@click.group(cls=Main, epilog="""\b
Examples:
  axis-sim run baseline                       run the baseline, write results and a dashboard
  axis-sim compare baseline                   rank portfolios; write tables and a brief
  axis-sim explain baseline                   each option's effect by causal channel
  axis-sim scenarios list                     the scenarios that ship with axis-sim
  axis-sim scenarios copy baseline my.yaml    a copy to edit (with the files it extends)
  axis-sim dashboard results/<run>            rebuild a dashboard; two folders: compare runs
  axis-sim seminar --help                     run a tabletop exercise with human teams
  axis-sim score SCENARIO QUESTIONS           score forecasts against what happened
  axis-sim backtest                           score every backtest origin
  axis-sim validate my.yaml                   check scenario files
  axis-sim schema > scenario.schema.json      JSON Schema for editors
  axis-sim bench --quick                      how fast the model runs on this machine
  axis-sim clean --dry-run                    what interrupted runs left behind, with sizes

\b
A SCENARIO is a file, or the name of a bundled scenario (`axis-sim scenarios list`); an
existing file wins. Progress goes to stderr (plain lines when it is not a terminal); --quiet
silences it. Shell completion: see the README ("Shell completion").""")
@click.version_option(package_name="axis-sim")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress or stage lines on stderr (as each command's --quiet).")
@click.pass_context
def main(ctx: click.Context, quiet: bool) -> None:
    """axis-sim: wargame US policy options against the Russia–DPRK military alignment."""
    from axis_sim.console import set_quiet

    ctx.with_resource(reporting())
    if quiet:
        set_quiet()


def _quiet_callback(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    from axis_sim.console import set_quiet

    if value:
        set_quiet()
    return value


QUIET_OPTION = click.option(
    "-q", "--quiet", is_flag=True, expose_value=False, callback=_quiet_callback,
    help="No progress or stage lines on stderr; on stdout only the results folder (or, with "
         "--json, the JSON).")
JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True,
    help="Print one JSON object on stdout instead of the tables: the results folder and the "
         "headline numbers. Progress still goes to stderr.")


def complete_portfolios(ctx: click.Context, param: click.Parameter,
                        incomplete: str) -> list[CompletionItem]:
    """`--portfolios a,b,<TAB>`: the scenario's option ids and named portfolios, `all`,
    `status_quo`; the scenario is the one already on the command line (else the baseline)."""
    given = ctx.params.get("scenario")
    path = Path(given) if given else bundled.find_scenario("baseline")
    names = ["all", "status_quo", *bundled.portfolio_names(path)] if path else ["all"]
    head, _, last = incomplete.rpartition(",")
    stem, plus, part = last.rpartition("+")
    prefix = (f"{head}," if head else "") + (f"{stem}{plus}" if plus else "")
    return [CompletionItem(prefix + n) for n in dict.fromkeys(names) if n.startswith(part)]


DEFAULT_MAX_RUNS = 100_000

RUNS_OPTION = click.option("--runs", type=click.IntRange(min=1),
                           help="Worlds to simulate (default: the scenario's experiment.runs).")
SEED_OPTION = click.option("--seed", type=click.IntRange(min=0),
                           help="Random seed (default: the scenario's).")
SET_OPTION = click.option(
    "--set", "settings", multiple=True, metavar="OPTION:KEY=VALUE,...",
    help="Change an option's start (YYYY-MM or months), intensity (0-2) or duration (months), "
         "e.g. sanctions_listing:start=2024-01,intensity=0.5. Repeatable.")
SAMPLING_OPTION = click.option(
    "--sampling", type=click.Choice(["random", "latin_hypercube", "sobol"]),
    help="How uncertain parameters are sampled (default: the scenario's).")
JOBS_OPTION = click.option("--jobs", type=Jobs(), default=1, show_default=True,
                           help="Worker processes; results are identical for any number.")
CHUNK_SIZE_OPTION = click.option(
    "--chunk-size", type=click.IntRange(min=1), metavar="WORLDS",
    help="Worlds simulated together (default: the scenario's experiment.chunk_size). About "
         "2,000 is fastest per world; chunks are seeded by index, so a different size gives "
         "different draws.")


def experiment_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options shared by `run` and `compare`: what to simulate and where to write it."""
    decorators = [
        SCENARIO_ARGUMENT,
        ALLOW_OUTSIDE_OPTION,
        RUNS_OPTION,
        SEED_OPTION,
        click.option("--portfolios", "--options", "portfolios", multiple=True,
                     metavar="PORTFOLIOS", shell_complete=complete_portfolios,
                     help="Portfolios to compare with status quo, comma-separated: option ids, "
                          "named portfolios, 'a+b' combinations, or 'all' for all 32. Repeatable."),
        SET_OPTION,
        click.option("--weight", "weights", multiple=True, metavar="OUTCOME=WEIGHT",
                     callback=check_weights,
                     help="Swing weight of a scored outcome, 0 to 1,000,000 (relative, "
                          "normalised to sum 1; it must keep the scenario's `outweighs:` "
                          "judgements). Repeatable."),
        SAMPLING_OPTION,
        click.option("--until-precise", type=FiniteFloat(), metavar="MMD",
                     help="Keep adding worlds until every headline difference from status quo "
                          "is known within ± MMD times its minimal meaningful difference (90% "
                          "interval; e.g. 0.5: half the smallest difference that matters); a "
                          "finite number above 0."),
        click.option("--max-runs", type=click.IntRange(min=1), metavar="N",
                     help=f"Most worlds --until-precise may run (default {DEFAULT_MAX_RUNS:,}); "
                          "at least the worlds it starts with (--runs)."),
        JOBS_OPTION,
        click.option("--sample-worlds", type=click.IntRange(min=0), metavar="N",
                     help="Worlds whose month-by-month values and event log are kept (default: "
                          "the scenario's experiment.sample_worlds, 200); summaries always "
                          "cover every world."),
        CHUNK_SIZE_OPTION,
        click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
                     show_default=True, help="Where chunks run: local processes, or Dask "
                     "distributed (pip install 'axis-sim[dask]')."),
        click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address, "
                     "tcp://HOST:PORT, with --executor dask only (default: a LocalCluster of "
                     "--jobs workers); it must answer within a few seconds."),
        click.option("--explain", is_flag=True,
                     help="Also decompose each option's effect by causal channel, on the same "
                          "worlds (channels.csv; one more run per option parameter)."),
        click.option("--out", type=SafePath(file_okay=False, path_type=Path),
                     help="Folder to write, which must not exist yet (default: "
                          "results/<timestamp>-<scenario>); checked writable before simulating."),
        JSON_OPTION,
        QUIET_OPTION,
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _experiment(scenario: Path, runs: int | None, seed: int | None,
                portfolios: tuple[str, ...], settings: tuple[str, ...],
                weights: tuple[str, ...], sampling: str | None, until_precise: float | None,
                max_runs: int | None, jobs: int, out: Path | None,
                chunk_size: int | None = None,
                sample_worlds: int | None = None, executor: str = "local",
                scheduler: str | None = None, explain: bool = False,
                sensitivity: str | None = None,
                sensitivity_samples: int | None = None,
                allow_outside: bool = False) -> tuple[RunResult, Path]:
    """Load, adjust, run and write an experiment; every user error exits 2 with a message,
    before anything is simulated."""
    check_scheduler(scheduler, executor)
    if max_runs is not None and until_precise is None:
        raise click.BadParameter("it limits --until-precise; add --until-precise MMD or leave "
                                 "--max-runs out", param_hint="--max-runs")
    spec = _scenario(scenario, settings, weights, allow_outside=allow_outside)
    from axis_sim.api import run as run_experiment
    from axis_sim.experiment.output import DEFAULT_ROOT, write_results
    from axis_sim.experiment.store import ChunkStore

    if until_precise is not None:
        start = runs or spec.experiment.runs
        max_runs = DEFAULT_MAX_RUNS if max_runs is None else max_runs
        if max_runs < start:
            raise click.BadParameter(
                f"{max_runs:,} is below the {start:,} worlds --until-precise starts with "
                f"({'--runs' if runs else 'the scenario’s experiment.runs'}); raise "
                "--max-runs or lower --runs", param_hint="--max-runs")
    names = _portfolio_names(portfolios)
    planned = _plan(spec, runs=max_runs if until_precise else runs, portfolios=names,
                    seed=seed, sampling=sampling, chunk_size=chunk_size,
                    sample_worlds=sample_worlds,
                    runs_hint="--max-runs" if until_precise else "--runs")
    if sensitivity:
        _check_sensitivity_size(planned, sensitivity, sensitivity_samples)
    # Finished chunks are saved beside the results, so an interrupted run resumes.
    root = _output_root(out, DEFAULT_ROOT)
    store = None if until_precise else ChunkStore(root, planned)
    if store is not None and store.done():
        say(f"Resuming: {store.done()} of {len(planned.chunks)} chunks already done.")

    from axis_sim.experiment.runner import ChunkError

    try:
        label = (f"Simulating {len(planned.portfolios)} portfolios (until ±{until_precise} MMD)"
                 if until_precise else f"Simulating {len(planned.portfolios)} portfolios")
        with Progress(len(planned.chunks), label, worlds=planned.runs) as bar:
            result = run_experiment(spec, runs=runs, options=names, seed=seed, jobs=jobs,
                                    sampling=sampling,  # type: ignore[arg-type]
                                    chunk_size=chunk_size, sample_worlds=sample_worlds,
                                    until_precise=until_precise,
                                    max_runs=max_runs or DEFAULT_MAX_RUNS,
                                    executor=executor, scheduler=scheduler,
                                    checkpoint=None if store is None else root, scratch=root,
                                    progress=lambda _chunk: bar.update(1))
        if explain:
            _explain_run(result, planned, jobs, executor, scheduler)
    except ChunkError as err:
        error(f"Error: {err}. Nothing was written.")
        sys.exit(1)
    if sensitivity:
        from axis_sim.api import sensitivity as sensitivity_analysis

        say(f"Sensitivity analysis ({sensitivity})…")
        result.sensitivity = sensitivity_analysis(
            spec, method=sensitivity, samples=sensitivity_samples,  # type: ignore[arg-type]
            options=names, seed=seed, jobs=jobs)
    folder = write_results(result, DEFAULT_ROOT, out)
    if store is not None:
        store.remove()
    return result, folder


def _plan(spec: Scenario, *, runs_hint: str = "--runs", **kwargs: Any) -> Plan:
    """`experiment.plan.plan`, its errors as usage errors naming the option to change (a
    run too large for this machine names --runs or --chunk-size, and how many would fit)."""
    from axis_sim.experiment.plan import PlanTooLarge, plan

    try:
        return plan(spec, **kwargs)
    except PlanTooLarge as err:
        hint = {"chunk_size": "--chunk-size", "sample_worlds": "--sample-worlds"}.get(
            err.field, runs_hint)
        raise click.BadParameter(str(err), param_hint=hint) from None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--portfolios") from None


def _check_sensitivity_size(planned: Plan, method: str, samples: int | None) -> None:
    """`--sensitivity`: its SALib design (samples × (parameters + 1 or 2) worlds) must fit this
    machine like any run; checked before anything is simulated."""
    from axis_sim.api import MORRIS_TRAJECTORIES, SOBOL_BASE_SAMPLES
    from axis_sim.experiment.plan import PlanTooLarge, check_size
    from axis_sim.experiment.sampling import uncertain_paths

    n = samples or (MORRIS_TRAJECTORIES if method == "morris" else SOBOL_BASE_SAMPLES)
    dims = len(uncertain_paths(planned.scenario))
    worlds = n * (dims + (1 if method == "morris" else 2))
    try:
        check_size(planned.scenario, worlds, planned.chunk_size, len(planned.portfolios))
    except PlanTooLarge as err:
        raise click.BadParameter(f"{n:,} samples × {dims} parameters: {err}",
                                 param_hint="--sensitivity-samples") from None


def _output_root(out: Path | None, default_root: Path) -> Path:
    """Where a run's folder will go, checked before simulating: `out` must not exist, and the
    folder it goes in (or `default_root`) must be writable. Returns that folder."""
    if out is not None and out.exists():
        raise click.BadParameter(f"{out} already exists", param_hint="--out")
    root = out.parent if out is not None else default_root
    check_writable(root, "--out")
    return root


def _scenario(path: Path, settings: tuple[str, ...], weights: tuple[str, ...] = (), *,
              allow_outside: bool = False) -> Scenario:
    """The scenario file with `--set` and `--weight` applied; errors exit 2 with a message."""
    say(f"Loading {path}…")
    from axis_sim.api import load_scenario
    from axis_sim.scenario.overrides import apply_overrides

    try:
        spec = load_scenario(path, allow_outside=allow_outside)
    except ScenarioError as err:
        _fail(err)
    try:
        return apply_overrides(spec, settings, weights)
    except ValueError as err:
        hint = "--set" if settings and "weight" not in str(err) else "--weight"
        raise click.BadParameter(str(err), param_hint=hint) from None


def _portfolio_names(portfolios: tuple[str, ...]) -> list[str] | None:
    """Repeated, comma-separated --portfolios as one list (None when not given)."""
    return [n for item in portfolios for n in item.split(",") if n.strip()] or None


def _explain_run(result: RunResult, planned: Plan, jobs: int, executor: str,
                 scheduler: str | None) -> None:
    """`--explain`: the channel table of the run's portfolios on its worlds, into `result`."""
    from axis_sim.experiment.explain import plan_explanation, timed_explanation
    from axis_sim.scenario.schema import STATUS_QUO

    say("Explaining each option's channels…")
    the_plan = plan_explanation(result.scenario,
                                portfolios=[p for p in result.portfolios if p != STATUS_QUO],
                                runs=result.manifest["runs"], seed=planned.seed,
                                sampling=planned.sampling, chunk_size=planned.chunk_size)
    table, made = timed_explanation(the_plan, jobs=jobs, executor=executor, scheduler=scheduler)
    result.channels = table
    result.manifest["explain"] = {key: made[key] for key in (
        "portfolios", "outcomes", "channels", "detectable", "wall_seconds")}


def _footer(result: RunResult, folder: Path) -> None:
    from axis_sim.report.formatting import significant

    m = result.manifest
    click.echo(f"\n{m['runs']} worlds × {len(m['portfolios'])} portfolios × {m['months']} months, "
               f"seed {m['seed']}, {m['wall_seconds']:.1f} s")
    if "until_precise" in m:
        p = m["until_precise"]
        state = "reached" if p["met"] else f"NOT reached within {p['max_runs']} worlds"
        click.echo(f"Precision target ±{significant(p['target'], 3)} MMD {state} "
                   f"(widest ±{significant(p['reached'], 3)} MMD)")
    click.echo(f"Results:   {folder}/")
    click.echo(f"Brief:     {folder / 'brief.md'}")
    click.echo(f"Dashboard: {folder / 'dashboard.html'}")
    if "channels_csv" in result.files:
        click.echo(f"Channels:  {folder / 'channels.csv'}")


def _report(result: RunResult, folder: Path, as_json: bool,
            text: Callable[[RunResult], str]) -> None:
    """What `run` and `compare` print on stdout: JSON, the folder alone (--quiet), or the
    tables and the footer."""
    from axis_sim.console import is_quiet

    if as_json:
        click.echo(json.dumps(run_json(result, folder), indent=2, allow_nan=False))
    elif is_quiet():
        click.echo(folder)
    else:
        click.echo(text(result))
        _footer(result, folder)


HEADLINE_COLUMNS = ("portfolio", "outcome", "mean", "median", "p05", "p95", "p_event",
                    "diff_mean", "diff_ci_low", "diff_ci_high", "p_better", "p_worse", "mmd",
                    "verdict")
RANKING_COLUMNS = ("rank", "portfolio", "score_mean", "score_ci_low", "score_ci_high",
                   "p_better", "p_best", "regret_p90", "satisficing", "verdict")


def _records(frame: Any, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN as null), keeping the columns the frame has."""
    return json.loads(frame[[c for c in columns if c in frame.columns]]
                      .to_json(orient="records", double_precision=15))


def run_json(result: RunResult, folder: Path) -> dict[str, Any]:
    """`--json` of `run` and `compare`: where the files are, what was run, and the headline
    comparison (each headline outcome per portfolio, with the paired difference from status
    quo) and the ranking, as JSON-ready data."""
    m, scenario = result.manifest, result.scenario
    comparison = result.comparison
    headline = comparison[comparison["outcome"].isin(scenario.headline_outcomes)]
    outcomes = {name: {"label": spec.label, "unit": spec.unit, "better": spec.better}
                for name, spec in scenario.outcomes.items()
                if name in scenario.headline_outcomes}
    first = None  # rank acceptability: the share of weight space where each portfolio is first
    if "first" in result.central_weights.columns:
        first = _records(result.central_weights.sort_values("first", ascending=False),
                         ("portfolio", "first", "confidence"))
    return {
        "results": str(folder),
        "brief": str(folder / "brief.md"),
        "dashboard": str(folder / "dashboard.html"),
        "manifest": str(folder / "manifest.json"),
        "scenario": m["scenario_name"],
        "scenario_hash": m["scenario_hash"],
        "runs": m["runs"],
        "seed": m["seed"],
        "months": m["months"],
        "portfolios": m["portfolios"],
        "wall_seconds": m["wall_seconds"],
        "outcomes": outcomes,
        "headline": _records(headline, HEADLINE_COLUMNS),
        "ranking": _records(result.ranking, RANKING_COLUMNS),
        "first_in_weight_space": first,
    }


@main.command(epilog=EPILOG_RUN)
@experiment_options
def run(**kwargs: Any) -> None:
    """Run SCENARIO's Monte Carlo experiment; write tables, a manifest, a brief and a dashboard.

    Prints each headline outcome per portfolio with the paired difference from status quo.
    """
    as_json = kwargs.pop("as_json")
    result, folder = _experiment(**kwargs)
    from axis_sim.report.table import comparison_text

    _report(result, folder, as_json, comparison_text)


@main.command(epilog=EPILOG_COMPARE)
@experiment_options
@click.option("--sensitivity", type=click.Choice(["morris", "sobol"]),
              help="Also run a global sensitivity analysis with SALib (more worlds; slower).")
@click.option("--sensitivity-samples", type=click.IntRange(min=2), metavar="N",
              help="Morris trajectories (default 20) or Sobol' base samples (default 64).")
def compare(**kwargs: Any) -> None:
    """Which portfolio on SCENARIO holds whatever the weights: rank acceptability, Pareto set.

    Prints the bottom line (the robust choice, or the trade-off the choice depends on), the
    rank acceptability over every weighting of the scored outcomes (SMAA-2), and the ranking
    by value over status quo at the scenario's swing weights, with regret and interactions.
    Writes the same files as `run` (acceptability.csv, central_weights.csv, pareto.csv,
    tradeoffs.csv, ranking.csv, interactions.csv, brief.md among them).
    """
    as_json = kwargs.pop("as_json")
    result, folder = _experiment(**kwargs)
    from axis_sim.report.table import ranking_text

    _report(result, folder, as_json, ranking_text)


@main.command("explain", epilog=EPILOG_EXPLAIN)
@SCENARIO_ARGUMENT
@ALLOW_OUTSIDE_OPTION
@click.option("--portfolios", "--options", "portfolios", multiple=True, metavar="PORTFOLIOS",
              shell_complete=complete_portfolios,
              help="Portfolios whose options to explain, comma-separated: option ids, named "
                   "portfolios, 'a+b' combinations, or 'all' (default: each option alone). "
                   "Repeatable.")
@click.option("--runs", type=click.IntRange(min=2),
              help="Worlds to simulate (default: the scenario's experiment.runs).")
@SEED_OPTION
@SET_OPTION
@SAMPLING_OPTION
@JOBS_OPTION
@CHUNK_SIZE_OPTION
@click.option("--out", type=SafePath(file_okay=False, path_type=Path),
              help="Folder to write (default: results/<timestamp>-explain-<scenario>).")
@QUIET_OPTION
@JSON_OPTION
def explain_command(scenario: Path, portfolios: tuple[str, ...], runs: int | None,
                    seed: int | None, settings: tuple[str, ...], sampling: str | None,
                    jobs: int, chunk_size: int | None, out: Path | None,
                    allow_outside: bool, as_json: bool) -> None:
    """Decompose each option's effect on SCENARIO by causal channel.

    For each option in each portfolio and each of its parameters: the paired effect (same
    worlds, same draws) of switching that parameter off, on every headline outcome, with its
    90% CI. Prints each option's channels ranked by size in plain words; writes channels.csv,
    channels.parquet and manifest.json.
    """
    from axis_sim.experiment.explain import channels, plan_explanation, timed_explanation
    from axis_sim.experiment.output import DEFAULT_ROOT, write_explanation
    from axis_sim.experiment.plan import PlanTooLarge
    from axis_sim.experiment.runner import ChunkError
    from axis_sim.report.channels import channels_text
    from axis_sim.report.formatting import format_number

    spec = _scenario(scenario, settings, allow_outside=allow_outside)
    try:
        planned = plan_explanation(spec, portfolios=_portfolio_names(portfolios), runs=runs,
                                   seed=seed, sampling=sampling,  # type: ignore[arg-type]
                                   chunk_size=chunk_size)
    except PlanTooLarge as err:
        hint = "--chunk-size" if err.field == "chunk_size" else "--runs"
        raise click.BadParameter(str(err), param_hint=hint) from None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--portfolios") from None
    if not channels(planned):
        raise click.BadParameter("status quo has no channels to explain; name an option",
                                 param_hint="--portfolios")
    _output_root(out, DEFAULT_ROOT)
    try:
        with Progress(len(planned.chunks), "Simulating channels switched off",
                      worlds=planned.runs) as bar:
            table, made = timed_explanation(planned, jobs=jobs,
                                            progress=lambda _chunk: bar.update(1))
    except ChunkError as err:
        error(f"Error: {err}. Nothing was written.")
        sys.exit(1)
    folder = write_explanation(table, made, DEFAULT_ROOT, out)

    def text() -> str:
        return "\n".join([
            channels_text(spec, table),
            f"\n{format_number(made['runs'])} worlds × {made['channels']} channels "
            f"(+ {len(made['portfolios'])} portfolios) × {made['months']} months, seed "
            f"{made['seed']}, {made['wall_seconds']:.1f} s",
            f"Results:   {folder}/", f"Channels:  {folder / 'channels.csv'}"])

    _print_result(as_json, folder, {
        "channels_csv": str(folder / "channels.csv"), "manifest": str(folder / "manifest.json"),
        "scenario": spec.meta.name, "runs": made["runs"], "seed": made["seed"],
        "portfolios": list(made["portfolios"]), "channels": table.to_dict("records")}, text)


@main.command(epilog="""\b
Examples:
  axis-sim dashboard results/20261128-204501-baseline
  axis-sim dashboard results/...-baseline results/...-ukraine_ceasefire --out versus.html""")
@click.argument("results", nargs=-1, required=True,
                type=SafePath(file_okay=False, path_type=Path))
@click.option("--out", type=SafePath(dir_okay=False, path_type=Path),
              help="File to write (default: dashboard.html in the results folder; for two runs, "
                   "versus-<second folder>.html in the first).")
@JSON_OPTION
def dashboard(results: tuple[Path, ...], out: Path | None, as_json: bool) -> None:
    """Rebuild a run's dashboard from RESULTS, or compare two runs side by side.

    Nothing is simulated again: the page is made from the folder's tables and manifest.
    """
    from axis_sim.experiment.load import ResultsError, load_results
    from axis_sim.report.dashboard import write_dashboard
    from axis_sim.report.run_comparison import write_run_comparison

    if len(results) > 2:
        raise click.UsageError("give one results folder, or two to compare")
    path = out or (results[0] / "dashboard.html" if len(results) == 1 else
                   results[0] / f"versus-{results[1].resolve().name}.html")
    if out is not None:
        check_writable(out.parent, "--out")
    try:
        runs = [load_results(folder) for folder in results]
    except ResultsError as err:
        error(f"Error: {err}")
        sys.exit(2)
    if len(runs) == 1:
        write_dashboard(runs[0], path)
    else:
        write_run_comparison(runs[0], runs[1], path)
    if as_json:
        click.echo(json.dumps({"dashboard": str(path), "results": [str(r) for r in results]},
                              indent=2, ensure_ascii=False))
    else:
        click.echo(f"Dashboard: {path}")


@main.command(epilog="""\b
Examples:
  axis-sim score backtest_2022_02 2022_02_to_2023_08 --portfolio pursued
  axis-sim score scenarios/baseline.yaml my_questions.yaml --runs 5000 --jobs 2

\b
QUESTIONS is a file, or the name of a bundled question set (`axis-sim scenarios list`).""")
@SCENARIO_ARGUMENT
@click.argument("questions", type=ScenarioParam(questions=True))
@ALLOW_OUTSIDE_OPTION
@click.option("--portfolio", help="The one policy actually pursued in the questions' period "
              "(a portfolio name or 'a+b', not 'all'); default: status quo.")
@click.option("--runs", type=click.IntRange(min=10), help="Worlds (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0))
@JOBS_OPTION
@click.option("--out", type=SafePath(file_okay=False, path_type=Path),
              help="Folder for score.html, questions.csv and summary.json "
                   "(default: results/<timestamp>-score-<scenario>). A folder that already "
                   "holds a score report is refused, unless --force.")
@click.option("--force", is_flag=True,
              help="Replace the score report already in --out (each file atomically).")
@JSON_OPTION
@QUIET_OPTION
def score(scenario: Path, questions: Path, portfolio: str | None, runs: int | None,
          seed: int | None, jobs: int, out: Path | None, force: bool, as_json: bool,
          allow_outside: bool) -> None:
    """Score SCENARIO's forecasts against the resolved QUESTIONS (Brier, log score, CRPS,
    coverage, skill against two reference forecasts, a reliability diagram)."""
    from datetime import UTC, datetime

    from axis_sim.api import load_scenario
    from axis_sim.experiment.plan import PlanTooLarge
    from axis_sim.scoring import load_questions, render_score_text, write_score_report
    from axis_sim.scoring import score as score_forecasts
    from axis_sim.scoring.report import HTML_FILE, QUESTIONS_FILE, SUMMARY_FILE

    _report_folder(out, (HTML_FILE, QUESTIONS_FILE, SUMMARY_FILE), force)
    try:
        spec = load_scenario(scenario, allow_outside=allow_outside)
        question_set = load_questions(questions)
    except ScenarioError as err:
        _fail(err)
    if portfolio is not None:
        _one_portfolio(spec, portfolio)
    say(f"Scoring {spec.meta.name} against {len(question_set.questions)} questions "
        f"({questions.name})…")
    try:
        result = score_forecasts(spec, question_set, runs=runs, seed=seed, jobs=jobs,
                                 portfolio=[portfolio] if portfolio else None)
    except ScenarioError as err:
        _fail(err)
    except PlanTooLarge as err:  # refused before anything is simulated
        raise click.BadParameter(str(err), param_hint="--runs") from None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--portfolio") from None
    folder = out or Path("results") / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-score-{spec.meta.name}"
    say("Writing the score report…")
    _write_folder(folder, lambda into: write_score_report(result, spec, question_set, into))
    _print_result(as_json, folder, {"report": str(folder / "score.html"),
                                    "scenario": spec.meta.name, "questions": str(questions),
                                    "summary": result.summary},
                  lambda: f"{render_score_text(result)}\n\nReport: {folder / 'score.html'}")


@main.command("backtest", epilog="""\b
Examples:
  axis-sim backtest                         # every origin of the registry
  axis-sim backtest --runs 500 --jobs 2 --out results/backtest
  axis-sim backtest --origins my_origins.yaml --json""")
@click.option("--origins", "registry", type=SafePath(dir_okay=False, path_type=Path),
              help="The registry of origins: scenario, questions, portfolio pursued, held out "
                   "(default: questions/origins.yaml if the working directory has one, else "
                   "the bundled registry).")
@click.option("--runs", type=click.IntRange(min=10), help="Worlds per origin (default: each "
              "scenario's).")
@click.option("--seed", type=click.IntRange(min=0))
@JOBS_OPTION
@click.option("--out", type=SafePath(file_okay=False, path_type=Path),
              help="Folder for backtest.md, backtest.json and one score report per origin "
                   "(default: results/<timestamp>-backtest). A folder that already holds a "
                   "backtest is refused, unless --force.")
@click.option("--force", is_flag=True,
              help="Replace the backtest already in --out (each file atomically).")
@JSON_OPTION
@QUIET_OPTION
def backtest_cmd(registry: Path | None, runs: int | None, seed: int | None, jobs: int,
                 out: Path | None, force: bool, as_json: bool) -> None:
    """Score every backtest origin and report them together: pooled over the origins used for
    tuning, the held-out origins apart, each origin in full."""
    from datetime import UTC, datetime

    from axis_sim.experiment.plan import PlanTooLarge
    from axis_sim.scoring.backtest import (
        backtest,
        render_backtest_markdown,
        write_backtest_report,
    )

    _report_folder(out, ("backtest.md", "backtest.html", "backtest.json"), force)
    if registry is None:
        local = Path("questions") / "origins.yaml"
        registry = local if local.is_file() else bundled.registry()
    say(f"Backtest origins of {registry}…")
    try:
        result = backtest(registry, runs=runs, seed=seed, jobs=jobs)
    except ScenarioError as err:
        _fail(err)
    except PlanTooLarge as err:  # refused at the first origin, before it simulates
        raise click.BadParameter(str(err), param_hint="--runs") from None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--origins") from None
    folder = out or Path("results") / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-backtest"
    say("Writing the backtest report…")
    _write_folder(folder, lambda into: write_backtest_report(result, into))
    _print_result(as_json, folder, {"report": str(folder / "backtest.md"),
                                    "registry": str(registry), **result.summary()},
                  lambda: f"{render_backtest_markdown(result)}\nReport: "
                          f"{folder / 'backtest.md'} (and one score.html per origin)")


def _one_portfolio(spec: Scenario, portfolio: str) -> None:
    """`score --portfolio`: exactly one portfolio (the policy pursued), or a usage error."""
    from axis_sim.scenario.portfolios import resolve_portfolios
    from axis_sim.scenario.schema import STATUS_QUO

    try:
        named = [p for p in resolve_portfolios(spec, [portfolio]) if p != STATUS_QUO]
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--portfolio") from None
    if len(named) > 1 or "," in portfolio:
        raise click.BadParameter(
            f"{portfolio!r} names {len(named)} portfolios; a score is of the one policy "
            "actually pursued: give one (e.g. --portfolio sanctions_listing+warn_beijing), "
            "and score others in turn", param_hint="--portfolio")


def _report_folder(folder: Path | None, files: tuple[str, ...], force: bool) -> None:
    """Before any work: refuse an --out that already holds one of the report's `files`
    (unless `force`), and check it (or, without --out, `results/`) can be written."""
    if folder is None:
        check_writable(Path("results"), "--out")
        return
    found = [name for name in files if (folder / name).exists()]
    if found and not force:
        raise click.BadParameter(f"{folder} already holds {found[0]}; choose another folder, "
                                 "or pass --force to replace it", param_hint="--out")
    check_writable(folder.parent if not folder.exists() else folder, "--out")


def _write_folder(folder: Path, write: Callable[[Path], object]) -> None:
    """Write a report into `folder` all or nothing: a new folder is written beside and renamed
    into place when complete; an existing one (`--force`) has each file replaced atomically."""
    from axis_sim.io import atomic_folder

    if folder.exists():
        write(folder)
        return
    with atomic_folder(folder) as partial:
        write(partial)


def _print_result(as_json: bool, folder: Path, data: dict[str, Any],
                  text: Callable[[], str]) -> None:
    """`score` and `backtest` on stdout: JSON (`results` first), the folder alone (--quiet),
    or the text report."""
    from axis_sim.console import is_quiet
    from axis_sim.scoring.report import json_ready

    if as_json:
        click.echo(json.dumps(json_ready({"results": str(folder), **data}), indent=2,
                              allow_nan=False, ensure_ascii=False))
    elif is_quiet():
        click.echo(folder)
    else:
        click.echo(text())


@main.command(epilog="""\b
Examples:
  axis-sim validate my_variant.yaml
  axis-sim validate scenarios/*.yaml
  axis-sim validate baseline               a bundled scenario, by name""")
@click.argument("files", nargs=-1, required=True, type=ScenarioParam(strict=False))
@ALLOW_OUTSIDE_OPTION
def validate(files: tuple[Path, ...], allow_outside: bool) -> None:
    """Check scenario FILES; print every problem with file:line:column; exit 2 if any."""
    from axis_sim.api import load_scenario
    from axis_sim.scenario.checks import late_items

    failed = False
    for path in files:
        try:
            spec = load_scenario(path, allow_outside=allow_outside)
        except ScenarioError as err:
            error(err)
            failed = True
            continue
        late = late_items(spec)
        note = (f"; in-sample: {len(late)} inherited items rest on evidence after as_of "
                f"{spec.meta.as_of}, e.g. {', '.join(f for f, _ in late[:3])}" if late else "")
        click.echo(f"{path}: ok ({spec.meta.name}, {spec.meta.start} + "
                   f"{spec.meta.horizon_months} months{note})")
    if failed:
        sys.exit(2)


@main.group(epilog="""\b
Examples:
  axis-sim scenarios list
  axis-sim scenarios show china_joins_axis
  axis-sim scenarios copy baseline my_baseline.yaml     edit it, then: axis-sim run my_baseline.yaml
  axis-sim scenarios copy backtest_2016_01 work/        with baseline.yaml and record_2015/""")
def scenarios() -> None:
    """The scenarios and question sets that ship with axis-sim.

    Every command that takes a SCENARIO accepts a bundled name (`axis-sim run baseline`); a
    file of that name in the working directory wins.
    """


@scenarios.command("list")
@click.option("--json", "as_json", is_flag=True, help="As JSON: kind, name, path, title.")
def scenarios_list(as_json: bool) -> None:
    """Each bundled scenario and question set: name, what it extends, title."""
    entries = bundled.catalogue()
    if as_json:
        click.echo(json.dumps([{"kind": e.kind, "name": e.name, "path": str(e.path),
                                "title": e.title, "extends": list(e.extends)}
                               for e in entries], indent=2, ensure_ascii=False))
        return
    width = max((len(e.name) for e in entries), default=0)
    for kind, heading in (("scenario", "Scenarios"), ("questions", "Question sets")):
        rows = [e for e in entries if e.kind == kind]
        if not rows:
            continue
        folder = rows[0].path.parent
        click.echo(f"{heading} ({folder}):")
        for e in rows:
            parents = f"  [extends {', '.join(e.extends)}]" if e.extends else ""
            click.echo(f"  {e.name:{width}s}  {e.title}{parents}")
        click.echo()
    click.echo("Run one by name: axis-sim run baseline.  Edit a copy: axis-sim scenarios copy "
               "NAME [DEST].")


def _bundled_file(name: str) -> Path:
    """A bundled scenario or question set by name; a usage error listing them otherwise."""
    found = bundled.find_scenario(name) or bundled.find_question_set(name)
    if found is None:
        raise click.BadParameter(
            f"no bundled scenario or question set called {name!r} (scenarios: "
            f"{', '.join(bundled.scenario_names())}; question sets: "
            f"{', '.join(bundled.question_set_names())})", param_hint="NAME")
    return found


def _complete_bundled(ctx: click.Context, param: click.Parameter,
                      incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(n) for n in (*bundled.scenario_names(), *bundled.question_set_names())
            if n.startswith(incomplete)]


@scenarios.command("show")
@click.argument("name", shell_complete=_complete_bundled)
@click.option("--path", "path_only", is_flag=True, help="Print only the file's path.")
def scenarios_show(name: str, path_only: bool) -> None:
    """Print bundled scenario or question set NAME as written (comments included)."""
    path = _bundled_file(name)
    if path_only:
        click.echo(path)
        return
    parents = bundled.extends_of(path) if bundled.find_scenario(name) else []
    if parents:
        click.echo(f"# {path} extends {', '.join(parents)}; `axis-sim scenarios copy "
                   f"{name}` copies them too.", err=True)
    click.echo(path.read_text(encoding="utf-8"), nl=False)


@scenarios.command("copy")
@click.argument("name", shell_complete=_complete_bundled)
@click.argument("dest", required=False, type=SafePath(path_type=str))
@click.option("--force", is_flag=True, help="Overwrite files that exist and differ.")
def scenarios_copy(name: str, dest: str | None, force: bool) -> None:
    """Copy bundled NAME to DEST to edit: a .yaml file, or a folder (default: NAME.yaml here).

    A scenario is copied with every file it `extends:`, at the same relative places, so the
    copy loads as it is; files already there with the same text are left alone.
    """
    from axis_sim.io import atomic_write_bytes

    source = _bundled_file(name)
    if dest is None:
        target = Path(source.name)
    elif (Path(dest).is_dir() or dest.endswith(("/", "\\"))
          or Path(dest).suffix not in bundled.SUFFIXES):
        target = Path(dest) / source.name  # a folder
    else:
        target = Path(dest)
    is_scenario = bundled.find_scenario(name) is not None
    files = bundled.with_parents(source) if is_scenario else [(source, Path(source.name))]
    plan = [(src, target.parent / (target.name if i == 0 else rel))
            for i, (src, rel) in enumerate(files)]
    clashes = [out for src, out in plan
               if out.exists() and out.read_bytes() != src.read_bytes()]
    if clashes and not force:
        verb = "exists and differs" if len(clashes) == 1 else "exist and differ"
        raise click.UsageError(f"{', '.join(map(str, clashes))} {verb}; choose another DEST "
                               "or pass --force")
    for src, out in plan:
        if out.exists() and out.read_bytes() == src.read_bytes():
            continue
        atomic_write_bytes(out, src.read_bytes())
        click.echo(f"Wrote {out}")
    if is_scenario:
        click.echo(f"Edit {target}, check it with `axis-sim validate {target}`, run it with "
                   f"`axis-sim run {target}`.")


@main.command(epilog="""\b
Example:
  axis-sim schema > scenario.schema.json""")
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    from axis_sim.scenario.schema import Scenario

    click.echo(json.dumps(Scenario.model_json_schema(), indent=2))


@main.command(epilog="""\b
Examples:
  axis-sim bench --quick                       smoke run, under a minute
  axis-sim bench --jobs 4 --json bench.json    default sizes, a few minutes
  axis-sim bench --full                        adds 10^6 worlds: needs ~11 GB of RAM
  axis-sim bench --scenario my_variant.yaml""")
@click.option("--quick", is_flag=True, help="Small sizes: a smoke run.")
@click.option("--full", is_flag=True, help="Default sizes plus 10^6 worlds and 200 single "
              "worlds (~5 min, ~11 GB).")
@click.option("--jobs", type=Jobs(), default=2, show_default=True,
              help="Worker processes for the parallel runs.")
@click.option("--json", "json_path", type=SafePath(dir_okay=False, path_type=Path),
              metavar="FILE", help="Also write every figure, the sizes and the machine here.")
@click.option("--scenario", type=ScenarioParam(), default="baseline", show_default=True,
              help="Scenario to run: a file, or a bundled scenario's name.")
def bench(quick: bool, full: bool, jobs: int, json_path: Path | None, scenario: Path) -> None:
    """Measure the model on this machine: batched against one world at a time, how cost grows
    with worlds, months and portfolios, the seminar lookahead, `--portfolios all`, peak memory.

    Every figure is a rate (world-months per second) or a ratio of two rates measured in the
    same run. The report goes to stdout, progress to stderr.
    """
    from axis_sim.benchmark import run_benchmarks

    if quick and full:
        raise click.UsageError("--quick and --full exclude each other")
    try:
        run_benchmarks("quick" if quick else "full" if full else "default", jobs=jobs,
                       scenario=scenario, json_path=json_path)
    except ScenarioError as err:
        _fail(err)


from axis_sim.experiment.clean import clean  # noqa: E402  (its own module: the runs' leftovers)
from axis_sim.seminar.commands import seminar  # noqa: E402  (its own module; one group)

main.add_command(seminar)
main.add_command(clean)
