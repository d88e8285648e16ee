"""Acceptance: the wuhai fixture set, imported as its manifest says, matches expected.json.

Skips when ../shared is absent (a fresh clone on its own); never hard-codes the figures.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from cli import main as cli_main

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "wuhai"

pytestmark = pytest.mark.skipif(not (FIXTURES / "expected.json").exists(), reason="../shared fixtures absent")


def manifest() -> list[tuple[Path, str | None]]:
    with open(FIXTURES / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        return [(FIXTURES / "returns" / row["file"].strip(), (row.get("region") or "").strip() or None)
                for row in csv.DictReader(fh)]


def build(census_path: Path) -> None:
    assert cli_main(["population", str(census_path), str(FIXTURES / "population.xlsx")]) == 0
    for path, region in manifest():
        args = ["import", str(census_path), str(path)] + (["--region", region] if region else [])
        assert cli_main(args) == 0, path.name


@pytest.fixture(scope="module")
def wuhai(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wuhai") / "wuhai.census"
    build(path)
    return path


def test_every_region_matches_expected(wuhai, capsys):
    capsys.readouterr()
    assert cli_main(["summary", str(wuhai), "--json"]) == 0
    got = {r["path"]: r for r in json.loads(capsys.readouterr().out)["regions"]}
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    mismatches = []
    for want in expected["regions"]:
        have = got.get(want["path"])
        if have is None:
            mismatches.append(f"{want['path']}: missing")
            continue
        for key, value in want.items():
            if key == "per_mille" and value is not None:
                ok = have[key] is not None and abs(have[key] - value) < 5e-4
            else:
                ok = have.get(key) == value
            if not ok:
                mismatches.append(f"{want['path']}.{key}: expected {value!r}, got {have.get(key)!r}")
    assert not mismatches, "\n".join(mismatches)


def test_problems_list_the_pending_rows(wuhai, capsys):
    capsys.readouterr()
    assert cli_main(["problems", str(wuhai), "--json"]) == 0
    problems = json.loads(capsys.readouterr().out)["problems"]
    pending = [p for p in problems if p["kind"] == "pending"]
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    root = next(r for r in expected["regions"] if "/" not in r["path"])
    assert len(pending) == root["pending_rows"]
    for p in pending:
        assert p["file"] and p["sheet"] and p["row"] and p["reason"]
    reasons = {p["reason"] for p in pending}
    assert any("校验位" in r for r in reasons)
    assert any("存为数字" in r for r in reasons)


def test_importing_everything_again_counts_nobody_twice(wuhai, capsys):
    before = capsys.readouterr()
    assert cli_main(["summary", str(wuhai), "--json"]) == 0
    first = capsys.readouterr().out
    for path, region in manifest():
        args = ["import", str(wuhai), str(path)] + (["--region", region] if region else [])
        assert cli_main(args) == 0
    out = capsys.readouterr().out
    assert "已跳过" in out
    assert cli_main(["summary", str(wuhai), "--json"]) == 0
    assert capsys.readouterr().out == first
    del before
