"""Acceptance through the window: the wuhai returns imported via the review dialog match expected.json.

Population and every return go in as manifest.csv says (region overrides set in the review step,
the same code path a clerk uses); the tree and the dashboard must then show expected talents and
targets for every region. Skips when ../shared is absent.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.gui.window_helpers import import_through_review, wait_idle

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "wuhai"

pytestmark = pytest.mark.skipif(not (FIXTURES / "expected.json").exists(), reason="../shared fixtures absent")


def manifest() -> list[tuple[Path, str | None]]:
    with open(FIXTURES / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        return [(FIXTURES / "returns" / row["file"].strip(), (row.get("region") or "").strip() or None)
                for row in csv.DictReader(fh)]


def test_wuhai_through_the_window(qtbot, window, msgs, tmp_path):
    win = window
    assert win.new_census(tmp_path / "wuhai")
    win.load_population(FIXTURES / "population.xlsx")
    wait_idle(qtbot, win)
    files = manifest()
    overrides = {path.name: region for path, region in files if region}
    dialog = import_through_review(qtbot, win, [path for path, _ in files], overrides)
    statuses = {o.file_name: (o.status, o.message) for o in dialog.outcomes}
    assert all(status == "imported" for status, _ in statuses.values()), statuses
    assert len(dialog.outcomes) == len(files)
    dialog.accept()
    assert not msgs.errors

    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    shown = {s.path: s for s in win.tree_model.order}
    mismatches = []
    for want in expected["regions"]:
        s = shown.get(want["path"])
        if s is None:
            mismatches.append(f"{want['path']}: not in the tree")
            continue
        index = win.tree_model.index_of(s.region_id)
        count_text = win.tree_model.index(index.row(), 1, index.parent()).data()
        target = want.get("target")
        expected_text = f"{want['talents']}/{target if target is not None else '—'}"
        if count_text != expected_text:
            mismatches.append(f"{want['path']}: tree shows {count_text}, expected {expected_text}")
        win.select_region(s.region_id)
        cards = win.dashboard.cards
        if cards["talents"].value.text() != f"{want['talents']:,}":
            mismatches.append(f"{want['path']}: dashboard talents {cards['talents'].value.text()}")
        if cards["target"].value.text() != ("—" if target is None else f"{target:,}"):
            mismatches.append(f"{want['path']}: dashboard target {cards['target'].value.text()}")
        if want.get("per_mille") is not None and cards["per_mille"].value.text() != f"{want['per_mille']:.2f}‰":
            mismatches.append(f"{want['path']}: dashboard ‰ {cards['per_mille'].value.text()}")
    assert not mismatches, "\n".join(mismatches)

    root = next(r for r in expected["regions"] if "/" not in r["path"])
    win.select_region(shown[root["path"]].region_id)
    pending = [p for p in win.problems.all if p.kind == "pending"]
    assert len(pending) == root["pending_rows"]
