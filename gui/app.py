"""The application: Chinese Qt translation, a CJK font, the style sheet, the crash handler, run()."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.paths import (
    APP_TITLE,
    CENSUS_SUFFIX,
    backups_dir,
    log_file,
    read_resource,
    resource_path,
    set_identity,
)

CJK_FONTS = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
             "WenQuanYi Micro Hei", "SimHei")

_translators: list[QTranslator] = []


def setup_logging() -> Path:
    path = log_file()
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == str(path.resolve()) for h in root.handlers):
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.INFO)
        root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return path


def install_excepthook() -> None:
    """Log any uncaught exception to the user data folder and tell the user, without a traceback."""
    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        logging.getLogger("gui").error("uncaught exception\n%s", text)
        from models.errors import DAMAGED, CensusError

        if isinstance(exc, CensusError):
            message = str(exc)
        elif _damaged(exc):  # pages deep in the file are broken (the first ones read at opening were fine)
            message = f"{DAMAGED}。\n\n已关闭该普查文件。备份文件夹：{backups_dir()}"
            for widget in QApplication.topLevelWidgets():
                close = getattr(widget, "close_census", None)
                if close is not None:
                    close()
        else:
            message = f"程序出现了意外错误，刚才的操作可能没有完成。\n\n错误详情已记录到：\n{log_file()}\n\n请把该文件发给技术人员。"
        box = QMessageBox(QMessageBox.Icon.Critical, f"出错了 - {APP_TITLE}", message)
        box.setDetailedText(text)
        box.exec()

    sys.excepthook = hook


def _damaged(exc: BaseException) -> bool:
    """SQLite found the census file damaged (SQLITE_CORRUPT, SQLITE_NOTADB)."""
    return isinstance(exc, sqlite3.DatabaseError) and (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (11, 26)


def install_translation(app: QApplication) -> None:
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            _translators.append(translator)
            break


def install_font(app: QApplication) -> None:
    families = set(QFontDatabase.families())
    for family in CJK_FONTS:
        if family in families:
            font = QFont(family)
            font.setPointSizeF(max(app.font().pointSizeF(), 10.0))
            app.setFont(font)
            return


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "sw-census", *(argv or [])])
    set_identity()
    app.setApplicationDisplayName(APP_TITLE)
    install_translation(app)
    install_font(app)
    app.setStyleSheet(read_resource("style.qss"))
    icon = resource_path("icon.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def under_test() -> bool:
    return "PYTEST_CURRENT_TEST" in os.environ or "pytest" in sys.modules


def open_initial(window, argv: list[str]) -> None:
    """--demo, a census path, or the last file used (if it still exists)."""
    args = [a for a in argv if a]
    if "--demo" in args:
        window.open_demo()
        return
    paths = [a for a in args if not a.startswith("-")]
    if paths:
        path = Path(paths[0])
        if path.suffix != CENSUS_SUFFIX and not path.exists():
            path = path.with_name(path.name + CENSUS_SUFFIX)
        window.open_in_background(path, create=True)
        return
    last = window.last_file()
    if last is not None:
        window.open_in_background(last)


def run(argv: list[str]) -> int:
    app = create_app()
    setup_logging()
    if not under_test():
        install_excepthook()
    from gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    QTimer.singleShot(0, lambda: open_initial(window, argv))
    return app.exec()
