"""`axis-sim seminar …`: the tabletop exercise's commands, all on one game database.

Every command opens the game database (`seminar/store.py`), and every change goes through
`GameStore.update`: the head is read, changed and stored as a new version in one transaction,
so commands typed in several terminals (or a command while `seminar serve` runs) never
overwrite each other, and `history`/`restore` can go back to any earlier state.

Old JSON game files (before the database) are not opened in place: `seminar import OLD.json
--game NEW.db` brings a current-format game in; a version-1 file is refused with that said,
because its turns were played under rules the engine no longer has. `seminar export` writes
one state back out as JSON (for archiving; it holds no seat tokens).

Kept apart from `axis_sim/cli.py` so the seminar can grow without the main command line
knowing. Heavy modules are imported inside each command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from axis_sim.cli_common import SCENARIO_ARGUMENT, fail
from axis_sim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from axis_sim.seminar.game import Game
    from axis_sim.seminar.store import GameStore

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
FACILITATOR = "facilitator"
MAX_IMPORT_BYTES = 256 * 2**20  # far above a finished game (about 0.5 MB for 12 turns)

SEMINAR_EPILOG = """\b
Example (a seminar with two human teams; China is played by the model):
  axis-sim seminar new baseline --game room.db \\
      --teams blue=US,ROK,Japan --teams red=Russia,DPRK
  axis-sim seminar serve room.db              (the room plays in browsers), or by command:
  axis-sim seminar menu room.db --team red
  axis-sim seminar move room.db --team blue --decide option:sanctions_listing=1 \\
      --why "cut the trains"
  axis-sim seminar move room.db --team red --decide DPRK.nuclear_test=no
  axis-sim seminar ready room.db --team red
  axis-sim seminar odds room.db
  axis-sim seminar adjudicate room.db
  axis-sim seminar rule room.db --event ceasefire=no --reason "the talks collapsed"
  axis-sim seminar lookahead room.db --team blue
  axis-sim seminar history room.db
  axis-sim seminar report room.db
  axis-sim seminar play room.db               (all of the above from one interactive menu)
"""

GAME_ARGUMENT = click.argument("game_file", metavar="GAME",
                               type=click.Path(dir_okay=False, path_type=Path))


@click.group(epilog=SEMINAR_EPILOG)
def seminar() -> None:
    """Seminar (tabletop) exercises: human teams play some actors; the model plays the rest,
    adjudicates each turn in one world, and looks ahead on thousands. A game is one database
    file (GAME) keeping every state it has been in."""


# --- shared plumbing -----------------------------------------------------------------------------


@contextmanager
def _plain_errors() -> Iterator[None]:
    """A GameError (bad input, damaged game, wrong turn) is one line on stderr and exit 2."""
    from pydantic import ValidationError

    from axis_sim.seminar.game import GameError

    try:
        yield
    except GameError as err:
        click.echo(f"Error: {_one_line(err)}", err=True)
        sys.exit(2)
    except ScenarioError as err:
        fail(err)
    except ValidationError as err:  # a value the game's records refuse, not caught earlier
        first = err.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        click.echo(f"Error: {_one_line(where + ': ' + first['msg'])}", err=True)
        sys.exit(2)


def _one_line(text: object, limit: int = 2000) -> str:
    """`text` on one line (whitespace squeezed), at most `limit` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 3] + "..."


def _open(path: Path) -> GameStore:
    from axis_sim.seminar.store import GameStore

    return GameStore(path)


def _head(path: Path) -> Game:
    """The game as it stands (validated), or exit 2 with why not and how to go back."""
    with _plain_errors():
        return _open(path).head()[1]
    raise AssertionError  # unreachable: _plain_errors exits


def _change(path: Path, change: Callable[[Game], Game], *, who: str, action: str
            ) -> tuple[int, Game]:
    """Apply `change` to the head in one transaction (a GameError exits 2, nothing stored)."""
    with _plain_errors():
        return _open(path).update(change, who=who, action=action)
    raise AssertionError


def _decision_value(item: str, option: str) -> tuple[str, str]:
    from axis_sim.seminar.game import GameError

    key, eq, value = item.partition("=")
    if not eq or not key.strip():
        raise GameError(f"{option}: write DECISION=VALUE, got {item!r}")
    return key.strip(), value.strip()


def _print_links(store: GameStore, host: str, port: int) -> None:
    from axis_sim.seminar.store import join_links

    click.echo(f"Join links (with `axis-sim seminar serve {store.path} --host {host} --port "
               f"{port}` running):")
    for seat, url in join_links(store, host, port):
        who = f"team {seat.team}" if seat.role == "team" else seat.role
        click.echo(f"  {who:18s} {url}")


def _print_briefing(game: Game, who: str) -> None:
    """One briefing of the last turn, section by section (nobody else's)."""
    from axis_sim.seminar.briefing import as_text

    turn = game.turns[-1]
    click.echo(f"— turn {turn.number}: briefing for {who} —")
    for line in as_text(turn.briefings.get(who, {})):
        click.echo(line)


def _print_orders(game: Game, team: str | None) -> None:
    from axis_sim.seminar.report import value_text

    orders = [o for o in game.orders if team is None or o.team == team]
    if not orders:
        click.echo("  no order in force (the model's doctrine decides)")
    for o in orders:
        once = " (once, this turn)" if o.per == "turn" else ""
        why = f"  — {o.rationale}" if o.rationale else ""
        click.echo(f"  {o.team}: {o.decision} = {value_text(o.value)}{once}, since turn "
                   f"{o.since_turn}{why}")


# --- creating and opening ------------------------------------------------------------------------


@seminar.command("new")
@SCENARIO_ARGUMENT
@click.argument("more_teams", nargs=-1, metavar="[NAME=ACTOR,…]…")
@click.option("--game", "game_file", required=True, type=click.Path(dir_okay=False,
              path_type=Path), help="Game database to create (e.g. room.db).")
@click.option("--teams", "teams", multiple=True, metavar="NAME=ACTOR,…",
              help="A human team and the actors it plays; repeatable. Others: the model.")
@click.option("--turn-months", type=click.IntRange(1, 24), default=3, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), help="Default: the scenario's seed.")
@click.option("--matrix", is_flag=True, help="Matrix-game turns (arguments, odds, dice).")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Host the join links name (as `seminar serve` will listen).")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
def seminar_new(scenario: Path, more_teams: tuple[str, ...], game_file: Path,
                teams: tuple[str, ...], turn_months: int, seed: int | None, matrix: bool,
                host: str, port: int) -> None:
    """Start a game on SCENARIO in a new database and print each seat's join link.
    Teams may also follow --teams without repeating it:
    --teams blue=US,ROK,Japan red=Russia,DPRK green=China."""
    from axis_sim.seminar.engine import new_game
    from axis_sim.seminar.game import GameError, parse_teams
    from axis_sim.seminar.store import GameStore

    if game_file.exists():
        raise click.BadParameter(f"{game_file} already exists", param_hint="--game")
    try:
        specs = (*teams, *more_teams) or ("blue=US,ROK,Japan",)
        parsed = parse_teams(specs)
    except GameError as err:
        raise click.BadParameter(str(err), param_hint="--teams") from None
    with _plain_errors():
        game = new_game(scenario, teams=parsed, seed=seed, turn_months=turn_months,
                        matrix=matrix)
        store = GameStore.create(game_file, game)
    played = ", ".join(f"{t}: {'/'.join(a)}" for t, a in game.teams.items())
    click.echo(f"Game {game_file}: {played}; {turn_months}-month turns from "
               f"{game.scenario['meta']['start']}.")
    _print_links(store, host, port)


@seminar.command("links")
@GAME_ARGUMENT
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
def seminar_links(game_file: Path, host: str, port: int) -> None:
    """Print each seat's join link again (the tokens live only in the database)."""
    with _plain_errors():
        store = _open(game_file)
        store.head()  # checked as every other command checks it: no links to a broken game
        _print_links(store, host, port)


@seminar.command("import")
@click.argument("json_file", metavar="JSON", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--game", "game_file", required=True, type=click.Path(dir_okay=False,
              path_type=Path), help="Game database to create.")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
def seminar_import(json_file: Path, game_file: Path, host: str, port: int) -> None:
    """Bring a game saved as JSON (by `seminar export`) into a new database. Version-1 game
    files, from before standing orders, are refused: replay them with `seminar new`."""
    from axis_sim.seminar.game import GameError
    from axis_sim.seminar.store import GameStore, parse_game

    with _plain_errors():
        if game_file.exists():
            raise GameError(f"{game_file} already exists; choose another name for the database")
        if not json_file.is_file():  # a FIFO would block the read forever
            raise GameError(f"{json_file}: no such file (or not a regular file)")
        if json_file.stat().st_size > MAX_IMPORT_BYTES:
            raise GameError(f"{json_file}: larger than {MAX_IMPORT_BYTES // 2**20} MB, not a "
                            f"game")
        try:
            raw = json_file.read_bytes()
        except OSError as err:
            raise GameError(f"{json_file}: cannot be read ({err.strerror or err})") from None
        if b'"version": 1' in raw[:4096] or b'"version":1' in raw[:4096]:
            raise GameError(f"{json_file}: a version-1 game file (moves lapsed after one "
                            f"turn); its turns cannot be continued under standing orders: "
                            f"start a new game with `axis-sim seminar new` and replay them")
        game = parse_game(raw, str(json_file))
        store = GameStore.create(game_file, game, action=f"imported from {json_file.name}")
    click.echo(f"Game {game_file}: imported {json_file} at turn {game.next_turn}.")
    _print_links(store, host, port)


@seminar.command("export")
@GAME_ARGUMENT
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file to write (refused if it exists).")
@click.option("--version", "version", type=click.IntRange(min=1),
              help="Which stored version (default: the head).")
def seminar_export(game_file: Path, out: Path, version: int | None) -> None:
    """Write one state of the game as JSON (no seat tokens), e.g. for an archive."""
    from axis_sim.io import atomic_write_text
    from axis_sim.seminar.game import GameError

    with _plain_errors():
        if out.exists():
            raise GameError(f"{out} already exists")
        store = _open(game_file)
        game = store.head()[1] if version is None else store.at(version)
        try:
            atomic_write_text(out, game.model_dump_json(indent=1) + "\n")
        except OSError as err:
            raise GameError(f"{out}: cannot be written ({err.strerror or err})") from None
    click.echo(f"Wrote {out}.")


# --- teams' orders -------------------------------------------------------------------------------


@seminar.command("menu")
@GAME_ARGUMENT
@click.option("--team", required=True)
def seminar_menu(game_file: Path, team: str) -> None:
    """List the decisions TEAM can take now, and those it cannot, with why."""
    from axis_sim.seminar.engine import menu, unavailable

    game = _head(game_file)
    with _plain_errors():
        choices, gone = menu(game, team), unavailable(game, team)
    for key, meaning in choices.items():
        click.echo(f"{key:32s} {meaning}")
    for key, why in gone.items():
        click.echo(f"{key:32s} not now: {why}")


@seminar.command("move")
@GAME_ARGUMENT
@click.option("--team", required=True)
@click.option("--decide", "decisions", multiple=True, required=True, metavar="DECISION=VALUE",
              help="e.g. option:warn_beijing=1, DPRK.posture=signalling. Repeatable.")
@click.option("--why", "rationale", default="", help="The team's rationale (for the report).")
def seminar_move(game_file: Path, team: str, decisions: tuple[str, ...], rationale: str) -> None:
    """Give TEAM's standing orders: each holds until changed or withdrawn (a once-a-turn
    decision, such as an ICBM launch, applies in the coming turn only)."""
    from axis_sim.seminar.engine import submit

    def change(game: Game) -> Game:
        for item in decisions:
            game = submit(game, team, *_decision_value(item, "--decide"), rationale)
        return game

    _, game = _change(game_file, change, who=f"team {team}",
                      action=f"orders: {', '.join(decisions)}")
    click.echo(f"Orders of {team} in force from turn {game.next_turn}:")
    _print_orders(game, team)


@seminar.command("withdraw")
@GAME_ARGUMENT
@click.option("--team", required=True)
@click.option("--decision", "keys", multiple=True, required=True, metavar="DECISION",
              help="The order to withdraw (back to doctrine). Repeatable.")
def seminar_withdraw(game_file: Path, team: str, keys: tuple[str, ...]) -> None:
    """Withdraw TEAM's standing orders: those actors go back to the model's doctrine."""
    from axis_sim.seminar.engine import withdraw

    def change(game: Game) -> Game:
        for key in keys:
            game = withdraw(game, team, key)
        return game

    _, game = _change(game_file, change, who=f"team {team}",
                      action=f"withdrew: {', '.join(keys)}")
    click.echo(f"Orders of {team} in force:")
    _print_orders(game, team)


@seminar.command("ready")
@GAME_ARGUMENT
@click.option("--team", required=True)
@click.option("--not", "not_ready", is_flag=True, help="Take back 'orders done'.")
def seminar_ready(game_file: Path, team: str, not_ready: bool) -> None:
    """TEAM says its orders for the coming turn are done (or, with --not, not yet)."""
    from axis_sim.seminar.engine import mark_ready

    _, game = _change(game_file, lambda g: mark_ready(g, team, not not_ready),
                      who=f"team {team}", action="not ready" if not_ready else "ready")
    waiting = [t for t in game.teams if t not in game.ready]
    click.echo(f"Ready: {', '.join(game.ready) or 'nobody'}; waiting for: "
               f"{', '.join(waiting) or 'nobody'}.")


@seminar.command("approve")
@GAME_ARGUMENT
@click.option("--team", required=True)
@click.option("--decision", required=True, metavar="DECISION")
@click.option("--reason", required=True, help="Why the umpire lets it past the model's rule.")
def seminar_approve(game_file: Path, team: str, decision: str, reason: str) -> None:
    """The umpire lets TEAM's order on DECISION past a model rule (logged with the reason)."""
    from axis_sim.seminar.engine import approve_exception

    _change(game_file, lambda g: approve_exception(g, team, decision, reason),
            who=FACILITATOR, action=f"exception for {team}'s {decision}: {reason}")
    click.echo(f"Approved: {team}'s {decision} goes past the model's rule ({reason}).")


@seminar.command("phase")
@GAME_ARGUMENT
@click.argument("phase", type=click.Choice(["orders", "adjudication", "debrief"]))
@click.option("--minutes", type=float,
              help="A timer for the phase, in minutes (the engine's bounds; it says them).")
def seminar_phase(game_file: Path, phase: str, minutes: float | None) -> None:
    """Move the game to PHASE, with an optional timer the seats see."""
    from axis_sim.seminar.engine import set_phase

    _, game = _change(game_file, lambda g: set_phase(g, phase, minutes), who=FACILITATOR,
                      action=f"phase {phase}")
    click.echo(f"Phase: {game.phase}" + (f", until {game.deadline}." if game.deadline else "."))


# --- the umpire's turn ---------------------------------------------------------------------------


@seminar.command("odds")
@GAME_ARGUMENT
@click.option("--worlds", type=click.IntRange(10, 100_000), default=500, show_default=True)
def seminar_odds(game_file: Path, worlds: int) -> None:
    """Before the roll (for the umpire): the chance of each main event this turn with the
    orders in force, beside doing nothing, and what drives it."""
    from axis_sim.seminar.engine import WATCHED_EVENTS, odds_report

    game = _head(game_file)
    with _plain_errors():
        report = odds_report(game, worlds)
    click.echo(f"{'orders':>7s} {'doctrine':>9s}")
    for key, p in report["odds"].items():
        click.echo(f"{p:7.0%} {report['odds_doctrine'][key]:9.0%}  {WATCHED_EVENTS[key]}")
    for lines in report["drivers"].values():
        for line in lines:
            click.echo(f"  {line}")


@seminar.command("adjudicate")
@GAME_ARGUMENT
@click.option("--team", "team", help="Print this team's briefing instead of the facilitator's.")
def seminar_adjudicate(game_file: Path, team: str | None) -> None:
    """Play the coming turn with the orders in force; print the facilitator's briefing (or,
    with --team, only that team's: the one to hand over)."""
    from axis_sim.seminar.engine import adjudicate

    if team is not None:  # refuse an unknown team before rolling the dice
        game = _head(game_file)
        if team not in game.teams:
            _usage_error(f"unknown team {team!r}; teams: {', '.join(game.teams)}")
    _, game = _change(game_file, adjudicate, who=FACILITATOR, action="adjudicate")
    _print_briefing(game, team or FACILITATOR)


def _usage_error(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@seminar.command("rule")
@GAME_ARGUMENT
@click.option("--decision", "decision", metavar="DECISION=VALUE",
              help="Rule a decision: e.g. DPRK.nuclear_test=yes, option:warn_beijing=0.")
@click.option("--event", "event", metavar="EVENT=yes|no",
              help="Rule a chance event: e.g. ceasefire=no, icbm_failure=yes.")
@click.option("--reason", required=True, help="Why the umpire rules so (in the report).")
def seminar_rule(game_file: Path, decision: str | None, event: str | None, reason: str) -> None:
    """The umpire's ruling on a decision or a chance event of the last turn: the turn is
    replayed with it, and the model's own result is kept beside it."""
    from axis_sim.seminar.engine import rule

    if (decision is None) == (event is None):
        _usage_error("give one of --decision DECISION=VALUE or --event EVENT=yes|no")
    kind, item = ("decision", decision) if decision is not None else ("event", event)
    with _plain_errors():
        key, value = _decision_value(str(item), f"--{kind}")
    _, game = _change(game_file, lambda g: rule(g, kind, key, value, reason), who=FACILITATOR,
                      action=f"ruling on {kind} {key} = {value}: {reason}")
    _print_briefing(game, FACILITATOR)


@seminar.command("override", hidden=True)
@GAME_ARGUMENT
@click.option("--decide", "decision", required=True, metavar="DECISION=VALUE")
@click.option("--reason", required=True)
@click.pass_context
def seminar_override(ctx: click.Context, game_file: Path, decision: str, reason: str) -> None:
    """The version-1 name of `rule --decision`."""
    ctx.invoke(seminar_rule, game_file=game_file, decision=decision, event=None, reason=reason)


@seminar.command("undo")
@GAME_ARGUMENT
def seminar_undo(game_file: Path) -> None:
    """Take back the last turn (kept for the report; its orders are in force again)."""
    from axis_sim.seminar.engine import undo

    version, game = _change(game_file, undo, who=FACILITATOR, action="undo")
    click.echo(f"Back to turn {game.next_turn}; {len(game.orders)} order(s) in force "
               f"(version {version}; `seminar restore --version {version - 1}` would redo).")


@seminar.command("lookahead")
@GAME_ARGUMENT
@click.option("--team", required=True)
@click.option("--worlds", type=click.IntRange(10, 100_000), default=2000, show_default=True)
@click.option("--save", is_flag=True, help="Keep the table in the game (a what-if in the report).")
def seminar_lookahead(game_file: Path, team: str, worlds: int, save: bool) -> None:
    """TEAM's candidate orders held to the horizon on the same forked worlds, scored by the
    team's own side's objectives."""
    from axis_sim.report.formatting import format_number
    from axis_sim.seminar.engine import lookahead, save_lookahead, scenario_of

    game = _head(game_file)
    with _plain_errors():
        table = lookahead(game, team, worlds=worlds)
        if save:
            _open(game_file).update(lambda g: save_lookahead(g, team, table), who=f"team {team}",
                                    action="saved a lookahead")
    scenario = scenario_of(game)
    for outcome, rows in table.groupby("outcome", sort=False):
        spec = scenario.outcomes[str(outcome)]
        better = rows["better"].iloc[0] if "better" in rows else spec.better
        click.echo(f"\n{spec.label} at the horizon ({spec.unit}; {team} wants it {better})")
        for r in rows.itertuples():
            click.echo(f"  {r.candidate:34s} {format_number(r.mean):>12s}   Δ "
                       f"{format_number(r.diff_mean)} [{format_number(r.diff_ci_low)}, "
                       f"{format_number(r.diff_ci_high)}]")


# --- matrix-game turns ---------------------------------------------------------------------------


@seminar.command("argue")
@GAME_ARGUMENT
@click.option("--team", required=True)
@click.option("--action", required=True, help="What the team does.")
@click.option("--argument", "reasons", multiple=True, required=True,
              help="A reason it would work; repeatable.")
@click.option("--event", help="A watched event whose model odds guide the umpire.")
def seminar_argue(game_file: Path, team: str, action: str, reasons: tuple[str, ...],
                  event: str | None) -> None:
    """Matrix-game turn: TEAM states an action and the arguments for it."""
    from axis_sim.seminar.matrix import argue

    _, game = _change(game_file, lambda g: argue(g, team, action, list(reasons), event),
                      who=f"team {team}", action=f"argues: {action}")
    click.echo(f"Argument {game.arguments[-1].id} of {team}: {action}")


@seminar.command("counter")
@GAME_ARGUMENT
@click.option("--team", required=True)
@click.option("--id", "argument_id", required=True, type=click.IntRange(min=1))
@click.option("--text", required=True, help="The counter-argument.")
def seminar_counter(game_file: Path, team: str, argument_id: int, text: str) -> None:
    """Matrix-game turn: TEAM counters another team's argument."""
    from axis_sim.seminar.matrix import counter

    _change(game_file, lambda g: counter(g, team, argument_id, text), who=f"team {team}",
            action=f"counters argument {argument_id}")
    click.echo(f"Counter-argument of {team} to argument {argument_id} recorded.")


@seminar.command("set-odds")
@GAME_ARGUMENT
@click.option("--id", "argument_id", required=True, type=click.IntRange(min=1))
@click.option("--chance", type=click.FloatRange(0, 1),
              help="The umpire's odds (default: the model's, for a linked event).")
@click.option("--worlds", type=click.IntRange(10, 100_000), default=500, show_default=True)
def seminar_set_odds(game_file: Path, argument_id: int, chance: float | None,
                     worlds: int) -> None:
    """Matrix-game turn: the umpire sets an argument's odds, guided by the model's."""
    from axis_sim.seminar.briefing import percent_text
    from axis_sim.seminar.matrix import set_odds

    _, game = _change(game_file, lambda g: set_odds(g, argument_id, chance, worlds=worlds),
                      who=FACILITATOR, action=f"odds for argument {argument_id}")
    argument = next(a for a in game.arguments if a.id == argument_id)
    model = ("" if argument.model_odds is None
             else f" (the model's: {percent_text(argument.model_odds)})")
    click.echo(f"Argument {argument_id}: odds {percent_text(argument.odds)}{model}.")


@seminar.command("roll")
@GAME_ARGUMENT
@click.option("--id", "argument_id", required=True, type=click.IntRange(min=1))
def seminar_roll(game_file: Path, argument_id: int) -> None:
    """Matrix-game turn: roll the dice for an argument whose odds are set."""
    from axis_sim.seminar.matrix import roll

    _, game = _change(game_file, lambda g: roll(g, argument_id), who=FACILITATOR,
                      action=f"roll for argument {argument_id}")
    argument = next(a for a in game.arguments if a.id == argument_id)
    click.echo(f"Argument {argument_id}: rolled {argument.roll:.2f} against "
               f"{argument.odds:.2f}: {'success' if argument.success else 'failure'}.")


# --- where the game stands -----------------------------------------------------------------------


@seminar.command("status")
@GAME_ARGUMENT
@click.option("--team", help="Show only this team's orders.")
def seminar_status(game_file: Path, team: str | None) -> None:
    """Where the game stands: version, turn, phase, who is ready, orders in force, last
    turn's outcomes."""
    from axis_sim.scenario.schema import month_label

    with _plain_errors():
        version, game = _open(game_file).head()
    if team is not None and team not in game.teams:
        _usage_error(f"unknown team {team!r}; teams: {', '.join(game.teams)}")
    start = game.scenario["meta"]["start"]
    click.echo(f"Version {version}. Turn {game.next_turn}, from {month_label(start, game.month)}"
               f"; phase {game.phase}"
               + (f" until {game.deadline}" if game.deadline else "") + "; "
               + "; ".join(f"{t}: {'/'.join(a)}" for t, a in game.teams.items()))
    if team is None:
        waiting = [t for t in game.teams if t not in game.ready]
        click.echo(f"Ready: {', '.join(game.ready) or 'nobody'}; waiting for: "
                   f"{', '.join(waiting) or 'nobody'}.")
    click.echo("Orders in force:")
    _print_orders(game, team)
    if game.turns:
        last = game.turns[-1]
        for key in ("munitions_shipped", "cooperation_level", "lethal_incidents",
                    "nuclear_test", "china_alignment"):
            if key in last.outcomes:
                click.echo(f"  {key:22s} {last.outcomes[key]:,.3g}")


@seminar.command("history")
@GAME_ARGUMENT
def seminar_history(game_file: Path) -> None:
    """Every stored state: version, the one it came from, when, who, what; the head is
    marked, and a state that does not pass the checks is flagged."""
    from axis_sim.seminar.game import GameError

    with _plain_errors():
        store = _open(game_file)
        entries = store.history()
        head = store.head_if_any()  # the history is how one finds a version to restore
    if head is None:
        click.echo("No head version (damaged): `axis-sim seminar restore "
                   f"{game_file} --version N` makes version N the head again.")
    for e in entries:
        try:
            store.at(e.version)
            flag = ""
        except GameError:
            flag = "  [damaged: cannot be restored]"
        mark = "*" if e.version == head else " "
        parent = "-" if e.parent is None else str(e.parent)
        click.echo(f"{mark}{e.version:5d}  from {parent:>5s}  {e.when}  {e.who}: "
                   f"{_one_line(e.action, 120)}{flag}")


@seminar.command("restore")
@GAME_ARGUMENT
@click.option("--version", "version", required=True, type=click.IntRange(min=1))
@click.option("--reason", default="the facilitator went back", show_default=True)
def seminar_restore(game_file: Path, version: int, reason: str) -> None:
    """Make an earlier VERSION the current game again (a new version: nothing is lost)."""
    with _plain_errors():
        new, game = _open(game_file).restore(version, who=FACILITATOR, reason=reason)
    click.echo(f"Version {version} restored as version {new}: turn {game.next_turn}, "
               f"{len(game.orders)} order(s) in force.")


@seminar.command("fork")
@GAME_ARGUMENT
@click.option("--version", "version", type=click.IntRange(min=1),
              help="The state to fork from (default: the head).")
@click.option("--game", "new_file", required=True, type=click.Path(dir_okay=False,
              path_type=Path), help="The new game database.")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
def seminar_fork(game_file: Path, version: int | None, new_file: Path, host: str,
                 port: int) -> None:
    """Branch a new game from a state of this one (its history comes along; new seats)."""
    with _plain_errors():
        store = _open(game_file)
        forked = store.fork(version or store.head()[0], new_file)
    click.echo(f"Game {new_file} forked from {game_file} version "
               f"{version or 'head'}.")
    _print_links(forked, host, port)


@seminar.command("report")
@GAME_ARGUMENT
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the report (default: the game file's folder).")
def seminar_report(game_file: Path, out: Path | None) -> None:
    """Write the after-action report, GAME-after_action.html and .md, next to the game.

    Example: axis-sim seminar report games/korea.db --out handouts/
    """
    from axis_sim.seminar.game import GameError
    from axis_sim.seminar.report import write_report

    game = _head(game_file)
    with _plain_errors():
        try:
            markdown, page = write_report(game, out or game_file.resolve().parent,
                                          game_file.stem)
        except OSError as err:
            raise GameError(f"cannot write the report ({err.strerror or err})") from None
    click.echo(f"Report: {page}\nMinutes: {markdown}")


@seminar.command("play")
@GAME_ARGUMENT
def seminar_play(game_file: Path) -> None:
    """An interactive menu for a facilitator at one terminal (other terminals and the browser
    seats may change the game meanwhile: every command reads it afresh)."""
    from axis_sim.seminar.play import play

    with _plain_errors():
        play(game_file)


# --- the web server (the web helper's) -------------------------------------------------------


@seminar.command("serve")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on; 0.0.0.0 lets the room's laptops connect.")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
def seminar_serve(game_file: Path, host: str, port: int) -> None:
    """Run the seminar in the browser: prints a join link per seat (facilitator, each team,
    projector) and serves GAME_FILE (a game database) until Ctrl+C.

    Example: axis-sim seminar serve room.db --host 0.0.0.0
    """
    import socket

    from axis_sim.seminar.game import GameError
    from axis_sim.seminar.store import GameStore

    try:
        GameStore(game_file).head()  # refused before the web stack loads, with the way back
    except GameError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(2)
    try:  # a taken port is a one-line error here, not a server log after the links
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as err:
        click.echo(f"Error: cannot listen on {host}:{port} ({err.strerror or err})", err=True)
        sys.exit(2)
    from axis_sim.seminar.server import serve

    try:
        serve(game_file, host=host, port=port, echo=click.echo)
    except GameError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(2)
