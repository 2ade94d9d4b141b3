"""Reference data into the database: the catalogue and the city's rules.

The demo city loads both from the packaged `console/resources/catalogue/`; a real city edits them as data.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from console.data import models as m
from console.domain.catalogue import Catalogue, load_catalogue
from console.resources import resource


def install_catalogue(s: Session, catalogue: Catalogue, *, activate: bool = True) -> int:
    """Write one catalogue version (categories, filing conditions, limits); returns its id."""
    if s.scalars(select(m.CatalogueVersion).where(m.CatalogueVersion.version == catalogue.version)).first():
        raise ValueError(f"catalogue version {catalogue.version!r} is already installed")
    if activate:
        s.execute(update(m.CatalogueVersion).values(active=False))
    version = m.CatalogueVersion(version=catalogue.version, standard_ref=catalogue.standard_ref, active=activate)
    s.add(version)
    s.flush()
    s.add_all(
        m.Category(version_id=version.id, code=c.code, kind=c.kind, major_code=c.major_code,
                   major_name=c.major_name, name=c.name)
        for c in catalogue.categories
    )
    for cond in catalogue.conditions:
        row = m.FilingCondition(version_id=version.id, code=cond.code, category_code=cond.category_code,
                                text=cond.text, default_urgency=cond.default_urgency.value)
        row.limits = [m.TimeLimit(urgency=u.value, limit=limit) for u, limit in cond.limits.items()]
        s.add(row)
    s.flush()
    return version.id


def install_settings(s: Session, settings: Mapping[str, Any]) -> None:
    for key, value in settings.items():
        if key.startswith("_"):
            continue  # comments in the resource file
        row = s.get(m.Setting, key)
        if row is None:
            s.add(m.Setting(key=key, value=value))
        else:
            row.value = value


def demo_catalogue() -> Catalogue:
    with resources.as_file(resource("catalogue", "demo-city.json")) as path:  # a real file even from a zip
        return load_catalogue(path)


def demo_rules() -> dict[str, Any]:
    return json.loads(resource("catalogue", "rules.json").read_text(encoding="utf-8"))
