"""The package layout is the architecture (docs/architecture.md): data flows one way, and each package imports
only the packages below it. A change that makes ``validation`` import ``sheets``, or ``model`` import ``store``,
fails here with the file and line of the import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ipgraph"

# each package → the packages it may import (besides itself and the foundations below)
LAYERS = ["web", "cli", "admin", "matching", "sheets", "validation", "store", "model"]
MAY_IMPORT = {name: set(LAYERS[i + 1:]) for i, name in enumerate(LAYERS)}
MAY_IMPORT["web"].discard("cli")            # the terminal is cli's alone
MAY_IMPORT["cli"] |= {"web"}                # `ipgraph serve` starts the web application
# modules of ipgraph itself that every package may import; they import no package of ipgraph
FOUNDATIONS = {"__init__", "paths", "settings", "collector"}


def imported_modules(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, absolute module) for every ``ipgraph`` import in ``path``, relative ones resolved."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "ipgraph" or module.startswith("ipgraph."):
                if module.count(".") == 0:   # from ipgraph import x / from .. import x: a module, or a name of ipgraph
                    found += [(node.lineno, f"ipgraph.{alias.name}" if (root / alias.name).is_dir()
                               or (root / f"{alias.name}.py").is_file() else "ipgraph") for alias in node.names]
                else:
                    found.append((node.lineno, module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("ipgraph")]
    return found


def top(module: str) -> str:
    """The package (or foundation module) of ipgraph that ``module`` belongs to."""
    return module.split(".")[1] if "." in module else "__init__"


def violations(root: Path = PACKAGE) -> list[str]:
    """Every import of the tree that breaks the layering, as ``file:line: a imports b``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        owner = relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 else relative.stem
        for line, module in imported_modules(path, root):
            target = top(module)
            if target == owner or target in FOUNDATIONS and owner not in FOUNDATIONS:
                continue
            allowed = MAY_IMPORT.get(owner, set()) if owner not in FOUNDATIONS else set()
            if owner == "__main__" and target == "cli":
                continue
            if target not in allowed:
                found.append(f"{relative}:{line}: {owner} imports {module}")
    return found


def test_every_package_imports_only_the_packages_below_it():
    assert violations() == []


def test_every_module_of_the_package_lives_in_a_layer_or_is_a_foundation():
    loose = {p.stem for p in PACKAGE.glob("*.py")} - FOUNDATIONS - {"__main__"}
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert loose == set() and packages == set(LAYERS)


@pytest.mark.parametrize("owner, target", [("validation", "sheets"), ("model", "store"), ("store", "matching"),
                                           ("web", "cli")])
def test_a_planted_backward_import_is_caught(tmp_path, owner, target):
    """The check itself: a copy of the tree with one backward import planted must fail it."""
    import shutil

    copy = tmp_path / "ipgraph"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    planted = copy / owner / "planted.py"
    planted.write_text(f"from ..{target} import __doc__\n", encoding="utf-8")
    assert violations(copy) == [f"{owner}/planted.py:1: {owner} imports ipgraph.{target}"]
