"""The apps depend one way. indicators may use projects; projects reaches indicators only
through the one module made for it; supervision builds on both and neither imports it
(projects' templates reach it by URL names and its template library); and no module of
any app imports one that imports it back. Read from the source (every import statement, a function's own included), so a
new import breaks this before it breaks a reader."""

import ast
from pathlib import Path

from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parent.parent
APPS = ("projects", "indicators", "supervision", "public", "api")
# The one module of indicators that projects may import: what its pages show of indicators.
GATEWAY = "indicators.summary"


def import_graph(root=ROOT, apps=APPS):
    """{module: the modules of these apps it imports} for every Python file of the apps
    (migrations included)."""
    paths = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            paths[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return {name: imported(name, path, paths) for name, path in paths.items()}


def imported(name, path, known):
    """The modules of `known` that the module `name` imports anywhere in its source: for
    `from a import b`, a.b when it is a module, else a."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1 packages
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:  # a name inside a module: the module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def cycles(graph):
    """Each import cycle, as 'a -> b -> a' (depth first: a module met again while it is
    still on the path closes one)."""
    found, state = [], {}  # state: "open" while on the path, then "done"

    def visit(module, path):
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                found.append(" -> ".join(path[path.index(target) :] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def in_app(module, app):
    return module == app or module.startswith(app + ".")


def test_projects_imports_indicators_only_through_its_summary():
    graph = import_graph()
    assert GATEWAY in graph, "the gateway module is gone: update GATEWAY"
    assert "projects.views" in graph and "indicators.models" in graph
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if in_app(module, "projects")
        for target in targets
        if in_app(target, "indicators") and target != GATEWAY
    )
    assert not wrong, "\n".join(wrong)


def test_neither_projects_nor_indicators_imports_supervision():
    graph = import_graph()
    assert "supervision.models" in graph
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if in_app(module, "projects") or in_app(module, "indicators")
        for target in targets
        if in_app(target, "supervision")
    )
    assert not wrong, "\n".join(wrong)


def test_no_app_imports_the_api():
    """The API builds on projects, indicators and supervision; none of them imports it."""
    graph = import_graph()
    assert "api.views" in graph
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if not in_app(module, "api")
        for target in targets
        if in_app(target, "api")
    )
    assert not wrong, "\n".join(wrong)


def test_no_module_of_any_app_imports_one_that_imports_it_back():
    found = cycles(import_graph())
    assert not found, "\n".join(found)


def test_projects_migrations_do_not_depend_on_indicators_or_supervision():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for app, others in (("projects", {"indicators", "supervision"}), ("indicators", {"supervision"})):
        leaves = graph.leaf_nodes(app)
        assert leaves
        for leaf in leaves:
            assert not [key for key in graph.forwards_plan(leaf) if key[0] in others], leaf


def test_the_checks_see_relative_from_and_function_level_imports_and_cycles(tmp_path):
    """The helpers above on a made-up pair of apps, so the tests cannot pass by seeing
    nothing."""
    files = {
        "low/__init__.py": "",
        "low/models.py": "import os\n",
        "low/views.py": "from . import models\nfrom high import api\n",
        "high/__init__.py": "",
        "high/api.py": "from low.models import Thing\n",
        "high/forms.py": "def f():\n    from low import views\n    from .api import g\n",
        "high/sub/__init__.py": "",
        "high/sub/deep.py": "from ..api import g\nfrom .. import forms\n",
        "high/admin.py": "import high.forms\nfrom high import forms as again\n",
        "high/loop.py": "from .loop2 import x\n",
        "high/loop2.py": "from high import loop\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = import_graph(tmp_path, ("low", "high"))
    assert graph == {
        "low": set(),
        "low.models": set(),
        "low.views": {"low.models", "high.api"},
        "high": set(),
        "high.api": {"low.models"},
        "high.forms": {"low.views", "high.api"},
        "high.admin": {"high.forms"},
        "high.sub": set(),
        "high.sub.deep": {"high.api", "high.forms"},
        "high.loop": {"high.loop2"},
        "high.loop2": {"high.loop"},
    }
    assert cycles(graph) == ["high.loop -> high.loop2 -> high.loop"]


def test_nothing_imports_public_and_public_does_not_import_supervision():
    """The public view builds on projects and indicators; no app reaches into it, and it
    never reaches the supervision orders (which it must not show)."""
    graph = import_graph()
    assert "public.redaction" in graph
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if (in_app(target, "public") and not in_app(module, "public"))
        or (in_app(module, "public") and in_app(target, "supervision"))
    )
    assert not wrong, "\n".join(wrong)
