"""Date options of the project commands: ISO dates, refused with a Chinese message and exit code 2."""

import datetime as dt

from django.core.management.base import CommandError


def iso_date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option} 应为日期 YYYY-MM-DD，收到“{value}”。", returncode=2) from exc
