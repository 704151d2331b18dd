"""SQL compiled once per process for any reader, with each reader's id put in its places.

Building and compiling a queryset through the ORM can cost more than running it. A query
whose SQL depends on the reader's id alone is built for two ids no account has; where the two
builds' parameters differ is where a reader's id goes, and anything else that differs (the
clock, another attribute of the reader) refuses the compiled form.
"""

from collections.abc import Callable
from dataclasses import dataclass

STAND_INS = (-7_000_000_001, -7_000_000_002)


@dataclass(frozen=True)
class ForReader:
    sql: str
    params: tuple
    places: frozenset[int]  # where the reader's id goes among the parameters

    def params_for(self, pk: int) -> tuple:
        return tuple(pk if i in self.places else value for i, value in enumerate(self.params))


def for_reader(build: Callable[[int], tuple[str, tuple]]) -> ForReader | None:
    """`build(pk)` gives the SQL and parameters for the reader with that id; None when the two
    stand-ins' builds differ in more than the places of their ids."""
    (sql, params), (other_sql, other_params) = (build(pk) for pk in STAND_INS)
    if sql != other_sql or len(params) != len(other_params):
        return None
    pairs = enumerate(zip(params, other_params, strict=True))
    places = frozenset(i for i, (a, b) in pairs if a != b)
    if any(params[i] != STAND_INS[0] or other_params[i] != STAND_INS[1] for i in places):
        return None
    return ForReader(sql, tuple(params), places)
