"""The DPRK: its posture each month, its programmes, launches, a possible test, and coercion.

Programme maturity (0–1) grows by indigenous work, by learning from tests and by Russian
transfers, each with diminishing returns: a gain g lifts maturity m by g × (1 − m).

Each month Pyongyang picks a posture by logit choice — restraint, signalling (a launch surge)
or coercion (a readiness to use lethal force) — then launches, tests and acts accordingly. It
also decides whether to accept deeper ties with Moscow, playing Moscow against Beijing as the
analysis describes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from axis_sim.model.actor import Actor
from axis_sim.model.choice import logit_choice, shifted_probability
from axis_sim.model.rules import rule
from axis_sim.model.russia import PROGRAMMES

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel

RESTRAINT, SIGNALLING, COERCION = 0, 1, 2
POSTURES: tuple[str, ...] = ("restraint", "signalling", "coercion")
SATELLITE, SUBMARINE, ICBM = (PROGRAMMES.index(p) for p in ("satellite", "submarine", "icbm"))


class NorthKorea(Actor):
    """Pyongyang: posture, programmes, launches, the seventh test, coercion, ties with Moscow."""

    name = "DPRK"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "choice_temperature": "utility",
        "signal_bias": "utility",
        "exercise_response": "utility per allied exercise",
        "programme_drive": "utility per unit immaturity",
        "coercion_bias": "utility",
        "capability_weight": "utility per unit mean maturity",
        "backing_weight": "utility per ladder rung",
        "deterrence_weight": "utility per unit extended deterrence",
        "china_restraint_weight": "utility per unit Chinese distance",
        "srbm_rate": "launch events/month",
        "irbm_rate": "launch events/month",
        "signal_multiplier": "times the launch rate",
        "icbm_probability": "probability/month at full maturity",
        "standard_trajectory_share": "share of ICBM launches",
        "intercept_aversion": "utility per unit chance of losing the missile",
        "declaration_response": "rule form: 0 deterred by the declaration, 1 provoked",
        "provocation_weight": "utility per unit of declared posture",
        "tracked_signal_discount": "utility per unit warning-quality gain",
        "test_deterrence_weight": "utility per unit extended-deterrence gain",
        "satellite_attempt_probability": "probability/month",
        "completion_maturity": "index 0-1",
        "completion_lull": "share of ICBM tempo dropped",
        "orbit_lull": "share of satellite attempts dropped",
        "initial_maturity_satellite": "index 0-1",
        "initial_maturity_submarine": "index 0-1",
        "initial_maturity_icbm": "index 0-1",
        "priority_satellite": "utility",
        "priority_submarine": "utility",
        "priority_icbm": "utility",
        "maturity_growth": "share of remaining gap/month",
        "test_learning": "share of remaining gap per launch month",
        "transfer_maturity_gain": "share of remaining gap per transfer",
        "nuclear_test_hazard": "probability/month",
        "test_signal_weight": "utility",
        "test_china_weight": "utility per unit Chinese opposition",
        "lethal_incident_probability": "probability/month",
        "coercion_multiplier": "times the incident probability",
        "incident_escalation_probability": "probability",
        "accept_probability": "probability/month",
        "food_need_weight": "utility per unit food-energy gap",
        "abandonment_weight": "utility per unit calm in US–China relations",
        "leverage_weight": "utility per unit Chinese distance",
        "shell_production": "rounds/month",
        "export_share": "share of production",
        "initial_stockpile": "rounds",
        "stockpile_drawdown": "share/month",
        "drawdown_trust_weight": "share per unit trust",
        "rail_capacity": "railcars/month",
        "rounds_per_railcar": "rounds/railcar",
        "rocket_transfer_rate": "systems/month",
        "value_per_round": "USD/round",
        "food_share": "share of payment",
        "oil_share": "share of payment",
        "oil_price": "USD/tonne",
        "tank_car_tonnes": "tonnes/railcar",
        "ore_cars_per_munitions_car": "railcars per railcar",
        "relief_per_100m_usd": "index per USD 100m",
        "rung_volume_gain": "share more drawdown per rung above arms-for-food",
        "ship_share": "share of what can be spared",
        "reserve_concern": "utility per unit of the stockpile spent",
        "initial_food_energy_gap": "index 0-1",
        "food_energy_gap_drift": "index/month",
    }

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.initial_maturity = np.stack(
            [self.par(f"initial_maturity_{p}") for p in PROGRAMMES], axis=1).astype(np.float64)
        self.maturity = self.initial_maturity.copy()
        self.priorities = np.stack([self.par(f"priority_{p}") for p in PROGRAMMES], axis=1)
        self.stockpile = self.par("initial_stockpile").copy()
        self.food_energy_gap = self.par("initial_food_energy_gap").copy()
        zeros = np.zeros(model.worlds, dtype=np.int32)
        self.posture = zeros.copy()
        self.coercion_months = zeros.copy()
        self.srbm_launches = zeros.copy()
        self.irbm_launches = zeros.copy()
        self.icbm_launches = zeros.copy()
        self.icbm_standard = zeros.copy()
        self.icbm_failures = zeros.copy()
        self.satellite_attempts = zeros.copy()
        self.satellites_in_orbit = zeros.copy()
        self.lethal_incidents = zeros.copy()
        self.nuclear_test = np.zeros(model.worlds, dtype=bool)
        self.month_test = np.zeros(model.worlds, dtype=bool)
        self.test_month = np.full(model.worlds, -1, dtype=np.int32)  # when it tested, if it did
        self.accepts_deeper_ties = np.zeros(model.worlds, dtype=bool)
        self.month_launches = zeros.copy()
        self.month_incident = np.zeros(model.worlds, dtype=bool)
        self.month_icbm = np.zeros(model.worlds, dtype=bool)
        self.month_icbm_standard = np.zeros(model.worlds, dtype=bool)

    @property
    def launches(self) -> np.ndarray:
        """Ballistic-missile launch events so far, every type."""
        return self.srbm_launches + self.irbm_launches + self.icbm_launches

    def decide(self, month: int) -> None:
        """Choose a posture; accept or refuse deeper ties; mature, launch, maybe test or strike."""
        self._choose_posture(month)
        self._weigh_ties()
        self._mature()
        self._launch(month)
        self._consider_test(month)
        self._coerce(month)

    @rule(writes={"dprk.maturity": ("dprk.maturity",)})
    def _mature(self) -> None:
        """Indigenous work closes a share of each programme's remaining gap."""
        self.maturity += self.par("maturity_growth")[:, None] * (1.0 - self.maturity)

    @rule(writes={"dprk.posture": ("dprk.maturity", "china.alignment", "now.exercise",
                                   "russia.cooperation", "us.extended_deterrence",
                                   "us.warning_quality", "levers.intercept_posture",
                                   "levers.launchpad_threat")},
          records={"dprk.coercion_months": ("dprk.posture",)})
    def _choose_posture(self, month: int) -> None:
        """Restraint, signalling or coercion (logit). Launches signal less when the allies
        track every one in real time (shared warning); coercion pays less against credible
        extended deterrence."""
        model = self.model
        mean_maturity = self.maturity.mean(axis=1)
        chinese_distance = 1.0 - model.china.alignment
        tracked = model.us.warning_quality - model.us.par("initial_warning_quality")
        utilities = np.stack([
            self.par("china_restraint_weight") * chinese_distance,
            self.par("signal_bias") + self.par("exercise_response") * model.now.exercise
            + self.par("programme_drive") * (1.0 - mean_maturity)
            - self.par("tracked_signal_discount") * tracked
            + self._provocation(),
            self.par("coercion_bias") + self.par("capability_weight") * mean_maturity
            + self.par("backing_weight") * model.russia.cooperation
            - self.par("deterrence_weight") * model.us.extended_deterrence,
        ], axis=1)
        self.posture = model.directed("DPRK.posture", logit_choice(
            utilities, self.par("choice_temperature"), model.draws["dprk_posture"]))
        coercive = self.posture == COERCION
        self.coercion_months += coercive
        model.log.record(month, "DPRK", "coercive_posture", coercive)

    def shipping_share(self) -> np.ndarray:
        """How much of what it can spare Pyongyang chooses to ship this month: more the
        hungrier it is (payment is food and fuel), less as its own war reserve runs down."""
        spent = 1.0 - self.stockpile / np.maximum(self.par("initial_stockpile"), 1.0)
        return shifted_probability(
            self.par("ship_share"),
            self.par("food_need_weight") * (self.food_energy_gap
                                            - self.par("initial_food_energy_gap"))
            - self.par("reserve_concern") * spent, self.par("choice_temperature"))

    @property
    def provoked(self) -> np.ndarray:
        """Worlds where the declaration provokes rather than deters (structural form)."""
        return self.par("declaration_response") >= 0.5

    def _provocation(self) -> np.ndarray:
        """In provoked worlds, the pull the declared posture puts on demonstrating defiance."""
        levers = self.model.levers
        posture = np.minimum(levers.intercept_posture + levers.launchpad_threat, 1.0)
        return np.where(self.provoked, self.par("provocation_weight") * posture, 0.0)

    @rule(writes={"dprk.accepts_deeper_ties": ("dprk.food_energy_gap", "us.us_china_tension",
                                               "china.alignment", "russia.rok_ties",
                                               "context.ceasefire")})
    def _weigh_ties(self) -> None:
        """Accept deeper ties with Moscow: need, fear of abandonment, leverage over Beijing.

        Seed: Pyongyang "experiences acute abandonment anxieties when Moscow draws closer to
        Seoul or when U.S.-Russian or U.S.-China relations are stable" — calm in US–China
        relations, Moscow's ties with Seoul above their September 2023 level, and a ceasefire
        in Ukraine (the path to a US–Russian thaw) each make binding Moscow more urgent."""
        model = self.model
        russia = model.russia
        anxiety = ((1.0 - model.us.us_china_tension)
                   + (russia.rok_ties - russia.par("initial_rok_ties"))
                   + model.context.ceasefire)
        shift = (self.par("food_need_weight") * self.food_energy_gap
                 + self.par("abandonment_weight") * anxiety
                 + self.par("leverage_weight") * (1.0 - model.china.alignment))
        p = shifted_probability(self.par("accept_probability"), shift,
                                self.par("choice_temperature"))
        self.accepts_deeper_ties = model.directed("DPRK.accept_ties", model.draws["dprk_ties"] < p)

    @rule(writes={
        "dprk.month_icbm": ("dprk.maturity", "dprk.posture", "levers.launchpad_threat",
                            "levers.intercept_posture", "levers.intercept_effectiveness",
                            "us.warning_quality"),
        "dprk.month_icbm_standard": ("dprk.month_icbm", "levers.intercept_posture",
                                     "levers.intercept_effectiveness", "us.warning_quality"),
        "dprk.month_launches": ("dprk.posture", "dprk.month_icbm"),
        "dprk.maturity": ("dprk.maturity", "dprk.month_icbm", "dprk.satellites_in_orbit"),
        "dprk.satellites_in_orbit": ("dprk.maturity", "dprk.satellites_in_orbit"),
    }, records={
        "dprk.srbm_launches": ("dprk.posture",), "dprk.irbm_launches": ("dprk.posture",),
        "dprk.icbm_launches": ("dprk.month_icbm",),
        "dprk.icbm_standard": ("dprk.month_icbm_standard",),
        "dprk.icbm_failures": ("dprk.month_icbm", "dprk.maturity"),
        "dprk.satellite_attempts": ("dprk.satellites_in_orbit",),
    })
    def _launch(self, month: int) -> None:
        """Short- and intermediate-range launches by posture; an ICBM launch and its trajectory
        chosen against the risk the allies' declared posture creates; satellite attempts.

        Pyongyang reckons the chance of losing a missile: in flight, only on a standard
        trajectory (the declaration's "particularly if they are not on a lofted trajectory"),
        as attempt chance × effectiveness × allied warning; on the pad, for any ICBM, as strike
        chance × warning. Each lowers the log-odds of that choice by `intercept_aversion` per
        unit of risk, so a more credible or more capable posture deters more.

        Tempo has regimes: a test campaign ends at its milestone. Once the ICBM is mature enough
        to declare complete, ICBM launches drop by `completion_lull` (as after the November 2017
        declaration of a "completed" nuclear force); once a satellite is in orbit, attempts drop
        by `orbit_lull`.
        """
        model, draws, levers = self.model, self.model.draws, self.model.levers
        temperature = self.par("choice_temperature")
        warning = model.us.warning_quality
        in_flight = levers.intercept_posture * levers.intercept_effectiveness * warning
        on_pad = levers.launchpad_threat * warning
        aversion = self.par("intercept_aversion")
        surge = np.where(self.posture == SIGNALLING, self.par("signal_multiplier"), 1.0)
        srbm = poisson_from_uniform(draws["srbm_count"], self.par("srbm_rate") * surge)
        irbm = poisson_from_uniform(draws["irbm_count"], self.par("irbm_rate") * surge)
        standard_share = shifted_probability(self.par("standard_trajectory_share"),
                                             -aversion * in_flight, temperature)
        risk = on_pad + standard_share * in_flight
        complete = self.maturity[:, ICBM] >= self.par("completion_maturity")
        campaign = 1.0 - self.par("completion_lull") * complete
        # Deterred worlds weigh the risk of losing the missile; provoked worlds answer the
        # declaration by demonstrating they will not be deterred (a structural uncertainty).
        shift = np.where(self.provoked, self._provocation(), -aversion * risk)
        p_icbm = shifted_probability(
            np.clip(self.par("icbm_probability") * self.maturity[:, ICBM] * surge * campaign,
                    1e-6, 0.999), shift, temperature)
        icbm = model.directed("DPRK.icbm_launch", draws["icbm_launch"] < p_icbm)
        standard = icbm & (draws["icbm_trajectory"] < standard_share)
        failed = icbm & model.ruled("icbm_failure",
                                    draws["icbm_success"] >= self.maturity[:, ICBM])
        self.srbm_launches += srbm
        self.irbm_launches += irbm
        self.icbm_launches += icbm
        self.icbm_standard += standard
        self.icbm_failures += failed
        self.month_icbm = icbm
        self.month_icbm_standard = standard
        self.month_launches = srbm + irbm + icbm
        self.maturity[:, ICBM] += (self.par("test_learning") * (icbm + irbm > 0)
                                   * (1.0 - self.maturity[:, ICBM]))
        model.log.record(month, "DPRK", "short_range_launch", srbm > 0, srbm)
        model.log.record(month, "DPRK", "intermediate_range_launch", irbm > 0, irbm)
        model.log.record(month, "DPRK", "icbm_launch", icbm, standard.astype(float))
        model.log.record(month, "DPRK", "icbm_failure", failed)

        in_orbit = self.satellites_in_orbit > 0
        attempt = model.directed("DPRK.satellite_launch", draws["satellite_attempt"]
                                 < self.par("satellite_attempt_probability")
                                 * (1.0 - self.par("orbit_lull") * in_orbit))
        success = attempt & model.ruled("satellite_orbit",
                                        draws["satellite_success"] < self.maturity[:, SATELLITE])
        self.satellite_attempts += attempt
        self.satellites_in_orbit += success
        self.maturity[:, SATELLITE] += (self.par("test_learning") * attempt
                                        * (1.0 - self.maturity[:, SATELLITE]))
        model.log.record(month, "DPRK", "satellite_launch", attempt, success.astype(float))

    @rule(writes={"dprk.nuclear_test": ("dprk.nuclear_test", "dprk.posture", "china.alignment",
                                        "us.extended_deterrence"),
                  "dprk.month_test": ("dprk.nuclear_test", "dprk.posture", "china.alignment",
                                      "us.extended_deterrence")},
          records={"dprk.test_month": ("dprk.month_test",)})
    def _consider_test(self, month: int) -> None:
        """The seventh test: likelier in a signalling month, less likely against Beijing's
        opposition and against firmer allied deterrence."""
        model = self.model
        deterrence = (model.us.extended_deterrence
                      - model.us.par("initial_extended_deterrence"))
        shift = (self.par("test_signal_weight") * (self.posture == SIGNALLING)
                 - self.par("test_china_weight") * model.china.opposition_to_testing()
                 - self.par("test_deterrence_weight") * deterrence)
        p = shifted_probability(self.par("nuclear_test_hazard"), shift,
                                self.par("choice_temperature"))
        untested = ~self.nuclear_test
        test = model.directed("DPRK.nuclear_test", untested & (model.draws["nuclear_test"] < p),
                              allowed=untested)
        self.nuclear_test |= test
        self.month_test = test
        self.test_month = np.where(test, month, self.test_month).astype(np.int32)
        model.log.record(month, "DPRK", "nuclear_test", test)
        model.china.react_to_test(test)
        model.russia.shield_at_un(month, self.month_icbm | test)

    @rule(writes={"dprk.month_incident": ("dprk.posture",)},
          records={"dprk.lethal_incidents": ("dprk.month_incident",),
                   "crises.count": ("dprk.month_incident",)})
    def _coerce(self, month: int) -> None:
        model = self.model
        p = np.clip(self.par("lethal_incident_probability") * np.where(
            self.posture == COERCION, self.par("coercion_multiplier"), 1.0), 0.0, 1.0)
        incident = model.ruled("lethal_incident", model.draws["lethal_incident"] < p)
        self.lethal_incidents += incident
        self.month_incident = incident
        model.log.record(month, "DPRK", "lethal_incident", incident)
        crisis = incident & model.ruled(
            "escalation_crisis",
            model.draws["incident_escalation"] < self.par("incident_escalation_probability"))
        model.crises.add(month, "DPRK", crisis)

    def receive_technology(self, transfers: np.ndarray, programme: np.ndarray) -> None:
        """A Russian transfer lifts one programme's maturity (less, the nearer it is to done)."""
        rows = np.arange(self.model.worlds)
        current = self.maturity[rows, programme]
        self.maturity[rows, programme] = current + (
            self.par("transfer_maturity_gain") * transfers * (1.0 - current))

    @rule(writes={"dprk.food_energy_gap": ("dprk.food_energy_gap", "trade.shipped_month",
                                           "trade.friction", "china.enforces",
                                           "russia.un_erosion")})
    def relieve_shortages(self, food_and_oil_usd: np.ndarray) -> None:
        """Payment in food and oil narrows the gap; sanctions widen it month by month, and so
        does a Beijing quietly enforcing at its border."""
        model = self.model
        relief = self.par("relief_per_100m_usd") * food_and_oil_usd / 1e8
        squeeze = model.china.par("enforcement_squeeze") * model.china.enforces
        # UN sanctions squeeze less as Russia's blocks erode their enforcement.
        drift = self.par("food_energy_gap_drift") * (1.0 - model.russia.un_erosion)
        self.food_energy_gap = np.clip(self.food_energy_gap + drift + squeeze - relief, 0.0, 1.0)


# Events a month beyond which scipy's inverse CDF replaces the sum: exp(-rate) underflows to 0
# near 745, and the sum would then count up to its last term whatever the uniform.
HUGE_RATE = 500.0


def poisson_from_uniform(u: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Poisson counts by inverse CDF of one uniform per world, so draws stay paired across options.

    numpy's own Poisson sampler consumes a rate-dependent number of random bits, which would
    misalign the streams of two portfolios with different launch rates. The CDF is summed term
    by term over all worlds at once (scipy's `poisson.ppf` gives the same counts, much slower).
    """
    rate = np.broadcast_to(np.maximum(rate, 0.0), np.shape(u)).astype(np.float64)
    huge = rate > HUGE_RATE
    if huge.any():
        # The term-by-term sum would take ~rate steps (a hostile scenario's 1e12 would never
        # end); scipy's inverse CDF is exact there and still one uniform per world.
        from scipy.stats import norm, poisson

        count = poisson_from_uniform(u, np.where(huge, 0.0, rate)).astype(np.int64)
        big = rate[huge]
        exact = poisson.ppf(u[huge], big)
        # scipy gives up (NaN) on the most extreme rates; the normal limit is exact enough there.
        normal = np.floor(big + np.sqrt(big) * norm.ppf(u[huge]) + 0.5)
        count[huge] = np.clip(np.where(np.isfinite(exact), exact, normal), 0, 2**62)
        return count
    term = np.exp(-rate)
    cdf = term.copy()
    count = np.zeros(np.shape(u), dtype=np.int32)
    below = u > cdf
    # Far enough into the tail that the CDF is 1 to double precision for every world.
    last = int(rate.max(initial=0.0) + 12.0 * np.sqrt(rate.max(initial=0.0)) + 25.0)
    for k in range(1, last + 1):
        if not below.any():
            break
        term = term * rate / k
        cdf = cdf + term
        count += below
        below &= u > cdf
    return count
