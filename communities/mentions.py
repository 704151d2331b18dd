"""@mentions in posts: finding the handles, capping them, looking the people up, linking them.

A handle is the local part of a person's email address: @ana.lopez for ana.lopez@example.com.
Everything here is linear in the text and set-based in the database: one query for all the
handles of a post, however many there are.
"""

import re
from collections.abc import Iterable

import nh3
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Value
from django.db.models.functions import Left, Lower, StrIndex
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext

from socialearn.limits import MENTIONS_PER_POST
from socialearn.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

from .models import Community, Membership

MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9._+-]{0,63})")


def handles(text: str) -> set[str]:
    """The distinct handles @mentioned in the text, lower case."""
    return {h.rstrip(".").lower() for h in MENTION_RE.findall(text or "")}


def too_many_mentions(text: str) -> str:
    """The message for a post that mentions more people than one post may, else ""."""
    count = len(handles(text))
    if count <= MENTIONS_PER_POST:
        return ""
    return gettext(
        "Mention at most %(limit)s people in one post (this one mentions %(count)s)."
    ) % {"limit": MENTIONS_PER_POST, "count": number_format(count, force_grouping=True)}


def validate_mentions(text: str) -> None:
    """A form or model validator: refuse a text with too many @mentions."""
    message = too_many_mentions(text)
    if message:
        raise ValidationError(message, code="too_many_mentions")


def mentioned_users(text: str, *, community: Community):
    """People @mentioned in the text who can read the community (members for private ones)."""
    wanted = handles(text)
    User = get_user_model()
    if not wanted:
        return User.objects.none()
    # The local part of the address, compared exactly (any case): @ana never finds ana.lopez@.
    local_part = Lower(Left("email", StrIndex("email", Value("@")) - 1))
    people = User.objects.annotate(handle=local_part).filter(handle__in=wanted, is_active=True)
    if community.is_private:
        people = people.filter(
            memberships__community=community, memberships__status=Membership.Status.ACTIVE
        )
    return list(people)


# A start or end tag of nh3's output (attribute values are double-quoted there).
_TAG_RE = re.compile(r'<(/?)([A-Za-z][A-Za-z0-9]*)(?:[^>"]|"[^"]*")*>')
_NO_LINKS_INSIDE = {"a", "code", "pre"}


def link_mentions(html: str, people: Iterable) -> str:
    """Make each @handle of the given people a link to their profile.

    Works on sanitised HTML, in text only: never inside code, preformatted blocks or an
    existing link. The result is sanitised again, so the output is never less safe than the
    input.
    """
    urls = {u.email.split("@")[0].lower(): reverse("people:profile", args=[u.pk]) for u in people}
    if not urls or "@" not in html:
        return html

    def link(match: re.Match) -> str:
        handle = match.group(1)
        name = handle.rstrip(".")
        url = urls.get(name.lower())
        if url is None:
            return match.group(0)
        return f'<a href="{url}" class="mention">@{name}</a>{handle[len(name) :]}'

    parts, depth, position = [], 0, 0
    for tag in _TAG_RE.finditer(html):
        text = html[position : tag.start()]
        parts.append(MENTION_RE.sub(link, text) if depth == 0 else text)
        parts.append(tag.group(0))
        if tag.group(2).lower() in _NO_LINKS_INSIDE:
            depth = max(0, depth + (-1 if tag.group(1) else 1))
        position = tag.end()
    tail = html[position:]
    parts.append(MENTION_RE.sub(link, tail) if depth == 0 else tail)
    return nh3.clean(
        "".join(parts),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes={"a": {"mention"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
