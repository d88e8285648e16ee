"""Where things live: bundled resources (source tree or PyInstaller bundle) and the user data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths

ORG_NAME = ""  # AppDataLocation is then <user data>/sw-census, not sw-census/sw-census
APP_NAME = "sw-census"
APP_TITLE = "社会工作专业人才摸排"
CENSUS_SUFFIX = ".census"
DATA_DIR_ENV = "SW_CENSUS_DATA_DIR"  # a folder of its own for tests, screenshots and portable installs


def set_identity() -> None:
    """Names QStandardPaths and QSettings use; harmless to call more than once."""
    if QCoreApplication.organizationName() != ORG_NAME:
        QCoreApplication.setOrganizationName(ORG_NAME)
    if QCoreApplication.applicationName() != APP_NAME:
        QCoreApplication.setApplicationName(APP_NAME)


def bundle_root() -> Path:
    """The folder holding `resources/`: the PyInstaller bundle, or the source checkout."""
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else Path(__file__).resolve().parents[1]


def resource_path(*parts: str) -> Path:
    return bundle_root().joinpath("resources", *parts)


def read_resource(*parts: str) -> str:
    path = resource_path(*parts)
    return path.read_text(encoding="utf-8") if path.exists() else ""


def data_dir() -> Path:
    """The user data folder (census files, settings, logs); never next to the program.

    ``SW_CENSUS_DATA_DIR`` overrides it, so that every test (and a screenshot run) has settings
    of its own instead of sharing one file with whatever else runs on the machine.
    """
    set_identity()
    override = os.environ.get(DATA_DIR_ENV)
    folder = Path(override) if override else Path(
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_file() -> Path:
    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "error.log"


def backups_dir() -> Path:
    """Where backup copies go before a fold, a merge or an undone import (the last few kept)."""
    return data_dir() / "备份"


def demo_census_path() -> Path:
    return data_dir() / f"示例普查{CENSUS_SUFFIX}"


def settings() -> QSettings:
    """Window settings (recent files, geometry) as an ini file in the user data folder."""
    return QSettings(str(data_dir() / "settings.ini"), QSettings.Format.IniFormat)
