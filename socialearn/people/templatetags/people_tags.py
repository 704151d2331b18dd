import re

from allauth.account.adapter import get_adapter
from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy

from socialearn.markup import format_markup
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


def avatar_for(person, *, anonymous: bool = False, paths: "PeoplePaths | None" = None) -> dict:
    """What an avatar shows: a picture URL, or initials on a colour fixed by the person's id.

    `person` is a user (with its profile selected) or a profile; None is a former member.
    An anonymous post shows the anonymous avatar whoever wrote it: nothing of the author
    (name, picture, colour, link) reaches the page. `paths`: for a list of people, their
    addresses at one reverse a list (PeoplePaths())."""
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
        photo_path = paths.photo(user.pk) if paths else reverse("people:photo", args=[user.pk])
        photo = f"{photo_path}?v={int(stamp.timestamp())}"
    return {
        "anonymous": False,
        "name": name,
        "initials": _initials(name),
        "url": paths.profile(user.pk) if paths else reverse("people:profile", args=[user.pk]),
        "photo": photo,
        "hue": user.pk % AVATAR_HUES,
    }


def _avatar_html(a: dict, size: str) -> SafeString:
    """people/_avatar.html, written out: see person_chip_html."""
    if a["anonymous"]:
        return format_markup(
            '<span class="avatar avatar-{size} avatar-anonymous" aria-hidden="true"></span>\n',
            size=size,
        )
    if a["photo"]:
        return format_markup(
            '<img class="avatar avatar-{size}" src="{photo}" alt="" width="256" height="256"'
            ' loading="lazy">\n',
            size=size,
            photo=a["photo"],
        )
    return format_markup(
        '<span class="avatar avatar-{size} avatar-hue-{hue}" aria-hidden="true">'
        "{initials}</span>\n",
        size=size,
        hue=a["hue"],
        initials=a["initials"],
    )


def person_chip_html(
    person, *, anonymous=False, size="s", link=True, note="", paths: "PeoplePaths | None" = None
) -> SafeString:
    """The markup of people/_person_chip.html (with its people/_avatar.html), written out in
    Python: a thread page shows some thirty people, and rendering the two templates for each
    was a tenth of the page's time. tests/people/test_person_chip.py renders both ways for
    every kind of person and keeps them equal; change the templates and this together."""
    a = avatar_for(person, anonymous=bool(anonymous), paths=paths)
    if link and a["url"]:
        name = format_markup(
            '<a href="{url}" class="person-chip-name">{name}</a>', url=a["url"], name=a["name"]
        )
    else:
        name = format_markup('<span class="person-chip-name">{name}</span>', name=a["name"])
    if note:
        name = format_markup('{name} <span class="muted">{note}</span>', name=name, note=note)
    return format_markup(
        '<span class="person-chip person-chip-{size}">{avatar}{name}</span>\n',
        size=size,
        avatar=_avatar_html(a, size),
        name=name,
    )


@register.simple_tag
def person_chip(person, anonymous=False, size="s", link=True, note="") -> SafeString:
    """A person wherever they appear: avatar and name, the name linking to their profile.

    {% person_chip thread.author anonymous=thread.is_anonymous %} -- pass the post's anonymity,
    never decide it in the page: anonymous posts show the anonymous avatar and no link."""
    return person_chip_html(person, anonymous=anonymous, size=size, link=link, note=note)


@register.inclusion_tag("people/_avatar.html")
def avatar(person, anonymous=False, size="s"):
    """The avatar alone (a profile's header, a card), decorative beside a written name."""
    context = avatar_for(person, anonymous=bool(anonymous))
    context["size"] = size
    return context


class PathOf:
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


class PeoplePaths:
    """A person's profile and picture addresses, each reversed once for a list of people."""

    def __init__(self) -> None:
        self.profile = PathOf("people:profile")
        self.photo = PathOf("people:photo")


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
    people, topic_path = PeoplePaths(), PathOf("people:topic")
    can_help_with = ""
    cards = []
    for p in profiles:
        user = p.user
        name = p.name
        avatar_html = _avatar_html(avatar_for(p, paths=people), "m")
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
                people.profile(user.pk),
                name,
                title,
                mark_safe(meta),  # noqa: S308 - each part escaped above
                tags,
            )
        )
    return mark_safe("".join(cards))  # noqa: S308 - each card built by format_html
