"""Paths Windows opens whatever their length.

Windows refuses a path of 260 characters or more (MAX_PATH) unless the machine's LongPathsEnabled
policy is on, which office PCs rarely have: a return saved deep in a clerk's folders (D:\\摸排\\各街道
报送\\…\\微信下载\\…) read as 文件不存在, and a folder walk skipped such subfolders without a word. The
"\\\\?\\" prefix lifts the limit for one call; returns are read, and folders walked, through it.
Everything shown or stored keeps the plain path (`plain`). Nothing changes elsewhere than Windows.
"""

from __future__ import annotations

import ntpath
import os
import stat

_PREFIX = "\\\\?\\"
_UNC_PREFIX = "\\\\?\\UNC\\"
LONG = 240  # from this length on (CreateDirectory stops at 248, files at 260)


def long_path(path: str | os.PathLike[str], windows: bool = os.name == "nt") -> str:
    """The path to hand Windows: a long one absolute and prefixed (a shared folder's
    \\\\server\\share\\… as \\\\?\\UNC\\server\\share\\…), any other as it is."""
    text = os.fspath(path)
    if not windows or len(text) < LONG or text.startswith(_PREFIX):
        return text
    full = ntpath.abspath(text)  # the prefix takes only absolute paths with backslashes, no ..
    if full.startswith("\\\\"):
        return _UNC_PREFIX + full[2:]
    return _PREFIX + full


def plain(path: str) -> str:
    """A path as the clerk knows it (without the prefix long_path adds)."""
    if path.startswith(_UNC_PREFIX):
        return "\\\\" + path[len(_UNC_PREFIX):]
    if path.startswith(_PREFIX):
        return path[len(_PREFIX):]
    return path


def is_dir(path: str | os.PathLike[str]) -> bool | None:
    """Whether a path is a folder, through long_path; None when nothing is there. A name the disk
    refuses (too long for it) raises its OSError: the caller's one line says it."""
    try:
        return stat.S_ISDIR(os.stat(long_path(path)).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return None
