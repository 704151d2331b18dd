"""Pages of a community's threads and of a thread's replies."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

LAST = "last"


class CountedPaginator(Paginator):
    """A paginator told how many rows there are (counted by a cheaper query than COUNT over
    the filtered list), which reads the pages in the second half of an ordered queryset from
    its end: the last page of a 3,000-reply thread walks 25 index entries backwards instead
    of skipping 2,975 with OFFSET. `?page=last` opens the last page."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:
        return self._count

    def validate_number(self, number) -> int:
        if number == LAST:
            return self.num_pages
        return super().validate_number(number)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom > self.count - top:
            from_end = self.object_list.reverse()[self.count - top : self.count - bottom]
            return self._get_page(list(from_end)[::-1], number, self)
        return self._get_page(self.object_list[bottom:top], number, self)
