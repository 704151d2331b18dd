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

Rendering, not SQL, is what a page of a big list costs: each cell goes through the admin's
lookup, escaping and template machinery (about 1 ms a row of nine columns). So lists show 50
rows a page, no facet counts, and a filter over a relation (`FewChoicesRelatedFilter`) offers
at most `FILTER_CHOICES` rows of the related table and a picker for the others, instead of one
link per community or challenge (hundreds, each a `get_query_string`).

A change form renders each inline row as a whole form: a session's 1,000 questions took 13 s.
An inline of an object with more than `INLINE_ROWS` children shows their number and a link
to their own changelist, filtered to the object, instead (`bounded_inlines`).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import ForeignObjectRel, Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.forms.models import _get_foreign_key
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext

# Below this many rows an exact count is cheap, and the admin shows it.
EXACT_BELOW = 10_000
# Rows a changelist page shows, and choices a filter over a relation lists at most.
LIST_PER_PAGE = 50
FILTER_CHOICES = 20
# Children a change form edits inline at most; past this, a link to their list.
INLINE_ROWS = 20


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


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if isinstance(object_list, QuerySet) and is_unfiltered(object_list):
            estimate = table_row_estimate(object_list.model, object_list.db)
            if estimate is not None and estimate >= EXACT_BELOW:
                return estimate
        return super().count


class FewChoicesRelatedFilter(admin.RelatedFieldListFilter):
    """A filter over a foreign key or many-to-many field that lists the first
    `FILTER_CHOICES` related rows (in their admin's order) and the selected one; when there
    are more, a form with the related admin's picker (the raw-id lookup) chooses any other."""

    template = "admin/few_choices_filter.html"

    def field_choices(self, field, request, model_admin):
        self.has_more = False
        self.picker_url = None
        self.other_params: list[tuple[str, str]] = []
        related = field.remote_field.model
        ordering = self.field_admin_ordering(field, request, model_admin) or ()
        rows = related._default_manager.complex_filter(field.get_limit_choices_to())
        if ordering:
            rows = rows.order_by(*ordering)
        if not rows.ordered:
            rows = rows.order_by("pk")
        target = field.target_field
        value_of = target.attname
        shown = list(rows[: FILTER_CHOICES + 1])
        self.has_more = len(shown) > FILTER_CHOICES
        shown = shown[:FILTER_CHOICES]
        # The chosen one is listed (marked) even when it is not among the first.
        missing = _values(target, self.lookup_val) - {getattr(obj, value_of) for obj in shown}
        if missing:
            shown += list(rows.filter(**{f"{value_of}__in": sorted(missing)}))
        if self.has_more:
            self.picker_url = changelist_url(model_admin, request, related)
        return [(getattr(obj, value_of), str(obj)) for obj in shown]

    def choices(self, changelist):
        # The other filters, search and order of the list, kept by the picker's form.
        own = {self.lookup_kwarg, self.lookup_kwarg_isnull, PAGE_VAR}
        self.other_params = [(k, v) for k, v in changelist.params.items() if k not in own]
        yield from super().choices(changelist)

    @property
    def picker_label(self) -> str:
        return gettext("Another %(name)s by id") % {"name": self.title}


def _values(field, raw) -> set:
    """The values of `raw` (a list of strings from the URL) that `field` accepts."""
    values = set()
    for value in raw or ():
        try:
            values.add(field.to_python(value))
        except ValidationError:
            pass  # the changelist itself answers a bad value with its error page
    return values


def few_choices_filters(model: type[Model], entries: list) -> list:
    """`entries` (a ModelAdmin's list_filter) with every plain name of a forward relation
    given the few-choices filter."""
    out = []
    for entry in entries:
        if isinstance(entry, str) and _is_forward_relation(model, entry):
            entry = (entry, FewChoicesRelatedFilter)
        out.append(entry)
    return out


def _is_forward_relation(model: type[Model], path: str) -> bool:
    """Whether `path` (`community`, `thread__community`) ends in a foreign key or a
    many-to-many field declared on its model."""
    field = None
    for part in path.split(LOOKUP_SEP):
        if field is not None:
            if not field.is_relation or not isinstance(field.related_model, type):
                return False
            model = field.related_model
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
    return field is not None and field.is_relation and not isinstance(field, ForeignObjectRel)


class ChildrenLinkInline:
    """Mixed into an inline whose object has too many children: no forms (an empty queryset,
    nothing to add), only their number and a link to their changelist filtered to the
    object. The management form is still rendered, so the change form saves as before."""

    template = "admin/children_link_inline.html"
    extra = 0
    max_num = 0
    can_delete = False
    children_count = 0
    children_url: str | None = None

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_add_permission(self, request, obj=None):
        return False


def bounded_inlines(model_admin, request, obj, inlines: list) -> list:
    """`inlines` (instances, for `obj`'s change form), each that would show more than
    `INLINE_ROWS` children replaced by a `ChildrenLinkInline` of it. One count a inline."""
    if obj is None or obj.pk is None:
        return inlines
    bounded = []
    for inline in inlines:
        fk = _get_foreign_key(model_admin.model, inline.model, fk_name=inline.fk_name)
        assert fk is not None  # Django's inline formsets refuse an inline without one
        count = inline.get_queryset(request).filter(**{fk.name: obj}).order_by().count()
        if count > INLINE_ROWS:
            linked = _linked(type(inline))(model_admin.model, model_admin.admin_site)
            linked.children_count = count
            linked.children_url = _children_url(model_admin, request, inline.model, fk, obj)
            inline = linked
        bounded.append(inline)
    return bounded


_LINKED: dict[type, type] = {}


def _linked(inline_class: type) -> type:
    """The link-only version of an inline class, made once per class."""
    if inline_class not in _LINKED:
        _LINKED[inline_class] = type(
            f"{inline_class.__name__}Link", (ChildrenLinkInline, inline_class), {}
        )
    return _LINKED[inline_class]


def changelist_url(model_admin, request, model: type[Model]) -> str | None:
    """The changelist of `model` on `model_admin`'s site, when the requester may view it."""
    other = model_admin.admin_site._registry.get(model)
    if other is None or not other.has_view_permission(request):
        return None
    site, opts = model_admin.admin_site.name, model._meta
    try:
        return reverse(f"{site}:{opts.app_label}_{opts.model_name}_changelist")
    except NoReverseMatch:
        return None


def _children_url(model_admin, request, child: type[Model], fk, obj) -> str | None:
    url = changelist_url(model_admin, request, child)
    if url is None:
        return None
    value = getattr(obj, fk.target_field.attname)
    return f"{url}?{fk.name}__{fk.target_field.name}__exact={value}"


class CheapCountAdminMixin:
    """A changelist that never counts a big table in full and renders a short page: 50 rows,
    no facet counts, filters over relations with few choices; a change form whose inlines
    stay short (see the module's docstring)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = LIST_PER_PAGE
    show_facets = admin.ShowFacets.NEVER

    def get_list_filter(self, request):
        return few_choices_filters(self.model, list(super().get_list_filter(request)))

    def get_inline_instances(self, request, obj=None):
        return bounded_inlines(self, request, obj, super().get_inline_instances(request, obj))
