"""No module of kuiper_dev reaches into another package's ``_private`` module.

A module ``_x`` of package ``P`` is P's own business: only modules inside P (its
subtree) may import it, so ``kuiper_dev._types`` is open to all of kuiper_dev and
``kuiper_dev.functions._locale`` only to ``kuiper_dev.functions.*``. Something two
packages need belongs, under a public name, in the lower layer (DESIGN.md).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import kuiper_dev

ROOT = Path(kuiper_dev.__file__).parent


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def _is_module(name: str) -> bool:
    base = ROOT.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _imported_modules(tree: ast.AST, package: str) -> Iterator[tuple[int, str]]:
    """Every kuiper_dev module a module imports, anywhere in it, with the line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # ``from . import _x`` imports the module _x
                if _is_module(f"{module}.{alias.name}"):
                    yield node.lineno, f"{module}.{alias.name}"


def _owner_of_private(module: str) -> str | None:
    """The package a module is private to: the parent of its first ``_x`` part."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def private_import_violations() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        name, is_package = _module_name(path)
        package = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in _imported_modules(tree, package):
            if not module.startswith("kuiper_dev"):
                continue
            owner = _owner_of_private(module)
            if owner is not None and name != owner and not name.startswith(owner + "."):
                found.append(f"{name} (line {line}) imports {module}, private to {owner}")
    return found


def test_no_module_imports_another_packages_private_module() -> None:
    violations = private_import_violations()
    for v in violations:
        print(v)
    assert violations == [], "\n".join(violations)


def test_the_check_sees_private_imports() -> None:
    tree = ast.parse("from ..functions._locale import x\nfrom ..plugins import _threads\n")
    found = list(_imported_modules(tree, "kuiper_dev.engine"))
    assert (1, "kuiper_dev.functions._locale") in found
    assert (2, "kuiper_dev.plugins._threads") in found
    assert _owner_of_private("kuiper_dev.plugins._threads") == "kuiper_dev.plugins"
    assert _owner_of_private("kuiper_dev._types") == "kuiper_dev"
    assert _owner_of_private("kuiper_dev.engine.windows._scan") == "kuiper_dev.engine.windows"
