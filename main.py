"""Entry point: a subcommand runs the command line (no Qt); anything else opens the window.

    python main.py                      open the window (the last census reopens)
    python main.py --demo               open the window on the demo census
    python main.py CENSUS_FILE          open the window on that census
    python main.py summary CENSUS --json   …and the other subcommands: see `python main.py -h`
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from cli import COMMANDS

    if argv and (argv[0] in COMMANDS or argv[0] in {"-h", "--help"}):
        import cli

        return cli.main(argv)
    from gui.app import run  # Qt is imported only here

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
