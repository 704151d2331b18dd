import re

from allauth.account.adapter import get_adapter
from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy

from socialearn.people.models import NEW_MEMBER, person_name

register = template.Library()

AVATAR_HUES = 12
ANONYMOUS = gettext_lazy("Anonymous")


@register.simple_tag(takes_context=True)
def signup_open(context) -> bool:
    """Whether people may create an account here (off on SSO-only sites)."""
    request = context.get("request")
    return bool(request is not None and get_adapter(request).is_open_for_signup(request))


@register.simple_tag
def language_choices() -> list[tuple[str, str]]:
    """The site's languages, each named in itself ("Deutsch" on an English page too), unlike
    Django's get_available_languages, which names them in the current language."""
    return list(settings.LANGUAGES)


def _initials(name: str) -> str:
    if name == NEW_MEMBER:
        return "?"
    letters = [w[0] for w in name.split() if w[:1].isalnum()]
    if not letters:
        return "?"
    return (letters[0] + (letters[-1] if len(letters) > 1 else "")).upper()


def avatar_for(person, *, anonymous: bool = False) -> dict:
    """What an avatar shows: a picture URL, or initials on a colour fixed by the person's id.

    `person` is a user (with its profile selected) or a profile; None is a former member.
    An anonymous post shows the anonymous avatar whoever wrote it: nothing of the author
    (name, picture, colour, link) reaches the page."""
    if anonymous:
        return {"anonymous": True, "name": str(ANONYMOUS), "initials": "", "url": "", "photo": ""}
    user = getattr(person, "user", person) if person is not None else None
    if user is None:
        return {
            "anonymous": False,
            "name": person_name(None),
            "initials": "?",
            "url": "",
            "photo": "",
            "hue": 0,
        }
    profile = person if person is not user else getattr(user, "profile", None)
    name = person_name(user)
    photo = ""
    stamp = getattr(profile, "photo_updated_at", None) if profile is not None else None
    if stamp is not None:
        photo = f"{reverse('people:photo', args=[user.pk])}?v={int(stamp.timestamp())}"
    return {
        "anonymous": False,
        "name": name,
        "initials": _initials(name),
        "url": reverse("people:profile", args=[user.pk]),
        "photo": photo,
        "hue": user.pk % AVATAR_HUES,
    }


@register.inclusion_tag("people/_person_chip.html")
def person_chip(person, anonymous=False, size="s", link=True, note=""):
    """A person wherever they appear: avatar and name, the name linking to their profile.

    {% person_chip thread.author anonymous=thread.is_anonymous %} -- pass the post's anonymity,
    never decide it in the page: anonymous posts show the anonymous avatar and no link."""
    context = avatar_for(person, anonymous=bool(anonymous))
    context.update(size=size, link=link and bool(context["url"]), note=note)
    return context


@register.inclusion_tag("people/_avatar.html")
def avatar(person, anonymous=False, size="s"):
    """The avatar alone (a profile's header, a card), decorative beside a written name."""
    context = avatar_for(person, anonymous=bool(anonymous))
    context["size"] = size
    return context


class _PathOf:
    """reverse(name, args=[value]) at the cost of one reverse per list: the value is the
    route's last argument, so it replaces the placeholder of the URL reversed once. Values
    the placeholder's characters cannot stand for (an unusual slug) are reversed."""

    PLACEHOLDER = "0"

    def __init__(self, name: str) -> None:
        self._name = name
        self._head, _, self._tail = reverse(name, args=[self.PLACEHOLDER]).rpartition(
            f"/{self.PLACEHOLDER}/"
        )

    def __call__(self, value) -> str:
        value = str(value)
        if not _PLAIN.fullmatch(value):
            return reverse(self._name, args=[value])
        return f"{self._head}/{value}/{self._tail}"


_PLAIN = re.compile(r"[-a-zA-Z0-9_]+")

_CARD_AVATAR_PHOTO = (
    '<img class="avatar avatar-m" src="{}" alt="" width="256" height="256" loading="lazy">\n'
)
_CARD_AVATAR_INITIALS = '<span class="avatar avatar-m avatar-hue-{}" aria-hidden="true">{}</span>\n'
_CARD_HEAD = (
    '<article class="person-card">\n'
    '  <header class="person-chip person-chip-m">\n'
    "    {}\n"
    "    <div>\n"
    '      <a href="{}" class="person-name">{}</a>\n'
    "      {}\n"
    "    </div>\n"
    "  </header>\n"
    '  <p class="person-meta muted">{}</p>\n'
    "  {}\n"
    "</article>\n"
)


@register.simple_tag
def person_cards(profiles) -> SafeString:
    """The directory's and the topic hubs' person cards, one after the other.

    Written here rather than by including people/_person_card.html once a person (each
    include, with its avatar tag and a reverse() for every link, was most of a directory
    page): a test holds the output equal to that template's for every kind of person.
    Profiles come with their user, department, location and expertise (id, name, slug)."""
    profile_path, photo_path, topic_path = (
        _PathOf("people:profile"),
        _PathOf("people:photo"),
        _PathOf("people:topic"),
    )
    can_help_with = ""
    cards = []
    for p in profiles:
        user = p.user
        name = p.name
        if p.photo_updated_at is not None:
            photo = f"{photo_path(user.pk)}?v={int(p.photo_updated_at.timestamp())}"
            avatar_html = format_html(_CARD_AVATAR_PHOTO, photo)
        else:
            avatar_html = format_html(
                _CARD_AVATAR_INITIALS, user.pk % AVATAR_HUES, _initials(person_name(user))
            )
        title = format_html('<p class="person-title">{}</p>', p.job_title) if p.job_title else ""
        department, location = p.department, p.location
        meta = " · ".join(conditional_escape(str(x)) for x in (department, location) if x)
        topics = list(p.expertise.all())
        tags = ""
        if topics:
            can_help_with = can_help_with or conditional_escape(gettext("Can help with"))
            links = "".join(
                format_html('<a class="tag" href="{}">{}</a>', topic_path(t.slug), t.name)
                for t in topics[:4]
            )
            more = (
                format_html('<span class="muted"> +{}</span>', localize(len(topics) - 4))
                if len(topics) > 4
                else ""
            )
            tags = format_html(
                '\n  <p class="tags" aria-label="{}">{}{}</p>\n  ',
                can_help_with,
                mark_safe(links),  # noqa: S308 - escaped by format_html above
                more,
            )
        cards.append(
            format_html(
                _CARD_HEAD,
                avatar_html,
                profile_path(user.pk),
                name,
                title,
                mark_safe(meta),  # noqa: S308 - each part escaped above
                tags,
            )
        )
    return mark_safe("".join(cards))  # noqa: S308 - each card built by format_html
