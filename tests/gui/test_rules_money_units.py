"""设置 → 统计规则 shows and edits the allowance, award and unit-target settings with their defaults,
恢复默认 and the source notice; a change reaches the summary."""

from __future__ import annotations

import pytest

from gui.rules_dialog import AUTO_YEAR, SOURCES, RulesDialog
from models.rules import DEFAULT_ALLOWANCE_KINDS, DEFAULT_SW_MAJORS, DEFAULT_UNIT_TARGETS, Rules
from tests.gui.window_helpers import wait_idle
from tests.money_census import build_money_census

EAST = "测试市/东区"
HOSPITAL = "测试市/东区/人民医院"


def node(win, path: str) -> dict:
    return next(r for r in win.census.summary_json()["regions"] if r["path"] == path)


def test_the_new_settings_show_their_defaults_and_sources(qtbot):
    dialog = RulesDialog(None, Rules())
    qtbot.addWidget(dialog)
    assert dialog.allowance_kinds.value() == DEFAULT_ALLOWANCE_KINDS
    assert dialog.award_year.value() == AUTO_YEAR and dialog.award_year.text() == "自动（普查中最近的取证年份）"
    assert dialog.unit_targets.value() == DEFAULT_UNIT_TARGETS
    assert dialog.sw_majors.text() == "、".join(DEFAULT_SW_MAJORS)
    for key in ("allowance_kinds", "award_year", "award_kinds", "unit_targets", "sw_majors"):
        assert dialog.fields[key][1].toolTip() == SOURCES[key]
    assert dialog.rules() == Rules()


def test_changing_and_resetting_each(qtbot):
    dialog = RulesDialog(None, Rules())
    qtbot.addWidget(dialog)
    dialog.award_year.setValue(2020)
    dialog.allowance_kinds.boxes["unit"].setChecked(True)
    counts, amount = dialog.unit_targets.rows["医院"]
    counts.setCurrentIndex(counts.findData("certified"))
    amount.setText("1/10")
    dialog.sw_majors.setText("社会工作，社区工作")
    rules = dialog.rules()
    assert rules.award_year == 2020 and rules.allowance_kinds == ("community", "village", "unit")
    assert ("医院", "certified", "1/10") in rules.unit_targets and rules.sw_majors == ("社会工作", "社区工作")
    amount.setText("三分之一")
    with pytest.raises(ValueError, match="医院"):
        dialog.rules()
    for key in ("award_year", "allowance_kinds", "unit_targets", "sw_majors"):
        dialog.reset(key)
    assert dialog.rules() == Rules()


def test_a_changed_setting_reaches_the_summary(qtbot, window, tmp_path):
    win = window
    assert win.open_census(build_money_census(tmp_path))
    before_monthly = node(win, EAST)["allowance_monthly"]
    assert node(win, HOSPITAL)["unit_target"] == 2
    dialog = RulesDialog(win, win.census.settings.rules)
    qtbot.addWidget(dialog)
    counts, amount = dialog.unit_targets.rows["医院"]
    amount.setText("5")
    dialog.allowance_kinds.boxes["unit"].setChecked(True)  # units' certified staff paid too
    win.apply_rules(dialog.rules())
    wait_idle(qtbot, win)
    assert node(win, HOSPITAL)["unit_target"] == 5 and node(win, HOSPITAL)["unit_target_met"] is False
    assert node(win, EAST)["allowance_monthly"] > before_monthly
    assert node(win, HOSPITAL)["allowance_monthly"] > 0
