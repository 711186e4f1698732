"""The chaos soak for 60 s in the suite (issue 17, item 8): the full-length run is ``make soak``.

Real processes throughout, at once: ``wschat serve`` twice on FerretDB with ``redis-server`` between them (120
visitors, 12 agents), and once on SQLite (80 visitors, 8 agents); the visitors and agents are real Socket.IO
clients that behave as the widget and the console do.
The figures it reports are printed, so a CI log shows what the run did.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.soak.scenario import Plan, run_both

pytestmark = pytest.mark.timeout(600)

SECONDS = 60


async def test_nothing_is_lost_under_kills_drops_and_a_redis_restart(tmp_path: Path) -> None:
    cluster, sqlite = await run_both(Plan(seconds=SECONDS), tmp_path)
    for report in (cluster, sqlite):
        print(report.markdown())
    assert cluster.anomalies == []
    assert sqlite.anomalies == []
    assert cluster.figures["process kills / Redis restarts"] == "2 / 1"
    assert cluster.figures["processes started"] == 4
    _the_run_did_something(cluster.figures, visitors=120)
    _the_run_did_something(sqlite.figures, visitors=80)


def _the_run_did_something(figures: dict[str, object], visitors: int) -> None:
    """A soak in which nothing was sent, dropped or transferred would pass its checks and prove nothing."""
    assert isinstance(figures["messages acked"], int)
    assert figures["messages acked"] > 2 * visitors
    assert isinstance(figures["sockets dropped"], int)
    assert figures["sockets dropped"] > 20
    assert isinstance(figures["reconnects"], int)
    assert figures["reconnects"] >= figures["sockets dropped"]
    assert isinstance(figures["chats started"], int)
    assert figures["chats started"] >= visitors
