"""``wschat retention run``: one pass of the retention runner now, as housekeeping makes every few minutes
(docs/privacy.md, *Retention inside a running tenant*); prints what it deleted, as counts."""

from __future__ import annotations

import argparse
from typing import Any

from wschat.errors import WrongState
from wschat.server.runtime import Runtime


def add_parser(commands: Any) -> None:
    retention = commands.add_parser(
        "retention", help="delete what the tenants' retention makes due"
    ).add_subparsers(dest="action", required=True)
    retention.add_parser("run", help="one pass now (as the server makes every few minutes); prints counts")


async def run(rt: Runtime, args: argparse.Namespace) -> None:
    """Raises WrongState while another process runs retention."""
    report = await rt.retention_runner.run_once()
    if report is None:
        raise WrongState("Another process is running retention right now; try again in a few minutes.")
    for line in report.lines() or ["nothing was due"]:
        print(line)
    if not report.finished:
        print("the run's time is up: the rest at the next run (or run this again)")
