"""The one rounding of an average score, shared by the service and the site build (which must not load
the service's store, its event loop and its database drivers, to read a snapshot of the scores)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def rounded_average(histogram: list[int]) -> float:
    """The one rounding of the average (half up, one decimal) every view shows."""
    count = sum(histogram)
    if not count:
        return 0.0
    exact = Decimal(sum((i + 1) * n for i, n in enumerate(histogram))) / Decimal(count)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
