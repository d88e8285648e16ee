"""Reading returns (xlsx/xls/csv/html) into person rows and problems. Never imports Qt."""
