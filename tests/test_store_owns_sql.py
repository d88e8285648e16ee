"""The store owns the SQL: no statement is written outside models/ (docs/architecture.md).

Importers, exporters, the window, the command line, the demo builder and the benchmarks call named
store methods; a SQL string anywhere else is the start of a second store. Checked on the source's
string constants, so comments and prose in docstrings are not mistaken for statements.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE_THE_STORE = ("importers", "exporters", "gui", "demo", "bench", "scripts", "cli.py", "main.py", "frozen.py")
STATEMENT = re.compile(
    r"^\s*(SELECT\s.+\sFROM\s|INSERT\s+(OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|"
    r"CREATE\s+(TABLE|INDEX|TRIGGER|VIEW)\s|DROP\s+(TABLE|INDEX)\s|PRAGMA\s|BEGIN\b|COMMIT\b|ROLLBACK\b|SAVEPOINT\s)",
    re.DOTALL,  # upper-case keywords, as every statement in models/ is written
)


def _sources() -> list[Path]:
    out: list[Path] = []
    for name in OUTSIDE_THE_STORE:
        path = ROOT / name
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []
    return out


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_no_sql_statement_outside_models():
    found = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                    and STATEMENT.search(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.strip()[:60]}")
    assert not found, "SQL outside models/ (add a store method instead):\n" + "\n".join(found)


def test_the_check_recognises_a_statement():
    assert STATEMENT.search("SELECT id FROM regions WHERE path = ?")
    assert STATEMENT.search("  INSERT INTO batches (file_name) VALUES (?)")
    assert not STATEMENT.search("select the file to import from the folder")
