"""The decision a run supports, in words: the robust choice or the trade-off, the rank
acceptability, the Pareto set, the exchange rates the weights imply, double counting.

Plain text and plain rows (no HTML, no Markdown) so the brief, the terminal and the dashboard
say the same thing. Every number is rounded for a person: shares as percentages, effects to
the digits their MMD makes meaningful (`formatting.format_effect`), never scientific notation.
Nothing here reads an SD-normalised score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from axis_sim.experiment.decision import LEADERS, SMAA_DRAWS
from axis_sim.experiment.results import RunResult
from axis_sim.experiment.value import ValueModel, exchange_rates, value_model
from axis_sim.report.formatting import format_effect, format_probability, significant
from axis_sim.scenario.parameters import parameter_labels, plain_paths
from axis_sim.scenario.schema import STATUS_QUO, Scenario

ROBUST_SHARE = 0.5  # first in at least half the weight space (and on the Pareto set): robust
CONTENDER_SHARE = 0.05  # first in less than this: not named as a contender
RIVAL_SHARE = 0.2  # a runner-up first this often: the robust choice's trade-off is stated too
BINARY = "0/1"
# Units read as "one <singular>" in exchange rates; others as "<step> <unit>".
SINGULAR = {"rounds": "round", "incidents": "incident", "crises": "crisis",
            "launches": "launch", "parties": "party", "summits": "summit",
            "transfers": "transfer", "months": "month", "strikes": "strike",
            "attempts": "attempt", "entities": "entity", "systems": "system",
            "actions": "action", "launch events": "launch event", "rung 0-4": "rung"}


def label(scenario: Scenario, name: str) -> str:
    """A portfolio's name for a sentence: "status quo", the scenario's own name for its option
    set ("allied package"), or its options joined ("sanctions listing + warn beijing")."""
    if name == STATUS_QUO:
        return "status quo"
    members = scenario.portfolios.get(name) or name.split("+")
    for named, theirs in scenario.portfolios.items():
        if frozenset(theirs) == frozenset(members):
            return named.replace("_", " ")
    return " + ".join(m.replace("_", " ") for m in members)


@dataclass(frozen=True)
class Standing:
    """One portfolio's place in weight space."""

    portfolio: str
    first: float  # share of weight space (paired with worlds) where it ranks first
    top3: float  # ... where it ranks in the first three
    confidence: float  # confidence factor at its central weights (NaN if never first)
    pareto: bool


def standings(result: RunResult) -> list[Standing]:
    """Every portfolio, most often first in weight space first (then most often top three)."""
    table, central, pareto = result.acceptability, result.central_weights, result.pareto
    if table.empty or central.empty:
        return []
    top3 = table[table["rank"] <= 3].groupby("portfolio", sort=False)["share"].sum()
    on_set = dict(zip(pareto["portfolio"], pareto["pareto"], strict=True)) if len(pareto) else {}
    rows = [Standing(str(r.portfolio), float(r.first), float(top3.get(r.portfolio, 0.0)),
                     float(r.confidence), bool(on_set.get(r.portfolio, True)))
            for r in central.itertuples()]
    return sorted(rows, key=lambda s: (-s.first, -s.top3))


def tied(a: float, b: float, draws: int = SMAA_DRAWS) -> bool:
    """Whether two first-rank shares are within the analysis's Monte Carlo error of each other
    (two standard errors of their difference)."""
    se = math.sqrt((a * (1 - a) + b * (1 - b)) / draws)
    return abs(a - b) <= 2 * se


def pareto_names(result: RunResult) -> list[str]:
    """The Pareto set's portfolios, in run order."""
    if result.pareto.empty:
        return []
    return [str(p) for p in result.pareto.loc[result.pareto["pareto"].astype(bool), "portfolio"]]


def _effect_text(scenario: Scenario, outcome: str, value: float) -> str:
    spec = scenario.outcomes[outcome]
    mmd = spec.mmd.value if spec.mmd is not None else float("nan")
    if spec.unit == BINARY:
        return f"{format_effect(100 * value, 100 * mmd, signed=True)} percentage points"
    return f"{format_effect(value, mmd, signed=True)} {spec.unit}"


def gives_up(result: RunResult, portfolio: str, versus: str | None = None,
             own_view: bool = False) -> list[str]:
    """What `portfolio` gives up: each scored outcome on which another Pareto member (or
    `versus`) is meaningfully better, with the difference: "Crises … (allied package: -0.15
    crises)", the other minus this one; with `own_view`, "Crises … (+0.15 crises)", this one
    minus `versus`."""
    rows = result.tradeoffs
    if rows.empty:
        return []
    rows = rows[rows["portfolio"] == portfolio]
    if versus is None:
        rows = rows[rows["both_pareto"].astype(bool)]
    else:
        rows = rows[rows["versus"] == versus]
    s = result.scenario
    out = []
    for key, group in rows.groupby("outcome", sort=False):
        outcome = str(key)
        sign = 1.0 if s.outcomes[outcome].better == "higher" else -1.0
        best = group.loc[(sign * group["diff_mean"]).idxmax()]
        if own_view:
            out.append(f"{s.outcomes[outcome].label} "
                       f"({_effect_text(s, outcome, -best['diff_mean'])})")
        else:
            out.append(f"{s.outcomes[outcome].label} ({label(s, str(best['versus']))}: "
                       f"{_effect_text(s, outcome, best['diff_mean'])})")
    return out


def bottom_line(result: RunResult) -> str:
    """The brief's first paragraph: the robust choice, or that the choice depends on weights
    and on which trade-off."""
    s = result.scenario
    ranked = standings(result)
    members = pareto_names(result)
    if not ranked:
        if not value_model(s).outcomes:
            return ("No value model to rank the portfolios by: the scenario states no swings "
                    "for its headline outcomes.")
        return ("This run has no rank acceptability table (it was written before the value "
                "model, or compared no portfolios), so it cannot say which choice is robust.")
    top = ranked[0]
    space = ("of the weight space (every weighting of the scored outcomes that respects the "
             "scenario's judgements, each paired with a simulated world)")
    others = [label(s, p) for p in members if p != top.portfolio]
    pareto_text = (f"The Pareto set (no other portfolio meaningfully better on one outcome and "
                   f"not meaningfully worse on any) has {len(members)} member"
                   f"{'' if len(members) == 1 else 's'}")
    if top.first >= ROBUST_SHARE and top.pareto and not (
            len(ranked) > 1 and tied(top.first, ranked[1].first)):
        runner_up = (f"; next is {label(s, ranked[1].portfolio)}, first in "
                     f"{format_probability(ranked[1].first)}" if len(ranked) > 1 else "")
        text = (f"The robust choice is {label(s, top.portfolio)}: it ranks first in "
                f"{format_probability(top.first)} {space}, and in the first three in "
                f"{format_probability(top.top3)}{runner_up}. {pareto_text}"
                + (f"; the others are {', '.join(others)}." if others else ": this one."))
        if len(ranked) > 1 and ranked[1].first >= RIVAL_SHARE:
            # A strong second still leaves a trade-off some weightings decide the other way.
            text += _trade_off(result, [r.portfolio for r in ranked if r.first > 0][:LEADERS])
        return text
    contenders = [r for r in ranked if r.first >= CONTENDER_SHARE][:3] or ranked[:2]
    shares = "; ".join(f"{label(s, r.portfolio)} in {format_probability(r.first)}"
                       for r in contenders)
    text = (f"The choice depends on the weights: no portfolio ranks first across most of the "
            f"weight space. First: {shares} {space}.")
    if len(contenders) > 1 and tied(contenders[0].first, contenders[1].first):
        text += (f" {sentence(label(s, contenders[0].portfolio))} and "
                 f"{label(s, contenders[1].portfolio)}"
                 " are tied: their shares differ by less than the analysis can tell apart.")
    text += _trade_off(result, [r.portfolio for r in ranked if r.first > 0][:LEADERS])
    return f"{text} {pareto_text}: {', '.join(label(s, p) for p in members)}."


def sentence(text: str) -> str:
    """`text` with its first letter capitalised (labels start sentences lower case)."""
    return text[:1].upper() + text[1:]


def _trade_off(result: RunResult, leaders: list[str]) -> str:
    """The trade-off between the portfolio most often first and the next one that differs
    from it meaningfully on some scored outcome; or that none does."""
    s = result.scenario
    if len(leaders) < 2:
        return ""
    a = leaders[0]
    same = []
    for b in leaders[1:]:
        loses, wins = gives_up(result, a, b, own_view=True), gives_up(result, b, a)
        if not (loses or wins):
            same.append(label(s, b))
            continue
        text = "" if not same else (
            f" {sentence(label(s, a))} and {', '.join(same)} differ by less than the minimal "
            "meaningful difference (or too uncertainly to say) on every scored outcome.")
        wins = [w.replace(f"({label(s, a)}: ", "(") for w in wins]
        return text + (f" The trade-off to own is {label(s, a)} against {label(s, b)}: the "
                       "first is meaningfully better on "
                       + ("; ".join(wins) if wins else "nothing")
                       + " and worse on " + ("; ".join(loses) if loses else "nothing")
                       + " (mean paired difference, first minus second).")
    return (f" {sentence(label(s, a))} and the next {len(same)} differ by less than the minimal "
            "meaningful difference (or too uncertainly to say) on every scored outcome.")


def acceptability_rows(result: RunResult, most: int = 8) -> list[dict[str, str]]:
    """The portfolios most often first: shares of rank 1, 2, 3, the first three, the confidence
    factor and Pareto membership, formatted."""
    table = result.acceptability
    rows = []
    for r in standings(result)[:most]:
        mine = table[table["portfolio"] == r.portfolio].set_index("rank")["share"]
        rows.append({
            "portfolio": r.portfolio, "label": label(result.scenario, r.portfolio),
            **{f"rank{k}": format_probability(mine.get(k, 0.0)) for k in (1, 2, 3)},
            "top3": format_probability(r.top3),
            "confidence": "—" if math.isnan(r.confidence) else format_probability(r.confidence),
            "pareto": "yes" if r.pareto else "no",
        })
    return rows


def pareto_lines(result: RunResult) -> list[str]:
    """One line per Pareto member: what it gives up to the other members."""
    s = result.scenario
    lines = []
    for name in pareto_names(result):
        lost = gives_up(result, name)
        lines.append(f"{label(s, name)}: " + ("gives up " + "; ".join(lost) if lost else
                                              "no other member is meaningfully better on any "
                                              "scored outcome"))
    return lines


def dominated_count(result: RunResult) -> int:
    """How many portfolios are off the Pareto set."""
    return 0 if result.pareto.empty else int((~result.pareto["pareto"].astype(bool)).sum())


# --- the value model ---------------------------------------------------------------------------


def reference(model: ValueModel) -> str | None:
    """The outcome exchange rates are quoted in: the most heavily weighted (first of equals)."""
    if not model.outcomes or model.weights.max() <= 0:
        return None
    return model.outcomes[int(model.weights.argmax())]


def amount(value: float) -> str:
    """A large quantity for a sentence: "1.1 million", "350,000", "0.25"."""
    if abs(value) >= 1e6:
        return f"{significant(value / 1e6, 2)} million"
    if abs(value) >= 1000:
        return f"{float(significant(value, 2).replace(',', '')):,.0f}"
    return significant(value, 2)


def _step(unit: str, width: float) -> float:
    """The step an exchange rate is quoted for: one of a counted thing ("one crisis"), else a
    round tenth of the swing (0.1 on a 0–1 index, 10 on a 0–100 one)."""
    if unit in SINGULAR or unit == BINARY:
        return 1.0
    return 10.0 ** (round(math.log10(width)) - 1)


def _quantity(step: float, unit: str, what: str) -> str:
    if unit == BINARY:
        return f"“{what}” happening"
    if step == 1 and unit in SINGULAR:
        return f"one {SINGULAR[unit]} of “{what}”"
    return f"{significant(step, 2)} on “{what}” ({unit})"


def exchange_lines(result: RunResult) -> list[str]:
    """"With these weights, one crisis of “…” counts as much as 1.7 million rounds of “…”", one
    per weighted outcome other than the reference."""
    s = result.scenario
    model = value_model(s)
    ref = reference(model)
    if ref is None:
        return []
    ref_spec = s.outcomes[ref]
    lines = []
    for outcome, rate in exchange_rates(model, ref).items():
        spec = s.outcomes[outcome]
        step = _step(spec.unit, float(model.width[model.index(outcome)]))
        ref_units = rate * step
        unit = ref_spec.unit if ref_spec.unit != BINARY else "chance"
        lines.append(f"{_quantity(step, spec.unit, spec.label)} counts as much as "
                     f"{amount(ref_units)} {unit} of “{ref_spec.label}”")
    return lines


def value_rows(result: RunResult) -> list[dict[str, str]]:
    """Per scored outcome: its swing, swing weight (as a share), MMD and their sources."""
    s = result.scenario
    model = value_model(s)
    labels = parameter_labels(s)  # sources name parameters by path: shown by label
    rows = []
    for k, outcome in enumerate(model.outcomes):
        spec = s.outcomes[outcome]
        assert spec.swing is not None  # value_model keeps only outcomes with a swing
        rows.append({
            "outcome": outcome, "label": spec.label, "unit": spec.unit,
            "swing": f"{significant(spec.swing.worst, 3)} → {significant(spec.swing.best, 3)}",
            "weight": format_probability(model.weights[k]),
            "mmd": significant(spec.mmd.value, 2) if spec.mmd is not None else "—",
            "swing_source": plain_paths(spec.swing.source, labels),
            "mmd_source": plain_paths(spec.mmd.source, labels) if spec.mmd is not None else "",
        })
    return rows


def judgement_lines(scenario: Scenario) -> list[str]:
    """The scenario's ordinal judgements, "Lethal incidents … outweighs US–China tension"."""
    model = value_model(scenario)
    return [f"{scenario.outcomes[model.outcomes[i]].label} outweighs "
            f"{scenario.outcomes[model.outcomes[j]].label}" for i, j in model.order]


def overlap_lines(result: RunResult) -> list[str]:
    """Headline outcome pairs that move together (correlation of per-world effects above 0.9),
    scored twice or already handled."""
    table = result.overlaps
    if table.empty:
        return []
    s = result.scenario
    lines = []
    for r in table.itertuples():
        a, b = s.outcomes[str(r.outcome_a)].label, s.outcomes[str(r.outcome_b)].label
        what = (f"“{a}” and “{b}” move together (correlation {r.correlation:.2f} of their "
                "per-world effects over every world and portfolio)")
        lines.append(what + (": both are scored, so the value model counts one harm twice; "
                             "mark one as restating the other (`restates:`)"
                             if bool(r.double_counted) else
                             ": one of them is shown but not scored, so nothing is counted "
                             "twice"))
    return lines


def outcome_verdicts(result: RunResult, portfolio: str, most: int = 3
                     ) -> tuple[list[str], list[str]]:
    """What a portfolio buys and what it costs against status quo: headline outcomes with the
    verdict "better" (or "worse"), largest first in multiples of their MMD."""
    s = result.scenario
    rows = result.comparison[(result.comparison["portfolio"] == portfolio)
                             & result.comparison["outcome"].isin(s.headline_outcomes)]
    if rows.empty or "verdict" not in rows.columns:
        return [], []
    rows = rows.assign(size=(rows["diff_mean"] / rows["mmd"]).abs())
    buys, costs = [], []
    for _, row in rows.sort_values("size", ascending=False).iterrows():
        outcome = str(row["outcome"])
        text = (f"{s.outcomes[outcome].label}: {_effect_text(s, outcome, row['diff_mean'])} "
                f"[{_bare(s, outcome, row['diff_ci_low'])}, "
                f"{_bare(s, outcome, row['diff_ci_high'])}]")
        if row["verdict"] == "better":
            buys.append(text)
        elif row["verdict"] == "worse":
            costs.append(text)
    return buys[:most], costs[:most]


def _bare(s: Scenario, outcome: str, value: float) -> str:
    """An interval end, rounded like the effect, without its unit."""
    spec = s.outcomes[outcome]
    mmd = spec.mmd.value if spec.mmd is not None else float("nan")
    scale = 100.0 if spec.unit == BINARY else 1.0
    return format_effect(scale * value, scale * mmd, signed=True)
