"""Starting the benchmarks' processes as the application's start: two things a script would
otherwise add to every import it times.

* A folder import's reader process is started with spawn, which runs the parent's main script
  again under the name ``__mp_main__``. The application's main.py imports nothing at its top; a
  benchmark script that imports the census there makes every reader start later (0.04 s here).
  The scripts import their project modules under ``if __name__ != "__mp_main__":``.
* Python compiles a module's source each time it is imported unless its bytecode is cached in
  __pycache__. The bundle ships compiled modules and a checkout's Python writes the cache on first
  use — except where PYTHONDONTWRITEBYTECODE is set, as on the machine these figures come from:
  there every reader process compiled the readers again (0.05 s). compile_sources() writes the
  cache once, as a first run of the application would.
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "importers", "exporters")


def compile_sources() -> str:
    """Write the bytecode cache of the project's packages; a line saying why, for the figures."""
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=2)
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return "modules compiled first (PYTHONDONTWRITEBYTECODE is set here; the bundle ships them compiled)"
    return "modules compiled first, as a first run writes them"
