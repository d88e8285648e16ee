"""Which region a return is for, and which region each of its rows is for.

DOMAIN.md's order: a per-row region column → the 填报单位 line or the title above the header →
the file name. A 填报单位 naming a known region plus something unknown ("海勃湾区区民政局") means a
new unit under that region; nothing we can place means the user must choose.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from importers.readers import Sheet
from importers.values import text_of
from models.regions import (
    SELF_WORDS,
    UNIT_SUFFIXES,
    Match,
    Region,
    RegionTree,
    clean_region_text,
    is_suffix_only,
    kind_for,
    name_problem,
    names_a_unit_or_region,
    strip_office,
)

_FILLER = re.compile(r"^\s*(填报|报送|填表)(单位|部门)")


@dataclass(frozen=True)
class RegionGuess:
    """The file's region as a path (possibly not in the tree yet), where it came from, and doubt."""

    path: str | None
    source: str  # "user" | "filler" | "title" | "filename" | "folder" | ""
    new_node: bool = False  # the path's last name is not in the tree: it will be created, flagged
    uncertain: bool = False
    candidates: tuple[str, ...] = ()
    message: str = ""

    SOURCE_LABELS = {"user": "手工指定", "filler": "填报单位", "title": "表头标题", "filename": "文件名",
                     "folder": "所在文件夹名", "sheet": "工作表名", "": "未确定"}

    @property
    def source_label(self) -> str:
        return self.SOURCE_LABELS.get(self.source, self.source)


def lines_above(sheet: Sheet, header_first: int) -> tuple[list[str], list[str]]:
    """Filler lines (填报单位…) and title lines in the rows above the header."""
    fillers, titles = [], []
    for row in sheet.rows[:header_first]:
        texts = [text_of(cell) for cell in row]
        texts = [t for t in texts if t]
        for i, text in enumerate(texts):
            if _FILLER.match(text):
                # "填报单位：" alone in its cell: the unit is in the next cell.
                label_only = re.fullmatch(r"\s*(填报|报送|填表)(单位|部门)(（盖章）|\(盖章\))?[:：]?\s*", text)
                if label_only and i + 1 < len(texts):
                    text = text + texts[i + 1]
                fillers.append(text)
            elif not re.match(r"^\s*(填报|填表)(日期|时间)", text) and not _FILLER.match(texts[i - 1] if i else ""):
                titles.append(text)
    return fillers, titles


def guess_file_region(tree: RegionTree, sheet: Sheet, header_first: int, file_name: str,
                      folders: Sequence[str] = ()) -> RegionGuess:
    """The file's region from its 填报单位 line, its title, its name and, when none of them says,
    the names of the folders it is in (`folders`, outermost first: returns kept one folder per
    street or community under a name like 摸排表.xlsx). A folder name only ever names a region
    the tree has, and the clerk is asked to confirm it."""
    fillers, titles = lines_above(sheet, header_first)
    stem = Path(file_name).stem
    sources = [(text, "filler", True) for text in fillers] + [(text, "title", False) for text in titles]
    sources.append((stem.replace("_", "").replace("-", ""), "filename", True))
    if folders:
        sources.append(("".join(folders), "folder", False))
    ambiguous: RegionGuess | None = None
    for text, source, allow_new in sources:
        guess = _from_text(tree, text, source, allow_new)
        if guess is None:
            continue
        if source == "folder" and guess.path is not None:
            guess = replace(guess, uncertain=True, message=f"区划取自所在文件夹名“{'/'.join(folders)}”：{guess.path}，请确认")
        if guess.path is None:  # "团结社区" alone: let the title or file name say which
            ambiguous = ambiguous or guess
            continue
        if ambiguous is not None:
            return _disambiguate(tree, ambiguous, [t for t, _s, _a in sources])
        return guess
    if ambiguous is not None:
        return _disambiguate(tree, ambiguous, [t for t, _s, _a in sources])
    named = clean_region_text(fillers[0]) if fillers else stem
    if not tree.regions:
        return RegionGuess(None, "", message="还没有区划：请先导入户籍人口表，或为该文件指定所属区划")
    return RegionGuess(None, "", message=f"无法确定“{named}”属于哪个区划，请指定所属区划")


def _disambiguate(tree: RegionTree, guess: RegionGuess, texts: list[str]) -> RegionGuess:
    """Pick the one candidate whose street/district the other lines of the file name."""
    joined = tree.clean("".join(texts))

    def named_ancestors(path: str) -> int:
        return sum(1 for a in tree.ancestors(tree.by_path[path]) if tree.names(a, joined))

    scores = {path: named_ancestors(path) for path in guess.candidates}
    best = max(scores.values())
    winners = [p for p, n in scores.items() if n == best]
    if best and len(winners) > 1:
        # 填报单位 "民政局" under the title "测试市…": the city's own unit (the template of a city-level
        # unit names no more), not the one of a district the file never names.
        fits = tree.parent_named([tree.by_path[p] for p in winners], lambda r: tree.names(r, joined))
        winners = [r.path for r in fits] or winners
    if best and len(winners) == 1:
        return RegionGuess(winners[0], guess.source)
    return guess


def guess_sheet_region(tree: RegionTree, sheet: Sheet, header_first: int, file_region: str | None) -> RegionGuess:
    """A further data sheet's own region: its 填报单位 line, its name, its title — kept only when it
    lies within the file's region; otherwise (path None) the sheet shares the file's region."""
    fillers, titles = lines_above(sheet, header_first)
    candidates = [(text, "filler", True) for text in fillers] + [(sheet.name, "sheet", False)]
    candidates += [(text, "title", False) for text in titles]
    within = tree.by_path.get(file_region) if file_region else None
    for text, source, allow_new in candidates:
        guess = _from_text(tree, text, source, allow_new, within)
        if guess is None or guess.path is None:
            continue
        if file_region is None or guess.path == file_region or guess.path.startswith(file_region + "/"):
            return guess
    return RegionGuess(None, "file")


def _from_text(tree: RegionTree, text: str, source: str, allow_new: bool,
               within: Region | None = None) -> RegionGuess | None:
    match: Match = tree.match_text(text, within=within)
    if match.ambiguous:
        paths = tuple(r.path for r in match.candidates)
        return RegionGuess(None, source, uncertain=True, candidates=paths,
                           message=f"“{clean_region_text(text)}”可能是：{'、'.join(paths)}，请指定区划")
    if match.region is None:
        return None
    remainder = match.remainder
    if len(remainder) == 1 and remainder in UNIT_SUFFIXES:
        # "东区…局": a unit's name of which only its ending is left, never the district itself.
        return RegionGuess(match.region.path, source, uncertain=True,
                           message=f"“{clean_region_text(text)}”中的“{remainder}”不是完整的单位名称，"
                                   f"暂按“{match.region.path}”导入，请确认区划")
    problem = name_problem(remainder) if remainder else None
    if problem and allow_new and len(remainder) >= 2:
        return RegionGuess(match.region.path, source, uncertain=True,
                           message=f"{problem}，暂按“{match.region.path}”导入，请确认区划")
    if remainder and allow_new and len(remainder) >= 2 and not remainder.isdigit():
        if source == "filename" and not names_a_unit_or_region(remainder):  # 光明社区-张三.xlsx
            return RegionGuess(match.region.path, source, uncertain=True,
                               message=f"文件名中的“{remainder}”不像区划或单位名称，暂按“{match.region.path}”导入，请确认区划")
        return RegionGuess(f"{match.region.path}/{remainder}", source, new_node=True, uncertain=True,
                           message=f"“{remainder}”不在区划表中，将新建在“{match.region.path}”下")
    return RegionGuess(match.region.path, source)


_RANK = {"province": 0, "city": 1, "district": 2, "street": 3, "community": 4, "village": 4, "unit": 5}


def _names_above(match: Match) -> bool:
    """The text also names an unknown region of the matched node's level or above ("光华街道团结社区"
    where only 和平街道 has a 团结社区): not a child of that node, which would be a street under a
    community."""
    if not match.remainder or match.region is None:
        return False
    kind = kind_for(match.remainder)
    return kind != "unit" and _RANK[kind] <= _RANK.get(match.region.kind, 5)


class RowRegions:
    """Resolves per-row region cells (所属社区) against the file's region, memoising each text."""

    def __init__(self, tree: RegionTree, file_region: Region):
        self.tree = tree
        self.file_region = file_region
        self._cache: dict[str, tuple[str, str | None]] = {}

    def resolve(self, cell: object) -> tuple[str, str | None]:
        """(region path, note) for a row; a path not in the tree is to be created (flagged)."""
        text = re.sub(r"\s+", "", text_of(cell))
        if text not in self._cache:
            self._cache[text] = self._resolve(text)
        return self._cache[text]

    def _resolve(self, text: str) -> tuple[str, str | None]:
        base = self.file_region
        short = strip_office(text)
        if text in SELF_WORDS or short in SELF_WORDS or short == base.name or text == base.name:
            return base.path, None
        if is_suffix_only(text) and kind_for(short) == base.kind:
            return base.path, None  # "嘎查委员会" in a 嘎查's own return: the file's region itself
        if any(a.name == short for a in self.tree.ancestors(base)):
            return base.path, None  # names the file's own district/city: keep the file's region
        match = self.tree.match_text(text, within=base)
        if match.region is not None and not _names_above(match):
            if match.remainder:
                return self._child(match.region.path, match.remainder, text)
            return match.region.path, None
        if match.ambiguous:
            paths = "、".join(r.path for r in match.candidates)
            return base.path, f"所属区划“{text}”不唯一（{paths}），已计入“{base.path}”，请核实"
        if base.kind in ("community", "village") and base.parent_id is not None:
            # A community's (or village's) own return naming another community or village: one of
            # its street's, or a new one beside it — never a community inside a community.
            street = self.tree.by_id[base.parent_id]
            near = self.tree.match_text(text, within=street)
            if near.region is not None and not near.remainder and near.region.kind in ("community", "village"):
                return near.region.path, f"所属区划“{text}”不是本表的“{base.name}”，已计入“{near.region.path}”，请核实"
            if kind_for(short) in ("community", "village"):
                return self._child(street.path, short, text)
        # Not under the file's region: a new child there, flagged (DOMAIN.md) — even when another
        # street has a node of that name, since community names repeat across streets.
        return self._child(base.path, short or text, text)

    @staticmethod
    def _child(parent: str, name: str, text: str) -> tuple[str, str | None]:
        """A new node named `name` under `parent` — unless the name cannot be one node ("a/b",
        "..", a bare 嘎查): then the row stays at `parent`, with a note naming the cell."""
        problem = name_problem(name)
        if problem:
            return parent, f"所属区划“{text}”：{problem}，已计入“{parent}”，请核实"
        return f"{parent}/{name}", None
