import pytest

from route_planner.itinerary import describe, format_duration, summarise
from route_planner.loader import ParseError, load_network, parse_line
from route_planner.network import Road, RoadNetwork
from route_planner.search import NoRouteError, plan_route, shortest_route

ROADS = """
# Benelux sample
Amsterdam, Utrecht, 45, 40
Utrecht, Arnhem, 65, 50
Amsterdam, Arnhem, 100, 75, toll=3.5   # motorway with a toll
Utrecht, Eindhoven, 90, 70
Arnhem, Eindhoven, 80, 55
Eindhoven, Maastricht, 85, 60
Maastricht, Liege, 30, 25, oneway

Liege, Eindhoven, 120, 100, oneway
"""


@pytest.fixture
def network():
    return load_network(ROADS)


def test_parse_line_basic():
    assert parse_line("A, B, 10, 12") == ("A", "B", 10.0, 12.0, 0.0, False)


def test_parse_line_options_and_comment():
    assert parse_line(" A ,B,1.5,2, toll=0.75, oneway # note") == ("A", "B", 1.5, 2.0, 0.75, True)


@pytest.mark.parametrize("line", ["", "   ", "# only a comment"])
def test_parse_line_blank(line):
    assert parse_line(line) is None


@pytest.mark.parametrize(
    "line",
    ["A, B, 10", "A, B, ten, 5", "A, B, 1, 2, fast", ", B, 1, 2", "A, B, 1, 2, toll=x"],
)
def test_parse_line_errors(line):
    with pytest.raises(ParseError):
        parse_line(line, 7)


def test_parse_error_reports_line_number():
    with pytest.raises(ParseError) as info:
        load_network("A, B, 1, 1\n\nA, C, -4, 1\n")
    assert info.value.line_number == 3
    assert "line 3" in str(info.value)


def test_load_network_cities_and_directions(network):
    assert network.cities() == ["Amsterdam", "Arnhem", "Eindhoven", "Liege", "Maastricht", "Utrecht"]
    assert network.road("Utrecht", "Amsterdam").km == 45
    assert network.road("Maastricht", "Liege").minutes == 25
    with pytest.raises(KeyError):
        network.road("Liege", "Maastricht")
    assert len(network) == 14


def test_add_road_validation():
    net = RoadNetwork()
    with pytest.raises(ValueError):
        net.add_road("A", "A", 1, 1)
    with pytest.raises(ValueError):
        net.add_road("A", "B", 0, 1)
    with pytest.raises(ValueError):
        net.add_road("A", "B", 1, 1, toll=-1)


def test_duplicate_road_keeps_faster():
    net = RoadNetwork()
    net.add_road("A", "B", 10, 20)
    net.add_road("A", "B", 12, 15)
    net.add_road("A", "B", 8, 30)
    assert net.road("B", "A") == Road("B", "A", 12, 15)


def test_road_weight():
    road = Road("A", "B", 10, 8, toll=2)
    assert road.weight("km") == 10
    assert road.weight("minutes") == 8
    assert road.weight("money", price_per_km=0.5) == 7
    with pytest.raises(ValueError):
        road.weight("stars")


def test_fastest_route(network):
    assert shortest_route(network, "Amsterdam", "Eindhoven") == ["Amsterdam", "Utrecht", "Eindhoven"]
    assert shortest_route(network, "Amsterdam", "Arnhem") == ["Amsterdam", "Arnhem"]


def test_route_by_distance_and_money(network):
    assert shortest_route(network, "Amsterdam", "Arnhem", metric="km") == ["Amsterdam", "Arnhem"]
    assert shortest_route(network, "Amsterdam", "Arnhem", metric="money", price_per_km=0.1) == [
        "Amsterdam", "Utrecht", "Arnhem",
    ]


def test_route_to_self(network):
    assert shortest_route(network, "Utrecht", "Utrecht") == ["Utrecht"]


def test_one_way_roads_respected(network):
    assert shortest_route(network, "Liege", "Maastricht") == ["Liege", "Eindhoven", "Maastricht"]


def test_unknown_city_and_no_route(network):
    with pytest.raises(KeyError):
        shortest_route(network, "Amsterdam", "Paris")
    network.add_city("Island")
    with pytest.raises(NoRouteError):
        shortest_route(network, "Amsterdam", "Island")


def test_plan_route_via(network):
    route = plan_route(network, "Amsterdam", "Maastricht", via=["Arnhem"])
    assert route == ["Amsterdam", "Arnhem", "Eindhoven", "Maastricht"]
    assert plan_route(network, "Amsterdam", "Utrecht") == ["Amsterdam", "Utrecht"]


def test_plan_route_via_returns_to_start(network):
    route = plan_route(network, "Utrecht", "Utrecht", via=["Amsterdam"])
    assert route == ["Utrecht", "Amsterdam", "Utrecht"]


@pytest.mark.parametrize(
    "minutes, text",
    [(0, "0m"), (45, "45m"), (59.6, "1h 00m"), (60, "1h 00m"), (95, "1h 35m"), (605, "10h 05m")],
)
def test_format_duration(minutes, text):
    assert format_duration(minutes) == text


def test_summarise(network):
    route = plan_route(network, "Amsterdam", "Maastricht", via=["Arnhem"])
    summary = summarise(network, route, price_per_km=0.2)
    assert summary.km == 265
    assert summary.minutes == 190
    assert summary.tolls == 3.5
    assert summary.fuel_cost == pytest.approx(53.0)
    assert summary.total_cost == pytest.approx(56.5)
    assert summary.stops == 3


def test_summarise_single_city(network):
    summary = summarise(network, ["Utrecht"])
    assert (summary.km, summary.minutes, summary.tolls, summary.stops) == (0, 0, 0, 0)


def test_describe(network):
    summary = summarise(network, ["Amsterdam", "Utrecht", "Eindhoven"], price_per_km=0.1)
    assert describe(summary) == "Amsterdam -> Utrecht -> Eindhoven: 135 km, 1h 50m, cost 13.50"
