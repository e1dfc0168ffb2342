"""Shortest paths on a rectangular grid with walls, by breadth-first search.

The grid is a sequence of equal-length strings: ``#`` is a wall, any other character is open.
Moves go one step up, down, left or right.
"""

from collections import deque

WALL = "#"
STEPS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def _check_cell(grid, cell, name):
    row, col = cell
    if not (0 <= row < len(grid) and 0 <= col < len(grid[0])):
        raise ValueError(f"{name} {cell} is outside the grid")
    if grid[row][col] == WALL:
        raise ValueError(f"{name} {cell} is a wall")


def shortest_path(grid, start, goal):
    """Return the cells of a shortest path from ``start`` to ``goal`` (both included), or None.

    Raises ValueError for an empty or ragged grid, or when start or goal is off the grid or a wall.
    """
    if not grid or not grid[0]:
        raise ValueError("grid is empty")
    width = len(grid[0])
    if any(len(line) != width for line in grid):
        raise ValueError("grid rows differ in length")
    _check_cell(grid, start, "start")
    _check_cell(grid, goal, "goal")

    parent = {start: None}
    frontier = deque([start])
    while frontier:
        cell = frontier.popleft()
        if cell == goal:
            break
        row, col = cell
        for dr, dc in STEPS:
            nr, nc = row + dr, col + dc
            if 0 <= nr < len(grid) and 0 <= nc < width and grid[nr][nc] != WALL:
                nxt = (nr, nc)
                if nxt not in parent:
                    parent[nxt] = cell
                    frontier.append(nxt)
    if goal not in parent:
        return None

    path = []
    cell = goal
    while cell is not None:
        path.append(cell)
        cell = parent[cell]
    path.reverse()
    return path


def distance(grid, start, goal):
    """Number of steps on a shortest path from ``start`` to ``goal``, or -1 when unreachable."""
    path = shortest_path(grid, start, goal)
    if path is None:
        return -1
    return len(path) - 1


def reachable_count(grid, start):
    """Number of open cells reachable from ``start`` (including ``start`` itself)."""
    _check_cell(grid, start, "start")
    seen = {start}
    frontier = deque([start])
    while frontier:
        row, col = frontier.popleft()
        for dr, dc in STEPS:
            nr, nc = row + dr, col + dc
            if 0 <= nr < len(grid) and 0 <= nc < len(grid[0]) and grid[nr][nc] != WALL:
                if (nr, nc) not in seen:
                    seen.add((nr, nc))
                    frontier.append((nr, nc))
    return len(seen)
