"""Find Chinese in a widget tree: every CJK-containing text a widget shows of its own.

`cjk_texts(root)` walks `root` and its children (shown or hidden: a hidden label shows later)
and returns (where, text) for each window title, label, button, tab, header item, placeholder,
tooltip, status tip, group box title, spin box prefix/suffix, combo item, menu and action text
and item-view cell that contains a CJK ideograph or CJK/fullwidth punctuation.  Feed the
widgets ASCII case data: what is left is the UI's own text that missed the translation.
"""
from __future__ import annotations

import re
from typing import Iterator

from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

# Han ideographs (with extension A and compatibility), CJK symbols and punctuation (。、「」),
# fullwidth forms (（），：), and the supplementary ideograph planes.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]")
MAX_CELLS = 500  # item-view cells read per view: enough to meet every kind of row


def has_cjk(text: str | None) -> bool:
    return bool(text) and CJK.search(text) is not None


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__}#{widget.objectName()}" if widget.objectName() else type(widget).__name__


def _action_texts(where: str, actions: list[QAction]) -> Iterator[tuple[str, str]]:
    for action in actions:
        for kind in ("text", "iconText", "toolTip", "statusTip", "whatsThis"):
            yield f"{where} action.{kind}", getattr(action, kind)()
        menu = action.menu()
        if isinstance(menu, QMenu):
            yield f"{where} menu.title", menu.title()
            yield from _action_texts(f"{where}>{menu.title()}", menu.actions())


def _model_texts(where: str, model: QAbstractItemModel | None) -> Iterator[tuple[str, str]]:
    if model is None:
        return
    rows = model.rowCount(QModelIndex())
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(QModelIndex())  # private in list models
    for orientation, count in ((Qt.Orientation.Horizontal, columns), (Qt.Orientation.Vertical, rows)):
        for section in range(min(count, MAX_CELLS)):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.headerData(section, orientation, role)
                yield f"{where} header[{orientation.name}:{section}]", value if isinstance(value, str) else ""
    read = 0
    for row in range(rows):
        for column in range(columns):
            if read >= MAX_CELLS:
                return
            read += 1
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(model.index(row, column), role)
                yield f"{where} cell[{row},{column}]", value if isinstance(value, str) else ""


def own_texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """Every text `widget` itself shows (not its children's), with where it was found."""
    where = _name(widget)
    yield f"{where}.windowTitle", widget.windowTitle()
    yield f"{where}.toolTip", widget.toolTip()
    yield f"{where}.statusTip", widget.statusTip()
    yield f"{where}.whatsThis", widget.whatsThis()
    if isinstance(widget, QLabel):
        yield f"{where}.text", widget.text()
    if isinstance(widget, QAbstractButton):
        yield f"{where}.text", widget.text()
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
        yield f"{where}.placeholderText", widget.placeholderText()  # the text itself is the operator's input
    if isinstance(widget, QAbstractSpinBox):
        yield f"{where}.specialValueText", widget.specialValueText()
        for kind in ("prefix", "suffix"):
            if hasattr(widget, kind):
                yield f"{where}.{kind}", getattr(widget, kind)()
    if isinstance(widget, QGroupBox):
        yield f"{where}.title", widget.title()
    if isinstance(widget, QComboBox):
        for i in range(widget.count()):
            yield f"{where}.item[{i}]", widget.itemText(i)
    if isinstance(widget, QTabBar):
        for i in range(widget.count()):
            yield f"{where}.tab[{i}]", widget.tabText(i)
            yield f"{where}.tabToolTip[{i}]", widget.tabToolTip(i)
    if isinstance(widget, QTabWidget):
        for i in range(widget.count()):
            yield f"{where}.tab[{i}]", widget.tabText(i)
    if isinstance(widget, QMenu):
        yield f"{where}.title", widget.title()
    if isinstance(widget, QAbstractItemView) and not isinstance(widget, QComboBox):
        yield from _model_texts(where, widget.model())
    yield from _action_texts(where, widget.actions())


def cjk_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) of every own text in `root`'s tree that contains CJK; [] when all is translated."""
    widgets = [root, *root.findChildren(QWidget)]
    return [(where, text) for w in widgets for where, text in own_texts(w) if has_cjk(text)]


__all__ = ["CJK", "has_cjk", "own_texts", "cjk_texts"]
