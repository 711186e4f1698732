"""docs/grafana-dashboard.json: valid JSON whose every query uses only metrics a real server exports, with a
panel for each metric wsChat exports (scraped from a live server and parsed with prometheus_client)."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.support import FakeClock, start_server
from wschat.config import Secret, Settings

DASHBOARD = Path(__file__).parent.parent / "docs" / "grafana-dashboard.json"
METRIC = re.compile(r"\b(?:wschat|process)_[a-z_]+\b")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "info": ("_info",)}


def _queries(node: Any) -> Iterator[str]:
    """Every PromQL text of the dashboard: the panels' ``expr`` and the variables' queries."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("expr", "definition") and isinstance(value, str):
                yield value
            else:
                yield from _queries(value)
    elif isinstance(node, list):
        for item in node:
            yield from _queries(item)


async def _exported(settings: Settings, clock: FakeClock, http: aiohttp.ClientSession) -> dict[str, set[str]]:
    """Each family a live server exports → the series names it is queried by."""
    token = secrets.token_urlsafe(32)
    async with start_server(replace(settings, metrics_token=Secret(token)), clock, http) as server:
        headers = {"Authorization": f"Bearer {token}"}
        async with http.get(f"{server.url}/metrics", headers=headers) as r:
            text = await r.text()
    return {
        family.name: {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
        for family in text_string_to_metric_families(text)
    }


async def test_the_dashboard_queries_only_exported_metrics_and_shows_each(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    queries = list(_queries(dashboard))
    used = {name for query in queries for name in METRIC.findall(query)}
    exported = await _exported(settings, clock, http)
    names = set().union(*exported.values())

    assert len(queries) > 15
    assert used <= names, f"the dashboard queries metrics no server exports: {sorted(used - names)}"
    # ``…_created`` (when a labelled series began) is exposition detail, not a metric of its own.
    shown = {
        f: series for f, series in exported.items() if f.startswith("wschat_") and not f.endswith("_created")
    }
    unshown = sorted(f for f, series in shown.items() if not series & used)
    assert not unshown, f"metrics without a panel: {unshown}"
    assert {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds"} <= used
    assert all(panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24 for panel in dashboard["panels"])
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
