"""Dates as Chinese articles write them all end up as the same ISO date."""

from __future__ import annotations

import datetime as dt

import pytest

from indexer.dates import in_month_of, month_day
from indexer.metadata import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", dt.date(2024, 3, 5)),
        ("发布于2024/3/5", dt.date(2024, 3, 5)),
        ("2024.3.5 晚间", dt.date(2024, 3, 5)),
        ("2024年3月5日 10:02", dt.date(2024, 3, 5)),
        ("２０２４年３月５日", dt.date(2024, 3, 5)),
        ("２０２４－０３－０５", dt.date(2024, 3, 5)),
        ("一九九八年一月二日", dt.date(1998, 1, 2)),
        ("二〇二四年三月五日", dt.date(2024, 3, 5)),
        ("二〇二三年十二月三十一日", dt.date(2023, 12, 31)),
        ("2023年十二月二十日", dt.date(2023, 12, 20)),
        ("发布时间:2018-12-2409:35:19", dt.date(2018, 12, 24)),
        ("先写错成2024年2月30日，后改为2024年3月1日", dt.date(2024, 3, 1)),
    ],
)
def test_dates_in_every_written_form_become_iso(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["版本号1.2.3", "第3章第5节", "三年五班", "9999-01-01", "电话2024-3"]
)
def test_things_that_are_not_dates(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12月31日", (12, 31)), ("１月２０日", (1, 20)), ("十二月三十一日", (12, 31)),
     ("2月29日", (2, 29))],
)
def test_month_and_day_without_a_year(text, expected):
    assert month_day(text) == expected


def test_month_day_ignores_a_full_date_and_impossible_days():
    assert month_day("2024年3月5日") is None
    assert month_day("13月40日") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("民國113年3月5日", dt.date(2024, 3, 5)),
        ("中華民國113年3月5日公布", dt.date(2024, 3, 5)),
        ("民國一百一十三年三月五日", dt.date(2024, 3, 5)),
        ("民國一百零五年三月十九日", dt.date(2016, 3, 19)),
        ("民國38年5月19日", dt.date(1949, 5, 19)),
        ("113年3月5日", dt.date(2024, 3, 5)),
        ("一一三年三月五日", dt.date(2024, 3, 5)),
        ("發布日期：113/03/05", dt.date(2024, 3, 5)),
        ("113.03.05 記者會", dt.date(2024, 3, 5)),
        ("099/12/31", dt.date(2010, 12, 31)),
        ("2024年3月5日（星期二）", dt.date(2024, 3, 5)),
        ("2024年3月5日 下午3:20", dt.date(2024, 3, 5)),
        ("113/03/05(二) 上午10:02", dt.date(2024, 3, 5)),
        ("時間 Tue Mar  5 10:00:00 2024", dt.date(2024, 3, 5)),
    ],
)
def test_taiwan_and_hong_kong_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["公元113年3月5日", "西元113年3月5日", "v113.3.5 版", "編號113-3-5", "99年3月5日",
     "一百年前的今天"],
)
def test_three_digit_years_that_are_not_roc_years(text):
    assert parse_date(text) is None


def test_a_day_alone_takes_the_month_of_the_reference_date():
    assert in_month_of(5, dt.date(2024, 3, 5)) == dt.date(2024, 3, 5)
    assert in_month_of(4, dt.date(2024, 3, 5)) == dt.date(2024, 3, 4)
    assert in_month_of(31, dt.date(2024, 4, 1)) == dt.date(2024, 3, 31)
    assert in_month_of(5, None) is None
