"""The raw cells of the rows a dialog shows, read off the GUI thread.

An import keeps each file's bytes once instead of every row's cells (models/kept_files.py), so a
row's cells are read back by parsing its file: a second or two for a 100,000-row return the first
time. The person dialog and 查看源数据行 therefore open at once with what was understood of each row
(read without cells), and the cells follow from a thread of their own. It is a runner apart from
the window's: a read never marks the window busy, never waits behind an import and never holds a
clerk's change back. Each read opens its own connection to the census file (SQLite connections
belong to one thread); the file parsed stays cached in models/kept_files.py for the next dialog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from gui.worker import TaskRunner, Worker
from models.census import Census
from models.errors import CensusError

if TYPE_CHECKING:
    from gui.person_dialog import SourceRowsDialog


@dataclass
class RowCells:
    """The cells read per source row id; a row that could not be read has its one-line reason."""

    cells: dict[int, tuple[object, ...]] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)


def read_cells(path: Path, row_ids: list[int]) -> RowCells:
    """On the reader's thread: the cells of these rows of the census at `path`."""
    result = RowCells()
    with Census.open_unchanged(path) as census:  # never migrated: it may be the earlier census
        for row_id in row_ids:
            try:
                result.cells[row_id] = census.batches.row(row_id).raw
            except CensusError as err:  # e.g. its file's bytes are not kept: that row says so, the others show
                result.errors[row_id] = str(err)
    return result


class CellsReader(QObject):
    """Reads dialogs' cells on a thread of its own; a dialog closed first simply gets nothing.

    The answer is connected to the dialog itself, so Qt drops it with the dialog."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = TaskRunner(self)

    def read_for(self, dialog: SourceRowsDialog, path: Path) -> Worker:
        """Read the cells of the dialog's rows from the census at `path`, then show them there."""
        ids = dialog.row_ids()
        worker = self.runner.start(lambda _cancel: read_cells(path, ids))
        worker.finished.connect(dialog.show_cells)
        worker.failed.connect(dialog.show_cells_failed)
        return worker

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def close(self) -> None:
        """The window closes: let a read under way finish (its thread holds the census file open)."""
        self.runner.wait()
