import pytest

from grid_bfs import distance, reachable_count, shortest_path

MAZE = [
    "..#....",
    ".##.##.",
    "....#..",
    "#.#...#",
    "...#...",
]


def is_valid_path(grid, path, start, goal):
    if path[0] != start or path[-1] != goal:
        return False
    for (r1, c1), (r2, c2) in zip(path, path[1:]):
        if abs(r1 - r2) + abs(c1 - c2) != 1:
            return False
    return all(grid[r][c] != "#" for r, c in path)


def test_start_equals_goal():
    assert shortest_path(["..", ".."], (1, 1), (1, 1)) == [(1, 1)]
    assert distance(["..", ".."], (1, 1), (1, 1)) == 0


def test_single_cell_grid():
    assert shortest_path(["."], (0, 0), (0, 0)) == [(0, 0)]


def test_straight_corridor():
    assert shortest_path(["...."], (0, 0), (0, 3)) == [(0, 0), (0, 1), (0, 2), (0, 3)]
    assert shortest_path(["...."], (0, 3), (0, 0)) == [(0, 3), (0, 2), (0, 1), (0, 0)]


def test_vertical_corridor():
    grid = [".", ".", "."]
    assert shortest_path(grid, (2, 0), (0, 0)) == [(2, 0), (1, 0), (0, 0)]


def test_maze_distance_and_path():
    path = shortest_path(MAZE, (0, 0), (4, 6))
    assert is_valid_path(MAZE, path, (0, 0), (4, 6))
    assert len(path) - 1 == 10
    assert distance(MAZE, (0, 0), (4, 6)) == 10


def test_maze_to_far_corner_up_right():
    assert distance(MAZE, (0, 0), (0, 6)) == 10
    assert distance(MAZE, (4, 0), (0, 3)) == 7


def test_detour_around_wall():
    grid = [
        "...",
        "##.",
        "...",
    ]
    assert shortest_path(grid, (0, 0), (2, 0)) == [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0)]


def test_unreachable_goal():
    grid = [
        ".#.",
        ".#.",
        ".#.",
    ]
    assert shortest_path(grid, (0, 0), (2, 2)) is None
    assert distance(grid, (0, 0), (2, 2)) == -1


def test_goal_at_last_row_and_column_reached():
    grid = ["..", ".."]
    assert distance(grid, (0, 0), (1, 1)) == 2


@pytest.mark.parametrize("cell", [(-1, 0), (0, -1), (3, 0), (0, 3), (5, 5)])
def test_start_off_grid_raises(cell):
    with pytest.raises(ValueError):
        shortest_path(["...", "...", "..."], cell, (0, 0))


def test_goal_off_grid_raises():
    with pytest.raises(ValueError):
        shortest_path(["...", "..."], (0, 0), (2, 0))


def test_wall_start_or_goal_raises():
    with pytest.raises(ValueError):
        shortest_path([".#"], (0, 1), (0, 0))
    with pytest.raises(ValueError):
        shortest_path([".#"], (0, 0), (0, 1))


def test_empty_or_ragged_grid_raises():
    with pytest.raises(ValueError):
        shortest_path([], (0, 0), (0, 0))
    with pytest.raises(ValueError):
        shortest_path(["..", "."], (0, 0), (0, 0))


def test_reachable_count():
    assert reachable_count(MAZE, (0, 0)) == 25
    assert reachable_count([".#.", ".#."], (0, 2)) == 2
    assert reachable_count(["."], (0, 0)) == 1


def test_input_grid_not_modified():
    grid = ["...", ".#.", "..."]
    copy = list(grid)
    shortest_path(grid, (0, 0), (2, 2))
    assert grid == copy
