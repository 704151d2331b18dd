"""The design system's template tags, built in to every template (settings TEMPLATES).

`{% icon "thumbs-up" %}` draws an icon from the vendored sprite; decorative unless given a
`label`, which becomes its accessible name. `{% breadcrumbs "Communities" url "Python" %}`
renders the one breadcrumb trail: label/url pairs, the last label (without url) being the
page itself.
"""

from functools import lru_cache
from pathlib import Path

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

_SPRITE = Path(settings.BASE_DIR) / "static" / "vendor" / "icons" / "sprite.svg"


def _known_icons() -> frozenset[str]:
    import re

    return frozenset(re.findall(r'<symbol id="([^"]+)"', _SPRITE.read_text()))


ICONS = _known_icons()


@lru_cache(maxsize=4)
def _sprite_url(static_url: str) -> str:
    """The sprite's address, looked up in the static files manifest once, not for each of the
    hundred icons of a long page."""
    return static("vendor/icons/sprite.svg")


@register.simple_tag
def icon(name: str, label: str = "", css: str = "") -> str:
    if name not in ICONS:
        # A missing symbol draws nothing; fail loudly while the template is being written.
        raise template.TemplateSyntaxError(f"No icon {name!r} in the sprite (see its README).")
    href = f"{_sprite_url(settings.STATIC_URL)}#{name}"
    classes = f"icon {css}".strip()
    if label:
        return format_html(
            '<svg class="{}" role="img" aria-label="{}"><use href="{}"></use></svg>',
            classes,
            label,
            href,
        )
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>',
        classes,
        href,
    )


@register.inclusion_tag("_breadcrumbs.html")
def breadcrumbs(*parts) -> dict:
    crumbs = []
    items = list(parts)
    while items:
        label = items.pop(0)
        url = items.pop(0) if items else ""
        crumbs.append({"label": label, "url": url})
    return {"crumbs": crumbs}


@register.filter
def undo_of(message) -> dict | None:
    """The action that takes a confirmed moderation step back, from the message's extra tags
    ("undo <action> <thread|reply> <id> <community slug>"), for the toast's Undo button."""
    parts = (getattr(message, "extra_tags", "") or "").split()
    if len(parts) != 5 or parts[0] != "undo" or parts[2] not in ("thread", "reply"):
        return None
    return {"action": parts[1], "what": parts[2], "pk": parts[3], "slug": parts[4]}
