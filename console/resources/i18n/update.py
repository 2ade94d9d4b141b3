"""Refresh the translations: lupdate over console/ into each .ts (translations kept), then lrelease.

    python -m console.resources.i18n.update          # extract, then build the .qm
    python -m console.resources.i18n.update --check  # only say whether the .ts lack or have unfinished messages

Locations are not written into the .ts (`-locations none`): line numbers would change the file
on every edit of a widget and make merges conflict; the context (the class) says where a text is.
Messages no longer in the code are dropped (`-no-obsolete`).  New messages come out
"unfinished": translate them (Qt Linguist or by hand) and run the script again.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONSOLE = HERE.parents[1]
TRANSLATIONS = {"en": HERE / "urban_console_en.ts"}


def tool(name: str) -> str:
    """lupdate / lrelease as PySide6 ships them (next to the package), else pyside6-<name> on PATH."""
    import PySide6

    bundled = Path(PySide6.__file__).parent / name
    if bundled.is_file():
        return str(bundled)
    found = shutil.which(f"pyside6-{name}") or shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PySide6 (it ships lupdate and lrelease)")
    return found


def lupdate(ts: Path, lang: str) -> None:
    # -extensions must come before the directory, or lupdate scans nothing
    subprocess.run([tool("lupdate"), "-silent", "-extensions", "py", str(CONSOLE), "-locations", "none",
                    "-no-obsolete", "-source-language", "zh_CN", "-target-language", lang, "-ts", str(ts)],
                   check=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def unfinished(ts: Path) -> list[tuple[str, str]]:
    """(context, source) of every message with no translation, or one marked unfinished."""
    missing = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            texts = [translation.text] if not message.get("numerus") else \
                [form.text for form in translation.iter("numerusform")]
            if translation.get("type") in ("unfinished", "vanished", "obsolete") or not all(t and t.strip() for t in texts):
                missing.append((name, message.findtext("source") or ""))
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.resources.i18n.update", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="report unfinished messages, change nothing")
    args = parser.parse_args(argv)
    status = 0
    for lang, ts in TRANSLATIONS.items():
        if not args.check:
            lupdate(ts, lang)
            lrelease(ts, ts.with_suffix(".qm"))
        missing = unfinished(ts)
        for context, source in missing:
            print(f"{ts.name}: unfinished [{context}] {source!r}", file=sys.stderr)
        status = status or (1 if missing else 0)
        print(f"{ts.name}: {len(missing)} unfinished")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
