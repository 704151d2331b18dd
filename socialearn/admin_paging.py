"""Paging for Django admin changelists over tables that grow to millions of rows.

Django's changelist counts its rows twice on every page: the filtered count (for the
paginator) and the full count ("n results (m total)"). On the activity record, the replies or
the memberships of a large organisation each `COUNT(*)` reads the whole table: seconds a page.

`EstimatedCountPaginator` answers the count of an unfiltered list of a big table from the
planner's own estimate (pg_class.reltuples scaled to the table's current size, the figure
`EXPLAIN` uses), which costs nothing and is close after any ANALYZE or autovacuum; a filtered
or searched list, and any table under `EXACT_BELOW` rows, is still counted exactly (the
filters the admins offer are backed by indexes). `show_full_result_count = False` drops the
second count. `SafeAdminMixin` sets both, so every ModelAdmin of the project pages this way.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap, and the admin shows it.
EXACT_BELOW = 10_000


def table_row_estimate(model: type[Model], using: str = "default") -> int | None:
    """The planner's estimate of the rows in `model`'s table, or None when the table has never
    been analysed (reltuples is -1 then) or the database is not PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            # reltuples per page at the last ANALYZE times the pages the table has now: the
            # same scaling the planner applies, so a table that grew since is still close.
            "SELECT CASE WHEN c.reltuples < 0 THEN NULL"
            " WHEN c.relpages = 0 THEN c.reltuples"
            " ELSE c.reltuples / c.relpages"
            " * (pg_relation_size(c.oid) / current_setting('block_size')::int) END"
            " FROM pg_class c WHERE c.oid = %s::regclass",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return None
    return int(row[0])


def is_unfiltered(queryset: QuerySet) -> bool:
    """Whether the queryset lists every row of its table once (no WHERE, no DISTINCT, no
    slice): its count is then the table's."""
    query = queryset.query
    return (
        not query.where
        and not query.distinct
        and query.low_mark == 0
        and query.high_mark is None
        and not query.combinator
    )


def count_per_row(related: QuerySet, field: str) -> Coalesce:
    """How many `related` rows point at the listed row through `field`, as a column.

    A subquery, computed for the rows of the page only: an annotated Count over a relation
    joins and groups the whole related table (every membership, every expertise) before the
    page is cut, and makes the changelist's own count group it all again."""
    counted = (
        related.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if isinstance(object_list, QuerySet) and is_unfiltered(object_list):
            estimate = table_row_estimate(object_list.model, object_list.db)
            if estimate is not None and estimate >= EXACT_BELOW:
                return estimate
        return super().count


class CheapCountAdminMixin:
    """A changelist that never counts a big table in full (see the module's docstring)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
