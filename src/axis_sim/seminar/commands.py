"""`axis-sim seminar …`: the tabletop exercise's commands (one function per command).

Kept apart from `axis_sim/cli.py` so the seminar can grow (a game database, a web server)
without the main command line knowing. Heavy modules are imported inside each command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from axis_sim.cli_common import SCENARIO_ARGUMENT, fail
from axis_sim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from axis_sim.seminar.game import Game


SEMINAR_EPILOG = """\b
Example (a four-turn seminar with two human teams; China is played by the model):
  axis-sim seminar new baseline --game game.json \\
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


@click.group(epilog=SEMINAR_EPILOG)
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
@SCENARIO_ARGUMENT
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
        fail(err)
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


@seminar.command("serve")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 lets the room's laptops connect.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
def seminar_serve(game_file: Path, host: str, port: int) -> None:
    """Run the seminar in the browser: prints a join link per seat (facilitator, each team,
    projector) and serves GAME_FILE (a game database) until Ctrl+C.

    Example: axis-sim seminar serve room.db --host 0.0.0.0
    """
    import socket

    from axis_sim.seminar.game import GameError
    from axis_sim.seminar.server import serve

    try:  # a taken port is a one-line error here, not a server log after the links
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as err:
        click.echo(f"Error: cannot listen on {host}:{port} ({err.strerror or err})", err=True)
        sys.exit(2)
    try:
        serve(game_file, host=host, port=port, echo=click.echo)
    except GameError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(2)
