"""Draw the application icon with QPainter and save resources/icon.png and resources/icon.ico.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icon.py

The outputs are committed; run this only to change the icon. A rounded square in civil-affairs
blue with three figures (a community) and a gold check mark: "counted".
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: TID251 - a Qt tool script
from PySide6.QtGui import (  # noqa: TID251 - a Qt tool script
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
)

ROOT = Path(__file__).resolve().parent.parent
SIZES = (16, 24, 32, 48, 64, 128, 256)


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 256, size / 256)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(QColor("#1f5fa8")))
    p.drawRoundedRect(QRectF(8, 8, 240, 240), 48, 48)
    for x, y, r, color in ((78, 104, 26, "#cfe0f5"), (178, 104, 26, "#cfe0f5"), (128, 88, 32, "#ffffff")):
        p.setBrush(QColor(color))
        p.drawEllipse(QPointF(x, y), r, r)
        body = QPainterPath()
        body.addRoundedRect(QRectF(x - r * 1.5, y + r * 1.25, r * 3, r * 2.6), r, r)
        p.drawPath(body)
    pen = QPen(QColor("#f5b700"), 22, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    check = QPainterPath(QPointF(150, 196))
    check.lineTo(176, 220)
    check.lineTo(222, 164)
    p.drawPath(check)
    p.end()
    return image


def write_ico(path: Path, images: list[QImage]) -> None:
    """An .ico holding one PNG per size (Windows Vista+ reads PNG entries); no plugin needed."""
    blobs = []
    for image in images:
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        blobs.append(bytes(data.data()))
    header = (0).to_bytes(2, "little") + (1).to_bytes(2, "little") + len(images).to_bytes(2, "little")
    offset = 6 + 16 * len(images)
    entries = b""
    for image, blob in zip(images, blobs, strict=True):
        w = image.width() if image.width() < 256 else 0
        entries += bytes([w, w, 0, 0]) + (1).to_bytes(2, "little") + (32).to_bytes(2, "little")
        entries += len(blob).to_bytes(4, "little") + offset.to_bytes(4, "little")
        offset += len(blob)
    path.write_bytes(header + entries + b"".join(blobs))


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    folder = ROOT / "resources"
    folder.mkdir(exist_ok=True)
    draw(256).save(str(folder / "icon.png"), "PNG")
    write_ico(folder / "icon.ico", [draw(s) for s in SIZES])
    print(f"wrote {folder / 'icon.png'} and {folder / 'icon.ico'}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
