"""Reports for the console: ``GET /api/reports`` (a period beside the one before it) and
``GET /api/reports.csv`` (one of its tables) (docs/reports.md, docs/protocol.md "Reports")."""

from __future__ import annotations

from quart import Blueprint, Response, request

from wschat.accounts.signed_in import current_principal
from wschat.boundary.http import json_response, service
from wschat.reports.models import ReportCsvQuery, ReportQuery
from wschat.reports.service import ReportService
from wschat.reports.tables import csv_table
from wschat.wire import parse

blueprint = Blueprint("reports", __name__, url_prefix="/api")


@blueprint.get("/reports")
async def report() -> Response:
    """The period's figures and the previous period's: an admin's of everyone, an agent's own."""
    principal = await current_principal()
    query = parse(ReportQuery, request.args.to_dict())
    return json_response(await service(ReportService).report(principal, query))


@blueprint.get("/reports.csv")
async def download() -> Response:
    """One table of the report as CSV (``table``: summary, days, hours, agents, pages)."""
    principal = await current_principal()
    query = parse(ReportCsvQuery, request.args.to_dict())
    body = csv_table(await service(ReportService).report(principal, query), query.table)
    response = Response(body, content_type="text/csv; charset=utf-8")
    name = f"wschat-report-{query.table.value}-{query.since.isoformat()}-{query.until.isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
