"""Two censuses of the same city a year apart, built from their own generated returns
(tests/over_time.py): compare --json field by field, certified_by_year against the certificate
dates written in the returns, dated goals on both sides of the line, growth goals, merge's as-of."""

from __future__ import annotations

import json
import math
import shutil

import pytest

from cli import main
from models.census import Census
from models.merge_files import merge_census_files
from tests import over_time as ot


@pytest.fixture(scope="module")
def years(tmp_path_factory):
    return ot.build_both(tmp_path_factory.mktemp("years"))


@pytest.fixture
def both(years, tmp_path):
    """Copies of the two censuses this test may change."""
    later, earlier, first, second = years
    mine = (tmp_path / later.name, tmp_path / earlier.name)
    shutil.copyfile(later, mine[0])
    shutil.copyfile(earlier, mine[1])
    return mine[0], mine[1], first, second


def run_json(capsys, *argv) -> dict:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_compare_json_matches_the_generated_years_field_by_field(years, capsys):
    later, earlier, first, second = years
    data = run_json(capsys, "compare", str(later), str(earlier), "--json")
    assert (data["earlier_as_of"], data["as_of"]) == ot.AS_OF
    expected = ot.expected_comparison(first, second)
    got = {r["path"]: r for r in data["regions"]}
    assert set(got) == set(expected)
    for path, row in expected.items():
        assert got[path] == row, path
    # The cases the year was built for, spelled out.
    city = got[ot.CITY]
    assert city["new_persons"] == 5 and city["upgraded"] == 1  # 101–104, 43 (hours reached 120); 41 raised
    assert got[ot.VILLAGE]["talents"] is None and got[ot.VILLAGE]["gone_persons"] == got[ot.VILLAGE]["talents_before"]
    assert got[ot.NEW_COMMUNITY]["talents_before"] is None and got[ot.NEW_COMMUNITY]["growth"] is None
    assert got[ot.NEW_COMMUNITY]["new_persons"] == 2 and got[ot.NEW_COMMUNITY]["gone_persons"] is None
    # 42 moved from 团结社区 to 幸福社区: neither new in one nor gone from the other; 44's first
    # certificate is not an upgrade.
    assert got[ot.XINGFU]["upgraded"] == 0
    order = [r["path"] for r in data["regions"]]
    assert all(order.index(p.rpartition("/")[0]) < order.index(p) for p in order if "/" in p)  # tree order


def test_persons_listed_with_masked_ids(years, capsys):
    later, earlier, first, second = years
    data = run_json(capsys, "compare", str(later), str(earlier), "--json", "--persons")
    kinds = {(p["kind"], p["name"]) for p in data["persons"]}
    assert {("upgraded", "待升级"), ("moved", "将调动"), ("new", "学时未满"), ("new", "新人丙")} <= kinds
    assert ("new", "仅培训") not in kinds and ("upgraded", "仅培训") not in kinds
    moved = next(p for p in data["persons"] if p["kind"] == "moved")
    assert (moved["path_before"], moved["path"]) == (ot.TUANJIE, ot.XINGFU)
    assert all("*" in p["id"] for p in data["persons"])
    assert ot.make_id(42) not in json.dumps(data)
    capsys.readouterr()
    assert main(["compare", str(later), str(earlier), "--persons"]) == 0
    text = capsys.readouterr().out
    assert "[等级提高] 待升级" in text and "助理社会工作师 → 社会工作师" in text


def test_certified_by_year_against_the_certificate_dates(years, capsys):
    later, earlier, first, second = years
    for path, people in ((later, second), (earlier, first)):
        data = run_json(capsys, "summary", str(path), "--json")
        assert data["as_of"] in ot.AS_OF and data["title"].startswith("测试市")
        for region in data["regions"]:
            by_year = region["certified_by_year"]
            assert by_year == ot.by_year(people, region["path"]), region["path"]
            assert sum(sum(levels.values()) for levels in by_year.values()) == region["certified"]
    city = run_json(capsys, "summary", str(later), "--json")["regions"][0]["certified_by_year"]
    # 41's intermediate certificate of 2021 counts, not the assistant one of 2016 it replaced.
    assert city["2021"]["intermediate"] >= 2 and city["2021"]["assistant"] >= 2
    assert any(sum(v.values()) for v in city.values()) and city["unknown"]  # undated and 不详 under unknown


def test_dated_goal_on_track_on_both_sides_of_the_line(both, capsys):
    later, earlier, first, second = both
    now = ot.counts(second, ot.HEPING)["talents"]
    gained = now - ot.counts(first, ot.HEPING)["talents"]
    assert gained > 0
    # as-of 2020-12-31 → 2021-12-31 is 12 months; a deadline 12 months on needs the same pace again.
    line = now + gained
    for target, on_track in ((line, True), (line + 1, False)):
        assert main(["goal", str(later), ot.HEPING, "talents", str(target), "--by", "2022-12-31"]) == 0
        goal = run_json(capsys, "compare", str(later), str(earlier), "--json")["goals"][0]
        assert goal == {"path": ot.HEPING, "category": "talents", "target": target, "by": "2022-12-31", "now": now,
                        "before": now - gained, "on_track": on_track,
                        "per_month_needed": round((target - now) / 12, 2),
                        "pace_per_month": round(gained / 12, 2)}
    # A deadline already passed short of the goal is not on track, and needs no monthly figure.
    main(["goal", str(later), ot.HEPING, "talents", str(now + 1), "--by", "2021-06-30"])
    goal = run_json(capsys, "compare", str(later), str(earlier), "--json")["goals"][0]
    assert goal["on_track"] is False and goal["per_month_needed"] is None
    main(["compare", str(later), str(earlier)])  # not 按此进度不能按期完成: the date is behind us
    assert "已过完成期限，未达成（差 1 人）" in capsys.readouterr().out
    summary_goal = next(r for r in run_json(capsys, "summary", str(later), "--json")["regions"]
                        if r["path"] == ot.HEPING)["goals"][0]
    assert summary_goal["by"] == "2021-06-30"


def test_growth_goal_is_a_multiple_of_the_earlier_figure(both, capsys):
    later, earlier, first, second = both
    base = ot.counts(first, ot.HEPING)["talents"]
    assert main(["goal", str(later), ot.HEPING, "talents", "--times", "1.5", "--of", str(earlier),
                 "--by", "2025-12-31"]) == 0
    assert "1.5 倍" in capsys.readouterr().out
    goal = next(r for r in run_json(capsys, "summary", str(later), "--json")["regions"]
                if r["path"] == ot.HEPING)["goals"][0]
    assert goal["target"] == math.ceil(1.5 * base) and goal["base"] == base and goal["multiple"] == 1.5
    assert goal["actual"] == ot.counts(second, ot.HEPING)["talents"] and "2020" in goal["base_source"]
    assert main(["goal", str(later), ot.VILLAGE, "talents", "--times", "2", "--of", str(earlier)]) == 1  # not here now
    capsys.readouterr()
    assert main(["goal", str(later), ot.EAST, "talents", "--times", "2", "--of", str(later)]) == 1  # not itself
    assert "不能是本普查文件" in capsys.readouterr().err
    assert main(["goal", str(later), ot.EAST, "talents", "100", "--times", "2", "--of", str(earlier)]) == 1
    assert "只能用一个" in capsys.readouterr().err  # a number and a multiple contradict each other


def test_info_sets_title_and_as_of(both, capsys):
    later = both[0]
    assert main(["info", str(later), "--title", "乌海市社会工作专业人才摸排", "--as-of", "2022年3月1日"]) == 0
    out = capsys.readouterr().out
    assert "乌海市社会工作专业人才摸排" in out and "2022-03-01" in out
    data = run_json(capsys, "summary", str(later), "--json")
    assert (data["title"], data["as_of"]) == ("乌海市社会工作专业人才摸排", "2022-03-01")
    assert main(["info", str(later), "--as-of", "2022-02-30"]) == 1
    assert "2022-02-30" in capsys.readouterr().err
    for typo in ("2099-01-01", "1900-01-01"):  # every certificate would land in the wrong exam year
        assert main(["info", str(later), "--as-of", typo]) == 1
        assert f"统计截止日期“{typo}”不在合理范围内" in capsys.readouterr().err
    assert run_json(capsys, "summary", str(later), "--json")["as_of"] == "2022-03-01"
    assert main(["info", str(later), "--as-of", ""]) == 0
    assert run_json(capsys, "summary", str(later), "--json")["as_of"] is None


def test_compare_refuses_itself_and_a_missing_file(years, capsys, tmp_path):
    later = years[0]
    assert main(["compare", str(later), str(later)]) == 1
    assert main(["compare", str(later), str(tmp_path / "none.census")]) == 1
    err = capsys.readouterr().err
    assert "自己" in err and "none.census" in err and "Traceback" not in err


def test_merge_takes_the_latest_as_of_and_says_so(both, tmp_path):
    later, earlier, first, second = both
    target = tmp_path / "district.census"
    with Census.open(target) as census:
        result = merge_census_files(census, earlier)
        assert census.as_of == "2020-12-31" and "2020-12-31" in result.describe()
        result = merge_census_files(census, later)
        assert census.as_of == "2021-12-31" and "最晚" in result.describe()
        result = merge_census_files(census, earlier)  # an older source leaves it
        assert census.as_of == "2021-12-31" and "不变" in result.describe()


def test_only_the_counting_rules_make_the_censuses_count_differently(both, capsys):
    """A raised allowance or another award year left the counts as comparable as before, yet
    compare said 两次普查的统计口径不同; a different training threshold does change them."""
    from dataclasses import replace

    later, earlier = both[:2]
    with Census.open(later) as census:
        census.settings.set_rules(replace(census.settings.rules, allowance_monthly=(300, 400, 600), award_year=2021,
                                          unit_targets=(("医院", "talents", "3"),)))
    assert run_json(capsys, "compare", str(later), str(earlier), "--json")["notes"] == []
    with Census.open(later) as census:
        census.settings.set_rules(replace(census.settings.rules, min_hours=100))
    assert run_json(capsys, "compare", str(later), str(earlier), "--json")["notes"] == [
        "两次普查的统计口径不同，各自按本身的口径计数"]


def test_a_gone_person_still_on_the_lists_says_why(both, capsys):
    """Under this census's stricter rule a trained-only person stops being a talent: listed as
    减少 alone, the clerk read that they had left."""
    from dataclasses import replace

    from models.compare import STILL_LISTED

    later, earlier = both[:2]
    with Census.open(later) as census:
        census.settings.set_rules(replace(census.settings.rules, min_hours=1000))
        listed = {p.id_number for p in census.people.iter()}
    data = run_json(capsys, "compare", str(later), str(earlier), "--json", "--persons", "--full-ids")
    gone = [p for p in data["persons"] if p["kind"] == "gone"]
    still = [p for p in gone if p["note"] == STILL_LISTED]
    assert still and all(p["id"] in listed for p in still)
    assert all(p["note"] == "" for p in gone if p["id"] not in listed)
    capsys.readouterr()
    assert main(["compare", str(later), str(earlier), "--persons"]) == 0
    assert f"（{STILL_LISTED}）" in capsys.readouterr().out


def test_an_earlier_census_of_an_older_version_is_compared_without_being_changed(years, capsys, tmp_path):
    """Comparing used to bring an older earlier census's tables up to date in its file: the
    program version that made it then refused it (由更新版本的程序创建), and `goal --times --of`
    did the same. It is read through a temporary up-to-date copy now; the file keeps every byte."""
    import hashlib
    import sqlite3

    from models.schema import LATEST_VERSION, migrate

    later = years[0]
    old = tmp_path / "2019.census"
    conn = sqlite3.connect(old, isolation_level=None)
    migrate(conn, up_to=LATEST_VERSION - 3)
    conn.close()
    digest = hashlib.sha256(old.read_bytes()).hexdigest()
    data = run_json(capsys, "compare", str(later), str(old), "--json")
    assert data["regions"][0]["talents_before"] is None  # an empty census: nothing on the earlier side
    assert hashlib.sha256(old.read_bytes()).hexdigest() == digest
    conn = sqlite3.connect(old)
    assert conn.execute("SELECT MAX(version) FROM migrations").fetchone()[0] == LATEST_VERSION - 3
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2019.census"]  # no -wal or -shm left beside it


def test_the_up_to_date_copy_gives_the_same_comparison_and_goes_away(years, monkeypatch, tmp_path):
    """The copy an older earlier census is read through: with every figure and person, removed on close."""
    import tempfile

    from models import census as census_module
    from models.compare import compare_files

    later, earlier = years[0], years[1]
    with Census.open(later, create=False) as census:
        direct = compare_files(census, earlier).to_json(with_persons=True)
        monkeypatch.setattr(census_module, "LATEST_VERSION", census_module.LATEST_VERSION + 1)  # the file looks older
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        copied = compare_files(census, earlier).to_json(with_persons=True)
    assert copied == direct
    assert not list(tmp_path.glob("census-read-*"))


def test_a_region_reconciles_and_lists_who_moved_out_of_it(years):
    """42 moved from 团结社区 to 幸福社区: 团结社区's 11 → 11 with 1 new and nobody gone did not add up,
    and its 调整区划 list was empty (the list was filtered by where the person is now)."""
    from models.compare import compare_files

    later, earlier = years[0], years[1]
    with Census.open(later, create=False) as census:
        result = compare_files(census, earlier)
    both = [r for r in result.regions if r.now is not None and r.before is not None]
    assert both and all(r.now.talents == r.before.talents + r.new_persons - r.gone_persons + r.moved_in - r.moved_out
                        for r in both)
    tuanjie, xingfu = result.region(ot.TUANJIE), result.region(ot.XINGFU)
    assert (tuanjie.moved_in, tuanjie.moved_out, xingfu.moved_in, xingfu.moved_out) == (0, 1, 1, 0)
    assert result.region(ot.HEPING).moved_in == result.region(ot.HEPING).moved_out == 0  # a move within the street
    for path in (ot.TUANJIE, ot.XINGFU, ot.HEPING):
        assert [p.id_number for p in result.persons_within(path, "moved")] == [ot.make_id(42)], path
    assert result.persons_within(ot.WEST, "moved") == []


def test_the_note_names_the_census_without_a_date_in_the_windows_words(both, capsys):
    """The 对比 page showed 未设定统计截止日期（info --as-of 或窗口“普查信息”）: a command in the window,
    and not which of the two censuses lacks the date."""
    later, earlier, _first, _second = both
    assert main(["info", str(earlier), "--as-of", ""]) == 0
    data = run_json(capsys, "compare", str(later), str(earlier), "--json")
    (note,) = data["notes"]
    assert f"早前普查（{earlier.name}）未设定" in note and "本次普查" not in note and "--" not in note
    capsys.readouterr()
    assert main(["compare", str(later), str(earlier)]) == 0
    assert "info 普查文件 --as-of" in capsys.readouterr().out  # the command line names its own command


def test_a_lower_level_or_a_certificate_no_longer_held_is_listed(years):
    """Certified before, lower or not certified now while still a talent: the certified counts fell
    and no list named the person. Seen here with the years the wrong way round: 41 was raised to
    社会工作师 and 44 first certified in year 2, so from year 2 to year 1 they are lowered."""
    from models.compare import compare

    later, earlier = years[0], years[1]
    with Census.open(earlier, create=False) as census, Census.open_unchanged(later) as other:
        result = compare(census, other)  # compare_files refuses a later file (see below)
    lowered = {p.id_number: p for p in result.persons_within(None, "lowered")}
    assert set(lowered) == {ot.make_id(41), ot.make_id(44)}
    assert lowered[ot.make_id(41)].level_text == "社会工作师 → 助理社会工作师"
    assert lowered[ot.make_id(44)].level_text == "助理社会工作师 → 无证书"
    assert [p.id_number for p in result.persons_within(ot.TUANJIE, "lowered")] == [ot.make_id(41)]
    assert "lowered" not in {p.kind for p in result.persons if p.id_number not in lowered}


def test_a_region_renamed_between_the_years_is_named_in_the_notes(both):
    """团结社区 became 团结新村社区: matched by path, its people are 调整区划 and each name is on one
    side only. The counts stay; a note says the region looks renamed."""
    from models.compare import compare_files

    later, earlier, _first, _second = both
    with Census.open(later, create=False) as census:
        assert not [n for n in compare_files(census, earlier).notes if "更名" in n]  # the years as generated
        renamed = census.regions.ensure(f"{ot.HEPING}/团结新村社区")
        census.regions.fold(census.regions.by_path(ot.TUANJIE).id, renamed.id)
        result = compare_files(census, earlier)
    before = result.region(ot.TUANJIE).before
    moved = [p for p in result.persons_within(ot.TUANJIE, "moved") if p.path == f"{ot.HEPING}/团结新村社区"]
    assert moved and result.region(ot.TUANJIE).now is None and result.region(f"{ot.HEPING}/团结新村社区").before is None
    (note,) = [n for n in result.notes if "更名" in n]
    assert note == (f"早前的“{ot.TUANJIE}”本次已没有，其 {before.talents} 名人才中 {len(moved)} 名现在"
                    f"“{ot.HEPING}/团结新村社区”（早前没有此区划）：可能是区划更名、合并或拆分，对比按区划路径进行，这些人记为调整区划")


def test_a_later_file_chosen_as_the_earlier_census_is_refused(both, capsys):
    """Year 1 open, year 2 chosen as 早前: every 新增 read as 减少 and growth backwards, with only a
    note under it. Refused with one line saying which file to open; equal dates stay a note."""
    from models.compare import EarlierIsLater, EarlierUnreadable, compare_files

    later, earlier, _first, _second = both
    with Census.open(earlier, create=False) as census:
        with pytest.raises(EarlierIsLater) as err:
            compare_files(census, later)
    assert isinstance(err.value, EarlierUnreadable)  # the summary export goes on without it
    assert "统计截止日期 2021-12-31 晚于本次的 2020-12-31" in err.value.message
    assert "请打开较新的那个文件" in err.value.message and err.value.file == later.name
    capsys.readouterr()
    assert main(["compare", str(earlier), str(later)]) != 0
    out = capsys.readouterr()
    assert "晚于本次" in out.err and "Traceback" not in out.err and out.out == ""

    assert main(["info", str(earlier), "--as-of", "2021-12-31"]) == 0
    data = run_json(capsys, "compare", str(later), str(earlier), "--json")
    assert "两次普查的统计截止日期相同（2021-12-31），请确认选择的是早前的普查文件" in data["notes"]
