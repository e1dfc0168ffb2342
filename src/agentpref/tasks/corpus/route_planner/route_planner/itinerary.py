"""Totals and a printable description for a planned route."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    cities: tuple
    km: float
    minutes: float
    tolls: float
    fuel_cost: float

    @property
    def total_cost(self):
        return self.tolls + self.fuel_cost

    @property
    def stops(self):
        """Number of legs driven."""
        return max(len(self.cities) - 1, 0)


def format_duration(minutes):
    """``95`` -> ``"1h 35m"``, ``45`` -> ``"45m"``; rounds to whole minutes."""
    total = round(minutes)
    hours, rest = divmod(total, 60)
    if hours == 0:
        return f"{rest}m"
    return f"{hours}h {rest:02d}m"


def summarise(network, route, price_per_km=0.0):
    """Add up the roads along ``route`` (a list of cities as returned by the search)."""
    km = minutes = tolls = 0.0
    for a, b in zip(route, route[1:]):
        road = network.road(a, b)
        km += road.km
        minutes += road.minutes
        tolls += road.toll
    return Summary(tuple(route), km, minutes, tolls, km * price_per_km)


def describe(summary):
    """A one-line description of the trip: cities, distance, duration and cost."""
    path = " -> ".join(summary.cities)
    return (f"{path}: {summary.km:g} km, {format_duration(summary.minutes)}, "
            f"cost {summary.total_cost:.2f}")
