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
    if "--smoke" in argv:
        return smoke([a for a in argv if a != "--smoke"])
    from gui.app import run  # Qt is imported only here

    return run(argv)


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
    sys.exit(main())
