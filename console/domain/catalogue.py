"""Versioned category dictionaries (案件分类目录) with filing conditions (立案条件).

A city files cases against a **catalogue**: major classes (大类) holding minor
classes (小类, the `Category`), each minor holding one or more **filing conditions**
(立案条件) that carry the 处置 time limit per urgency (domain.md §6: limits belong to
the filing condition, not to the category). Catalogues are versioned and name the
standard they follow (`standard_ref`, e.g. ``GB/T 47678.5-2026``), so a city can move
from GB/T 30428.2 to GB/T 47678.5 or add local extensions (地方扩展) without code.

Codes are strings: a category is ``MMmmm`` (2-digit major + 3-digit minor, as in
GB/T 47678.5); a filing condition is usually the category code + a 2-digit number
(``0601001``), but any unique string is accepted. Limits are written
``<number><unit>`` with unit ``wd``/``wh``/``wmin`` (work time) or ``d``/``h``/``min``
(natural time), e.g. ``4wh``, ``15wd``, ``6h``.

In the national standard the component table (部件) and the matter table (事项) reuse
the same codes (component 01001 供水井盖, matter 01001 供水井盖异常), so a category is
identified by ``(kind, code)``; lookups by code alone work when the code is unique,
and a city catalogue (the one cases are filed against) keeps codes unique.

JSON format read by `load_catalogue` and written by `Catalogue.to_json_dict`::

    {
      "format": "urban-console/catalogue@1",
      "version": "demo-city-2026.1",            # catalogue version (required)
      "standard_ref": "GB/T 47678.5-2026",      # standard followed (required)
      "extension": "三明示范城市地方扩展",        # local extension note (optional)
      "majors": [
        {"code": "06", "kind": "event", "name": "市容环境类", "local": false,
         "categories": [
           {"code": "06010", "name": "暴露垃圾", "local": false,   # local optional
            "conditions": [
              {"code": "0601001", "text": "主次干道暴露垃圾成堆成片、未入容器",
               "limits": {"normal": "4wh", "urgent": "2h", "critical": "1h"},
               "default_urgency": "normal"}                          # optional
            ]}
         ]}
      ]
    }

``kind`` is ``component`` (部件) or ``event`` (事件/事项; the national CSV's
``matter`` is read as ``event``). ``limits`` must hold the default urgency.

`load_standard_csv` reads the national catalogue CSV (columns
``kind,code,major_code,major_name,name``); it has no filing conditions.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from console.domain.vocabulary import QT_TRANSLATE_NOOP

__all__ = [
    "CatalogueError",
    "KINDS",
    "KIND_LABELS",
    "Urgency",
    "LIMIT_RE",
    "check_limit",
    "Category",
    "Major",
    "FilingCondition",
    "Catalogue",
    "load_catalogue",
    "load_standard_csv",
    "FORMAT_ID",
]

FORMAT_ID = "urban-console/catalogue@1"
KINDS = ("component", "event")
KIND_LABELS = {"component": QT_TRANSLATE_NOOP("Kind", "部件"), "event": QT_TRANSLATE_NOOP("Kind", "事件")}
_KIND_ALIASES = {"component": "component", "event": "event", "matter": "event",
                 "部件": "component", "事件": "event", "事项": "event"}
LIMIT_RE = re.compile(r"^\d+(wd|wh|wmin|d|h|min)$")
_CATEGORY_CODE_RE = re.compile(r"^\d{2}\d{3}$")
_MAJOR_CODE_RE = re.compile(r"^\d{2}$")


class CatalogueError(ValueError):
    """A malformed catalogue, condition or lookup; the message names the code."""


class Urgency(StrEnum):
    """Urgency chosen at filing (立案); selects the limit of the filing condition."""

    NORMAL = "normal"      # 一般
    URGENT = "urgent"      # 紧急
    CRITICAL = "critical"  # 特急

    @property
    def label(self) -> str:
        return URGENCY_LABELS[self]


URGENCY_LABELS = {
    Urgency.NORMAL: QT_TRANSLATE_NOOP("Urgency", "一般"),
    Urgency.URGENT: QT_TRANSLATE_NOOP("Urgency", "紧急"),
    Urgency.CRITICAL: QT_TRANSLATE_NOOP("Urgency", "特急"),
}


def check_limit(text: object, where: str = "limit") -> str:
    """Return ``text`` if it is a limit like ``4wh``; else raise naming ``where``."""
    if not isinstance(text, str) or not LIMIT_RE.match(text) or int(re.match(r"\d+", text)[0]) == 0:
        raise CatalogueError(
            f"{where}: bad time limit {text!r}; expected <positive number><unit>, "
            "unit one of wd, wh, wmin (work time) or d, h, min (natural time), e.g. '4wh'"
        )
    return text


def _kind(value: object, where: str) -> str:
    kind = _KIND_ALIASES.get(str(value).strip()) if value is not None else None
    if kind is None:
        raise CatalogueError(f"{where}: unknown kind {value!r}; expected 'component' or 'event'")
    return kind


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Category:
    """A minor class (小类) of the catalogue."""

    code: str        # 'MMmmm'
    kind: str        # 'component' 部件 | 'event' 事件/事项
    major_code: str  # 'MM'
    major_name: str
    name: str
    local: bool = False  # 地方扩展 (not in the national standard)

    def __post_init__(self) -> None:
        where = f"category {self.code!r}"
        if not isinstance(self.code, str) or not _CATEGORY_CODE_RE.match(self.code):
            raise CatalogueError(f"{where}: code must be 5 digits 'MMmmm' (major 2 + minor 3), as a string")
        if self.kind not in KINDS:
            raise CatalogueError(f"{where}: kind {self.kind!r} must be 'component' or 'event'")
        if not isinstance(self.major_code, str) or not _MAJOR_CODE_RE.match(self.major_code):
            raise CatalogueError(f"{where}: major code {self.major_code!r} must be 2 digits")
        if not self.code.startswith(self.major_code):
            raise CatalogueError(f"{where}: code does not start with its major code {self.major_code!r}")
        if not self.name or not self.major_name:
            raise CatalogueError(f"{where}: name and major name must not be empty")

    @property
    def minor_code(self) -> str:
        return self.code[2:]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class Major:
    """A major class (大类)."""

    code: str
    kind: str
    name: str
    local: bool = False


@dataclass(frozen=True)
class FilingCondition:
    """A filing condition (立案条件) under a minor class, with 处置 limits per urgency."""

    code: str
    category_code: str
    text: str
    limits: dict[Urgency, str] = field(hash=False)
    default_urgency: Urgency = Urgency.NORMAL

    def __post_init__(self) -> None:
        where = f"filing condition {self.code!r}"
        if not isinstance(self.code, str) or not self.code:
            raise CatalogueError(f"{where}: code must be a non-empty string")
        if not self.text:
            raise CatalogueError(f"{where}: text must not be empty")
        if not isinstance(self.limits, Mapping) or not self.limits:
            raise CatalogueError(f"{where}: limits must map urgency -> limit, got {self.limits!r}")
        limits: dict[Urgency, str] = {}
        for key, value in self.limits.items():
            try:
                urgency = Urgency(key)
            except ValueError:
                raise CatalogueError(
                    f"{where}: unknown urgency {key!r}; expected normal, urgent or critical") from None
            limits[urgency] = check_limit(value, f"{where} {urgency.value}")
        try:
            default = Urgency(self.default_urgency)
        except ValueError:
            raise CatalogueError(f"{where}: unknown default urgency {self.default_urgency!r}") from None
        if default not in limits:
            raise CatalogueError(f"{where}: no limit for its default urgency {default.value!r}")
        ordered = {u: limits[u] for u in Urgency if u in limits}
        object.__setattr__(self, "limits", ordered)
        object.__setattr__(self, "default_urgency", default)

    def limit_for(self, urgency: Urgency | str | None = None) -> str:
        """The 处置 limit for ``urgency`` (the default urgency when None)."""
        chosen = self.default_urgency if urgency is None else Urgency(urgency)
        try:
            return self.limits[chosen]
        except KeyError:
            raise CatalogueError(
                f"filing condition {self.code!r} ({self.text}) has no limit for urgency "
                f"{chosen.value!r} ({chosen.label}); it has {', '.join(u.value for u in self.limits)}"
            ) from None


# --------------------------------------------------------------------------- catalogue


class Catalogue:
    """One version of a city's category dictionary with its filing conditions."""

    def __init__(self, version: str, standard_ref: str, categories: Iterable[Category],
                 conditions: Iterable[FilingCondition] = (), *, extension: str | None = None,
                 majors: Iterable[Major] = ()) -> None:
        self.version = version
        self.standard_ref = standard_ref
        self.extension = extension
        self.categories: tuple[Category, ...] = tuple(categories)
        self.conditions: tuple[FilingCondition, ...] = tuple(conditions)
        self._majors = self._collect_majors(tuple(majors))
        self._by_code: dict[str, list[Category]] = {}
        for cat in self.categories:
            self._by_code.setdefault(cat.code, []).append(cat)
        self._conditions_by_cat: dict[str, list[FilingCondition]] = {}
        self._conditions_by_code: dict[str, FilingCondition] = {}
        for cond in self.conditions:
            self._conditions_by_cat.setdefault(cond.category_code, []).append(cond)
            self._conditions_by_code.setdefault(cond.code, cond)

    def _collect_majors(self, given: tuple[Major, ...]) -> dict[tuple[str, str], Major]:
        majors = {(m.kind, m.code): m for m in given}
        for cat in self.categories:
            majors.setdefault((cat.kind, cat.major_code),
                              Major(cat.major_code, cat.kind, cat.major_name, cat.local))
        return dict(sorted(majors.items(), key=lambda kv: (kv[0][1], KINDS.index(kv[0][0]))))

    def __repr__(self) -> str:
        return (f"Catalogue({self.version!r}, {self.standard_ref!r}, {len(self.majors())} majors, "
                f"{len(self.categories)} minors, {len(self.conditions)} conditions)")

    # ---- lookups

    def majors(self, kind: str | None = None) -> list[Major]:
        """Major classes ordered by code (component before event on equal codes)."""
        return [m for m in self._majors.values() if kind is None or m.kind == _kind(kind, "majors")]

    def minors(self, major_code: str, kind: str | None = None) -> list[Category]:
        """Minor classes of one major, by code; raises if the major is unknown."""
        wanted = None if kind is None else _kind(kind, "minors")
        found = [c for c in self.categories
                 if c.major_code == major_code and (wanted is None or c.kind == wanted)]
        if not found:
            raise CatalogueError(
                f"unknown major class {major_code!r}"
                + (f" of kind {wanted!r}" if wanted else "") + f" in catalogue {self.version!r}")
        return sorted(found, key=lambda c: c.code)

    def category(self, code: str, kind: str | None = None) -> Category:
        """The minor class with this code; ``kind`` settles codes used by both tables."""
        found = self._by_code.get(code, [])
        if kind is not None:
            wanted = _kind(kind, f"category {code!r}")
            found = [c for c in found if c.kind == wanted]
        if not found:
            raise CatalogueError(f"unknown category code {code!r} in catalogue {self.version!r}")
        if len(found) > 1:
            names = ", ".join(f"{c.kind} {c.name}" for c in found)
            raise CatalogueError(f"category code {code!r} is ambiguous ({names}); pass kind")
        return found[0]

    def conditions_for(self, category_code: str) -> list[FilingCondition]:
        """Filing conditions of a minor class, in catalogue order."""
        if category_code not in self._by_code:
            raise CatalogueError(f"unknown category code {category_code!r} in catalogue {self.version!r}")
        return list(self._conditions_by_cat.get(category_code, []))

    def condition(self, code: str) -> FilingCondition:
        try:
            return self._conditions_by_code[code]
        except KeyError:
            raise CatalogueError(
                f"unknown filing condition {code!r} in catalogue {self.version!r}") from None

    def search(self, text: str, kind: str | None = None) -> list[Category]:
        """Categories whose name or code contains ``text``; exact and prefix hits first."""
        needle = text.strip().upper()
        if not needle:
            return []
        wanted = None if kind is None else _kind(kind, "search")
        hits = [c for c in self.categories
                if (wanted is None or c.kind == wanted)
                and (needle in c.code or needle in c.name.upper())]

        def rank(cat: Category) -> tuple[int, str, int]:
            if needle in (cat.code, cat.name.upper()):
                score = 0
            elif cat.code.startswith(needle) or cat.name.upper().startswith(needle):
                score = 1
            else:
                score = 2
            return (score, cat.code, KINDS.index(cat.kind))

        return sorted(hits, key=rank)

    # ---- checks

    def problems(self, *, require_conditions: bool = True) -> list[str]:
        """Every inconsistency, one line each naming the code; empty when valid."""
        out: list[str] = []
        seen: set[tuple[str, str]] = set()
        for cat in self.categories:
            if (cat.kind, cat.code) in seen:
                out.append(f"duplicate category code {cat.code!r} ({cat.kind})")
            seen.add((cat.kind, cat.code))
        for (kind, code), major in self._majors.items():
            names = {c.major_name for c in self.categories if c.kind == kind and c.major_code == code}
            if len(names) > 1:
                out.append(f"major class {code!r} ({kind}) has several names: {sorted(names)}")
            if not names:
                out.append(f"major class {code!r} ({kind}) has no minor classes")
        codes_seen: set[str] = set()
        for cond in self.conditions:
            if cond.code in codes_seen:
                out.append(f"duplicate filing condition code {cond.code!r}")
            codes_seen.add(cond.code)
            cats = self._by_code.get(cond.category_code, [])
            if not cats:
                out.append(f"filing condition {cond.code!r} references unknown category "
                           f"{cond.category_code!r}")
            elif len({c.kind for c in cats}) > 1:
                out.append(f"filing condition {cond.code!r} references ambiguous category "
                           f"{cond.category_code!r} (used by both component and event tables)")
        if require_conditions:
            for cat in self.categories:
                if not self._conditions_by_cat.get(cat.code):
                    out.append(f"category {cat.code!r} ({cat.name}) has no filing condition")
        return out

    def validate(self, *, require_conditions: bool = True) -> Catalogue:
        """Raise `CatalogueError` listing every problem; return self when valid.

        ``require_conditions=False`` accepts a reference catalogue without filing
        conditions (the national CSV).
        """
        problems = self.problems(require_conditions=require_conditions)
        if problems:
            head = f"catalogue {self.version!r} is invalid ({len(problems)} problems): "
            raise CatalogueError(head + "; ".join(problems))
        return self

    # ---- serialisation

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON form documented at the top of this module."""
        majors = []
        for major in self.majors():
            cats = []
            for cat in self.minors(major.code, major.kind):
                conds = [{"code": c.code, "text": c.text,
                          "limits": {u.value: v for u, v in c.limits.items()},
                          "default_urgency": c.default_urgency.value}
                         for c in self._conditions_by_cat.get(cat.code, [])]
                cats.append({"code": cat.code, "name": cat.name, "local": cat.local,
                             "conditions": conds})
            majors.append({"code": major.code, "kind": major.kind, "name": major.name,
                           "local": major.local, "categories": cats})
        doc: dict[str, Any] = {"format": FORMAT_ID, "version": self.version,
                               "standard_ref": self.standard_ref}
        if self.extension:
            doc["extension"] = self.extension
        doc["majors"] = majors
        return doc


# --------------------------------------------------------------------------- loading


def _get(obj: Any, key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
    if not isinstance(obj, dict):
        raise CatalogueError(f"{where}: expected an object, got {type(obj).__name__}")
    if key not in obj:
        raise CatalogueError(f"{where}: missing {key!r}")
    value = obj[key]
    if not isinstance(value, kind):
        raise CatalogueError(f"{where}.{key}: expected {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def catalogue_from_json_dict(doc: Any, source: str = "catalogue") -> Catalogue:
    """Build a catalogue from the parsed JSON form; errors name the JSON path."""
    version = _get(doc, "version", source)
    standard_ref = _get(doc, "standard_ref", source)
    extension = doc.get("extension")
    categories: list[Category] = []
    conditions: list[FilingCondition] = []
    majors: list[Major] = []
    for i, m in enumerate(_get(doc, "majors", source, list)):
        where = f"{source}: majors[{i}]"
        kind = _kind(_get(m, "kind", where), where)
        major = Major(_get(m, "code", where), kind, _get(m, "name", where), bool(m.get("local", False)))
        majors.append(major)
        for j, c in enumerate(_get(m, "categories", where, list)):
            cwhere = f"{where}.categories[{j}]"
            try:
                cat = Category(_get(c, "code", cwhere), kind, major.code, major.name,
                               _get(c, "name", cwhere), bool(c.get("local", major.local)))
            except CatalogueError as exc:
                raise CatalogueError(f"{cwhere}: {exc}") from None
            categories.append(cat)
            for k, f in enumerate(c.get("conditions", [])):
                fwhere = f"{cwhere}.conditions[{k}]"
                try:
                    conditions.append(FilingCondition(
                        _get(f, "code", fwhere), cat.code, _get(f, "text", fwhere),
                        _get(f, "limits", fwhere, dict), f.get("default_urgency", "normal")))
                except CatalogueError as exc:
                    raise CatalogueError(f"{fwhere}: {exc}") from None
    return Catalogue(version, standard_ref, categories, conditions, extension=extension, majors=majors)


def load_catalogue(path: str | Path, *, validate: bool = True) -> Catalogue:
    """Read a catalogue JSON file (format above); validated unless told not to."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"cannot read catalogue file {path}: {exc.strerror or exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogueError(f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    fmt = doc.get("format", FORMAT_ID) if isinstance(doc, dict) else None
    if fmt != FORMAT_ID:
        raise CatalogueError(f"{path}: unknown format {fmt!r}; expected {FORMAT_ID!r}")
    catalogue = catalogue_from_json_dict(doc, str(path))
    if validate:
        try:
            catalogue.validate()
        except CatalogueError as exc:
            raise CatalogueError(f"{path}: {exc}") from None
    return catalogue


_CSV_COLUMNS = ("kind", "code", "major_code", "major_name", "name")


def load_standard_csv(path: str | Path, *, version: str | None = None,
                      standard_ref: str = "GB/T 47678.5-2026", kind: str | None = None) -> Catalogue:
    """Read the national catalogue CSV (kind,code,major_code,major_name,name).

    ``matter`` rows become kind ``event``. Pass ``kind`` to keep one table only.
    The result has no filing conditions: validate it with ``require_conditions=False``.
    """
    path = Path(path)
    wanted = None if kind is None else _kind(kind, str(path))
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in _CSV_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CatalogueError(f"{path}: missing columns {missing}; expected {', '.join(_CSV_COLUMNS)}")
            categories = []
            for row_no, row in enumerate(reader, start=2):
                where = f"{path} row {row_no}"
                row_kind = _kind(row["kind"], where)
                if wanted is not None and row_kind != wanted:
                    continue
                try:
                    categories.append(Category(row["code"].strip(), row_kind, row["major_code"].strip(),
                                               row["major_name"].strip(), row["name"].strip()))
                except CatalogueError as exc:
                    raise CatalogueError(f"{where}: {exc}") from None
    except OSError as exc:
        raise CatalogueError(f"cannot read catalogue CSV {path}: {exc.strerror or exc}") from None
    return Catalogue(version or standard_ref, standard_ref, categories)
