"""The facilitator's loop: run a whole seminar from one terminal, on the game database.

A menu of one-letter commands: status, move, withdraw, odds, adjudicate, rulings, briefings,
lookahead, undo, history, report, quit. The loop keeps no copy of the game: every command reads
the head afresh (`GameStore.head`) and every change goes through `GameStore.update`, so orders
given meanwhile from another terminal or a browser seat are never overwritten. A roll, ruling or
undo confirmed on what the facilitator saw is refused if the game changed in between (the
version check), rather than applied to a game nobody looked at.

Input and output go through the `prompt`, `confirm` and `echo` functions passed in (click's by
default), so a test or another front end can script the loop.
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
from axis_sim.seminar.briefing import as_text, model_had
from axis_sim.seminar.engine import WATCHED_EVENTS, scenario_of
from axis_sim.seminar.game import BLUE_OPTIONS, OPTION_PREFIX, Game, GameError, Order, Turn
from axis_sim.seminar.report import decision_label, value_text, write_report
from axis_sim.seminar.store import GameStore

PromptFn = Callable[..., Any]
ConfirmFn = Callable[..., bool]
EchoFn = Callable[..., Any]

FACILITATOR = "facilitator"
COMMANDS: dict[str, str] = {
    "s": "status", "m": "move", "w": "withdraw", "o": "odds", "a": "adjudicate", "v": "rule",
    "b": "briefing", "l": "lookahead", "u": "undo", "h": "history", "r": "report", "q": "quit",
}
ALIASES = {"override": "v", "ruling": "v"}
MENU_TEXT = ("[s]tatus  [m]ove  [w]ithdraw  [o]dds  [a]djudicate  rule[v]  [b]riefing  "
             "[l]ookahead  [u]ndo  [h]istory  [r]eport  [q]uit")
STOP = (click.Abort, EOFError, KeyboardInterrupt)


class _Quit(Exception):
    """The facilitator asked to leave the loop."""


def play(path: Path, *, prompt: PromptFn = click.prompt, confirm: ConfirmFn = click.confirm,
         echo: EchoFn = click.echo, worlds: int = 1000, odds_worlds: int = 500) -> None:
    """Run the facilitator's menu loop on the game database at `path` until [q]uit or end of
    input.

    Errors in a command (a decision not on the menu, a value out of range, a turn past the
    horizon, a game changed meanwhile) are printed and the loop goes on. `worlds` is the
    lookahead's number of worlds per candidate, `odds_worlds` the odds'. A database that cannot
    be opened, or whose head is damaged, raises `GameError` before the loop starts.
    """
    path = Path(path)
    session = Session(GameStore(path), prompt, confirm, echo, worlds, odds_worlds)
    session.read()  # a damaged head stops here, with the way back in the message
    echo(f"Seminar game {path}. Commands: {MENU_TEXT}")
    session.status()
    actions: dict[str, Callable[[], None]] = {
        "s": session.status, "m": session.move, "w": session.withdraw, "o": session.odds,
        "a": session.adjudicate, "v": session.rule, "b": session.briefing,
        "l": session.lookahead, "u": session.undo, "h": session.history,
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
            echo(f"\nStopped. Every change is saved in {path}.")
            return
        except (GameError, ValueError, OSError) as err:
            echo(f"Error: {' '.join(str(err).split())}")


def command_key(answer: str) -> str | None:
    """The command's letter for an answer (`a`, `adjudicate`, `A`), or None if unknown."""
    text = answer.strip().lower()
    if text in COMMANDS:
        return text
    if text in ALIASES:
        return ALIASES[text]
    return next((k for k, name in COMMANDS.items() if name == text), None)


@dataclass
class Session:
    """The loop's connection to the game: the store and the terminal functions. No game is
    kept between commands; `read` fetches the head each time."""

    store: GameStore
    prompt: PromptFn
    confirm: ConfirmFn
    echo: EchoFn
    worlds: int = 1000
    odds_worlds: int = 500

    # --- helpers -------------------------------------------------------------------------------

    def read(self) -> tuple[int, Game]:
        """The head as it is now (another seat may have changed it since the last command)."""
        return self.store.head()

    def _change(self, change: Callable[[Game], Game], action: str, *, who: str = FACILITATOR,
                expected: int | None = None) -> Game:
        return self.store.update(change, who=who, action=action, expected=expected)[1]

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

    def _choose_team(self, game: Game) -> str:
        """Ask for a team, by name or number."""
        teams = list(game.teams)
        listing = ", ".join(f"{i}) {t}" for i, t in enumerate(teams, 1))
        answer = self._ask(f"Team ({listing})", default=teams[0] if len(teams) == 1 else None)
        return _pick(answer, teams, "team")

    def _horizon_check(self, game: Game) -> None:
        scenario = scenario_of(game)
        if game.month >= scenario.meta.horizon_months:
            raise GameError(f"the game has reached the scenario's horizon "
                            f"({month_label(scenario.meta.start, game.month - 1)})")

    def _show_orders(self, game: Game, orders: list[Order], empty: str) -> None:
        if not orders:
            self.echo(f"  {empty}")
            return
        scenario = scenario_of(game)
        for o in orders:
            why = f" — “{o.rationale}”" if o.rationale else ""
            once = ", once this turn" if o.per == "turn" else ""
            self.echo(f"  {o.team}: {o.decision} = {value_text(o.value)} "
                      f"({decision_label(scenario, o.decision)}{once}){why}")

    def _show_outcomes(self, game: Game, turn: Turn) -> None:
        scenario = scenario_of(game)
        self._table(["outcome", "value", "unit"],
                    [[scenario.outcomes[o].label, format_number(turn.outcomes.get(o)),
                      scenario.outcomes[o].unit] for o in scenario.headline_outcomes])

    def _show_briefing(self, turn: Turn, who: str) -> None:
        for line in as_text(turn.briefings.get(who, {})):
            self.echo(line)

    def _show_turn(self, game: Game) -> None:
        """The facilitator's account of the last turn and its headline outcomes (the teams'
        briefings are shown one at a time with [b]riefing, to hand over)."""
        turn = game.turns[-1]
        self.echo(f"\nTurn {turn.number} played: {_span(game, turn)}.")
        if turn.rulings:
            self.echo("Rulings in force (the model's own value in brackets):")
            for r in turn.rulings:
                own = f" [model: {model_had(r)}]"
                self.echo(f"  {r.kind} {r.key} = {value_text(r.value)}{own} — {r.reason}")
        self.echo("\nFacilitator's briefing (everything that happened):")
        self._show_briefing(turn, FACILITATOR)
        self.echo("\nHeadline outcomes at the end of the turn:")
        self._show_outcomes(game, turn)

    def _show_odds(self, game: Game) -> None:
        report = engine.odds_report(game, self.odds_worlds)
        self._table(["event during the coming turn", "with the orders", "doing nothing"],
                    [[WATCHED_EVENTS.get(k, k), format_probability(v),
                      format_probability(report["odds_doctrine"].get(k, v))]
                     for k, v in report["odds"].items()])
        for drivers in report["drivers"].values():
            for line in drivers:
                self.echo(f"  {line}")

    # --- commands ------------------------------------------------------------------------------

    def status(self) -> None:
        """[s]tatus: the version, turn, its months, the teams, who is ready, the orders in
        force, last turn's outcomes."""
        version, game = self.read()
        scenario = scenario_of(game)
        start, horizon = scenario.meta.start, scenario.meta.horizon_months
        self.echo(f"\nScenario {scenario.meta.name}: {scenario.meta.title} (version {version})")
        if game.month >= horizon:
            self.echo(f"The game has reached the horizon ({month_label(start, horizon - 1)}) "
                      f"after {len(game.turns)} turn(s).")
        else:
            months = min(game.turn_months, horizon - game.month)
            self.echo(f"Next: turn {game.next_turn}, {month_label(start, game.month)} – "
                      f"{month_label(start, game.month + months - 1)} ({months} month(s)); "
                      f"horizon {month_label(start, horizon - 1)}.")
        model_plays = [a for a in scenario.actors if game.team_of(a) is None]
        self.echo("Teams: " + "; ".join(f"{t} plays {', '.join(a)}" for t, a in game.teams.items())
                  + (f"; the model plays {', '.join(model_plays)}." if model_plays else "."))
        waiting = [t for t in game.teams if t not in game.ready]
        self.echo(f"Ready: {', '.join(game.ready) or 'nobody'}; waiting for: "
                  f"{', '.join(waiting) or 'nobody'}.")
        self.echo("Orders in force:")
        self._show_orders(game, game.orders, "none (every actor follows the model's doctrine)")
        if game.turns:
            last = game.turns[-1]
            self.echo(f"Headline outcomes after turn {last.number} ({_span(game, last)}):")
            self._show_outcomes(game, last)

    def move(self) -> None:
        """[m]ove: a team's standing order, with value and rationale."""
        _, game = self.read()
        self._horizon_check(game)
        team = self._choose_team(game)
        choices = engine.menu(game, team)
        gone = engine.unavailable(game, team)
        current = {o.decision: o for o in game.orders if o.team == team}
        keys = list(choices)
        self.echo(f"Decisions open to {team}:")
        for i, (key, meaning) in enumerate(choices.items(), 1):
            mark = f"  [in force: {value_text(current[key].value)}]" if key in current else ""
            self.echo(f"  {i:2d}. {key} — {meaning}{mark}")
        for key, why in gone.items():
            self.echo(f"      {key} — not now: {why}")
        decision = _pick(self._ask("Decision (number or key)"), keys, f"decision of {team}")
        default = (value_text(current[decision].value) if decision in current
                   else self._default_value(game, decision))
        value = self._ask(f"Value ({_takes(decision)})", default=default)
        rationale = self._ask("Rationale", default=current[decision].rationale
                              if decision in current else "")
        # Applied to the head as it is when saved: another team's order given meanwhile stays.
        game = self._change(lambda g: engine.submit(g, team, decision, value, rationale),
                            f"orders: {decision}={value}", who=f"team {team}")
        order = next(o for o in game.orders if o.team == team and o.decision == decision)
        self.echo(f"In force from turn {order.since_turn}: {team}: {decision} = "
                  f"{value_text(order.value)}.")

    def _default_value(self, game: Game, decision: str) -> str:
        if decision.startswith(OPTION_PREFIX):
            spec = scenario_of(game).options.get(  # type: ignore[call-overload]
                decision.removeprefix(OPTION_PREFIX))
            return value_text(spec.intensity if spec else 1.0)
        d = DIRECTIVES[decision]
        return {"bool": "yes", "share": "1", "choice": d.choices[0] if d.choices else ""}[d.kind]

    def withdraw(self) -> None:
        """[w]ithdraw: take back a team's standing order (the actor goes back to doctrine)."""
        _, game = self.read()
        team = self._choose_team(game)
        mine = [o.decision for o in game.orders if o.team == team]
        if not mine:
            raise GameError(f"{team} has no order in force")
        self._show_orders(game, [o for o in game.orders if o.team == team], "")
        decision = _pick(self._ask("Order to withdraw (number or key)"), mine,
                         f"order of {team}")
        self._change(lambda g: engine.withdraw(g, team, decision), f"withdrew: {decision}",
                     who=f"team {team}")
        self.echo(f"Withdrawn: {team}'s {decision}; the model's doctrine decides it again.")

    def odds(self) -> None:
        """[o]dds: the chance of each watched event in the coming turn, with the orders in
        force and with none, and which orders drive them."""
        _, game = self.read()
        self._horizon_check(game)
        self.echo("Orders in force:")
        self._show_orders(game, game.orders, "none (doctrine)")
        self._show_odds(game)

    def adjudicate(self) -> None:
        """[a]djudicate: show the odds, confirm, roll the turn, print the facilitator's
        briefing. Refused if the orders changed between the odds shown and the roll."""
        version, game = self.read()
        self._horizon_check(game)
        self.echo("Orders for this turn:")
        self._show_orders(game, game.orders, "none (every actor follows the model's doctrine)")
        self._show_odds(game)
        if not self.confirm("Roll the turn?", default=False):
            self.echo("Not rolled; nothing changed.")
            return
        game = self._change(engine.adjudicate, "adjudicate", expected=version)
        self._show_turn(game)

    def rule(self) -> None:
        """rule[v]: replay the last turn with the umpire's ruling on a decision or a chance
        event (the model's own result is kept beside it)."""
        version, game = self.read()
        if not game.turns:
            raise GameError("no turn to rule on yet")
        last = game.turns[-1]
        answer = self._ask("Rule on a [d]ecision or a chance [e]vent", default="d").lower()
        kind = _pick({"d": "decision", "e": "event"}.get(answer, answer), ["decision", "event"],
                     "kind of ruling")
        keys = ([*DIRECTIVES, *BLUE_OPTIONS] if kind == "decision"
                else list(engine.chance_events()))
        meanings = ({**{k: d.meaning for k, d in DIRECTIVES.items()},
                     **{k: decision_label(scenario_of(game), k) for k in BLUE_OPTIONS}}
                    if kind == "decision" else engine.chance_events())
        self.echo(f"What the umpire can rule on (turn {last.number} is replayed):")
        for i, key in enumerate(keys, 1):
            self.echo(f"  {i:2d}. {key} — {meanings[key]}")
        key = _pick(self._ask("Key (number or name)"), keys, kind)
        value = self._ask(f"Value ({_takes(key) if kind == 'decision' else 'yes or no'})")
        reason = self._ask("Reason (goes into the after-action report)")
        if not reason:
            raise GameError("a ruling needs a reason (it goes into the after-action report)")
        if not self.confirm(f"Replay turn {last.number} with {key} = {value}?", default=False):
            self.echo("No ruling; nothing changed.")
            return
        game = self._change(lambda g: engine.rule(g, kind, key, value, reason),
                            f"ruling on {kind} {key} = {value}: {reason}", expected=version)
        self._show_turn(game)

    def briefing(self) -> None:
        """[b]riefing: one briefing of the last turn (a team's, to hand over, or the public
        one for the projector): nobody else's is printed with it."""
        _, game = self.read()
        if not game.turns:
            raise GameError("no turn played yet: no briefing")
        who = _pick(self._ask(f"Whose ({', '.join([*game.teams, 'public', FACILITATOR])})"),
                    [*game.teams, "public", FACILITATOR], "briefing")
        self.echo(f"\nBriefing for {who}, turn {game.turns[-1].number}:")
        self._show_briefing(game.turns[-1], who)

    def lookahead(self) -> None:
        """[l]ookahead: each candidate order held to the horizon, scored by the team's aims."""
        _, game = self.read()
        self._horizon_check(game)
        team = self._choose_team(game)
        self.echo(f"Running {self.worlds:,} worlds per candidate to the horizon…")
        table = engine.lookahead(game, team, worlds=self.worlds)
        scenario = scenario_of(game)
        reference = str(table["candidate"].iloc[0]) if len(table) else "doctrine"
        for outcome, rows in table.groupby("outcome", sort=False):
            spec = scenario.outcomes[str(outcome)]
            better = rows["better"].iloc[0] if "better" in rows else spec.better
            self.echo(f"\n{spec.label} ({spec.unit}) at the horizon, {team} wants it {better}; "
                      f"difference from {reference} [90% CI]:")
            self._table(["candidate", "mean", "difference"],
                        [[r.candidate, format_number(r.mean),
                          f"{format_number(r.diff_mean)} [{format_number(r.diff_ci_low)}, "
                          f"{format_number(r.diff_ci_high)}]"] for r in rows.itertuples()])

    def undo(self) -> None:
        """[u]ndo: take back the last turn (after confirmation); its orders are in force
        again, and the turn is kept for the report."""
        version, game = self.read()
        engine.undo(game)  # refuses now, before asking, when there is nothing to undo
        number = game.turns[-1].number
        if not self.confirm(f"Take back turn {number}? Its orders are in force again.",
                            default=False):
            self.echo("Not undone; nothing changed.")
            return
        game = self._change(engine.undo, "undo", expected=version)
        self.echo(f"Turn {number} taken back; {len(game.orders)} order(s) in force.")

    def history(self) -> None:
        """[h]istory: the stored versions (restore one with `axis-sim seminar restore`)."""
        head = self.store.head_version()
        for e in self.store.history()[-20:]:
            mark = "*" if e.version == head else " "
            self.echo(f"{mark}{e.version:5d}  {e.when}  {e.who}: {e.action[:100]}")

    def report(self) -> None:
        """[r]eport: write the after-action report (Markdown and HTML) next to the game."""
        _, game = self.read()
        path = self.store.path
        md, page = write_report(game, path.parent, path.stem)
        self.echo(f"After-action report written: {md} and {page}")

    def quit(self) -> None:
        """[q]uit: leave the loop (every change is already saved)."""
        self.echo(f"Every change is saved in {self.store.path}.")
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
