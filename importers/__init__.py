"""Reading returns (xlsx/xls/ods/csv/html/XML 2003) into person rows and problems. Never imports Qt.

Importing the package hands models the reader that gives a kept return's cells back
(models.kept_files.use_reader): models never imports importers, yet a row imported since
migration 13 is shown from its file's kept bytes, which only this package can read.
"""

from collections.abc import Mapping

from models.kept_files import FileCells, use_reader


def _file_cells(data: bytes, file_name: str, data_starts: Mapping[str, int]) -> FileCells:
    """importers.kept_cells.file_cells, imported when a kept file is first read back: importing
    the package stays light (a folder import's reader process imports only the readers; with
    the whole planning code behind this line it started 0.1 s later)."""
    from importers.kept_cells import file_cells

    return file_cells(data, file_name, data_starts)


use_reader(_file_cells)
