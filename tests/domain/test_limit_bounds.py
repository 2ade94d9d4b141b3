"""Limit.parse is bounded: a typo such as 99999999wd is one clear error, not hours of arithmetic."""
from __future__ import annotations

import pytest

from console.domain.calendar import LIMIT_MAX, Limit, LimitUnit


@pytest.mark.parametrize("unit", list(LimitUnit))
def test_the_largest_limit_parses_and_one_more_does_not(unit):
    most = LIMIT_MAX[unit]
    assert Limit.parse(f"{most}{unit.value}") == Limit(most, unit)
    with pytest.raises(ValueError, match=f"at most {most}{unit.value}"):
        Limit.parse(f"{most + 1}{unit.value}")


@pytest.mark.parametrize("text", ["99999999wd", "1" + "0" * 5000 + "wh", "2500.01wd", "0099999999min"])
def test_absurd_limits_are_refused_in_one_short_line(text):
    with pytest.raises(ValueError) as caught:
        Limit.parse(text)
    message = str(caught.value)
    assert "超出上限" in message and "too large" in message and len(message) < 200 and "\n" not in message


def test_leading_zeros_and_small_values_still_parse():
    assert Limit.parse("0004wh") == Limit(4, LimitUnit.WORK_HOUR)
    assert Limit.parse("0.5wd") == Limit(0.5, LimitUnit.WORK_DAY)
