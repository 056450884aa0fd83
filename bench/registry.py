"""The registry of benchmark cases. Add a case in a module under bench/cases/:

    from bench.registry import benchmark

    @benchmark("meetings: list page with 50 meetings", setup=make_fifty_meetings)
    def meetings_list(context):
        ...

``setup`` (optional) runs before every repetition and is not timed; what it returns is passed to
the case. Every repetition runs inside a transaction that is rolled back, so each one starts from
the same database and nothing a case writes is kept. A case with ``atomic=False`` runs outside
that transaction (another process, such as a Celery worker, must see its rows): it cleans up after
itself, and ``teardown`` (optional) runs once after its last repetition.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    func: Callable
    setup: Callable | None = None
    repeat: int = 5
    atomic: bool = True
    teardown: Callable | None = None


CASES: dict[str, Case] = {}


def benchmark(
    name: str,
    *,
    setup: Callable | None = None,
    repeat: int = 5,
    atomic: bool = True,
    teardown: Callable | None = None,
):
    """Register the decorated function as a benchmark case called ``name``."""

    def register(func):
        if name in CASES:
            raise ValueError(f"Two benchmark cases are called {name!r}")
        CASES[name] = Case(name, func, setup, repeat, atomic, teardown)
        return func

    return register
