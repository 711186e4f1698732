"""The wiring of reports (wschat/reports): the counting that follows chats and visitors, and the reading."""

from __future__ import annotations

from wschat.reports.counting import Counting
from wschat.reports.service import ReportService
from wschat.storage import Stores


def report_services(stores: Stores) -> tuple[Counting, ReportService]:
    counting = Counting(stores.reports, stores.conversations, stores.messages, stores.calls, stores.pages)
    return counting, ReportService(stores.reports, stores.users)
