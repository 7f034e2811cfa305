"""Find time expressions in news text and normalise them to ISO dates, months, years or ranges.

A time expression is a piece of text that names a point or stretch of the calendar: an
absolute date ("Friday, July 21, 2017", "February 2016", "2014", "the 1960s"), a date that
needs the publication date P to be pinned down ("Monday", "last week", "two years ago",
"next spring", "December 30"), or a clock time ("15:11 GMT"). Durations ("for two weeks",
"48 hours") are not time expressions and are not reported.

Rules are regular expressions over the raw text; the word lists they are built from (months,
weekdays, seasons, number words, tense cues) are data files in ``kg/data/timex/`` (see the
README there). Nothing is loaded until the first call.

Conventions (news style):

- A bare weekday is the most recent such day on or before P ("Monday" in a Monday article is
  P itself); in a future-tense context it is the first such day on or after P.
- A date without a year ("December 30") takes the year that puts it nearest to P, counting
  days after P double (news mostly reports the past; six times over in a past-tense
  sentence), or days before P double in a future-tense one. A year written just after it
  wins ("May 3 this year", "January 9 to March 2, 2025"). Bare months ("in March") alike.
- Weeks run Monday to Sunday; "last week", "this week", "next week" and weekends are ranges
  (``earliest``/``latest``). Seasons are meteorological: spring is March 1 to May 31.
- Months and years are values at their own granularity: "last month" -> "2023-01".
- Vague or sub-day relative expressions ("a decade ago", "24 hours ago", "the past few days")
  are reported without a value, so a reader sees them but nothing is guessed.
- Clock times get an ISO time of day as value ("15:11 GMT" -> "15:11:00"): check
  ``":" in value`` before treating a value as a date.
- Without a publication date, anything relative is reported with ``anchored=False`` and no
  value; absolute dates still resolve.

Examples
--------
>>> import datetime
>>> [t.to_json() for t in find_times("They met on Monday.", datetime.date(2023, 2, 22))]
[{'start': 12, 'end': 18, 'text': 'Monday', 'value': '2023-02-20'}]
>>> resolve("next week", datetime.date(2023, 2, 22)).to_json()
{'start': 0, 'end': 9, 'text': 'next week', 'earliest': '2023-02-27', 'latest': '2023-03-05'}
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

__all__ = ["TimeExpr", "find_times", "resolve"]

DATA_DIR = Path(__file__).parent / "data" / "timex"

# How much a day (or month) on the disfavoured side of P counts when picking a year.
_AWAY_WEIGHT = 2
_PAST_AWAY_WEIGHT = 6


@dataclass(frozen=True)
class TimeExpr:
    """One time expression: where it is in the text and what it means.

    ``value`` is an ISO day, month or year (or time of day for clock times) when the
    expression names one calendar unit; ``earliest``/``latest`` are ISO days when it names a
    range (a week, a weekend, a season, a decade). ``anchored`` is False when the expression
    is relative and there was no publication date to resolve it against.
    """

    start: int
    end: int
    text: str
    value: str | None = None
    earliest: str | None = None
    latest: str | None = None
    anchored: bool = True

    def to_json(self) -> dict:
        """Return the scorer's JSON shape: value for points, earliest/latest for ranges.

        Examples
        --------
        >>> TimeExpr(0, 4, "2014", value="2014").to_json()
        {'start': 0, 'end': 4, 'text': '2014', 'value': '2014'}
        """
        out: dict = {"start": self.start, "end": self.end, "text": self.text}
        if self.earliest or self.latest:
            out["earliest"] = self.earliest
            out["latest"] = self.latest
        else:
            out["value"] = self.value
        return out


# --------------------------------------------------------------------------- lexicon


def _read_tsv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _read_list(name: str) -> list[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [w.strip().lower() for w in lines if w.strip() and not w.startswith("#")]


def _alt(words) -> str:
    """A regex alternation of ``words``, longest first so that prefixes do not win."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class _Lexicon:
    months: dict[str, int]  # every spelling, lower case -> 1..12
    full_months: frozenset[str]
    weekdays: dict[str, int]  # lower case -> 0 (Monday) .. 6
    seasons: dict[str, tuple[int, int]]  # name -> (first month, last month)
    numbers: dict[str, int]
    ordinals: dict[str, int]
    decades: dict[str, int]  # "sixties" -> 1960
    cues: tuple[tuple[tuple[str, ...], str], ...]  # (cue words, tense)
    cue_words: frozenset[str]  # every word of every cue
    count_nouns: frozenset[str]
    rules: tuple["_Rule", ...]


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern
    handler: Callable
    needs: frozenset   # a match always has one of these words (DIGIT: a digit); see _zones


@dataclass(frozen=True)
class _Norm:
    """What a rule found an expression to mean."""

    value: str | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None
    relative: bool = False  # needed the publication date


@dataclass(frozen=True)
class _Context:
    text: str
    published: dt.date | None
    tense: str | None
    strict: bool  # True inside running text: require capitals, prepositions


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    months: dict[str, int] = {}
    full = set()
    for row in _read_tsv("months.tsv"):
        n = int(row["number"])
        months[row["name"]] = n
        full.add(row["name"])
        for ab in filter(None, row["abbreviations"].split(",")):
            months[ab.strip()] = n
    weekdays = {r["name"]: int(r["number"]) for r in _read_tsv("weekdays.tsv")}
    seasons = {r["name"]: (int(r["first_month"]), int(r["last_month"])) for r in _read_tsv("seasons.tsv")}
    numbers = {r["word"]: int(r["value"]) for r in _read_tsv("numbers.tsv")}
    ordinals = {r["word"]: int(r["value"]) for r in _read_tsv("ordinals.tsv")}
    decades = {r["word"]: int(r["year"]) for r in _read_tsv("decades.tsv")}
    cues = tuple((tuple(r["cue"].lower().split()), r["tense"]) for r in _read_tsv("tense_cues.tsv"))
    count_nouns = frozenset(_read_list("count_nouns.txt"))
    cue_words = frozenset(w for words, _ in cues for w in words)
    lex = _Lexicon(months, frozenset(full), weekdays, seasons, numbers, ordinals, decades, cues,
                   cue_words, count_nouns, ())
    return replace(lex, rules=_build_rules(lex))


# --------------------------------------------------------------------------- calendar helpers


def _iso_month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _week(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _weekday_near(p: dt.date, weekday: int, mode: str) -> dt.date:
    """The weekday relative to p. mode: past (on or before), future (on or after), last, next."""
    back = (p.weekday() - weekday) % 7
    ahead = (weekday - p.weekday()) % 7
    if mode == "last":
        back = back or 7
    if mode == "next":
        ahead = ahead or 7
    if mode in ("past", "last"):
        return p - dt.timedelta(days=back)
    return p + dt.timedelta(days=ahead)


def _pick(cands: list, p_key, key, tense: str | None):
    """Choose the candidate nearest to p_key; the side away from the tense costs double.

    An explicit past tense makes the future side cost more still (the cue often belongs to
    the reporting verb, "said on Monday that the May 25 vote...", so it is not strict).
    """
    def cost(c):
        diff = key(c) - p_key
        if tense == "future":
            return diff if diff >= 0 else -diff * _AWAY_WEIGHT
        return -diff if diff <= 0 else diff * (_PAST_AWAY_WEIGHT if tense == "past" else _AWAY_WEIGHT)
    return min(cands, key=lambda c: (cost(c), key(c)))


def _year_for_day(month: int, day: int, p: dt.date, tense: str | None) -> dt.date | None:
    cands = [d for y in (p.year - 1, p.year, p.year + 1) if (d := _safe_date(y, month, day))]
    if not cands:
        return None
    return _pick(cands, p.toordinal(), lambda d: d.toordinal(), tense)


def _year_for_month(month: int, p: dt.date, tense: str | None, mode: str | None = None) -> int:
    here = p.year * 12 + p.month
    years = [p.year - 1, p.year, p.year + 1]
    if mode == "last":
        return max(y for y in years if y * 12 + month < here)
    if mode == "since":
        return max(y for y in years if y * 12 + month <= here)
    if mode == "next":
        return min(y for y in years if y * 12 + month > here)
    if mode == "this":
        return p.year
    return _pick(years, here, lambda y: y * 12 + month, tense)


def _season(first: int, last: int, year: int) -> tuple[dt.date, dt.date]:
    end_year = year + 1 if last < first else year
    return dt.date(year, first, 1), _last_day(end_year, last)


def _season_near(first: int, last: int, p: dt.date, mode: str) -> tuple[dt.date, dt.date]:
    spans = [_season(first, last, y) for y in range(p.year - 2, p.year + 2)]
    if mode == "last":
        return max(s for s in spans if s[1] < p)
    if mode == "next":
        return min(s for s in spans if s[0] > p)
    for s in spans:  # "this": the one under way, else the one that belongs to this year
        if s[0] <= p <= s[1]:
            return s
    return _season(first, last, p.year - 1 if last < first and p.month <= last else p.year)


def _weekend(p: dt.date, mode: str) -> tuple[dt.date, dt.date]:
    """mode: last, next, past/None (this, already seen), future (this, coming)."""
    saturday = _week(p)[0] + dt.timedelta(days=5)
    if mode == "last":
        saturday -= dt.timedelta(days=7)
    elif mode == "next":
        saturday += dt.timedelta(days=7)
    elif p.weekday() < 5 and mode != "future":
        saturday -= dt.timedelta(days=7)
    return saturday, saturday + dt.timedelta(days=1)


# --------------------------------------------------------------------------- rule handlers


def _number(word: str, lex: _Lexicon) -> int | None:
    w = word.strip("[]").lower()
    if w.isdigit():
        return int(w)
    if w in lex.numbers:
        return lex.numbers[w]
    if "-" in w:
        tens, _, unit = w.partition("-")
        if tens in lex.numbers and unit in lex.numbers:
            return lex.numbers[tens] + lex.numbers[unit]
    return None


def _capitalised(m: dict, group: str, ctx: _Context) -> bool:
    word = m.get(group)
    return not ctx.strict or not word or word[0].isupper()


def _day(d: dt.date | None, relative: bool = False) -> _Norm | None:
    return _Norm(value=d.isoformat(), relative=relative) if d else None


def _h_iso(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    return _day(_safe_date(int(m.get("y")), int(m.get("mo")), int(m.get("d"))))


def _h_full_date(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if not (_capitalised(m, "month", ctx) and _capitalised(m, "wd", ctx)):
        return None
    month = lex.months[m.get("month").lower()]
    return _day(_safe_date(int(m.get("y")), month, int(m.get("d"))))


def _year_hint(ctx: _Context, m: dict, month: int, lex: _Lexicon) -> int | None:
    """A year written just after a year-less date: "May 3 this year", "May 3 - June 1, 2015"."""
    p = ctx.published
    after = ctx.text[m["_end"]: m["_end"] + 40]
    rel = re.match(r"(?:\s*[,\-\u2013\u2014]\s*|\s+)(?:of\s+)?(this|last|next)\s+year\b", after, re.I)
    if rel and p:
        return p.year + {"this": 0, "last": -1, "next": 1}[rel.group(1).lower()]
    rng = re.match(r"\s*(?:-|\u2013|to|through|until|and)\s*(?:([A-Za-z]+)\.?\s+)?\d{1,2}(?:st|nd|rd|th)?,?\s+"
                   r"(1\d{3}|20\d\d)\b", after)
    if rng:  # the range's end carries the year; a start in a later month is in the year before
        end_month = lex.months.get((rng.group(1) or "").lower())
        year = int(rng.group(2))
        return year - 1 if end_month and end_month < month else year
    return None


def _h_month_day(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if not (_capitalised(m, "month", ctx) and _capitalised(m, "wd", ctx)):
        return None
    month, day = lex.months[m.get("month").lower()], int(m.get("d"))
    if not 1 <= day <= 31:
        return None
    hint = _year_hint(ctx, m, month, lex)
    if hint:
        return _day(_safe_date(hint, month, day))
    p = ctx.published
    if p is None:
        return _Norm(relative=True)
    if m.get("wd"):  # a weekday fixes the year when one of the candidates agrees with it
        wd = lex.weekdays[m.get("wd").lower()]
        fits = [d for y in (p.year, p.year - 1, p.year + 1)
                if (d := _safe_date(y, month, day)) and d.weekday() == wd]
        if fits:
            return _day(fits[0], True)
    return _day(_year_for_day(month, day, p, ctx.tense), True)


def _h_month_year(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if not _capitalised(m, "month", ctx):
        return None
    return _Norm(value=_iso_month(int(m.get("y")), lex.months[m.get("month").lower()]))


def _h_month(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if not _capitalised(m, "month", ctx):
        return None
    mod = (m.get("mod") or "").lower()
    if ctx.strict and not (m.get("prep") or mod):
        return None
    p = ctx.published
    if p is None:
        return _Norm(relative=True)
    month = lex.months[m.get("month").lower()]
    mode = {"last": "last", "next": "next", "this": "this"}.get(mod)
    if (m.get("prep") or "").lower() == "since":
        mode = mode or "since"
    return _Norm(value=_iso_month(_year_for_month(month, p, ctx.tense, mode), month), relative=True)


def _h_weekday(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if not _capitalised(m, "wd", ctx):
        return None
    p = ctx.published
    if p is None:
        return _Norm(relative=True)
    mod = (m.get("mod") or "").lower()
    mode = {"last": "last", "next": "next", "this coming": "future", "this past": "past"}.get(mod)
    if mode is None:
        mode = "future" if ctx.tense == "future" else "past"
    return _day(_weekday_near(p, lex.weekdays[m.get("wd").lower()], mode), True)


def _h_day_word(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    p = ctx.published
    if p is None:
        return _Norm(relative=True)
    word = " ".join(m.get("word").lower().split())
    shift = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1,
             "the day before yesterday": -2, "the day after tomorrow": 2}[word]
    return _day(p + dt.timedelta(days=shift), True)


def _rel_range(mod: str, unit: str, p: dt.date, tense: str | None) -> _Norm:
    """last/this/next week, month, year, weekend."""
    mod = " ".join(mod.lower().split())
    step = {"last": -1, "this past": -1, "the previous": -1, "the past": -1, "next": 1,
            "this coming": 1, "the coming": 1}.get(mod, 0)
    if unit == "week":
        mon, sun = _week(p + dt.timedelta(weeks=step))
        if mod == "earlier this":
            sun = max(mon, p)
        elif mod == "later this":
            mon = p
        return _Norm(earliest=mon, latest=sun, relative=True)
    if unit == "weekend":
        mode = {-1: "last", 1: "next"}.get(step, tense or "past")
        sat, sun = _weekend(p, mode)
        return _Norm(earliest=sat, latest=sun, relative=True)
    if unit == "month":
        y, mo = _add_months(p.year, p.month, step)
        if mod in ("earlier this", "later this"):    # the part of the month before / after publication
            first = dt.date(y, mo, 1)
            last = dt.date(y + mo // 12, mo % 12 + 1, 1) - dt.timedelta(days=1)
            return _Norm(earliest=first if mod == "earlier this" else p,
                         latest=p if mod == "earlier this" else last, relative=True)
        return _Norm(value=_iso_month(y, mo), relative=True)
    if mod in ("earlier this", "later this"):
        return _Norm(earliest=dt.date(p.year, 1, 1) if mod == "earlier this" else p,
                     latest=p if mod == "earlier this" else dt.date(p.year, 12, 31), relative=True)
    return _Norm(value=f"{p.year + step:04d}", relative=True)


def _h_relative_unit(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if ctx.published is None:
        return _Norm(relative=True)
    return _rel_range(m.get("mod") or "this", m.get("unit").lower(), ctx.published, ctx.tense)


def _h_relative_plus_day(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    """"last month on February 22", "last week on Tuesday": the explicit day wins."""
    p = ctx.published
    if not (_capitalised(m, "month", ctx) and _capitalised(m, "wd", ctx)):
        return None
    if p is None:
        return _Norm(relative=True)
    rel = _rel_range(m.get("mod"), m.get("unit").lower(), p, ctx.tense)
    if m.get("wd"):
        wd = lex.weekdays[m.get("wd").lower()]
        if rel.earliest:
            return _day(rel.earliest + dt.timedelta(days=(wd - rel.earliest.weekday()) % 7), True)
        return _day(_weekday_near(p, wd, "future" if ctx.tense == "future" else "past"), True)
    year = int(rel.value[:4]) if rel.value else rel.earliest.year
    return _day(_safe_date(year, lex.months[m.get("month").lower()], int(m.get("d"))), True)


def _h_the_weekend(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if ctx.published is None:
        return _Norm(relative=True)
    return _rel_range("this", "weekend", ctx.published, ctx.tense)


def _h_year_before(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if ctx.published is None:
        return _Norm(relative=True)
    return _Norm(value=f"{ctx.published.year - 1:04d}", relative=True)


def _h_edge_of(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    """"the end of the year", "year end", "the start of the month", "the end of 2015"."""
    edge = (m.get("edge") or "end").lower()
    first = edge in ("beginning", "start")
    if m.get("y"):
        y = int(m.get("y"))
        return _day(dt.date(y, 1, 1) if first else dt.date(y, 12, 31))
    p = ctx.published
    if p is None:
        return _Norm(relative=True)
    step = {"last": -1, "next": 1}.get((m.get("mod") or "").lower(), 0)
    if (m.get("unit") or "year").lower() == "month":
        y, mo = _add_months(p.year, p.month, step)
        return _day(dt.date(y, mo, 1) if first else _last_day(y, mo), True)
    y = p.year + step
    return _day(dt.date(y, 1, 1) if first else dt.date(y, 12, 31), True)


def _h_ago(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    unit = m.get("unit").lower()
    n = _number(m.get("n"), lex) if m.get("n") else None
    p = ctx.published
    if n is None or unit in ("hour", "minute", "second", "decade"):
        return _Norm(relative=p is None)  # vague or finer than a day: no value
    if p is None:
        return _Norm(relative=True)
    sign = -1 if m.get("dir").lower() == "ago" else 1
    if unit == "day":
        return _day(p + dt.timedelta(days=sign * n), True)
    if unit == "week":
        mon, sun = _week(p + dt.timedelta(weeks=sign * n))
        return _Norm(earliest=mon, latest=sun, relative=True)
    if unit == "month":
        return _Norm(value=_iso_month(*_add_months(p.year, p.month, sign * n)), relative=True)
    return _Norm(value=f"{p.year + sign * n:04d}", relative=True)


def _h_event_day(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    """"the third day of the festival": a day counted from an event, left without a value."""
    return _Norm()


def _h_period(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    """"the past 30 days", "the last few years": a stretch ending at P, left without a value."""
    return _Norm(relative=ctx.published is None)


def _h_season(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    first, last = lex.seasons[m.get("season").lower()]
    if m.get("y"):
        a, b = _season(first, last, int(m.get("y")))
        return _Norm(earliest=a, latest=b)
    p = ctx.published
    if p is None:
        return _Norm(relative=True)
    mod = " ".join(m.get("mod").lower().split())
    mode = {"last": "last", "this past": "last", "next": "next", "this coming": "next"}.get(mod)
    a, b = _season_near(first, last, p, mode or "this")
    return _Norm(earliest=a, latest=b, relative=True)


def _h_year(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    y = int(m.get("y"))
    if ctx.strict and not 1800 <= y <= 2100 and not m.get("prep"):
        return None
    following = ctx.text[m["_end"]: m["_end"] + 20].lower().split()
    if ctx.strict and following and following[0].strip(".,;:") in lex.count_nouns:
        return None
    return _Norm(value=f"{y:04d}")


def _h_year_part(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    return _Norm(value=f"{int(m.get('y')):04d}")


def _h_decade(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if m.get("dec"):
        start = int(m.get("dec"))
    elif m.get("dec2"):
        start = 1900 + int(m.get("dec2"))
    else:
        start = lex.decades[m.get("decw").lower()]
    return _Norm(earliest=dt.date(start, 1, 1), latest=dt.date(start + 9, 12, 31))


def _h_century(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    n = int(m.get("n")) if m.get("n") else lex.ordinals[m.get("nw").lower()]
    start = (n - 1) * 100
    if start < 1:
        return None
    return _Norm(earliest=dt.date(start, 1, 1), latest=dt.date(start + 99, 12, 31))


def _h_clock(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if m.get("word"):
        return _Norm(value="12:00:00" if m.get("word").lower() in ("noon", "midday") else "00:00:00")
    h, mi = int(m.get("h")), int(m.get("mi") or 0)
    ap = (m.get("ap") or "").replace(".", "").lower()
    if ap:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ap == "pm" else 0)
    if h > 23 or mi > 59:
        return None
    return _Norm(value=f"{h:02d}:{mi:02d}:00")


def _h_ago_or_in(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if m.get("dir2"):
        proxy = {"n": m.get("n2"), "unit": m.get("unit2"), "dir": "in"}
        return _h_ago(proxy, ctx, lex)
    return _h_ago(m, ctx, lex)


def _h_clock_any(m: dict, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    if m.get("h2"):
        return _h_clock({"word": None, "h": m.get("h2"), "mi": None, "ap": m.get("ap2")}, ctx, lex)
    return _h_clock(m, ctx, lex)


# --------------------------------------------------------------------------- rules


def _build_rules(lex: _Lexicon) -> tuple[_Rule, ...]:
    month_any = rf"(?P<month>{_alt(lex.months)})\.?"
    month_full = rf"(?P<month>{_alt(lex.full_months)})"
    wd = rf"(?P<wd>{_alt(lex.weekdays)})"
    wd_prefix = rf"(?:{wd},?\s+)?"
    day = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
    year = r"(?P<y>1\d{3}|20\d\d)"
    season = rf"(?P<season>{_alt(lex.seasons)})"
    number_words = _alt(w for w in lex.numbers if w not in ("a", "an"))
    num = rf"(?:\d+|\[?(?:{number_words})(?:-(?:{number_words}))?\]?|an?)"
    ordinal = _alt(lex.ordinals)
    rel_mod = r"(?P<mod>last|next|this(?:\s+past|\s+coming)?|earlier\s+this|later\s+this)"
    end = r"(?!\w|'(?!s\b)\w)"  # a word ends here; a possessive "'s" stays outside the span
    end_num = r"(?![\w,.]\d|\d|:\d)"
    start_num = r"(?<![\w$\u20ac\u00a3#.,:/])"
    rules = [
        ("iso", rf"{start_num}(?P<y>\d{{4}})-(?P<mo>\d\d)-(?P<d>\d\d){end_num}", _h_iso),
        ("month day year", rf"\b{wd_prefix}{month_any}\s+{day},?\s+{year}{end_num}", _h_full_date),
        ("day month year", rf"\b{wd_prefix}(?:the\s+)?{day}\s+(?:of\s+)?{month_any},?\s+{year}{end_num}",
         _h_full_date),
        ("relative + day", rf"\b{rel_mod}\s+(?P<unit>week|month|year),?\s+(?:on\s+)?"
                           rf"(?:{wd}|{month_any}\s+{day}{end_num})", _h_relative_plus_day),
        ("month day", rf"\b{wd_prefix}{month_any}\s+{day}{end_num}(?!\s*[:\-]\s*\d)", _h_month_day),
        ("day month", rf"\b{wd_prefix}(?:the\s+)?{day}\s+(?:of\s+)?{month_any}{end}", _h_month_day),
        ("month year", rf"\b(?:(?:early|mid|late)[\s-]+)?{month_any},?\s+(?:of\s+)?{year}{end_num}",
         _h_month_year),
        ("month", rf"\b(?:(?P<prep>in|on|since|until|till|by|from|through|during|before|after|"
                  rf"of|to)\s+)?(?P<x>(?:(?P<mod>last|next|this)\s+)?(?:(?:early|late)\s+|mid-?)?"
                  rf"{month_full}){end}(?!\s*\d)", _h_month),
        ("day word", r"\b(?P<word>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|today|"
                     r"tonight|yesterday|tomorrow)(?:\s+(?:morning|afternoon|evening|night))?"
                     + end, _h_day_word),
        ("weekday", rf"\b(?<!\bevery\s)(?<!\beach\s)(?:(?P<mod>last|next|this(?:\s+past|\s+coming)?|early|late|earlier|later|"
                    rf"overnight)\s+)?{wd}(?:\s+(?:morning|afternoon|evening|night|overnight))?{end}",
         _h_weekday),
        ("season year", rf"\b(?:the\s+)?{season}\s+(?:of\s+)?{year}{end_num}", _h_season),
        ("relative season", rf"\b(?P<mod>last|next|this(?:\s+past|\s+coming)?)\s+{season}{end}", _h_season),
        ("edge of", rf"\b(?:(?:the\s+)?(?P<edge>end|beginning|start|close)\s+of\s+(?:(?P<mod>the|this|next|last)\s+"
                    rf"(?P<unit>year|month)|{year}{end_num})|year[\s-]end){end}", _h_edge_of),
        ("event day", rf"\b(?:the\s+)?(?:{ordinal})(?:\s+or\s+(?:{ordinal}))?\s+(?:day|night|week)\s+of\s+"
                      rf"(?:the|this|that|its|their)\s+[a-z]+{end}", _h_event_day),
        ("year before", r"\bthe\s+(?:year\s+before|previous\s+year|prior\s+year)" + end, _h_year_before),
        ("period", rf"\b(?:the\s+)?(?:past|last|previous|next|coming)\s+(?:{num}|few|several|couple\s+of|"
                   rf"many)\s+(?:days|weeks|months|years|decades|hours){end}"
                   rf"|\bthe\s+past\s+(?:week|month|year|decade|century){end}", _h_period),
        ("relative unit", rf"\b{rel_mod}\s+(?P<unit>week|month|year|weekend)(?:s\b)?{end}", _h_relative_unit),
        ("the weekend", r"\bthe\s+(?P<x>weekend)" + end, _h_the_weekend),
        ("ago", rf"\b(?:(?P<n>{num})\s+|(?:several|a\s+few|many|some)\s+)?(?P<unit>day|week|month|year|"
                rf"decade|hour|minute|second)s?\s+(?P<dir>ago){end}"
                rf"|\b(?P<dir2>in)\s+(?P<n2>{num})\s+(?P<unit2>day|week|month|year)s?{end}", _h_ago_or_in),
        ("decade", rf"\b(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?(?:(?P<dec>1\d{{2}}0|20\d0)'?s"
                   rf"|'(?P<dec2>\d0)s|(?<=the\s)(?P<decw>{_alt(lex.decades)})){end}", _h_decade),
        ("century", rf"\bthe\s+(?:(?P<n>\d{{1,2}})(?:st|nd|rd|th)|(?P<nw>{_alt(lex.ordinals)}))[\s-]+century{end}",
         _h_century),
        ("year part", rf"\b(?:early|mid|late)[\s-]+(?:in\s+)?{year}{end_num}", _h_year_part),
        ("year", rf"(?:\b(?P<prep>in|since|by|from|until|of)\s+)?{start_num}(?<![A-Za-z]-)(?P<x>{year})"
                 rf"{end_num}(?!%|-year|-old|\w)", _h_year),
        ("clock", r"(?<![\d:.])(?:(?P<h>[0-2]?\d):(?P<mi>[0-5]\d)(?::[0-5]\d)?(?:\s*(?P<ap>[ap]\.?m\.?))?"
                  r"|(?P<h2>1[0-2]|0?[1-9])\s*(?P<ap2>[ap]\.m\.|[ap]m))(?![\w:])(?:\s+(?:GMT|UTC|[A-Z]{2,3}T)\b)?"
                  r"|\b(?P<word>midnight|noon|midday)\b", _h_clock_any),
    ]
    # Every match of a rule contains one of its needs (DIGIT: a digit), ignoring case:
    # find_times runs a rule only over the paragraphs that contain one (as a substring: "days",
    # "mid-March", "midMarch" count). tests/test_timex.py checks that this changes nothing.
    units = {"day", "week", "month", "year", "decade", "hour", "minute", "second"}
    needs = {
        "iso": {DIGIT}, "month day year": {DIGIT}, "day month year": {DIGIT},
        "relative + day": {"week", "month", "year"}, "month day": {DIGIT}, "day month": {DIGIT},
        "month year": {DIGIT}, "month": set(lex.full_months),
        "day word": {"today", "tonight", "yesterday", "tomorrow"}, "weekday": set(lex.weekdays),
        "season year": {DIGIT}, "relative season": set(lex.seasons), "edge of": {"year", "month", DIGIT},
        "event day": {"day", "night", "week"}, "year before": {"year"},
        "period": units | {"century"}, "relative unit": {"week", "month", "year", "weekend"},
        "the weekend": {"weekend"}, "ago": units, "decade": {DIGIT} | set(lex.decades),
        "century": {"century"}, "year part": {DIGIT}, "year": {DIGIT},
        "clock": {DIGIT, "midnight", "noon", "midday"},
    }
    return tuple(_Rule(name, re.compile(rx, re.I), h, frozenset(w.casefold() for w in needs[name]))
                 for name, rx, h in rules)


DIGIT = "0"        # stands for "a digit" in _Rule.needs (no word is "0")
_DIGIT = re.compile(r"\d")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def _zones(text: str, rules) -> list[list[tuple[int, int]]]:
    """For each rule, the paragraphs of ``text`` (as offsets) that contain one of its needs."""
    paragraphs, start = [], 0
    for m in _BLANK_LINE.finditer(text):
        paragraphs.append((start, m.start()))
        start = m.end()
    paragraphs.append((start, len(text)))
    folded = [text[s:e].casefold() for s, e in paragraphs]
    digits = [_DIGIT.search(text, s, e) is not None for s, e in paragraphs]
    return [[(s, e) for (s, e), low, digit in zip(paragraphs, folded, digits)
             if (digit and DIGIT in rule.needs) or any(w in low for w in rule.needs if w != DIGIT)]
            for rule in rules]


# --------------------------------------------------------------------------- tense


_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Za-z]+(?:'[a-z]+)?|\d+")
_CLAUSE_MARK = re.compile(r"[\"\u201c\u201d();]")
_DETERMINERS = frozenset("a an the this that its his her their our your my".split())
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[\"'\u201c(]?[A-Z])|\n")


def _tokens(text: str) -> list[str]:
    """Words of ``text`` in their own case, with "'ll" and "won't" spelt out as "will"."""
    out = []
    for t in _TOKEN.findall(text):
        low = t.lower()
        if low == "won't":
            out += ["will", "not"]
        elif low.endswith("'ll"):
            out += [t[:-3], "will"]
        else:
            out.append(t)
    return out


def _tense_near(text: str, start: int, end: int, lex: _Lexicon, window: int = 12) -> str | None:
    """Guess the tense around text[start:end] from the nearest tense cue in its sentence."""
    s0 = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 300), start)), default=max(0, start - 300))
    s1m = _SENTENCE_END.search(text, end, end + 300)
    s1 = s1m.start() if s1m else min(len(text), end + 300)
    s0 = max((m.end() for m in _CLAUSE_MARK.finditer(text, s0, start)), default=s0)  # quotes, brackets
    s1m = _CLAUSE_MARK.search(text, end, s1)
    s1 = s1m.start() if s1m else s1
    before = _tokens(text[s0:start])[-window:]
    after = _tokens(text[end:s1])[:window]
    best: tuple[int, str] | None = None
    for side, cased in (("before", before), ("after", after)):
        toks = [t.lower() for t in cased]
        for i, tok in enumerate(toks):
            dist = len(toks) - i if side == "before" else i + 1
            if best is not None and dist >= best[0]:
                continue
            passive = i > 0 and toks[i - 1] in ("be", "being")  # "will be held": no cue
            for words, tense in lex.cues:
                if tuple(toks[i:i + len(words)]) == words and not (tense == "past" and passive):
                    best = (dist, tense)
                    break
            else:
                if (tok.endswith("ed") and len(tok) > 4 and cased[i].islower() and not passive
                        and tok not in lex.cue_words and (i == 0 or toks[i - 1] not in _DETERMINERS)):
                    # a lower-case "-ed" word, not after "be" or "the": a past verb
                    best = (dist, "past")
    return best[1] if best else None


# --------------------------------------------------------------------------- front doors


def _apply(rule: _Rule, m: re.Match, ctx: _Context, lex: _Lexicon) -> _Norm | None:
    """Run a rule's handler on its match (named groups as a dict, plus where the match ends)."""
    try:
        return rule.handler({**m.groupdict(), "_end": m.end()}, ctx, lex)
    except (OverflowError, ValueError):  # a calendar step past year 1 or 9999: not a date we can give
        return None


def _norm_to_expr(norm: _Norm, start: int, end: int, text: str, published) -> TimeExpr:
    if norm.relative and published is None:
        return TimeExpr(start, end, text, anchored=False)
    return TimeExpr(start, end, text, value=norm.value,
                    earliest=norm.earliest.isoformat() if norm.earliest else None,
                    latest=norm.latest.isoformat() if norm.latest else None)


def interval(t) -> tuple[dt.date, dt.date] | None:
    """The days a normalised time covers (anything with ``value``/``earliest``/``latest``), or None.

    >>> interval(TimeExpr(0, 10, "March 2023", value="2023-03"))
    (datetime.date(2023, 3, 1), datetime.date(2023, 3, 31))
    """
    if t is None:
        return None
    try:
        if t.value and ":" not in t.value:
            v = t.value
            if len(v) == 4:
                return dt.date(int(v), 1, 1), dt.date(int(v), 12, 31)
            if len(v) == 7:
                y, m = int(v[:4]), int(v[5:7])
                return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])
            if len(v) >= 10:
                d = dt.date.fromisoformat(v[:10])
                return d, d
        if t.earliest and t.latest:
            return dt.date.fromisoformat(t.earliest[:10]), dt.date.fromisoformat(t.latest[:10])
    except ValueError:
        return None
    return None


def find_times(text: str, published: dt.date | None, *, tense_hints: bool = True) -> list[TimeExpr]:
    """Find the time expressions in ``text`` and normalise them against ``published``.

    Every rule is run over the text; where matches overlap the longest wins (then the rule
    listed first). With ``tense_hints`` the tense of each expression's sentence is guessed
    from nearby cue words ("will", "plans", "is to" -> future; "was", "-ed" -> past), which
    decides between the last and the next Monday, or this year's and last year's December 30.

    Examples
    --------
    >>> import datetime
    >>> text = "The talks ended on Friday. They will resume next week, and again on March 3."
    >>> for t in find_times(text, datetime.date(2023, 2, 22)):
    ...     print(t.text, t.value, t.earliest, t.latest)
    Friday 2023-02-17 None None
    next week None 2023-02-27 2023-03-05
    March 3 2023-03-03 None None
    >>> find_times("The vote was in 2014, two years ago.", None)[1].anchored
    False
    """
    lex = _lexicon()
    cands = []
    # a rule runs only over the paragraphs that contain one of its needs, and a time expression
    # never spans a blank line: less than half the time of running every rule over the text
    for order, (rule, zones) in enumerate(zip(lex.rules, _zones(text, lex.rules))):
        for zs, ze in zones:
            for m in rule.pattern.finditer(text, zs, ze):
                s, e = m.span("x") if "x" in rule.pattern.groupindex and m.group("x") else m.span()
                if e > s:
                    cands.append((s, e, order, rule, m))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    taken: list[tuple[int, int]] = []
    out = []
    for s, e, _order, rule, m in cands:
        if any(s < te and ts < e for ts, te in taken):
            continue
        tense = _tense_near(text, s, e, lex) if tense_hints else None
        norm = _apply(rule, m, _Context(text, published, tense, True), lex)
        if norm is None:
            continue
        taken.append((s, e))
        out.append(_norm_to_expr(norm, s, e, text[s:e], published))
    return sorted(out, key=lambda t: t.start)


def resolve(expr_text: str, published: dt.date | None, *, tense: str | None = None) -> TimeExpr | None:
    """Normalise one time expression, or return None when no rule reads all of it.

    ``tense`` ("past", "future" or None) is the caller's reading of the sentence, e.g. "will
    meet Monday" is future. Offsets in the result are into ``expr_text``.

    Examples
    --------
    >>> import datetime
    >>> resolve("Monday", datetime.date(2023, 2, 22), tense="future").value
    '2023-02-27'
    >>> resolve("December 30", datetime.date(2023, 1, 3)).value
    '2022-12-30'
    >>> resolve("for two weeks", datetime.date(2023, 1, 3)) is None
    True
    """
    if tense not in (None, "past", "future"):
        raise ValueError(f"unknown tense {tense!r}; expected one of: past, future, None")
    lex = _lexicon()
    text = expr_text.strip()
    offset = expr_text.find(text) if text else 0
    for rule in lex.rules:
        m = rule.pattern.fullmatch(text)
        if m is None:
            continue
        norm = _apply(rule, m, _Context(text, published, tense, False), lex)
        if norm is not None:
            return _norm_to_expr(norm, offset, offset + len(text), text, published)
    return None
