"""Help requests beside the per-center figures (the dashboard's comparison, the CSV and the
Excel report): how often each center called for help during class in the period."""

from flask_babel import lazy_gettext as _l

from centers.live import services as live

HELP_TITLE = _l("도움 요청")


def with_help(rows: list[dict], filters) -> list[dict]:
    """Center rows (``key`` = center id) with ``help_requests`` added (one query)."""
    counts = live.help_counts_in_period([r["key"] for r in rows], filters.start, filters.end)
    return [{**row, "help_requests": counts.get(row["key"], 0)} for row in rows]


def total_help(rows: list[dict]) -> int:
    return sum(row.get("help_requests", 0) for row in rows)
