"""Spin boxes that take the digits a Chinese input method types (１２０，０００ as 120,000): Qt's own
accept ASCII digits only, so a clerk typing in full-width mode saw nothing happen and 确定 stay grey."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox

from models.identity import half_width


class NumberBox(QSpinBox):
    def validate(self, text: str, pos: int):  # noqa: D102 - Qt's
        return super().validate(half_width(text), pos)  # the returned text replaces what was typed


class DecimalBox(QDoubleSpinBox):
    def validate(self, text: str, pos: int):  # noqa: D102 - Qt's
        return super().validate(half_width(text), pos)
