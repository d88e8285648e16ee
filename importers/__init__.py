"""Reading returns (xlsx/xls/ods/csv/html/XML 2003) into person rows and problems. Never imports Qt.

Importing the package hands models the reader that gives a kept return's cells back
(models.kept_files.use_reader): models never imports importers, yet a row imported since
migration 13 is shown from its file's kept bytes, which only this package can read.
"""

from importers.kept_cells import file_cells
from models.kept_files import use_reader

use_reader(file_cells)
