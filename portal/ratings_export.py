"""The ratings service's export (GET /api/ratings, or a saved snapshot of it), read
by the build to bake each article's count and average into its page."""

from __future__ import annotations

from dataclasses import dataclass

from ratings.rounding import rounded_average  # the service's own rounding: one rule


@dataclass(frozen=True)
class Rating:
    count: int = 0
    average: float = 0.0
    histogram: tuple[int, ...] = (0, 0, 0, 0, 0)


def parse_export(data: object) -> dict[str, Rating]:
    """The service's GET /api/ratings (or a snapshot of it) -> Rating by slug; ValueError if malformed."""
    if not isinstance(data, dict) or not isinstance(data.get("ratings"), dict):
        raise ValueError('expected {"ratings": {...}}')
    out = {}
    for slug, agg in data["ratings"].items():
        try:
            hist = tuple(int(agg["histogram"][str(i)]) for i in range(1, 6))
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"bad histogram for {slug!r}") from None
        if any(n < 0 for n in hist):
            raise ValueError(f"negative count for {slug!r}")
        out[str(slug)] = Rating(sum(hist), rounded_average(list(hist)), hist)
    return out


