"""The package's imports run one way, down the pipeline's stages: a stage imports only stages
below it (function-level imports included), and no two modules import each other."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "agentpref"

# Lowest first. A module may import modules of its own layer or of lower ones.
LAYERS = [
    {"errors", "jsonl", "config", "tracking", "run_files"},
    {"models"},  # the model config and loading: policies and training share it
    {"sandbox"},  # the test runner knows nothing of tasks or agents
    {"tasks"},
    {"agent"},
    {"scoring"},
    {"data"},
    {"training"},  # never the agent: it trains on files
    {"evaluation"},
    {"reporting"},
    {"study", "entrypoints", "gpu_check"},
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every ``agentpref`` module ``path`` imports at run time, at any depth of the file (those
    under ``if TYPE_CHECKING:`` are for annotations only and never run)."""
    found = set()
    todo = [ast.parse(path.read_text())]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("agentpref"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("agentpref"))
        todo.extend(ast.iter_child_nodes(node))
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in SRC.rglob("*.py")}


def stage(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def test_every_package_has_a_layer():
    assert {stage(m) for m in graph() if m != "agentpref"} <= set(LAYER)


def test_imports_only_run_down_the_stages():
    wrong = sorted(
        f"{m} imports {t}"
        for m, targets in graph().items()
        if m != "agentpref"
        for t in targets
        if t != "agentpref" and LAYER[stage(t)] > LAYER[stage(m)]
    )
    assert not wrong, wrong


def test_training_never_imports_the_agent():
    assert not [
        (m, t) for m, targets in graph().items() if stage(m) == "training" for t in targets if stage(t) == "agent"
    ]


def test_no_import_cycles():
    g = graph()
    done: set[str] = set()

    def visit(m: str, path: list[str]) -> None:
        if m in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(m) :], m]))
        if m in done or m not in g:
            return
        for t in sorted(g[m]):
            visit(t, [*path, m])
        done.add(m)

    for m in sorted(g):
        visit(m, [])
