"""The columns of a sheet's row as the importer normalises it (importers.normalise) and the
census stores it (models.census_batches.insert_sheet_rows): the columns that vary by row. The
batch, the region (when the sheet has no region column) and `raw` (kept in the file's bytes
since migration 13) are the same for every row and written by the statement.

A module of its own: the reader process normalises rows without importing the census."""

SHEET_ROW_COLUMNS = ("sheet", "row_number", "name", "id_raw", "id_number", "status", "reason", "gender", "phone",
                     "level", "level_raw", "education", "education_raw", "major", "hours", "cert_date", "unit",
                     "region_raw", "notes")
