"""Pages of lists that are usually short (a person's inbox, the course cohorts)."""

from django.core.paginator import Page, Paginator


class ShortListPaginator(Paginator):
    """Django's paginator, which reads the first page's rows (and one more) before counting.

    A list that fits on one page is counted by its rows: one query instead of a COUNT and a
    SELECT. A longer list, or any other page, is counted as Django counts it. The pages are
    Django's own, row for row."""

    def validate_number(self, number) -> int:
        # Page 1 is always there (an empty list has an empty first page): no count needed.
        if self.allow_empty_first_page and _is_one(number):
            return 1
        return super().validate_number(number)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if number != 1 or "count" in self.__dict__:
            return super().page(number)
        fits = self.per_page + self.orphans  # what Django's first page holds at most
        rows = list(self.object_list[: fits + 1])
        if len(rows) <= fits:
            self.__dict__["count"] = len(rows)  # the cached_property's own slot
            return Page(rows, 1, self)
        return Page(rows[: self.per_page], 1, self)


def _is_one(number) -> bool:
    try:
        return float(number) == 1
    except (TypeError, ValueError):
        return False
