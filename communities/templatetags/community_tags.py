"""Template helpers for community pages that other apps' tags cannot give."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from socialearn.people.templatetags.people_tags import person_chip_html
from socialearn.templatetags.ui import icon

register = template.Library()


@register.simple_tag
def chip(person, anonymous=False) -> SafeString:
    """The person chip as a value, for a sentence translated as a whole:

    {% chip c.created_by as author %}
    {% blocktranslate %}proposed by {{ author }}{% endblocktranslate %}
    """
    return person_chip_html(person, anonymous=anonymous)


_REACTION_FORM = (
    '<form method="post" action="{react}" class="inline-form"\n'
    '      hx-post="{react}" hx-target="#{target}" hx-swap="outerHTML">\n'
    "{csrf_field}\n"
    '<input type="hidden" name="kind" value="{kind}">\n'
    "{reply_field}\n"
    '<button type="submit" class="cm-reaction{mine}" aria-pressed="{pressed}" title="{label}"'
    ' aria-label="{label}: {count}">{icon} <span>{count}</span></button>\n'
    "</form>"
)
_REACTION_COUNT = (
    '<span class="cm-reaction" title="{label}">{icon}'
    '<span class="visually-hidden">{label}:</span> {count}</span>'
)


@register.simple_tag(takes_context=True)
def reaction_buttons(context, post, what: str) -> SafeString:
    """The thread page's `reactions` partial (communities/thread.html) written out in Python,
    for each post of the page: the partial, rendered for some thirty posts, was a quarter of
    the page's time. The partial stays for the one post a reaction swaps (views.react);
    tests/communities/test_reaction_buttons.py keeps the two equal. Needs the page's
    `viewer` and `thread_urls`, and `post.reaction_list` (selectors.reaction_summary)."""
    urls = context["thread_urls"]
    member = context["viewer"].is_member
    target = f"reactions-{what}-{post.pk}"
    reply_field = (
        format_html('<input type="hidden" name="reply" value="{}">', post.pk)
        if what == "reply"
        else ""
    )
    parts = []
    for r in post.reaction_list:
        if member:
            parts.append(
                format_html(
                    _REACTION_FORM,
                    react=urls["react"],
                    target=target,
                    csrf_field=urls["csrf_field"],
                    kind=r["kind"],
                    reply_field=reply_field,
                    mine=" cm-mine" if r["mine"] else "",
                    pressed="true" if r["mine"] else "false",
                    label=r["label"],
                    count=r["count"],
                    icon=icon(r["icon"]),
                )
            )
        elif r["count"]:
            parts.append(
                format_html(
                    _REACTION_COUNT, label=r["label"], icon=icon(r["icon"]), count=r["count"]
                )
            )
    return format_html(
        '\n<div class="cm-reactions" id="{}">\n{}\n</div>\n', target, mark_safe("\n".join(parts))
    )
