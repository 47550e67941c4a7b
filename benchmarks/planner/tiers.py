"""The benchmark tiers (BENCHMARK.md §5.7, issue 14 "Every scenario, in a budget"): which scenarios each one runs.

A scenario splits in two: the **home** (weather, household, tariff, EV charger, period — everything the physics, the
oracle and the forecast-free strategies see) and the **forecast variant** (model and seed, which only (b) and (d)
read). The matrix runs (a), (c) and the oracle once per home and (b), (d) once per home and variant.

The medium tier crosses weather × tariff fully and lays the household and the season of the 14-day window on two
orthogonal Latin squares over them (every pair of those four factors meets exactly once, 16 homes instead of 256),
then crosses that with both EV chargers and every forecast variant. Why not the full cross: it is 16 times the work
(about 30 h on two cores by the measured cell times in docs/planner_benchmark.md), against a 2-hour budget.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from custom_components.echonet_hems.lib.energy import EVParams, HomeDevices

from .forecasts import MODELS
from .scenario import HOUSEHOLDS, TARIFFS, WEATHERS, ScenarioSpec, default_devices

# A modulating charger (BENCHMARK.md §2.5, §4 "6 kW modulating"): 30 A at 200 V = 6 kW at most, and the 6 A minimum
# current of IEC 61851 charging = 1.2 kW at 200 V (BENCHMARK.md §2.5 "6-16 A → 1.2-3.2 kW at 200 V", sources
# [S32][S33] there: evdays.tepco.co.jp/glossary/futsujuden, smart-mobility.jp/_ct/17677616, read 2025).
MODULATING_EV = EVParams(battery_kwh=40.0, max_power_kw=6.0, min_power_kw=1.2, modulating=True, efficiency=0.92)
EV_KINDS = ("onoff", "modulating")

# One window per season, as the 14-day rows of docs/planner_benchmark.md.
SEASON_STARTS = (date(2025, 1, 10), date(2025, 4, 10), date(2025, 7, 10), date(2025, 10, 10))
# Multiplication by the generator x in GF(4) = {0, 1, x, x+1} (addition is XOR): w ⊕ t and w ⊕ x·t are two
# orthogonal Latin squares of order 4, which the integers mod 4 cannot give (2·t mod 4 is not a permutation).
_GF4_TIMES_X = (0, 2, 3, 1)


@dataclass(frozen=True, slots=True)
class HomeSpec:
    """What the physics, the oracle and the forecast-free strategies of one scenario depend on."""

    weather: str
    household: str
    tariff: str
    ev: str
    start: date
    days: int

    @property
    def name(self) -> str:
        """A stable, readable id (used as a key of the streamed results)."""
        return f"{self.weather}/{self.household}/{self.tariff}/{self.ev}/{self.start.isoformat()}+{self.days}d"


@dataclass(frozen=True, slots=True)
class Variant:
    """The forecast a scenario's (b) and (d) get."""

    forecast: str
    seed: int

    @property
    def name(self) -> str:
        """A stable, readable id."""
        return f"{self.forecast}/s{self.seed}"


@dataclass(frozen=True, slots=True)
class Tier:
    """A tier's grid and the oracle's stopping rule."""

    name: str
    weathers: tuple[str, ...]
    households: tuple[str, ...]
    tariffs: tuple[str, ...]
    evs: tuple[str, ...]
    starts: tuple[date, ...]
    days: int
    forecasts: tuple[str, ...]
    seeds: int
    # "cross": every combination; "latin": household and start on two orthogonal Latin squares over weather × tariff;
    # "paired": each tariff with the start of the same position (one window per tariff, as the CI quick tier).
    design: str
    oracle_node_limit: int  # branch-and-bound nodes: the same oracle schedule on any host
    oracle_time_limit_s: float  # a wall-clock safety stop beyond the node limit
    missing: tuple[str, ...]  # what BENCHMARK.md / issue 14 ask of this tier and the benchmark cannot do yet

    def homes(self) -> tuple[HomeSpec, ...]:
        """Every home of the tier, in grid order."""
        if self.design == "latin":
            pairs = _latin_homes(self)
        elif self.design == "paired":
            pairs = tuple(
                (w, h, t, s)
                for w in self.weathers
                for h in self.households
                for t, s in zip(self.tariffs, self.starts, strict=True)
            )
        else:
            pairs = tuple(
                (w, h, t, s) for w in self.weathers for h in self.households for t in self.tariffs for s in self.starts
            )
        return tuple(HomeSpec(w, h, t, ev, s, self.days) for ev in self.evs for (w, h, t, s) in pairs)

    def variants(self) -> tuple[Variant, ...]:
        """Every forecast variant: F0 is the truth, so one seed is all it has; the others get ``seeds`` seeds."""
        return tuple(
            Variant(model, seed) for model in self.forecasts for seed in range(1 if model == "F0" else self.seeds)
        )

    def scenarios(self) -> tuple[tuple[HomeSpec, Variant], ...]:
        """Every (home, variant) of the tier: one report each."""
        return tuple((home, variant) for home in self.homes() for variant in self.variants())


def _latin_homes(tier: Tier) -> tuple[tuple[str, str, str, date], ...]:
    if not len(tier.weathers) == len(tier.tariffs) == len(tier.households) == len(tier.starts) == 4:
        raise ValueError("the Latin-square design needs exactly 4 weathers, tariffs, households and starts")
    return tuple(
        (w, tier.households[i ^ j], t, tier.starts[i ^ _GF4_TIMES_X[j]])
        for i, w in enumerate(tier.weathers)
        for j, t in enumerate(tier.tariffs)
    )


def devices_for(ev: str) -> HomeDevices:
    """The default home (BENCHMARK.md §4) with the on/off 3 kW or the modulating 1.2-6 kW EV charger."""
    if ev not in EV_KINDS:
        raise ValueError(f"unknown EV charger kind {ev}")
    devices = default_devices()
    return devices if ev == "onoff" else replace(devices, ev=MODULATING_EV)


def scenario_spec(home: HomeSpec, variant: Variant) -> ScenarioSpec:
    """The benchmark's scenario of a home and a forecast variant."""
    return ScenarioSpec(
        weather=home.weather,
        household=home.household,
        tariff=home.tariff,
        forecast=variant.forecast,
        start=home.start,
        days=home.days,
        seed=variant.seed,
        devices=devices_for(home.ev),
    )


_NOT_YET = (
    "F4 (noisy-oracle sweep of BENCHMARK.md §5.5) is not implemented in forecasts.py: not run",
    "the 15-min and 5-min sub-interval variants (§5.1, tier L) have no data path in the benchmark: not run",
)

QUICK = Tier(
    name="quick",
    weathers=("jp6",),
    households=("emhass",),
    tariffs=("tepco-sl", "newfit24"),
    evs=("onoff",),
    starts=(date(2025, 3, 1), date(2025, 8, 1)),  # newfit24 in summer: the trap
    days=14,
    forecasts=("F3",),
    seeds=1,
    design="paired",
    oracle_node_limit=200,
    oracle_time_limit_s=1800.0,
    missing=(),
)

MEDIUM = Tier(
    name="medium",
    weathers=("jp5", "jp6", "jp7", "tmy-greensboro"),  # Greensboro TMY3: the humid-subtropical analogue of Tokyo
    # CityLearn homes 1 and 5 as tier M of BENCHMARK.md §5.7; both emhass years are real 30-min loads.
    households=("emhass", "emhass2", "citylearn-1", "citylearn-5"),
    tariffs=("tepco-sl", "kepco-3band", "newfit24", "flat"),
    evs=EV_KINDS,
    starts=SEASON_STARTS,
    days=14,
    forecasts=("F0", "F3", "F5"),
    seeds=3,
    design="latin",
    oracle_node_limit=200,
    oracle_time_limit_s=1800.0,
    missing=(
        "full years: 14-day windows, one season per home (a year of (d) is ~20 min of CPU; the medium grid would "
        "take days)",
        "the full cross of weather × household × tariff × season: two orthogonal Latin squares instead "
        "(every pair of factors meets once)",
        "F0 runs one seed: the perfect forecast draws no noise",
    ),
)

FULL = Tier(
    name="full",
    weathers=WEATHERS,
    # CityLearn homes 7, 12, 14 and 15 have many zero hours in the source (benchmarks/data/README.md): left out.
    households=tuple(h for h in HOUSEHOLDS if h not in {"citylearn-7", "citylearn-12", "citylearn-14", "citylearn-15"}),
    tariffs=tuple(TARIFFS),
    evs=EV_KINDS,
    starts=(date(2025, 1, 1),),
    days=365,
    forecasts=MODELS,
    seeds=5,
    design="cross",
    oracle_node_limit=200,
    oracle_time_limit_s=3600.0,
    missing=(
        *_NOT_YET,
        "battery and EV size variants (tier L) are not in the grid (one device set per EV kind)",
        "the MILP relaxation-gap sample has its own tool (python -m benchmarks.planner.relaxation_gap)",
    ),
)

TIERS = {tier.name: tier for tier in (QUICK, MEDIUM, FULL)}
