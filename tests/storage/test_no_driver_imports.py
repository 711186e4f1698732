"""No module outside ``wschat/storage/`` imports a database driver: services depend on the store
interfaces, and only the adapters know SQLite or MongoDB (issue 11, "Done when")."""

from __future__ import annotations

import ast
from pathlib import Path

import wschat

DRIVERS = {"sqlite3", "pymongo", "bson", "motor"}
PACKAGE = Path(wschat.__file__).parent
#: Where a driver may be imported: the adapters.
ALLOWED = (PACKAGE / "storage",)


def _driver_imports(path: Path) -> list[str]:
    """``line: statement`` for each import of a driver module (also ``importlib.import_module("…")``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                names = [node.args[0].value]
        if any(name.split(".")[0] in DRIVERS for name in names):
            found.append(f"{getattr(node, 'lineno', '?')}: {ast.unparse(node)}")
    return found


def _modules() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if not any(path.is_relative_to(allowed) for allowed in ALLOWED)
    ]


def test_no_driver_imports_outside_the_storage_adapters() -> None:
    offending = {
        str(path.relative_to(PACKAGE.parent)): found
        for path in _modules()
        if (found := _driver_imports(path))
    }

    assert not offending, f"modules outside wschat/storage/ that import a database driver: {offending}"


def test_no_driver_imports_check_sees_the_package_and_an_import() -> None:
    """The walk covers the services, and the check recognises each form of import."""
    walked = {str(path.relative_to(PACKAGE)) for path in _modules()}
    assert {"server/realtime.py", "chat/conversations.py", "accounts/service.py", "server/http.py"} <= walked
    assert not any(name.startswith("storage/") for name in walked)


def test_no_driver_imports_recognises_every_form(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sqlite3\n"
        "import pymongo.errors as errors\n"
        "from bson import ObjectId\n"
        "from motor.motor_asyncio import AsyncIOMotorClient\n"
        "import importlib\n"
        "driver = importlib.import_module('pymongo')\n"
        "import json\n"
        "from wschat.storage import open_database\n"
    )

    assert [line.split(":")[0] for line in _driver_imports(sample)] == ["1", "2", "3", "4", "6"]
