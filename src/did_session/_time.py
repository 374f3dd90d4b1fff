"""Time: the time policy, strict RFC 3339 parsing and JS-style formatting.

Times are Unix seconds as ``float`` (what ``time.time()`` returns). The JS library writes
times with ``Date.prototype.toISOString()``: ``2025-01-01T00:00:00.000Z``.

:class:`TimePolicy` is the one definition of "what time is it and how lenient are we":
a session owns one and uses it for the times it asks an auth method to sign, for its own
expiry, and for the CACAO and JWS checks; ``verify_jws`` and ``Verifier`` take the same
object.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import CacaoError, CapabilityExpiredError, CapabilityNotYetValidError, TimeFormatError

Clock = Callable[[], float]
"""A function returning the current time in Unix seconds, like ``time.time``."""

system_clock: Clock = time.time

DEFAULT_CLOCK_SKEW_SECS = 5 * 60
"""The skew the JS verifier (@didtools/cacao) allows, both ways."""


@dataclass(frozen=True, kw_only=True)
class TimePolicy:
    """The clock and the tolerances of every time check.

    - ``clock``: the current time (injectable: tests, a server's trusted clock);
    - ``clock_skew_secs``: how far the signer's clock may be off, both ways;
    - ``revocation_phaseout_secs``: how long after ``exp`` a capability still verifies.
    """

    clock: Clock = system_clock
    clock_skew_secs: float = DEFAULT_CLOCK_SKEW_SECS
    revocation_phaseout_secs: float = 0

    def now(self) -> float:
        return self.clock()

    def check_window(
        self,
        iat: float,
        nbf: float | None,
        exp: float | None,
        *,
        at_time: float | None = None,
        disable_expiration_check: bool = False,
    ) -> None:
        """Raise unless ``[iat/nbf, exp]`` holds ``at_time`` (default: now), within the
        skew. Not valid yet when ``iat`` or ``nbf`` is later than ``now + skew``; expired
        when ``exp + phaseout + skew < now``: the boundary second itself is still valid."""
        now = at_time if at_time is not None else self.clock()
        skew, phaseout = self.clock_skew_secs, self.revocation_phaseout_secs
        if math.isnan(now) or math.isnan(skew) or math.isnan(phaseout):
            # NaN compares false with everything: it would pass every check (fail open).
            raise CacaoError("the time of the check, the skew and the phase-out must be numbers")
        if iat > now + skew or (nbf is not None and nbf > now + skew):
            raise CapabilityNotYetValidError("CACAO is not valid yet")
        if not disable_expiration_check and exp is not None and exp + phaseout + skew < now:
            raise CapabilityExpiredError("CACAO has expired")


DEFAULT_TIME_POLICY = TimePolicy()

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
