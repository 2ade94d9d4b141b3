"""A Qt test must leave nothing running behind it (napari's strict fixtures, architecture.md).

`qt_leaks` records every QTimer and QThread a test starts (by wrapping their
``start``) and every top-level widget it creates; after the test (and after
pytest-qt has closed the widgets registered with ``qtbot.addWidget``) it fails the
test if a timer is still active, a thread still runs, the global thread pool still
works, or a new top-level widget is still alive.  A leaked timer fires into the
next test, a leaked thread keeps a database connection, a leaked window is a
workstation nobody closed: each shows up here, named, instead of as a flaky crash
later.

Opt out per test with ``@pytest.mark.allow_qt_leaks(reason)`` (none do today).
"""
from __future__ import annotations

import gc
import weakref

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QThread, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow


def _alive(obj) -> bool:  # noqa: ANN001
    return obj is not None and shiboken6.isValid(obj)


def _describe(obj) -> str:  # noqa: ANN001
    name = obj.objectName() or "(unnamed)"
    parent = obj.parent()
    owner = type(parent).__name__ if parent is not None else "no parent"
    return f"{type(obj).__name__} {name} of {owner}"


def _flush_deletes() -> None:
    """Run the deleteLater()s the test and pytest-qt queued, so closed windows are really gone."""
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()


class LeakWatch:
    def __init__(self) -> None:
        self.timers: list[weakref.ref] = []
        self.threads: list[weakref.ref] = []
        self.top_levels_before = {id(w) for w in QApplication.topLevelWidgets()}

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        timer_start, thread_start = QTimer.start, QThread.start

        def start_timer(timer, *args):  # noqa: ANN001, ANN002
            self.timers.append(weakref.ref(timer))
            return timer_start(timer, *args)

        def start_thread(thread, *args):  # noqa: ANN001, ANN002
            self.threads.append(weakref.ref(thread))
            return thread_start(thread, *args)

        monkeypatch.setattr(QTimer, "start", start_timer)
        monkeypatch.setattr(QThread, "start", start_thread)

    def leaks(self) -> list[str]:
        _flush_deletes()
        found = []
        for ref in self.timers:
            timer = ref()
            if _alive(timer) and timer.isActive():
                found.append(f"a running {_describe(timer)} (interval {timer.interval()} ms)")
        for ref in self.threads:
            thread = ref()
            if _alive(thread) and thread.isRunning():
                found.append(f"a running {_describe(thread)}")
        if QThreadPool.globalInstance().activeThreadCount():
            found.append(f"{QThreadPool.globalInstance().activeThreadCount()} busy thread(s) of the global QThreadPool")
        gc.collect()
        _flush_deletes()
        for widget in QApplication.topLevelWidgets():
            if id(widget) in self.top_levels_before or not _alive(widget):
                continue
            if widget.isVisible() or isinstance(widget, (QMainWindow, QDialog)):
                found.append(f"a top-level {_describe(widget)} still open")
        return found


@pytest.fixture
def qt_leaks(qapp, monkeypatch, request):  # noqa: ANN001
    """Fail the test if it leaves a QTimer or QThread running or a top-level widget open."""
    watch = LeakWatch()
    watch.install(monkeypatch)
    yield watch
    marker = request.node.get_closest_marker("allow_qt_leaks")
    leaks = watch.leaks()
    if leaks and marker is None:
        pytest.fail("the test left Qt objects running:\n  " + "\n  ".join(leaks), pytrace=False)
