"""The seminar's after-action report and handouts: the timeline (orders and their changes,
matrix arguments, odds and the roll, rulings beside the result they replaced, undone turns,
what-ifs), the envelope under the teams' standing orders, per-team handouts that hold only what
the team was told, and escaping of game and scenario text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from axis_sim.report.formatting import format_number
from axis_sim.seminar import engine
from axis_sim.seminar.engine import adjudicate, new_game, rule, scenario_of, submit, undo, withdraw
from axis_sim.seminar.game import Argument, Game, Order, parse_teams
from axis_sim.seminar.report import (
    QUANTILES,
    envelope,
    handout,
    played_path,
    render_handout_html,
    render_handout_markdown,
    render_html,
    render_markdown,
    write_report,
)

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
PROBE = "<script>alert(1)</script>"
ATTRIBUTE = '" onmouseover="alert(2)" x=\''
WORLDS = 30  # odds and envelopes: enough to draw, few enough to be quick


def short_scenario(folder: Path, title: str | None = None) -> Path:
    """The baseline cut to nine months, as a scenario file that extends it (optionally with a
    hostile title)."""
    path = folder / "short.yaml"
    meta = "{name: short, horizon_months: 9" + (
        f", title: {title!r}}}" if title is None else "}")
    if title is not None:
        escaped = title.replace("\\", "\\\\").replace('"', '\\"').replace("\0", "\\0")
        meta = f'{{name: short, horizon_months: 9, title: "{escaped}"}}'
    path.write_text(f"extends: {BASELINE}\nmeta: {meta}\n", encoding="utf-8")
    return path


def played_game(folder: Path) -> Game:
    """Two turns with orders by both teams (probes in rationales), a matrix argument, a ruling
    on a chance event, a withdrawn and a changed order, a turn taken back, a saved what-if."""
    # No NUL in the title: the scenario loader refuses control characters (the rationale's
    # NUL below still reaches the report).
    game = new_game(short_scenario(folder, f"Axis {PROBE} {ATTRIBUTE} end"),
                    teams=parse_teams(["blue=US,ROK,Japan", "red=Russia,DPRK"]))
    game = submit(game, "blue", "option:sanctions_listing", 1.5, f"cut deliveries {PROBE}")
    game = submit(game, "blue", "option:warn_beijing", 1.0, "warn them")
    game = submit(game, "red", "DPRK.deliveries", 1.0, f"all out {ATTRIBUTE}\0")
    game = submit(game, "red", "DPRK.icbm_launch", True, "show of force")
    argument = Argument(id=1, team="red", action=f"Seize the initiative {PROBE}",
                        arguments=["red reason: the railway is ready"],
                        counters=[{"team": "blue", "text": f"blue counter {ATTRIBUTE}"}],
                        event="icbm_launches", model_odds=0.35, odds=0.4, roll=0.25,
                        success=True)
    game = game.model_copy(update={"arguments": [argument]})
    game = adjudicate(game, worlds=WORLDS)
    game = rule(game, "event", "icbm_failure", True, "the room rules <b>a failure</b>")
    game = withdraw(game, "blue", "option:warn_beijing")
    game = submit(game, "red", "DPRK.deliveries", 0.5, "hold back half")
    game = adjudicate(game, worlds=WORLDS)
    game = undo(game)
    game = adjudicate(game, worlds=WORLDS)
    table = pd.DataFrame([
        {"candidate": "doctrine", "outcome": "munitions_shipped", "mean": 1.0e6,
         "diff_mean": 0.0, "diff_ci_low": 0.0, "diff_ci_high": 0.0, "better": "lower",
         "weight": 1.0, "score": 0.0, "score_ci_low": 0.0, "score_ci_high": 0.0},
        {"candidate": "blue what-if", "outcome": "munitions_shipped", "mean": 9.0e5,
         "diff_mean": -1.0e5, "diff_ci_low": -1.5e5, "diff_ci_high": -5.0e4, "better": "lower",
         "weight": 1.0, "score": 0.1, "score_ci_low": 0.05, "score_ci_high": 0.15}])
    game = engine.save_lookahead(game, "blue", table)
    return engine.save_lookahead(game, "red", table.assign(candidate="red secret plan"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("seminar_report")


@pytest.fixture(scope="module")
def game(folder: Path) -> Game:
    return played_game(folder)


@pytest.fixture(scope="module")
def expected(game: Game) -> pd.DataFrame:
    return envelope(game, worlds=WORLDS)


@pytest.fixture(scope="module")
def markdown(game: Game, expected: pd.DataFrame) -> str:
    return render_markdown(game, expected=expected)


@pytest.fixture(scope="module")
def page(game: Game, expected: pd.DataFrame) -> str:
    return render_html(game, expected=expected)


def test_envelope_ordered_and_complete(game: Game, expected: pd.DataFrame) -> None:
    scenario = scenario_of(game)
    headline = scenario.headline_outcomes
    assert list(expected.columns) == ["outcome", "month", "month_label", *QUANTILES, "mean",
                                      "p_event"]
    assert expected["p_event"].between(0, 1).all()
    assert len(expected) == len(headline) * scenario.meta.horizon_months
    values = expected[list(QUANTILES)].to_numpy()
    assert (values[:, :-1] <= values[:, 1:] + 1e-12).all()
    assert expected.loc[expected["month"] == 0, "month_label"].unique().tolist() == ["2023-09"]
    pd.testing.assert_frame_equal(envelope(game, worlds=WORLDS), expected)  # reproducible
    with pytest.raises(ValueError):
        envelope(game, worlds=0)


def test_envelope_follows_the_teams_standing_orders(tmp_path: Path) -> None:
    """The envelope is run under the orders the teams gave: no deliveries, far fewer rounds."""
    start = new_game(short_scenario(tmp_path), teams={"red": ["DPRK"]})
    held = submit(start, "red", "DPRK.deliveries", 0.0)
    last = start.month + scenario_of(start).meta.horizon_months - 1

    def shipped(game: Game) -> float:
        env = envelope(game, worlds=WORLDS)
        return float(env[(env["outcome"] == "munitions_shipped")
                         & (env["month"] == last)]["mean"].iloc[0])

    assert shipped(held) < 0.5 * shipped(start)


def test_envelope_lets_one_turn_orders_lapse(tmp_path: Path) -> None:
    """A one-turn order holds for the coming turn only: no ICBM in the first three months, the
    doctrine's launches after."""
    start = new_game(short_scenario(tmp_path), teams={"red": ["DPRK"]})
    game = submit(start, "red", "DPRK.icbm_launch", False)
    env = envelope(game, worlds=WORLDS).set_index(["outcome", "month"])["mean"]
    assert env[("icbm_launches", 2)] == 0
    assert env[("icbm_launches", 8)] > 0


def test_played_path_one_row_per_turn_and_outcome(game: Game) -> None:
    path = played_path(game)
    headline = scenario_of(game).headline_outcomes
    assert len(path) == len(game.turns) * len(headline)
    assert sorted(path["month_label"].unique().tolist()) == ["2023-11", "2024-02"]
    last = path[path["turn"] == 2].set_index("outcome")["value"]
    assert last.to_dict() == pytest.approx({o: game.turns[-1].outcomes[o] for o in headline})


def test_markdown_timeline(game: Game, markdown: str) -> None:
    assert markdown.startswith("# After-action report")
    for heading in ("## Teams", "## Timeline", "### Turn 1: 2023-09 – 2023-11",
                    "### Turn 2: 2023-12 – 2024-02", "## Turns taken back",
                    "### Turn 2: 2023-12 – 2024-02 (3 months) — taken back",
                    "## What-ifs: saved lookaheads",
                    "## Where the game ended vs what the model expected"):
        assert heading in markdown
    assert "| blue | US, ROK, Japan |" in markdown
    # standing orders and when they changed
    assert "Sanctions listings of Russian entities = 1.5 (`option:sanctions_listing`; " \
           "standing, new)" in markdown
    assert "standing, unchanged" in markdown
    assert "withdrawn (back to doctrine)" in markdown
    assert "= 0.5 (`DPRK.deliveries`; standing, changed) — “hold back half”" in markdown
    assert "(`DPRK.icbm_launch`; this turn only, new)" in markdown
    # matrix argument: arguments, counters, odds, roll
    assert "argues: Seize the initiative" in markdown and "odds 40% (model 35%)" in markdown
    assert "roll 0.25: succeeds" in markdown and "against (blue): blue counter" in markdown
    # odds before the roll beside doing nothing, and the roll
    assert "| event this turn | with the orders | doing nothing | happened |" in markdown
    # the ruling and the model result it replaced
    assert ("chance event `icbm_failure` (an ICBM launched fails in flight) ruled yes; the "
            "model had no — reason: the room rules &lt;b&gt;a failure&lt;/b&gt;") in markdown
    assert "**The model's own result, which the ruling replaced:**" in markdown
    assert "| icbm failure | 1 | 0 |" in markdown
    # briefings, what-ifs
    assert "*Intelligence*" in markdown and "*Your decisions*" in markdown
    assert "| blue what-if | Munitions shipped to Russia |" in markdown
    assert "red secret plan" in markdown  # the facilitator's record holds every team's


def test_html_report(game: Game, page: str) -> None:
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for section in ("teams", "timeline", "undone", "whatifs", "paths", "outcome"):
        assert f'<section id="{section}">' in page
    assert page.count('class="plotly-graph-div"') == len(scenario_of(game).headline_outcomes)
    assert page.count("plotly.js v") == 1
    assert not re.search(r"<script[^>]+src\s*=", page, re.I)
    assert '<article class="turn undone" id="undone-2">' in page
    assert "the room rules &lt;b&gt;a failure&lt;/b&gt;" in page
    assert "The model's own result, which the ruling replaced" in page
    # decision markers on the charts (a ▼ per changed turn, with its hover text)
    charts = len(scenario_of(game).headline_outcomes)
    assert page.count('"text":"\\u25bc"') == 2 * charts  # turns 1 and 2 changed orders
    turn2 = re.findall(r'"hovertext":"Turn 2 orders: red: [^"]*= 0\.5 \(changed\); blue: '
                       r'[^"]*withdrawn"', page)
    assert len(turn2) == charts
    assert '"text":"\\u25c6"' in page  # events of note


class _Tags(HTMLParser):
    """Every tag's attribute names, as a browser would parse them (script bodies skipped)."""

    def __init__(self) -> None:
        super().__init__()
        self.attributes: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes |= {name for name, _ in attrs}
        self.scripts += tag == "script"


def _hostile(text: str, scripts: int = 0) -> None:
    assert PROBE not in text
    assert "\0" not in text
    # no tag carries an event handler: the quote that would end an attribute is escaped
    tags = _Tags()
    tags.feed(text)
    assert not {a for a in tags.attributes if a.startswith("on")}
    assert tags.scripts == scripts  # none injected


def test_escaping(game: Game, markdown: str, page: str) -> None:
    # the page's own scripts: plotly.js, the lazy drawing helper, one per chart
    _hostile(page, 2 + len(scenario_of(game).headline_outcomes))
    for text in (markdown, *(render_handout_markdown(game, t) for t in game.teams),
                 *(render_handout_html(game, t) for t in game.teams)):
        _hostile(text)
    assert "cut deliveries &lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert "cut deliveries &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>a failure</b>" not in page and "<b>a failure</b>" not in markdown
    assert "Axis &lt;script&gt;" in page


def test_handouts_hold_only_what_the_team_was_told(game: Game) -> None:
    blue_md, blue_html = render_handout_markdown(game, "blue"), render_handout_html(game, "blue")
    red_md, red_html = render_handout_markdown(game, "red"), render_handout_html(game, "red")
    for text in (blue_md, blue_html):
        # red's covert doings, told exactly to red and the facilitator only
        assert "Munitions trains cross at" not in text
        assert "new front company replaces" not in text and "move to technology" not in text
        # red's orders and rationales, red's argument's reasons, red's what-ifs
        assert "hold back half" not in text and "DPRK.deliveries" not in text
        assert "Share of munitions shipments" not in text and "show of force" not in text
        assert "red reason" not in text and "red secret plan" not in text
        # no ground truth: no outcomes table, no chart
        assert "Headline outcomes" not in text and "plotly" not in text
        for turn in game.turns:
            assert format_number(turn.outcomes["munitions_shipped"]) not in text
        assert "blue what-if" in text and "cut deliveries" in text
    for text in (red_md, red_html):
        assert "imagery shows" not in text and "Intelligence" not in text
        assert "cut deliveries" not in text and "sanctions_listing" not in text
        assert "blue what-if" not in text and "warn them" not in text
        assert "Munitions trains cross at" in text and "hold back half" in text
        assert "red reason" in text and "against (blue): blue counter" in text
    # the room saw red's roll: blue's handout shows it, without red's reasons
    assert "red: Seize the initiative" in blue_md and "roll 0.25: succeeds" in blue_md
    # every line blue was told is in blue's handout
    h = handout(game, "blue")
    told = [i["text"] for i in game.turns[0].briefings["blue"]["happened"]]
    assert h["turns"][0]["briefing"][0]["lines"] == told
    with pytest.raises(ValueError, match="unknown team"):
        handout(game, "green")


def test_write_report(game: Game, tmp_path: Path) -> None:
    odd = game.model_copy(update={"teams": {"../blue team": ["US", "ROK", "Japan"],
                                            "red": ["Russia", "DPRK"]},
                                  "orders": [o.model_copy(update={"team": "../blue team"})
                                             if o.team == "blue" else o for o in game.orders]})
    md, page = write_report(odd, tmp_path / "out", "korea", worlds=10)
    assert md == tmp_path / "out" / "korea-after_action.md"
    assert page == tmp_path / "out" / "korea-after_action.html"
    assert md.read_text(encoding="utf-8").startswith("# After-action report")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["korea-after_action.html", "korea-after_action.md",
                     "korea-handout-blue_team.html", "korea-handout-blue_team.md",
                     "korea-handout-red.html", "korea-handout-red.md"]
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_no_turn_played(tmp_path: Path) -> None:
    game = new_game(short_scenario(tmp_path), teams={"blue": ["US"]})
    game = submit(game, "blue", "option:warn_beijing", 1.0, "pending only")
    expected = envelope(game, worlds=10)
    assert played_path(game).empty
    markdown = render_markdown(game, expected=expected)
    assert "No turn has been played yet." in markdown and "pending only" in markdown
    assert '<section id="outcome">' in render_html(game, expected=expected)
    assert "No turn has been played yet." in render_handout_markdown(game, "blue")


def test_order_fixture_contract() -> None:
    """The report reads orders as the game stores them (a guard on the contract)."""
    order = Order(team="blue", decision="US.exercise", value=False, since_turn=1)
    assert order.per == "month" and order.exception == ""
