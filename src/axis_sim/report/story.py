"""A world's story: any sample world under any portfolio, told as dated sentences, beside the
status-quo story of the same world.

The run's event log (`RunResult.events`: portfolio, month, world, actor, event, value for the
sample worlds) becomes sentences: one per month with something notable ("March 2024: Kim
Jong-un and Vladimir Putin met; the DPRK launched 2 intermediate-range missiles."), and one per
quarter for the steady flows ("September–November 2023, in all: the DPRK shipped about 380,000
rounds to Russia; Washington listed 4 Russian entities."). Clauses that differ from the other
column's same month are marked, so what the policy changed stands out.

The page embeds the log compactly: per (portfolio, world), rows of four integers (month or
quarter start, event, value, amount) in one gzip-compressed Int32 array, base64-encoded, that
the section's script (`templates/story.html`) unpacks with the browser's DecompressionStream
when the section is first scrolled to. The words are `PHRASES`, shared by this module (which
renders the first view on the server, and which the tests read) and the script (which renders
any other choice): one source for the wording.
"""

from __future__ import annotations

import base64
import gzip
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from axis_sim.model.russia import PROGRAMMES
from axis_sim.report.analysis import representative_worlds, sample_worlds
from axis_sim.report.common import (
    Page,
    esc,
    json_for_script,
    key_is,
    portfolio_label,
)
from axis_sim.report.formatting import format_number
from axis_sim.report.plotfmt import month_name
from axis_sim.report.templates import markup, render
from axis_sim.scenario.schema import STATUS_QUO, month_label

__all__ = ["PHRASES", "Entry", "encode_log", "story_entries", "story_section"]

RUNGS = ("no cooperation", "arms for food and energy", "technology transfer",
         "joint naval exercises with China", "the reactivated Treaty of Friendship")


@dataclass(frozen=True)
class Phrase:
    """How one kind of event is told.

    `period`: "month" (a clause in that month's sentence) or "quarter" (summed into the
    quarter's sentence); `amount`: "count" (how many times), "sum" (the events' values added up:
    rounds, missiles, entities) or "value" (each value its own clause, counted: a ladder rung, a
    programme); `one` and `many` the clause when the amount is 1 or more, with {n} the amount
    and {value} the value's word from `values`."""

    period: str
    amount: str
    one: str
    many: str
    values: tuple[str, ...] = ()


# In the order clauses appear within a sentence.
PHRASES: dict[str, Phrase] = {
    "ceasefire": Phrase("month", "count", "a ceasefire took hold in Ukraine",
                        "a ceasefire took hold in Ukraine"),
    "leader_summit": Phrase("month", "count", "Kim Jong-un and Vladimir Putin met",
                            "Kim Jong-un and Vladimir Putin met {n} times"),
    "cooperation_step": Phrase("month", "value", "Moscow and Pyongyang moved to {value}",
                               "Moscow and Pyongyang moved to {value}", RUNGS),
    "tech_transfer": Phrase("month", "value", "Russian specialists assisted the {value} programme",
                            "Russian specialists assisted the {value} programme ({n} transfers)",
                            tuple("ICBM" if p == "icbm" else p for p in PROGRAMMES)),
    "china_naval_exercise": Phrase("month", "count",
                                   "China joined a naval exercise with Russia and the DPRK",
                                   "China joined {n} naval exercises with Russia and the DPRK"),
    "coercive_posture": Phrase("month", "count", "KPA forward units took a coercive posture",
                               "KPA forward units took a coercive posture"),
    "intermediate_range_launch": Phrase("month", "sum",
                                        "the DPRK launched an intermediate-range missile",
                                        "the DPRK launched {n} intermediate-range missiles"),
    "icbm_launch": Phrase("month", "value", "the DPRK launched an ICBM on a {value} trajectory",
                          "the DPRK launched {n} ICBMs on a {value} trajectory",
                          ("lofted", "standard")),
    "icbm_failure": Phrase("month", "count", "an ICBM failed in flight",
                           "{n} ICBMs failed in flight"),
    "satellite_launch": Phrase("month", "value", "a satellite launch {value}",
                               "{n} satellite launches {value}", ("failed", "reached orbit")),
    "nuclear_test": Phrase("month", "count", "the DPRK conducted its seventh nuclear test",
                           "the DPRK conducted its seventh nuclear test"),
    "lethal_incident": Phrase("month", "count", "a lethal DPRK attack struck the peninsula",
                              "{n} lethal DPRK attacks struck the peninsula"),
    "escalation_crisis": Phrase("month", "count", "an incident escalated into a crisis",
                                "{n} incidents escalated into crises"),
    "intercept_attempt": Phrase("month", "count", "allied forces tried to intercept a missile",
                                "allied forces tried to intercept {n} missiles"),
    "intercept_success": Phrase("month", "count", "an intercept succeeded",
                                "{n} intercepts succeeded"),
    "launchpad_strike": Phrase("month", "count", "allied forces struck an ICBM on its launchpad",
                               "allied forces struck {n} ICBMs on their launchpads"),
    "parallel_sanctions": Phrase("month", "count", "another party adopted parallel sanctions",
                                 "{n} more parties adopted parallel sanctions"),
    "quiet_enforcement": Phrase("month", "count",
                                "Chinese customs quietly tightened checks on DPRK trade",
                                "Chinese customs quietly tightened checks on DPRK trade"),
    "munitions_shipment": Phrase("quarter", "sum", "the DPRK shipped about {n} rounds to Russia",
                                 "the DPRK shipped about {n} rounds to Russia"),
    "missile_rocket_transfer": Phrase("quarter", "sum",
                                      "one missile or large rocket moved to Russia",
                                      "{n} missiles or large rockets moved to Russia"),
    "short_range_launch": Phrase("quarter", "sum", "the DPRK fired one short-range missile",
                                 "the DPRK fired {n} short-range missiles"),
    "entity_listed": Phrase("quarter", "sum", "Washington listed one Russian entity",
                            "Washington listed {n} Russian entities"),
    "front_company": Phrase("quarter", "sum", "one new front company replaced listed ones",
                            "{n} new front companies replaced listed ones"),
    "allied_exercise": Phrase("quarter", "count", "the allies held one exercise",
                              "the allies held {n} exercises"),
    "exercise_condemned": Phrase("quarter", "count", "Moscow condemned one allied exercise",
                                 "Moscow condemned {n} allied exercises"),
    "un_action_blocked": Phrase("quarter", "count",
                                "Russia blocked one action in the Security Council",
                                "Russia blocked {n} actions in the Security Council"),
    "forum": Phrase("quarter", "count", "one international forum met",
                    "{n} international forums met"),
}
KINDS = list(PHRASES)
QUARTER = 3  # months in a summary period, counted from the scenario's start
OUTCOMES_SHOWN = 4  # headline outcomes at the horizon quoted under each story


def phrases_json() -> dict[str, Any]:
    """`PHRASES` as the script reads them: a list in clause order."""
    return {"kinds": KINDS, "phrases": [
        {"period": p.period, "amount": p.amount, "one": p.one, "many": p.many,
         "values": list(p.values)} for p in PHRASES.values()]}


# --- the log, compactly ---------------------------------------------------------------------------


def log_rows(events: pd.DataFrame) -> pd.DataFrame:
    """The event log as story rows: `portfolio` (categorical), `world`, `period` (the month,
    or the first month of its quarter), `kind` (index in `KINDS`), `value` (the value's index
    for "value" phrases, else 0) and `amount` (a count, or the rounded sum), sorted for
    telling."""
    columns = ["portfolio", "world", "period", "kind", "value", "amount"]
    if events.empty or not {"portfolio", "world", "month", "event"} <= set(events.columns):
        return pd.DataFrame(columns=columns)
    names = events["event"].astype("category")
    lookup = {name: i for i, name in enumerate(KINDS)}
    category_kind = np.array([lookup.get(str(c), -1) for c in names.cat.categories] + [-1])
    kind = category_kind[names.cat.codes.to_numpy()]
    keep = kind >= 0
    portfolio = events["portfolio"].astype("category")
    portfolio = portfolio.cat.rename_categories([str(c) for c in portfolio.cat.categories])
    raw = (pd.to_numeric(events["value"], errors="coerce").fillna(1.0).to_numpy()
           if "value" in events.columns else np.ones(len(events)))
    frame = pd.DataFrame({
        "portfolio": pd.Categorical(portfolio[keep]),
        "world": events["world"].to_numpy()[keep].astype(np.int64),
        "month": events["month"].to_numpy()[keep].astype(np.int64),
        "kind": kind[keep],
        "raw": raw[keep],
    })
    period_of = np.array([PHRASES[k].period == "quarter" for k in KINDS])
    amount_of = np.array([PHRASES[k].amount for k in KINDS])
    quarterly = period_of[frame["kind"]]
    frame["period"] = np.where(quarterly, frame["month"] // QUARTER * QUARTER, frame["month"])
    by_value = amount_of[frame["kind"]] == "value"
    frame["value"] = np.where(by_value, np.rint(frame["raw"]).astype(np.int64), 0)
    grouped = (frame.groupby(["portfolio", "world", "period", "kind", "value"], observed=True,
                             sort=True)
               .agg(count=("raw", "size"), total=("raw", "sum")).reset_index())
    summed = amount_of[grouped["kind"]] == "sum"
    grouped["amount"] = np.where(summed, np.rint(grouped["total"]),
                                 grouped["count"]).astype(np.int64)
    return grouped[columns]


def encode_log(rows: pd.DataFrame, portfolios: list[str], worlds: list[int]) -> str:
    """`log_rows` for every (portfolio, world) as base64 of gzip of one little-endian buffer:
    P × W + 1 int32 offsets (portfolio-major: the rows of portfolio i, world j are rows
    offsets[i·W + j] to offsets[i·W + j + 1]), then the rows column by column: amount (int32),
    period, kind and value (uint8 each). Columns compress far better than rows."""
    codes = pd.Categorical(rows["portfolio"], categories=portfolios).codes.astype(np.int64)
    w_index = pd.Index(worlds).get_indexer(rows["world"].to_numpy())
    keep = (codes >= 0) & (w_index >= 0)
    block = codes[keep] * len(worlds) + w_index[keep]
    order = np.argsort(block, kind="stable")
    block = block[order]
    body = rows[["period", "kind", "value", "amount"]].to_numpy(np.int64)[keep][order]
    counts = np.bincount(block, minlength=len(portfolios) * len(worlds))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype("<i4")
    if len(body) and (body[:, :3].max() > 255 or body[:, :3].min() < 0):
        raise ValueError("story rows out of range for one byte")
    data = b"".join([offsets.tobytes(), body[:, 3].astype("<i4").tobytes(),
                     *(body[:, k].astype(np.uint8).tobytes() for k in range(3))])
    return base64.b64encode(gzip.compress(data, compresslevel=6, mtime=0)).decode()


# --- sentences ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One dated sentence: its period's words ("March 2024" or "September–November 2023, in
    all"), a key shared by the same period in any story, and its clauses."""

    when: str
    key: str
    clauses: tuple[str, ...]

    @property
    def text(self) -> str:
        body = "; ".join(self.clauses)
        return f"{self.when}: {body[:1].upper()}{body[1:]}."


def quarter_words(start: str, first: int, horizon: int) -> str:
    """"September–November 2023" (or "December 2023–February 2024") for the quarter starting
    `first` months after `start`, cut at the horizon."""
    last = min(first + QUARTER, horizon) - 1
    a, b = month_name(start, first), month_name(start, last)
    if first == last:
        return a
    (ma, ya), (mb, yb) = a.split(" "), b.split(" ")
    return f"{ma}–{mb} {yb}" if ya == yb else f"{a}–{b}"


def clause(kind: str, value: int, amount: int) -> str:
    """One clause of `kind` with its value and amount."""
    phrase = PHRASES[kind]
    word = phrase.values[value] if 0 <= value < len(phrase.values) else str(value)
    n = amount
    if phrase.amount == "sum" and kind == "munitions_shipment":
        n = int(float(f"{amount:.2g}"))  # "about 380,000 rounds"
    template = phrase.one if amount == 1 else phrase.many
    return template.replace("{n}", f"{n:,}").replace("{value}", word)


def story_entries(rows: pd.DataFrame, start: str, horizon: int) -> list[Entry]:
    """One world's story under one portfolio (its `log_rows`), as dated sentences: each
    quarter's months with something notable, then the quarter's sums."""
    entries = []
    table = rows.sort_values(["period", "kind", "value"], kind="stable")
    monthly: dict[int, list[str]] = {}
    quarterly: dict[int, list[str]] = {}
    for r in table.itertuples(index=False):
        name = KINDS[int(r.kind)]
        target = quarterly if PHRASES[name].period == "quarter" else monthly
        target.setdefault(int(r.period), []).append(clause(name, int(r.value), int(r.amount)))
    for first in range(0, horizon, QUARTER):
        for month in range(first, min(first + QUARTER, horizon)):
            if month in monthly:
                entries.append(Entry(month_name(start, month), f"m{month}",
                                     tuple(monthly[month])))
        if first in quarterly:
            entries.append(Entry(f"{quarter_words(start, first, horizon)}, in all", f"q{first}",
                                 tuple(quarterly[first])))
    return entries


def _entries_html(entries: list[Entry], other: list[Entry]) -> str:
    """A story as an ordered list; clauses the other story lacks in the same period marked."""
    theirs = {e.key: set(e.clauses) for e in other}
    items = []
    for e in entries:
        parts = []
        for k, c in enumerate(e.clauses):
            text = c[:1].upper() + c[1:] if k == 0 else c
            text = esc(text)
            parts.append(f'<span class="differs">{text}</span>'
                         if c not in theirs.get(e.key, set()) else text)
        items.append(f'<li data-key="{esc(e.key)}"><strong>{esc(e.when)}:</strong> '
                     + "; ".join(parts) + ".</li>")
    return "\n".join(items) or '<li class="muted">Nothing was logged in this world.</li>'


# --- the section --------------------------------------------------------------------------------


def _outcome_values(page: Page, portfolios: list[str], worlds: list[int]
                    ) -> tuple[list[str], list[list[list[float | None]]]]:
    """The first few headline outcomes at the horizon, per portfolio and world."""
    from axis_sim.report.common import world_table

    frame = world_table(page.result, "outcomes")
    shown = [o for o in page.headline if o in frame.columns][:OUTCOMES_SHOWN]
    if frame.empty or not shown:
        return [], []
    frame = frame[frame["world"].isin(worlds)]
    out = []
    for p in portfolios:
        mine = frame[key_is(frame["portfolio"], p)].drop_duplicates("world").set_index("world")
        mine = mine.reindex(worlds)
        out.append([[None if pd.isna(v) else float(f"{v:.4g}") for v in mine[o]]
                    for o in shown])
    return shown, out


def story_section(page: Page) -> str:
    """The "A world's story" section: world and portfolio selects, the two stories side by
    side (the first pair rendered here), and the compact log the script tells any other pair
    from."""
    events = page.result.events
    worlds = sample_worlds(page.result)
    present = set() if events.empty or "portfolio" not in events.columns else {
        str(p) for p in events["portfolio"].unique()}
    portfolios = [p for p in page.ranked() if p in present]
    others = [p for p in portfolios if p != STATUS_QUO]
    if not worlds or STATUS_QUO not in present or not others:
        return render("story.html", data=None, worlds=[], portfolios=[], first=None)
    picks = representative_worlds(page.result)
    names = {"median": "typical (median)", "best": "best for the US", "worst": "worst for the US"}
    labelled = {w: names[k] for k, w, _ in picks}
    ordered = [w for _, w, _ in picks] + [w for w in worlds if w not in labelled]
    world_options = [(str(w), f"World {w}" + (f" — {labelled[w]}" if w in labelled else ""))
                     for w in ordered]
    portfolio_options = [(p, f"{portfolio_label(page.scenario, p)} ({p})") for p in others]
    rows = log_rows(events)
    start, horizon = page.scenario.meta.start, page.scenario.meta.horizon_months
    world, chosen = ordered[0], others[0]

    def entries(p: str) -> list[Entry]:
        mine = rows[rows["world"] == world]
        mine = mine[mine["portfolio"].astype(str) == p]
        return story_entries(mine, start, horizon)

    told, base = entries(chosen), entries(STATUS_QUO)
    shown, values = _outcome_values(page, [STATUS_QUO, *others], worlds)
    data = {
        **phrases_json(),
        "start": start, "horizon": horizon, "quarter": QUARTER,
        "portfolios": [STATUS_QUO, *others], "worlds": worlds,
        "labels": {p: portfolio_label(page.scenario, p) for p in [STATUS_QUO, *others]},
        "log": encode_log(rows, [STATUS_QUO, *others], worlds),
        "outcomes": [{"label": page.scenario.outcomes[o].label,
                      "unit": page.scenario.outcomes[o].unit} for o in shown],
        "values": values,
    }
    first = {
        "world": str(world), "portfolio": chosen,
        "label": portfolio_label(page.scenario, chosen),
        "told": markup(_entries_html(told, base)), "base": markup(_entries_html(base, told)),
        "horizon": month_label(start, horizon - 1),
    }
    return render("story.html", data=markup(json_for_script(data)), worlds=world_options,
                  portfolios=portfolio_options, first=first, count=len(worlds),
                  format_number=format_number)
