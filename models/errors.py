"""Domain errors, one place.

Every error a user can cause carries a message in Chinese that names the file and the problem,
so the CLI prints it and the window shows it in a dialog without a traceback.
"""

from __future__ import annotations

import errno
import sqlite3


class CensusError(Exception):
    """Base of every error the user can cause; ``str(err)`` is the message to show."""

    def __init__(self, message: str, *, file: str | None = None):
        self.file = file
        self.message = message
        super().__init__(f"{file}：{message}" if file else message)


class ReadError(CensusError):
    """The file cannot be read as a spreadsheet (wrong format, empty, truncated, encrypted)."""


class ReaderDied(ReadError):
    """The helper process reading a file ended without an answer (a native reader aborted)."""


class EncryptedWorkbook(ReadError):
    """The workbook is protected by an opening password."""


class HeaderNotFound(CensusError):
    """No sheet has a recognisable header (no ID and name columns)."""


class RegionUndecided(CensusError):
    """The region of a return cannot be decided; the user must choose (GUI) or pass --region."""

    def __init__(self, message: str, *, file: str | None = None, candidates: list[str] | None = None):
        super().__init__(message, file=file)
        self.candidates = candidates or []


class DuplicateImport(CensusError):
    """The same file content was imported before; importing it again would count nobody new."""

    def __init__(self, message: str, *, file: str | None = None, batch_id: int | None = None):
        super().__init__(message, file=file)
        self.batch_id = batch_id


class PopulationError(CensusError):
    """The population table cannot be understood."""


class ImportCancelled(CensusError):
    """The user cancelled an import; nothing of that file was stored."""

    def __init__(self, file: str | None = None):
        super().__init__("导入已取消，该文件未写入任何数据", file=file)


class RecountCancelled(CensusError):
    """The user cancelled recounting everybody; the change that asked for it was rolled back too."""

    def __init__(self) -> None:
        super().__init__("已取消重新统计：统计规则和各项人数保持原样")


class NotFound(CensusError):
    """A region, batch, row or person asked for does not exist."""


class DiskFull(CensusError):
    """The disk filled up while writing; what was being written was undone or removed."""


class CensusNotFound(CensusError):
    """A read command was given a census file that does not exist (it is never created then)."""


MAX_PEOPLE = 2_000_000_000  # more people than any population, staff or goal holds (SQLite's integers end at 9.2e18)


def check_people(value: int | None, what: str) -> None:
    """A count of people a clerk typed or a table gave (None: not set): 0 … MAX_PEOPLE, or a line
    saying what is wrong with it."""
    if value is None:
        return
    if value < 0:
        raise CensusError(f"{what}不能为负数")
    if value > MAX_PEOPLE:
        raise CensusError(f"{what}太大（{value:,}），请检查是否多输了数字")


NEWER_CENSUS = "此普查文件由更新版本的程序创建，请升级后再打开"
DAMAGED = "普查文件已损坏，无法打开：请用“备份”文件夹中最近的副本（文件 → 打开）或报送来的原表重新建立"
READ_ONLY = "普查文件是只读的（文件或所在文件夹不允许写入），只能查看和导出；要修改请复制到可写入的位置后再打开"
_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def is_disk_full(err: BaseException) -> bool:
    """SQLite's SQLITE_FULL or the operating system's "no space left" (and quota exceeded)."""
    if isinstance(err, sqlite3.Error):
        return _primary_code(err) == sqlite3.SQLITE_FULL
    return isinstance(err, OSError) and err.errno in _DISK_FULL_ERRNOS


def os_error_reason(err: OSError) -> str:
    """What the operating system refused, in the clerk's words (its own text is English)."""
    code = err.errno
    if code in _DISK_FULL_ERRNOS:
        return "磁盘空间不足"
    if code == errno.ENAMETOOLONG or getattr(err, "winerror", None) == 206:  # ERROR_FILENAME_EXCED_RANGE
        return "文件名或所在路径太长，请换一个较短的文件名或文件夹"
    if code == errno.EROFS:
        return "所在位置是只读的，请换一个文件夹"
    if isinstance(err, PermissionError):
        return "没有权限，或文件正被其他程序（如 Excel）打开"
    if isinstance(err, FileNotFoundError):
        return "文件或文件夹不存在"
    if isinstance(err, NotADirectoryError):
        return "路径中有一段不是文件夹"
    if isinstance(err, IsADirectoryError):
        return "这是一个文件夹，不是文件"
    return f"操作系统拒绝了这次读写（错误码 {code}）"


def storage_error(err: sqlite3.Error, file: str) -> CensusError | None:
    """The clerk's message for a failed write to the census, or None for errors that are bugs.

    Disk full and read-only are conditions of the machine, not of the program; they must read
    as such instead of a traceback.
    """
    code = _primary_code(err)
    if code == sqlite3.SQLITE_FULL:
        return DiskFull("磁盘空间不足，本次写入已撤销，普查文件保持原样（请清理磁盘后重试）", file=file)
    if code == sqlite3.SQLITE_READONLY:
        return CensusError(READ_ONLY, file=file)
    return None


def _primary_code(err: sqlite3.Error) -> int | None:
    """SQLite's primary result code (extended codes such as SQLITE_READONLY_DBMOVED keep it in the low byte)."""
    code = getattr(err, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF
