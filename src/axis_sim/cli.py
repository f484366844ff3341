"""The `axis-sim` command line: one function per command, nothing else."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from axis_sim.scenario.checks import late_items
from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from axis_sim.experiment.plan import Plan
    from axis_sim.experiment.results import RunResult
    from axis_sim.seminar.game import Game

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
  axis-sim compare scenarios/baseline.yaml --portfolios allied_package --explain
"""

EPILOG_EXPLAIN = """\b
Examples:
  axis-sim explain scenarios/baseline.yaml --runs 1000 --jobs 2
  axis-sim explain scenarios/baseline.yaml --portfolios sanctions_listing,allied_package
  axis-sim explain scenarios/baseline.yaml --set warn_beijing:intensity=0.5 --out results/why
"""


def _fail(err: ScenarioError) -> None:
    click.echo(str(err), err=True)
    sys.exit(2)


@click.group(epilog="""\b
Examples:
  axis-sim run scenarios/baseline.yaml        run the baseline, write results and a dashboard
  axis-sim compare scenarios/baseline.yaml    rank portfolios; write tables and a brief
  axis-sim explain scenarios/baseline.yaml    each option's effect by causal channel
  axis-sim dashboard results/<run>            rebuild a dashboard; two folders: compare runs
  axis-sim seminar --help                     run a tabletop exercise with human teams
  axis-sim score SCENARIO QUESTIONS           score forecasts against what happened
  axis-sim validate scenarios/*.yaml          check scenario files
  axis-sim schema > scenario.schema.json      JSON Schema for editors
  axis-sim bench --quick                      how fast the model runs on this machine""")
@click.version_option(package_name="axis-sim")
def main() -> None:
    """axis-sim: wargame US policy options against the Russia–DPRK military alignment."""


SCENARIO_ARGUMENT = click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
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
JOBS_OPTION = click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
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
        RUNS_OPTION,
        SEED_OPTION,
        click.option("--portfolios", "--options", "portfolios", multiple=True,
                     metavar="PORTFOLIOS",
                     help="Portfolios to compare with status quo, comma-separated: option ids, "
                          "named portfolios, 'a+b' combinations, or 'all' for all 32. Repeatable."),
        SET_OPTION,
        click.option("--weight", "weights", multiple=True, metavar="OUTCOME=WEIGHT",
                     help="Swing weight of a scored outcome (relative, normalised to sum 1; "
                          "it must keep the scenario's `outweighs:` judgements). Repeatable."),
        SAMPLING_OPTION,
        click.option("--until-precise", type=click.FloatRange(min=0, min_open=True),
                     metavar="SD",
                     help="Keep adding worlds until every headline difference from status quo "
                          "is known within ± SD standard deviations (90% interval)."),
        click.option("--max-runs", type=click.IntRange(min=1), default=100_000,
                     show_default=True, help="Most worlds --until-precise may run."),
        JOBS_OPTION,
        click.option("--sample-worlds", type=click.IntRange(min=0), metavar="N",
                     help="Worlds whose month-by-month values and event log are kept (default: "
                          "the scenario's experiment.sample_worlds, 200); summaries always "
                          "cover every world."),
        CHUNK_SIZE_OPTION,
        click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
                     show_default=True, help="Where chunks run: local processes, or Dask "
                     "distributed (pip install 'axis-sim[dask]')."),
        click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default "
                     "with --executor dask: a LocalCluster of --jobs workers)."),
        click.option("--explain", is_flag=True,
                     help="Also decompose each option's effect by causal channel, on the same "
                          "worlds (channels.csv; one more run per option parameter)."),
        click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                     help="Folder to write (default: results/<timestamp>-<scenario>)."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _experiment(scenario: Path, runs: int | None, seed: int | None,
                portfolios: tuple[str, ...], settings: tuple[str, ...],
                weights: tuple[str, ...], sampling: str | None, until_precise: float | None,
                max_runs: int, jobs: int, out: Path | None, chunk_size: int | None = None,
                sample_worlds: int | None = None, executor: str = "local",
                scheduler: str | None = None, explain: bool = False,
                sensitivity: str | None = None,
                sensitivity_samples: int | None = None) -> tuple[RunResult, Path]:
    """Load, adjust, run and write an experiment; every user error exits 2 with a message."""
    from axis_sim.api import run as run_experiment
    from axis_sim.experiment.output import DEFAULT_ROOT, write_results
    from axis_sim.experiment.plan import plan
    from axis_sim.experiment.store import ChunkStore

    spec = _scenario(scenario, settings, weights)
    names = _portfolio_names(portfolios)
    try:
        planned = plan(spec, runs=max_runs if until_precise else runs, portfolios=names,
                       seed=seed, sampling=sampling,  # type: ignore[arg-type]
                       chunk_size=chunk_size, sample_worlds=sample_worlds)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--portfolios") from None
    if out is not None and out.exists():
        raise click.BadParameter(f"{out} already exists", param_hint="--out")
    # Finished chunks are saved beside the results, so an interrupted run resumes.
    root = out.parent if out is not None else DEFAULT_ROOT
    store = None if until_precise else ChunkStore(root, planned)
    if store is not None and store.done():
        click.echo(f"Resuming: {store.done()} of {len(planned.chunks)} chunks already done.",
                   err=True)

    from axis_sim.experiment.runner import ChunkError

    try:
        with click.progressbar(length=len(planned.chunks), label="Simulating", file=sys.stderr,
                               hidden=not sys.stderr.isatty()) as bar:
            result = run_experiment(spec, runs=runs, options=names, seed=seed, jobs=jobs,
                                    sampling=sampling,  # type: ignore[arg-type]
                                    chunk_size=chunk_size, sample_worlds=sample_worlds,
                                    until_precise=until_precise, max_runs=max_runs,
                                    executor=executor, scheduler=scheduler,
                                    checkpoint=None if store is None else root, scratch=root,
                                    progress=lambda _chunk: bar.update(1))
        if explain:
            _explain_run(result, planned, jobs, executor, scheduler)
    except ChunkError as err:
        click.echo(f"Error: {err}. Nothing was written.", err=True)
        sys.exit(1)
    if sensitivity:
        from axis_sim.api import sensitivity as sensitivity_analysis

        click.echo(f"Sensitivity analysis ({sensitivity})…", err=True)
        result.sensitivity = sensitivity_analysis(
            spec, method=sensitivity, samples=sensitivity_samples,  # type: ignore[arg-type]
            options=names, seed=seed, jobs=jobs)
    folder = write_results(result, DEFAULT_ROOT, out)
    if store is not None:
        store.remove()
    return result, folder


def _scenario(path: Path, settings: tuple[str, ...],
              weights: tuple[str, ...] = ()) -> Scenario:
    """The scenario file with `--set` and `--weight` applied; errors exit 2 with a message."""
    from axis_sim.api import load_scenario
    from axis_sim.scenario.overrides import apply_overrides

    try:
        spec = load_scenario(path)
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

    click.echo("Explaining each option's channels…", err=True)
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
        click.echo(f"Precision target ±{significant(p['target'], 3)} SD {state} "
                   f"(widest ±{significant(p['reached'], 3)} SD)")
    click.echo(f"Results:   {folder}/")
    click.echo(f"Brief:     {folder / 'brief.md'}")
    click.echo(f"Dashboard: {folder / 'dashboard.html'}")
    if "channels_csv" in result.files:
        click.echo(f"Channels:  {folder / 'channels.csv'}")


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
    """Which portfolio on SCENARIO holds whatever the weights: rank acceptability, Pareto set.

    Prints the bottom line (the robust choice, or the trade-off the choice depends on), the
    rank acceptability over every weighting of the scored outcomes (SMAA-2), and the ranking
    by value over status quo at the scenario's swing weights, with regret and interactions.
    Writes the same files as `run` (acceptability.csv, central_weights.csv, pareto.csv,
    tradeoffs.csv, ranking.csv, interactions.csv, brief.md among them).
    """
    from axis_sim.report.table import ranking_text

    result, folder = _experiment(**kwargs)
    click.echo(ranking_text(result))
    _footer(result, folder)


@main.command("explain", epilog=EPILOG_EXPLAIN)
@SCENARIO_ARGUMENT
@click.option("--portfolios", "--options", "portfolios", multiple=True, metavar="PORTFOLIOS",
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
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write (default: results/<timestamp>-explain-<scenario>).")
def explain_command(scenario: Path, portfolios: tuple[str, ...], runs: int | None,
                    seed: int | None, settings: tuple[str, ...], sampling: str | None,
                    jobs: int, chunk_size: int | None, out: Path | None) -> None:
    """Decompose each option's effect on SCENARIO by causal channel.

    For each option in each portfolio and each of its parameters: the paired effect (same
    worlds, same draws) of switching that parameter off, on every headline outcome, with its
    90% CI. Prints each option's channels ranked by size in plain words; writes channels.csv,
    channels.parquet and manifest.json.
    """
    from axis_sim.experiment.explain import channels, plan_explanation, timed_explanation
    from axis_sim.experiment.output import DEFAULT_ROOT, write_explanation
    from axis_sim.experiment.runner import ChunkError
    from axis_sim.report.channels import channels_text
    from axis_sim.report.formatting import format_number

    spec = _scenario(scenario, settings)
    try:
        planned = plan_explanation(spec, portfolios=_portfolio_names(portfolios), runs=runs,
                                   seed=seed, sampling=sampling,  # type: ignore[arg-type]
                                   chunk_size=chunk_size)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--portfolios") from None
    if not channels(planned):
        raise click.BadParameter("status quo has no channels to explain; name an option",
                                 param_hint="--portfolios")
    if out is not None and out.exists():
        raise click.BadParameter(f"{out} already exists", param_hint="--out")
    try:
        with click.progressbar(length=len(planned.chunks), label="Simulating", file=sys.stderr,
                               hidden=not sys.stderr.isatty()) as bar:
            table, made = timed_explanation(planned, jobs=jobs,
                                            progress=lambda _chunk: bar.update(1))
    except ChunkError as err:
        click.echo(f"Error: {err}. Nothing was written.", err=True)
        sys.exit(1)
    folder = write_explanation(table, made, DEFAULT_ROOT, out)
    click.echo(channels_text(spec, table))
    click.echo(f"\n{format_number(made['runs'])} worlds × {made['channels']} channels "
               f"(+ {len(made['portfolios'])} portfolios) × {made['months']} months, seed "
               f"{made['seed']}, {made['wall_seconds']:.1f} s")
    click.echo(f"Results:   {folder}/")
    click.echo(f"Channels:  {folder / 'channels.csv'}")


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
  axis-sim score scenarios/backtest_2022_02.yaml \\
      questions/2022_02_to_2023_08.yaml --portfolio pursued
  axis-sim score scenarios/baseline.yaml my_questions.yaml --runs 5000 --jobs 2""")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("questions", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--portfolio", help="The policy actually pursued in the questions' period "
              "(a portfolio name or 'a+b'); default: status quo.")
@click.option("--runs", type=click.IntRange(min=10), help="Worlds (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0))
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for score.html, questions.csv and summary.json "
                   "(default: results/<timestamp>-score-<scenario>).")
def score(scenario: Path, questions: Path, portfolio: str | None, runs: int | None,
          seed: int | None, jobs: int, out: Path | None) -> None:
    """Score SCENARIO's forecasts against the resolved QUESTIONS (Brier, log score, CRPS,
    coverage, skill against two reference forecasts, a reliability diagram)."""
    from datetime import UTC, datetime

    from axis_sim.api import load_scenario
    from axis_sim.scoring import load_questions, render_score_text, write_score_report
    from axis_sim.scoring import score as score_forecasts

    try:
        spec, question_set = load_scenario(scenario), load_questions(questions)
    except ScenarioError as err:
        _fail(err)
    try:
        result = score_forecasts(spec, question_set, runs=runs, seed=seed, jobs=jobs,
                                 portfolio=[portfolio] if portfolio else None)
    except ScenarioError as err:
        _fail(err)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--portfolio") from None
    folder = out or Path("results") / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-score-{spec.meta.name}"
    write_score_report(result, spec, question_set, folder)
    click.echo(render_score_text(result))
    click.echo(f"\nReport: {folder / 'score.html'}")


@main.command("backtest", epilog="""\b
Examples:
  axis-sim backtest                         # every origin of questions/origins.yaml
  axis-sim backtest --runs 500 --jobs 2 --out results/backtest""")
@click.option("--origins", "registry", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("questions") / "origins.yaml", show_default=True,
              help="The registry of origins: scenario, questions, portfolio pursued, held out.")
@click.option("--runs", type=click.IntRange(min=10), help="Worlds per origin (default: each "
              "scenario's).")
@click.option("--seed", type=click.IntRange(min=0))
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for backtest.md, backtest.json and one score report per origin "
                   "(default: results/<timestamp>-backtest).")
def backtest_cmd(registry: Path, runs: int | None, seed: int | None, jobs: int,
                 out: Path | None) -> None:
    """Score every backtest origin and report them together: pooled over the origins used for
    tuning, the held-out origins apart, each origin in full."""
    from datetime import UTC, datetime

    from axis_sim.scoring.backtest import (
        backtest,
        render_backtest_markdown,
        write_backtest_report,
    )

    try:
        result = backtest(registry, runs=runs, seed=seed, jobs=jobs)
    except ScenarioError as err:
        _fail(err)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--origins") from None
    folder = out or Path("results") / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-backtest"
    write_backtest_report(result, folder)
    click.echo(render_backtest_markdown(result))
    click.echo(f"Report: {folder / 'backtest.md'} (and one score.html per origin)")


SEMINAR_EPILOG = """\b
Example (a four-turn seminar with two human teams; China is played by the model):
  axis-sim seminar new scenarios/baseline.yaml --game game.json \\
      --teams blue=US,ROK,Japan --teams red=Russia,DPRK
  axis-sim seminar menu game.json --team red
  axis-sim seminar move game.json --team blue --decide option:sanctions_listing=1 \\
      --why "cut the trains"
  axis-sim seminar move game.json --team red --decide DPRK.nuclear_test=no
  axis-sim seminar odds game.json
  axis-sim seminar adjudicate game.json
  axis-sim seminar lookahead game.json --team blue
  axis-sim seminar report game.json
  axis-sim seminar play game.json          (all of the above from one interactive menu)
"""


@main.group(epilog=SEMINAR_EPILOG)
def seminar() -> None:
    """Seminar (tabletop) exercises: human teams play some actors; the model plays the rest,
    adjudicates each turn in one world, and looks ahead on thousands."""


def _load_game(path: Path) -> Game:
    from axis_sim.seminar.game import GameError, load

    try:
        return load(path)
    except GameError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(2)


def _game_step(path: Path, step: Callable[[Game], Game]) -> Game:
    """Load, change and save a game; a GameError exits 2 and leaves the file untouched."""
    from axis_sim.seminar.game import GameError, save

    game = _load_game(path)
    try:
        game = step(game)
    except GameError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(2)
    save(game, path)
    return game


@seminar.command("new")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("more_teams", nargs=-1, metavar="[NAME=ACTOR,…]…")
@click.option("--game", "game_file", required=True, type=click.Path(dir_okay=False,
              path_type=Path), help="Game file to create.")
@click.option("--teams", "teams", multiple=True, metavar="NAME=ACTOR,…",
              help="A human team and the actors it plays; repeatable. Others: the model.")
@click.option("--turn-months", type=click.IntRange(1, 24), default=3, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), help="Default: the scenario's seed.")
def seminar_new(scenario: Path, more_teams: tuple[str, ...], game_file: Path,
                teams: tuple[str, ...], turn_months: int, seed: int | None) -> None:
    """Start a game on SCENARIO. Teams may also follow --teams without repeating it:
    --teams blue=US,ROK,Japan red=Russia,DPRK green=China."""
    from axis_sim.seminar.engine import new_game
    from axis_sim.seminar.game import GameError, parse_teams, save

    if game_file.exists():
        raise click.BadParameter(f"{game_file} already exists", param_hint="--game")
    try:
        specs = (*teams, *more_teams) or ("blue=US,ROK,Japan",)
        game = new_game(scenario, teams=parse_teams(specs),
                        seed=seed, turn_months=turn_months)
    except ScenarioError as err:
        _fail(err)
    except GameError as err:
        raise click.BadParameter(str(err), param_hint="--teams") from None
    save(game, game_file)
    played = ", ".join(f"{t}: {'/'.join(a)}" for t, a in game.teams.items())
    click.echo(f"Game {game_file}: {played}; {turn_months}-month turns from "
               f"{game.scenario['meta']['start']}.")


@seminar.command("menu")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--team", required=True)
def seminar_menu(game_file: Path, team: str) -> None:
    """List the decisions TEAM can take this turn."""
    from axis_sim.seminar.engine import menu
    from axis_sim.seminar.game import GameError

    try:
        choices = menu(_load_game(game_file), team)
    except GameError as err:
        raise click.BadParameter(str(err), param_hint="--team") from None
    for key, meaning in choices.items():
        click.echo(f"{key:32s} {meaning}")


@seminar.command("move")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--team", required=True)
@click.option("--decide", "decisions", multiple=True, required=True, metavar="DECISION=VALUE",
              help="e.g. option:warn_beijing=1, DPRK.posture=signalling. Repeatable.")
@click.option("--why", "rationale", default="", help="The team's rationale (for the report).")
def seminar_move(game_file: Path, team: str, decisions: tuple[str, ...], rationale: str) -> None:
    """Submit TEAM's moves for the coming turn."""
    from axis_sim.seminar.engine import submit
    from axis_sim.seminar.game import GameError

    def step(game: Game) -> Game:
        for item in decisions:
            key, eq, value = item.partition("=")
            if not eq:
                raise GameError(f"write DECISION=VALUE, got {item!r}")
            game = submit(game, team, key.strip(), value.strip(), rationale)
        return game

    game = _game_step(game_file, step)
    click.echo(f"{len(game.pending)} move(s) pending for turn {len(game.turns) + 1}.")


@seminar.command("odds")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
def seminar_odds(game_file: Path) -> None:
    """Before the roll: the chance of each main event this turn, given the pending moves."""
    from axis_sim.seminar.engine import WATCHED_EVENTS, odds
    from axis_sim.seminar.game import GameError

    try:
        chances = odds(_load_game(game_file))
    except GameError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(2)
    for key, p in chances.items():
        click.echo(f"{p:6.0%}  {WATCHED_EVENTS[key]}")


@seminar.command("adjudicate")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--team", "team", help="Show only this team's briefing (default: everything).")
def seminar_adjudicate(game_file: Path, team: str | None) -> None:
    """Play the coming turn with the pending moves; print the injects."""
    from axis_sim.seminar.engine import adjudicate

    game = _game_step(game_file, adjudicate)
    _print_injects(game, team)


@seminar.command("override")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--decide", "decision", required=True, metavar="DECISION=VALUE")
@click.option("--reason", required=True, help="Why the umpire overrules the model (logged).")
def seminar_override(game_file: Path, decision: str, reason: str) -> None:
    """Replay the last turn with the umpire's ruling on one decision."""
    from axis_sim.seminar.engine import override

    key, _, value = decision.partition("=")
    game = _game_step(game_file, lambda g: override(g, key.strip(), value.strip(), reason))
    _print_injects(game, None)


@seminar.command("lookahead")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--team", required=True)
@click.option("--worlds", type=click.IntRange(min=10), default=2000, show_default=True)
def seminar_lookahead(game_file: Path, team: str, worlds: int) -> None:
    """Each of TEAM's candidate moves kept to the horizon, on the same forked worlds."""
    from axis_sim.report.formatting import format_number
    from axis_sim.seminar.engine import lookahead, scenario_of
    from axis_sim.seminar.game import GameError

    game = _load_game(game_file)
    try:
        table = lookahead(game, team, worlds=worlds)
    except GameError as err:
        raise click.BadParameter(str(err), param_hint="--team") from None
    scenario = scenario_of(game)
    for outcome, rows in table.groupby("outcome", sort=False):
        spec = scenario.outcomes[str(outcome)]
        click.echo(f"\n{spec.label} at the horizon ({spec.unit}; {spec.better} is better)")
        for r in rows.itertuples():
            click.echo(f"  {r.candidate:34s} {format_number(r.mean):>12s}   Δ "
                       f"{format_number(r.diff_mean)} [{format_number(r.diff_ci_low)}, "
                       f"{format_number(r.diff_ci_high)}]")


@seminar.command("status")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
def seminar_status(game_file: Path) -> None:
    """Where the game stands: month, teams, pending moves, last turn's outcomes."""
    from axis_sim.scenario.schema import month_label

    game = _load_game(game_file)
    start = game.scenario["meta"]["start"]
    click.echo(f"Turn {len(game.turns) + 1}, from {month_label(start, game.month)}; "
               + "; ".join(f"{t}: {'/'.join(a)}" for t, a in game.teams.items()))
    for m in game.pending:
        click.echo(f"  pending  {m.team}: {m.decision} = {m.value}"
                   + (f"  ({m.rationale})" if m.rationale else ""))
    if game.turns:
        last = game.turns[-1]
        for key in ("munitions_shipped", "cooperation_level", "lethal_incidents",
                    "nuclear_test", "china_alignment"):
            if key in last.outcomes:
                click.echo(f"  {key:22s} {last.outcomes[key]:,.3g}")


@seminar.command("undo")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
def seminar_undo(game_file: Path) -> None:
    """Take back the last turn (its moves become pending again)."""
    from axis_sim.seminar.engine import undo

    game = _game_step(game_file, undo)
    click.echo(f"Back to turn {len(game.turns) + 1}; {len(game.pending)} move(s) pending.")


@seminar.command("report")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the report (default: the game file's folder).")
def seminar_report(game_file: Path, out: Path | None) -> None:
    """Write the after-action report, GAME-after_action.html and .md, next to the game file.

    Example: axis-sim seminar report games/korea.json --out handouts/
    """
    from axis_sim.seminar.report import write_report

    markdown, page = write_report(_load_game(game_file), out or game_file.resolve().parent,
                                  game_file.stem)
    click.echo(f"Report: {page}\nMinutes: {markdown}")


@seminar.command("play")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
def seminar_play(game_file: Path) -> None:
    """An interactive menu for a facilitator at one terminal."""
    from axis_sim.seminar.game import GameError
    from axis_sim.seminar.play import play

    try:
        play(game_file)
    except GameError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(2)


def _print_injects(game: Game, team: str | None) -> None:
    last = game.turns[-1]
    for who, lines in last.injects.items():
        if team and who != team:
            continue
        click.echo(f"\n— {who} —")
        for line in lines:
            click.echo(f"  {line}")


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
        late = late_items(spec)
        note = (f"; in-sample: {len(late)} inherited items rest on evidence after as_of "
                f"{spec.meta.as_of}, e.g. {', '.join(f for f, _ in late[:3])}" if late else "")
        click.echo(f"{path}: ok ({spec.meta.name}, {spec.meta.start} + "
                   f"{spec.meta.horizon_months} months{note})")
    if failed:
        sys.exit(2)


@main.command(epilog="""\b
Example:
  axis-sim schema > scenario.schema.json""")
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    click.echo(json.dumps(Scenario.model_json_schema(), indent=2))


@main.command(epilog="""\b
Examples:
  axis-sim bench --quick                       smoke run, under a minute
  axis-sim bench --jobs 4 --json bench.json    default sizes, a few minutes
  axis-sim bench --full                        adds 10^6 worlds: needs ~11 GB of RAM
  axis-sim bench --scenario path/to/axis-sim/scenarios/baseline.yaml""")
@click.option("--quick", is_flag=True, help="Small sizes: a smoke run.")
@click.option("--full", is_flag=True, help="Default sizes plus 10^6 worlds and 200 single "
              "worlds (~5 min, ~11 GB).")
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True,
              help="Worker processes for the parallel runs.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Also write every figure, the sizes and the machine here.")
@click.option("--scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default="scenarios/baseline.yaml", show_default=True,
              help="Scenario to run, relative to the working directory: scenarios are not "
                   "installed with the package, so run from a checkout or give a path.")
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
