#!/usr/bin/env python3
"""Independent reference table for the Vietnamese lunisolar calendar.

Usage:
    pip install ephem
    python3 generate_lunar_reference.py > lunar_reference.csv

The project's calendar crate implements Ho Ngoc Duc's approximation
algorithm (truncated series for new moons and solar longitude).  Testing
that implementation against a table produced by the *same* algorithm would
only prove that it was ported faithfully, not that it gives the right
dates.  This script therefore derives the calendar from first principles
using precise ephemerides from PyEphem (libastro: VSOP87 Sun, ELP-based
Moon, nutation, aberration, Delta-T), and applies the calendar rules
directly, without any of the approximation algorithm's shortcuts.

Rules applied (for a given civil time zone):
  * A lunar month starts on the local calendar day containing the
    astronomical new moon (geocentric conjunction in ecliptic longitude).
  * Month 11 is the month containing the local date of the December
    solstice.
  * If 13 new moons separate two consecutive month-11 starts, the first
    month after month 11 that contains no principal solar term (zhongqi:
    apparent solar longitude a multiple of 30 degrees, judged by local
    dates over [month start, next month start)) is the leap month and
    takes the number of the month before it.
  * Tet (1/1) is the start of the (non-leap) month numbered 1.
  * Hung Kings' Day is day 10 of the non-leap month 3 (start + 9 days).

The Vietnamese calendar uses UTC+7; the Chinese calendar is computed with
the very same rules for UTC+8, so the two columns differ only through the
time zone.  That comparison is itself a useful check: the years where they
differ must all be explained by a new moon / solar term falling between
midnight UTC+7 and midnight UTC+8 (i.e. 16:00-17:00 UTC).

The CSV goes to stdout.  A diagnostic report (years where VN and CN
differ, events within 10 minutes of local midnight and whether flipping
them to the other side of midnight would change the table) goes to
stderr, so redirecting stdout yields a clean data file.
"""

import bisect
import datetime
import sys

try:
    import ephem
except ImportError:  # pragma: no cover - environment guidance only
    sys.exit("PyEphem is required: pip install ephem")

FIRST_YEAR = 1950
LAST_YEAR = 2100

TIME_ZONES = {"vn": 7, "cn": 8}  # hours east of UTC

# Events this close to local midnight are where an approximate algorithm
# (or a different ephemeris / Delta-T model) could legitimately land on the
# other calendar day, so they are reported separately.
NEAR_MIDNIGHT_MINUTES = 10

# Scan window.  Lunar year FIRST_YEAR needs the month 11 of the previous
# December; lunar year LAST_YEAR ends at Tet LAST_YEAR+1, and deciding
# whether it has a leap month 11 or 12 needs the suì (solstice-to-solstice
# span) ending in December LAST_YEAR+1.  Generous margins cost nothing.
SCAN_START = ephem.Date("%d/10/01" % (FIRST_YEAR - 1))
SCAN_END = ephem.Date("%d/03/01" % (LAST_YEAR + 2))

SECOND = ephem.second
DEG30 = ephem.degrees("30")


# ---------------------------------------------------------------------------
# Astronomy
# ---------------------------------------------------------------------------

def apparent_solar_longitude(when):
    """Sun's apparent geocentric ecliptic longitude, true equinox of date.

    Solar terms are defined on the *apparent* longitude of date.  Note that
    ephem.Ecliptic(sun) would use the astrometric J2000 position (a_ra/a_dec),
    which is off by precession (~1.4 deg by 2100, i.e. well over a day), so
    we explicitly convert the apparent g_ra/g_dec (nutation and aberration
    included by libastro) in the frame of the date itself.  libastro
    converts with the mean obliquity; for a body on the ecliptic that only
    perturbs latitude, not longitude, to first order.
    """
    sun = ephem.Sun()
    sun.compute(when)
    equatorial = ephem.Equatorial(sun.g_ra, sun.g_dec, epoch=when)
    return float(ephem.Ecliptic(equatorial).lon)


def new_moons(start, end):
    """All new moon instants (UTC, ephem.Date) in [start, end)."""
    result = []
    when = ephem.next_new_moon(start)
    while when < end:
        result.append(when)
        # Step past the found instant so the next search cannot return it
        # again (ephem's finder only guards against an exact hit).
        when = ephem.next_new_moon(ephem.Date(when + 1))
    return result


def principal_terms(start, end):
    """All zhongqi instants in [start, end) as (utc ephem.Date, degrees).

    We walk in one-day steps (the Sun moves ~1 deg/day, so a 30-degree
    sector can never be skipped) to bracket each crossing, then bisect.
    Bisection rather than Newton because libastro stores g_ra/g_dec as
    single-precision floats (~0.1 arcsec, ~2 s of solar motion): the
    function is slightly stair-stepped near the root and bisection stays
    robust there.  40 halvings of a day is ~0.1 ms, far below that noise.
    """
    def sector(when):
        return int(apparent_solar_longitude(when) // float(DEG30)) % 12

    result = []
    lo = ephem.Date(start)
    lo_sector = sector(lo)
    while lo < end:
        hi = ephem.Date(lo + 1)
        hi_sector = sector(hi)
        if hi_sector != lo_sector:
            a, b = float(lo), float(hi)
            for _ in range(40):
                mid = (a + b) / 2
                if sector(mid) == lo_sector:
                    a = mid
                else:
                    b = mid
            result.append((ephem.Date(b), hi_sector * 30))
        lo, lo_sector = hi, hi_sector
    return result


def december_solstices(start, end):
    """December solstice instants, keyed by Gregorian year."""
    result = {}
    when = ephem.next_solstice(start)
    while when < end:
        if when.datetime().month == 12:
            result[when.datetime().year] = when
        when = ephem.next_solstice(ephem.Date(when + 1))
    return result


# ---------------------------------------------------------------------------
# Civil-time helpers
# ---------------------------------------------------------------------------

def local_datetime(when, tz_hours):
    return ephem.Date(when + tz_hours * ephem.hour).datetime()


def local_date(when, tz_hours):
    return local_datetime(when, tz_hours).date()


def minutes_from_midnight(when, tz_hours):
    """Signed distance to the nearest local midnight, in minutes.

    Negative: just before midnight; positive: just after.
    """
    t = local_datetime(when, tz_hours)
    secs = t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6
    return secs / 60 if secs < 43200 else (secs - 86400) / 60


# ---------------------------------------------------------------------------
# Calendar rules (pure date logic, so the sensitivity analysis can re-run
# it with one event moved across midnight)
# ---------------------------------------------------------------------------

def build_calendar(moon_dates, term_dates, solstice_dates):
    """Apply the calendar rules to local dates.

    moon_dates:     sorted local dates of new moons
    term_dates:     sorted local dates of principal terms
    solstice_dates: {gregorian_year: local date of December solstice}

    Returns {lunar_year: (tet, hung_kings_day, leap_month_number)}.
    """
    def month_index(day):
        # Index of the month whose start is the last one on or before `day`.
        return bisect.bisect_right(moon_dates, day) - 1

    def has_principal_term(i):
        lo = bisect.bisect_left(term_dates, moon_dates[i])
        return lo < len(term_dates) and term_dates[lo] < moon_dates[i + 1]

    # (start date, month number, is_leap) in chronological order.
    months = []
    years = sorted(solstice_dates)
    for y, y_next in zip(years, years[1:]):
        a = month_index(solstice_dates[y])
        b = month_index(solstice_dates[y_next])
        count = b - a
        if count not in (12, 13):
            raise AssertionError("suì %d has %d months" % (y, count))
        leap_at = None
        if count == 13:
            # Month 11 itself (i = 0) holds the solstice, so start at 1.
            for i in range(1, 13):
                if not has_principal_term(a + i):
                    leap_at = i
                    break
            if leap_at is None:
                raise AssertionError("13-month suì %d without a gap" % y)
        number = 10  # so that the first (i = 0) month becomes 11
        for i in range(count):
            if i == leap_at:
                months.append((moon_dates[a + i], number, True))
            else:
                number = number % 12 + 1
                months.append((moon_dates[a + i], number, False))

    # Group months into lunar years, each beginning at its non-leap month 1.
    result = {}
    current = None
    for start, number, leap in months:
        if number == 1 and not leap:
            current = start.year
            result[current] = {"tet": start, "hung": None, "leap": 0}
        if current is None:
            continue
        if number == 3 and not leap:
            result[current]["hung"] = start + datetime.timedelta(days=9)
        if leap:
            result[current]["leap"] = number
    # The last group is open-ended (its following months were not scanned),
    # so only keep years that are followed by another Tet.
    complete = sorted(result)[:-1]
    return {y: (result[y]["tet"], result[y]["hung"], result[y]["leap"])
            for y in complete}


class Events(object):
    """Astronomical instants for the scan window, independent of time zone."""

    def __init__(self):
        self.moons = new_moons(SCAN_START, SCAN_END)
        self.terms = principal_terms(SCAN_START, SCAN_END)
        self.solstices = december_solstices(SCAN_START, SCAN_END)
        self._cross_check_solstices()

    def _cross_check_solstices(self):
        # The December solstice is also the 270-degree principal term;
        # ephem.next_solstice (RA = 18h via Newton) and our bisection on
        # ecliptic longitude are different code paths, so agreement is a
        # cheap guard against a frame or epoch mistake.
        self.solstice_term_index = {}
        self.max_solstice_diff_seconds = 0.0
        for year, sol in self.solstices.items():
            best = min(range(len(self.terms)),
                       key=lambda k: abs(self.terms[k][0] - sol))
            when, deg = self.terms[best]
            diff = abs(when - sol) / SECOND
            if deg != 270 or diff > 10:
                raise AssertionError(
                    "solstice %d: next_solstice %s vs term %s (%d deg)"
                    % (year, sol, when, deg))
            self.solstice_term_index[year] = best
            self.max_solstice_diff_seconds = max(
                self.max_solstice_diff_seconds, diff)

    def local_inputs(self, tz):
        moon_dates = [local_date(m, tz) for m in self.moons]
        term_dates = [local_date(t, tz) for t, _ in self.terms]
        solstice_dates = {y: local_date(s, tz)
                          for y, s in self.solstices.items()}
        return moon_dates, term_dates, solstice_dates


def calendar_for(events, tz):
    moon_dates, term_dates, solstice_dates = events.local_inputs(tz)
    return build_calendar(moon_dates, sorted(term_dates), solstice_dates)


# Names of the fields of build_calendar's per-year tuple, for reports.
COLUMNS = ("tet", "hung", "leap")


def near_midnight_report(events, tz, baseline):
    """Events within NEAR_MIDNIGHT_MINUTES of local midnight, with impact.

    For each such event we move its local date to the other side of
    midnight, rebuild the calendar and list the output years that change.
    An empty impact list means the table does not depend on that event's
    exact minute; a non-empty one marks rows an approximate algorithm
    could legitimately get "wrong".
    """
    moon_dates, term_dates, solstice_dates = events.local_inputs(tz)
    # Only events that can influence FIRST_YEAR..LAST_YEAR are of interest.
    lo = datetime.date(FIRST_YEAR - 1, 11, 1)
    hi = datetime.date(LAST_YEAR + 1, 12, 31)
    rows = []

    def impact(moons, terms, sols):
        cal = build_calendar(moons, sorted(terms), sols)
        return ["%d:%s" % (y, name)
                for y in range(FIRST_YEAR, LAST_YEAR + 1)
                for idx, name in enumerate(COLUMNS)
                if cal[y][idx] != baseline[y][idx]]

    for i, when in enumerate(events.moons):
        offset = minutes_from_midnight(when, tz)
        if abs(offset) > NEAR_MIDNIGHT_MINUTES:
            continue
        if not lo <= moon_dates[i] <= hi:
            continue
        shift = datetime.timedelta(days=1 if offset < 0 else -1)
        moved = list(moon_dates)
        moved[i] += shift
        rows.append(("new moon", when, offset,
                     impact(moved, term_dates, solstice_dates)))

    solstice_of_term = {k: y for y, k in events.solstice_term_index.items()}
    for k, (when, deg) in enumerate(events.terms):
        offset = minutes_from_midnight(when, tz)
        if abs(offset) > NEAR_MIDNIGHT_MINUTES:
            continue
        if not lo <= term_dates[k] <= hi:
            continue
        shift = datetime.timedelta(days=1 if offset < 0 else -1)
        moved_terms = list(term_dates)
        moved_terms[k] += shift
        moved_sols = dict(solstice_dates)
        if k in solstice_of_term:  # the same instant plays both roles
            moved_sols[solstice_of_term[k]] += shift
        label = "solar term %d deg" % deg
        if k in solstice_of_term:
            label += " (Dec solstice)"
        rows.append((label, when, offset,
                     impact(moon_dates, moved_terms, moved_sols)))
    rows.sort(key=lambda r: r[1])
    return rows


# Facts published independently of this script (official holiday
# announcements and well-known VN/CN discrepancies).  Checking them here
# guards the whole pipeline (frames, time zones, rule implementation): if
# any fails, the table is not written.
KNOWN_FACTS = [
    ("vn", 2026, "tet", datetime.date(2026, 2, 17)),
    ("vn", 2025, "tet", datetime.date(2025, 1, 29)),
    ("vn", 2024, "tet", datetime.date(2024, 2, 10)),
    ("vn", 1985, "tet", datetime.date(1985, 1, 21)),
    ("cn", 1985, "tet", datetime.date(1985, 2, 20)),
    ("vn", 2007, "tet", datetime.date(2007, 2, 17)),
    ("cn", 2007, "tet", datetime.date(2007, 2, 18)),
    ("vn", 2023, "leap", 2),
    ("vn", 2025, "leap", 6),
    ("vn", 2025, "hung", datetime.date(2025, 4, 7)),
]


def check_known_facts(cal):
    failures = []
    for zone, year, column, expected in KNOWN_FACTS:
        actual = cal[zone][year][COLUMNS.index(column)]
        if actual != expected:
            failures.append("%s %d %s: expected %s, got %s"
                            % (zone, year, column, expected, actual))
    return failures


def main():
    events = Events()
    cal = {name: calendar_for(events, tz) for name, tz in TIME_ZONES.items()}
    vn, cn = cal["vn"], cal["cn"]
    years = range(FIRST_YEAR, LAST_YEAR + 1)

    failures = check_known_facts(cal)
    if failures:
        sys.exit("Known facts not reproduced:\n  " + "\n  ".join(failures))

    near = {name: near_midnight_report(events, tz, cal[name])
            for name, tz in TIME_ZONES.items()}
    # Only the VN columns plus tet_cn are published in the table, so only
    # those are worth flagging to whoever writes tests against it.
    fragile = sorted(set(
        ["%s_vn" % hit for _, _, _, hits in near["vn"] for hit in hits] +
        ["%s_cn" % hit for _, _, _, hits in near["cn"] for hit in hits
         if hit.endswith(":tet")]))

    out = sys.stdout
    out.write("# Independent reference for the Vietnamese lunisolar calendar.\n")
    out.write("# Generated by generate_lunar_reference.py with PyEphem %s "
              "(libastro ephemerides incl. nutation, aberration, Delta-T),\n"
              % ephem.__version__)
    out.write("# NOT with Ho Ngoc Duc's approximation algorithm.\n")
    out.write("# Rules: month starts on the local day of the new moon; month 11 "
              "contains the local date of the December solstice;\n")
    out.write("# 13-month sui -> leap = first month after month 11 without a "
              "principal term (apparent solar longitude k*30 deg, local dates\n")
    out.write("# [start, next start)), numbered as the month before it; Tet = "
              "non-leap month 1; Hung Kings' Day = non-leap month 3 start + 9 days.\n")
    out.write("# *_vn columns: UTC+7 (Vietnam). tet_cn: same rules at UTC+8 "
              "(China), for comparison.\n")
    out.write("# leap_month_vn: leap month number in the lunar year beginning "
              "at tet_vn (0 = none).\n")
    out.write("# Values hinging on a new moon/solar term within %d min of local "
              "midnight (approximate algorithms may differ there): %s\n"
              % (NEAR_MIDNIGHT_MINUTES, ", ".join(fragile) or "none"))
    out.write("year,tet_vn,hung_kings_vn,leap_month_vn,tet_cn\n")
    for year in years:
        tet, hung, leap = vn[year]
        out.write("%d,%s,%s,%d,%s\n" % (year, tet.isoformat(),
                                        hung.isoformat(), leap,
                                        cn[year][0].isoformat()))

    # ---- diagnostics on stderr ----
    err = sys.stderr
    err.write("Known facts: all %d reproduced.\n" % len(KNOWN_FACTS))
    err.write("next_solstice vs bisected 270-deg term: max difference %.1f s\n"
              % events.max_solstice_diff_seconds)
    for idx, name in enumerate(COLUMNS):
        differ = [y for y in years if vn[y][idx] != cn[y][idx]]
        err.write("Years where %s differs VN vs CN: %s\n" % (name, ", ".join(
            "%d (VN %s, CN %s)" % (y, vn[y][idx], cn[y][idx])
            for y in differ) or "none"))
    for name, tz in TIME_ZONES.items():
        err.write("\nEvents within %d min of local midnight, UTC+%d (%s):\n"
                  % (NEAR_MIDNIGHT_MINUTES, tz, name))
        for label, when, offset, hits in near[name]:
            err.write("  %-34s %s UTC  local %s  (%+.1f min)  changes: %s\n"
                      % (label, when,
                         local_datetime(when, tz).strftime("%Y-%m-%d %H:%M:%S"),
                         offset, ", ".join(hits) or "-"))


if __name__ == "__main__":
    main()
