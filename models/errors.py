"""Domain errors, one place.

Every error a user can cause carries a message in Chinese that names the file and the problem,
so the CLI prints it and the window shows it in a dialog without a traceback.
"""

from __future__ import annotations


class CensusError(Exception):
    """Base of every error the user can cause; ``str(err)`` is the message to show."""

    def __init__(self, message: str, *, file: str | None = None):
        self.file = file
        self.message = message
        super().__init__(f"{file}：{message}" if file else message)


class ReadError(CensusError):
    """The file cannot be read as a spreadsheet (wrong format, empty, truncated, encrypted)."""


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


class NotFound(CensusError):
    """A region, batch, row or person asked for does not exist."""
