"""`census.regions`: the region tree, populations, goals, and folding one region into another."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.bulk_gc import fewer_collections
from models.errors import CensusError, NotFound, check_people
from models.goals import GOAL_COLUMNS, Growth, iso_date
from models.records import GOAL_LABELS, Goal
from models.regions import Region, RegionTree, kind_for, missing_parent

if TYPE_CHECKING:
    from models.census import Census

_REGION_COLUMNS = "id, parent_id, name, path, kind, depth, population, flagged, note"


class Regions:
    """The regions of one census; the tree is read once and cached until something changes it."""

    def __init__(self, census: Census):
        self._census = census
        self._tree: RegionTree | None = None
        self._paths: dict[int, str] | None = None  # id → path, for path_of without the whole tree

    @property
    def _conn(self):
        return self._census.conn

    def forget(self) -> None:
        """Drop the cached tree and paths (after any write to the regions table)."""
        self._tree = None
        self._paths = None

    # ---- reading -------------------------------------------------------------------------
    def tree(self) -> RegionTree:
        if self._tree is None:
            # A province's 20,000 nodes are 0.1 s of objects that are no garbage; in the window's
            # process, the full collections they set off walked the window's objects too (0.48 s).
            with fewer_collections():
                rows = self._conn.execute(f"SELECT {_REGION_COLUMNS} FROM regions ORDER BY id").fetchall()
                self._tree = RegionTree([Region(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8])
                                         for r in rows])
        return self._tree

    def count(self) -> int:
        """How many regions the census has (without building the tree)."""
        return self._conn.execute("SELECT COUNT(*) FROM regions").fetchone()[0]

    def root_ids(self, most: int = 2) -> list[int]:
        """The ids of the top regions (at most `most`), without building the tree (a province's
        20,000 nodes: 80 ms, after every refresh)."""
        return [r[0] for r in self._conn.execute("SELECT id FROM regions WHERE parent_id IS NULL ORDER BY id LIMIT ?",
                                                 (most,))]

    def all(self) -> list[Region]:
        """Every region in tree order (depth-first)."""
        return self.tree().tree_order()

    def get(self, region_id: int) -> Region:
        try:
            return self.tree().by_id[region_id]
        except KeyError:
            raise NotFound(f"区划 {region_id} 不存在") from None

    def by_path(self, path: str) -> Region | None:
        return self.tree().by_path.get(path.strip("/"))

    def path_of(self, region_id: int | None) -> str:
        """The path of a region id, "" for None or a region that is gone. Without the tree when it
        is not built: the people table's first page after a refresh named each person's region by
        building a province's tree (20,000 nodes: 0.1–0.35 s on the window's thread); the ids'
        paths alone are one query (13 ms)."""
        if region_id is None:
            return ""
        if self._tree is not None:
            node = self._tree.by_id.get(region_id)
            return node.path if node else ""
        if self._paths is None:
            self._paths = dict(self._conn.execute("SELECT id, path FROM regions"))
        return self._paths.get(region_id, "")

    def missing_parent(self, path: str) -> str | None:
        """models.regions.missing_parent against this census's tree."""
        return missing_parent(path, self.tree().by_path)

    def with_returns(self) -> set[int]:
        """Regions that have a person, a pending row or an import of their own."""
        # Index seeks per region (thousands), not a scan of every source row (millions).
        found = {row[0] for row in self._conn.execute(
            "SELECT id FROM regions r WHERE EXISTS (SELECT 1 FROM persons WHERE region_id = r.id)"
            " OR EXISTS (SELECT 1 FROM source_rows WHERE status = 'pending' AND region_id = r.id)")}
        return found | {row[0] for row in self._conn.execute("SELECT DISTINCT region_id FROM batches")}

    def with_own_rows(self) -> set[int]:
        """Regions named by a source row or an import itself (not only by a person's attribution)."""
        return {row[0] for row in self._conn.execute(
            "SELECT region_id FROM source_rows WHERE region_id IS NOT NULL"
            " UNION SELECT region_id FROM batches WHERE region_id IS NOT NULL")}

    def goals(self) -> dict[int, list[tuple]]:
        """Region id → its goals in the order they were set, each (category, target, note,
        deadline, multiple, base, base_source): models.records.Goal without the count."""
        goals: dict[int, list[tuple]] = {}
        for region_id, *goal in self._conn.execute(
                f"SELECT region_id, {GOAL_COLUMNS} FROM region_goals ORDER BY region_id, rowid"):
            goals.setdefault(region_id, []).append(tuple(goal))
        return goals

    def goal(self, region_id: int, category: str) -> Goal | None:
        """The goal set for a node and a category, or None (its `actual` is 0: not counted here)."""
        row = self._conn.execute(f"SELECT {GOAL_COLUMNS} FROM region_goals WHERE region_id = ? AND category = ?",
                                 (region_id, category)).fetchone()
        return None if row is None else Goal(row[0], row[1], 0, row[2] or "", row[3], row[4], row[5], row[6] or "")

    # ---- writing -------------------------------------------------------------------------
    def ensure(self, path: str, *, kind: str | None = None, flagged: bool = False, note: str = "",
               batch_id: int | None = None, by_depth: bool = False) -> Region:
        """The node at `path`, creating it and any missing ancestors."""
        names = [n.strip() for n in path.strip("/").split("/") if n.strip()]
        if not names:
            raise CensusError("区划路径为空")
        parent: Region | None = None
        # By depth, the first level is 市: a table that starts with a 省 column shifts every level by one.
        shift = 1 if by_depth and kind_for(names[0]) == "province" else 0
        for depth, name in enumerate(names):
            node_path = "/".join(names[: depth + 1])
            node = self.tree().by_path.get(node_path)
            if node is None:
                last = depth == len(names) - 1
                node_kind = kind if (kind and last) else kind_for(name, depth - shift if by_depth else None)
                if not by_depth and node_kind == "unit" and depth == 0:
                    node_kind = "city"
                node_note = note if last else ""
                cur = self._conn.execute(
                    "INSERT INTO regions (parent_id, name, path, kind, depth, flagged, note, created_batch)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (parent.id if parent else None, name, node_path, node_kind, depth, int(flagged),
                     node_note, batch_id),
                )
                assert cur.lastrowid is not None
                node = Region(cur.lastrowid, parent.id if parent else None, name, node_path, node_kind, depth,
                              None, flagged, node_note)
                self.tree().add(node)  # the cached tree grows with the table; never rebuilt per node
            parent = node
        assert parent is not None
        return parent

    def set_population(self, region_id: int, population: int | None) -> None:
        check_people(population, "户籍人口")
        with self._census.transaction():
            self._conn.execute("UPDATE regions SET population = ? WHERE id = ?", (population, region_id))
            self.forget()

    def record_population(self, region_id: int, population: int) -> None:
        """A population read from the population table: the node is confirmed (no longer flagged).

        Inside the caller's transaction; the cached tree keeps the old figures until `forget()`,
        so loading a table of thousands of nodes does not reread the tree per row.
        """
        self._conn.execute("UPDATE regions SET population = ?, flagged = 0 WHERE id = ?", (population, region_id))

    def set_goal(self, region_id: int, category: str, target: int | None, note: str = "",
                 deadline: str | None = None, growth: Growth | None = None) -> None:
        """Set (or with None, remove) a goal for a node, e.g. 1,000 certified by year end; with a
        `deadline` (ISO date) it is a dated goal, with `growth` a multiple of an earlier census's
        figure (then `target` is that multiple, rounded up, unless given)."""
        if category not in GOAL_LABELS:
            raise CensusError(f"未知的目标类别：{category}（可选：{'、'.join(GOAL_LABELS.values())}）")
        if growth is not None and target is None:
            target = growth.target
        check_people(target, "目标人数")
        deadline = iso_date(deadline) if deadline else None
        if deadline is not None and not "2000-01-01" <= deadline <= "2100-12-31":  # 2199: a typo
            raise CensusError(f"完成期限 {deadline} 不在合理范围内（2000 年至 2100 年），请检查年份")
        self.get(region_id)
        with self._census.transaction():
            if target is None:
                self._conn.execute("DELETE FROM region_goals WHERE region_id = ? AND category = ?",
                                   (region_id, category))
            else:
                self._conn.execute(
                    f"INSERT OR REPLACE INTO region_goals (region_id, {GOAL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (region_id, category, target, note, deadline, growth and growth.multiple, growth and growth.base,
                     growth.source if growth else ""))

    def fold(self, source_id: int, target_id: int) -> None:
        """Fold a region into another (并入; e.g. a node a return created from a misspelt name): its
        rows, imports, reassignments and goals move to the target, its children too, and the
        emptied node is removed. Everyone touched is recounted."""
        source, target = self.get(source_id), self.get(target_id)
        tree = self.tree()
        if source.id == target.id or tree.is_within(target, source):
            raise CensusError(f"不能把“{source.path}”并入它自己或它的下级“{target.path}”")
        conn = self._conn
        with self._census.transaction():
            ids = [r[0] for r in conn.execute(
                "SELECT DISTINCT id_number FROM source_rows WHERE region_id = ? AND id_number IS NOT NULL", (source.id,))]
            ids += [r[0] for r in conn.execute("SELECT id_number FROM persons WHERE region_id = ?", (source.id,))]
            for table in ("source_rows", "batches", "person_regions"):
                conn.execute(f"UPDATE {table} SET region_id = ? WHERE region_id = ?", (target.id, source.id))
            conn.execute(f"INSERT OR IGNORE INTO region_goals (region_id, {GOAL_COLUMNS})"
                         f" SELECT ?, {GOAL_COLUMNS} FROM region_goals WHERE region_id = ?", (target.id, source.id))
            conn.execute("DELETE FROM region_goals WHERE region_id = ?", (source.id,))
            conn.execute("INSERT OR IGNORE INTO region_units (region_id, unit_type, staff)"
                         " SELECT ?, unit_type, staff FROM region_units WHERE region_id = ?", (target.id, source.id))
            conn.execute("DELETE FROM region_units WHERE region_id = ?", (source.id,))
            for child in tree.children.get(source.id, []):
                self._move_subtree(child, target)
            self._census.people.recompute(ids)
            conn.execute("DELETE FROM regions WHERE id = ?", (source.id,))
            self._census.refresh()

    def _move_subtree(self, node: Region, new_parent: Region) -> None:
        """Hang a node (and its descendants' paths) under another parent, joining a same-named node."""
        existing = self.tree().by_path.get(f"{new_parent.path}/{node.name}")
        if existing is not None:
            self.fold(node.id, existing.id)
            return
        old_prefix, new_path = node.path, f"{new_parent.path}/{node.name}"
        depth_shift = new_parent.depth + 1 - node.depth
        self._conn.execute("UPDATE regions SET parent_id = ? WHERE id = ?", (new_parent.id, node.id))
        self._conn.execute(
            "UPDATE regions SET path = ? || substr(path, ?), depth = depth + ? WHERE path = ? OR path LIKE ?",
            (new_path, len(old_prefix) + 1, depth_shift, old_prefix, old_prefix + "/%"))
        self._census.refresh()

    def drop_unused(self, batch_id: int) -> None:
        """Regions a batch created, deepest first, unless something else now uses them (undo)."""
        created = self._conn.execute(
            "SELECT id FROM regions WHERE created_batch = ? ORDER BY depth DESC", (batch_id,)).fetchall()
        for (region_id,) in created:
            used = self._conn.execute(
                "SELECT 1 WHERE EXISTS (SELECT 1 FROM source_rows WHERE region_id = :r)"
                " OR EXISTS (SELECT 1 FROM batches WHERE region_id = :r)"
                " OR EXISTS (SELECT 1 FROM regions WHERE parent_id = :r)"
                " OR EXISTS (SELECT 1 FROM person_regions WHERE region_id = :r)"
                " OR EXISTS (SELECT 1 FROM region_goals WHERE region_id = :r)"
                " OR EXISTS (SELECT 1 FROM region_units WHERE region_id = :r)", {"r": region_id}).fetchone()
            if not used:
                self._conn.execute("DELETE FROM regions WHERE id = ?", (region_id,))
        self.forget()

    def within_clause(self, region_id: int, column: str = "region_id") -> tuple[str, list]:
        """SQL condition (and its parameters) for `column` naming the region or one below it (by its
        path alone: selecting a region in the window built the whole tree for it)."""
        path = self.path_of(region_id)
        if not path:
            raise NotFound(f"区划 {region_id} 不存在")
        return f"{column} IN (SELECT id FROM regions WHERE path = ? OR path LIKE ?)", [path, path + "/%"]
