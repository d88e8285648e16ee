"""Two censuses compared: how much each region grew, who is new, who is gone, who moved up a level.

A bureau runs the census every year. Regions are matched by path, persons by resident ID
(DOMAIN "Over time"):

* new — a talent now whose ID was not a talent in the earlier census (someone whose hours reached
  120 this year is new), counted where this census attributes them;
* gone — the reverse, counted where the earlier census attributed them;
* upgraded — certified in both, at a higher level now (a first certificate is newly certified, not
  an upgrade), counted where this census attributes them;
* lowered — certified before, at a lower level or not certified now while still a talent (a
  level left off a return, a wrong row): the certified counts fall, and a clerk must see who to
  check; counted where this census attributes them;
* moved — a talent in both, attributed to another region now: neither new nor gone, listed so a
  clerk sees why a community's count changed; counted as moved in (调入) where this census attributes
  them and moved out (调出) where the earlier one did, in the regions holding only one of the two.
  For a region in both censuses, talents = talents before + new − gone + moved in − moved out.

Every count includes the region's descendants, like the summary's. A region on one side only has
None for the other side's figures. Persons are read from both files as two streams in ID order and
merged, so only the per-region counts and the changed persons are held in memory.

Dated goals of this census are measured against the pace between the two 统计截止日期
(models.goals.progress).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from models.census import Census, same_file
from models.errors import CensusError
from models.goals import GoalProgress, Growth, census_label, progress
from models.identity import mask_id
from models.records import GOAL_LABELS, RegionSummary
from models.rules import LEVEL_NAMES, Rules

# The figures compared side by side (each also as <name>_before in the JSON).
FIGURES = ("talents", "certified", "certified_assistant", "certified_intermediate", "certified_senior", "degree",
           "trained_only")
KIND_LABELS = {"new": "新增", "gone": "减少", "upgraded": "等级提高", "lowered": "等级降低或不再持证", "moved": "调整区划"}
STILL_LISTED = "仍在本次名单中，但按本次的口径不计为人才"

_TALENTS_SQL = "SELECT id_number, name, region_id, level FROM persons WHERE talent = 1 ORDER BY id_number"


@dataclass(frozen=True)
class RegionChange:
    """One region (matched by path) in both censuses."""

    path: str
    name: str
    depth: int
    now: RegionSummary | None  # None: the region is not in this census
    before: RegionSummary | None  # None: the region is not in the earlier census
    new_persons: int | None
    gone_persons: int | None
    upgraded: int | None
    moved_in: int | None = None  # talents in both, attributed here now and elsewhere before
    moved_out: int | None = None  # talents in both, attributed here before and elsewhere now

    @property
    def growth(self) -> float | None:
        """talents / talents before; None when there were none before (or one side is missing)."""
        if self.now is None or self.before is None or not self.before.talents:
            return None
        return round(self.now.talents / self.before.talents, 4)

    def figure(self, name: str, before: bool = False) -> int | None:
        side = self.before if before else self.now
        return None if side is None else getattr(side, name)

    def to_json(self) -> dict:
        data: dict[str, object] = {"path": self.path}
        for name in FIGURES:
            data[name] = self.figure(name)
            data[f"{name}_before"] = self.figure(name, before=True)
        data.update({"new_persons": self.new_persons, "gone_persons": self.gone_persons, "upgraded": self.upgraded,
                     "moved_in": self.moved_in, "moved_out": self.moved_out, "growth": self.growth})
        return data


@dataclass(frozen=True)
class PersonChange:
    """A person who is new, gone, upgraded or moved, with the region(s) they are counted in."""

    kind: str  # "new" | "gone" | "upgraded" | "lowered" | "moved"
    id_number: str
    name: str
    path: str  # where counted: this census's region (the earlier one's for "gone")
    path_before: str  # the earlier census's region ("" for "new")
    level: int  # now (0 for "gone")
    level_before: int  # before (0 for "new")
    note: str = ""  # "gone" yet still on this census's lists: why it no longer counts

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def in_earlier(self) -> bool:
        """Whether this person's rows are to be read from the earlier census."""
        return self.kind == "gone"

    def shown_id(self, full: bool = False) -> str:
        return mask_id(self.id_number, full)

    @property
    def level_text(self) -> str:
        if self.kind == "lowered":
            return f"{LEVEL_NAMES[self.level_before]} → {LEVEL_NAMES[self.level] if self.level else '无证书'}"
        if self.kind == "upgraded":
            return f"{LEVEL_NAMES[self.level_before]} → {LEVEL_NAMES[self.level]}"
        level = self.level_before if self.kind == "gone" else self.level
        return LEVEL_NAMES[level] if level else ""

    def to_json(self, full_ids: bool = False) -> dict:
        return {"kind": self.kind, "id": self.shown_id(full_ids), "name": self.name, "path": self.path,
                "path_before": self.path_before, "level": self.level, "level_before": self.level_before,
                "note": self.note}


@dataclass
class Comparison:
    """This census against an earlier one."""

    title: str
    as_of: str | None
    earlier_title: str
    earlier_as_of: str | None
    earlier_file: str
    regions: list[RegionChange]
    persons: list[PersonChange]
    goals: list[GoalProgress]
    notes: list[str] = field(default_factory=list)

    @property
    def earlier_label(self) -> str:
        return census_label(self.earlier_title, self.earlier_as_of)

    def region(self, path: str) -> RegionChange | None:
        return next((r for r in self.regions if r.path == path), None)

    def children(self, path: str) -> list[RegionChange]:
        """The regions directly under `path` on either side, this census's order first."""
        prefix = path + "/"
        return [r for r in self.regions if r.path.startswith(prefix) and "/" not in r.path[len(prefix):]]

    def persons_within(self, path: str | None, kind: str) -> list[PersonChange]:
        """Persons of a kind counted in `path` or below (everybody when None); a moved person is
        listed both where they are now and where they were (the community they left lost them)."""
        out = [p for p in self.persons if p.kind == kind]
        if path is None:
            return out
        return [p for p in out if _within(p.path, path) or (kind == "moved" and _within(p.path_before, path))]

    def to_json(self, with_persons: bool = False, full_ids: bool = False) -> dict:
        data: dict[str, object] = {
            "title": self.title, "as_of": self.as_of, "earlier_title": self.earlier_title,
            "earlier_as_of": self.earlier_as_of, "notes": self.notes,
            "regions": [r.to_json() for r in self.regions],
            "goals": [g.to_json() for g in self.goals],
        }
        if with_persons:
            data["persons"] = [p.to_json(full_ids) for p in self.persons]
        return data


class EarlierUnreadable(CensusError):
    """The earlier census file cannot be read (missing, damaged, from a newer version, not a census)."""


class EarlierIsLater(EarlierUnreadable):
    """The file chosen as the earlier census is dated after this one (picked by mistake, or this
    census's 统计截止日期 was changed since). Compared, every 新增 would read as 减少 and growth
    backwards; like an unreadable file, the summary export goes on without it."""


def compare_files(census: Census, earlier_path: Path) -> Comparison:
    """Compare an open census with an earlier census file (only read: never created, never changed,
    not even brought up to date when an older program made it)."""
    earlier_path = Path(earlier_path)
    if same_file(earlier_path, census.path):
        raise CensusError("不能与它自己对比，请选择早前的另一个普查文件", file=earlier_path.name)
    try:
        earlier = Census.open_unchanged(earlier_path)
    except CensusError as err:
        raise EarlierUnreadable(err.message, file=err.file) from err
    with earlier:
        if earlier.as_of and census.as_of and earlier.as_of > census.as_of:
            raise EarlierIsLater(
                f"所选普查文件的统计截止日期 {earlier.as_of} 晚于本次的 {census.as_of}，不是早前的普查："
                "对比要选早前的文件（要看这段时间的变化，请打开较新的那个文件，再与较早的文件对比）",
                file=earlier_path.name)
        return compare(census, earlier)


def compare(census: Census, earlier: Census) -> Comparison:
    """`census` against `earlier` (see the module docstring)."""
    now_summary = {s.path: s for s in census.summary()}
    before_summary = {s.path: s for s in earlier.summary()}
    persons = list(_changes(census, earlier))
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in ("new", "gone", "upgraded", "in", "out")}
    for p in persons:
        if p.kind == "moved":
            here, there = set(_prefixes(p.path)), set(_prefixes(p.path_before))
            counts["in"].update(here - there)
            counts["out"].update(there - here)
            continue
        if p.kind not in counts:  # lowered: listed, not counted per region
            continue
        for prefix in _prefixes(p.path):
            counts[p.kind][prefix] += 1
    regions = []
    for path in _merged_order(list(now_summary), list(before_summary)):
        now, before = now_summary.get(path), before_summary.get(path)
        shown = now or before
        assert shown is not None
        regions.append(RegionChange(
            path=path, name=shown.name, depth=shown.depth, now=now, before=before,
            new_persons=counts["new"][path] if now else None,
            gone_persons=counts["gone"][path] if before else None,
            upgraded=counts["upgraded"][path] if now else None,
            moved_in=counts["in"][path] if now else None, moved_out=counts["out"][path] if before else None))
    as_of, earlier_as_of = census.as_of, earlier.as_of
    goals = [progress(s.path, g.category, g.target, g.deadline, g.actual,
                      getattr(before_summary[s.path], g.category) if s.path in before_summary else None,
                      as_of, earlier_as_of)
             for s in now_summary.values() for g in s.goals if g.deadline]
    return Comparison(census.title, as_of, earlier.title, earlier_as_of, earlier.path.name, regions, persons, goals,
                      _notes(census, earlier, earlier.path.name) + _renamed_notes(persons, now_summary, before_summary))


def _changes(census: Census, earlier: Census) -> Iterator[PersonChange]:
    """New, gone, upgraded and moved persons: the two talent lists merged in ID order."""
    now_path, before_path = census.regions.path_of, earlier.regions.path_of
    now_rows = census.conn.execute(_TALENTS_SQL)
    before_rows = earlier.conn.execute(_TALENTS_SQL)
    a, b = next(now_rows, None), next(before_rows, None)
    while a is not None or b is not None:
        if a is not None and (b is None or a[0] < b[0]):
            yield PersonChange("new", a[0], a[1], now_path(a[2]), "", a[3], 0)
            a = next(now_rows, None)
        elif b is not None and (a is None or b[0] < a[0]):
            # Still on this census's lists but no longer a talent (its rules, or rows changed):
            # not someone who left, which is what 减少 alone reads as.
            listed = census.people.listed(b[0])
            yield PersonChange("gone", b[0], b[1], before_path(b[2]), before_path(b[2]), 0, b[3],
                               STILL_LISTED if listed else "")
            b = next(before_rows, None)
        else:
            assert a is not None and b is not None
            here, there = now_path(a[2]), before_path(b[2])
            if a[3] > b[3] > 0:
                yield PersonChange("upgraded", a[0], a[1], here, there, a[3], b[3])
            elif b[3] > a[3]:  # a lower level or none now, still a talent: the certified counts fell without a name
                yield PersonChange("lowered", a[0], a[1], here, there, a[3], b[3])
            if here != there:
                yield PersonChange("moved", a[0], a[1], here, there, a[3], b[3])
            a, b = next(now_rows, None), next(before_rows, None)


def _prefixes(path: str) -> Iterator[str]:
    """"a/b/c" → "a", "a/b", "a/b/c": the regions whose counts include one in `path`."""
    parts = path.split("/")
    for i in range(1, len(parts) + 1):
        yield "/".join(parts[:i])


def _within(path: str, ancestor: str) -> bool:
    return path == ancestor or path.startswith(ancestor + "/")


def _merged_order(now: list[str], before: list[str]) -> list[str]:
    """Both censuses' paths in tree order: under each node its children in this census's order,
    then the earlier census's children this one lacks."""
    children: dict[str, list[str]] = {}
    seen: set[str] = set()
    for path in now + before:  # each list is in tree order: a parent comes before its children
        if path in seen:
            continue
        seen.add(path)
        children.setdefault(path.rpartition("/")[0], []).append(path)
    out: list[str] = []
    stack = list(reversed(children.get("", [])))
    while stack:
        path = stack.pop()
        out.append(path)
        stack.extend(reversed(children.get(path, [])))
    return out


def _counting(rules: Rules) -> tuple:
    """The settings that decide who is a talent and in which category: the allowance, the award,
    the unit targets and the 1‰ ratio do not change a count, so they do not make two censuses
    count differently."""
    return rules.min_hours, rules.training_since, rules.min_degree, rules.related_majors


def _notes(census: Census, earlier: Census, earlier_name: str) -> list[str]:
    """What a reader of the comparison must know."""
    notes = []
    if _counting(census.settings.rules) != _counting(earlier.settings.rules):
        notes.append("两次普查的统计口径不同，各自按本身的口径计数")
    # Which census lacks its date, in the window's words (the note is shown on the 对比 page; the
    # command line adds its own command, cli.cmd_compare).
    missing = [text for text, as_of in (
        ("本次普查未设定统计截止日期（在“文件 → 普查信息”中设定）", census.as_of),
        (f"早前普查（{earlier_name}）未设定统计截止日期（打开该文件，在“文件 → 普查信息”中设定）", earlier.as_of))
        if not as_of]
    if missing:
        notes.append(f"{'；'.join(missing)}，无法计算增长速度和有期限目标的进度")
    elif earlier.as_of and census.as_of and earlier.as_of >= census.as_of:  # a later one: compare_files refuses it
        notes.append(f"两次普查的统计截止日期相同（{census.as_of}），请确认选择的是早前的普查文件"
                     if earlier.as_of == census.as_of else
                     f"早前普查的截止日期 {earlier.as_of} 晚于本次的 {census.as_of}，请确认两个文件的先后")
    return notes


RENAMED_NOTES_MAX = 10


def _renamed_notes(persons: list[PersonChange], now: dict[str, RegionSummary],
                   before: dict[str, RegionSummary]) -> list[str]:
    """Regions that look renamed, merged or split between the two censuses. Regions are
    matched by path, so a community renamed 团结社区 → 团结新村社区 shows its people as 调整区划 and the
    two names each on one side only; where at least half of a vanished region's talents now sit
    in one region that is new at the same place in the tree (the rest of their paths alike),
    say so: the counts stay as they are, the clerk knows why."""
    pairs: Counter[tuple[str, str]] = Counter()
    for p in persons:
        if p.kind != "moved":
            continue
        old, new = p.path_before.split("/"), p.path.split("/")
        if len(old) != len(new):
            continue
        differ = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        if len(differ) != 1:  # one name changed, everything around it alike
            continue
        i = differ[0]
        pairs["/".join(old[:i + 1]), "/".join(new[:i + 1])] += 1
    notes = []
    for (old_path, new_path), count in pairs.most_common():
        gone_region = before.get(old_path)
        if old_path in now or new_path in before or new_path not in now or gone_region is None \
                or count * 2 < gone_region.talents:
            continue
        notes.append(f"早前的“{old_path}”本次已没有，其 {gone_region.talents} 名人才中 {count} 名现在“{new_path}”"
                     "（早前没有此区划）：可能是区划更名、合并或拆分，对比按区划路径进行，这些人记为调整区划")
        if len(notes) == RENAMED_NOTES_MAX:
            break
    return notes


def growth_from_file(earlier_path: Path, path: str, category: str, multiple: float,
                     current: Path | None = None, current_as_of: str | None = None) -> Growth:
    """A growth goal: `multiple` × the figure of `category` at `path` in an earlier census file
    (not `current`, the census the goal is for, dated `current_as_of`); see growth_of."""
    if category not in GOAL_LABELS:
        raise CensusError(f"未知的目标类别：{category}（可选：{'、'.join(GOAL_LABELS)}）")
    if current is not None and same_file(Path(earlier_path), Path(current)):
        raise CensusError("倍数要以早前的另一个普查文件为基数，不能是本普查文件", file=Path(earlier_path).name)
    summary, label = node_in_file(earlier_path, path, current_as_of)
    return growth_of(summary, category, multiple, label)


def growth_of(summary: RegionSummary, category: str, multiple: float, label: str) -> Growth:
    """`multiple` × a node's figure of `category` in an earlier census (`summary`, named `label`).
    An earlier figure of 0 gives no goal: any multiple of it is 0, met from the start."""
    base = getattr(summary, category)
    if not base:
        raise CensusError(f"早前普查中“{summary.path}”的{GOAL_LABELS[category]}为 0，按倍数设定的目标也是 0；"
                          "请直接给出目标人数")
    return Growth(multiple, base, label)


def node_in_file(earlier_path: Path, path: str, before: str | None = None) -> tuple[RegionSummary, str]:
    """The figures of the region at `path` in another census file, and how to name that census.
    `before`: the 统计截止日期 of the census the figures are a base for; a file dated after it is
    not an earlier census (picked by mistake, a growth goal on it would count backwards)."""
    earlier_path = Path(earlier_path)
    with Census.open_unchanged(earlier_path) as earlier:
        if before and earlier.as_of and earlier.as_of > before:
            raise CensusError(f"这个普查文件的统计截止日期 {earlier.as_of} 晚于本次的 {before}，不是早前的普查，"
                              "不能作为倍数的基数", file=earlier_path.name)
        summary = next((s for s in earlier.summary() if s.path == path), None)
        if summary is None:
            raise CensusError(f"早前普查中没有区划“{path}”，无法按倍数设定目标", file=earlier_path.name)
        return summary, census_label(earlier.title, earlier.as_of)
