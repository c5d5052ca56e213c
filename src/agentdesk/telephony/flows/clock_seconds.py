"""The engine counts time in float seconds; the database stores naive UTC datetimes."""

from datetime import datetime, timedelta

EPOCH = datetime(1970, 1, 1)


def to_seconds(moment: datetime) -> float:
    return (moment - EPOCH).total_seconds()


def to_datetime(seconds: float) -> datetime:
    return EPOCH + timedelta(seconds=seconds)
