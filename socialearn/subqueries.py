"""Subqueries that put a figure about related rows on each row of a queryset."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_per_row(related: QuerySet, field: str) -> Coalesce:
    """How many `related` rows point at each row through `field`, as a column (0 for none).

    A subquery, computed for the rows a page shows only: an annotated Count over a relation
    joins and groups the whole related table (every membership, every expertise) before the
    page is cut, and makes a changelist's own count group it all again."""
    counted = (
        related.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
