"""Suggested corrections for pending rows: same name, an ID close to the typed one; never applied alone."""

from __future__ import annotations

from openpyxl import Workbook

from importers.job import import_file
from tests.builders import make_id, write_community_return


def test_damaged_ids_of_known_people_are_suggested(census, tmp_path):
    a, b, c, d = make_id(1), make_id(2), make_id(3), make_id(4)
    import_file(census, write_community_return(tmp_path / "ok.xlsx", "东区和平街道团结社区", [
        ("张三", a, "初级", None, None, None), ("李四", b, None, None, None, 200),
        ("王五", c, None, None, None, 200), ("赵六", d, None, None, None, 200)]))
    wrong_check = c[:17] + ("0" if c[-1] != "0" else "1")
    wb = Workbook()
    ws = wb.active
    ws.append(["填报单位：东区和平街道幸福社区"])
    ws.append(["序号", "姓名", "身份证号码", "学历", "所学专业"])
    ws.append([1, "张三", float(a[:15] + "000"), "本科", "社会工作"])  # Excel kept 15 digits
    ws.append([2, "李四", b[:10] + b[11:], "本科", "社会工作"])  # one digit left out
    ws.append([3, "王五", wrong_check, "本科", "社会工作"])
    ws.append([4, "孙七", d[:17] + "0", "本科", "社会工作"])  # a different name: no suggestion
    wb.save(tmp_path / "bad.xlsx")
    import_file(census, tmp_path / "bad.xlsx")
    pending = {p.name: p for p in census.problems.all() if p.kind == "pending"}
    assert census.problems.suggest_ids(pending["张三"].row_id) == [a]
    assert census.problems.suggest_ids(pending["李四"].row_id) == [b]
    assert census.problems.suggest_ids(pending["王五"].row_id) == [c]
    assert census.problems.suggest_ids(pending["孙七"].row_id) == []
    assert census.people.get(a).degree is False  # nothing applied until a clerk accepts
    census.problems.correct_id(pending["张三"].row_id, a)
    assert census.people.get(a).degree is True
