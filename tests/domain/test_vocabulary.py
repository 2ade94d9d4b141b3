"""Every word defined once: each enum member has a label, every label is marked for lupdate."""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from console.domain.vocabulary import tables


def test_every_enum_member_has_a_label():
    for context, (enum, table) in tables().items():
        assert table, f"{context}: empty table"
        if enum is not None:
            missing = [m.value for m in enum if m.value not in table]
            assert missing == [], f"{context}: no label for {missing}"
        assert all(isinstance(v, str) and v for v in table.values()), f"{context}: a blank label"


def test_every_label_is_marked_for_translation_in_its_context():
    """lupdate extracts QT_TRANSLATE_NOOP("<context>", "<text>") literals: each label must be one."""
    domain = Path(str(resources.files("console.domain")))
    marked = set()
    for path in domain.glob("*.py"):
        marked |= set(re.findall(r'QT_TRANSLATE_NOOP\("(\w+)", "([^"]+)"\)', path.read_text(encoding="utf-8")))
    for context, (_enum, table) in tables().items():
        unmarked = [v for v in table.values() if (context, v) not in marked]
        assert unmarked == [], f"{context}: labels not marked for lupdate: {unmarked}"
