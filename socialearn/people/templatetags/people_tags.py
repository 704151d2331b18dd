from allauth.account.adapter import get_adapter
from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

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


def _avatar_html(a: dict, size: str) -> SafeString:
    """people/_avatar.html, written out: see person_chip_html."""
    if a["anonymous"]:
        return format_html(
            '<span class="avatar avatar-{} avatar-anonymous" aria-hidden="true"></span>\n', size
        )
    if a["photo"]:
        return format_html(
            '<img class="avatar avatar-{}" src="{}" alt="" width="256" height="256"'
            ' loading="lazy">\n',
            size,
            a["photo"],
        )
    return format_html(
        '<span class="avatar avatar-{} avatar-hue-{}" aria-hidden="true">{}</span>\n',
        size,
        a["hue"],
        a["initials"],
    )


def person_chip_html(person, *, anonymous=False, size="s", link=True, note="") -> SafeString:
    """The markup of people/_person_chip.html (with its people/_avatar.html), written out in
    Python: a thread page shows some thirty people, and rendering the two templates for each
    was a tenth of the page's time. tests/people/test_person_chip.py renders both ways for
    every kind of person and keeps them equal; change the templates and this together."""
    a = avatar_for(person, anonymous=bool(anonymous))
    if link and a["url"]:
        name = format_html('<a href="{}" class="person-chip-name">{}</a>', a["url"], a["name"])
    else:
        name = format_html('<span class="person-chip-name">{}</span>', a["name"])
    if note:
        name = format_html('{} <span class="muted">{}</span>', name, note)
    return format_html(
        '<span class="person-chip person-chip-{}">{}{}</span>\n', size, _avatar_html(a, size), name
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
