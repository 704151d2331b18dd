"""A community's members, page by page."""

from django.core.paginator import Page, Paginator

from ..models import Community, Membership


class _MembersByName:
    """The active members of a community by name, for a Paginator, each page off an index.

    Members with a profile come first, in the order of the profile's (display_name, id)
    index, so a page of a 100,000-member community walks fifty index entries instead of
    sorting every member; the few without a profile yet follow, by email. The total is the
    membership count alone; the split is counted only on the page where it falls.
    """

    def __init__(self, community: Community):
        active = community.memberships.filter(status=Membership.Status.ACTIVE)
        self._all = active
        self._named = (
            active.filter(user__profile__isnull=False)
            .select_related("user__profile__department")
            .order_by("user__profile__display_name", "user__profile__id")
        )
        self._unnamed = (
            active.filter(user__profile__isnull=True)
            .select_related("user")
            .order_by("user__email", "user_id")
        )

    def count(self) -> int:
        return self._all.count()

    def __getitem__(self, bounds: slice) -> list:
        start, stop = bounds.start or 0, bounds.stop
        page = list(self._named[start:stop])
        if len(page) == stop - start:
            return page
        named = self._named.count()
        return page + list(self._unnamed[max(start - named, 0) : stop - named])


def members_page(community: Community, page_number) -> Page:
    return Paginator(_MembersByName(community), 50).get_page(page_number)  # type: ignore[arg-type]
