"""Dates in Japan: the time zone (JST) and 和暦 (Japanese era calendar) dates for documents,
2024-09-01 → 令和6年9月1日."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

#: Japan Standard Time, UTC+9 all year (Japan has no daylight saving time).
JST = timezone(timedelta(hours=9), "JST")

# (first day, era name); newest first.
_ERAS: tuple[tuple[date, str], ...] = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1868, 1, 25), "明治"),
)


def to_wareki(day: date) -> str:
    """The 和暦 form of a date; the first year of an era is written 元年 (令和元年5月1日)."""
    for start, era in _ERAS:
        if day >= start:
            year = day.year - start.year + 1
            year_text = "元" if year == 1 else str(year)
            return f"{era}{year_text}年{day.month}月{day.day}日"
    raise ValueError(f"date before the Meiji era: {day.isoformat()}")


def today_jst() -> date:
    """Today in Japan."""
    return datetime.now(JST).date()
