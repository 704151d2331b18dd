"""SQL compiled once per process, with each request's values put in their places.

Building and compiling a queryset through the ORM can cost more than running it. A query
whose SQL depends on a few values alone (the reader's id, a topic's id, the ids of the
communities the reader may read) is built twice, each time with stand-in values nobody's data
has; where the two builds' parameters differ is where each value goes, and anything else that
differs (the clock, another attribute of the reader, a value written into the SQL text such as
a LIMIT) refuses the compiled form.
"""

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)

STAND_INS = (-7_000_000_001, -7_000_000_002)


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple
    places: Mapping[str, frozenset[int]]  # where each named value goes among the parameters

    def params_for(self, **values: Any) -> tuple:
        if values.keys() != self.places.keys():
            raise TypeError(f"values for {sorted(self.places)}, given {sorted(values)}")
        where = {i: name for name, found in self.places.items() for i in found}
        return tuple(
            values[where[i]] if i in where else value for i, value in enumerate(self.params)
        )


def for_values(
    build: Callable[..., tuple[str, Sequence]], stand_ins: Mapping[str, tuple[Any, Any]]
) -> Compiled | None:
    """`build(**values)` gives the SQL and parameters for those values; `stand_ins` names two
    stand-ins for each value, none equal to another's. None when the two builds differ in
    more than the places of the values."""
    firsts = {name: pair[0] for name, pair in stand_ins.items()}
    seconds = {name: pair[1] for name, pair in stand_ins.items()}
    every = [value for pair in stand_ins.values() for value in pair]
    if any(every.count(value) > 1 for value in every):
        raise ValueError("each stand-in must differ from every other")
    (sql, params), (other_sql, other_params) = build(**firsts), build(**seconds)
    if sql != other_sql or len(params) != len(other_params):
        return None
    places: dict[str, set[int]] = {name: set() for name in stand_ins}
    for i, (a, b) in enumerate(zip(params, other_params, strict=True)):
        if a == b:
            continue
        name = next((n for n in stand_ins if firsts[n] == a and seconds[n] == b), None)
        if name is None:
            return None
        places[name].add(i)
    return Compiled(sql, tuple(params), {name: frozenset(found) for name, found in places.items()})


@functools.lru_cache(maxsize=64)
def id_array(ids: frozenset[int]) -> str:
    """A bigint[] literal ('{1,2,3}') to pass where an array of ids goes (`= ANY(%s::bigint[])`),
    made once for a page's several queries: psycopg dumps a list id by id for each."""
    return "{" + ",".join(map(str, sorted(ids))) + "}"


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
    compiled = for_values(lambda reader: build(reader), {"reader": STAND_INS})
    if compiled is None:
        return None
    return ForReader(compiled.sql, compiled.params, compiled.places["reader"])


@dataclass(frozen=True)
class ForQuerySet:
    """A queryset compiled for_values(), read back as the queryset would be: model instances
    (with what select_related() joined, and annotations), or values() dicts, values_list()
    tuples or flat values."""

    compiled: Compiled
    using: str
    kind: type
    converters: tuple  # (position, converters, expression), as the compiler applies them
    count: int  # how many selected columns a row has
    names: tuple[str, ...] = ()  # values(): the keys
    model: Any = None  # instances: the model, its columns' span and attnames
    span: tuple[int, int] = (0, 0)
    init_list: tuple[str, ...] = ()
    populators: tuple = ()
    annotations: tuple[tuple[str, int], ...] = ()

    def rows(self, **values: Any) -> list[list]:
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.compiled.sql, self.compiled.params_for(**values))
            found = [list(row[: self.count]) for row in cursor.fetchall()]
        for row in found:
            for position, convs, expression in self.converters:
                value = row[position]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[position] = value
        return found

    def results(self, **values: Any) -> list:
        """list(queryset) for these values."""
        rows = self.rows(**values)
        if self.kind is ValuesIterable:
            return [dict(zip(self.names, row, strict=True)) for row in rows]
        if self.kind is ValuesListIterable:
            return [tuple(row) for row in rows]
        if self.kind is FlatValuesListIterable:
            return [row[0] for row in rows]
        start, end = self.span
        found = []
        for row in rows:
            obj = self.model.from_db(self.using, self.init_list, row[start:end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


_READABLE = (ModelIterable, ValuesIterable, ValuesListIterable, FlatValuesListIterable)


def for_queryset(
    build: Callable[..., QuerySet], stand_ins: Mapping[str, tuple[Any, Any]]
) -> ForQuerySet | None:
    """for_values() of the queryset `build(**values)` gives, with what it takes to read its
    rows back as the queryset would, without building it again. None also for what this does
    not read back: prefetch_related(), known related objects, other iterables."""
    compilers = []

    def compile_(**values: Any) -> tuple[str, Sequence]:
        qs = build(**values)
        if (
            qs._iterable_class not in _READABLE
            or qs._prefetch_related_lookups  # type: ignore[attr-defined]
            or qs._known_related_objects  # type: ignore[attr-defined]
            or qs.query.is_empty()
        ):
            raise _Unreadable
        compiler = qs.query.get_compiler(qs.db)
        compilers.append((qs, compiler))
        return compiler.as_sql()

    try:
        compiled = for_values(compile_, stand_ins)
    except _Unreadable:
        return None
    if compiled is None:
        return None
    qs, compiler = compilers[0]
    select = compiler.select[: compiler.col_count]
    converters = tuple(
        (position, tuple(convs), expression)
        for position, (convs, expression) in compiler.get_converters([s[0] for s in select]).items()
    )
    if compiler.has_composite_fields([s[0] for s in select]):
        return None
    kept = ForQuerySet(
        compiled=compiled,
        using=qs.db,
        kind=qs._iterable_class,
        converters=converters,
        count=len(select),
    )
    query = qs.query
    if qs._iterable_class is ValuesIterable:
        names = (
            list(query.selected)
            if query.selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        return replace(kept, names=tuple(names))
    if qs._iterable_class is not ModelIterable:
        return kept
    klass_info = compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    return replace(
        kept,
        model=klass_info["model"],
        span=(start, end),
        init_list=tuple(f[0].target.attname for f in compiler.select[start:end]),
        populators=tuple(get_related_populators(klass_info, compiler.select, qs.db)),
        annotations=tuple((compiler.annotation_col_map or {}).items()),
    )


class _Unreadable(Exception):
    pass
