"""Russia: the cooperation ladder with the DPRK, technology transfers, and cover at the UN.

The ladder (the analysis' escalating forms of cooperation):
0 none · 1 arms deals and food/energy aid · 2 technology transfer for satellites, nuclear-powered
submarines and ballistic missiles · 3 joint naval exercises that include China · 4 reactivation
of the Treaty of Friendship, Co-operation and Mutual Assistance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from axis_sim.model.actor import Actor
from axis_sim.model.choice import logit_choice, logit_probability, shifted_probability
from axis_sim.model.rules import rule

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel

PROGRAMMES: tuple[str, ...] = ("satellite", "submarine", "icbm")
TECH_LEVEL = 2
NAVAL_EXERCISE_LEVEL = 3
TREATY_LEVEL = 4


class Russia(Actor):
    """Moscow: climbs the ladder for munitions, transfers technology, shields the DPRK at the UN."""

    name = "Russia"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "initial_cooperation_level": "ladder rung 0-4",
        "initial_trust": "index 0-1",
        "ladder_temperature": "utility",
        "ladder_need_weight": "utility per unit munitions-gap share",
        "ladder_trust_weight": "utility per unit trust",
        "ladder_step_cost": "utility per rung",
        "summit_ladder_bonus": "utility",
        "retaliation_weight": "utility per unit Western aid to Ukraine",
        "sanctions_aversion": "utility per unit friction",
        "treaty_without_china_cost": "utility",
        "trust_per_million_rounds": "index per million rounds",
        "trust_decay": "share/month",
        "tech_transfer_probability": "probability/month",
        "tech_per_million_rounds": "probability per million rounds",
        "un_shield_probability": "probability",
        "condemn_exercise_probability": "probability",
        "procurement_entities": "entities",
        "front_rebuild_months": "months",
        "summit_hazard": "probability/month",
        "summit_need_weight": "utility per unit of need",
        "fast_step_weight": "utility per unit of joint need",
        "treaty_transfer_multiplier": "times the transfer probability",
        "treaty_restraint_on_allies": "share of allied intercept and strike posture",
        "listing_response": "rule form: 0 listings bite, 1 rerouted by sea",
        "reroute_rate": "share of deliveries moved per unit of friction a month",
        "sea_capacity": "rounds/month",
        "sea_listing_exposure": "share of rail friction that reaches the sea route",
        "asia_retaliation": "probability per allied action",
        "erosion_per_block": "share of the UN regime's remaining force per block",
        "initial_rok_ties": "index 0-1",
        "rok_ties_ladder_loss": "index per rung",
        "covert_concealment": "share of visibility lost when all transfers are covert",
        "covert_capacity_loss": "share of capacity lost when all transfers are covert",
    }

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.cooperation = np.rint(self.par("initial_cooperation_level")).astype(np.int8)
        self.trust = self.par("initial_trust").copy()
        self.tech_transfers = np.zeros((model.worlds, len(PROGRAMMES)), dtype=np.int32)
        self.month_transfer = np.zeros(model.worlds, dtype=bool)
        self.un_blocks = np.zeros(model.worlds, dtype=np.int32)
        self.un_erosion = np.zeros(model.worlds)  # share of the UN sanctions regime's force lost
        self.rok_ties = self.par("initial_rok_ties").copy()
        self.condemnations = np.zeros(model.worlds, dtype=np.int32)
        self.naval_exercise = np.zeros(model.worlds, dtype=bool)
        self.proposes = np.zeros(model.worlds, dtype=bool)
        self.base_gain = np.zeros(model.worlds)
        self.rung_month = np.full(model.worlds, -1, dtype=np.int32)  # when the rung was reached

    @rule(records={"russia.condemnations": ("now.exercise",)})
    def decide(self, month: int) -> None:
        """Seek a summit; propose the next rung or hold (logit choice); under the treaty, hold
        the allies back; condemn allied exercises."""
        self._seek_summit(month)
        self._propose(month)
        self._treaty_umbrella()
        self._reroute()
        self._ties_with_seoul()
        model = self.model
        condemn = model.now.exercise & model.ruled(
            "exercise_condemned",
            model.draws["russia_condemnation"] < self.par("condemn_exercise_probability"))
        self.condemnations += condemn
        model.log.record(month, "Russia", "exercise_condemned", condemn)

    def needs(self) -> tuple[np.ndarray, np.ndarray]:
        """Moscow's need (the share of its artillery demand it cannot cover) and Pyongyang's
        (its food and energy gap), as each side sees them this month."""
        ctx = self.model.context
        russia = np.divide(ctx.munitions_gap, ctx.demand, out=np.zeros(self.model.worlds),
                           where=ctx.demand > 0)
        return russia, self.model.dprk.food_energy_gap

    @rule(writes={"now.summit": ("now.summit", "context.munitions_gap", "context.demand",
                                 "dprk.food_energy_gap")},
          records={"model.summits": ("now.summit",)})
    def _seek_summit(self, month: int) -> None:
        """A Kim–Putin summit can happen in any month, likelier the more both sides need the
        other; a summit on the calendar (an EEF, a planned visit) adds its own chance."""
        model = self.model
        russia, dprk = self.needs()
        p = shifted_probability(self.par("summit_hazard"),
                                self.par("summit_need_weight") * (russia + dprk),
                                self.par("ladder_temperature"))
        unscheduled = ~model.now.summit & model.ruled("leader_summit",
                                                      model.draws["summit_hazard"] < p)
        model.now.summit |= unscheduled
        model.summits += model.now.summit
        model.log.record(month, "Russia", "leader_summit", unscheduled)

    @rule(writes={"russia.rok_ties": ("russia.rok_ties", "russia.cooperation")})
    def _ties_with_seoul(self) -> None:
        """Moscow's ties with Seoul cool as it arms Seoul's adversary: they head for their
        September 2023 level less `rok_ties_ladder_loss` per rung climbed since."""
        start = self.par("initial_rok_ties")
        climbed = np.maximum(self.cooperation - self.par("initial_cooperation_level"), 0.0)
        target = np.clip(start - self.par("rok_ties_ladder_loss") * climbed, 0.0, 1.0)
        rate = 1.0 / np.maximum(self.model.us.par("adjustment_months"), 1.0)
        self.rok_ties = self.rok_ties + rate * (target - self.rok_ties)

    @rule(writes={"trade.sea_share": ("trade.sea_share", "trade.friction")})
    def _reroute(self) -> None:
        """Where the rule form is `rerouted` (a structural uncertainty), Moscow moves deliveries
        from the rail crossing to ships out of Rajin as listings bite the railway; where it is
        `bite`, the network has no such escape and the sea route stays unused."""
        trade = self.model.trade
        reroutes = self.par("listing_response") >= 0.5
        escape = trade.friction * (1.0 - self.par("sea_listing_exposure"))
        push = np.clip(self.par("reroute_rate") * escape, 0.0, 1.0) * reroutes
        trade.sea_share = trade.sea_share + push * (1.0 - trade.sea_share)

    @rule(writes={
        "levers.intercept_posture": ("levers.intercept_posture", "russia.cooperation"),
        "levers.launchpad_threat": ("levers.launchpad_threat", "russia.cooperation"),
    })
    def _treaty_umbrella(self) -> None:
        """A mutual-defence treaty with a nuclear power holds back allied action against its
        ally's missiles: the allies' intercept and strike posture shrinks."""
        levers = self.model.levers
        held = 1.0 - self.par("treaty_restraint_on_allies") * (self.cooperation >= TREATY_LEVEL)
        levers.intercept_posture = levers.intercept_posture * held
        levers.launchpad_threat = levers.launchpad_threat * held

    @rule(writes={
        "russia.base_gain": ("context.munitions_gap", "context.demand", "russia.trust",
                             "now.summit", "context.western_aid", "trade.friction",
                             "levers.moscow_exposure_cost"),
        "russia.proposes": ("russia.base_gain", "russia.cooperation", "context.deficit"),
    })
    def _propose(self, month: int) -> None:
        """Moscow's gain from the next rung: need, trust, a summit, retaliation, minus the costs
        of sanctions and of being exposed in public.

        The first rung is an arms-for-food-and-energy trade, so Moscow opens it only while its
        war consumes more artillery than its factories make (a deficit, even one its reserve
        still covers): without a war's demand there is nothing to buy. (The analysis traces the
        alignment to Russia's wartime need for munitions; before 2022 no arms trade was known
        despite decades of ties.)"""
        model, ctx = self.model, self.model.context
        need = self.needs()[0]
        self.base_gain = (
            self.par("ladder_need_weight") * need
            + self.par("ladder_trust_weight") * self.trust
            + self.par("summit_ladder_bonus") * model.now.summit
            + self.par("retaliation_weight") * ctx.western_aid
            - self.par("sanctions_aversion") * model.trade.friction
            - model.levers.moscow_exposure_cost
        )
        gain = self.base_gain - self.par("ladder_step_cost") * (self.cooperation + 1)
        wants = (model.draws["russia_ladder"]
                 < logit_probability(gain, self.par("ladder_temperature")))
        opens = (self.cooperation > 0) | (ctx.deficit > 0)
        # A team's proposal passes the same rules: the arms trade opens only in a war short of
        # shells, and there is no rung past the treaty (unless the umpire makes an exception).
        self.proposes = model.directed("Russia.propose", wants & opens,
                                       allowed=opens & (self.cooperation < TREATY_LEVEL))

    @rule(writes={
        "russia.cooperation": ("russia.cooperation", "russia.proposes", "dprk.accepts_deeper_ties",
                               "china.joins_exercise", "russia.base_gain",
                               "context.munitions_gap", "context.demand",
                               "dprk.food_energy_gap"),
    }, records={
        "russia.naval_exercise": ("russia.cooperation", "russia.proposes",
                                  "dprk.accepts_deeper_ties", "china.joins_exercise"),
        "russia.rung_month": ("russia.cooperation",),
    })
    def settle_ladder(self, month: int) -> None:
        """The rung moves up if Moscow proposed and Pyongyang accepts this month.

        Rung 3 also needs Beijing to join the exercise; if Beijing declines, the pair can go
        straight to the treaty (rung 4) at an extra cost. When both capitals need the other
        badly, a second step can follow in the same month (`fast_step_weight` × the smaller of
        the two needs), so a step both want does not wait a month per rung.
        """
        model = self.model
        agreed = (self.proposes & model.dprk.accepts_deeper_ties
                  & (self.cooperation < TREATY_LEVEL))
        first = self._climb(month, agreed, model.draws["russia_treaty_skip"])
        joint = np.minimum(*self.needs())
        again = (first > 0) & (self.cooperation < TREATY_LEVEL) & (
            model.draws["ladder_fast_step"] < logit_probability(
                self.base_gain - self.par("ladder_step_cost") * (self.cooperation + 1)
                + self.par("fast_step_weight") * joint, self.par("ladder_temperature")))
        if "Russia.propose" in model.directives:
            # A team proposes the next rung, one rung: no second step follows in the month.
            again = np.zeros_like(again)
        self._climb(month, again, model.draws["russia_treaty_skip_fast"])
        self.transfer_technology(month)

    def _climb(self, month: int, agreed: np.ndarray, skip_draw: np.ndarray) -> np.ndarray:
        """Move agreed worlds one rung (or to the treaty past a refused exercise)."""
        model = self.model
        to_exercise = agreed & (self.cooperation == NAVAL_EXERCISE_LEVEL - 1)
        with_china = to_exercise & model.china.joins_exercise
        treaty_gain = (self.base_gain - self.par("ladder_step_cost") * TREATY_LEVEL
                       - self.par("treaty_without_china_cost"))
        skip = to_exercise & ~with_china & (
            skip_draw < logit_probability(treaty_gain, self.par("ladder_temperature")))
        step = np.where(to_exercise, 0, agreed.astype(np.int8))
        step = step + np.where(with_china, 1, 0) + np.where(skip, 2, 0)
        self.cooperation = (self.cooperation + step).astype(np.int8)
        self.rung_month = np.where(step > 0, month, self.rung_month).astype(np.int32)
        self.naval_exercise |= with_china
        model.log.record(month, "Russia", "cooperation_step", step > 0, self.cooperation)
        model.log.record(month, "China", "china_naval_exercise", with_china)
        return step

    @rule(writes={"dprk.maturity": ("russia.cooperation", "trade.shipped_month", "dprk.maturity",
                                    "now.exercise", "model.month_intercepts"),
                  "russia.month_transfer": ("russia.cooperation", "trade.shipped_month",
                                            "now.exercise", "model.month_intercepts")},
          records={"russia.tech_transfers": ("russia.cooperation", "trade.shipped_month",
                                             "dprk.maturity", "now.exercise",
                                             "model.month_intercepts")})
    def transfer_technology(self, month: int) -> None:
        """At rung 2 or above, maybe transfer technology; Pyongyang's needs steer which (logit)."""
        model = self.model
        dprk = model.dprk
        shipped_millions = model.trade.shipped_month / 1e6
        treaty = np.where(self.cooperation >= TREATY_LEVEL,
                          self.par("treaty_transfer_multiplier"), 1.0)
        # Moscow answers allied moves in Asia (an exercise this month, a strike or intercept
        # last month) as the seed says it answers US moves in Europe: with more for Pyongyang.
        allied_action = model.now.exercise + model.month_intercepts
        p = np.clip((self.par("tech_transfer_probability")
                     + self.par("tech_per_million_rounds") * shipped_millions
                     + self.par("asia_retaliation") * allied_action) * treaty, 0.0, 1.0)
        rung = self.cooperation >= TECH_LEVEL
        transfers = model.directed("Russia.tech_transfer",
                                   rung & (model.draws["tech_transfer"] < p), allowed=rung)
        need = dprk.priorities * (1.0 - dprk.maturity)
        programme = logit_choice(need, dprk.par("choice_temperature"),
                                 model.draws["tech_programme"])
        self.tech_transfers[np.flatnonzero(transfers), programme[transfers]] += 1
        self.month_transfer = transfers
        dprk.receive_technology(transfers, programme)
        model.log.record(month, "Russia", "tech_transfer", transfers, programme)

    @rule(writes={"russia.un_erosion": ("russia.un_erosion", "dprk.month_icbm",
                                        "dprk.month_test")},
          records={"russia.un_blocks": ("dprk.month_icbm", "dprk.month_test")})
    def shield_at_un(self, month: int, provocation: np.ndarray) -> None:
        """After an ICBM launch or nuclear test the allies may seek punitive Security Council
        action (`actors.US.un_action_probability`); Moscow blocks what is sought."""
        model = self.model
        sought = provocation & model.ruled(
            "un_action_sought",
            model.draws["un_proposal"] < model.us.par("un_action_probability"))
        blocked = sought & model.ruled("un_action_blocked", model.directed(
            "Russia.un_shield", model.draws["un_shield"] < self.par("un_shield_probability")))
        self.un_blocks += blocked
        self.un_erosion = self.un_erosion + self.par("erosion_per_block") * blocked * (
            1.0 - self.un_erosion)
        self.model.log.record(month, "Russia", "un_action_blocked", blocked)

    @rule(writes={"russia.trust": ("russia.trust", "trade.shipped_month")})
    def build_trust(self, shipped: np.ndarray) -> None:
        """Deliveries build trust; it fades without them."""
        self.trust = np.clip(
            self.trust * (1.0 - self.par("trust_decay"))
            + self.par("trust_per_million_rounds") * shipped / 1e6, 0.0, 1.0)


def supply_share(shipped: np.ndarray, production: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Share of Russia's artillery demand met by its own production and DPRK deliveries."""
    return np.clip(np.divide(production + shipped, demand, out=np.ones_like(demand),
                             where=demand > 0), 0.0, 1.0)

