"""The next number in a sequence that people read: actions in a meeting's Summary of Actions,
agenda items, attendance rows, a plan's objectives and delivery areas.

One rule everywhere: one more than the highest number in use, and 1 for the first. (Agenda
items are renumbered 1, 2, 3… when one is removed or moved: ``meetings.services``.)
"""

from django.db.models import Max


def next_number(queryset, field: str = "number") -> int:
    """One more than the highest ``field`` among ``queryset`` (1 when it is empty), in one
    query."""
    top = queryset.aggregate(top=Max(field))["top"]
    return (top or 0) + 1


def next_number_after(numbers) -> int:
    """``next_number`` over numbers already read (a prefetched list), without a query."""
    return max((n for n in numbers if n is not None), default=0) + 1
