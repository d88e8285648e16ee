"""Writing Excel: summary workbooks, correction lists, templates and sample returns. Never imports Qt."""
