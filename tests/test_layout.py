"""The one-way data flow of DESIGN.md, read from the imports themselves.

``calendars`` (the time domain) and ``notifiers`` (the channels) never reach into the
service; inside ``scheduler`` every module belongs to one layer and imports only from its
own layer and the layers below it, and no module imports itself back through a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CALENDARS = ROOT / "calendars"
NOTIFIERS = ROOT / "notifiers"
SCHEDULER = ROOT / "scheduler"

# Lowest first: a module may import from its own layer and from the layers before it.
# A new module must be placed here on purpose, or the test says where it is missing.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kernel", ("scheduler.config", "scheduler.clock", "scheduler.errors", "scheduler.inputs")),
    ("store", ("scheduler.store",)),
    # The policies are configuration that every context loads; they import only the kernel.
    ("reminder policies", ("scheduler.reminders.policies",)),
    ("context", ("scheduler.context",)),
    ("fieldwork and feeds", ("scheduler.fieldwork", "scheduler.feeds")),
    # Reports read the store and fieldwork coverage; reminder jobs may send them.
    ("reports", ("scheduler.reports",)),
    ("reminders", ("scheduler.reminders",)),
    ("plans and inbound reports", ("scheduler.plans", "scheduler.inbound")),
    ("services", ("scheduler.services",)),
    (
        "entry points",
        (
            "scheduler.bot",
            "scheduler.cli",
            "scheduler.http",
            "scheduler.logs",
            "scheduler.runtime",
            "scheduler.web",
            "scheduler",
        ),
    ),
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, at the top or inside a function, as a dotted name.

    ``from scheduler.reminders import planner`` names the submodule ``planner``;
    ``from scheduler.store.models import Event`` names ``scheduler.store.models``.
    """
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _module_name(path if path.name == "__init__.py" else path.parent)
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                yield candidate if _is_module(candidate) else module


def _sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "versions" not in p.relative_to(ROOT).parts)


def _layer(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer index)
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            # The root package itself ("scheduler") is matched exactly, never as a prefix:
            # a new module must be placed in a layer on purpose.
            inside = "." in prefix and module.startswith(prefix + ".")
            if (module == prefix or inside) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def _scheduler_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _sources(SCHEDULER):
        graph[_module_name(path)] = {
            name for name in _imports(path) if name.split(".")[0] == "scheduler"
        }
    return graph


def test_nothing_in_calendars_imports_scheduler_or_notifiers():
    offenders = {
        path.name: sorted(
            name for name in _imports(path) if name.split(".")[0] in ("scheduler", "notifiers")
        )
        for path in _sources(CALENDARS)
    }
    assert {name: found for name, found in offenders.items() if found} == {}
    assert len(offenders) >= 8  # the test did read the package


def test_notifiers_know_nothing_of_the_scheduler():
    offenders = {
        path.name: sorted(name for name in _imports(path) if name.split(".")[0] == "scheduler")
        for path in _sources(NOTIFIERS)
    }
    assert {name: found for name, found in offenders.items() if found} == {}
    assert len(offenders) >= 5


def test_every_scheduler_module_has_a_layer():
    graph = _scheduler_graph()
    assert [module for module in graph if _layer(module) is None] == []
    assert len(graph) >= 40  # the test did read the package


def test_scheduler_imports_point_down_the_layers():
    """calendars ← store ← capabilities ← services ← entry points, never the other way."""
    upward = []
    for module, imported in _scheduler_graph().items():
        own = _layer(module)
        assert own is not None
        for name in sorted(imported):
            theirs = _layer(name)
            if theirs is not None and theirs > own:
                upward.append(f"{module} ({LAYERS[own][0]}) imports {name} ({LAYERS[theirs][0]})")
    assert upward == []


def test_nothing_below_services_imports_services_or_an_entry_point():
    services = next(i for i, (name, _) in enumerate(LAYERS) if name == "services")
    offenders = [
        f"{module} imports {name}"
        for module, imported in _scheduler_graph().items()
        if (_layer(module) or 0) < services
        for name in imported
        if (_layer(name) or 0) >= services
    ]
    assert offenders == []


def test_there_is_no_import_cycle_among_scheduler_modules():
    graph = _scheduler_graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for name in sorted(graph.get(module, ())):
            if name not in graph:
                continue
            if state.get(name) == 1:
                cycles.append([*path[path.index(name) :], name])
            elif name not in state:
                visit(name, [*path, name])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_layout_test_sees_an_upward_import(tmp_path: Path) -> None:
    """The checks above would notice a store module that reached up into services."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from scheduler.services import mark_done\n"
        "def later():\n"
        "    from scheduler.reminders import planner\n",
        encoding="utf-8",
    )
    found = set(_imports(probe))
    assert found == {"scheduler.services", "scheduler.reminders.planner"}
    assert _layer("scheduler.store.queries") < _layer("scheduler.services.completion")  # type: ignore[operator]
    assert _layer("scheduler.reminders.planner") > _layer("scheduler.store.models")  # type: ignore[operator]
