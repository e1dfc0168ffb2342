import random
from itertools import permutations

import pytest

from route_planner import RoadNetwork, load_network, plan_route, shortest_route, summarise


def brute_best(network, start, end, metric):
    cities = [c for c in network.cities() if c not in (start, end)]
    best = None
    for size in range(len(cities) + 1):
        for middle in permutations(cities, size):
            path = [start, *middle, end]
            try:
                cost = sum(network.road(a, b).weight(metric) for a, b in zip(path, path[1:]))
            except KeyError:
                continue
            best = cost if best is None else min(best, cost)
    return best


def test_random_networks_match_brute_force():
    rng = random.Random(121)
    names = ["A", "B", "C", "D", "E"]
    for _ in range(25):
        net = RoadNetwork()
        for name in names:
            net.add_city(name)
        for _ in range(rng.randint(2, 8)):
            a, b = rng.sample(names, 2)
            net.add_road(a, b, rng.randint(1, 20), rng.randint(1, 20), one_way=rng.random() < 0.3)
        for metric in ("km", "minutes"):
            expected = brute_best(net, "A", "E", metric)
            if expected is None:
                continue
            route = shortest_route(net, "A", "E", metric)
            cost = sum(net.road(a, b).weight(metric) for a, b in zip(route, route[1:]))
            assert cost == expected


def test_comments_only_file():
    net = load_network("# nothing\n\n   # still nothing\n")
    assert net.cities() == [] and len(net) == 0


def test_via_with_repeated_stop():
    net = load_network("A, B, 1, 1\nB, C, 1, 1\n")
    assert plan_route(net, "A", "C", via=["B", "B"]) == ["A", "B", "C"]


def test_summarise_missing_road_raises():
    net = load_network("A, B, 1, 1\nB, C, 1, 1\n")
    with pytest.raises(KeyError):
        summarise(net, ["A", "C"])


def test_money_prefers_toll_free_when_fuel_is_cheap():
    net = load_network("A, B, 10, 5, toll=50\nA, C, 20, 20\nC, B, 20, 20\n")
    assert shortest_route(net, "A", "B", metric="money", price_per_km=0.1) == ["A", "C", "B"]
    assert shortest_route(net, "A", "B", metric="money", price_per_km=10) == ["A", "B"]
