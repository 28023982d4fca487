"""Every number the HTML progress report prints against the public metric
functions that compute it, and the main ones against an independent
computation (pandas for the weekly counts and the record counts, lifelines'
Kaplan-Meier for the median time to calm), on the sample journal and on a
synthetic cohort.

The report's charts are SVG images drawn from ``calmkit.plot.chart_data``:
the series a chart draws are compared through that data (the report draws
exactly ``chart_data(name, journal, participant, **options)``), and the
numbers printed in the HTML (the overview table, each section's counts and
the captions) are parsed out of the page.

B238: with ``tz`` (``calmkit report --tz``) the report's weeks and months were
in that zone, but the dates it printed (the overview's spans, each section's
"first to last (local dates)", the cohort's date range) were each record's
own offset: a span could start on a date before the first week shown.
"""

from __future__ import annotations

import html as _html
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit
from calmkit import plot, report

REPO = Path(__file__).resolve().parents[2]
ROW = re.compile(r'<tr><td><a href="#[^"]+"><bdi>([^<]*)</bdi></a></td><td>([^<]*)</td><td>(\d+)</td><td>(\d+)</td>'
                 r"<td>(\d+)</td><td>(\d+)</td><td>(\d+) \((\d+) censored\)</td><td>([^<]*)</td><td>([^<]*)</td></tr>")
META = re.compile(r'<section class="person" id="[^"]+"><h2>Participant <bdi>([^<]*)</bdi></h2>\n<p class="meta">'
                  r"(\S+) to (\S+) \(local dates\): (\d+) triggers?, (\d+) readings?, (\d+) exercise sessions?, "
                  r"(\d+) thought records?")


@pytest.fixture(scope="module")
def sample() -> calmkit.Journal:
    return calmkit.read_journal(REPO / "examples" / "data" / "sample-journal.jsonl")


@pytest.fixture(scope="module")
def cohort() -> calmkit.Journal:
    return calmkit.synthetic_journal(participants=3, days=49, seed=11)


_PAGES: dict[tuple[int, str], str] = {}


def _page(journal: calmkit.Journal, **options: object) -> str:
    """The report's HTML, unescaped; built once per journal and options."""
    key = (id(journal), repr(sorted(options.items())))
    if key not in _PAGES:
        _PAGES[key] = _html.unescape(report.build_report(journal, jobs=1, **options))
    return _PAGES[key]


def _overview(page: str) -> dict[str, tuple[str, ...]]:
    rows = {m.group(1): m.groups()[1:] for m in ROW.finditer(page)}
    assert rows, "no overview row found"
    return rows


def _fmt(x: float) -> str:
    return f"{x:.0f}" if math.isfinite(x) else "\u2013"


def _lifelines_median(minutes: pd.Series, calmed: pd.Series) -> float:
    """The median by docs/metrics.md's rule (the smallest time with S(t) <= 0.5) read off lifelines' own
    Kaplan-Meier estimate. lifelines' ``median_survival_time_`` is the first time with S < 0.5 and R's the
    midpoint of a stretch where S is exactly 0.5: both differ from the documented rule only there."""
    from lifelines import KaplanMeierFitter

    sf = KaplanMeierFitter().fit(minutes.to_numpy(float), calmed.to_numpy(bool)).survival_function_.iloc[:, 0]
    below = sf.index[sf.to_numpy() <= 0.5 + 1e-9]
    return float(below[0]) if len(below) else math.nan


@pytest.mark.parametrize("which", ["sample", "cohort"])
def test_overview_table_equals_the_metric_functions(which: str, request: pytest.FixtureRequest) -> None:
    journal = request.getfixturevalue(which)
    page = _page(journal)
    rows = _overview(page)
    counts = calmkit.record_counts(journal).assign(participant=lambda f: f["participant"].astype(str)) \
        .set_index("participant")
    summary = calmkit.time_to_calm_summary(journal).assign(participant=lambda f: f["participant"].astype(str)) \
        .set_index("participant")
    trend = calmkit.trigger_trend(journal).assign(participant=lambda f: f["participant"].astype(str)) \
        .set_index("participant")
    t = journal.triggers.to_pandas()
    episodes = calmkit.time_to_calm(journal)
    assert set(rows) == set(journal.participants())
    for p, (dates, triggers, readings, exercises, thoughts, n, censored, median, change) in rows.items():
        c = counts.loc[p]
        assert dates == f"{c['first_local_date'].date()} \u2013 {c['last_local_date'].date()}"
        assert (int(triggers), int(readings), int(exercises), int(thoughts)) == (
            c["triggers"], c["readings"], c["exercises"], c["thought_records"])
        # independent: the rows of the journal's own tables
        assert int(triggers) == int((t["participant"] == p).sum())
        assert int(readings) == int((journal.readings.to_pandas()["participant"] == p).sum())
        s = summary.loc[p]
        assert (int(n), int(censored)) == (int(s["episodes"]), int(s["censored"]))
        assert median == f"{_fmt(s['median_minutes'])} ({_fmt(s['ci_low'])}\u2013{_fmt(s['ci_high'])})"
        mine = episodes[episodes["participant"] == p]
        assert median.split(" ")[0] == _fmt(_lifelines_median(mine["minutes"], mine["calmed"]))
        assert change == f"{float(trend.loc[p, 'weekly_change_pct']):+.0f}%"


@pytest.mark.parametrize("which", ["sample", "cohort"])
def test_section_counts_equal_record_counts(which: str, request: pytest.FixtureRequest) -> None:
    journal = request.getfixturevalue(which)
    page = _page(journal)
    counts = calmkit.record_counts(journal).assign(participant=lambda f: f["participant"].astype(str)) \
        .set_index("participant")
    found = META.findall(page)
    assert len(found) == len(journal.participants())
    for p, first, last, *numbers in found:
        c = counts.loc[p]
        assert (first, last) == (str(c["first_local_date"].date()), str(c["last_local_date"].date()))
        assert [int(x) for x in numbers] == [c[k] for k in ("triggers", "readings", "exercises", "thought_records")]


def _pandas_weeks(journal: calmkit.Journal, participant: str) -> pd.Series:
    """Triggers per ISO week of the local date (each record's own offset), zero-filled over the participant's
    span (first to last local date of any record), computed from the trigger table alone."""
    t = journal.triggers.to_pandas()
    local = t.loc[t["participant"] == participant, "local_time"]
    monday = (local.dt.normalize() - pd.to_timedelta(local.dt.dayofweek, unit="D"))
    c = calmkit.record_counts(journal).assign(participant=lambda f: f["participant"].astype(str)) \
        .set_index("participant").loc[participant]
    first = c["first_local_date"] - pd.Timedelta(days=c["first_local_date"].dayofweek)
    last = c["last_local_date"] - pd.Timedelta(days=c["last_local_date"].dayofweek)
    grid = pd.date_range(first, last, freq="7D")
    return monday.value_counts().reindex(grid, fill_value=0).astype(np.int64)


@pytest.mark.parametrize("which", ["sample", "cohort"])
def test_weekly_bars_equal_pandas_and_trigger_frequency(which: str, request: pytest.FixtureRequest) -> None:
    journal = request.getfixturevalue(which)
    page = _page(journal)
    weekly = calmkit.trigger_frequency(journal, period="week")
    captions = re.findall(r'data-chart="triggers_per_week"[^>]*>\n<figcaption>([^<]*)</figcaption>', page)
    for i, p in enumerate(journal.participants()):
        d = plot.chart_data("triggers_per_week", journal, p)
        expected = _pandas_weeks(journal, p)
        np.testing.assert_array_equal(d.values["counts"], expected.to_numpy(float))
        np.testing.assert_array_equal(pd.to_datetime(d.values["weeks"]), expected.index)
        mine = weekly[weekly["participant"] == p]
        np.testing.assert_array_equal(d.values["counts"], mine["count"].to_numpy(float))
        if d.enough:
            assert f"over {len(expected)} weeks" in captions[i + 1], captions[i + 1]  # [0]: the cohort's


@pytest.mark.parametrize("which", ["sample", "cohort"])
def test_median_captions_equal_time_to_calm_summary(which: str, request: pytest.FixtureRequest) -> None:
    journal = request.getfixturevalue(which)
    page = _page(journal)
    from calmkit.plot._common import _minutes

    months = re.findall(r"<figcaption>Median time to calm went from ([^<]*)</figcaption>", page)
    first_latest = re.findall(r"<figcaption>Median time to calm \(distress 3 or less\): ([^<]*)</figcaption>", page)
    for p in journal.participants():
        s = calmkit.time_to_calm_summary(_only(journal, p), by="month")
        known = s[np.isfinite(s["median_minutes"])]
        if len(known) >= 2:
            a, b = known.iloc[0], known.iloc[-1]
            assert any(m.startswith(f"{_minutes(a['median_minutes'])} in ") and
                       f"to {_minutes(b['median_minutes'])} in " in m for m in months), (p, months)
        eps = calmkit.time_to_calm(_only(journal, p))
        eps["first_and_latest"] = calmkit.first_and_latest(eps)
        halves = calmkit.time_to_calm_summary(eps, by="first_and_latest").set_index("first_and_latest")
        if len(halves) == 2 and (halves["episodes"] >= 5).all() and (halves["calmed"] > 0).all():
            text = f"{_minutes(halves.loc['first', 'median_minutes'])} in the "
            assert any(m.startswith(text) for m in first_latest), (p, text, first_latest)
            for g in ("first", "latest"):
                mine = eps[eps["first_and_latest"] == g]
                assert _minutes(_lifelines_median(mine["minutes"], mine["calmed"])) == \
                    _minutes(halves.loc[g, "median_minutes"])


def _only(journal: calmkit.Journal, participant: str) -> calmkit.Journal:
    from calmkit.plot._common import _select

    return _select(journal, participant)[0]


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "America/Anchorage"])
def test_report_dates_follow_tz(sample: calmkit.Journal, tz: str) -> None:
    page = _page(sample, tz=tz)
    zoned = calmkit.record_counts(sample, tz=tz).assign(participant=lambda f: f["participant"].astype(str)) \
        .set_index("participant")
    own = calmkit.record_counts(sample).assign(participant=lambda f: f["participant"].astype(str)) \
        .set_index("participant")
    assert not zoned[["first_local_date", "last_local_date"]].equals(own[["first_local_date", "last_local_date"]])
    for p, row in _overview(page).items():
        c = zoned.loc[p]
        assert row[0] == f"{c['first_local_date'].date()} \u2013 {c['last_local_date'].date()}", (p, row[0])
    for p, first, last, *_ in META.findall(page):
        assert (first, last) == (str(zoned.loc[p, "first_local_date"].date()),
                                 str(zoned.loc[p, "last_local_date"].date()))
    everyone = calmkit.record_counts(sample, by=None, tz=tz).iloc[0]
    assert f"{everyone['first_local_date'].date()} to {everyone['last_local_date'].date()} (local dates)" in page
    # the first week drawn holds the first date printed
    for p in sample.participants():
        weeks = pd.to_datetime(plot.chart_data("triggers_per_week", sample, p, tz=tz).values["weeks"])
        first = zoned.loc[p, "first_local_date"]
        assert weeks[0] <= first < weeks[0] + pd.Timedelta(days=7)
