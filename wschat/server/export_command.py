"""``wschat export``: the operator exports a tenant's archive (JSONL or CSV) to a file or standard output,
streamed like the admin's download, and recorded in the tenant's export log as the operator's."""

from __future__ import annotations

import argparse
import sys
from typing import Any, BinaryIO

from wschat.accounts.contract import check_export
from wschat.archive.export import Exporter, ExportQuery
from wschat.server.runtime import Runtime
from wschat.wire import parse

OPERATOR = "operator (wschat export)"


def add_parser(commands: Any) -> None:
    export = commands.add_parser("export", help="export a tenant's past chats (streamed)")
    export.add_argument("--tenant", required=True, help="the tenant's slug")
    export.add_argument("--from", dest="since", help="closed from this date or time (ISO 8601, UTC)")
    export.add_argument("--to", dest="until", help="closed before this date or time (ISO 8601, UTC)")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--q", help="words the chats must contain")
    export.add_argument("--output", "-o", help="a file to write (default: standard output)")
    export.set_defaults(action=None)


async def run(rt: Runtime, args: argparse.Namespace) -> int:
    tenant = await rt.accounts.tenant(args.tenant)
    check_export(tenant.dates(rt.clock()), rt.clock())  # six months after a contract ended: no more
    fields = {"from": args.since, "to": args.until, "format": args.format, "q": args.q}
    query = parse(ExportQuery, {name: value for name, value in fields.items() if value is not None})
    found = rt.archive.whole_filter(query, None)
    who = Exporter(tenant.id, "operator", OPERATOR)
    if args.output is None:
        return await _write(rt, who, query, found, sys.stdout.buffer)
    with open(args.output, "wb") as out:  # noqa: ASYNC230 - one local file, written in the CLI's own loop
        return await _write(rt, who, query, found, out)


async def _write(rt: Runtime, who: Exporter, query: ExportQuery, found: Any, out: BinaryIO) -> int:
    async for chunk in rt.archive_export.stream_as(who, query, found):
        out.write(chunk)
    out.flush()
    return 0
