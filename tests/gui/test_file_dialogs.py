"""What the window's file dialogs offer."""

from __future__ import annotations


def test_the_file_dialog_offers_every_kind_a_return_is_read_from():
    """Excel's 单个文件网页 (.mht) and HTML tables were read from a folder but not offered by 导入摸排表…."""
    from gui.main_window import RETURNS_FILTER
    from importers.files import READ_SUFFIXES

    offered = RETURNS_FILTER.split(";;")[0]
    assert all(f"*{suffix}" in offered.split("(")[1].rstrip(")").split() for suffix in READ_SUFFIXES)
    assert "*.mht" in offered and "*.zip" not in offered
