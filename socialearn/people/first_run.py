"""The first-run setup after a person's first sign-in: a few short steps, then home.

The core owns the first and last steps (about you; people to follow); features add their own
in between by registering a step with its URL name (communities: communities to join), so the
core never imports them. A person who finishes or skips is marked onboarded and is not sent
here again; home says "Welcome" on the first visit after, "Welcome back" from then on.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    key: str
    label: str | Promise
    url_name: str
    order: int


_steps: dict[str, Step] = {}


def register(key: str, *, label: str | Promise, url_name: str, order: int) -> None:
    _steps[key] = Step(key=key, label=label, url_name=url_name, order=order)


def steps() -> list[Step]:
    return sorted(_steps.values(), key=lambda s: (s.order, s.key))


def navigation(current: str) -> list[dict]:
    return [
        {
            "label": s.label,
            "url": reverse(s.url_name),
            "current": s.key == current,
            "number": n,
        }
        for n, s in enumerate(steps(), start=1)
    ]


def next_url(current: str) -> str:
    """The step after `current`, or the finishing page after the last one."""
    keys = [s.key for s in steps()]
    if current in keys and keys.index(current) + 1 < len(keys):
        return reverse(steps()[keys.index(current) + 1].url_name)
    return reverse("home")


register("profile", label=_("About you"), url_name="people:welcome", order=10)
register("experts", label=_("People to follow"), url_name="people:welcome_experts", order=90)
