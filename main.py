"""Entry point: a subcommand runs the command line (no Qt); anything else opens the window.

    python main.py                      open the window (the last census reopens)
    python main.py --demo               open the window on the demo census
    python main.py CENSUS_FILE          open the window on that census
    python main.py summary CENSUS --json   …and the other subcommands: see `python main.py -h`
    python main.py --smoke              (hidden) open the window, close it after ~1 s; exit 0 if shown
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    import frozen

    frozen.fix_streams()  # a windowed bundle on Windows starts without stdout/stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    from cli import COMMANDS

    if argv and (argv[0] in COMMANDS or argv[0] in {"-h", "--help"}):
        import cli

        return cli.main(argv)
    mistyped = unknown_command(argv, list(COMMANDS))
    if mistyped:
        sys.stderr.write(mistyped + "\n")
        return 1
    if "--smoke" in argv:
        return smoke([a for a in argv if a != "--smoke"])
    from gui.app import run  # Qt is imported only here

    return run(argv)


def unknown_command(argv: list[str], commands: list[str]) -> str | None:
    """The message for a mistyped subcommand, or None when argv means the window.

    A first word that is no file and looks like a command (`sumary`), or is followed by more
    words (`sumary x.census`), is a typo: opening the window would make it a new census file.
    """
    import difflib
    from pathlib import Path

    positional = [a for a in argv if not a.startswith("-")]
    if not positional or positional[0] != argv[0]:
        return None
    word = argv[0]
    if word.endswith(".census") or Path(word).exists() or Path(word + ".census").exists():
        return None
    close = difflib.get_close_matches(word, commands, n=1, cutoff=0.6)
    if close:
        return f"未知命令“{word}”，是否想用 {close[0]}？"
    if len(positional) > 1:
        return f"未知命令“{word}”，可用的命令：{'、'.join(commands)}（python main.py -h 查看说明）"
    return None


def smoke(argv: list[str], seconds: float = 1.2) -> int:
    """Hidden `--smoke` (build checks): open the window, close it after about a second.

    Exit 0 only if the main window was shown and no message box (an error) is up; SW_CENSUS_SMOKE=1
    tells the window code it is being smoke-tested.
    """
    import os

    os.environ["SW_CENSUS_SMOKE"] = "1"
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

    from gui.app import create_app, run

    app = create_app()

    def done() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        shown = any(isinstance(w, QMainWindow) for w in windows)
        errors = [w for w in windows if isinstance(w, QMessageBox)]
        for box in errors:
            sys.stderr.write(f"smoke: message box: {box.text()}\n")
        cancel = QCoreApplication.translate("QPlatformTheme", "Cancel")
        sys.stdout.write(f"smoke: window {'shown' if shown else 'NOT shown'}; standard buttons: {cancel}\n")
        sys.stdout.flush()
        app.exit(0 if shown and not errors else 3)

    QTimer.singleShot(int(seconds * 1000), done)
    return run(argv)


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # the bundle starts itself again as the reader process of a folder import
    sys.exit(main())
