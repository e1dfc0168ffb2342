"""The road network: cities joined by roads with a length, a driving time and a toll."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Road:
    start: str
    end: str
    km: float
    minutes: float
    toll: float = 0.0

    def weight(self, metric, price_per_km=0.0):
        """Cost of driving this road under ``metric``: "km", "minutes" or "money"."""
        if metric == "km":
            return self.km
        if metric == "minutes":
            return self.minutes
        if metric == "money":
            return self.km * price_per_km + self.toll
        raise ValueError(f"unknown metric {metric!r}")


class RoadNetwork:
    def __init__(self):
        self._roads = {}

    def add_city(self, city):
        self._roads.setdefault(city, {})

    def add_road(self, start, end, km, minutes, toll=0.0, one_way=False):
        """Add a road (both directions unless ``one_way``); a cheaper-in-time duplicate replaces it."""
        if start == end:
            raise ValueError(f"road from {start!r} to itself")
        if km <= 0 or minutes <= 0 or toll < 0:
            raise ValueError("km and minutes must be positive and toll non-negative")
        pairs = [(start, end)] if one_way else [(start, end), (end, start)]
        self.add_city(start)
        self.add_city(end)
        for a, b in pairs:
            existing = self._roads[a].get(b)
            if existing is None or minutes < existing.minutes:
                self._roads[a][b] = Road(a, b, km, minutes, toll)

    def cities(self):
        return sorted(self._roads)

    def roads_from(self, city):
        if city not in self._roads:
            raise KeyError(f"unknown city {city!r}")
        return list(self._roads[city].values())

    def road(self, start, end):
        """The direct road from ``start`` to ``end``; KeyError if there is none."""
        try:
            return self._roads[start][end]
        except KeyError:
            raise KeyError(f"no road from {start!r} to {end!r}") from None

    def __contains__(self, city):
        return city in self._roads

    def __len__(self):
        return sum(len(out) for out in self._roads.values())
