"""The counts a report is made of, and the histograms that its medians and 90th percentiles come from.

A day's figures are one flat mapping of counter names to whole numbers (:data:`Counts`), so that days,
agents and chats add up by summing the same keys, in Python and in a database (MongoDB's ``$inc``). A
duration is kept as a histogram: ``wait:12`` counts the chats that waited 12 seconds. Percentiles
cannot be summed across days; histograms can, and the percentile of the merged histogram is the
percentile of the period (docs/reports.md, *Precision*).

Buckets: one per whole second below a minute (exact to the second), then eight per doubling (each
bucket spans 9 % of its values; a value is reported as its bucket's geometric middle, at most 4.5 % off),
up to :data:`LONGEST`, which everything longer joins.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

Counts = dict[str, int]

#: Seconds kept one bucket each.
EXACT = 60
#: Buckets per doubling above a minute.
PER_DOUBLING = 8
#: Thirty days: the last bucket holds everything this long or longer.
LONGEST = 30 * 86400
_LAST = EXACT + int(PER_DOUBLING * math.log2(LONGEST / EXACT))

#: The histograms a day keeps, by their key prefix.
WAIT = "wait"
FIRST_RESPONSE = "first"
DURATION = "duration"
HISTOGRAMS = (WAIT, FIRST_RESPONSE, DURATION)
#: Chats started in each hour of the day (``hour:0`` … ``hour:23``), for the weekday × hour map.
HOUR = "hour"


def bucket(seconds: float) -> int:
    """The histogram bucket of a duration (negative durations, a clock set back, count as zero)."""
    if seconds < EXACT:
        return max(0, int(seconds))
    return min(_LAST, EXACT + int(PER_DOUBLING * math.log2(seconds / EXACT)))


def bucket_value(index: int) -> float:
    """The duration a bucket stands for: the second itself, or the geometric middle of its span."""
    if index < EXACT:
        return float(index)
    return EXACT * 2 ** ((index - EXACT + 0.5) / PER_DOUBLING)


def key(histogram: str, seconds: float) -> str:
    return f"{histogram}:{bucket(seconds)}"


def merged(rows: Iterable[Mapping[str, int]]) -> Counts:
    """The sum of every counter over ``rows``."""
    total: Counts = {}
    for row in rows:
        for name, value in row.items():
            total[name] = total.get(name, 0) + value
    return total


def histogram(counts: Mapping[str, int], name: str) -> dict[int, int]:
    """Bucket → count of one histogram kept in ``counts``."""
    prefix = name + ":"
    return {int(k[len(prefix) :]): v for k, v in counts.items() if k.startswith(prefix) and v > 0}


def percentile(buckets: Mapping[int, int], share: float) -> float | None:
    """The nearest-rank percentile (``share`` 0.5 for the median, 0.9 for p90); None without values."""
    total = sum(buckets.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for index in sorted(buckets):
        seen += buckets[index]
        if seen >= rank:
            return bucket_value(index)
    return bucket_value(max(buckets))  # pragma: no cover - the loop always reaches the rank
