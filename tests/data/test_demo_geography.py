"""The demo city passes its own check-grids, seed after seed (no phantom slivers)."""
from __future__ import annotations

import random

import numpy as np
import pytest

from console.cli import main as cli_main
from console.data.demo import SCALES, build_geography, generate
from console.data.importers import check_grids
from console.domain.spatial import validate_layers
from tests.data.test_importers import blank_db  # noqa: F401  (fixture: an empty database on each backend)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 3, 7, 12])
def test_demo_city_passes_check_grids(blank_db, seed, capsys):  # noqa: F811
    generate(blank_db, "city", seed, history_days=0)  # the geography, not the 90 days
    assert check_grids(blank_db) == []  # no error and no sliver warning either
    assert cli_main(["check-grids", "--db", blank_db.url]) == 0
    assert "grid layer OK" in capsys.readouterr().out


@pytest.mark.parametrize("seed", range(1, 21))
def test_demo_geography_has_no_gap_overlap_or_overhang(seed):
    """The same check on the generated layers alone, for twenty seeds (no database: fast)."""
    geo = build_geography(SCALES["city"], np.random.default_rng([seed, 1]), random.Random(f"demo-{seed}"))
    problems = validate_layers(geo.district, {a.code: a.geom for a in geo.streets},
                               {a.code: a.geom for a in geo.communities}, {a.code: a.geom for a in geo.grids},
                               tolerance_m2=0.0)
    assert problems == []
