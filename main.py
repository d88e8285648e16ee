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
    if {"-h", "--help"} & set(argv):  # main.py x.census -h: the help asked for, not an unknown option
        import cli

        return cli.main(["-h"])
    mistyped = unknown_command(argv, list(COMMANDS)) or unknown_option(argv)
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


WINDOW_OPTIONS = ("--demo", "--smoke")  # the window takes no other option (Qt is given none)


def unknown_option(argv: list[str]) -> str | None:
    """The message for an option given without a command (`main.py --jsn`, `main.py --json x.census`),
    which would open the window and drop it; None when argv means the window. A command's own
    option is named with its command (python main.py summary 普查.census --json)."""
    import difflib
    from pathlib import Path

    for arg in argv:
        if not arg.startswith("-") or arg in WINDOW_OPTIONS or arg.endswith(".census") or Path(arg).exists():
            continue  # a census file may be named "-2024.census"
        owners = _option_owners()
        name = arg.split("=")[0]
        if name in WINDOW_OPTIONS:  # --demo=1: the option is right, the value is not
            return f"选项 {name} 不带值，写成 {name}（未知选项“{arg}”）"
        guess = ""
        if name not in owners:  # no guess for a bare `--` or `-` (it suggested goal's --of)
            close = difflib.get_close_matches(name, [WINDOW_OPTIONS[0], *owners], n=1) if name.strip("-") else []
            if not close:
                return f"未知选项“{arg}”（不带命令时只能写 --demo 或普查文件；python main.py -h 查看命令）"
            if close[0] in WINDOW_OPTIONS:
                return f"未知选项“{arg}”，是否想用 {close[0]}？"
            name = guess = close[0]
        commands = owners[name]
        where = "、".join(commands[:3]) + (" 等命令" if len(commands) > 3 else "")
        asked = f"是否想用 {guess}？它" if guess else f"{name} "
        return (f"未知选项“{arg}”：{asked}是 {where} 的选项，写在命令之后，例如 python main.py {commands[0]} "
                f"普查.census {name}（python main.py {commands[0]} -h 查看用法）")
    return None


def _option_owners() -> dict[str, list[str]]:
    """Each command option (not -h) -> the commands that take it."""
    import argparse

    from cli import build_parser

    owners: dict[str, list[str]] = {}
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, parser in action.choices.items():
                for option in (o for a in parser._actions for o in a.option_strings if o not in ("-h", "--help")):
                    owners.setdefault(option, []).append(command)
    return owners


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
