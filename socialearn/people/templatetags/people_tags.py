from allauth.account.adapter import get_adapter
from django import template
from django.conf import settings
from django.urls import reverse
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
