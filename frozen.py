"""Running from the PyInstaller bundle: standard streams that always exist. No Qt here.

The bundle is built windowed (no console window flashes up when a clerk double-clicks it), and a
windowed program on Windows starts with ``sys.stdout``/``sys.stderr`` set to None: the first
``print`` of the command line (``<app> summary CENSUS --json``) would raise. `fix_streams()`
makes them usable — writing to the console the program was started from, when there is one
(cmd.exe, PowerShell), else nowhere — and is harmless everywhere else: from source, on Linux and
macOS, and when the output is redirected to a file or a pipe (then the streams already exist).
"""

from __future__ import annotations

import io
import os
import sys

_ATTACH_PARENT_PROCESS = -1


def fix_streams() -> None:
    """Give the process a stdout, stderr and stdin if it was started without them."""
    if all(getattr(sys, name) is not None for name in ("stdout", "stderr", "stdin")):
        return
    console = _attach_parent_console()
    for name, mode in (("stdout", "w"), ("stderr", "w"), ("stdin", "r")):
        if getattr(sys, name) is not None:
            continue
        stream = _console_stream(mode) if console else None
        setattr(sys, name, stream or _null_stream(mode))


def _attach_parent_console() -> bool:
    if sys.platform != "win32":
        return False
    try:
        import ctypes

        return bool(ctypes.windll.kernel32.AttachConsole(_ATTACH_PARENT_PROCESS))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return False


def _console_stream(mode: str) -> io.TextIOBase | None:
    """The attached console, in its own code page (cp936 on a Chinese Windows)."""
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        code_page = kernel32.GetConsoleOutputCP() if "w" in mode else kernel32.GetConsoleCP()
        encoding = f"cp{code_page}" if code_page else "utf-8"
        if code_page == 65001:
            encoding = "utf-8"
        name = "CONOUT$" if "w" in mode else "CONIN$"
        return open(name, mode, encoding=encoding, errors="replace", buffering=1)  # noqa: SIM115
    except (AttributeError, OSError, LookupError):
        return None


def _null_stream(mode: str) -> io.TextIOBase:
    return open(os.devnull, mode, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
