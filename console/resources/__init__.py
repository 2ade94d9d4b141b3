"""Files the console reads at run time, shipped inside the package.

`catalogue/` the demo city's catalogue and rules, `map/` the map page's bridge scripts and
styles; translations (`i18n/*.qm`) and icons (`icons/`) belong here too. Read them with
`importlib.resources` through `resource()`, never by a path relative to a checkout: an
installed console has no checkout.
"""
from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def resource_root(*parts: str) -> Traversable:
    """A packaged folder, e.g. resource_root("map")."""
    return resources.files(__name__).joinpath(*parts)


def resource(*parts: str) -> Traversable:
    """A packaged file, e.g. resource("catalogue", "rules.json"); a missing one is named in one line."""
    item = resource_root(*parts)
    if not item.is_file():
        raise FileNotFoundError(f"安装不完整，缺少资源文件 (packaged resource missing): console/resources/{'/'.join(parts)}; "
                                "reinstall urban-console")
    return item
