"""The histograms behind medians and 90th percentiles: exact to the second below a minute, within 4.5 %
above, merged across days by adding counts; and what one chat adds to its day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from wschat.chat.models import Conversation, ConversationStatus
from wschat.reports import figures
from wschat.reports.chats import CallSpan, facts_of, page_path
from wschat.reports.tables import Table, csv_table

T = datetime(2026, 3, 2, 23, 59, 30, tzinfo=UTC)


@pytest.mark.parametrize("seconds", [0, 1, 2, 17, 59])
def test_figures_buckets_below_a_minute_are_exact(seconds: int) -> None:
    assert figures.bucket_value(figures.bucket(seconds + 0.9)) == seconds


@pytest.mark.parametrize("seconds", [60, 61, 90, 125, 600, 3599, 7200, 86_400, 7 * 86_400])
def test_figures_buckets_above_a_minute_are_within_five_percent(seconds: int) -> None:
    assert abs(figures.bucket_value(figures.bucket(seconds)) - seconds) / seconds <= 0.045


def test_figures_longer_than_the_last_bucket_join_it_and_negative_counts_as_zero() -> None:
    assert figures.bucket(10**9) == figures.bucket(figures.LONGEST)
    assert figures.bucket(-5) == 0


def test_figures_percentiles_of_merged_days_are_the_periods() -> None:
    monday = {"wait:10": 1, "wait:20": 1, "answered": 2}
    tuesday = {"wait:40": 1, "wait:50": 2, "answered": 3}

    merged = figures.merged([monday, tuesday])
    buckets = figures.histogram(merged, figures.WAIT)

    assert merged["answered"] == 5
    # Nearest rank: the 3rd of 5 for the median, the 5th for p90.
    assert (figures.percentile(buckets, 0.5), figures.percentile(buckets, 0.9)) == (40, 50)
    assert figures.percentile({}, 0.5) is None


def _chat(**values: object) -> Conversation:
    chat = Conversation("cnv_1", "ten_1", "vis_1", ConversationStatus.CLOSED, 3, T)
    return replace(chat, closed_at=T + timedelta(minutes=10), **values)


def test_figures_of_an_answered_chat_go_to_its_start_day_and_last_agent() -> None:
    history = [
        {"kind": "accept", "at": T + timedelta(seconds=8), "state": {"agent_id": "usr_b"}},
        {"kind": "transfer", "at": T + timedelta(seconds=60), "state": {"agent_id": "usr_c"}},
        {"kind": "close", "at": T + timedelta(minutes=10), "state": {"status": "closed"}},
    ]
    call = CallSpan(T + timedelta(seconds=70), T + timedelta(seconds=190))

    facts = facts_of(
        _chat(),
        history,
        T + timedelta(seconds=20),
        [call, CallSpan(None, None)],
        start_page="/",
        first_chat_of_day=True,
    )

    assert facts.day == T.date()  # it ended the next day: it counts on the day it started
    assert facts.agent_id == "usr_c"
    assert facts.counts == {
        "hour:23": 1,
        "chatted": 1,
        "answered": 1,
        "wait:8": 1,
        "first:20": 1,
        f"duration:{figures.bucket(592)}": 1,
        "transfers": 1,
        "calls": 1,
        "call_seconds": 120,
    }
    assert "chatted" not in facts.agent_counts
    assert facts.page == "/"


def test_figures_of_a_missed_chat_and_an_offline_message() -> None:
    missed = facts_of(_chat(), [], None, [], start_page=None, first_chat_of_day=False)
    offline = facts_of(_chat(origin="offline_form"), [], None, [], start_page="/x", first_chat_of_day=True)

    assert (missed.counts, missed.agent_id) == ({"hour:23": 1, "missed": 1}, None)
    assert (offline.counts, offline.page) == ({"offline": 1}, None)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://shop.example/pricing?coupon=SAM#top", "/pricing"),
        ("https://shop.example", "/"),
        ("https://shop.example/" + "a" * 400, "/" + "a" * 299),
    ],
)
def test_figures_keep_a_page_path_without_query_or_fragment(url: str, path: str) -> None:
    assert page_path(url) == path


def test_figures_csv_cells_that_look_like_formulas_are_text() -> None:
    agent = {"agent_id": "usr_1", "name": '=HYPERLINK("https://evil.example")', "answered": 1}
    report = {"agents": [agent | {"response_median": None, "transfers": 0}]}

    body = csv_table(report, Table.AGENTS).decode()

    assert "'=HYPERLINK" in body
