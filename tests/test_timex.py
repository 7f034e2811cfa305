"""Rules of kg.timex, each pinned on a short sentence (no spaCy needed)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.timex import TimeExpr, find_times, resolve

WED = dt.date(2023, 2, 22)  # a Wednesday
MON = dt.date(2024, 4, 15)  # a Monday


def only(text: str, published: dt.date | None, **kw) -> TimeExpr:
    found = find_times(text, published, **kw)
    assert len(found) == 1, found
    return found[0]


def test_timex_weekday_on_same_weekday_is_publication_day():
    assert only("Talks resumed on Monday in Geneva.", MON).value == "2024-04-15"


def test_timex_weekday_defaults_to_most_recent():
    assert only("The ministers met on Friday.", WED).value == "2023-02-17"


@pytest.mark.parametrize("sentence", [
    "The ministers will meet on Friday.",
    "The minister plans to visit the border on Friday.",
    "The court is to rule Friday on the appeal.",
])
def test_timex_weekday_with_future_tense_is_next(sentence):
    assert only(sentence, WED).value == "2023-02-24"


def test_timex_weekday_future_on_same_weekday_is_publication_day():
    assert only("Voting will close on Monday evening.", MON).value == "2024-04-15"


def test_timex_tense_hints_off_reads_weekdays_as_past():
    assert only("The ministers will meet on Friday.", WED, tense_hints=False).value == "2023-02-17"


def test_timex_resolve_takes_tense_from_caller():
    assert resolve("Friday", WED, tense="future").value == "2023-02-24"
    assert resolve("Friday", WED, tense="past").value == "2023-02-17"
    with pytest.raises(ValueError, match="expected one of"):
        resolve("Friday", WED, tense="soon")


def test_timex_next_week_is_monday_to_sunday():
    t = only("A new round of talks opens next week.", WED)
    assert (t.value, t.earliest, t.latest) == (None, "2023-02-27", "2023-03-05")
    assert t.to_json() == {"start": 27, "end": 36, "text": "next week",
                           "earliest": "2023-02-27", "latest": "2023-03-05"}


@pytest.mark.parametrize("expr, earliest, latest", [
    ("last week", "2023-02-13", "2023-02-19"),
    ("this week", "2023-02-20", "2023-02-26"),
    ("this past week", "2023-02-13", "2023-02-19"),
    ("last weekend", "2023-02-18", "2023-02-19"),
    ("three weeks ago", "2023-01-30", "2023-02-05"),
    ("earlier this month", "2023-02-01", "2023-02-22"),
    ("later this month", "2023-02-22", "2023-02-28"),
])
def test_timex_week_ranges(expr, earliest, latest):
    t = resolve(expr, WED)
    assert (t.earliest, t.latest) == (earliest, latest)


@pytest.mark.parametrize("expr, value", [
    ("last month", "2023-01"),
    ("next month", "2023-03"),
    ("this year", "2023"),
    ("last year", "2022"),
    ("next year", "2024"),
    ("today", "2023-02-22"),
    ("yesterday", "2023-02-21"),
    ("tomorrow", "2023-02-23"),
    ("two days ago", "2023-02-20"),
    ("Nine years ago", "2014"),
    ("overnight Saturday", "2023-02-18"),
    ("Sunday night", "2023-02-19"),
    ("last month on February 3", "2023-02-03"),
    ("the end of the year", "2023-12-31"),
])
def test_timex_relative_to_publication(expr, value):
    assert resolve(expr, WED).value == value


def test_timex_last_month_value():
    t = only("Exports fell sharply last month, the ministry said.", dt.date(2024, 1, 9))
    assert t.value == "2023-12" and t.text == "last month"


@pytest.mark.parametrize("published, earliest, latest", [
    (WED, "2023-03-01", "2023-05-31"),  # before spring: the coming one
    (dt.date(2023, 4, 10), "2024-03-01", "2024-05-31"),  # in spring: next year's
])
def test_timex_next_spring(published, earliest, latest):
    t = only("The envoy is expected in Moscow next spring.", published)
    assert (t.earliest, t.latest) == (earliest, latest)


def test_timex_last_summer():
    t = resolve("last summer", WED)
    assert (t.earliest, t.latest) == ("2022-06-01", "2022-08-31")


@pytest.mark.parametrize("published, sentence, value", [
    (dt.date(2023, 1, 3), "The fire broke out on December 30.", "2022-12-30"),
    (dt.date(2022, 12, 29), "The results are due on January 2.", "2023-01-02"),
    (dt.date(2023, 5, 7), "The vote will be held on November 20.", "2023-11-20"),
    (dt.date(2023, 5, 7), "The vote was held on November 20.", "2022-11-20"),
])
def test_timex_yearless_date_takes_nearest_year(published, sentence, value):
    assert only(sentence, published).value == value


def test_timex_yearless_date_takes_year_from_context():
    found = find_times("The fair runs from January 9 to March 2, 2025.", dt.date(2024, 6, 1))
    assert [t.value for t in found] == ["2025-01-09", "2025-03-02"]


@pytest.mark.parametrize("text, value", [
    ("Thursday, March 2, 2023", "2023-03-02"),
    ("Feb. 10, 2017", "2017-02-10"),
    ("10 February 2017", "2017-02-10"),
    ("February 2016", "2016-02"),
    ("in 2014", "2014"),
    ("mid-2015", "2015"),
])
def test_timex_absolute_dates_need_no_publication_date(text, value):
    assert only(f"It happened {text}.", None).value == value


@pytest.mark.parametrize("expr, earliest, latest", [
    ("the 1990s", "1990-01-01", "1999-12-31"),
    ("the sixties", "1960-01-01", "1969-12-31"),
    ("the 20th century", "1900-01-01", "1999-12-31"),
])
def test_timex_decades_and_centuries_are_ranges(expr, earliest, latest):
    t = resolve(expr, None)
    assert (t.earliest, t.latest, t.anchored) == (earliest, latest, True)


@pytest.mark.parametrize("sentence", [
    "The minister resigned on Monday.",
    "Prices rose last week.",
    "The plant closed two years ago.",
    "The strike ended on December 30.",
])
def test_timex_no_publication_date_leaves_relative_unresolved(sentence):
    t = only(sentence, None)
    assert (t.value, t.earliest, t.latest, t.anchored) == (None, None, None, False)
    assert t.to_json()["value"] is None


@pytest.mark.parametrize("sentence", [
    "The rebels held the town for two weeks.",
    "Talks lasted 48 hours.",
    "He spent twelve years in prison.",
    "After an 11-year lull, the broadcasts resumed.",
])
def test_timex_durations_are_not_emitted(sentence):
    assert find_times(sentence, WED) == []


@pytest.mark.parametrize("sentence", [
    "Some 1500 people marched.",
    "Turnout was 2016 votes short.",
    "The fine was $2015.",
    "Crowds of 1,995 gathered.",
    "Protesters may march again.",
    "She visits every Sunday.",
])
def test_timex_numbers_and_words_that_are_not_dates(sentence):
    assert find_times(sentence, WED) == []


@pytest.mark.parametrize("expr", ["a decade ago", "24 hours ago", "the past few days", "the third day of the festival"])
def test_timex_vague_expressions_are_found_without_value(expr):
    t = only(f"It began {expr}.", WED)
    assert t.text == expr and t.value is None and t.earliest is None


def test_timex_clock_times():
    found = find_times("The polls closed at 22:30 and the count began at 6 a.m.", WED)
    assert [(t.text, t.value) for t in found] == [("22:30", "22:30:00"), ("6 a.m.", "06:00:00")]


def test_timex_offsets_point_into_text():
    text = "On Monday, May 18, 2015, officials said that yesterday's talks failed; next week they meet again."
    found = find_times(text, dt.date(2015, 5, 18))
    assert [t.text for t in found] == ["Monday, May 18, 2015", "yesterday", "next week"]
    for t in found:
        assert text[t.start:t.end] == t.text


def test_timex_resolve_returns_none_for_non_times():
    assert resolve("the government", WED) is None
    assert resolve("", WED) is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
       | st.lists(st.sampled_from(["Monday", "last", "week", "May", "3", "2015", ",", " ", "ago", "the",
                                   "1990s", "in", "two", "years", "12:30", "next", "spring", "."]),
                  max_size=30).map(" ".join),
       st.one_of(st.none(), st.dates()))
def test_timex_any_text_never_raises_and_offsets_are_in_range(text, published):
    for t in find_times(text, published):
        assert 0 <= t.start < t.end <= len(text)
        assert text[t.start:t.end] == t.text
        t.to_json()


def test_timex_earlier_this_month_runs_to_publication():
    import datetime as _dt
    from kg.timex import find_times as _ft
    [t] = _ft("The report came out earlier this month.", _dt.date(2017, 3, 27))
    assert (t.earliest, t.latest) == ("2017-03-01", "2017-03-27")


# --------------------------------------------------------------------------- rules run by paragraph
def _everywhere(text, published):
    """find_times with every rule run over the whole text (no skipping of paragraphs; the
    same as before find_times ran rules by paragraph, for a text without blank lines)."""
    import kg.timex
    with pytest.MonkeyPatch.context() as m:
        m.setattr(kg.timex, "_zones", lambda text, rules: [[(0, len(text))] for _ in rules])
        return find_times(text, published)


_PIECES = ["Monday", "on Tuesday", "March 3", "3 March 2021", "mid-March", "midMarch", "the 1990s", "'90s",
           "two weeks ago", "in 3 days", "next spring", "last year", "year-end", "the end of the month",
           "the 21st century", "at 5 p.m.", "noon", "today", "the weekend", "the previous year",
           "the past few months", "2023-02-22", "the second day of the talks", "in 2019", "ſunday",
           "he said", "the talks", "leaders met", "last", "next", "early", "\n", " ", ", ", ". "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.sampled_from([None, WED, MON]))
def test_find_times_skipping_paragraphs_changes_nothing(pieces, published):
    text = " ".join(pieces)
    assert find_times(text, published) == _everywhere(text, published)


def test_find_times_never_spans_a_blank_line():
    found = find_times("They met last\n\nin March, and on 3 March\n\n2022 again.", WED)
    assert [t.text for t in found] == ["March", "3 March", "2022"]   # not "last ... March", "3 March ... 2022"
    assert [t.value for t in found][1:] == ["2023-03-03", "2022"]


def test_find_times_skipping_paragraphs_changes_nothing_on_real_articles():
    from pathlib import Path
    from kg.ingest import read
    from kg.model import Article
    root = Path(__file__).resolve().parent.parent
    sources = [root / "seeds", root.parent / "shared" / "eval" / "dev", root.parent / "shared" / "eval" / "timex"]
    arts = [a for a in read([s for s in sources if s.exists()]) if isinstance(a, Article)]
    assert arts
    for a in arts:
        for para in re.split(r"\n[^\S\n]*\n", a.text):
            assert find_times(para, a.published) == _everywhere(para, a.published), a.id
