from django.core.paginator import Page

from socialearn.paging import ShortListPaginator

from .models import Notification, PersonFollow, TopicFollow


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_page(user, page_number: int | str = 1, per_page: int = 30) -> Page:
    qs = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    return ShortListPaginator(qs, per_page).get_page(page_number)


def followed_topic_ids(user) -> set[int]:
    return set(TopicFollow.objects.filter(user=user).values_list("topic_id", flat=True))


def followed_topic_levels(user) -> dict[int, str]:
    """{topic id: level} of the person's follows (`id in` works as with followed_topic_ids)."""
    return dict(TopicFollow.objects.filter(user=user).values_list("topic_id", "level"))


def followed_people_ids(user, person_ids) -> set[int]:
    return set(
        PersonFollow.objects.filter(user=user, person_id__in=list(person_ids)).values_list(
            "person_id", flat=True
        )
    )


def follows_person(user, person_id: int) -> bool:
    return PersonFollow.objects.filter(user=user, person_id=person_id).exists()
