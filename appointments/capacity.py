"""The arithmetic of bays and opening hours, without the database: the
services and the availability read both use it, so a free slot offered is
exactly a booking the services accept.

Times are aware datetimes; comparisons are of instants, so a day when the
clocks change is no special case once its opening and closing instants are
known (``opening_window``)."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta


def opening_window(shop, day: date) -> tuple[datetime, datetime] | None:
    """The instants the shop opens and closes on ``day`` (its wall clock, in
    its time zone), in UTC, or None when it is closed. A wall time the
    clocks skip (02:30 on the spring-forward night) is read with the offset
    before the change, as ``zoneinfo`` does for ``fold=0``. In UTC because
    an aware datetime's arithmetic is the wall clock's in its own zone:
    01:00 CDT + 1 h would be 02:00 CDT, which the night the clocks go back
    never has."""
    hours = shop.hours_on(day)
    if hours is None:
        return None
    opens, closes = hours
    zone = shop.zone()
    return (
        datetime.combine(day, opens, tzinfo=zone).astimezone(UTC),
        datetime.combine(day, closes, tzinfo=zone).astimezone(UTC),
    )


def first_full_instant(
    intervals: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime, bays: int
) -> datetime | None:
    """The first instant of ``[start, end)`` at which ``bays`` of the
    ``intervals`` (each ``[starts, ends)``) are under way at once, so that one
    more would exceed the bays; None when a bay stays free throughout.

    A sweep over the intervals' ends and starts inside the range: the count
    of those under way at ``start``, then +1 at each start and -1 at each end
    in time order, an end before a start at the same instant (a bay freed at
    10:00 takes the car booked at 10:00). Counting the overlaps alone would
    refuse 9-10 and 10-11 against 9-11 in two bays, which never use more
    than two bays at once."""
    under_way = 0
    changes = []
    for starts, ends in intervals:
        if starts >= end or ends <= start:
            continue
        if starts <= start:
            under_way += 1
        else:
            changes.append((starts, 1))
        if ends < end:
            changes.append((ends, -1))
    if under_way >= bays:
        return start
    for instant, change in sorted(changes):
        under_way += change
        if under_way >= bays:
            return instant
    return None


def free_starts(
    *,
    window: tuple[datetime, datetime],
    length: timedelta,
    step: timedelta,
    intervals: list[tuple[datetime, datetime]],
    bays: int,
) -> list[datetime]:
    """The start times from opening, every ``step`` of real time, whose whole
    ``length`` fits before closing with a bay free throughout. Stepping in
    real time keeps the step on a day the clocks change (the repeated hour
    is offered twice, once per offset; the skipped one not at all)."""
    opens, closes = window
    starts, at = [], opens
    while at + length <= closes:
        if first_full_instant(intervals, at, at + length, bays) is None:
            starts.append(at)
        at += step
    return starts
