"""`AxisModel`: one Mesa model that advances many worlds at once, one month per step.

A month, top to bottom (the order is fixed; `step` reads exactly like this list):

1. **draws** — every random stream is drawn for every world (common random numbers);
2. **context** — the war in Ukraine goes on or pauses; Russia's munitions demand and gap,
   and Western aid to Ukraine;
3. **scheduled events** — forums, allied exercises and calendar summits due this month happen
   or not (a calendar date only adds its chance: summits also come by Russia's hazard);
4. **decisions**, through the model's AgentSet in this order — US (puts the policies in force
   into the levers; exercises, more after a provocation), ROK and Japan (back trilateral
   cooperation or hedge, after last month's threats), China (distance, condone or quietly
   enforce; would it drill), Russia (seek a summit, propose the next rung, hold the allies back
   under the treaty, reroute by sea, cool with Seoul; condemn exercises), DPRK (posture, ties,
   launches and trajectories against the declared intercept risk, the test, coercion);
5. **interactions** — the alliance adjusts; the ladder moves where Moscow proposed and Pyongyang
   (and, for the naval exercise, Beijing) agreed, maybe twice when both need it badly, and
   technology follows; munitions cross by rail or sea through the sanctions net; intercepts and
   pad strikes are tried; detected transfers identify entities for listing.

Every rule declares what it writes and from what (`rules.py`); docs/model.md draws the graph.
The runner then records every outcome for every world (`metrics.record`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from axis_sim.model.allies import Japan, SouthKorea, UnitedStates
from axis_sim.model.china import China
from axis_sim.model.directives import directed, ruled
from axis_sim.model.dprk import NorthKorea
from axis_sim.model.eventlog import EventLog
from axis_sim.model.options import IN_FORCE, OPTION_CLASSES, Levers, PolicyOption
from axis_sim.model.rules import rule
from axis_sim.model.russia import Russia
from axis_sim.model.streams import Streams
from axis_sim.model.trade import Trade, exchange, sanctions_network
from axis_sim.scenario.schema import Scenario, month_index

CONTEXT_PARAMETERS: dict[str, str] = {
    "russia_artillery_use": "rounds/month",
    "russia_shell_production": "rounds/month",
    "russia_reserve": "rounds",
    "reserve_release_share": "share/month",
    "ceasefire_hazard": "probability/month",
    "demand_after_ceasefire": "share",
    "western_aid_to_ukraine": "index 0-1",
    "aid_after_ceasefire": "share",
    "delivery_noise": "share",
    "sanctions_listing_friction": "share of deliveries stopped, whole network listed",
    "party_enforcement_gain": "share extra friction per added sanctioning party",
    "max_friction": "share",
}


@dataclass
class Context:
    """Exogenous conditions this month: is the war on, how much Russia needs."""

    worlds: int
    ceasefire: np.ndarray = field(init=False)
    demand: np.ndarray = field(init=False)
    munitions_gap: np.ndarray = field(init=False)
    deficit: np.ndarray = field(init=False)  # demand beyond Russia's own production, before reserve
    western_aid: np.ndarray = field(init=False)
    russia_reserve: np.ndarray = field(init=False)  # rounds left in Russia's war reserve

    def __post_init__(self) -> None:
        self.ceasefire = np.zeros(self.worlds, dtype=bool)
        self.demand = np.zeros(self.worlds)
        self.munitions_gap = np.zeros(self.worlds)
        self.deficit = np.zeros(self.worlds)
        self.western_aid = np.zeros(self.worlds)
        self.russia_reserve = np.zeros(self.worlds)


@dataclass
class Now:
    """Which scheduled events happen this month, per world."""

    worlds: int
    summit: np.ndarray = field(init=False)
    forum: np.ndarray = field(init=False)
    exercise: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.summit = np.zeros(self.worlds, dtype=bool)
        self.forum = np.zeros(self.worlds, dtype=bool)
        self.exercise = np.zeros(self.worlds, dtype=bool)


@dataclass
class Crises:
    """Escalation crises on the peninsula: all of them, and those allied action set off."""

    model: AxisModel
    count: np.ndarray
    allied_action: np.ndarray

    def add(self, month: int, actor: str, crisis: np.ndarray) -> None:
        """Count and log a crisis in every world where `crisis` is true; `actor` set it off."""
        self.count += crisis
        if actor == "US":
            self.allied_action += crisis
        self.model.log.record(month, actor, "escalation_crisis", crisis)


class AxisModel(mesa.Model):
    """The Russia–DPRK alignment and the allied response, over `worlds` worlds at once.

    `params` maps every parameter path (`context.x`, `actors.DPRK.x`, `options.<id>.x`,
    `events.<id>.probability`) to an array of one value per world. `portfolio` names the
    options in force (their start, intensity and duration come from the scenario unless
    `overrides` sets them). `watched` are the worlds whose events are logged. With
    `shared_draws`, every world gets the same random draws (designed experiments).
    """

    def __init__(self, scenario: Scenario, params: dict[str, np.ndarray], *, seed: int,
                 chunk: int = 0, portfolio: tuple[str, ...] = (),
                 watched: np.ndarray | None = None, world_offset: int = 0,
                 shared_draws: bool = False, streams: Streams | None = None) -> None:
        worlds = len(next(iter(params.values())))
        super().__init__(rng=seed)
        self.spec = scenario
        self.params = params
        self.worlds = worlds
        self.month = 0
        self.horizon = scenario.meta.horizon_months
        entities = int(params["actors.Russia.procurement_entities"][0])
        self.streams = streams or Streams(seed, chunk, worlds, entities,
                                          tuple(e.id for e in scenario.events),
                                          shared=shared_draws)
        watched = np.empty(0, dtype=np.int64) if watched is None else watched
        self.log = EventLog(worlds, watched, world_offset)

        self.context = Context(worlds)
        self.context.russia_reserve = params["context.russia_reserve"].copy()
        self.now = Now(worlds)
        self.levers = Levers(worlds)
        self.trade = Trade(worlds, entities)
        self.crises = Crises(self, np.zeros(worlds, dtype=np.int32),
                             np.zeros(worlds, dtype=np.int32))
        self.summits = np.zeros(worlds, dtype=np.int32)
        self.intercept_attempts = np.zeros(worlds, dtype=np.int32)
        self.intercept_successes = np.zeros(worlds, dtype=np.int32)
        self.month_intercepts = np.zeros(worlds, dtype=np.int32)
        self.launchpad_strikes = np.zeros(worlds, dtype=np.int32)
        self.options: list[PolicyOption] = []
        self.set_portfolio({o: None for o in portfolio})

        self.us = UnitedStates(self)
        self.rok = SouthKorea(self)
        self.japan = Japan(self)
        self.china = China(self)
        self.russia = Russia(self)
        self.dprk = NorthKorea(self)
        # The actors join the model's AgentSet in the documented decision order, and `step`
        # activates them through it (Mesa keeps agents in the order they were added).
        initial = np.rint(self.params["actors.US.initial_listed_entities"]).astype(int)
        self.trade.listed[:] = np.arange(entities)[None, :] < initial[:, None]
        self.trade.identified[:] = self.trade.listed
        self.draws: dict[str, np.ndarray] = {}
        # Decisions human teams take in place of the doctrine (seminar), the directive keys the
        # umpire lets past a rule, and the umpire's rulings on chance events; see directives.py.
        self.directives: dict[str, object] = {}
        self.exceptions: set[str] = set()
        self.rulings: dict[str, bool] = {}

    def set_portfolio(self, intensities: dict[str, float | None], start: int | None = None) -> None:
        """Put the options in force: those named at their intensity (None: the scenario's),
        from `start` (None: the scenario's), and the policies status quo already pursues
        (`IN_FORCE`) at their pre-start level wherever the portfolio does not name them."""
        spec, start_date = self.spec, self.spec.meta.start
        self.options = []
        for option, cls in OPTION_CLASSES.items():
            in_force = self.params[IN_FORCE[option]] if option in IN_FORCE else 0.0
            if option in intensities:
                self.options.append(cls(spec.options[option], start_date, self.params,
                                        intensity=intensities[option], start=start,
                                        in_force=in_force))
            elif option in IN_FORCE:
                self.options.append(cls(spec.options[option], start_date, self.params,
                                        in_portfolio=False, in_force=in_force))

    def directed(self, key: str, default: np.ndarray,
                 allowed: np.ndarray | None = None) -> np.ndarray:
        """The doctrine's choice `default`, unless a team's directive decides `key`; a directive
        counts only where the rules allow the decision (`allowed`), unless the umpire made an
        exception for it."""
        return directed(self.directives, key, default, allowed, self.exceptions)

    def ruled(self, key: str, happened: np.ndarray) -> np.ndarray:
        """The model's draw `happened` of chance event `key`, unless the umpire ruled on it."""
        return ruled(self.rulings, key, happened)

    def excepted(self, key: str) -> bool:
        """True if a team's directive decides `key` and the umpire let it past the rules."""
        return key in self.directives and key in self.exceptions

    # --- the month -----------------------------------------------------------------------------

    def step(self) -> None:
        """Advance every world by one month, in the documented order."""
        month = self.month
        self.draws = self.streams.month()
        self._context(month)
        self._scheduled_events(month)
        self.levers.reset()
        self.agents.do("decide", month)
        self.us.adjust_alliance()
        self.russia.settle_ladder(month)
        exchange(self, month)
        self._intercepts(month)
        sanctions_network(self, month)
        self.month += 1
        if self.month >= self.horizon:
            self.running = False

    @rule(writes={
        "context.ceasefire": ("context.ceasefire",),
        "context.demand": ("context.ceasefire",),
        "context.russia_reserve": ("context.russia_reserve", "context.demand"),
        "context.munitions_gap": ("context.demand", "context.russia_reserve"),
        "context.deficit": ("context.demand",),
        "context.western_aid": ("context.ceasefire",),
    })
    def _context(self, month: int) -> None:
        ctx, p = self.context, self.params
        starts = ~ctx.ceasefire & self.ruled(
            "ceasefire", self.draws["ceasefire"] < p["context.ceasefire_hazard"])
        ctx.ceasefire |= starts
        self.log.record(month, "World", "ceasefire", starts)
        ctx.demand = p["context.russia_artillery_use"] * np.where(
            ctx.ceasefire, p["context.demand_after_ceasefire"], 1.0)
        # Russia covers what its factories cannot from its war reserve, but releases only a share
        # of it a month (it keeps a reserve; calibres and depots do not match the front's needs).
        ctx.deficit = np.maximum(ctx.demand - p["context.russia_shell_production"], 0.0)
        release = np.minimum(ctx.russia_reserve * p["context.reserve_release_share"], ctx.deficit)
        ctx.russia_reserve = ctx.russia_reserve - release
        ctx.munitions_gap = ctx.deficit - release
        ctx.western_aid = p["context.western_aid_to_ukraine"] * np.where(
            ctx.ceasefire, p["context.aid_after_ceasefire"], 1.0)

    @rule(writes={"now.summit": (), "now.forum": (), "now.exercise": ()})
    def _scheduled_events(self, month: int) -> None:
        now = self.now
        now.summit[:] = now.forum[:] = now.exercise[:] = False
        target = {"leader_summit": now.summit, "forum": now.forum, "allied_exercise": now.exercise}
        actor = {"leader_summit": "Russia", "forum": "US", "allied_exercise": "US"}
        for event in self.spec.events:
            if not is_due(month_index(self.spec.meta.start, event.month), event.every_months,
                          month):
                continue
            chance = self.params[f"events.{event.id}.probability"]
            happens = self.draws[f"event:{event.id}"] < chance
            if event.kind == "allied_exercise":
                # A team that orders no exercises cancels the calendar's too; one that orders
                # them holds one every month (in the US's decision, if none is due here).
                happens = self.directed("US.exercise", happens) & happens
            elif event.kind == "leader_summit":
                happens = self.ruled("leader_summit", happens)
            target[event.kind] |= happens
            self.log.record(month, actor[event.kind], event.kind, happens)

    @rule(writes={
        "model.month_intercepts": ("dprk.month_icbm_standard", "dprk.month_icbm",
                                   "levers.intercept_posture", "levers.intercept_effectiveness",
                                   "levers.launchpad_threat", "us.warning_quality"),
    }, records={
        "crises.allied_action": ("dprk.month_icbm_standard", "dprk.month_icbm",
                                 "levers.intercept_posture", "levers.launchpad_threat",
                                 "us.warning_quality", "levers.escalation_per_attempt"),
        "model.intercept_attempts": ("dprk.month_icbm_standard", "levers.intercept_posture"),
        "model.intercept_successes": ("dprk.month_icbm_standard", "levers.intercept_posture",
                                      "levers.intercept_effectiveness", "us.warning_quality"),
        "model.launchpad_strikes": ("dprk.month_icbm", "levers.launchpad_threat",
                                    "us.warning_quality"),
    })
    def _intercepts(self, month: int) -> None:
        """Under the declaration: try to intercept standard-trajectory ICBMs in flight, and
        strike launches seen in preparation on the pad; either can set off a crisis."""
        levers, warning = self.levers, self.us.warning_quality
        attempt = self.dprk.month_icbm_standard & self.ruled(
            "intercept_attempt", self.draws["intercept_attempt"] < levers.intercept_posture)
        success = attempt & self.ruled("intercept_success", self.draws["intercept_success"]
                                       < levers.intercept_effectiveness * warning)
        # A launch seen in preparation (warning quality) may be struck on the pad; a strike on
        # a prepared launcher is taken to succeed — it is the risk Pyongyang weighs (dprk.py).
        strike = self.dprk.month_icbm & self.ruled(
            "launchpad_strike", self.draws["launchpad_strike"] < levers.launchpad_threat * warning)
        self.intercept_attempts += attempt
        self.intercept_successes += success
        self.launchpad_strikes += strike
        self.month_intercepts = (success | strike).astype(np.int32)
        self.log.record(month, "US", "intercept_attempt", attempt)
        self.log.record(month, "US", "intercept_success", success)
        self.log.record(month, "US", "launchpad_strike", strike)
        crisis = (attempt | strike) & self.ruled(
            "escalation_crisis",
            self.draws["intercept_escalation"] < levers.escalation_per_attempt)
        self.crises.add(month, "US", crisis)


def is_due(first: int, every: int | None, month: int) -> bool:
    """True if an event first due in month `first`, repeating every `every` months, is due now."""
    if month < first:
        return False
    return month == first if every is None else (month - first) % every == 0
