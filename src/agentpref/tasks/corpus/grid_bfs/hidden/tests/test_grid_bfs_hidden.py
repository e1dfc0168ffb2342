import random
from itertools import product

from grid_bfs import distance, reachable_count, shortest_path


def brute_distances(grid, start):
    """Bellman-style relaxation until nothing changes: slow but obviously right."""
    rows, cols = len(grid), len(grid[0])
    dist = {start: 0}
    changed = True
    while changed:
        changed = False
        for r, c in product(range(rows), range(cols)):
            if grid[r][c] == "#" or (r, c) in dist:
                continue
            near = [dist[n] for n in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)) if n in dist]
            if near:
                dist[(r, c)] = min(near) + 1
                changed = True
    return dist


def test_random_grids_match_brute_force():
    rng = random.Random(11)
    for _ in range(40):
        rows, cols = rng.randint(1, 6), rng.randint(1, 6)
        grid = ["".join("#" if rng.random() < 0.3 else "." for _ in range(cols)) for _ in range(rows)]
        open_cells = [(r, c) for r in range(rows) for c in range(cols) if grid[r][c] != "#"]
        if not open_cells:
            continue
        start = rng.choice(open_cells)
        expected = brute_distances(grid, start)
        for goal in open_cells:
            assert distance(grid, start, goal) == expected.get(goal, -1)
        assert reachable_count(grid, start) == len(expected)


def test_other_characters_are_open():
    grid = ["S.#", "x.G"]
    assert distance(grid, (0, 0), (1, 2)) == 3


def test_path_cells_are_distinct():
    grid = ["....", "....", "...."]
    path = shortest_path(grid, (0, 0), (2, 3))
    assert len(set(path)) == len(path) == 6


def test_wide_single_row_unreachable():
    assert distance([".#" * 5 + "."], (0, 0), (0, 10)) == -1
