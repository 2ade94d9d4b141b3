"""urban-console: GIS operator console for a 数字城管 supervision and command hall."""
from __future__ import annotations

__version__ = "0.1.0"
