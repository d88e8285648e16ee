from models.regions import Region, RegionTree, clean_region_text, kind_for, strip_office


def tree() -> RegionTree:
    nodes = [
        (1, None, "测试市"), (2, 1, "东区"), (3, 2, "和平街道"), (4, 3, "团结社区"), (5, 3, "幸福社区"),
        (6, 2, "红星镇"), (7, 6, "团结村"), (8, 1, "西区"), (9, 8, "光华街道"), (10, 9, "团结社区"),
        (11, 2, "和平西街道"),
    ]
    paths: dict[int, str] = {}
    regions = []
    for rid, parent, name in nodes:
        path = f"{paths[parent]}/{name}" if parent else name
        paths[rid] = path
        depth = path.count("/")
        regions.append(Region(rid, parent, name, path, kind_for(name, depth), depth))
    return RegionTree(regions)


def test_kinds_from_names():
    assert kind_for("测试市", 0) == "city"
    assert kind_for("东区", 1) == "district"
    assert kind_for("团结社区") == "community"  # ends with 区 but is a community
    assert kind_for("团结村") == "village" and kind_for("某嘎查") == "village"
    assert kind_for("红星镇") == "street" and kind_for("和平街道") == "street"
    assert kind_for("区民政局") == "unit" and kind_for("市人民医院") == "unit"


def test_strip_office_suffixes():
    assert strip_office("和平街道办事处") == "和平街道"
    assert strip_office("团结社区居委会") == "团结社区"
    assert strip_office("团结村村委会") == "团结村"
    assert strip_office("红星镇人民政府") == "红星镇"


def test_filler_line_names_a_community_by_its_path():
    t = tree()
    match = t.match_text("填报单位：东区和平街道团结社区")
    assert match.region.path == "测试市/东区/和平街道/团结社区" and match.remainder == ""
    match = t.match_text("西区光华街道团结社区居委会")
    assert match.region.path == "测试市/西区/光华街道/团结社区" and match.remainder == ""


def test_same_name_alone_is_ambiguous():
    match = tree().match_text("团结社区")
    assert match.region is None and match.ambiguous
    assert {r.path for r in match.candidates} == {"测试市/东区/和平街道/团结社区", "测试市/西区/光华街道/团结社区"}


def test_similar_names_are_not_confused():
    match = tree().match_text("东区和平西街道")
    assert match.region.path == "测试市/东区/和平西街道"


def test_unknown_rest_of_a_filler_is_the_remainder():
    match = tree().match_text("东区区民政局")
    assert match.region.path == "测试市/东区" and match.remainder == "区民政局"


def test_title_noise_is_ignored():
    assert clean_region_text("测试市社会工作专业人才摸排登记表") == "测试市"
    assert tree().match_text("东区和平街道社会工作专业人才汇总表").region.name == "和平街道"


def test_a_known_name_holding_a_noise_word_is_kept_whole():
    t = tree()
    for rid, name in ((12, "统计局"), (13, "信息中心")):
        t.add(Region(rid, 2, name, f"测试市/东区/{name}", "unit", 2))
    assert t.match_text("填报单位：东区统计局").region.path == "测试市/东区/统计局"  # was 测试市/东区
    assert t.match_text("测试市东区统计局摸排登记表").region.path == "测试市/东区/统计局"
    match = t.match_text("东区信息中心")
    assert match.region.path == "测试市/东区/信息中心" and match.remainder == ""  # was a new node 中心
    assert t.match_text("东区和平街道社会工作专业人才统计表").region.name == "和平街道"  # noise elsewhere still goes


def test_one_unit_name_at_two_levels_is_told_apart_by_its_parent_only():
    t = tree()
    t.add(Region(12, 2, "民政局", "测试市/东区/民政局", "unit", 2))
    t.add(Region(13, 1, "民政局", "测试市/民政局", "unit", 1))
    match = t.match_text("填报单位：民政局")  # was the district's unit, silently (the deeper node)
    assert match.ambiguous and {r.path for r in match.candidates} == {"测试市/东区/民政局", "测试市/民政局"}
    assert t.match_text("测试市民政局").region.path == "测试市/民政局"  # 测试市/民政局 as a path, not 东区 left out
    assert t.match_text("东区民政局").region.path == "测试市/东区/民政局"
    assert t.match_text("测试市东区民政局").region.path == "测试市/东区/民政局"
    assert t.match_text("测试市团结社区").ambiguous  # naming only a grandparent still tells nothing apart


def test_a_noise_word_that_begins_a_units_name_stays_even_for_units_not_in_the_tree():
    assert clean_region_text("填报单位：东区统计局") == "东区统计局"  # was 东区局
    assert clean_region_text("东区信息中心社会工作专业人才统计表") == "东区信息中心"
    assert clean_region_text("东区社会工作人才统计汇总信息") == "东区"
    match = tree().match_text("东区统计局")
    assert match.region.path == "测试市/东区" and match.remainder == "统计局"


def test_names_with_symbols_are_matched_as_cleaning_leaves_them_and_kept_whole_when_given_whole():
    t = tree()
    for rid, parent, name, path in (
            (12, 3, "+1社区", "测试市/东区/和平街道/+1社区"), (13, 3, "1社区", "测试市/东区/和平街道/1社区"),
            (14, 3, "-1社区", "测试市/东区/和平街道/-1社区"), (15, 3, "a<b>c社区", "测试市/东区/和平街道/a<b>c社区"),
            (16, 3, 'q"u|o社区', '测试市/东区/和平街道/q"u|o社区'), (17, 3, "光明社区...", "测试市/东区/和平街道/光明社区..."),
            (18, 3, "光明社区", "测试市/东区/和平街道/光明社区"), (19, 1, "西区.", "测试市/西区."),
            (20, 19, "光华街道", "测试市/西区./光华街道"), (21, 20, "团结社区", "测试市/西区./光华街道/团结社区")):
        t.add(Region(rid, parent, name, path, kind_for(name, path.count("/")), path.count("/")))

    def reads(text: str) -> str | None:
        match = t.match_text(text)
        assert match.remainder == "", match  # no new node beside the one named
        return match.region.path if match.region else None

    for name in ("+1社区", "1社区", "-1社区", "a<b>c社区", 'q"u|o社区', "光明社区...", "光明社区"):
        assert reads(f"填报单位：东区和平街道{name}") == f"测试市/东区/和平街道/{name}"  # were 1社区, abc社区, ambiguous
        assert reads(name) == f"测试市/东区/和平街道/{name}"  # alone: "-1社区" keeps its "-"
    assert reads("东区和平街道abc社区") == "测试市/东区/和平街道/a<b>c社区"  # a file name that lost the symbols
    assert reads("东区和平街道a<b>c社区★") == "测试市/东区/和平街道/a<b>c社区"
    assert reads("西区.光华街道团结社区") == "测试市/西区./光华街道/团结社区"  # was ambiguous with 西区's
    assert reads("西区光华街道团结社区") == "测试市/西区/光华街道/团结社区"
    assert t.by_path["测试市/东区/和平街道/+1社区"].name == "+1社区"  # the user's names stay as given


def test_matching_within_a_subtree():
    t = tree()
    street = t.by_path["测试市/东区/和平街道"]
    assert t.match_text("团结社区", within=street).region.path == "测试市/东区/和平街道/团结社区"


def test_region_written_without_its_kind():
    t = tree()
    street = t.by_path["测试市/东区/和平街道"]
    assert t.match_text("幸福", within=street).region.path == "测试市/东区/和平街道/幸福社区"


def test_units_in_a_population_table_stay_units():
    assert kind_for("市民政局", 1) == "unit"
    assert kind_for("阳光社工服务中心", 2) == "unit"
    assert kind_for("光明", 3) == "community"  # no telling suffix: the depth decides


def test_village_committee_names():
    assert strip_office("光明村委会") == "光明村"
    assert strip_office("新村村委会") == "新村"
    assert strip_office("光明村民委员会") == "光明村"


def test_a_longer_name_straddling_another_hides_nothing():
    t = tree()
    t.add(Region(12, 2, "民政局", "测试市/东区/民政局", "unit", 2))
    t.add(Region(13, 8, "区民政局", "测试市/西区/区民政局", "unit", 2))
    assert t.match_text("东区民政局").region.path == "测试市/东区/民政局"  # not 东 + 区民政局
    t.add(Region(14, 1, "南区", "测试市/南区", "district", 1))
    t.add(Region(15, 1, "海南区", "测试市/海南区", "district", 1))
    t.add(Region(16, 15, "东风街道", "测试市/海南区/东风街道", "street", 2))
    t.add(Region(17, 14, "东风街道", "测试市/南区/东风街道", "street", 2))
    assert t.match_text("海南区东风街道").region.path == "测试市/海南区/东风街道"  # 南区 only inside 海南区


def test_the_pieces_of_a_text_that_name_regions_are_every_substring_the_tree_knows():
    """match_text looks up only the lengths of names beginning with each character: it finds
    exactly what looking up every substring finds, names cleaning changes and one-character
    pieces included, at the start, the end and overlapping."""
    import random

    t = tree()
    for rid, parent, name in ((12, 3, "+1社区"), (13, 3, "a<b>c社区"), (14, 1, "区"), (15, 3, "团结社区居委会")):
        path = f"{t.by_id[parent].path}/{name}"
        t.add(Region(rid, parent, name, path, kind_for(name, path.count("/")), path.count("/")))
    names = [r.name for r in t.regions] + ["abc社区", "1社区"]
    pieces = names + ["填报单位：", "★", "摸排表", "2024年", "和", "街道", "东"]
    rng = random.Random(7)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(500)]
    texts += names + ["", "区区区", "测试市东区和平街道团结社区居委会"]
    longest = max(len(n) for n in t._lookup)
    for text in texts:
        every = {text[i:j] for i in range(len(text)) for j in range(i + 1, min(len(text), i + longest) + 1)}
        assert t._named_in(text) == {n: t._lookup[n] for n in every if n in t._lookup}, text
