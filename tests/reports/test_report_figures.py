"""What the services add for the reports: the issuing centre, work days overdue on the city's calendar,
competition ranks shared by the rankings and the road segments."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from console.services import figures

SH = ZoneInfo("Asia/Shanghai")


def test_the_issuing_centre_is_the_districts(db):
    issuer = figures.issuer(db)
    assert issuer.district == "三元区" and issuer.centre == "三元区数字城管监督指挥中心"
    assert issuer.streets["350402001"] == "列东街道"


def test_work_days_overdue_count_the_citys_working_time_only(db):
    monday, tuesday = datetime(2026, 11, 23, 9, 0, tzinfo=SH), datetime(2026, 11, 24, 9, 0, tzinfo=SH)
    friday = datetime(2026, 11, 20, 9, 0, tzinfo=SH)
    assert figures.work_days_overdue(db, monday, tuesday) == 1.0
    assert figures.work_days_overdue(db, friday, monday) == 1.0  # the weekend is no working time
    assert figures.work_days_overdue(db, tuesday, monday) == 0.0  # not yet red


def test_competition_ranks_tie_and_skip():
    assert figures._competition_ranks([100.0, 90.0, 90.0, 80.0, None]) == [1, 2, 2, 4, None]
