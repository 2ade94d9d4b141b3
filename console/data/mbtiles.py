"""An MBTiles basemap file, read only with plain sqlite3 (no Qt): the tiles the map page shows."""
from __future__ import annotations

import sqlite3
from pathlib import Path


class MBTiles:
    """A read-only MBTiles file: tiles(zoom_level, tile_column, tile_row) in TMS rows."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"MBTiles basemap not found: {self.path}")
        self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        try:
            self.metadata = dict(self._conn.execute("SELECT name, value FROM metadata").fetchall())
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{self.path} is not an MBTiles file (no metadata table): {exc}") from exc

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ (Leaflet) coordinates; MBTiles stores TMS rows, so y is flipped."""
        row = (1 << z) - 1 - y
        hit = self._conn.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?", (z, x, row)
        ).fetchone()
        return bytes(hit[0]) if hit else None

    @property
    def max_zoom(self) -> int | None:
        value = self.metadata.get("maxzoom")
        return int(value) if value not in (None, "") else None

    def close(self) -> None:
        self._conn.close()
