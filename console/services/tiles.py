"""The hall's basemap tiles for a map view: an MBTiles file read by console.data.mbtiles."""
from __future__ import annotations

from console.data.mbtiles import MBTiles

__all__ = ["MBTiles"]
