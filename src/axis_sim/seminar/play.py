"""The facilitator's loop: run a whole seminar from one terminal.

A menu of one-letter commands: status, moves, odds, adjudication, overrides, lookahead, undo,
report, quit. The game file is saved after every change (`game.save` keeps the previous good
version beside it), so closing the terminal at any point loses nothing. Input and output go
through the `prompt`, `confirm` and `echo` functions passed in (click's by default), so a test
or another front end can script the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from axis_sim.model.directives import DIRECTIVES
from axis_sim.report.formatting import format_number, format_probability
from axis_sim.scenario.schema import month_label
from axis_sim.seminar import engine
from axis_sim.seminar.engine import WATCHED_EVENTS, scenario_of
from axis_sim.seminar.game import OPTION_PREFIX, Game, GameError, Move, Turn, load, save
from axis_sim.seminar.injects import FACILITATOR
from axis_sim.seminar.report import decision_label, value_text, write_report

PromptFn = Callable[..., Any]
ConfirmFn = Callable[..., bool]
EchoFn = Callable[..., Any]

COMMANDS: dict[str, str] = {
    "s": "status", "m": "move", "o": "odds", "a": "adjudicate", "v": "override",
    "l": "lookahead", "u": "undo", "r": "report", "q": "quit",
}
MENU_TEXT = ("[s]tatus  [m]ove  [o]dds  [a]djudicate  o[v]erride  [l]ookahead  [u]ndo  "
             "[r]eport  [q]uit")
STOP = (click.Abort, EOFError, KeyboardInterrupt)


class _Quit(Exception):
    """The facilitator asked to leave the loop."""


def play(path: Path, *, prompt: PromptFn = click.prompt, confirm: ConfirmFn = click.confirm,
         echo: EchoFn = click.echo, worlds: int = 1000) -> None:
    """Run the facilitator's menu loop on the game file at `path` until [q]uit or end of input.

    Errors in a command (a decision not on the menu, a value out of range, a turn past the
    horizon) are printed and the loop goes on. `worlds` is the lookahead's number of worlds per
    candidate. A game file that cannot be loaded raises `GameError` before the loop starts.
    """
    path = Path(path)
    session = Session(path, load(path), prompt, confirm, echo, worlds)
    echo(f"Seminar game {path}. Commands: {MENU_TEXT}")
    session.status()
    actions: dict[str, Callable[[], None]] = {
        "s": session.status, "m": session.move, "o": session.odds, "a": session.adjudicate,
        "v": session.override, "l": session.lookahead, "u": session.undo,
        "r": session.report, "q": session.quit,
    }
    while True:
        try:
            answer = prompt(f"\n{MENU_TEXT}\nCommand", default="s")
            key = command_key(str(answer))
            if key is None:
                echo(f"Unknown command {answer!r}. {MENU_TEXT}")
                continue
            actions[key]()
        except _Quit:
            return
        except STOP:
            echo(f"\nStopped. The game is saved in {path}.")
            return
        except (GameError, ValueError, OSError) as err:
            echo(f"Error: {err}")


def command_key(answer: str) -> str | None:
    """The command's letter for an answer (`a`, `adjudicate`, `A`), or None if unknown."""
    text = answer.strip().lower()
    if text in COMMANDS:
        return text
    return next((k for k, name in COMMANDS.items() if name == text), None)


@dataclass
class Session:
    """The loop's state: the game as last saved, its file, and the terminal functions."""

    path: Path
    game: Game
    prompt: PromptFn
    confirm: ConfirmFn
    echo: EchoFn
    worlds: int = 1000

    # --- helpers -------------------------------------------------------------------------------

    def _save(self, game: Game) -> None:
        """Keep `game` as the current game and write it to the game file."""
        save(game, self.path)
        self.game = game

    def _ask(self, text: str, default: str | None = None) -> str:
        """One line of input, stripped (the default shown in brackets, if any)."""
        if default is None:
            return str(self.prompt(text)).strip()
        return str(self.prompt(text, default=default)).strip()

    def _table(self, header: Sequence[str], rows: Sequence[Sequence[object]],
               indent: str = "  ") -> None:
        """Print a small left-aligned table."""
        cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
        widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
        for n, row in enumerate(cells):
            self.echo(indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                      .rstrip())
            if n == 0:
                self.echo(indent + "  ".join("-" * w for w in widths))

    def _choose_team(self) -> str:
        """Ask for a team, by name or number."""
        teams = list(self.game.teams)
        if not teams:
            raise GameError("this game has no human team")
        listing = ", ".join(f"{i}) {t}" for i, t in enumerate(teams, 1))
        answer = self._ask(f"Team ({listing})", default=teams[0] if len(teams) == 1 else None)
        return _pick(answer, teams, "team")

    def _horizon_check(self) -> None:
        scenario = scenario_of(self.game)
        if self.game.month >= scenario.meta.horizon_months:
            raise GameError(f"the game has reached the scenario's horizon "
                            f"({month_label(scenario.meta.start, self.game.month - 1)})")

    def _show_moves(self, moves: list[Move], empty: str) -> None:
        if not moves:
            self.echo(f"  {empty}")
            return
        scenario = scenario_of(self.game)
        for m in moves:
            why = f" — “{m.rationale}”" if m.rationale else ""
            self.echo(f"  {m.team}: {m.decision} = {value_text(m.value)} "
                      f"({decision_label(scenario, m.decision)}){why}")

    def _show_outcomes(self, turn: Turn) -> None:
        scenario = scenario_of(self.game)
        self._table(["outcome", "value", "unit"],
                    [[scenario.outcomes[o].label, format_number(turn.outcomes.get(o)),
                      scenario.outcomes[o].unit] for o in scenario.headline_outcomes])

    def _show_turn(self, turn: Turn) -> None:
        """The facilitator's account, each team's injects and the headline outcomes."""
        self.echo(f"\nTurn {turn.number} played: {_span(self.game, turn)}.")
        if turn.overrides:
            self.echo("Overrides in force:")
            for o in turn.overrides:
                self.echo(f"  {o.decision} = {value_text(o.value)} — {o.reason}")
        self.echo("\nFacilitator's account (everything that happened):")
        for line in turn.injects.get(FACILITATOR, []) or ["Nothing happened."]:
            self.echo(f"  {line}")
        for team in self.game.teams:
            self.echo(f"\nInjects for {team}:")
            for line in turn.injects.get(team, []):
                self.echo(f"  {line}")
        self.echo("\nHeadline outcomes at the end of the turn:")
        self._show_outcomes(turn)

    def _show_odds(self) -> None:
        chances = engine.odds(self.game)
        self._table(["event during the coming turn", "chance"],
                    [[WATCHED_EVENTS.get(k, k), format_probability(v)]
                     for k, v in chances.items()])

    # --- commands ------------------------------------------------------------------------------

    def status(self) -> None:
        """[s]tatus: the turn, its months, the teams, pending moves, last turn's outcomes."""
        game = self.game
        scenario = scenario_of(game)
        start, horizon = scenario.meta.start, scenario.meta.horizon_months
        self.echo(f"\nScenario {scenario.meta.name}: {scenario.meta.title}")
        if game.month >= horizon:
            self.echo(f"The game has reached the horizon ({month_label(start, horizon - 1)}) "
                      f"after {len(game.turns)} turn(s).")
        else:
            months = min(game.turn_months, horizon - game.month)
            self.echo(f"Next: turn {len(game.turns) + 1}, {month_label(start, game.month)} – "
                      f"{month_label(start, game.month + months - 1)} ({months} month(s)); "
                      f"horizon {month_label(start, horizon - 1)}.")
        model_plays = [a for a in scenario.actors if game.team_of(a) is None]
        self.echo("Teams: " + "; ".join(f"{t} plays {', '.join(a)}" for t, a in game.teams.items())
                  + (f"; the model plays {', '.join(model_plays)}." if model_plays else "."))
        self.echo("Pending moves:")
        self._show_moves(game.pending, "none (every actor follows the model's doctrine)")
        if game.turns:
            last = game.turns[-1]
            self.echo(f"Headline outcomes after turn {last.number} ({_span(game, last)}):")
            self._show_outcomes(last)

    def move(self) -> None:
        """[m]ove: a team's decision for the coming turn, with value and rationale."""
        self._horizon_check()
        team = self._choose_team()
        choices = engine.menu(self.game, team)
        pending = {m.decision: m for m in self.game.pending if m.team == team}
        keys = list(choices)
        self.echo(f"Decisions open to {team}:")
        for i, (key, meaning) in enumerate(choices.items(), 1):
            mark = f"  [pending: {value_text(pending[key].value)}]" if key in pending else ""
            self.echo(f"  {i:2d}. {key} — {meaning}{mark}")
        decision = _pick(self._ask("Decision (number or key)"), keys, f"decision of {team}")
        default = (value_text(pending[decision].value) if decision in pending
                   else self._default_value(decision))
        value = self._ask(f"Value ({_takes(decision)})", default=default)
        rationale = self._ask("Rationale", default=pending[decision].rationale
                              if decision in pending else "")
        game = engine.submit(self.game, team, decision, value, rationale)
        self._save(game)
        moved = game.pending[-1]
        self.echo(f"Recorded for the coming turn: {team}: {decision} = {value_text(moved.value)}.")

    def _default_value(self, decision: str) -> str:
        if decision.startswith(OPTION_PREFIX):
            spec = scenario_of(self.game).options.get(  # type: ignore[call-overload]
                decision.removeprefix(OPTION_PREFIX))
            return value_text(spec.intensity if spec else 1.0)
        d = DIRECTIVES[decision]
        return {"bool": "yes", "share": "1", "choice": d.choices[0] if d.choices else ""}[d.kind]

    def odds(self) -> None:
        """[o]dds: the chance of each watched event in the coming turn, given pending moves."""
        self._horizon_check()
        self.echo("Pending moves:")
        self._show_moves(self.game.pending, "none (doctrine)")
        self._show_odds()

    def adjudicate(self) -> None:
        """[a]djudicate: show the odds, confirm, roll the turn, save, print what happened."""
        self._horizon_check()
        self.echo("Moves for this turn:")
        self._show_moves(self.game.pending, "none (every actor follows the model's doctrine)")
        self._show_odds()
        if not self.confirm("Roll the turn?", default=False):
            self.echo("Not rolled; nothing changed.")
            return
        self._save(engine.adjudicate(self.game))
        self._show_turn(self.game.turns[-1])

    def override(self) -> None:
        """o[v]erride: replay the last turn with the facilitator's ruling on one decision."""
        if not self.game.turns:
            raise GameError("no turn to override yet")
        last = self.game.turns[-1]
        keys = list(DIRECTIVES)
        self.echo(f"Decisions the facilitator can rule on (turn {last.number} is replayed):")
        for i, key in enumerate(keys, 1):
            self.echo(f"  {i:2d}. {key} — {DIRECTIVES[key].meaning}")
        decision = _pick(self._ask("Decision (number or key)"), keys, "decision")
        value = self._ask(f"Value ({_takes(decision)})")
        reason = self._ask("Reason (goes into the after-action report)")
        if not reason:
            raise GameError("an override needs a reason (it goes into the after-action report)")
        if not self.confirm(f"Replay turn {last.number} with {decision} = {value}?",
                            default=False):
            self.echo("No override; nothing changed.")
            return
        self._save(engine.override(self.game, decision, value, reason))
        self._show_turn(self.game.turns[-1])

    def lookahead(self) -> None:
        """[l]ookahead: each candidate move kept to the horizon, compared with the first."""
        self._horizon_check()
        team = self._choose_team()
        self.echo(f"Running {self.worlds:,} worlds per candidate to the horizon…")
        table = engine.lookahead(self.game, team, worlds=self.worlds)
        scenario = scenario_of(self.game)
        reference = str(table["candidate"].iloc[0]) if len(table) else "doctrine"
        for outcome, rows in table.groupby("outcome", sort=False):
            spec = scenario.outcomes[str(outcome)]
            self.echo(f"\n{spec.label} ({spec.unit}) at the horizon; difference from "
                      f"{reference} [90% CI]:")
            self._table(["candidate", "mean", "difference"],
                        [[r.candidate, format_number(r.mean),
                          f"{format_number(r.diff_mean)} [{format_number(r.diff_ci_low)}, "
                          f"{format_number(r.diff_ci_high)}]"] for r in rows.itertuples()])

    def undo(self) -> None:
        """[u]ndo: take back the last turn (after confirmation); its moves become pending."""
        taken_back = engine.undo(self.game)
        number = self.game.turns[-1].number
        if not self.confirm(f"Take back turn {number}? Its moves become pending again.",
                            default=False):
            self.echo("Not undone; nothing changed.")
            return
        self._save(taken_back)
        self.echo(f"Turn {number} taken back; {len(taken_back.pending)} move(s) pending.")

    def report(self) -> None:
        """[r]eport: write the after-action report (Markdown and HTML) next to the game file."""
        md, page = write_report(self.game, self.path.parent, self.path.stem)
        self.echo(f"After-action report written: {md} and {page}")

    def quit(self) -> None:
        """[q]uit: leave the loop (the game is already saved)."""
        self.echo(f"The game is saved in {self.path}.")
        raise _Quit


def _pick(answer: str, options: list[str], what: str) -> str:
    """An option chosen by its 1-based number or its name; GameError listing the options."""
    if answer in options:
        return answer
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1]
    raise GameError(f"no {what} {answer!r}; choose a number 1–{len(options)} or one of: "
                    + ", ".join(options))


def _takes(decision: str) -> str:
    """What a decision's value may be, in words."""
    if decision.startswith(OPTION_PREFIX):
        return "intensity 0 (off) to 2"
    d = DIRECTIVES.get(decision)
    if d is None:
        return "value"
    return {"bool": "yes or no", "share": "a share 0–1", "choice": " | ".join(d.choices)}[d.kind]


def _span(game: Game, turn: Turn) -> str:
    start = scenario_of(game).meta.start
    first = month_label(start, turn.first_month)
    last = month_label(start, turn.first_month + turn.months - 1)
    return first if first == last else f"{first} – {last}"
