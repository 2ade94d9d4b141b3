"""Writing a report's files whole or not at all: temp files beside the targets, renamed at the end."""
from __future__ import annotations

import os
from pathlib import Path

from console.reports.model import Report
from console.reports.printing import ReportWriteError, render_pdf, temp_beside
from console.reports.workbook import write_workbook


def check_target(path: Path, option: str) -> Path:
    """A file we may write: its directory exists and is writable, and it is not a directory itself."""
    if path.is_dir():
        raise ReportWriteError(f"{option}: {path} 是一个目录 (is a directory, not a file)")
    if not path.parent.is_dir():
        raise ReportWriteError(f"{option}: 目录 {path.parent} 不存在 (no such directory)")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ReportWriteError(f"{option}: 无法写入 {path}（没有权限） (cannot write: permission denied)")
    return path


def write_report(report: Report, pdf: Path, xlsx: Path | None = None) -> int:
    """The PDF (and the workbook) of `report`; both are complete or neither exists. Returns the page count."""
    check_target(pdf, "--out")
    if xlsx is not None:
        check_target(xlsx, "--xlsx")
    temps: list[tuple[Path, Path]] = []
    try:
        temp = temp_beside(pdf)
        temps.append((temp, pdf))
        pages = render_pdf(report, temp)
        if temp.stat().st_size == 0:
            raise ReportWriteError(f"--out: 无法写入 {pdf} (the PDF could not be written)")
        if xlsx is not None:
            temp_x = temp_beside(xlsx)
            temps.append((temp_x, xlsx))
            try:
                write_workbook(report, temp_x)
            except OSError as exc:
                raise ReportWriteError(f"--xlsx: 无法写入 {xlsx}：{exc.strerror or exc}") from None
        for temp_path, target in temps:
            os.replace(temp_path, target)
        temps.clear()
        return pages
    finally:
        for temp_path, _target in temps:
            temp_path.unlink(missing_ok=True)
