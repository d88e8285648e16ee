import pytest

from importers.headers import field_for_label, find_header
from importers.readers import Sheet


@pytest.mark.parametrize("label, field", [
    ("姓名", "name"), ("姓 名", "name"), ("身份证号码", "id_number"), ("公民身份号码", "id_number"),
    ("证件号码", "id_number"), ("身份证", "id_number"), ("证书等级", "level"), ("社工证等级", "level"),
    ("资格等级", "level"), ("职业资格", "level"), ("持证情况", "level"), ("社会工作者职业水平证书", "level"),
    ("学历", "education"), ("文化程度", "education"), ("最高学历", "education"), ("学历层次", "education"),
    ("专业", "major"), ("所学专业", "major"), ("毕业专业", "major"), ("培训学时", "hours"), ("培训时长", "hours"),
    ("学时", "hours"), ("2015年以来参加社会工作培训学时", "hours"), ("累计培训学时（2015年以来）", "hours"),
    ("所属社区", "region"), ("社区（村）", "region"), ("联系电话", "phone"), ("手机号码", "phone"), ("电话", "phone"),
    ("证书编号", "cert_no"), ("取得时间", "cert_date"), ("发证日期", "cert_date"), ("毕业院校", "school"),
    ("序号", "seq"), ("工作单位及职务", "unit"), ("备注", "remark"), ("", None), ("填报日期：2021年3月15日", None),
])
def test_keywords(label, field):
    assert field_for_label(label) == field


def test_two_row_header_with_merged_groups():
    rows = [
        ["某市社会工作专业人才摸排登记表", None, None, None, None, None, None, None],
        ["填报单位：东区和平街道团结社区", None, None, None, None, None, None, None],
        ["序号", "姓名", "身份证号码", "学历情况", None, None, "社会工作职业水平证书", None],
        [None, None, None, "学历", "所学专业", "毕业院校", "证书等级", "证书编号"],
        [1, "张三", "110101198506150011", "本科", "社会工作", "某大学", "初级", "S1"],
    ]
    merged = ((0, 0, 0, 7), (2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 2, 5), (2, 6, 2, 7))
    header = find_header(Sheet("Sheet1", rows, merged))
    assert (header.first_row, header.last_row) == (2, 3)
    fields = {c.field: c.label for c in header.columns if c.field}
    assert fields["education"] == "学历情况/学历"
    assert fields["major"] == "学历情况/所学专业"
    assert fields["level"] == "社会工作职业水平证书/证书等级"
    assert fields["cert_no"] == "社会工作职业水平证书/证书编号"
    assert header.data_start == 4 and not header.warnings


def test_two_row_header_without_merge_information():
    rows = [
        ["序号", "姓名", "身份证号码", "学历情况", None, "证书等级"],
        [None, None, None, "学历", "所学专业", None],
        [1, "张三", "110101198506150011", "本科", "社会工作", "初级"],
    ]
    header = find_header(Sheet("csv", rows, ()))
    assert header.last_row == 1
    assert header.index_of("major") == 4 and header.index_of("education") == 3


def test_one_row_header_below_a_title():
    rows = [["某街道汇总表"], ["序号", "所属社区", "姓名", "公民身份号码", "文化程度"], [1, "团结社区", "张三", "x", "本科"]]
    header = find_header(Sheet("汇总", rows, ()))
    assert (header.first_row, header.last_row) == (1, 1)
    assert header.index_of("region") == 1


def test_duplicate_fields_are_flagged_not_silently_used():
    rows = [["姓名", "身份证号码", "证件号码", "学历"], ["张三", "1", "2", "本科"]]
    header = find_header(Sheet("s", rows, ()))
    second = [c for c in header.columns if c.index == 2][0]
    assert second.field is None and second.uncertain
    assert header.warnings


def test_no_header_found():
    assert find_header(Sheet("说明", [["填表说明：请用文本格式"], ["1. 身份证号"]], ())) is None


def test_a_row_names_the_fields_its_cells_name():
    """A header row's fields are its cells' fields, full-width letters, spaces and the exact
    words (等级 alone) included; a data row, a filler line and an empty row name none."""
    from importers.headers import _row_fields

    rows = [
        ["序号", "姓　名", "身份证号码", "ＮＯ．", " 学 历 ", "等级", 3, None],
        [1, "张三", "110101198506150011", "本科", "社会工作", "某大学", "初级", 20.0],
        ["填报单位：东区和平街道团结社区", "填报日期：2021年3月15日"],
        [None, 12, 3.5],
        [],
    ]
    for row in rows:
        texts = [cell for cell in row if isinstance(cell, str)]
        assert _row_fields(texts) == {f for cell in texts if (f := field_for_label(cell))}
    assert _row_fields([c for c in rows[0] if isinstance(c, str)]) == {"seq", "name", "id_number", "education", "level"}


def test_the_quick_turn_away_never_changes_a_label_s_field():
    """field_for_label turns a text away without looking at it when it holds no character a
    keyword could begin with: exactly the texts the full look maps to nothing."""
    from importers.headers import _EXACT, _RULES, _field_for

    words = [w for _, keywords in _RULES for w in keywords] + list(_EXACT)
    fullwidth = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
    texts = []
    for word in words:
        texts += [word, f" {word} ", word.lower(), word.translate(fullwidth), f"\u200b{word}", f"一{word}二",
                  " ".join(word), f"{word}（必填）"]
    texts += ["张三", "王小明", "360101197209036078", "2016-07-07", "本科", "中级社工师", "金永昌社区居委会",
              "男", "", " ", "no.", "ＮＯ．", "n o .", "①", "行政管理", "文化程度", "学 历"]
    for text in texts:
        assert field_for_label(text) == _field_for(text), text



def test_a_line_turned_away_for_want_of_a_key_character_names_no_key_field():
    """_score turns a line away when its texts hold none of the characters one of which every
    name or ID keyword holds: no variant of a label (spaces, full width, lower case, invisible
    marks, more words around it) names a key field without one of them."""
    from importers.headers import _EXACT, _KEY_CHAR, _KEY_FIELDS, _RULES, _score

    words = [w for _, keywords in _RULES for w in keywords] + list(_EXACT)
    fullwidth = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
    for word in words:
        for text in (word, f" {word} ", word.lower(), word.translate(fullwidth), f"\u200b{word}", " ".join(word),
                     f"“{word}”", f"{word}（必填）", f"\u3000{word}\u3000"):
            if field_for_label(text) in _KEY_FIELDS:
                assert _KEY_CHAR.search(text), text
    assert _score(["序号", "姓　名", "身份证号码", "学历"]) == 4
    assert _score(["序号", "姓 名", "性别", "学历", "所学专业"]) == 5  # a name column without an ID column still scores
    assert _score(["序号", "单位", "性别", "学历", "所学专业", "备注"]) == 0  # no name, no ID
    assert _score([1, "张三", "男", "本科", "社会工作", "省师范大学"]) == 0


def test_a_template_s_header_is_worked_out_once_and_read_as_written():
    """find_header memoises a header by its rows' cells and types and the merged ranges on it:
    the same template's header lower down (a longer title) is the same header, moved; a cell 1
    and a cell True, equal as keys, are still read as what they are."""
    rows = [["某市摸排表"], ["序号", "姓名", "身份证号码", "学历情况", None], [None, None, None, "学历", "所学专业"],
            [1, "张三", "110101198506150011", "本科", "社会工作"]]
    merged = ((1, 3, 1, 4), (1, 0, 2, 0))
    first = find_header(Sheet("一", rows, merged))
    lower = find_header(Sheet("二", [["标题"], ["填报单位：某社区"], *rows[1:]], tuple((r0 + 1, c0, r1 + 1, c1)
                                                                                     for r0, c0, r1, c1 in merged)))
    assert (first.first_row, first.last_row, lower.first_row, lower.last_row) == (1, 2, 2, 3)
    assert lower.columns == first.columns and lower.sheet == "二"
    assert first.index_of("major") == 4 and first.columns[3].label == "学历情况/学历"
    one = find_header(Sheet("x", [["姓名", "身份证号码", "学历", 1], ["张三", "110101198506150011", "本科", 2]]))
    true = find_header(Sheet("x", [["姓名", "身份证号码", "学历", True], ["张三", "110101198506150011", "本科", 2]]))
    assert [c.label for c in one.columns][-1] == "1" and [c.label for c in true.columns][-1] == "True"
