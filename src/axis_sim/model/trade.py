"""Arms for food and energy across the Tumangang–Khasan crossing, and the sanctions net around it.

The analysis: imagery showed "an increase in the number of iron ore, petroleum and food railcars
at the Tumangang–Khasan railroad crossing" after the DPRK's arms transfer to Wagner; "ore cars
were observed at Khasan, and oil/petroleum tank cars were seen at Tumangang" (Graph 1).
Deliveries are limited by what Russia lacks, what the DPRK can spare (serial production plus a
drawdown of stockpiles), what the single rail crossing carries, and sanctions friction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from axis_sim.model.dprk import poisson_from_uniform
from axis_sim.model.rules import rule

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel


@dataclass
class Trade:
    """The month's flows across the border, their running totals, and the sanctions network."""

    worlds: int
    entities: int
    listed: np.ndarray = field(init=False)  # (worlds, entities): entity currently designated
    identified: np.ndarray = field(init=False)  # (worlds, entities): evidence enough to list it
    detection: np.ndarray = field(init=False)  # share of this month's transfers allies detect
    covert_share: np.ndarray = field(init=False)  # share of transfers moved to covert channels
    sea_share: np.ndarray = field(init=False)  # share of deliveries sent by sea (Rajin)
    listings: np.ndarray = field(init=False)  # designations so far, new fronts included
    friction: np.ndarray = field(init=False)  # share of deliveries stopped this month
    shipped_month: np.ndarray = field(init=False)  # rounds
    shipped_total: np.ndarray = field(init=False)  # rounds
    systems_total: np.ndarray = field(init=False)  # missiles and large-calibre rockets
    munitions_cars: np.ndarray = field(init=False)  # railcars this month
    ore_cars: np.ndarray = field(init=False)  # at Khasan, this month
    tank_cars: np.ndarray = field(init=False)  # at Tumangang, this month
    supply_share: np.ndarray = field(init=False)  # of Russia's artillery demand met

    def __post_init__(self) -> None:
        self.listed = np.zeros((self.worlds, self.entities), dtype=bool)
        self.identified = np.zeros((self.worlds, self.entities), dtype=bool)
        self.listings = np.zeros(self.worlds, dtype=np.int32)
        self.systems_total = np.zeros(self.worlds, dtype=np.int32)
        for name in ("detection", "covert_share", "sea_share", "friction", "shipped_month",
                     "shipped_total", "munitions_cars", "ore_cars", "tank_cars", "supply_share"):
            setattr(self, name, np.zeros(self.worlds))


@rule(writes={
    "trade.shipped_month": ("russia.cooperation", "dprk.stockpile", "russia.trust",
                            "trade.friction", "context.munitions_gap", "trade.covert_share",
                            "trade.sea_share", "dprk.food_energy_gap"),
    "dprk.stockpile": ("dprk.stockpile", "trade.shipped_month"),
    "trade.detection": ("us.warning_quality", "trade.covert_share", "trade.sea_share"),
}, records={
    "trade.shipped_total": ("trade.shipped_month",),
    "trade.supply_share": ("trade.shipped_month", "context.demand"),
    "trade.systems_total": ("russia.cooperation", "trade.friction", "context.demand"),
    "trade.munitions_cars": ("trade.shipped_month",), "trade.ore_cars": ("trade.shipped_month",),
    "trade.tank_cars": ("trade.shipped_month",),
})
def exchange(model: AxisModel, month: int) -> None:
    """Ship munitions and rockets, receive food, oil and cash; count the railcars; and how much
    of it allied intelligence sees (less, the more of it has moved to covert channels or to sea).

    Two routes: the Tumangang–Khasan rail crossing, and ships from Rajin to Russia's Pacific
    ports. Listings bite the sea route less (`sea_listing_exposure`: Russian state ships and
    ports are beyond most designations) but it carries less and is seen less."""
    trade, dprk, ctx = model.trade, model.dprk, model.context
    # Munitions cross only under an arms deal, unless the umpire let a team ship without one.
    trading = (model.russia.cooperation >= 1) | model.excepted("DPRK.deliveries")
    spare = dprk.par("shell_production") * dprk.par("export_share")
    # Pyongyang releases more of its war reserve to a partner it trusts.
    # ... and more as ties deepen past arms-for-food (the seed's "more robust" cooperation).
    rungs = np.maximum(model.russia.cooperation - 1, 0)
    drawdown = dprk.par("stockpile_drawdown") * (
        1.0 + dprk.par("drawdown_trust_weight") * model.russia.trust) * (
        1.0 + dprk.par("rung_volume_gain") * rungs)
    available = spare + dprk.stockpile * drawdown
    # Covert channels (night trains, cargo relabelled, other routes) are harder to see and
    # carry less than the open crossing.
    covert = trade.covert_share
    russia, us, sea = model.russia, model.us, trade.sea_share
    rail = (dprk.par("rail_capacity") * dprk.par("rounds_per_railcar")
            * (1.0 - covert * russia.par("covert_capacity_loss")))
    capacity = (1.0 - sea) * rail + sea * russia.par("sea_capacity")
    visibility = (1.0 - sea) * us.par("transfer_visibility") + sea * us.par("sea_visibility")
    trade.detection = (us.warning_quality * visibility
                       * (1.0 - covert * russia.par("covert_concealment")))
    friction = trade.friction * (1.0 - sea * (1.0 - russia.par("sea_listing_exposure")))
    noise = 1.0 + model.params["context.delivery_noise"] * (2.0 * model.draws["deliveries"] - 1.0)
    ceiling = np.minimum(np.minimum(available, capacity), ctx.munitions_gap)
    willing = model.directed("DPRK.deliveries", dprk.shipping_share())
    shipped = np.where(trading, ceiling * (1.0 - friction) * noise * willing, 0.0)
    shipped = np.minimum(shipped, np.minimum(available, capacity))
    dprk.stockpile = np.maximum(dprk.stockpile - np.maximum(shipped - spare, 0.0), 0.0)
    systems = np.where(trading, poisson_from_uniform(
        model.draws["rocket_transfers"],
        dprk.par("rocket_transfer_rate") * (1.0 - trade.friction)
        * ctx.demand / model.params["context.russia_artillery_use"]), 0)

    trade.shipped_month = shipped
    trade.shipped_total += shipped
    trade.systems_total += systems
    trade.munitions_cars = shipped / dprk.par("rounds_per_railcar")
    trade.ore_cars = trade.munitions_cars * dprk.par("ore_cars_per_munitions_car")
    value = shipped * dprk.par("value_per_round")
    trade.tank_cars = (value * dprk.par("oil_share") / dprk.par("oil_price")
                       / dprk.par("tank_car_tonnes"))
    trade.supply_share = np.clip(np.divide(
        model.params["context.russia_shell_production"] + shipped, ctx.demand,
        out=np.ones(model.worlds), where=ctx.demand > 0), 0.0, 1.0)
    dprk.relieve_shortages(value * (dprk.par("food_share") + dprk.par("oil_share")))
    model.russia.build_trust(shipped)
    model.log.record(month, "DPRK", "munitions_shipment", shipped > 0, shipped)
    model.log.record(month, "DPRK", "missile_rocket_transfer", systems > 0, systems)


@rule(writes={
    "trade.identified": ("trade.identified", "trade.detection", "trade.listed"),
    "trade.listed": ("trade.listed", "trade.identified", "levers.listing_propensity"),
    "us.sanctioning_parties": ("us.sanctioning_parties", "levers.parallel_sanctions_rate"),
    "trade.friction": ("trade.listed", "us.sanctioning_parties"),
    "trade.covert_share": ("trade.covert_share", "levers.covert_push"),
}, records={"trade.listings": ("trade.listed",)})
def sanctions_network(model: AxisModel, month: int) -> None:
    """Detected transfers expose entities; exposed ones can be listed; listed ones are
    replaced by new fronts over time; like-minded parties join; disclosures drive the axis
    to covert channels.

    A listing needs evidence: an entity is identified with a chance that grows with this
    month's detection of transfers, and each identified entity is listed with the policy's
    propensity (status quo lists few of them, the option most). A new front is unknown again.
    """
    trade, p, levers = model.trade, model.params, model.levers
    identify = (model.us.par("identification_rate") * trade.detection)[:, None]
    trade.identified |= ~trade.listed & (model.draws["identification"] < identify)
    newly = trade.identified & ~trade.listed & (
        model.draws["listing"] < levers.listing_propensity[:, None])
    rebuild = 1.0 / np.maximum(p["actors.Russia.front_rebuild_months"], 1.0)
    replaced = trade.listed & (model.draws["front_rebuild"] < rebuild[:, None])
    trade.listed = (trade.listed | newly) & ~replaced
    trade.identified &= ~replaced
    listed_now, fronts = newly.sum(axis=1), replaced.sum(axis=1)
    trade.listings += listed_now
    model.log.record(month, "US", "entity_listed", listed_now > 0, listed_now)
    model.log.record(month, "Russia", "front_company", fronts > 0, fronts)

    joins = model.ruled("parallel_sanctions",
                        model.draws["parallel_sanctions"] < levers.parallel_sanctions_rate)
    model.us.sanctioning_parties += joins
    model.log.record(month, "US", "parallel_sanctions", joins)
    added = model.us.sanctioning_parties - p["actors.US.initial_sanctioning_parties"]
    trade.friction = np.clip(
        p["context.sanctions_listing_friction"] * trade.listed.mean(axis=1)
        * (1.0 + p["context.party_enforcement_gain"] * added), 0.0,
        p["context.max_friction"])
    trade.covert_share = trade.covert_share + levers.covert_push * (1.0 - trade.covert_share)
