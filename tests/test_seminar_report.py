"""The seminar's after-action report: content, escaping, envelope and played path."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from axis_sim.report.markdown import escape
from axis_sim.seminar.engine import adjudicate, new_game, override, scenario_of, submit
from axis_sim.seminar.game import Game, parse_teams
from axis_sim.seminar.injects import FACILITATOR
from axis_sim.seminar.report import (
    QUANTILES,
    envelope,
    played_path,
    render_html,
    render_markdown,
    write_report,
)

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
PROBE = "<script>alert(1)</script>"


def short_scenario(folder: Path) -> Path:
    """The baseline cut to nine months, as a scenario file that extends it."""
    path = folder / "short.yaml"
    path.write_text(f"extends: {BASELINE}\nmeta: {{name: short, horizon_months: 9}}\n",
                    encoding="utf-8")
    return path


def two_turn_game(folder: Path) -> Game:
    """Two adjudicated turns: moves by both teams, the probe in a rationale, one override."""
    game = new_game(short_scenario(folder), teams=parse_teams(["blue=US,ROK,Japan",
                                                               "red=Russia,DPRK"]))
    game = submit(game, "blue", "option:sanctions_listing", 1.5, f"cut deliveries {PROBE}")
    game = submit(game, "red", "DPRK.posture", "signalling", "keep them guessing & wary")
    game = adjudicate(game)
    game = submit(game, "red", "DPRK.deliveries", 0.5, "hold back half")
    game = adjudicate(game)
    return override(game, "DPRK.nuclear_test", "yes", "the room rules <b>a test</b>")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("seminar_report")


@pytest.fixture(scope="module")
def game(folder: Path) -> Game:
    return two_turn_game(folder)


@pytest.fixture(scope="module")
def expected(game: Game) -> pd.DataFrame:
    return envelope(game, worlds=200)


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
    assert set(expected["outcome"]) == set(headline)
    values = expected[list(QUANTILES)].to_numpy()
    assert (values[:, :-1] <= values[:, 1:] + 1e-12).all()
    assert expected.loc[expected["month"] == 0, "month_label"].unique().tolist() == ["2023-09"]


def test_envelope_reproducible(game: Game, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(envelope(game, worlds=200), expected)
    # it depends only on the start, not on how far the game has gone
    earlier = game.model_copy(update={"turns": game.turns[:1]})
    pd.testing.assert_frame_equal(envelope(earlier, worlds=200), expected)


def test_played_path_one_row_per_turn_and_outcome(game: Game) -> None:
    path = played_path(game)
    headline = scenario_of(game).headline_outcomes
    assert len(path) == len(game.turns) * len(headline)
    assert path.groupby("turn").size().tolist() == [len(headline)] * len(game.turns)
    assert sorted(path["month"].unique().tolist()) == [2, 5]
    assert sorted(path["month_label"].unique().tolist()) == ["2023-11", "2024-02"]
    last = path[path["turn"] == 2].set_index("outcome")["value"]
    assert last.to_dict() == pytest.approx({o: game.turns[-1].outcomes[o] for o in headline})


def test_markdown_content(game: Game, markdown: str) -> None:
    assert markdown.startswith("# After-action report")
    for heading in ("## Teams", "## Timeline", "### Turn 1: 2023-09 – 2023-11",
                    "### Turn 2: 2023-12 – 2024-02",
                    "## Where the game ended vs what the model expected"):
        assert heading in markdown
    assert "| blue | US, ROK, Japan |" in markdown
    assert "The model plays China" in markdown
    # Markdown passes HTML through: the minutes show the text as written, escaped (issue 16).
    assert "cut deliveries &lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert PROBE not in markdown
    assert "keep them guessing &amp; wary" in markdown
    assert "hold back half" in markdown
    assert "`option:sanctions_listing` = 1.5" in markdown
    assert "the room rules &lt;b&gt;a test&lt;/b&gt;" in markdown
    assert "an ICBM launch" in markdown and "%" in markdown
    for turn in game.turns:
        for lines in turn.injects.values():
            for line in lines:
                assert escape(" ".join(line.split())) in markdown
    assert "Facilitator's full account" in markdown
    # the override took effect; a yes/no outcome reads yes or no, never 1.00
    assert "| Seventh nuclear test | yes | yes/no |" in markdown
    assert "| Seventh nuclear test (yes/no) | yes |" in markdown


def test_html_sections_and_plots(game: Game, page: str) -> None:
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for section in ("teams", "timeline", "paths", "outcome"):
        assert f'<section id="{section}">' in page
    assert page.count('class="plotly-graph-div"') == len(scenario_of(game).headline_outcomes)
    assert page.count("plotly.js v") == 1
    assert not re.search(r"<script[^>]+src\s*=", page, re.I)
    assert not re.search(r"<link[^>]+href\s*=", page, re.I)
    assert not re.search(r"@import|url\(\s*[\"']?https?:", page, re.I)
    assert "MathJax.js" not in page


def test_html_escapes_game_text(page: str) -> None:
    assert PROBE not in page
    assert "cut deliveries &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "keep them guessing &amp; wary" in page
    assert "the room rules &lt;b&gt;a test&lt;/b&gt;" in page
    assert "<b>a test</b>" not in page


def test_html_holds_moves_overrides_and_injects(game: Game, page: str) -> None:
    assert "hold back half" in page and "DPRK.deliveries" in page
    assert "DPRK.nuclear_test" in page
    assert "Facilitator&#x27;s full account" in page or "Facilitator's full account" in page
    for turn in game.turns:
        for team in [*game.teams, FACILITATOR]:
            for line in turn.injects.get(team, []):
                assert line.replace("&", "&amp;").replace("'", "&#x27;") in page


def test_plot_text_escaped(tmp_path: Path) -> None:
    """Scenario text drawn by plotly (an outcome label) is escaped for plotly."""
    path = tmp_path / "odd.yaml"
    path.write_text(f"extends: {BASELINE}\nmeta: {{name: odd, horizon_months: 3}}\n"
                    "outcomes:\n  nuclear_test: {label: 'Test <i>x</i> & y', unit: '0/1', "
                    "better: lower, headline: true}\n", encoding="utf-8")
    game = new_game(path, teams={"blue": ["US"]})
    game = adjudicate(game)
    page = render_html(game, expected=envelope(game, worlds=20))
    assert "<i>x</i>" not in page
    assert "Test &lt;i&gt;x&lt;/i&gt; &amp; y" in page


def test_no_turn_played(tmp_path: Path) -> None:
    game = new_game(short_scenario(tmp_path), teams={"blue": ["US"]})
    game = submit(game, "blue", "option:warn_beijing", 1.0, "pending only")
    expected = envelope(game, worlds=20)
    assert played_path(game).empty
    markdown = render_markdown(game, expected=expected)
    assert "No turn has been played yet." in markdown and "pending only" in markdown
    assert '<section id="outcome">' in render_html(game, expected=expected)


def test_write_report(game: Game, tmp_path: Path) -> None:
    md, page = write_report(game, tmp_path / "out", "korea", worlds=50)
    assert md == tmp_path / "out" / "korea-after_action.md"
    assert page == tmp_path / "out" / "korea-after_action.html"
    assert md.read_text(encoding="utf-8").startswith("# After-action report")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_envelope_rejects_no_worlds(game: Game) -> None:
    with pytest.raises(ValueError):
        envelope(game, worlds=0)
