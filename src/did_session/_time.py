"""Time: an injectable clock and strict RFC 3339 parsing / JS-style formatting.

Times are Unix seconds as ``float`` (what ``time.time()`` returns). The JS library writes
times with ``Date.prototype.toISOString()``: ``2025-01-01T00:00:00.000Z``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from .errors import MalformedError

Clock = Callable[[], float]
"""A function returning the current time in Unix seconds, like ``time.time``."""

system_clock: Clock = time.time

# RFC 3339 ``date-time`` (EIP-4361 refers to it): full-date "T" full-time, offset Z or
# +hh:mm. Lower-case t/z are allowed by RFC 3339 section 5.6 but not by EIP-4361's
# examples or the JS library: refuse them, strictness costs nobody anything here.
# re.ASCII: \d must not match other Unicode digits (U+FF10.., U+0660..), which int() reads.
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})\Z",
    re.ASCII,
)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm): what
    ``calendar.timegm`` computes, without importing ``calendar`` (40 ms under Pyodide)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month - 3 if month > 2 else month + 9) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


class TimeFormatError(MalformedError):
    """A timestamp that is not a valid RFC 3339 date-time."""


def parse_rfc3339(text: str) -> float:
    """Parse an RFC 3339 date-time into Unix seconds; raise :class:`TimeFormatError`.

    Unlike JS ``new Date(text)`` (which yields NaN and then passes every comparison), a
    malformed or impossible time (month 13, 30 February, hour 24) is refused.
    """
    m = _RFC3339.match(text) if isinstance(text, str) else None
    if m is None:
        raise TimeFormatError(f"not an RFC 3339 date-time: {text!r:.80}")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not (
        1 <= month <= 12
        and 1 <= day <= (_DAYS[month - 1] if month != 2 or leap else 28)
        and hour <= 23
        and minute <= 59
        and second <= 60  # RFC 3339 allows a leap second; it counts as :59 + 1.
    ):
        raise TimeFormatError(f"impossible date-time: {text!r:.80}")
    seconds = float(_days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second)
    frac = m.group(7)
    if frac:
        # Milliseconds, as JS Date keeps them (it truncates further digits).
        seconds += int(frac[1:4].ljust(3, "0")) / 1000.0
    offset = m.group(8)
    if offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        oh, om = int(offset[1:3]), int(offset[4:6])
        if oh > 23 or om > 59:
            raise TimeFormatError(f"impossible offset: {text!r:.80}")
        seconds -= sign * (oh * 3600 + om * 60)
    return seconds


def format_iso_ms(seconds: float) -> str:
    """Format Unix seconds like JS ``Date.prototype.toISOString()`` (UTC, milliseconds)."""
    ms = round(seconds * 1000)
    whole, millis = divmod(ms, 1000)
    t = time.gmtime(whole)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{millis:03d}Z"
    )
