"""CSV lines that a spreadsheet opens as text: the archive's export and the audit log's download."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

#: A spreadsheet reads a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading formula character gets a ``'`` before it."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def csv_line(cells: Iterable[object]) -> bytes:
    """One CSV row (RFC 4180 quoting), every cell neutralised."""
    out = io.StringIO()
    csv.writer(out).writerow([neutralised(str(cell)) for cell in cells])
    return out.getvalue().encode()
