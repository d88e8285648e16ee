"""The core never loads Qt, and every CLI subcommand is documented in the README."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_PACKAGES = ("models", "importers", "exporters")

_PROBE = r"""
import importlib, json, pkgutil, sys
imported = []
for package in sys.argv[1:]:
    module = importlib.import_module(package)
    imported.append(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
import cli, frozen
imported += ["cli", "frozen"]
print(json.dumps({"imported": imported, "qt": sorted(m for m in sys.modules if m.split(".")[0] == "PySide6")}))
"""


def test_core_modules_never_load_pyside6():
    out = subprocess.run([sys.executable, "-c", _PROBE, *CORE_PACKAGES], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "models.census" in result["imported"] and "importers.job" in result["imported"]
    assert result["qt"] == [], f"Qt loaded by the core: {result['qt']}"


def test_every_cli_command_is_in_the_readme():
    from cli import COMMANDS

    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    match = re.search(r"^#+ .*(命令行|Command line).*$", text, re.MULTILINE)
    if not match:
        pytest.skip("README.md has no command-line section yet")
    following = re.search(r"^## ", text[match.end():], re.MULTILINE)
    section = text[match.start():match.end() + following.start()] if following else text[match.start():]
    missing = [name for name in COMMANDS if not re.search(rf"\b{re.escape(name)}\b", section)]
    assert not missing, f"CLI commands missing from README's command-line section: {missing}"


def test_frozen_fix_streams_gives_missing_streams(monkeypatch):
    import frozen

    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    frozen.fix_streams()
    assert sys.stdout is not None and sys.stderr is not None
    print("nowhere")  # a windowed bundle's print must not raise
    sys.stderr.write("nowhere\n")


def test_the_reader_process_starts_without_the_census():
    """A folder import's reader process (importers.read_ahead, spawned) imports the readers, the
    header finder and the normaliser, not the census and its store: every import waits for it
    to start (0.1 s more with the whole census behind importers/__init__.py)."""
    probe = "import importers.read_ahead, sys; print(sorted(m for m in ('models.census', 'importers.kept_cells', " \
            "'models.census_people', 'urllib.request') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                         timeout=120)
    assert out.stdout.strip() == "[]"
